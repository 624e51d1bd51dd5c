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
