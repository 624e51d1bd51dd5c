/*
** The command line, as git's builtins do it: a table of subcommands, each
** a cmd_<name>.c, whose entries carry their option spec, their positional
** arguments and flags saying what setup they need (a study file loaded
** once with the command line's overrides applied; a study or database
** opened for reading).  cli_main parses, checks and sets up once for all
** of them; commands read options by name and return an hp_status.
*/
#ifndef HP_CLI_H
#define HP_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "target.h"

#define HPSEARCH_VERSION "0.2.0"

/* One option of a command. */
typedef struct {
    const char *name;    /* "--study"; "-o" style short names too */
    const char *arg;     /* "NAME" for an option with a value, NULL for a flag */
    const char *help;    /* what it does, for --help */
} hp_option_spec;

#define CLI_MAX_OPTIONS 12
#define CLI_MAX_POS 3

/* The parsed command line of one command. */
typedef struct {
    const char *command;
    const char *pos[CLI_MAX_POS];
    int n_pos;
    const hp_option_spec *specs;
    const char *values[CLI_MAX_OPTIONS];  /* per spec: the value, "1" for a flag */
} hp_args;

/* The value of option NAME ("--study"), or NULL when not given. */
const char *args_get(const hp_args *a, const char *name);

/* Parses option NAME as a positive integer into *out (untouched when the
** option is absent).  Returns HP_OK, or HP_EINPUT with err. */
int args_count(const hp_args *a, const char *name, int64_t max, int64_t *out, char *err);

/* Setup flags of a command. */
enum {
    CMD_LOAD_STUDY = 1,   /* pos[0] is a study file: parse it into t->cfg */
    CMD_OPEN_STUDY = 2,   /* and open (create) its storage and study */
    CMD_OPEN_TARGET = 4   /* pos[0] is a study file or a database: open it
                             for reading (--study picks the study) */
};

typedef struct {
    const char *name;
    int (*fn)(const hp_args *a, hp_target *t, char *err);
    int flags;
    int min_pos, max_pos;
    const hp_option_spec *options;   /* NULL-named end */
    const char *forms;               /* every form of the command, one a line */
    const char *summary;             /* what it does */
} hp_command;

/* Parses the words of command NAME (ARGV[0] is NAME) by its option spec,
** without any setup.  Returns HP_OK, HP_EINPUT with err, or 1 when --help
** was asked (its usage printed).  For tests and fuzzing. */
int cli_parse_command(const char *name, int argc, char **argv, hp_args *a, char *err);

/* tell's arguments: the trial NUMBER, --step N and the VALUE (NaN and
** infinities are values; what does not fit a double is not).  Returns
** HP_OK or HP_EINPUT with err. */
int tell_parse(const hp_args *a, int64_t *number, int64_t *step, double *value, char *err);

/* The same for a study of several objectives: VALUE may be a comma-separated
** list of at most MAX_VALUES numbers, into VALUES (*N_VALUES of them). */
int tell_parse_values(const hp_args *a, int64_t *number, int64_t *step, double *values,
                      int max_values, int *n_values, char *err);

/* Runs the command line ARGV (argv[0] the program).  Returns the exit
** code; prints errors as "hpsearch: message". */
int cli_main(int argc, char **argv);

/* Prints "hpsearch: MESSAGE" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int cmd_run(const hp_args *a, hp_target *t, char *err);
int cmd_status(const hp_args *a, hp_target *t, char *err);
int cmd_best(const hp_args *a, hp_target *t, char *err);
int cmd_trials(const hp_args *a, hp_target *t, char *err);
int cmd_export(const hp_args *a, hp_target *t, char *err);
int cmd_ask(const hp_args *a, hp_target *t, char *err);
int cmd_tell(const hp_args *a, hp_target *t, char *err);
int cmd_studies(const hp_args *a, hp_target *t, char *err);
int cmd_report(const hp_args *a, hp_target *t, char *err);
int cmd_copy(const hp_args *a, hp_target *t, char *err);

#endif
