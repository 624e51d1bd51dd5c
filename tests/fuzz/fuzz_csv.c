/*
** Fuzz target: the CSV loader (as classification and as regression), and
** the split and standardisation of what it loads.
*/
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "../../model/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/hpsearch-fuzz-%d.csv", (int)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    char err[HP_MODEL_ERR_LEN];
    for (int classification = 0; classification <= 1; classification++) {
        hp_dataset *ds;
        if (dataset_load_csv(path, NULL, classification, &ds, err) != 0)
            continue;
        hp_split split;
        if (dataset_split(ds, 0.2, 0.2, 1, &split, err) == 0) {
            dataset_standardize(ds, &split);
            split_deinit(&split);
        }
        dataset_free(ds);
    }
    unlink(path);
    return 0;
}
