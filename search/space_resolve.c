/*
** space_resolve: conditions checked against the whole space.
**
** A condition is a conjunction of comparisons, each on one parent.  The
** parameters' values are independent of each other, so a condition together
** with its parents' conditions can hold exactly when, for every parameter
** they compare, the comparisons on it can hold together: that is what
** space_resolve checks, one parent at a time.  For a text parent the
** comparisons reduce to sets of its choices (intersected); for a range
** parent a conjunction of comparisons is an interval less some points, and
** holds somewhere iff it holds at one of the candidates tried (the bounds,
** each compared value and its neighbours on the parameter's grid).
*/
#include "space.h"
#include "space_internals.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conditions on conditions deeper than this are refused: deeper chains are
** not a search space anybody writes, and the checks walk every ancestor. */
#define MAX_DEPTH 32

static const char *op_text(hp_cond_op op)
{
    static const char *const text[] = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"};
    return text[op];
}

/* P's admissible values, for messages. */
static void describe_domain(const hp_param *p, char *buf, size_t len)
{
    char lo[40], hi[40];
    snprintf(lo, sizeof lo, "%.15g", p->lo);
    snprintf(hi, sizeof hi, "%.15g", p->hi);
    if (p->kind == HP_PARAM_INT)
        snprintf(buf, len, "an integer from %s to %s", lo, hi);
    else
        snprintf(buf, len, "a number from %s to %s", lo, hi);
}

/* 1 when X is a value P can take. */
static int admissible(const hp_param *p, double x)
{
    if (!(x >= p->lo - 1e-9 * fmax(1, fabs(p->lo)) && x <= p->hi + 1e-9 * fmax(1, fabs(p->hi))))
        return 0;
    if (p->step > 0) {
        double k = (x - p->lo) / p->step;
        return fabs(k - floor(k + 0.5)) < 1e-6;
    }
    return 1;
}

/* X moved onto P's grid and into its range. */
static double onto_grid(const hp_param *p, double x)
{
    if (p->step > 0)
        x = p->lo + floor((x - p->lo) / p->step + 0.5) * p->step;
    return fmin(fmax(x, p->lo), p->hi);
}

/* Checks clause C against its parent P, and for a text parent fills
** c->allowed. */
static int check_clause(const hp_param *p, hp_clause *c, char *err)
{
    int relational = c->op != COND_EQ && c->op != COND_NE && c->op != COND_IN &&
                     c->op != COND_NOT_IN;
    if (space_param_is_text(p)) {
        if (relational && !p->numeric) {
            snprintf(err, HP_ERR_LEN, "'%s' in its condition compares numbers, and '%s' "
                     "takes texts; write %s in (...)", op_text(c->op), p->name, p->name);
            return -1;
        }
        free(c->allowed);
        c->allowed = calloc((size_t)p->n_choices, 1);
        if (!c->allowed) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
        if (relational) {
            if (isnan(c->numbers[0])) {
                snprintf(err, HP_ERR_LEN, "'%s %s %s' in its condition: '%s' is not a number",
                         p->name, op_text(c->op), c->values[0], c->values[0]);
                return -1;
            }
            for (int k = 0; k < p->n_choices; k++)
                c->allowed[k] = (unsigned char)clause_range_holds(c, p->choice_num[k]);
            return 0;
        }
        int negate = c->op == COND_NE || c->op == COND_NOT_IN;
        unsigned char *hit = c->allowed;
        for (int v = 0; v < c->n_values; v++) {
            int found = -1;
            for (int k = 0; k < p->n_choices && found < 0; k++)
                if (strcmp(c->values[v], p->choices[k]) == 0 ||
                    (p->numeric && !isnan(c->numbers[v]) &&
                     space_same_number(c->numbers[v], p->choice_num[k])))
                    found = k;
            if (found < 0) {
                char list[200] = "";
                size_t at = 0;
                for (int k = 0; k < p->n_choices && at < sizeof list - 1; k++)
                    at += (size_t)snprintf(list + at, sizeof list - at, "%s%s", k ? ", " : "",
                                           p->choices[k]);
                snprintf(err, HP_ERR_LEN, "its condition compares '%s' with '%s', which is "
                         "not one of its values (%s)", p->name, c->values[v], list);
                return -1;
            }
            hit[found] = 1;
        }
        if (negate)
            for (int k = 0; k < p->n_choices; k++)
                hit[k] = !hit[k];
        return 0;
    }
    for (int v = 0; v < c->n_values; v++) {
        if (isnan(c->numbers[v])) {
            snprintf(err, HP_ERR_LEN, "its condition compares '%s', a number, with '%s'",
                     p->name, c->values[v]);
            return -1;
        }
        if ((c->op == COND_EQ || c->op == COND_IN) && !admissible(p, c->numbers[v])) {
            char domain[120];
            describe_domain(p, domain, sizeof domain);
            snprintf(err, HP_ERR_LEN, "its condition compares '%s' with %s, which it never "
                     "takes (%s%s)", p->name, c->values[v], domain,
                     p->step > 0 && p->kind != HP_PARAM_INT ? ", on its step" : "");
            return -1;
        }
    }
    return 0;
}

