/*
** A name -> number index (open addressing, FNV-1a), so that looking up a
** parameter or a study-file key is O(1): a study file of 200,000 lines
** parses in linear time.  Keys are copied.  Optionally case-insensitive.
*/
#ifndef HP_NAME_INDEX_H
#define HP_NAME_INDEX_H

typedef struct hp_name_index hp_name_index;

/* An empty index, comparing names exactly or, with FOLD_CASE, ignoring
** ASCII case.  NULL when out of memory. */
hp_name_index *name_index_new(int fold_case);
void name_index_free(hp_name_index *ix);

/* Maps NAME to VALUE (>= 0), replacing an earlier value.  Returns 0, or -1
** when out of memory. */
int name_index_put(hp_name_index *ix, const char *name, int value);

/* The value of NAME, or -1. */
int name_index_get(const hp_name_index *ix, const char *name);

#endif
