/*
** Escaping for the report's HTML: every string that comes from a user (a
** study name, a parameter value, a failure's text) reaches the page only
** through these, so none can close a tag, open a script or leave an
** attribute.
*/
#ifndef HP_HTML_H
#define HP_HTML_H

#include "buf.h"

/* Appends S as element text: & < > " ' escaped; control characters other
** than tab and newline dropped. */
void html_text(hp_buf *b, const char *s);

/* Appends S for a double-quoted attribute value (the same escapes). */
void html_attr(hp_buf *b, const char *s);

#endif
