/*
** The syntax of a condition, what follows "if" on a parameter's line: a
** conjunction ("and") of comparisons, each on one parent:
**   parent == v, !=, <, <=, >, >= (= is ==), parent in (a, b), not in (...).
** Values are words or quoted texts; a word that reads as a number is kept as
** one too, for range parents.
*/
#include "space.h"
#include "space_internals.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int space_valid_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return 0;
    for (; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_'))
            return 0;
    return 1;
}

typedef enum { TOK_END, TOK_WORD, TOK_QUOTED, TOK_OP, TOK_OPEN, TOK_CLOSE, TOK_COMMA } tok_kind;

typedef struct {
    const char *p;
    tok_kind kind;
    char text[256];
    hp_cond_op op;
} lexer;

static int lex(lexer *lx, char *err)
{
    while (isspace((unsigned char)*lx->p))
        lx->p++;
    const char *p = lx->p;
    size_t k = 0;
    lx->text[0] = '\0';
    if (!*p) {
        lx->kind = TOK_END;
        return 0;
    }
    if (*p == '(' || *p == ')' || *p == ',') {
        lx->kind = *p == '(' ? TOK_OPEN : *p == ')' ? TOK_CLOSE : TOK_COMMA;
        lx->text[0] = *p;
        lx->text[1] = '\0';
        lx->p++;
        return 0;
    }
    if (strchr("=!<>", *p)) {
        static const struct {
            const char *s;
            hp_cond_op op;
        } ops[] = {{"==", COND_EQ}, {"!=", COND_NE}, {"<=", COND_LE}, {">=", COND_GE},
                   {"<", COND_LT},  {">", COND_GT},  {"=", COND_EQ}};
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
            if (strncmp(p, ops[i].s, strlen(ops[i].s)) == 0) {
                lx->kind = TOK_OP;
                lx->op = ops[i].op;
                snprintf(lx->text, sizeof lx->text, "%s", ops[i].s);
                lx->p += strlen(ops[i].s);
                return 0;
            }
        snprintf(err, HP_ERR_LEN, "condition: '%c' is not a comparison (==, !=, <, <=, >, >=)",
                 *p);
        return -1;
    }
    if (*p == '"') {
        p++;
        while (*p && *p != '"') {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            if (k + 1 >= sizeof lx->text) {
                snprintf(err, HP_ERR_LEN, "condition: a value longer than %d characters",
                         (int)sizeof lx->text - 1);
                return -1;
            }
            lx->text[k++] = *p++;
        }
        if (*p != '"') {
            snprintf(err, HP_ERR_LEN, "condition: unterminated quote");
            return -1;
        }
        lx->text[k] = '\0';
        lx->kind = TOK_QUOTED;
        lx->p = p + 1;
        return 0;
    }
    while (*p && !isspace((unsigned char)*p) && !strchr("(),=!<>\"", *p)) {
        if (k + 1 >= sizeof lx->text) {
            snprintf(err, HP_ERR_LEN, "condition: a word longer than %d characters",
                     (int)sizeof lx->text - 1);
            return -1;
        }
        lx->text[k++] = *p++;
    }
    lx->text[k] = '\0';
    lx->kind = TOK_WORD;
    lx->p = p;
    return 0;
}

static double number_or_nan(const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    return *s && !*end && errno != ERANGE && isfinite(v) ? v : NAN;
}

static int add_value(hp_clause *c, const char *text, int quoted, char *err)
{
    char **v = realloc(c->values, sizeof(char *) * (size_t)(c->n_values + 1));
    if (v)
        c->values = v;
    int *q = realloc(c->quoted, sizeof(int) * (size_t)(c->n_values + 1));
    if (q)
        c->quoted = q;
    double *num = realloc(c->numbers, sizeof(double) * (size_t)(c->n_values + 1));
    if (num)
        c->numbers = num;
    char *copy = v && q && num ? strdup(text) : NULL;
    if (!copy) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    c->values[c->n_values] = copy;
    c->quoted[c->n_values] = quoted;
    c->numbers[c->n_values] = quoted ? NAN : number_or_nan(text);
    c->n_values++;
    return 0;
}

static void clause_free(hp_clause *c)
{
    free(c->parent_name);
    for (int i = 0; i < c->n_values; i++)
        free(c->values[i]);
    free(c->values);
    free(c->quoted);
    free(c->numbers);
    free(c->allowed);
}

void condition_free(hp_condition *cond)
{
    for (int i = 0; i < cond->n_clauses; i++)
        clause_free(&cond->clauses[i]);
    free(cond->clauses);
    free(cond->text);
    memset(cond, 0, sizeof *cond);
}

