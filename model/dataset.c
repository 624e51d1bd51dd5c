/*
** CSV loading, stratified splits and standardisation.  The file is read
** line by line; cells are split on commas (double quotes may enclose a
** cell).  Features must be numbers; the label column may be text.
*/
#include "dataset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "rng.h"

#define MAX_COLUMNS 100000

void dataset_free(hp_dataset *ds)
{
    if (!ds)
        return;
    free(ds->x);
    free(ds->label);
    free(ds->target);
    if (ds->class_names)
        for (int c = 0; c < ds->n_classes; c++)
            free(ds->class_names[c]);
    free(ds->class_names);
    free(ds);
}

/* Splits LINE in place into cells; returns the count (or -1 if too many). */
static int split_cells(char *line, char **cells, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '"') {
            char *w = ++p;
            cells[n++] = w;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
            char *end = w;
            while (*p && *p != ',')
                p++;
            *end = '\0';
        } else {
            cells[n++] = p;
            while (*p && *p != ',')
                p++;
        }
        if (*p != ',') {
            *p = '\0';
            break;
        }
        *p++ = '\0';
    }
    for (int i = 0; i < n; i++) { /* trim */
        char *c = cells[i];
        size_t len = strlen(c);
        while (len > 0 && isspace((unsigned char)c[len - 1]))
            c[--len] = '\0';
    }
    return n;
}

/* A cell as a float: 0, or -1 when it is not a number, -2 when it is NaN
** or infinite, -3 when it does not fit a float (1e39 is finite as a double
** and infinite as a float: a whole column would silently become NaN). */
static int parse_float(const char *s, float *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end)
        return -1;
    if (isnan(v) || (isinf(v) && errno != ERANGE))
        return -2;
    if (errno == ERANGE && (isinf(v) || v != 0))
        return -3;
    float f = (float)v;
    if (isinf(f))
        return -3;
    *out = f;
    return 0;
}

/* Why a cell was refused, for messages. */
static const char *float_problem(int code)
{
    return code == -2 ? "is not a finite number"
           : code == -3 ? "does not fit a 32-bit float (at most about 3.4e38)"
                        : "is not a number";
}

/* Reads a whole line of any length into *buf; returns its length or -1 at EOF. */
static long read_line(FILE *f, char **buf, size_t *cap)
{
    size_t len = 0;
    int c;
    while ((c = fgetc(f)) != EOF) {
        if (len + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 4096;
            char *nb = realloc(*buf, nc);
            if (!nb)
                return -2;
            *buf = nb;
            *cap = nc;
        }
        if (c == '\n')
            break;
        (*buf)[len++] = (char)c;
    }
    if (c == EOF && len == 0)
        return -1;
    if (len > 0 && (*buf)[len - 1] == '\r')
        len--;
    (*buf)[len] = '\0';
    return (long)len;
}

typedef struct {
    char **names;
    int n, cap;
} label_set;

static int label_index(label_set *ls, const char *name)
{
    for (int i = 0; i < ls->n; i++)
        if (strcmp(ls->names[i], name) == 0)
            return i;
    if (ls->n == ls->cap) {
        int nc = ls->cap ? ls->cap * 2 : 16;
        char **nn = realloc(ls->names, sizeof(char *) * (size_t)nc);
        if (!nn)
            return -1;
        ls->names = nn;
        ls->cap = nc;
    }
    if (!(ls->names[ls->n] = strdup(name)))
        return -1;
    return ls->n++;
}

static int cmp_numeric_names(const void *a, const void *b)
{
    double x = strtod(*(char *const *)a, NULL), y = strtod(*(char *const *)b, NULL);
    return (x > y) - (x < y);
}

