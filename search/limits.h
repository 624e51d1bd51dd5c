/*
** Limits with names, in one leaf header (as Lua keeps luaconf.h): every
** module that sizes a buffer for one of these takes the size from here,
** and every limit is checked where input enters (the study file, argv, a
** command's output), never discovered later by a buffer that is too short.
*/
#ifndef HP_LIMITS_H
#define HP_LIMITS_H

/* Bytes of an error message buffer, terminating NUL included.  Every
** fallible call of search/, model/ and engine/ takes a char err[HP_ERR_LEN]. */
#define HP_ERR_LEN 512

/* Longest metric or parameter name, in bytes (without the NUL).  Checked
** when the study file is read and when a command reports a metric. */
#define HP_NAME_MAX 63

/* The most objectives of a multi-objective study. */
#define HP_MAX_OBJECTIVES 3

/* Longest study name, in bytes. */
#define HP_STUDY_NAME_MAX 200

#endif
