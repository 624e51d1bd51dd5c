/*
** Search space: parsing of distribution specs and the unit-cube mapping.
** Invariant: every parameter in a space has been validated by space_add
** (lo < hi, positive bounds for log scales, at least one choice), so decode
** and encode never fail.
*/
#include "space.h"

#include "space_internals.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_ARGS 4096

hp_space *space_new(void)
{
    hp_space *s = calloc(1, sizeof(hp_space));
    if (!s)
        return NULL;
    s->by_name = name_index_new(1);
    if (!s->by_name) {
        space_free(s);
        return NULL;
    }
    return s;
}

static void param_deinit(hp_param *p)
{
    free(p->name);
    for (int i = 0; i < p->n_choices; i++)
        free(p->choices[i]);
    free(p->choices);
    free(p->choice_num);
}

void space_free(hp_space *space)
{
    if (!space)
        return;
    for (int i = 0; i < space->n; i++) {
        param_deinit(&space->params[i]);
        condition_free(&space->conds[i]);
    }
    free(space->params);
    free(space->conds);
    free(space->order);
    free(space->group);
    name_index_free(space->by_name);
    free(space);
}

int space_size(const hp_space *space) { return space->n; }
int space_dim(const hp_space *space) { return space->dim; }
const hp_param *space_param(const hp_space *space, int i) { return &space->params[i]; }

int space_find(const hp_space *space, const char *name)
{
    int i = name_index_get(space->by_name, name);
    return i >= 0 && strcmp(space->params[i].name, name) == 0 ? i : -1;
}

static int parse_number(const char *s, double *out)
{
    char *end;
    if (!*s)
        return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* Splits "a, \"b c\", d" into unquoted, trimmed arguments.  Quoted text keeps
** spaces, commas and ';'; \" and \\ escape inside quotes.  quoted[i] tells
** whether argument i was quoted (a quoted value is never a keyword). */
static int split_args(const char *s, char ***out, int **quoted, int *n_out,
                      char *err)
{
    char **args = NULL;
    int *q = NULL;
    int n = 0;
    size_t len = strlen(s);
    char *cur = malloc(len + 1);
    if (!cur) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    const char *p = s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        size_t k = 0;
        int was_quoted = 0;
        if (*p == '"') {
            was_quoted = 1;
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                cur[k++] = *p++;
            }
            if (*p != '"') {
                snprintf(err, HP_ERR_LEN, "unterminated quote");
                goto fail;
            }
            p++;
            while (isspace((unsigned char)*p))
                p++;
            if (*p && *p != ',') {
                snprintf(err, HP_ERR_LEN, "unexpected text after a quoted value");
                goto fail;
            }
        } else {
            while (*p && *p != ',') {
                if (*p == '"') {
                    snprintf(err, HP_ERR_LEN, "a quote must enclose the whole value");
                    goto fail;
                }
                cur[k++] = *p++;
            }
            while (k > 0 && isspace((unsigned char)cur[k - 1]))
                k--;
        }
        cur[k] = '\0';
        if (n == MAX_ARGS) {
            snprintf(err, HP_ERR_LEN, "more than %d values", MAX_ARGS);
            goto fail;
        }
        char **na = realloc(args, sizeof(char *) * (n + 1));
        if (!na)
            goto oom;
        args = na;
        int *nq = realloc(q, sizeof(int) * (n + 1));
        if (!nq)
            goto oom;
        q = nq;
        args[n] = strdup(cur);
        if (!args[n])
            goto oom;
        q[n] = was_quoted;
        n++;
        if (*p == ',') {
            p++;
            continue;
        }
        break;
    }
    free(cur);
    *out = args;
    *quoted = q;
    *n_out = n;
    return 0;
oom:
    snprintf(err, HP_ERR_LEN, "out of memory");
fail:
    for (int i = 0; i < n; i++)
        free(args[i]);
    free(args);
    free(q);
    free(cur);
    return -1;
}

static void free_args(char **args, int *quoted, int n)
{
    for (int i = 0; i < n; i++)
        free(args[i]);
    free(args);
    free(quoted);
}

