/*
** Parsing a study's objectives.
*/
#include "objectives.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Splits LIST at commas into trimmed items of at most HP_NAME_MAX bytes.
** Returns the count, or -1 with err (an empty item, too long, too many). */
static int split(const char *list, const char *what, char items[][HP_NAME_MAX + 1], char *err)
{
    int n = 0;
    const char *p = list;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        const char *end = p;
        while (*end && *end != ',')
            end++;
        size_t len = (size_t)(end - p);
        while (len > 0 && isspace((unsigned char)p[len - 1]))
            len--;
        if (len == 0) {
            snprintf(err, HP_ERR_LEN, "an empty item in the %s list '%s'", what, list);
            return -1;
        }
        if (n == HP_MAX_OBJECTIVES) {
            snprintf(err, HP_ERR_LEN, "more than %d items in the %s list '%s' (a study "
                     "has at most %d objectives)", HP_MAX_OBJECTIVES, what, list,
                     HP_MAX_OBJECTIVES);
            return -1;
        }
        if (len > HP_NAME_MAX) {
            snprintf(err, HP_ERR_LEN, "the %s name '%.20s...' is longer than %d characters",
                     what, p, HP_NAME_MAX);
            return -1;
        }
        memcpy(items[n], p, len);
        items[n][len] = '\0';
        n++;
        if (!*end)
            return n;
        p = end + 1;
    }
}

int objectives_parse(const char *metric, const char *direction, hp_objectives *out, int *which,
                     char *err)
{
    memset(out, 0, sizeof *out);
    *which = 0;
    out->n = split(metric, "metric", out->names, err);
    if (out->n < 0)
        return -1;
    for (int i = 0; i < out->n; i++)
        for (int j = 0; j < i; j++)
            if (strcmp(out->names[i], out->names[j]) == 0) {
                snprintf(err, HP_ERR_LEN, "metric '%s' is listed twice", out->names[i]);
                return -1;
            }
    *which = 1;
    char dirs[HP_MAX_OBJECTIVES][HP_NAME_MAX + 1];
    int nd = split(direction, "direction", dirs, err);
    if (nd < 0)
        return -1;
    for (int i = 0; i < nd && i < HP_MAX_OBJECTIVES; i++) {
        if (strcmp(dirs[i], "minimize") == 0) {
            out->maximize[i] = 0;
        } else if (strcmp(dirs[i], "maximize") == 0) {
            out->maximize[i] = 1;
        } else {
            snprintf(err, HP_ERR_LEN, "direction must be minimize or maximize, got '%s'",
                     dirs[i]);
            return -1;
        }
    }
    if (nd != out->n) {
        snprintf(err, HP_ERR_LEN, "%d metrics (%s) need %d directions, one per metric, "
                 "got %d ('%s')", out->n, metric, out->n, nd, direction);
        return -1;
    }
    return 0;
}

void objectives_metric_text(const hp_objectives *o, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < o->n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "", o->names[i]);
}

void objectives_direction_text(const hp_objectives *o, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < o->n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
                               o->maximize[i] ? "maximize" : "minimize");
}

void objectives_to_min(const hp_objectives *o, const double *values, double *out)
{
    for (int i = 0; i < o->n; i++)
        out[i] = o->maximize[i] ? -values[i] : values[i];
}
