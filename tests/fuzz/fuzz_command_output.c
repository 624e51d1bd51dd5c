/*
** Fuzz target: the command objective's output protocol parser, fed in
** chunks whose sizes the input's first byte chooses (lines split across
** reads), then finished and asked for its result.
*/
#include <stdint.h>
#include <string.h>

#include "../../engine/command_output.h"

static int report(void *ctx, int64_t step, const char *name, double value)
{
    (void)name;
    (void)value;
    int *n = ctx;
    return step < 0 || ++*n > 1000; /* steps are never negative */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t chunk = (size_t)data[0] % 17 + 1;
    int reports = 0;
    hp_output_parser *p = output_parser_new("val_loss", report, &reports);
    if (!p)
        return 0;
    for (size_t i = 1; i < size; i += chunk)
        output_parser_feed(p, (const char *)data + i, i + chunk <= size ? chunk : size - i);
    output_parser_finish(p);
    double v;
    hp_outcome out;
    memset(&out, 0, sizeof out);
    char why[HP_ERR_LEN];
    output_parser_result(p, &v, &out, why, sizeof why);
    output_parser_free(p);
    return 0;
}
