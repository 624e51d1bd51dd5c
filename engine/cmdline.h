/*
** Command templates: a `command = ...` line split into argv as a POSIX
** shell would split it (quotes and backslashes respected), without ever
** running a shell, and {placeholder} substitution per word, so a value with
** spaces, quotes, ';' or $(...) reaches the program as one verbatim word.
*/
#ifndef HP_CMDLINE_H
#define HP_CMDLINE_H

/* Splits LINE into words.  Single quotes keep everything; double quotes keep
** everything but \" \\ \$ \` escapes; a backslash outside quotes escapes the
** next character.  Returns the word count, or -1 with err (an unterminated
** quote, shell syntax we do not run such as a pipe).  *words is a NULL-
** terminated array of heap strings; free with cmdline_free. */
int cmdline_split(const char *line, char ***words, char *err, int err_len);
void cmdline_free(char **words);

/* Looks up a placeholder NAME; returns its text or NULL if unknown. */
typedef const char *(*cmdline_lookup_fn)(void *ctx, const char *name);

/* Replaces {name} in WORD by LOOKUP's text; "{{" and "}}" give braces.
** Returns a heap string, or NULL with err (an unknown or unclosed
** placeholder, out of memory). */
char *cmdline_expand(const char *word, cmdline_lookup_fn lookup, void *ctx, char *err,
                     int err_len);

#endif
