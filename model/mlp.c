/*
** MLP forward and backward.  Layer l maps width[l] to width[l+1]; width[0]
** is the input and the last the output.  Hidden activations keep both Z
** (pre-activation) and A (post), since GELU's derivative needs Z.
*/
#include "mlp.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "kernels.h"

struct hp_mlp {
    hp_mlp_config cfg;
    int n_layers;                  /* hidden + output */
    int width[MLP_MAX_HIDDEN + 2];
    size_t w_off[MLP_MAX_HIDDEN + 1], b_off[MLP_MAX_HIDDEN + 1];
    size_t n_params;
    int max_batch;
    float *params, *grads, *wt;    /* wt: per layer W transposed, at w_off */
    unsigned char *weight_mask;
    float *z[MLP_MAX_HIDDEN + 1];  /* pre-activations, max_batch x width[l+1] */
    float *a[MLP_MAX_HIDDEN + 1];  /* activations of hidden layers */
    float *mask[MLP_MAX_HIDDEN];   /* dropout scale per unit (0 or 1/(1-p)) */
    float *dz, *da;                /* scratch, max_batch x max width */
};

void mlp_free(hp_mlp *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->grads);
    free(m->wt);
    free(m->weight_mask);
    for (int l = 0; l < m->n_layers; l++) {
        free(m->z[l]);
        free(m->a[l]);
        if (l < MLP_MAX_HIDDEN)
            free(m->mask[l]);
    }
    free(m->dz);
    free(m->da);
    free(m);
}

size_t mlp_n_params(const hp_mlp *m) { return m->n_params; }
float *mlp_params(hp_mlp *m) { return m->params; }
float *mlp_grads(hp_mlp *m) { return m->grads; }
const unsigned char *mlp_weight_mask(const hp_mlp *m) { return m->weight_mask; }

void mlp_sync(hp_mlp *m, int threads)
{
    for (int l = 0; l < m->n_layers; l++)
        kern_transpose(m->wt + m->w_off[l], m->params + m->w_off[l], m->width[l + 1],
                       m->width[l], threads);
}

int mlp_new(const hp_mlp_config *cfg, int max_batch, uint64_t seed, hp_mlp **out,
            char *err)
{
    if (cfg->n_in < 1 || cfg->n_out < 1 || cfg->n_hidden < 0 ||
        cfg->n_hidden > MLP_MAX_HIDDEN || max_batch < 1 || !(cfg->dropout >= 0) ||
        cfg->dropout >= 1) {
        snprintf(err, HP_MODEL_ERR_LEN, "invalid network shape or dropout");
        return -1;
    }
    hp_mlp *m = calloc(1, sizeof *m);
    if (!m)
        goto oom;
    m->cfg = *cfg;
    m->max_batch = max_batch;
    m->n_layers = cfg->n_hidden + 1;
    m->width[0] = cfg->n_in;
    int widest = cfg->n_in;
    for (int l = 0; l < cfg->n_hidden; l++) {
        if (cfg->hidden[l] < 1 || cfg->hidden[l] > 65536) {
            snprintf(err, HP_MODEL_ERR_LEN, "hidden layer %d has width %d", l + 1,
                     cfg->hidden[l]);
            mlp_free(m);
            return -1;
        }
        m->width[l + 1] = cfg->hidden[l];
    }
    m->width[m->n_layers] = cfg->n_out;
    for (int l = 0; l < m->n_layers; l++) {
        m->w_off[l] = m->n_params;
        m->n_params += (size_t)m->width[l] * (size_t)m->width[l + 1];
        m->b_off[l] = m->n_params;
        m->n_params += (size_t)m->width[l + 1];
        if (m->width[l + 1] > widest)
            widest = m->width[l + 1];
    }
    m->params = calloc(m->n_params, sizeof(float));
    m->grads = calloc(m->n_params, sizeof(float));
    m->wt = calloc(m->n_params, sizeof(float));
    m->weight_mask = calloc(m->n_params, 1);
    m->dz = malloc(sizeof(float) * (size_t)max_batch * (size_t)widest);
    m->da = malloc(sizeof(float) * (size_t)max_batch * (size_t)widest);
    if (!m->params || !m->grads || !m->wt || !m->weight_mask || !m->dz || !m->da)
        goto oom;
    for (int l = 0; l < m->n_layers; l++) {
        size_t n = (size_t)max_batch * (size_t)m->width[l + 1];
        m->z[l] = malloc(sizeof(float) * n);
        if (!m->z[l])
            goto oom;
        if (l < cfg->n_hidden) {
            m->a[l] = malloc(sizeof(float) * n);
            m->mask[l] = malloc(sizeof(float) * n);
            if (!m->a[l] || !m->mask[l])
                goto oom;
        }
    }
    hp_rng rng;
    rng_seed(&rng, seed ^ 0x1417ULL);
    for (int l = 0; l < m->n_layers; l++) {
        int fan_in = m->width[l], fan_out = m->width[l + 1];
        float *w = m->params + m->w_off[l];
        size_t n = (size_t)fan_in * (size_t)fan_out;
        memset(m->weight_mask + m->w_off[l], 1, n);
        for (size_t k = 0; k < n; k++) {
            double v;
            if (cfg->init == INIT_HE)
                v = rng_normal(&rng) * sqrt(2.0 / fan_in);
            else if (cfg->init == INIT_NORMAL)
                v = rng_normal(&rng) * 0.01;
            else
                v = (2 * rng_uniform(&rng) - 1) * sqrt(6.0 / (fan_in + fan_out));
            w[k] = (float)v;
        }
    }
    mlp_sync(m, 1);
    *out = m;
    return 0;
oom:
    mlp_free(m);
    snprintf(err, HP_MODEL_ERR_LEN, "out of memory for the network");
    return -1;
}

