/*
** Benchmark functions, as defined in the Virtual Library of Simulation
** Experiments (Surjanovic & Bingham) and used by the BO literature.
*/
#include "functions.h"

#include <math.h>
#include <string.h>

static double branin(const double *x)
{
    const double a = 1, b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI;
    const double r = 6, s = 10, t = 1 / (8 * M_PI);
    double u = x[1] - b * x[0] * x[0] + c * x[0] - r;
    return a * u * u + s * (1 - t) * cos(x[0]) + s;
}

static double six_hump_camel(const double *x)
{
    double x1 = x[0], x2 = x[1], x1s = x1 * x1, x2s = x2 * x2;
    return (4 - 2.1 * x1s + x1s * x1s / 3) * x1s + x1 * x2 + (-4 + 4 * x2s) * x2s;
}

static const double hart_alpha[4] = {1.0, 1.2, 3.0, 3.2};

static double hartmann3(const double *x)
{
    static const double A[4][3] = {
        {3.0, 10, 30}, {0.1, 10, 35}, {3.0, 10, 30}, {0.1, 10, 35}};
    static const double P[4][3] = {
        {0.3689, 0.1170, 0.2673}, {0.4699, 0.4387, 0.7470},
        {0.1091, 0.8732, 0.5547}, {0.0381, 0.5743, 0.8828}};
    double sum = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 3; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        sum += hart_alpha[i] * exp(-e);
    }
    return -sum;
}

static double hartmann6(const double *x)
{
    static const double A[4][6] = {
        {10, 3, 17, 3.5, 1.7, 8}, {0.05, 10, 17, 0.1, 8, 14},
        {3, 3.5, 1.7, 10, 17, 8}, {17, 8, 0.05, 10, 0.1, 14}};
    static const double P[4][6] = {
        {0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
        {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
        {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
        {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};
    double sum = 0;
    for (int i = 0; i < 4; i++) {
        double e = 0;
        for (int j = 0; j < 6; j++)
            e += A[i][j] * (x[j] - P[i][j]) * (x[j] - P[i][j]);
        sum += hart_alpha[i] * exp(-e);
    }
    return -sum;
}

static double rosenbrock(const double *x, int d)
{
    double sum = 0;
    for (int i = 0; i + 1 < d; i++) {
        double a = x[i + 1] - x[i] * x[i], b = x[i] - 1;
        sum += 100 * a * a + b * b;
    }
    if (d == 1)
        sum = (x[0] - 1) * (x[0] - 1);
    return sum;
}

static double ackley(const double *x, int d)
{
    double s1 = 0, s2 = 0;
    for (int i = 0; i < d; i++) {
        s1 += x[i] * x[i];
        s2 += cos(2 * M_PI * x[i]);
    }
    return -20 * exp(-0.2 * sqrt(s1 / d)) - exp(s2 / d) + 20 + M_E;
}

static double levy(const double *x, int d)
{
    double w0 = 1 + (x[0] - 1) / 4, wd = 1 + (x[d - 1] - 1) / 4;
    double s = pow(sin(M_PI * w0), 2);
    for (int i = 0; i + 1 < d; i++) {
        double w = 1 + (x[i] - 1) / 4;
        s += (w - 1) * (w - 1) * (1 + 10 * pow(sin(M_PI * w + 1), 2));
    }
    s += (wd - 1) * (wd - 1) * (1 + pow(sin(2 * M_PI * wd), 2));
    return s;
}

static double sphere(const double *x, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++)
        s += x[i] * x[i];
    return s;
}

static const hp_function_info infos[] = {
    {"branin", 2, -5, 10, 0.397887357729739},
    {"six_hump_camel", 2, -3, 3, -1.031628453489877},
    {"hartmann3", 3, 0, 1, -3.86277978733266}, /* the 4-digit constants' minimum */
    {"hartmann6", 6, 0, 1, -3.32236801141551},
    {"rosenbrock", 0, -5, 10, 0},
    {"ackley", 0, -32.768, 32.768, 0},
    {"levy", 0, -10, 10, 0},
    {"sphere", 0, -5, 5, 0},
};

const hp_function_info *function_find(const char *name)
{
    for (size_t i = 0; i < sizeof infos / sizeof infos[0]; i++)
        if (strcmp(infos[i].name, name) == 0)
            return &infos[i];
    return NULL;
}

double function_eval(const hp_function_info *f, const double *x, int d)
{
    const char *n = f->name;
    if (strcmp(n, "branin") == 0)
        return branin(x);
    if (strcmp(n, "six_hump_camel") == 0)
        return six_hump_camel(x);
    if (strcmp(n, "hartmann3") == 0)
        return hartmann3(x);
    if (strcmp(n, "hartmann6") == 0)
        return hartmann6(x);
    if (strcmp(n, "rosenbrock") == 0)
        return rosenbrock(x, d);
    if (strcmp(n, "ackley") == 0)
        return ackley(x, d);
    if (strcmp(n, "levy") == 0)
        return levy(x, d);
    return sphere(x, d);
}
