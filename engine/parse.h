/*
** Strict number and duration parsing for everything a user types: the
** study file, argv, a command's output.  Strict means the whole text is
** the number ("10x" and "" are errors), values out of range are errors
** (no silent ERANGE, no inf from "1e999"), and nothing depends on locale
** beyond strtod's.
*/
#ifndef HP_PARSE_H
#define HP_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* A base-10 integer filling all of S.  Returns 0, or -1 (empty, junk,
** out of range). */
int parse_int64(const char *s, int64_t *out);

/* A finite double filling all of S (no NaN, no infinity, no overflow, no
** underflow to zero from a non-zero text).  Returns 0 or -1. */
int parse_double(const char *s, double *out);

/* Like parse_double, but "nan" and "inf" are numbers too (a program that
** prints NaN has told its result; the outcome policy fails the trial). */
int parse_double_or_nan(const char *s, double *out);

/* The same for the N bytes at S (not NUL-terminated). */
int parse_double_n(const char *s, size_t n, double *out);
int parse_double_or_nan_n(const char *s, size_t n, double *out);

/* A non-negative integer (a step, a count) in the N bytes at S: digits
** only, at most 18 of them.  Returns 0 or -1. */
int parse_step_n(const char *s, size_t n, int64_t *out);

/* A duration: "90", "90s", "30m", "1.5h", "2d" into seconds (>= 0).
** Returns 0 or -1. */
int parse_duration(const char *s, double *seconds);

#endif