static float activate(hp_activation a, float z)
{
    switch (a) {
    case ACT_RELU: return z > 0 ? z : 0;
    case ACT_LEAKY_RELU: return z > 0 ? z : 0.01f * z;
    case ACT_TANH: return tanhf(z);
    case ACT_SIGMOID:
        return z >= 0 ? 1 / (1 + expf(-z)) : expf(z) / (1 + expf(z));
    case ACT_GELU: return 0.5f * z * (1 + erff(z * 0.70710678f));
    }
    return z;
}

static float activate_grad(hp_activation a, float z, float y)
{
    switch (a) {
    case ACT_RELU: return z > 0 ? 1.0f : 0.0f;
    case ACT_LEAKY_RELU: return z > 0 ? 1.0f : 0.01f;
    case ACT_TANH: return 1 - y * y;
    case ACT_SIGMOID: return y * (1 - y);
    case ACT_GELU:
        return 0.5f * (1 + erff(z * 0.70710678f)) + z * 0.39894228f * expf(-0.5f * z * z);
    }
    return 1;
}

/* Forward through all layers; returns the output pre-activations. */
static const float *forward(hp_mlp *m, const float *x, int B, hp_rng *rng, int threads)
{
    const float *h = x;
    for (int l = 0; l < m->n_layers; l++) {
        int I = m->width[l], O = m->width[l + 1];
        kern_linear_forward(m->z[l], h, m->wt + m->w_off[l], m->params + m->b_off[l], B, I,
                            O, threads);
        if (l == m->n_layers - 1)
            break;
        size_t n = (size_t)B * (size_t)O;
        float *a = m->a[l], *z = m->z[l];
        /* one loop per activation, so that the simple ones vectorise */
        switch (m->cfg.activation) {
        case ACT_RELU:
            for (size_t k = 0; k < n; k++)
                a[k] = z[k] > 0 ? z[k] : 0;
            break;
        case ACT_LEAKY_RELU:
            for (size_t k = 0; k < n; k++)
                a[k] = z[k] > 0 ? z[k] : 0.01f * z[k];
            break;
        default:
            for (size_t k = 0; k < n; k++)
                a[k] = activate(m->cfg.activation, z[k]);
        }
        if (rng && m->cfg.dropout > 0) {
            float keep = 1 - m->cfg.dropout, scale = 1 / keep;
            float *mk = m->mask[l];
            for (size_t k = 0; k < n; k++) {
                mk[k] = rng_uniform(rng) < keep ? scale : 0;
                a[k] *= mk[k];
            }
        }
        h = a;
    }
    return m->z[m->n_layers - 1];
}

/* Softmax of each row of Z (B x C) into P. */
static void softmax_rows(const float *z, float *p, int B, int C)
{
    for (int r = 0; r < B; r++) {
        const float *zr = z + (size_t)r * C;
        float *pr = p + (size_t)r * C;
        float mx = zr[0];
        for (int c = 1; c < C; c++)
            mx = zr[c] > mx ? zr[c] : mx;
        double s = 0;
        for (int c = 0; c < C; c++) {
            pr[c] = expf(zr[c] - mx);
            s += pr[c];
        }
        for (int c = 0; c < C; c++)
            pr[c] = (float)(pr[c] / s);
    }
}

double mlp_row_loss(const hp_mlp_config *cfg, const float *pred, int label, float target)
{
    if (cfg->classification && cfg->loss == LOSS_CROSS_ENTROPY) {
        double p = pred[label];
        return -log(p > 1e-30 ? p : 1e-30);
    }
    double s = 0;
    int C = cfg->classification ? cfg->n_out : 1;
    for (int c = 0; c < C; c++) {
        double t = cfg->classification ? (c == label) : target;
        double e = pred[c] - t;
        if (cfg->loss == LOSS_MAE)
            s += fabs(e);
        else if (cfg->loss == LOSS_HUBER)
            s += fabs(e) <= 1 ? 0.5 * e * e : fabs(e) - 0.5;
        else
            s += e * e;
    }
    return s / C;
}