/* Fills the choices of P from ARGS (takes ownership of the strings). */
static int set_choices(hp_param *p, char **args, int n, char *err)
{
    /* callers pass at least one value; a count that is not positive is a
       bug, and must never reach calloc as a huge size */
    if (n < 1) {
        snprintf(err, HP_ERR_LEN, "no values");
        return -1;
    }
    p->choices = calloc((size_t)n, sizeof(char *));
    p->choice_num = calloc((size_t)n, sizeof(double));
    if (!p->choices || !p->choice_num) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    p->n_choices = n;
    p->numeric = 1;
    for (int i = 0; i < n; i++) {
        p->choices[i] = args[i];
        args[i] = NULL;
        if (parse_number(p->choices[i], &p->choice_num[i]) != 0)
            p->numeric = 0;
    }
    if (!p->numeric)
        for (int i = 0; i < n; i++)
            p->choice_num[i] = i;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(p->choices[i], p->choices[j]) == 0) {
                snprintf(err, HP_ERR_LEN, "choice value '%s' is listed twice",
                         p->choices[i]);
                return -1;
            }
    return 0;
}

static int parse_range(hp_param *p, const char *fn, char **args, int *quoted,
                       int n, char *err)
{
    int is_int = strcmp(fn, "int") == 0;
    if (n < 2 || n > 4) {
        snprintf(err, HP_ERR_LEN, "%s() takes a lower and an upper bound, then "
                 "optionally 'log' or 'step=S'", fn);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (quoted[i]) {
            snprintf(err, HP_ERR_LEN, "%s() takes numbers, not quoted text", fn);
            return -1;
        }
    if (parse_number(args[0], &p->lo) || parse_number(args[1], &p->hi)) {
        snprintf(err, HP_ERR_LEN, "%s() bounds must be numbers, got '%s' and '%s'",
                 fn, args[0], args[1]);
        return -1;
    }
    p->kind = is_int ? HP_PARAM_INT : HP_PARAM_FLOAT;
    p->log = strcmp(fn, "loguniform") == 0;
    p->step = is_int ? 1 : 0;
    for (int i = 2; i < n; i++) {
        if (strcmp(args[i], "log") == 0) {
            p->log = 1;
        } else if (strncmp(args[i], "step=", 5) == 0 || strncmp(args[i], "step =", 6) == 0) {
            const char *v = strchr(args[i], '=') + 1;
            while (isspace((unsigned char)*v))
                v++;
            if (parse_number(v, &p->step) || !(p->step > 0)) {
                snprintf(err, HP_ERR_LEN, "step must be a positive number, got '%s'", v);
                return -1;
            }
        } else {
            snprintf(err, HP_ERR_LEN, "unknown option '%s' in %s() (expected 'log' or "
                     "'step=S')", args[i], fn);
            return -1;
        }
    }
    if (is_int) {
        if (p->lo != floor(p->lo) || p->hi != floor(p->hi)) {
            snprintf(err, HP_ERR_LEN, "int() bounds must be integers, got '%s' and '%s'",
                     args[0], args[1]);
            return -1;
        }
        if (p->step != floor(p->step)) {
            snprintf(err, HP_ERR_LEN, "int() step must be an integer");
            return -1;
        }
        if (fabs(p->lo) > 9e15 || fabs(p->hi) > 9e15) {
            snprintf(err, HP_ERR_LEN, "int() bounds must lie within +-9e15");
            return -1;
        }
    }
    if (!(p->lo < p->hi)) {
        snprintf(err, HP_ERR_LEN, "lower bound %s is not below upper bound %s",
                 args[0], args[1]);
        return -1;
    }
    if (!isfinite(p->hi - p->lo)) {
        /* every value would decode to inf and no JSON could hold it */
        snprintf(err, HP_ERR_LEN, "the range from %s to %s is wider than a double can hold",
                 args[0], args[1]);
        return -1;
    }
    if (p->log && !(p->lo > 0)) {
        snprintf(err, HP_ERR_LEN, "%s needs bounds above 0 for a log scale, got %s",
                 fn, args[0]);
        return -1;
    }
    if (p->log && p->step > 0 && p->kind == HP_PARAM_FLOAT) {
        snprintf(err, HP_ERR_LEN, "a log scale and a step cannot be combined");
        return -1;
    }
    if (p->log && p->kind == HP_PARAM_INT && p->step != 1) {
        snprintf(err, HP_ERR_LEN, "int(..., log) cannot have a step");
        return -1;
    }
    if (p->step > 0) {
        double k = floor((p->hi - p->lo) / p->step + 1e-9);
        if (k < 1) {
            snprintf(err, HP_ERR_LEN, "step %g is larger than the range", p->step);
            return -1;
        }
        if (k > 1e15) {
            snprintf(err, HP_ERR_LEN, "step %g gives too many values", p->step);
            return -1;
        }
        p->hi = p->lo + k * p->step;
    }
    return 0;
}

/* Appends parameter NAME with distribution SPEC (no condition). */
static int add_param(hp_space *space, const char *name, const char *spec, char *err)
{
    if (!space_valid_name(name)) {
        snprintf(err, HP_ERR_LEN, "'%s' is not a valid parameter name (letters, "
                 "digits and _, not starting with a digit)", name);
        return -1;
    }
    if (space_find(space, name) >= 0) {
        snprintf(err, HP_ERR_LEN, "parameter '%s' is defined twice", name);
        return -1;
    }
    int twin = name_index_get(space->by_name, name);
    if (twin >= 0) {
        /* a command sees both as HPSEARCH_PARAM_<NAME> */
        snprintf(err, HP_ERR_LEN, "its name differs from '%s' only in case; rename one (a "
                 "command's environment would not tell them apart)", space->params[twin].name);
        return -1;
    }
    size_t spec_len = strlen(spec);
    if (spec_len >= 2 && spec[0] == '[' && spec[spec_len - 1] == ']') {
        /* a list as Python or YAML would write it */
        snprintf(err, HP_ERR_LEN, "'%s' is not a search space; a list of values is written "
                 "choice(%.*s)", spec, (int)(spec_len - 2), spec + 1);
        return -1;
    }
    hp_param p;
    memset(&p, 0, sizeof p);
    char **args = NULL;
    int *quoted = NULL;
    int n = 0;
    const char *open = strchr(spec, '(');
    size_t fnlen = open ? (size_t)(open - spec) : 0;
    char fn[32] = "";
    if (open && fnlen < sizeof fn && spec[0] != '"') {
        memcpy(fn, spec, fnlen);
        fn[fnlen] = '\0';
        while (fnlen > 0 && isspace((unsigned char)fn[fnlen - 1]))
            fn[--fnlen] = '\0';
    }
    int is_dist = strcmp(fn, "uniform") == 0 || strcmp(fn, "loguniform") == 0 ||
                  strcmp(fn, "int") == 0 || strcmp(fn, "choice") == 0;
    if (is_dist) {
        size_t len = strlen(spec);
        while (len > 0 && isspace((unsigned char)spec[len - 1]))
            len--;
        if (len == 0 || spec[len - 1] != ')') {
            snprintf(err, HP_ERR_LEN, "missing ')' in '%s'", spec);
            return -1;
        }
        size_t inner_len = len - 1 - (size_t)(open + 1 - spec);
        char *inner = malloc(inner_len + 1);
        if (!inner) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            return -1;
        }
        memcpy(inner, open + 1, inner_len);
        inner[inner_len] = '\0';
        char *t = inner;
        while (isspace((unsigned char)*t))
            t++;
        int empty = *t == '\0';
        int rc = empty ? 0 : split_args(inner, &args, &quoted, &n, err);
        free(inner);
        if (rc)
            return -1;
        if (strcmp(fn, "choice") == 0) {
            if (n == 0) {
                snprintf(err, HP_ERR_LEN, "choice() needs at least one value");
                return -1;
            }
            for (int i = 0; i < n; i++)
                if (args[i][0] == '\0' && !quoted[i]) {
                    snprintf(err, HP_ERR_LEN, "empty value in choice() (quote it as \"\" "
                             "if you mean an empty text)");
                    goto fail;
                }
            p.kind = HP_PARAM_CHOICE;
            if (set_choices(&p, args, n, err))
                goto fail;
        } else if (parse_range(&p, fn, args, quoted, n, err)) {
            goto fail;
        }
    } else {
        if (open && spec[0] != '"' && fn[0]) {
            snprintf(err, HP_ERR_LEN, "unknown distribution '%s' (expected uniform, "
                     "loguniform, int or choice)", fn);
            return -1;
        }
        if (split_args(spec, &args, &quoted, &n, err))
            return -1;
        if (n != 1) {
            snprintf(err, HP_ERR_LEN, "a fixed value cannot hold a comma unless "
                     "quoted; did you mean choice(%s)?", spec);
            goto fail;
        }
        p.kind = HP_PARAM_FIXED;
        if (set_choices(&p, args, 1, err))
            goto fail;
    }
    free_args(args, quoted, n);
    args = NULL;
    quoted = NULL;
    n = 0;
    p.name = strdup(name);
    if (!p.name) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        goto fail;
    }
    if (space->n == space->cap) {
        int cap = space->cap ? space->cap * 2 : 8;
        hp_param *np = realloc(space->params, sizeof(hp_param) * cap);
        if (!np) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            goto fail;
        }
        space->params = np;
        hp_condition *nc = realloc(space->conds, sizeof(hp_condition) * cap);
        if (!nc) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            goto fail;
        }
        space->conds = nc;
        space->cap = cap;
    }
    if (name_index_put(space->by_name, p.name, space->n)) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        param_deinit(&p);
        return -1;
    }
    memset(&space->conds[space->n], 0, sizeof(hp_condition));
    space->params[space->n++] = p;
    space->resolved = 0;
    if (p.kind != HP_PARAM_FIXED)
        space->dim++;
    return 0;
