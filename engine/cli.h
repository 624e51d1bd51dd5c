/*
** The command line: a table of subcommands, each in its own cmd_<name>.c,
** and what they share (argument scanning, opening a study from a study
** file or a database, printing errors).  Commands return exit codes.
*/
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "storage.h"
#include "study.h"

#define HPSEARCH_VERSION "0.1.0"

typedef struct {
    const char *name;
    int (*fn)(int argc, char **argv);   /* argv[0] is the command name */
    const char *usage;                  /* shown by --help */
} hp_command;

/* Prints "hpsearch: MESSAGE" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the error of status CODE with message ERR and returns its exit code. */
int cli_fail(int code, const char *err);

/* Options of a command: NAME ("--study") with a value or a flag. */
typedef struct {
    const char *name;
    int takes_value;
    const char *value;  /* set by cli_parse: the value, or "1" for a flag */
} hp_option;

/* Splits argv[1..] into options (from OPTS) and positionals (stored in POS,
** at most MAX_POS).  A word starting with "--" (or "-o", "-h") is an option;
** anything else, "-1.5" included, is positional; "--" ends options.
** Returns 0, or prints an error and returns 2.  "--help" returns -1. */
int cli_parse(int argc, char **argv, hp_option *opts, int n_opts, const char **pos,
              int max_pos, int *n_pos);

/* Parses a positive integer option value; prints an error and returns -1. */
int cli_parse_count(const char *opt, const char *s, int64_t *out);

/* A study opened for reading or writing: from a study file (cfg set) or a
** database (cfg empty). */
typedef struct {
    int has_cfg;
    hp_study_config cfg;
    hp_store *store;
    hp_study_row study;
} hp_target;

/* Opens TARGET (a study file or an SQLite database) and finds the study
** (STUDY_NAME, else the file's name, else the database's only study).
** Returns an exit code (0 on success) after printing any error. */
int cli_open_target(const char *target, const char *study_name, hp_target *t);
void cli_close_target(hp_target *t);

/* For run and ask: loads the study file, opens (creating) its database and
** creates the study or checks that it matches the stored one.
** storage_override may be NULL.  Returns an exit code. */
int cli_prepare_study(const char *path, const char *storage_override, int64_t trials,
                      hp_target *t);

/* For a study whose sampler has a model (gp): fits it to the study's
** history and writes the parameters' importance, most important first, as
** "name 0.61, name2 0.39" into OUT.  Returns 0, or -1 when there is none
** (another sampler, too few trials) with OUT empty. */
int cli_importance(hp_target *t, hp_buf *out, int json);

/* Prints the usage of command NAME to OUT. */
void cli_usage(FILE *out, const char *name);

int cmd_run(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_best(int argc, char **argv);
int cmd_trials(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_ask(int argc, char **argv);
int cmd_tell(int argc, char **argv);
int cmd_studies(int argc, char **argv);

extern const hp_command cli_commands[];

#endif
