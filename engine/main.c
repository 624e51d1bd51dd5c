/*
** hpsearch: a hyperparameter search engine.  main dispatches to one
** function per subcommand (see cli.c) and turns its result into the exit
** code; it is the only place that ends the process.
*/
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

#ifdef HP_HAVE_OPENBLAS
/* from OpenBLAS's cblas.h, which other CBLAS builds lack */
void openblas_set_num_threads(int num_threads);
#endif

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; every GSL status is checked instead */
    gsl_set_error_handler_off();
#ifdef HP_HAVE_OPENBLAS
    /* workers run in parallel already: OpenBLAS threads would fight them */
    openblas_set_num_threads(1);
#endif
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        if (argc >= 3 && strcmp(argv[1], "help") == 0) {
            cli_usage(stdout, argv[2]);
            return 0;
        }
        cli_usage(argc < 2 ? stderr : stdout, NULL);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hpsearch %s\n", HPSEARCH_VERSION);
        return 0;
    }
    for (const hp_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, argv[1]) == 0) {
            int code = c->fn(argc - 1, argv + 1);
            if (fflush(stdout) != 0 && code == 0) {
                cli_error("cannot write the output");
                code = 1;
            }
            return code;
        }
    cli_error("unknown command '%s'; see 'hpsearch --help'", argv[1]);
    return 2;
}