/* 1 when the comparisons CL[0..m) on range parameter P hold together for
** one of its values. */
static int range_satisfiable(const hp_param *p, const hp_clause *const *cl, int m)
{
    for (int k = -1; k < m; k++) {
        int nv = k < 0 ? 2 : cl[k]->n_values;
        for (int v = 0; v < nv; v++) {
            double base = k < 0 ? (v ? p->hi : p->lo) : cl[k]->numbers[v];
            double delta = p->step > 0 ? p->step : 0;
            double tries[5] = {base, base - delta, base + delta, nextafter(base, -INFINITY),
                               nextafter(base, INFINITY)};
            for (int t = 0; t < 5; t++) {
                double x = onto_grid(p, tries[t]);
                if (p->kind == HP_PARAM_INT)
                    x = onto_grid(p, t == 3 ? floor(tries[t]) : t == 4 ? ceil(tries[t]) : x);
                int all = 1;
                for (int j = 0; j < m && all; j++)
                    all = clause_range_holds(cl[j], x);
                if (all)
                    return 1;
            }
        }
    }
    return 0;
}

/* The clauses of I's condition and of its ancestors' into *OUT (grown as
** needed; *CAP its room), each once.  STAMP marks visited parameters. */
static int gather_closure(const hp_space *s, int i, int *stamp, int mark, int *stack,
                          const hp_clause ***out, int *n_out, int *cap)
{
    int top = 0;
    stack[top++] = i;
    stamp[i] = mark;
    *n_out = 0;
    while (top > 0) {
        int q = stack[--top];
        const hp_condition *cond = &s->conds[q];
        for (int c = 0; c < cond->n_clauses; c++) {
            if (*n_out == *cap) {
                int nc = *cap ? *cap * 2 : 16;
                const hp_clause **grown = realloc(*out, sizeof(hp_clause *) * (size_t)nc);
                if (!grown)
                    return -1;
                *out = grown;
                *cap = nc;
            }
            (*out)[(*n_out)++] = &cond->clauses[c];
            int par = cond->clauses[c].parent;
            if (stamp[par] != mark) {
                stamp[par] = mark;
                stack[top++] = par;
            }
        }
    }
    return 0;
}

static int compare_clause_parent(const void *a, const void *b)
{
    const hp_clause *x = *(const hp_clause *const *)a, *y = *(const hp_clause *const *)b;
    if (x->parent != y->parent)
        return x->parent - y->parent;
    return x < y ? -1 : x > y;
}

