#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int parse_int64(const char *s, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (!*s || isspace((unsigned char)*s) || *end || errno)
        return -1;
    *out = v;
    return 0;
}

int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || isspace((unsigned char)*s) || *end || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int parse_double_or_nan(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || isspace((unsigned char)*s) || *end || (errno == ERANGE && isfinite(v)) ||
        (errno == ERANGE && !isinf(v)))
        return -1;
    if (errno == ERANGE) /* "1e999": overflow is not what the text says */
        return -1;
    *out = v;
    return 0;
}

static int with_copy(const char *s, size_t n, double *out, int (*fn)(const char *, double *))
{
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return fn(tmp, out);
}

int parse_double_n(const char *s, size_t n, double *out)
{
    return with_copy(s, n, out, parse_double);
}

int parse_double_or_nan_n(const char *s, size_t n, double *out)
{
    return with_copy(s, n, out, parse_double_or_nan);
}

int parse_step_n(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int parse_duration(const char *s, double *seconds)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    double unit = 1;
    if (*end == 's')
        unit = 1;
    else if (*end == 'm')
        unit = 60;
    else if (*end == 'h')
        unit = 3600;
    else if (*end == 'd')
        unit = 86400;
    else if (*end)
        return -1;
    if (*end && end[1])
        return -1;
    *seconds = v * unit;
    return isfinite(*seconds) ? 0 : -1;
}
