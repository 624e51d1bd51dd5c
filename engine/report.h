/*
** hpsearch report: one self-contained HTML page of a study (summary,
** history, importance, slices, parallel coordinates, contour, learning
** curves, timeline, failures), written whole or not at all.  No server,
** no network: a Content-Security-Policy forbids every remote load, charts
** are inline SVG, and the only script says how old the page is.
*/
#ifndef HP_REPORT_H
#define HP_REPORT_H

#include "storage.h"

/* Writes the report of STUDY in STORE to PATH (atomically: a temporary
** file beside it, then a rename).  REFRESH > 0 makes the page reload itself
** every REFRESH seconds (for --watch).  Returns HP_OK or a status with err. */
int report_write(hp_store *store, const hp_study_row *study, const char *path, int refresh,
                 char *err);

#endif
