/*
** Fuzz target: the study-file reader and its validation (every section,
** every objective kind's keys, the search space), from text in memory.
** Anything may be refused; nothing may crash, leak or read out of bounds.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../engine/study.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    hp_study_config cfg;
    char err[HP_ERR_LEN];
    if (study_load_text("fuzz/study.ini", text, 2, &cfg, err) == 0) {
        study_apply_overrides(&cfg, 3, 0, NULL, err);
        study_deinit(&cfg);
    }
    free(text);
    return 0;
}
