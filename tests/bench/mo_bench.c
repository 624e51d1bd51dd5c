/*
** The multi-objective benchmark: hpsearch's samplers on ZDT1, ZDT2, ZDT3
** (Zitzler, Deb and Thiele 2000; 2 objectives, D = 10 variables) and DTLZ2
** (Deb, Thiele, Laumanns and Zitzler 2002; 3 objectives, D = 7), all
** minimised over [0, 1]^D, the hypervolume of what a study found after 100
** and after 300 evaluations against a fixed reference point: (1.1, 10) for
** the ZDTs, (2.5, 2.5, 2.5) for DTLZ2 (just past the worst values a point
** of the box can reach, so that early fronts count too).
**
**   mo_bench run OUT.tsv [--problems a,b] [--samplers auto,nsga2,tpe,random]
**                        [--seeds N] [--budget N]   rows: problem sampler seed
**                                                   hv100 hv300 ms/proposal
**   mo_bench problems            one line per problem: name d k ref...
**   mo_bench eval                stdin "problem x1 .. xd" -> objective values
**   mo_bench hv PROBLEM N        stdin points (k values a line) -> the
**                                hypervolume of the first N
**   mo_bench summary FILE        medians and quartiles per cell, and how
**                                often auto is at least the best anchor
** Rows already in OUT are skipped, so a run resumes.  The anchors (Optuna's
** NSGAIISampler and GPSampler) come from tests/bench/mo_anchors.py through
** tests/bench/mo_bench.sh.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>

#include "../../search/pareto.h"
#include "../../search/sampler.h"

#ifdef HP_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
#endif

typedef struct {
    const char *name;
    int d, k;
    double ref[3];
} problem;

static const problem problems[] = {
    {"zdt1", 10, 2, {1.1, 10, 0}},
    {"zdt2", 10, 2, {1.1, 10, 0}},
    {"zdt3", 10, 2, {1.1, 10, 0}},
    {"dtlz2", 7, 3, {2.5, 2.5, 2.5}},
};
#define N_PROBLEMS 4

static const problem *find_problem(const char *name)
{
    for (int i = 0; i < N_PROBLEMS; i++)
        if (strcmp(problems[i].name, name) == 0)
            return &problems[i];
    return NULL;
}

static void evaluate(const problem *p, const double *x, double *f)
{
    if (p->k == 2) {
        double sum = 0;
        for (int i = 1; i < p->d; i++)
            sum += x[i];
        double g = 1 + 9 * sum / (p->d - 1), r = x[0] / g;
        f[0] = x[0];
        if (strcmp(p->name, "zdt1") == 0)
            f[1] = g * (1 - sqrt(r));
        else if (strcmp(p->name, "zdt2") == 0)
            f[1] = g * (1 - r * r);
        else
            f[1] = g * (1 - sqrt(r) - r * sin(10 * M_PI * x[0]));
        return;
    }
    /* DTLZ2: the last d - k + 1 variables set the distance g */
    double g = 0;
    for (int i = p->k - 1; i < p->d; i++)
        g += (x[i] - 0.5) * (x[i] - 0.5);
    for (int m = 0; m < p->k; m++) {
        double v = 1 + g;
        for (int i = 0; i < p->k - 1 - m; i++)
            v *= cos(x[i] * M_PI / 2);
        if (m > 0)
            v *= sin(x[p->k - 1 - m] * M_PI / 2);
        f[m] = v;
    }
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
}

/* One study: the hypervolume after 100 and after BUDGET evaluations, and
** the mean proposal time.  Returns 0, or -1 (printed) on a sampler error. */
static int run_one(const problem *p, const char *sampler, int seed, int budget, double *hv100,
                   double *hv_end, double *ms)
{
    hp_space *s = space_new();
    char err[HP_ERR_LEN];
    for (int i = 0; i < p->d; i++) {
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        if (space_add(s, name, "uniform(0, 1)", err)) {
            fprintf(stderr, "%s\n", err);
            return -1;
        }
    }
    hp_sampler_options opt;
    sampler_options_init(&opt);
    opt.n_objectives = p->k;
    opt.deterministic = 1;
    hp_sampler *smp;
    if (sampler_new(sampler, s, (uint64_t)seed, &opt, &smp, err)) {
        fprintf(stderr, "%s: %s\n", sampler, err);
        space_free(s);
        return -1;
    }
    double *x = calloc((size_t)budget * p->d, sizeof(double));
    double *y = calloc((size_t)budget, sizeof(double));
    double *ys = calloc((size_t)budget * p->k, sizeof(double));
    hp_value *v = calloc((size_t)p->d, sizeof *v);
    double spent = 0;
    int rc = 0;
    for (int t = 0; t < budget && rc == 0; t++) {
        hp_history h = {t, x, y, 0, NULL, ys};
        double t0 = now_ms();
        if (sampler_propose(smp, (uint64_t)t, &h, v, err)) {
            fprintf(stderr, "%s: %s\n", sampler, err);
            rc = -1;
            break;
        }
        spent += now_ms() - t0;
        for (int i = 0; i < p->d; i++)
            x[(size_t)t * p->d + i] = v[i].value;
        evaluate(p, x + (size_t)t * p->d, ys + (size_t)t * p->k);
        y[t] = ys[(size_t)t * p->k];
    }
    *hv100 = pareto_hypervolume(ys, budget < 100 ? budget : 100, p->k, p->ref);
    *hv_end = pareto_hypervolume(ys, budget, p->k, p->ref);
    *ms = spent / budget;
    sampler_free(smp);
    space_free(s);
    free(x);
    free(y);
    free(ys);
    free(v);
    return rc;
}