int dataset_load_csv(const char *path, const char *label, int classification,
                     hp_dataset **out, char *err)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    char *line = NULL, **cells = NULL;
    size_t cap = 0;
    hp_dataset *ds = calloc(1, sizeof *ds);
    label_set ls = {0};
    int *raw = NULL;
    size_t rows_cap = 0;
    int lineno = 1, ncol = 0, label_col = -1;
    cells = malloc(sizeof(char *) * MAX_COLUMNS);
    if (!ds || !cells)
        goto oom;
    long len;
    do {
        len = read_line(f, &line, &cap);
        if (len == -2)
            goto oom;
        if (len == -1) {
            snprintf(err, HP_MODEL_ERR_LEN, "%s:1: the file is empty (expected a header row)",
                     path);
            goto fail;
        }
    } while (len == 0 && ++lineno);
    /* a UTF-8 byte-order mark, as spreadsheet programs write it */
    if (lineno == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
        memmove(line, line + 3, (size_t)len - 2);
    ncol = split_cells(line, cells, MAX_COLUMNS);
    if (ncol < 2) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: the header has %d column(s); expected "
                 "features and a label", path, lineno, ncol < 0 ? MAX_COLUMNS : ncol);
        goto fail;
    }
    if (label) {
        for (int c = 0; c < ncol; c++)
            if (strcmp(cells[c], label) == 0)
                label_col = c;
        if (label_col < 0) {
            snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: no column '%s' in the header", path,
                     lineno, label);
            goto fail;
        }
    } else {
        label_col = ncol - 1;
    }
    ds->d = ncol - 1;
    ds->classification = classification;
    while ((len = read_line(f, &line, &cap)) != -1) {
        lineno++;
        if (len == -2)
            goto oom;
        if (len == 0)
            continue;
        int n = split_cells(line, cells, MAX_COLUMNS);
        if (n != ncol) {
            snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: %d cells, but the header has %d", path,
                     lineno, n < 0 ? MAX_COLUMNS : n, ncol);
            goto fail;
        }
        if ((size_t)ds->n == rows_cap) {
            size_t nc = rows_cap ? rows_cap * 2 : 1024;
            float *nx = realloc(ds->x, sizeof(float) * nc * (size_t)ds->d);
            if (!nx)
                goto oom;
            ds->x = nx;
            if (classification) {
                int *nr = realloc(raw, sizeof(int) * nc);
                if (!nr)
                    goto oom;
                raw = nr;
            } else {
                float *nt = realloc(ds->target, sizeof(float) * nc);
                if (!nt)
                    goto oom;
                ds->target = nt;
            }
            rows_cap = nc;
        }
        float *row = ds->x + (size_t)ds->n * (size_t)ds->d;
        int k = 0;
        for (int c = 0; c < ncol; c++) {
            if (c == label_col)
                continue;
            int bad = parse_float(cells[c], &row[k++]);
            if (bad) {
                snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: column %d: '%s' %s", path, lineno,
                         c + 1, cells[c], float_problem(bad));
                goto fail;
            }
        }
        if (classification) {
            if (!cells[label_col][0]) {
                snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: the label is empty", path, lineno);
                goto fail;
            }
            if ((raw[ds->n] = label_index(&ls, cells[label_col])) < 0)
                goto oom;
        } else {
            int bad = parse_float(cells[label_col], &ds->target[ds->n]);
            if (bad) {
                snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: the target '%s' %s (column %d)",
                         path, lineno, cells[label_col], float_problem(bad), label_col + 1);
                goto fail;
            }
        }
        ds->n++;
    }
    if (ds->n == 0) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s:%d: no data rows after the header", path, lineno);
        goto fail;
    }
    if (classification) {
        if (ls.n < 2) {
            snprintf(err, HP_MODEL_ERR_LEN, "%s: every row has the label '%s': "
                     "classification needs at least two classes", path, ls.names[0]);
            goto fail;
        }
        /* numeric labels get their natural order */
        int numeric = 1;
        for (int i = 0; i < ls.n; i++) {
            float v;
            numeric &= parse_float(ls.names[i], &v) == 0;
        }
        int *remap = malloc(sizeof(int) * (size_t)ls.n);
        char **sorted = malloc(sizeof(char *) * (size_t)ls.n);
        ds->label = malloc(sizeof(int) * (size_t)ds->n);
        if (!remap || !sorted || !ds->label) {
            free(remap);
            free(sorted);
            goto oom;
        }
        memcpy(sorted, ls.names, sizeof(char *) * (size_t)ls.n);
        if (numeric)
            qsort(sorted, (size_t)ls.n, sizeof(char *), cmp_numeric_names);
        for (int i = 0; i < ls.n; i++)
            for (int j = 0; j < ls.n; j++)
                if (sorted[j] == ls.names[i])
                    remap[i] = j;
        for (int r = 0; r < ds->n; r++)
            ds->label[r] = remap[raw[r]];
        ds->class_names = sorted;
        ds->n_classes = ls.n;
        free(ls.names);
        ls.names = NULL;
        ls.n = 0;
        free(remap);
    }
    free(raw);
    free(line);
    free(cells);
    fclose(f);
    *out = ds;
    return 0;