fail:
    free_args(args, quoted, n);
    param_deinit(&p);
    return -1;
}

/* Where SPEC's condition starts: the "if" of " if " outside quotes and
** parentheses, or NULL. */
static const char *find_condition(const char *spec)
{
    int depth = 0, quoted = 0;
    for (const char *p = spec; *p; p++) {
        if (quoted) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"')
                quoted = 0;
            continue;
        }
        if (*p == '"')
            quoted = 1;
        else if (*p == '(')
            depth++;
        else if (*p == ')')
            depth--;
        else if (depth == 0 && (p == spec || isspace((unsigned char)p[-1])) && p[0] == 'i' &&
                 p[1] == 'f' && (isspace((unsigned char)p[2]) || !p[2]))
            return p;
    }
    return NULL;
}

int space_add(hp_space *space, const char *name, const char *spec, char *err)
{
    const char *at = find_condition(spec);
    if (!at)
        return add_param(space, name, spec, err);
    size_t len = (size_t)(at - spec);
    while (len > 0 && isspace((unsigned char)spec[len - 1]))
        len--;
    char *dist = malloc(len + 1);
    if (!dist) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    memcpy(dist, spec, len);
    dist[len] = '\0';
    hp_condition cond;
    memset(&cond, 0, sizeof cond);
    int rc = len == 0 ? (snprintf(err, HP_ERR_LEN, "nothing before 'if': write the "
                                  "distribution, then 'if' and the condition"), -1)
                      : condition_parse(at + 2, &cond, err);
    if (rc == 0)
        rc = add_param(space, name, dist, err);
    free(dist);
    if (rc) {
        condition_free(&cond);
        return -1;
    }
    space->conds[space->n - 1] = cond;
    space->n_conditional++;
    space->resolved = 0;
    return 0;
}

