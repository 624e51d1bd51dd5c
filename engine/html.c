#include "html.h"

void html_text(hp_buf *b, const char *s)
{
    if (!s)
        return;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '&': buf_puts(b, "&amp;"); break;
        case '<': buf_puts(b, "&lt;"); break;
        case '>': buf_puts(b, "&gt;"); break;
        case '"': buf_puts(b, "&quot;"); break;
        case '\'': buf_puts(b, "&#39;"); break;
        default:
            if (*p >= 0x20 || *p == '\t' || *p == '\n')
                buf_append(b, (const char *)p, 1);
        }
    }
}

void html_attr(hp_buf *b, const char *s)
{
    html_text(b, s);
}
