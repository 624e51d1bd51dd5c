/*
** A growable text buffer for building JSON, CSV and messages.  Allocation
** failure is sticky: appends become no-ops and buf_ok reports it, so
** callers check once at the end.
*/
#ifndef HP_BUF_H
#define HP_BUF_H

#include <stddef.h>

typedef struct {
    char *data;   /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
    int oom;      /* 1 once an allocation failed */
} hp_buf;

void buf_init(hp_buf *b);
void buf_deinit(hp_buf *b);
void buf_reset(hp_buf *b);                 /* len = 0, keeps memory */
int buf_ok(const hp_buf *b);               /* 1 unless an append failed */
void buf_append(hp_buf *b, const char *s, size_t n);
void buf_puts(hp_buf *b, const char *s);
void buf_printf(hp_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_json_string(hp_buf *b, const char *s);  /* quoted and escaped */
void buf_json_number(hp_buf *b, double v);       /* null for NaN/Inf */
void buf_number(hp_buf *b, double v);            /* shortest round-trip form */
/* The same into TEXT; returns it. */
const char *buf_number_text(double v, char *text, int len);
void buf_csv_field(hp_buf *b, const char *s);    /* quoted when needed */
/* Makes room for NEED items of SIZE bytes in the array *ITEMS of capacity
** *CAP, doubling it (from 16) when it grows; the old array stays valid when
** allocation fails.  Returns 0, or -1 when out of memory.  The one way the
** engine grows an array. */
int buf_grow_array(void *items, int *cap, int need, size_t size);

/* Returns the text ("" if empty); valid until the next append. */
const char *buf_str(hp_buf *b);

#endif