/* Checks that the closure CL[0..m) of parameter I can hold, and writes the
** canonical text of the closure (which set of trials activates I) to KEY. */
static int check_closure(const hp_space *s, int i, const hp_clause **cl, int m, char *key,
                         size_t key_len, char *err)
{
    qsort(cl, (size_t)m, sizeof *cl, compare_clause_parent);
    size_t at = 0;
    key[0] = '\0';
    for (int a = 0; a < m;) {
        int b = a;
        while (b < m && cl[b]->parent == cl[a]->parent)
            b++;
        const hp_param *p = &s->params[cl[a]->parent];
        int ok = 0;
        if (space_param_is_text(p)) {
            if (at < key_len)
                at += (size_t)snprintf(key + at, key_len - at, "%d{", cl[a]->parent);
            for (int k = 0; k < p->n_choices; k++) {
                int all = 1;
                for (int j = a; j < b; j++)
                    all &= cl[j]->allowed[k];
                if (all && at < key_len)
                    at += (size_t)snprintf(key + at, key_len - at, "%d,", k);
                ok |= all;
            }
            if (at < key_len)
                at += (size_t)snprintf(key + at, key_len - at, "}");
        } else {
            ok = range_satisfiable(p, cl + a, b - a);
            for (int j = a; j < b && at < key_len; j++) {
                at += (size_t)snprintf(key + at, key_len - at, "%d%s(", cl[j]->parent,
                                       op_text(cl[j]->op));
                for (int v = 0; v < cl[j]->n_values && at < key_len; v++)
                    at += (size_t)snprintf(key + at, key_len - at, "%.17g,", cl[j]->numbers[v]);
                if (at < key_len)
                    at += (size_t)snprintf(key + at, key_len - at, ")");
            }
        }
        if (!ok) {
            if (b - a == 1 && cl[a] >= s->conds[i].clauses &&
                cl[a] < s->conds[i].clauses + s->conds[i].n_clauses) {
                char domain[200];
                if (space_param_is_text(p))
                    snprintf(domain, sizeof domain, "no value of '%s' satisfies it", p->name);
                else
                    describe_domain(p, domain, sizeof domain);
                snprintf(err, HP_ERR_LEN, "its condition '%s' can never hold ('%s' is %s)",
                         s->conds[i].text, p->name, domain);
            } else {
                snprintf(err, HP_ERR_LEN, "its condition '%s' can never hold: with the "
                         "conditions of its parents, no value of '%s' satisfies them all",
                         s->conds[i].text, p->name);
            }
            return -1;
        }
        a = b;
    }
    if (at >= key_len) {
        snprintf(err, HP_ERR_LEN, "its condition is too long (more than %d characters in "
                 "canonical form)", (int)key_len - 1);
        return -1;
    }
    return 0;
}

/* Kahn's algorithm over the parent -> child edges: parents first.  Returns
** the number of parameters ordered (fewer than s->n: a cycle), or -1 when
** out of memory.  INDEGREE keeps, for the unordered ones, their unordered
** parents' count. */
static int order_parents_first(hp_space *s, int *indegree, int *queue)
{
    int edges = 0;
    for (int i = 0; i < s->n; i++)
        edges += s->conds[i].n_clauses;
    /* children of each parent, as a compressed list */
    int *first = calloc((size_t)s->n + 1, sizeof(int));
    int *child = malloc(sizeof(int) * (size_t)(edges + 1));
    int *fill = calloc((size_t)s->n + 1, sizeof(int));
    if (!first || !child || !fill) {
        free(first);
        free(child);
        free(fill);
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        for (int c = 0; c < s->conds[i].n_clauses; c++)
            first[s->conds[i].clauses[c].parent + 1]++;
    for (int i = 0; i < s->n; i++)
        first[i + 1] += first[i];
    for (int i = 0; i < s->n; i++)
        for (int c = 0; c < s->conds[i].n_clauses; c++) {
            int par = s->conds[i].clauses[c].parent;
            child[first[par] + fill[par]++] = i;
        }
    for (int i = 0; i < s->n; i++)
        indegree[i] = s->conds[i].n_clauses;
    int head = 0, tail = 0;
    for (int i = 0; i < s->n; i++)
        if (indegree[i] == 0)
            queue[tail++] = i;
    while (head < tail) {
        int q = queue[head++];
        s->order[head - 1] = q;
        for (int e = first[q]; e < first[q + 1]; e++)
            if (--indegree[child[e]] == 0)
                queue[tail++] = child[e];
    }
    free(first);
    free(child);
    free(fill);
    return head;
}

/* A message naming a cycle among the unordered parameters (indegree > 0). */
static int report_cycle(const hp_space *s, const int *indegree, int *bad, char *err)
{
    int start = -1;
    for (int i = 0; i < s->n && start < 0; i++)
        if (indegree[i] > 0)
            start = i;
    /* walk to unordered parents until one repeats: that one is on a cycle */
    int *seen = calloc((size_t)s->n, sizeof(int));
    if (!seen) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        *bad = start;
        return -1;
    }
    int q = start, step = 1;
    while (!seen[q]) {
        seen[q] = step++;
        int next = -1;
        for (int c = 0; c < s->conds[q].n_clauses && next < 0; c++)
            if (indegree[s->conds[q].clauses[c].parent] > 0)
                next = s->conds[q].clauses[c].parent;
        q = next;
    }
    char path[HP_ERR_LEN / 2] = "";
    size_t at = 0;
    int p = q;
    do {
        if (at < sizeof path)
            at += (size_t)snprintf(path + at, sizeof path - at, "%s -> ", s->params[p].name);
        int next = -1;
        for (int c = 0; c < s->conds[p].n_clauses && next < 0; c++)
            if (indegree[s->conds[p].clauses[c].parent] > 0)
                next = s->conds[p].clauses[c].parent;
        p = next;
    } while (p != q && p >= 0);
    snprintf(err, HP_ERR_LEN, "conditions form a cycle: %s%s (each is active only when the "
             "next one is)", path, s->params[q].name);
    free(seen);
    *bad = q;
    return -1;
}