/* 1 when OUT already has the row of (problem, sampler, seed). */
static int have_row(const char *out, const char *prob, const char *sampler, int seed)
{
    FILE *f = fopen(out, "r");
    if (!f)
        return 0;
    char line[512], a[64], b[64];
    int s, found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = sscanf(line, "%63s %63s %d", a, b, &s) == 3 && strcmp(a, prob) == 0 &&
                strcmp(b, sampler) == 0 && s == seed;
    fclose(f);
    return found;
}

static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; (p = strstr(p, name)); p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
            return 1;
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: mo_bench run OUT.tsv [options]\n");
        return 2;
    }
    const char *out = argv[2], *probs = "zdt1,zdt2,zdt3,dtlz2",
               *samplers = "auto,nsga2,tpe,random";
    int seeds = 10, budget = 300;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--problems") == 0)
            probs = argv[i + 1];
        else if (strcmp(argv[i], "--samplers") == 0)
            samplers = argv[i + 1];
        else if (strcmp(argv[i], "--seeds") == 0)
            seeds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--budget") == 0)
            budget = atoi(argv[i + 1]);
    }
    for (int pi = 0; pi < N_PROBLEMS; pi++) {
        const problem *p = &problems[pi];
        if (!in_list(probs, p->name))
            continue;
        char list[256];
        snprintf(list, sizeof list, "%s", samplers);
        for (char *sm = strtok(list, ","); sm; sm = strtok(NULL, ","))
            for (int seed = 1; seed <= seeds; seed++) {
                if (have_row(out, p->name, sm, seed))
                    continue;
                double a, b, ms;
                if (run_one(p, sm, seed, budget, &a, &b, &ms))
                    return 1;
                FILE *f = fopen(out, "a");
                if (!f) {
                    perror(out);
                    return 1;
                }
                fprintf(f, "%s\t%s\t%d\t%.10g\t%.10g\t%.4g\n", p->name, sm, seed, a, b, ms);
                fclose(f);
            }
    }
    return 0;
}

static int cmd_eval(void)
{
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        char name[64];
        int used;
        if (sscanf(line, "%63s%n", name, &used) != 1)
            continue;
        const problem *p = find_problem(name);
        if (!p) {
            fprintf(stderr, "mo_bench eval: no problem '%s'\n", name);
            return 2;
        }
        double x[16], f[3];
        const char *c = line + used;
        for (int i = 0; i < p->d; i++) {
            char *end;
            x[i] = strtod(c, &end);
            c = end;
        }
        evaluate(p, x, f);
        for (int m = 0; m < p->k; m++)
            printf("%s%.17g", m ? " " : "", f[m]);
        printf("\n");
        fflush(stdout);
    }
    return 0;
}

static int cmd_hv(int argc, char **argv)
{
    const problem *p = argc > 3 ? find_problem(argv[2]) : NULL;
    if (!p) {
        fprintf(stderr, "usage: mo_bench hv PROBLEM N < points\n");
        return 2;
    }
    int limit = atoi(argv[3]), n = 0, cap = 1024;
    double *y = malloc(sizeof(double) * (size_t)cap * p->k);
    double f[3];
    while (n < limit && y) {
        int got = 0;
        for (int m = 0; m < p->k; m++)
            got += scanf("%lf", &f[m]) == 1;
        if (got < p->k)
            break;
        if (n == cap) {
            cap *= 2;
            double *g = realloc(y, sizeof(double) * (size_t)cap * p->k);
            if (!g)
                break;
            y = g;
        }
        memcpy(y + (size_t)n * p->k, f, sizeof(double) * p->k);
        n++;
    }
    printf("%.10g\n", y ? pareto_hypervolume(y, n, p->k, p->ref) : NAN);
    free(y);
    return 0;
}

