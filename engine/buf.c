#include "buf.h"

#include "../search/space.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(hp_buf *b) { memset(b, 0, sizeof *b); }

void buf_deinit(hp_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

void buf_reset(hp_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int buf_ok(const hp_buf *b) { return !b->oom; }

static int reserve(hp_buf *b, size_t extra)
{
    if (b->oom)
        return -1;
    if (b->len + extra + 1 <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_grow_array(void *items, int *cap, int need, size_t size)
{
    void **p = items;
    if (need <= *cap)
        return 0;
    int nc = *cap > 0 ? *cap : 16;
    while (nc < need) {
        if (nc > INT_MAX / 2)
            return -1;
        nc *= 2;
    }
    if ((size_t)nc > SIZE_MAX / (size ? size : 1))
        return -1;
    void *grown = realloc(*p, (size_t)nc * size);
    if (!grown)
        return -1;
    *p = grown;
    *cap = nc;
    return 0;
}

void buf_append(hp_buf *b, const char *s, size_t n)
{
    if (reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(hp_buf *b, const char *s) { buf_append(b, s, strlen(s)); }

void buf_printf(hp_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void buf_json_string(hp_buf *b, const char *s)
{
    buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': buf_append(b, "\\\"", 2); break;
        case '\\': buf_append(b, "\\\\", 2); break;
        case '\n': buf_append(b, "\\n", 2); break;
        case '\r': buf_append(b, "\\r", 2); break;
        case '\t': buf_append(b, "\\t", 2); break;
        default:
            if (*p < 0x20)
                buf_printf(b, "\\u%04x", *p);
            else
                buf_append(b, (const char *)p, 1);
        }
    }
    buf_append(b, "\"", 1);
}

void buf_json_number(hp_buf *b, double v)
{
    if (!isfinite(v))
        buf_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        buf_printf(b, "%.0f", v);
    else
        buf_number(b, v);
}

const char *buf_number_text(double v, char *text, int len)
{
    return space_format_number(v, text, len);
}

void buf_number(hp_buf *b, double v)
{
    char text[40];
    buf_puts(b, space_format_number(v, text, sizeof text));
}

void buf_csv_field(hp_buf *b, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        buf_puts(b, s);
        return;
    }
    buf_append(b, "\"", 1);
    for (; *s; s++) {
        if (*s == '"')
            buf_append(b, "\"", 1);
        buf_append(b, s, 1);
    }
    buf_append(b, "\"", 1);
}

const char *buf_str(hp_buf *b) { return b->data && !b->oom ? b->data : ""; }
