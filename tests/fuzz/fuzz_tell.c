/*
** Fuzz target: tell's command line: the input's lines are the words after
** "tell", parsed by tell's option spec and then as tell's arguments.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *argv[34];
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    int argc = 0;
    argv[argc++] = "tell";
    for (char *w = text; argc < 33 && w;) {
        char *nl = strchr(w, '\n');
        if (nl)
            *nl = '\0';
        argv[argc++] = w;
        w = nl ? nl + 1 : NULL;
    }
    argv[argc] = NULL;
    hp_args a;
    char err[HP_ERR_LEN];
    /* --help prints the usage: keep the fuzzer's output readable */
    int has_help = 0;
    for (int i = 1; i < argc; i++)
        has_help |= strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
    if (!has_help && cli_parse_command("tell", argc, argv, &a, err) == HP_OK) {
        int64_t number, step;
        double value;
        tell_parse(&a, &number, &step, &value, err);
    }
    free(text);
    return 0;
}
