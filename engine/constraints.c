/*
** Parsing and checking a study's constraints.
*/
#include "constraints.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int constraints_parse(const char *text, hp_constraints *out, char *err)
{
    memset(out, 0, sizeof *out);
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    if (!*p)
        return 0;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        const char *name = p;
        while (*p && !isspace((unsigned char)*p) && !strchr("<>=,", *p))
            p++;
        size_t len = (size_t)(p - name);
        while (isspace((unsigned char)*p))
            p++;
        if (len == 0 || len > HP_NAME_MAX) {
            snprintf(err, HP_ERR_LEN, "constraint: expected a metric's name, like "
                     "n_params <= 100000, in '%s'", text);
            return -1;
        }
        hp_constraint_op op;
        if (p[0] == '<' && p[1] == '=')
            op = CONSTRAINT_LE, p += 2;
        else if (p[0] == '>' && p[1] == '=')
            op = CONSTRAINT_GE, p += 2;
        else if (p[0] == '<')
            op = CONSTRAINT_LT, p += 1;
        else if (p[0] == '>')
            op = CONSTRAINT_GT, p += 1;
        else {
            snprintf(err, HP_ERR_LEN, "constraint: '%.*s' needs <=, <, >= or > and a number",
                     (int)len, name);
            return -1;
        }
        char *end;
        errno = 0;
        double bound = strtod(p, &end);
        if (end == p || errno == ERANGE || !isfinite(bound)) {
            snprintf(err, HP_ERR_LEN, "constraint: '%.*s' is compared with something that is "
                     "not a number", (int)len, name);
            return -1;
        }
        p = end;
        while (isspace((unsigned char)*p))
            p++;
        if (*p && *p != ',') {
            snprintf(err, HP_ERR_LEN, "constraint: unexpected '%s' after the bound of '%.*s' "
                     "(separate constraints with commas)", p, (int)len, name);
            return -1;
        }
        if (out->n == HP_MAX_CONSTRAINTS) {
            snprintf(err, HP_ERR_LEN, "constraint: at most %d", HP_MAX_CONSTRAINTS);
            return -1;
        }
        memcpy(out->names[out->n], name, len);
        out->names[out->n][len] = '\0';
        out->op[out->n] = op;
        out->bound[out->n] = bound;
        out->n++;
        if (!*p)
            return 0;
        p++;
    }
}

double constraints_violation(const hp_constraints *c, const double *values)
{
    double total = 0;
    for (int i = 0; i < c->n; i++) {
        double v = values[i], b = c->bound[i];
        if (isnan(v))
            return INFINITY;
        int holds = c->op[i] == CONSTRAINT_LE   ? v <= b
                    : c->op[i] == CONSTRAINT_LT ? v < b
                    : c->op[i] == CONSTRAINT_GE ? v >= b
                                                : v > b;
        /* at the bound of a strict one: broken, by the least amount */
        double d = fabs(v - b);
        if (!holds)
            total += (d > 0 ? d : 1e-12) / fmax(1, fabs(b));
    }
    return total;
}
