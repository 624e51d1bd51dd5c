#include "optim.h"

#include "kernels.h"

#include <math.h>
#include <stdlib.h>

struct hp_optim {
    hp_optim_config cfg;
    size_t n;
    long t;        /* steps taken */
    float *m, *v;  /* first and second moments (momentum buffer in m) */
};

hp_optim *optim_new(const hp_optim_config *cfg, size_t n)
{
    hp_optim *o = calloc(1, sizeof *o);
    if (!o)
        return NULL;
    o->cfg = *cfg;
    o->n = n;
    o->m = calloc(n ? n : 1, sizeof(float));
    o->v = calloc(n ? n : 1, sizeof(float));
    if (!o->m || !o->v) {
        optim_free(o);
        return NULL;
    }
    return o;
}

void optim_free(hp_optim *o)
{
    if (!o)
        return;
    free(o->m);
    free(o->v);
    free(o);
}

void optim_state(hp_optim *o, float **m, float **v, long **t)
{
    *m = o->m;
    *v = o->v;
    *t = &o->t;
}

void optim_step(hp_optim *o, float *w, float *g, const unsigned char *is_weight, double lr,
                int threads)
{
    const hp_optim_config *c = &o->cfg;
    size_t n = o->n;
    /* penalties, and weight decay except adamw's decoupled one */
    double wd = c->kind == OPT_ADAMW ? 0 : c->weight_decay;
    if (c->l1 > 0 || c->l2 > 0 || wd > 0)
        for (size_t k = 0; k < n; k++)
            if (is_weight[k])
                g[k] += (float)(c->l1 * ((w[k] > 0) - (w[k] < 0)) + (2 * c->l2 + wd) * w[k]);
    if (c->clip > 0) {
        double s = 0;
        for (size_t k = 0; k < n; k++)
            s += (double)g[k] * g[k];
        double norm = sqrt(s);
        if (norm > c->clip) {
            float scale = (float)(c->clip / norm);
            for (size_t k = 0; k < n; k++)
                g[k] *= scale;
        }
    }
    o->t++;
    float flr = (float)lr;
    switch (c->kind) {
    case OPT_SGD:
        for (size_t k = 0; k < n; k++)
            w[k] -= flr * g[k];
        break;
    case OPT_MOMENTUM:
    case OPT_NESTEROV: {
        float mu = (float)c->momentum;
        for (size_t k = 0; k < n; k++) {
            o->m[k] = mu * o->m[k] + g[k];
            w[k] -= flr * (c->kind == OPT_NESTEROV ? g[k] + mu * o->m[k] : o->m[k]);
        }
        break;
    }
    case OPT_RMSPROP: {
        float a = (float)c->beta2, eps = (float)c->epsilon;
        for (size_t k = 0; k < n; k++) {
            o->v[k] = a * o->v[k] + (1 - a) * g[k] * g[k];
            w[k] -= flr * g[k] / (sqrtf(o->v[k]) + eps);
        }
        break;
    }
    case OPT_ADAGRAD: {
        /* PyTorch's Adagrad with lr_decay 0 and no initial accumulator */
        float eps = (float)c->epsilon;
        for (size_t k = 0; k < n; k++) {
            o->v[k] += g[k] * g[k];
            w[k] -= flr * g[k] / (sqrtf(o->v[k]) + eps);
        }
        break;
    }
    case OPT_ADAM:
    case OPT_ADAMW: {
        double bc1 = 1 - pow(c->beta1, (double)o->t), bc2 = 1 - pow(c->beta2, (double)o->t);
        float decay = c->kind == OPT_ADAMW ? (float)(lr * c->weight_decay) : 0.0f;
        kern_adam(w, g, o->m, o->v, is_weight, n, (float)c->beta1, (float)c->beta2,
                  (float)(lr / bc1), (float)sqrt(bc2), (float)c->epsilon, decay, threads);
        break;
    }
    }
}

/* The schedule without warm-up, EPOCH counted from its start. */
static double scheduled(const hp_schedule *s, int epoch, int horizon, double *plateau_lr,
                        int *since_best, int improved)
{
    switch (s->kind) {
    case SCHED_CONSTANT:
        return s->lr;
    case SCHED_STEP:
        return s->lr * pow(s->decay, epoch / (s->step > 0 ? s->step : 1));
    case SCHED_EXPONENTIAL:
        return s->lr * pow(s->decay, epoch);
    case SCHED_COSINE:
    case SCHED_WARMUP_COSINE:
        return s->lr * 0.5 * (1 + cos(M_PI * epoch / (horizon > 0 ? horizon : 1)));
    case SCHED_PLATEAU:
        if (epoch == 0 || *plateau_lr <= 0) {
            *plateau_lr = s->lr;
            *since_best = 0;
        } else if (improved) {
            *since_best = 0;
        } else if (++*since_best > (s->step > 0 ? s->step : 1)) {
            *plateau_lr *= s->decay;
            *since_best = 0;
        }
        return *plateau_lr;
    }
    return s->lr;
}

double schedule_lr(const hp_schedule *s, int epoch, double *plateau_lr, int *since_best,
                   int improved)
{
    int warmup = s->kind == SCHED_WARMUP_COSINE ? s->warmup : s->prefix_warmup;
    if (warmup < 0)
        warmup = 0;
    if (epoch < warmup)
        return s->lr * (epoch + 1) / (warmup + 1);
    return scheduled(s, epoch - warmup, s->epochs - warmup, plateau_lr, since_best, improved);
}
