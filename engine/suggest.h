/*
** "Did you mean": the closest of a list of known words to a mistyped one,
** by edit distance, for messages about unknown commands, keys, options.
*/
#ifndef HP_SUGGEST_H
#define HP_SUGGEST_H

/* The word of CANDIDATES (NULL-terminated) closest to WORD, if it is close
** enough to be a typo (distance at most 1 for short words, a third of the
** length for longer ones), else NULL. */
const char *suggest_closest(const char *word, const char *const *candidates);

/* Writes " (did you mean 'X'?)" into BUF when there is a close word, else
** "".  Returns BUF. */
const char *suggest_hint(const char *word, const char *const *candidates, char *buf,
                         int len);

#endif