uint64_t space_param_count(const hp_param *p)
{
    switch (p->kind) {
    case HP_PARAM_CHOICE:
        return (uint64_t)p->n_choices;
    case HP_PARAM_INT:
    case HP_PARAM_FLOAT:
        if (p->step > 0)
            return (uint64_t)llround((p->hi - p->lo) / p->step) + 1;
        return 0;
    case HP_PARAM_FIXED:
        return 1;
    }
    return 0;
}

static double clamp_unit(double u)
{
    if (!(u >= 0))
        return 0;
    if (u >= 1)
        return nextafter(1.0, 0.0);
    return u;
}

static double decode_range(const hp_param *p, double u)
{
    /* A continuous range is closed: its optimum is often at an end (the
    ** largest batch, no dropout), and a sampler that proposes u = 1 must
    ** get hi itself, not the float below it. */
    if (p->kind == HP_PARAM_FLOAT && p->step <= 0 && u >= 1)
        return p->hi;
    u = clamp_unit(u);
    if (p->kind == HP_PARAM_INT && p->log) {
        double a = log(p->lo - 0.5), b = log(p->hi + 0.5);
        double v = floor(exp(a + u * (b - a)) + 0.5);
        return fmin(fmax(v, p->lo), p->hi);
    }
    if (p->step > 0) {
        double h = p->step / 2;
        double v = (p->lo - h) + u * (p->hi - p->lo + p->step);
        double k = floor((v - p->lo + h) / p->step);
        return fmin(fmax(p->lo + k * p->step, p->lo), p->hi);
    }
    if (p->log) {
        double a = log(p->lo), b = log(p->hi);
        return fmin(fmax(exp(a + u * (b - a)), p->lo), p->hi);
    }
    return p->lo + u * (p->hi - p->lo);
}

