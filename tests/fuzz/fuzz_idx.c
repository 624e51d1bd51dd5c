/*
** Fuzz target: the IDX loader, plain and gzip'd.  The input is split into
** an images file and a labels file; its first byte chooses where and which
** of them are compressed.
*/
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <zlib.h>

#include "../../model/dataset.h"

static int write_file(const char *path, const uint8_t *data, size_t n, int gzip)
{
    if (gzip) {
        gzFile g = gzopen(path, "wb");
        if (!g)
            return -1;
        if (n)
            gzwrite(g, data, (unsigned)n);
        return gzclose(g) == Z_OK ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    fwrite(data, 1, n, f);
    return fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint8_t how = data[0];
    data++;
    size--;
    size_t cut = size * (how & 63) / 63;
    char images[64], labels[64];
    snprintf(images, sizeof images, "/tmp/hpsearch-fuzz-%d-images", (int)getpid());
    snprintf(labels, sizeof labels, "/tmp/hpsearch-fuzz-%d-labels", (int)getpid());
    if (write_file(images, data, cut, how & 64) == 0 &&
        write_file(labels, data + cut, size - cut, how & 128) == 0) {
        hp_dataset *ds;
        char err[HP_MODEL_ERR_LEN];
        if (dataset_load_idx(images, labels, &ds, err) == 0) {
            hp_split split;
            if (dataset_split(ds, 0.2, 0.2, 1, &split, err) == 0) {
                dataset_standardize(ds, &split);
                split_deinit(&split);
            }
            dataset_free(ds);
        }
    }
    unlink(images);
    unlink(labels);
    return 0;
}
