/*
** The few file-system acts the engine needs beyond stdio: folders made and
** removed whole, and a file written whole or not at all.
*/
#ifndef HP_FILES_H
#define HP_FILES_H

#include <stdio.h>

/* Makes folder PATH and its missing parents.  Returns 0, or -1 (errno). */
int files_make_dirs(const char *path);

/* Removes PATH and everything under it (nothing if absent).  Returns 0 or
** -1 (errno). */
int files_remove_tree(const char *path);

/* REL resolved against the folder of the file BASE (REL itself when it is
** absolute), on the heap; NULL when out of memory. */
char *files_resolve(const char *base, const char *rel);

/* Opens a new temporary file beside PATH for writing, created exclusively
** (never a planted file or link) with the permissions fopen would give;
** *tmp gets its name (heap), to rename over PATH once written whole.
** NULL with errno when it cannot. */
FILE *files_open_beside(const char *path, char **tmp);

/* The folder part of PATH ("." when it has none) into OUT. */
void files_dirname(const char *path, char *out, int len);

#endif