/* dL/dp of the mean loss for one output element, scaled by 1/(B*C). */
static float loss_grad(hp_loss loss, float e, float scale)
{
    switch (loss) {
    case LOSS_MAE: return (e > 0 ? 1.0f : e < 0 ? -1.0f : 0.0f) * scale;
    case LOSS_HUBER: return (e > 1 ? 1.0f : e < -1 ? -1.0f : e) * scale;
    default: return 2 * e * scale;
    }
}

double mlp_train_step(hp_mlp *m, const float *x, const int *labels, const float *targets,
                      int B, hp_rng *rng, int threads)
{
    const hp_mlp_config *cfg = &m->cfg;
    int L = m->n_layers - 1, C = m->width[m->n_layers];
    float *zo = (float *)forward(m, x, B, rng, threads);
    float *dz = m->dz;
    double loss = 0;
    if (cfg->classification) {
        softmax_rows(zo, dz, B, C); /* dz holds probabilities first */
        for (int r = 0; r < B; r++) {
            float *p = dz + (size_t)r * C;
            if (cfg->loss == LOSS_CROSS_ENTROPY) {
                /* log-softmax from the logits: stable, and NaN/inf once the
                   weights blow up, which is how divergence is noticed */
                const float *zr = zo + (size_t)r * C;
                float mx = zr[0];
                for (int c = 1; c < C; c++)
                    mx = zr[c] > mx ? zr[c] : mx;
                double se = 0;
                for (int c = 0; c < C; c++)
                    se += exp((double)zr[c] - mx);
                loss += log(se) + mx - zr[labels[r]];
            } else {
                loss += mlp_row_loss(cfg, p, labels[r], 0);
            }
            if (cfg->loss == LOSS_CROSS_ENTROPY) {
                for (int c = 0; c < C; c++)
                    p[c] = (p[c] - (c == labels[r])) / B;
            } else {
                /* through the softmax Jacobian: dz_j = p_j (g_j - sum_k p_k g_k) */
                float g[1024], dot = 0;
                int cc = C < 1024 ? C : 1024;
                for (int c = 0; c < cc; c++) {
                    g[c] = loss_grad(cfg->loss, p[c] - (c == labels[r]), 1.0f / ((float)B * C));
                    dot += p[c] * g[c];
                }
                for (int c = 0; c < cc; c++)
                    p[c] = p[c] * (g[c] - dot);
            }
        }
    } else {
        for (int r = 0; r < B; r++) {
            float e = zo[r] - targets[r];
            loss += mlp_row_loss(cfg, &zo[r], 0, targets[r]);
            dz[r] = loss_grad(cfg->loss, e, 1.0f / B);
        }
    }
    loss /= B;
    /* backward: dz holds dL/dZ of layer l */
    for (int l = L; l >= 0; l--) {
        int I = m->width[l], O = m->width[l + 1];
        const float *in = l == 0 ? x : m->a[l - 1];
        kern_linear_backward_weight(m->grads + m->w_off[l], m->grads + m->b_off[l], dz, in, B,
                                    I, O, threads);
        if (l == 0)
            break;
        kern_linear_backward_input(m->da, dz, m->params + m->w_off[l], B, I, O, threads);
        /* through dropout and the activation of layer l-1 */
        size_t n = (size_t)B * (size_t)I;
        const float *z = m->z[l - 1], *a = m->a[l - 1], *mk = m->mask[l - 1];
        int dropped = rng && cfg->dropout > 0;
        if (!dropped && cfg->activation == ACT_RELU) {
            for (size_t k = 0; k < n; k++)
                m->da[k] = z[k] > 0 ? m->da[k] : 0;
            n = 0; /* done */
        }
        for (size_t k = 0; k < n; k++) {
            float g = m->da[k];
            float y = a[k];
            if (dropped) {
                if (mk[k] == 0) {
                    m->da[k] = 0;
                    continue;
                }
                g *= mk[k];
                y /= mk[k]; /* the activation before dropout */
            }
            m->da[k] = g * activate_grad(cfg->activation, z[k], y);
        }
        float *t = dz;
        m->dz = m->da;
        m->da = t;
        dz = m->dz;
    }
    return loss;
}

void mlp_predict(hp_mlp *m, const float *x, int B, float *out, int threads)
{
    const float *zo = forward(m, x, B, NULL, threads);
    int C = m->width[m->n_layers];
    if (m->cfg.classification)
        softmax_rows(zo, out, B, C);
    else
        memcpy(out, zo, sizeof(float) * (size_t)B);
}
