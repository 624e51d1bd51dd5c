#include "error.h"

const char *hp_strerror(int code)
{
    switch (code) {
#define X(c, value, exit_code, msg) case c: return msg;
        HP_ERRNO_MAP(X)
#undef X
    }
    return "unknown error";
}

int hp_exit_code(int code)
{
    switch (code) {
#define X(c, value, exit_code, msg) case c: return exit_code;
        HP_ERRNO_MAP(X)
#undef X
    }
    return 1;
}

void hp_print_exit_codes(FILE *out)
{
    /* the map lists exit codes in increasing order; the first code of each
       exit value carries its meaning */
    int last = -1;
#define X(c, value, exit_code, msg)                          \
    if (exit_code != last) {                                 \
        fprintf(out, "  %3d  %s\n", exit_code, msg);         \
        last = exit_code;                                    \
    }
    HP_ERRNO_MAP(X)
#undef X
}
