/*
** Fuzz target: a `command =` line split into words as a shell would, and
** each word's {placeholders} expanded.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/cmdline.h"

static const char *lookup(void *ctx, const char *name)
{
    (void)ctx;
    if (strcmp(name, "x") == 0)
        return "a b'c;$(touch pwned)\"";
    return strcmp(name, "trial") == 0 ? "7" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);
    if (!line)
        return 0;
    memcpy(line, data, size);
    line[size] = '\0';
    char **words;
    char err[512];
    if (cmdline_split(line, &words, err, sizeof err) >= 0) {
        for (char **w = words; *w; w++)
            free(cmdline_expand(*w, lookup, NULL, err, sizeof err));
        cmdline_free(words);
    }
    free(line);
    return 0;
}
