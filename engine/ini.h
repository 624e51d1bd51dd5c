/*
** A small INI reader that keeps the line of every key, so every error in a
** study file can name FILE:LINE.  Written here rather than taken from inih:
** Debian's libinih is built without line numbers in its handler, and its
** inline-comment rule would cut a quoted value such as choice("a ;b").
**
** Syntax: [section] headers; key = value; comments start with ';' or '#'
** at the start of a line, or after whitespace outside double quotes.
*/
#ifndef HP_INI_H
#define HP_INI_H

typedef struct {
    char *section;  /* lowercase as written */
    char *key;
    char *value;    /* trimmed, inline comment removed, quotes kept */
    int line;       /* 1-based */
} hp_ini_entry;

typedef struct {
    char *name;
    int line;
} hp_ini_section;

typedef struct {
    char *path;             /* as given */
    char *text;             /* whole file, for storing with the study */
    hp_ini_entry *entries;  /* in file order */
    int n_entries, cap_entries;
    hp_ini_section *sections;
    int n_sections, cap_sections;
    struct hp_name_index *index;  /* "section\037key" -> entry: O(1) look-ups */
} hp_ini;

/* Reads PATH into INI.  Returns 0, or -1 with "PATH:LINE: message" (or
** "PATH: message") in err; INI is then empty.  Duplicate keys within a
** section and keys before the first section are errors. */
int ini_load(const char *path, hp_ini *ini, char *err, int err_len);

/* The same for TEXT already in memory (PATH names it in messages). */
int ini_load_text(const char *path, const char *text, hp_ini *ini, char *err, int err_len);
void ini_deinit(hp_ini *ini);

/* The entry for SECTION/KEY, or NULL. */
const hp_ini_entry *ini_get(const hp_ini *ini, const char *section,
                            const char *key);

/* Writes "PATH:LINE: message" (or "PATH: message" when LINE is 0) into
** ERR (HP_ERR_LEN bytes) and returns -1 (HP_EINPUT): how every error about a
** study file reads. */
int ini_fail(char *err, const char *path, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The line of the first [SECTION] header, or 0 if absent. */
int ini_section_line(const hp_ini *ini, const char *section);

#endif