int space_resolve(hp_space *s, int *bad, char *err)
{
    *bad = -1;
    free(s->order);
    free(s->group);
    s->order = malloc(sizeof(int) * (size_t)(s->n + 1));
    s->group = calloc((size_t)s->n + 1, sizeof(int));
    s->n_groups = 1;
    s->resolved = 0;
    if (!s->order || !s->group) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        s->order[i] = i;
    if (!s->n_conditional) {
        s->resolved = 1;
        return 0;
    }
    /* the parents exist and the compared values suit them */
    for (int i = 0; i < s->n; i++)
        for (int c = 0; c < s->conds[i].n_clauses; c++) {
            hp_clause *cl = &s->conds[i].clauses[c];
            /* exact names only: the index folds case */
            cl->parent = name_index_get(s->by_name, cl->parent_name);
            if (cl->parent >= 0 && strcmp(s->params[cl->parent].name, cl->parent_name) != 0)
                cl->parent = -1;
            *bad = i;
            if (cl->parent < 0) {
                snprintf(err, HP_ERR_LEN, "its condition names '%s', which is not a parameter "
                         "of the study", cl->parent_name);
                return -1;
            }
            if (cl->parent == i) {
                snprintf(err, HP_ERR_LEN, "its condition names the parameter itself");
                return -1;
            }
            if (check_clause(&s->params[cl->parent], cl, err))
                return -1;
        }
    *bad = -1;
    int *indegree = malloc(sizeof(int) * (size_t)(s->n + 1));
    int *queue = malloc(sizeof(int) * (size_t)(s->n + 1));
    int *depth = calloc((size_t)s->n + 1, sizeof(int));
    int *stamp = calloc((size_t)s->n + 1, sizeof(int));
    const hp_clause **closure = NULL;
    int closure_cap = 0, n_closure = 0, rc = -1;
    char *key = malloc(HP_ERR_LEN * 4);
    hp_name_index *keys = name_index_new(0);
    if (!indegree || !queue || !depth || !stamp || !key || !keys) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto done;
    }
    int ordered = order_parents_first(s, indegree, queue);
    if (ordered < 0) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto done;
    }
    if (ordered < s->n) {
        report_cycle(s, indegree, bad, err);
        goto done;
    }
    for (int k = 0; k < s->n; k++) {
        int i = s->order[k];
        for (int c = 0; c < s->conds[i].n_clauses; c++) {
            int d = depth[s->conds[i].clauses[c].parent] + 1;
            if (d > depth[i])
                depth[i] = d;
        }
        if (depth[i] > MAX_DEPTH) {
            *bad = i;
            snprintf(err, HP_ERR_LEN, "its condition nests more than %d levels deep "
                     "(a condition on a conditional parameter on ...)", MAX_DEPTH);
            goto done;
        }
        if (!s->conds[i].n_clauses)
            continue;
        if (gather_closure(s, i, stamp, k + 1, queue, &closure, &n_closure, &closure_cap)) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            goto done;
        }
        if (check_closure(s, i, closure, n_closure, key, HP_ERR_LEN * 4, err)) {
            *bad = i;
            goto done;
        }
        int g = name_index_get(keys, key);
        if (g < 0) {
            g = s->n_groups++;
            if (name_index_put(keys, key, g)) {
                snprintf(err, HP_ERR_LEN, "out of memory");
                goto done;
            }
        }
        s->group[i] = g;
    }
    s->resolved = 1;
    rc = 0;
done:
    free(indegree);
    free(queue);
    free(depth);
    free(stamp);
    free(closure);
    free(key);
    name_index_free(keys);
    return rc;
}
