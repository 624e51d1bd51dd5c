#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Levenshtein distance, case-insensitive, capped at 64 characters. */
static int distance(const char *a, const char *b)
{
    int n = (int)strlen(a), m = (int)strlen(b);
    if (n > 64 || m > 64)
        return 1000;
    int prev[65], cur[65];
    for (int j = 0; j <= m; j++)
        prev[j] = j;
    for (int i = 1; i <= n; i++) {
        cur[0] = i;
        for (int j = 1; j <= m; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        memcpy(prev, cur, sizeof(int) * (size_t)(m + 1));
    }
    return prev[m];
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