/* One value (a word or a quoted text) into C. */
static int parse_value(lexer *lx, hp_clause *c, char *err)
{
    if (lex(lx, err))
        return -1;
    if (lx->kind != TOK_WORD && lx->kind != TOK_QUOTED) {
        snprintf(err, HP_ERR_LEN, "condition: expected a value after '%s %s', got %s%s%s",
                 c->parent_name, c->op == COND_IN ? "in (" : "...",
                 lx->kind == TOK_END ? "the end" : "'", lx->text,
                 lx->kind == TOK_END ? "" : "'");
        return -1;
    }
    return add_value(c, lx->text, lx->kind == TOK_QUOTED, err);
}

static int parse_clause(lexer *lx, hp_clause *c, char *err)
{
    if (lex(lx, err))
        return -1;
    if (lx->kind != TOK_WORD || !space_valid_name(lx->text)) {
        snprintf(err, HP_ERR_LEN, "condition: expected a parameter's name, got %s%s%s",
                 lx->kind == TOK_END ? "the end" : "'", lx->text,
                 lx->kind == TOK_END ? "" : "'");
        return -1;
    }
    if (!(c->parent_name = strdup(lx->text))) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    if (lex(lx, err))
        return -1;
    if (lx->kind == TOK_OP) {
        c->op = lx->op;
        return parse_value(lx, c, err);
    }
    c->op = COND_IN;
    if (lx->kind == TOK_WORD && strcmp(lx->text, "not") == 0) {
        c->op = COND_NOT_IN;
        if (lex(lx, err))
            return -1;
    }
    if (lx->kind != TOK_WORD || strcmp(lx->text, "in") != 0) {
        snprintf(err, HP_ERR_LEN, "condition: expected ==, !=, <, <=, >, >=, in or not in "
                 "after '%s', got %s%s%s", c->parent_name, lx->kind == TOK_END ? "the end" : "'",
                 lx->text, lx->kind == TOK_END ? "" : "'");
        return -1;
    }
    if (lex(lx, err))
        return -1;
    if (lx->kind != TOK_OPEN) {
        snprintf(err, HP_ERR_LEN, "condition: '%s %s' takes a list in parentheses, like "
                 "%s in (a, b)", c->parent_name, c->op == COND_IN ? "in" : "not in",
                 c->parent_name);
        return -1;
    }
    for (;;) {
        if (parse_value(lx, c, err) || lex(lx, err))
            return -1;
        if (lx->kind == TOK_CLOSE)
            return 0;
        if (lx->kind != TOK_COMMA) {
            snprintf(err, HP_ERR_LEN, "condition: expected ',' or ')' in the list of '%s', "
                     "got %s%s%s", c->parent_name, lx->kind == TOK_END ? "the end" : "'",
                     lx->text, lx->kind == TOK_END ? "" : "'");
            return -1;
        }
    }
}

int condition_parse(const char *text, hp_condition *cond, char *err)
{
    memset(cond, 0, sizeof *cond);
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    cond->text = malloc(len + 1);
    if (!cond->text) {
        snprintf(err, HP_ERR_LEN, "out of memory");
        return -1;
    }
    memcpy(cond->text, text, len);
    cond->text[len] = '\0';
    if (len == 0) {
        snprintf(err, HP_ERR_LEN, "condition: nothing after 'if'");
        goto fail;
    }
    lexer lx = {cond->text, TOK_END, "", COND_EQ};
    for (;;) {
        hp_clause *nc = realloc(cond->clauses, sizeof(hp_clause) * (size_t)(cond->n_clauses + 1));
        if (!nc) {
            snprintf(err, HP_ERR_LEN, "out of memory");
            goto fail;
        }
        cond->clauses = nc;
        hp_clause *c = &cond->clauses[cond->n_clauses++];
        memset(c, 0, sizeof *c);
        c->parent = -1;
        if (parse_clause(&lx, c, err) || lex(&lx, err))
            goto fail;
        if (lx.kind == TOK_END)
            return 0;
        if (lx.kind == TOK_WORD && strcmp(lx.text, "and") == 0)
            continue;
        if (lx.kind == TOK_WORD && strcmp(lx.text, "or") == 0)
            snprintf(err, HP_ERR_LEN, "condition: 'or' is not supported; for values of one "
                     "parameter write %s in (a, b)", c->parent_name);
        else
            snprintf(err, HP_ERR_LEN, "condition: expected 'and' or the end after the "
                     "comparison on '%s', got '%s'", c->parent_name, lx.text);
        goto fail;
    }
fail:
    condition_free(cond);
    return -1;
}