oom:
    snprintf(err, HP_MODEL_ERR_LEN, "%s: out of memory", path);
fail:
    for (int i = 0; i < ls.n; i++)
        free(ls.names[i]);
    free(ls.names);
    free(raw);
    free(line);
    free(cells);
    fclose(f);
    dataset_free(ds);
    return -1;
}

/* Reads N bytes; returns 0, or -1 with err naming PATH. */
static int gz_read_all(gzFile f, void *buf, size_t n, const char *path, char *err)
{
    unsigned char *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got <= 0) {
            int zerr;
            const char *msg = gzerror(f, &zerr);
            snprintf(err, HP_MODEL_ERR_LEN, "%s: %s", path,
                     got == 0 || zerr == Z_OK ? "the file ends early" : msg);
            return -1;
        }
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static uint32_t big_endian(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static gzFile open_idx(const char *path, uint32_t magic, int dims, uint32_t *sizes,
                       char *err)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    unsigned char head[16];
    /* the magic first, so that a wrong kind of file is named as such */
    if (gz_read_all(f, head, 4, path, err)) {
        gzclose(f);
        return NULL;
    }
    if (big_endian(head) != magic) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: not an IDX %s file (magic 0x%08x, expected "
                 "0x%08x)", path, dims == 1 ? "labels" : "images", big_endian(head), magic);
        gzclose(f);
        return NULL;
    }
    if (gz_read_all(f, head + 4, 4 * (size_t)dims, path, err)) {
        gzclose(f);
        return NULL;
    }
    for (int k = 0; k < dims; k++)
        sizes[k] = big_endian(head + 4 + 4 * k);
    return f;
}

/* Checks that the file at PATH, read through F, holds the HEADER + PAYLOAD
** bytes its header declares, before anything that size is allocated: the
** file's size when it is not compressed, the gzip trailer's size (modulo
** 2^32) when it is.  Reading then also stops at the declared size. */
static int idx_size_matches(gzFile f, const char *path, uint64_t header, uint64_t payload,
                            char *err)
{
    uint64_t want = header + payload;
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (gzdirect(f)) {
        if ((uint64_t)st.st_size != want) {
            snprintf(err, HP_MODEL_ERR_LEN, "%s: the file %s: its header declares %llu bytes, "
                     "it has %llu", path,
                     (uint64_t)st.st_size < want ? "ends early" : "is longer than declared",
                     (unsigned long long)want, (unsigned long long)st.st_size);
            return -1;
        }
        return 0;
    }
    FILE *raw = fopen(path, "rb");
    unsigned char t[4];
    int ok = raw && st.st_size >= 18 && fseek(raw, -4, SEEK_END) == 0 &&
             fread(t, 1, 4, raw) == 4;
    if (raw)
        fclose(raw);
    uint32_t isize = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 |
                     (uint32_t)t[3] << 24;
    if (!ok || isize != (uint32_t)want) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: the file %s: its header declares %llu bytes, the "
                 "gzip data holds %u", path,
                 ok && isize > (uint32_t)want ? "is longer than declared" : "ends early",
                 (unsigned long long)want, ok ? isize : 0);
        return -1;
    }
    return 0;
}

