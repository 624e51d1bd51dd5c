/*
** hpsearch: a hyperparameter search engine.  main sets the process-wide
** state (GSL's error handler, OpenBLAS's threads) before any thread starts
** and hands the command line to cli_main; it is the only place that ends
** the process.
*/
#include <signal.h>

#include <gsl/gsl_errno.h>

#include "cli.h"

#ifdef HP_HAVE_OPENBLAS
/* from OpenBLAS's cblas.h, which other CBLAS builds lack */
void openblas_set_num_threads(int num_threads);
#endif

int main(int argc, char **argv)
{
    /* `hpsearch run | head -1` must not die mid-trial: a closed pipe is a
       failed write, which the run survives (its children get SIGPIPE back) */
    signal(SIGPIPE, SIG_IGN);
    /* GSL's default handler aborts; every GSL status is checked instead */
    gsl_set_error_handler_off();
#ifdef HP_HAVE_OPENBLAS
    /* workers run in parallel already: OpenBLAS threads would fight them */
    openblas_set_num_threads(1);
#endif
    return cli_main(argc, argv);
}
