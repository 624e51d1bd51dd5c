#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Edit distance with adjacent transpositions ("rnu" is one edit from
** "run"), case-insensitive, capped at 64 characters. */
static int distance(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n > 64 || m > 64)
        return 1000;
    int d[65][65];
    for (int i = 0; i <= n; i++)
        d[i][0] = i;
    for (int j = 0; j <= m; j++)
        d[0][j] = j;
    for (int i = 1; i <= n; i++)
        for (int j = 1; j <= m; j++) {
            int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ai != bj);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == bj && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

const char *suggest_closest(const char *word, const char *const *candidates)
{
    if (!word || !candidates)
        return NULL;
    int len = (int)strlen(word);
    int limit = len <= 4 ? 1 : len / 3 + 1;
    const char *best = NULL;
    int best_d = limit + 1;
    for (int i = 0; candidates[i]; i++) {
        int d = distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}

const char *suggest_hint(const char *word, const char *const *candidates, char *buf,
                         int len)
{
    const char *s = suggest_closest(word, candidates);
    if (s)
        snprintf(buf, (size_t)len, " (did you mean '%s'?)", s);
    else if (len > 0)
        buf[0] = '\0';
    return buf;
}