typedef struct {
    char problem[32], sampler[32];
    double hv[2][200];
    double ms;
    int n;
} cell;

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, int n, double q)
{
    qsort(v, (size_t)n, sizeof *v, compare_double);
    double at = q * (n - 1);
    int lo = (int)floor(at);
    int hi = lo + 1 < n ? lo + 1 : lo;
    return v[lo] + (v[hi] - v[lo]) * (at - lo);
}

static int cmd_summary(int argc, char **argv)
{
    FILE *f = argc > 2 ? fopen(argv[2], "r") : NULL;
    if (!f) {
        fprintf(stderr, "usage: mo_bench summary FILE\n");
        return 2;
    }
    static cell cells[64];
    int nc = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char prob[32], smp[32];
        int seed;
        double a, b, ms;
        if (sscanf(line, "%31s %31s %d %lf %lf %lf", prob, smp, &seed, &a, &b, &ms) != 6)
            continue;
        int c = 0;
        while (c < nc && (strcmp(cells[c].problem, prob) || strcmp(cells[c].sampler, smp)))
            c++;
        if (c == nc) {
            if (nc == 64)
                continue;
            memset(&cells[nc], 0, sizeof cells[nc]);
            snprintf(cells[nc].problem, sizeof cells[nc].problem, "%s", prob);
            snprintf(cells[nc].sampler, sizeof cells[nc].sampler, "%s", smp);
            nc++;
        }
        if (cells[c].n < 200) {
            cells[c].hv[0][cells[c].n] = a;
            cells[c].hv[1][cells[c].n] = b;
            cells[c].ms += ms;
            cells[c].n++;
        }
    }
    fclose(f);
    printf("%-6s %-14s %5s %-30s %-30s %10s\n", "", "sampler", "seeds",
           "hv@100 median [q1, q3]", "hv@300 median [q1, q3]", "ms/trial");
    double med[64][2];
    for (int c = 0; c < nc; c++) {
        double q[2][3];
        for (int b = 0; b < 2; b++) {
            q[b][0] = quantile(cells[c].hv[b], cells[c].n, 0.25);
            q[b][1] = quantile(cells[c].hv[b], cells[c].n, 0.5);
            q[b][2] = quantile(cells[c].hv[b], cells[c].n, 0.75);
            med[c][b] = q[b][1];
        }
        char a[64], b[64];
        snprintf(a, sizeof a, "%.4f [%.4f, %.4f]", q[0][1], q[0][0], q[0][2]);
        snprintf(b, sizeof b, "%.4f [%.4f, %.4f]", q[1][1], q[1][0], q[1][2]);
        printf("%-6s %-14s %5d %-30s %-30s %10.2f\n", cells[c].problem, cells[c].sampler,
               cells[c].n, a, b, cells[c].ms / cells[c].n);
    }
    /* auto against the best anchor (the optuna-* rows), per budget */
    for (int b = 0; b < 2; b++) {
        int problems_seen = 0, wins = 0;
        for (int pi = 0; pi < N_PROBLEMS; pi++) {
            double mine = NAN, best = -INFINITY;
            for (int c = 0; c < nc; c++) {
                if (strcmp(cells[c].problem, problems[pi].name))
                    continue;
                if (strcmp(cells[c].sampler, "auto") == 0)
                    mine = med[c][b];
                else if (strncmp(cells[c].sampler, "optuna", 6) == 0)
                    best = fmax(best, med[c][b]);
            }
            if (isnan(mine) || !isfinite(best))
                continue;
            problems_seen++;
            wins += mine >= best;
        }
        printf("auto's median hypervolume >= the best anchor's at %d evaluations: %d of %d "
               "problems (target: 3 of 4)\n", b ? 300 : 100, wins, problems_seen);
    }
    return 0;
}

int main(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* statuses are checked, as in hpsearch */
#ifdef HP_HAVE_OPENBLAS
    openblas_set_num_threads(1); /* one thread, as the anchors are measured */
#endif
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return cmd_run(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "eval") == 0)
        return cmd_eval();
    if (argc >= 2 && strcmp(argv[1], "hv") == 0)
        return cmd_hv(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "summary") == 0)
        return cmd_summary(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "problems") == 0) {
        for (int i = 0; i < N_PROBLEMS; i++) {
            printf("%s %d %d", problems[i].name, problems[i].d, problems[i].k);
            for (int m = 0; m < problems[i].k; m++)
                printf(" %g", problems[i].ref[m]);
            printf("\n");
        }
        return 0;
    }
    fprintf(stderr, "usage: mo_bench run|problems|eval|hv|summary ...\n");
    return 2;
}