/* Largest IDX data set: images of at most 4096x4096 pixels, at most 2^30
** pixels in all (4 GiB as floats); so every product below fits an int. */
#define IDX_MAX_SIDE 4096u
#define IDX_MAX_PIXELS (1ULL << 30)

int dataset_load_idx(const char *images, const char *labels, hp_dataset **out, char *err)
{
    uint32_t is[3], ls[1];
    gzFile fi = open_idx(images, 0x803, 3, is, err), fl = NULL;
    hp_dataset *ds = NULL;
    unsigned char *pix = NULL, *lab = NULL;
    if (!fi)
        return -1;
    if (!(fl = open_idx(labels, 0x801, 1, ls, err)))
        goto fail;
    if (is[0] != ls[0] || is[0] == 0 || is[1] == 0 || is[2] == 0) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: %u images of %ux%u do not go with %u labels in "
                 "%s", images, is[0], is[1], is[2], ls[0], labels);
        goto fail;
    }
    /* each factor bounded before any product: no product can wrap */
    if (is[1] > IDX_MAX_SIDE || is[2] > IDX_MAX_SIDE ||
        (uint64_t)is[0] > IDX_MAX_PIXELS / ((uint64_t)is[1] * is[2])) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: %u images of %ux%u are more than this loader "
                 "takes (sides up to %u, %llu pixels in all)", images, is[0], is[1], is[2],
                 IDX_MAX_SIDE, (unsigned long long)IDX_MAX_PIXELS);
        goto fail;
    }
    size_t n = is[0], d = (size_t)is[1] * is[2];
    if (idx_size_matches(fi, images, 16, (uint64_t)n * d, err) ||
        idx_size_matches(fl, labels, 8, n, err))
        goto fail;
    ds = calloc(1, sizeof *ds);
    pix = malloc(n * d);
    lab = malloc(n);
    if (!ds || !pix || !lab) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: out of memory", images);
        goto fail;
    }
    if (gz_read_all(fi, pix, n * d, images, err) || gz_read_all(fl, lab, n, labels, err))
        goto fail;
    ds->n = (int)n;
    ds->d = (int)d;
    ds->classification = 1;
    ds->x = malloc(sizeof(float) * n * d);
    ds->label = malloc(sizeof(int) * n);
    if (!ds->x || !ds->label) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: out of memory", images);
        goto fail;
    }
    int max_label = 0;
    for (size_t k = 0; k < n * d; k++)
        ds->x[k] = pix[k];
    for (size_t k = 0; k < n; k++) {
        ds->label[k] = lab[k];
        max_label = lab[k] > max_label ? lab[k] : max_label;
    }
    ds->n_classes = max_label + 1;
    if (ds->n_classes < 2) {
        snprintf(err, HP_MODEL_ERR_LEN, "%s: every label is 0: classification needs at least "
                 "two classes", labels);
        goto fail;
    }
    ds->class_names = calloc((size_t)ds->n_classes, sizeof(char *));
    if (!ds->class_names)
        goto fail;
    for (int c = 0; c < ds->n_classes; c++) {
        char name[8];
        snprintf(name, sizeof name, "%d", c);
        if (!(ds->class_names[c] = strdup(name)))
            goto fail;
    }
    free(pix);
    free(lab);
    gzclose(fi);
    gzclose(fl);
    *out = ds;
    return 0;
fail:
    free(pix);
    free(lab);
    dataset_free(ds);
    gzclose(fi);
    if (fl)
        gzclose(fl);
    return -1;
}