static double encode_range(const hp_param *p, double v)
{
    if (p->kind == HP_PARAM_INT && p->log) {
        double a = log(p->lo - 0.5), b = log(p->hi + 0.5);
        /* centre of the cell [v-0.5, v+0.5] in log space */
        double c = 0.5 * (log(v - 0.5) + log(v + 0.5));
        return clamp_unit((c - a) / (b - a));
    }
    if (p->step > 0)
        return clamp_unit((v - p->lo + p->step / 2) / (p->hi - p->lo + p->step));
    /* closed, as in decode_range: hi encodes to 1 and decodes back to hi */
    if (p->kind == HP_PARAM_FLOAT && v >= p->hi)
        return 1;
    if (p->log)
        return clamp_unit((log(v) - log(p->lo)) / (log(p->hi) - log(p->lo)));
    return clamp_unit((v - p->lo) / (p->hi - p->lo));
}

void space_decode(const hp_space *space, const double *u, hp_value *out)
{
    int k = 0;
    for (int i = 0; i < space->n; i++) {
        const hp_param *p = &space->params[i];
        if (p->kind == HP_PARAM_FIXED) {
            out[i].index = 0;
            out[i].value = p->choice_num[0];
        } else if (p->kind == HP_PARAM_CHOICE) {
            int c = (int)floor(clamp_unit(u[k++]) * p->n_choices);
            if (c >= p->n_choices)
                c = p->n_choices - 1;
            out[i].index = c;
            out[i].value = p->choice_num[c];
        } else {
            out[i].index = -1;
            out[i].value = decode_range(p, u[k++]);
        }
    }
    space_apply_conditions(space, out);
}

void space_encode(const hp_space *space, const hp_value *in, double *u)
{
    int k = 0;
    for (int i = 0; i < space->n; i++) {
        const hp_param *p = &space->params[i];
        if (p->kind == HP_PARAM_FIXED)
            continue;
        if (!space_value_active(in[i]))
            u[k++] = NAN;
        else if (p->kind == HP_PARAM_CHOICE)
            u[k++] = (in[i].index + 0.5) / p->n_choices;
        else
            u[k++] = encode_range(p, in[i].value);
    }
}

int space_value_is_numeric(const hp_space *space, int i)
{
    const hp_param *p = &space->params[i];
    if (space_param_is_text(p))
        return p->numeric;
    return 1;
}

const char *space_format_value(const hp_space *space, int i, hp_value v,
                               char *buf, int len)
{
    const hp_param *p = &space->params[i];
    if (!space_value_active(v))
        snprintf(buf, len, "%s", "");
    else if (space_param_is_text(p))
        snprintf(buf, len, "%s", p->choices[v.index]);
    else if (p->kind == HP_PARAM_INT)
        snprintf(buf, len, "%.0f", v.value);
    else
        space_format_number(v.value, buf, len);
    return buf;
}

const char *space_format_number(double v, char *buf, int len)
{
    /* integers as integers (100, not 1e+02), then the fewest digits that
       read back as the same double: 0.2, not 0.20000000000000001 */
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, (size_t)len, "%.0f", v);
        return buf;
    }
    /* reading back is monotonic in the digits: a binary search between 1
       and 17 costs ~5 conversions, not 17 (this runs for every number of
       every trial) */
    if (v != v) {
        snprintf(buf, (size_t)len, "%g", v);
        return buf;
    }
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        snprintf(buf, (size_t)len, "%.*g", mid, v);
        if (strtod(buf, NULL) == v)
            hi = mid;
        else
            lo = mid + 1;
    }
    snprintf(buf, (size_t)len, "%.*g", lo, v);
    return buf;
}

static void fnv(uint64_t *h, const void *data, size_t n)
{
    const unsigned char *b = data;
    for (size_t i = 0; i < n; i++) {
        *h ^= b[i];
        *h *= 1099511628211ULL;
    }
}

void space_hash(const hp_space *space, char out[17])
{
    uint64_t h = 14695981039346656037ULL;
    char buf[128];
    for (int i = 0; i < space->n; i++) {
        const hp_param *p = &space->params[i];
        fnv(&h, p->name, strlen(p->name) + 1);
        int m = snprintf(buf, sizeof buf, "%d|%.17g|%.17g|%.17g|%d|%d",
                         (int)p->kind, p->lo, p->hi, p->step, p->log, p->n_choices);
        fnv(&h, buf, (size_t)m + 1);
        for (int c = 0; c < p->n_choices; c++)
            fnv(&h, p->choices[c], strlen(p->choices[c]) + 1);
        /* only conditional parameters add to the hash: the hashes of spaces
           without conditions stay what earlier versions stored */
        if (space->conds[i].n_clauses)
            fnv(&h, space->conds[i].text, strlen(space->conds[i].text) + 1);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