void split_deinit(hp_split *s)
{
    free(s->train);
    free(s->valid);
    free(s->test);
    s->train = s->valid = s->test = NULL;
    s->n_train = s->n_valid = s->n_test = 0;
}

int dataset_split(const hp_dataset *ds, double valid, double test, uint64_t seed,
                  hp_split *s, char *err)
{
    memset(s, 0, sizeof *s);
    if (!(valid >= 0 && test >= 0 && valid + test < 1)) {
        snprintf(err, HP_MODEL_ERR_LEN, "valid_split and test_split must be >= 0 and sum to "
                 "less than 1");
        return -1;
    }
    int n = ds->n, groups = ds->classification ? ds->n_classes : 1;
    int *order = malloc(sizeof(int) * (size_t)n);
    s->train = malloc(sizeof(int) * (size_t)n);
    s->valid = malloc(sizeof(int) * (size_t)n);
    s->test = malloc(sizeof(int) * (size_t)n);
    if (!order || !s->train || !s->valid || !s->test) {
        free(order);
        split_deinit(s);
        snprintf(err, HP_MODEL_ERR_LEN, "out of memory");
        return -1;
    }
    hp_rng rng;
    rng_seed(&rng, seed ^ 0x5b117ULL);
    for (int g = 0; g < groups; g++) {
        int m = 0;
        for (int i = 0; i < n; i++)
            if (!ds->classification || ds->label[i] == g)
                order[m++] = i;
        for (int i = m - 1; i > 0; i--) { /* Fisher-Yates */
            int j = (int)rng_below(&rng, (uint64_t)i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int nv = (int)floor(m * valid + 0.5), nt = (int)floor(m * test + 0.5);
        if (nv + nt >= m)
            nv = nt = 0; /* a class too small to split stays in train */
        for (int i = 0; i < m; i++) {
            if (i < nv)
                s->valid[s->n_valid++] = order[i];
            else if (i < nv + nt)
                s->test[s->n_test++] = order[i];
            else
                s->train[s->n_train++] = order[i];
        }
    }
    free(order);
    if (s->n_train == 0 || (valid > 0 && s->n_valid == 0)) {
        snprintf(err, HP_MODEL_ERR_LEN, "%d rows are too few for this split", n);
        split_deinit(s);
        return -1;
    }
    return 0;
}

void dataset_standardize(hp_dataset *ds, const hp_split *split)
{
    for (int j = 0; j < ds->d; j++) {
        double mean = 0, var = 0;
        for (int k = 0; k < split->n_train; k++)
            mean += ds->x[(size_t)split->train[k] * (size_t)ds->d + (size_t)j];
        mean /= split->n_train;
        for (int k = 0; k < split->n_train; k++) {
            double t = ds->x[(size_t)split->train[k] * (size_t)ds->d + (size_t)j] - mean;
            var += t * t;
        }
        double sd = sqrt(var / split->n_train);
        double inv = sd > 1e-12 ? 1 / sd : 0;
        for (int i = 0; i < ds->n; i++) {
            float *v = &ds->x[(size_t)i * (size_t)ds->d + (size_t)j];
            *v = (float)((*v - mean) * inv);
        }
    }
    if (ds->classification || !ds->target || split->n_train == 0)
        return;
    double mean = 0, var = 0;
    for (int k = 0; k < split->n_train; k++)
        mean += ds->target[split->train[k]];
    mean /= split->n_train;
    for (int k = 0; k < split->n_train; k++) {
        double t = ds->target[split->train[k]] - mean;
        var += t * t;
    }
    double sd = sqrt(var / split->n_train);
    if (!(sd > 1e-12))
        sd = 1;
    for (int i = 0; i < ds->n; i++)
        ds->target[i] = (float)((ds->target[i] - mean) / sd);
    ds->target_mean = mean;
    ds->target_sd = sd;
}
