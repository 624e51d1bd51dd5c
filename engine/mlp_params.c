/*
** The MLP objective's parameter names and their mapping to model/train.h.
** Defaults follow PyTorch's where a parameter is absent or inactive.
*/
#include "mlp_params.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    int value;
} named;

static const named optimizers[] = {{"sgd", OPT_SGD}, {"momentum", OPT_MOMENTUM},
                                   {"nesterov", OPT_NESTEROV}, {"rmsprop", OPT_RMSPROP},
                                   {"adam", OPT_ADAM}, {"adamw", OPT_ADAMW},
                                   {"adagrad", OPT_ADAGRAD}, {NULL, 0}};
static const named schedules[] = {{"constant", SCHED_CONSTANT}, {"step", SCHED_STEP},
                                  {"exponential", SCHED_EXPONENTIAL}, {"cosine", SCHED_COSINE},
                                  {"warmup_cosine", SCHED_WARMUP_COSINE},
                                  {"plateau", SCHED_PLATEAU}, {NULL, 0}};
static const named activations[] = {{"relu", ACT_RELU}, {"leaky_relu", ACT_LEAKY_RELU},
                                    {"tanh", ACT_TANH}, {"sigmoid", ACT_SIGMOID},
                                    {"gelu", ACT_GELU}, {NULL, 0}};
static const named losses[] = {{"cross_entropy", LOSS_CROSS_ENTROPY}, {"mse", LOSS_MSE},
                               {"mae", LOSS_MAE}, {"huber", LOSS_HUBER}, {NULL, 0}};
static const named inits[] = {{"xavier", INIT_XAVIER}, {"he", INIT_HE},
                              {"normal", INIT_NORMAL}, {NULL, 0}};

static int lookup(const named *list, const char *what, const char *text, int *out,
                  char *err)
{
    for (int i = 0; list[i].name; i++)
        if (text && strcmp(list[i].name, text) == 0) {
            *out = list[i].value;
            return 0;
        }
    char names[256] = "";
    for (int i = 0; list[i].name; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 list[i].name);
    snprintf(err, HP_ERR_LEN, "unknown %s '%s' (expected %s)", what, text ? text : "?", names);
    return -1;
}

/* Numeric parameters: name, lower bound, upper bound, integer. */
typedef struct {
    const char *name;
    double lo, hi;
    int integer;
} numeric_param;

static const numeric_param numerics[] = {
    {"learning_rate", 1e-12, 100, 0}, {"weight_decay", 0, 10, 0}, {"dropout", 0, 0.99, 0},
    {"hidden", 1, 65536, 1},          {"layers", 0, MLP_MAX_HIDDEN, 1},
    {"batch_size", 1, 1 << 20, 1},    {"momentum", 0, 0.9999, 0}, {"l1", 0, 10, 0},
    {"l2", 0, 10, 0},                 {"noise", 0, 10, 0},        {"lr_decay", 1e-6, 1, 0},
    {"lr_step", 1, 100000, 1},        {"warmup_epochs", 0, 100000, 1},
    {"beta1", 0, 0.9999, 0},          {"beta2", 0, 0.999999, 0},  {"epsilon", 1e-15, 1, 0},
    {"clip", 0, 1e6, 0},              {NULL, 0, 0, 0}};

/* "hiddenK": K in 1..MLP_MAX_HIDDEN, else 0. */
static int hidden_index(const char *name)
{
    if (strncmp(name, "hidden", 6) != 0 || !isdigit((unsigned char)name[6]))
        return 0;
    int k = atoi(name + 6);
    return k >= 1 && k <= MLP_MAX_HIDDEN ? k : 0;
}

int mlp_param_check(const char *name, double value, const char *text, char *err)
{
    int dummy;
    if (strcmp(name, "optimizer") == 0)
        return lookup(optimizers, "optimizer", text, &dummy, err);
    if (strcmp(name, "schedule") == 0)
        return lookup(schedules, "schedule", text, &dummy, err);
    if (strcmp(name, "activation") == 0)
        return lookup(activations, "activation", text, &dummy, err);
    if (strcmp(name, "loss") == 0)
        return lookup(losses, "loss", text, &dummy, err);
    if (strcmp(name, "init") == 0)
        return lookup(inits, "initialiser", text, &dummy, err);
    const numeric_param *p = NULL;
    for (int i = 0; numerics[i].name; i++)
        if (strcmp(numerics[i].name, name) == 0)
            p = &numerics[i];
    if (!p && hidden_index(name)) {
        static const numeric_param width = {"hiddenK", 1, 65536, 1};
        p = &width;
    }
    if (!p) {
        snprintf(err, HP_ERR_LEN, "the mlp objective has no parameter '%s' (it knows "
                 "learning_rate, weight_decay, dropout, hidden, hidden1..hidden%d, layers, "
                 "batch_size, optimizer, schedule, activation, momentum, loss, init, l1, l2, "
                 "noise, lr_decay, lr_step, warmup_epochs, beta1, beta2, epsilon, clip)",
                 name, MLP_MAX_HIDDEN);
        return -1;
    }
    if (text && isnan(value)) {
        snprintf(err, HP_ERR_LEN, "'%s' takes a number, not '%s'", name, text);
        return -1;
    }
    if (!(value >= p->lo && value <= p->hi) || (p->integer && value != floor(value))) {
        snprintf(err, HP_ERR_LEN, "'%s' must be %s in [%g, %g], got %g", name,
                 p->integer ? "an integer" : "a number", p->lo, p->hi, value);
        return -1;
    }
    return 0;
}

/* Builds the training configuration of one trial. */
int mlp_trial_config(const hp_mlp_base *cfg, const hp_space *space, const hp_value *values,
                     hp_train_config *t, char *err)
{
    memset(t, 0, sizeof *t);
    t->net.activation = ACT_RELU;
    t->net.loss = cfg->classification ? LOSS_CROSS_ENTROPY : LOSS_MSE;
    t->net.init = INIT_XAVIER;
    t->opt.kind = OPT_ADAM;
    t->opt.momentum = 0.9;
    t->opt.beta1 = 0.9;
    t->opt.beta2 = 0.999;
    t->opt.epsilon = 1e-8;
    t->sched.kind = SCHED_CONSTANT;
    t->sched.lr = 1e-3;
    t->sched.decay = 0.1;
    t->sched.step = 10;
    t->sched.warmup = -1; /* unset: see below */
    t->sched.epochs = cfg->epochs;
    t->batch_size = 32;
    t->epochs = cfg->epochs;
    t->patience = cfg->patience;
    t->threads = cfg->threads;
    snprintf(t->monitor, sizeof t->monitor, "%s",
             strncmp(cfg->metric, "val_", 4) == 0 ? cfg->metric : "val_loss");
    t->maximize = strncmp(cfg->metric, "val_", 4) == 0 ? cfg->maximize : 0;
    int layers = -1, hidden = 64, widths[MLP_MAX_HIDDEN] = {0}, max_k = 0;
    int rmsprop_alpha_set = 0, decay_set = 0, epsilon_set = 0;
    for (int i = 0; i < space_size(space); i++) {
        const hp_param *p = space_param(space, i);
        if (!space_value_active(values[i]))
            continue; /* inactive: the default stands */
        const char *name = p->name;
        const char *text = space_param_is_text(p)
                               ? p->choices[values[i].index] : NULL;
        double v = values[i].value;
        int e;
        if (strcmp(name, "optimizer") == 0) {
            if (lookup(optimizers, "optimizer", text, &e, err))
                return -1;
            t->opt.kind = (hp_optimizer_kind)e;
        } else if (strcmp(name, "schedule") == 0) {
            if (lookup(schedules, "schedule", text, &e, err))
                return -1;
            t->sched.kind = (hp_schedule_kind)e;
        } else if (strcmp(name, "activation") == 0) {
            if (lookup(activations, "activation", text, &e, err))
                return -1;
            t->net.activation = (hp_activation)e;
        } else if (strcmp(name, "loss") == 0) {
            if (lookup(losses, "loss", text, &e, err))
                return -1;
            t->net.loss = (hp_loss)e;
        } else if (strcmp(name, "init") == 0) {
            if (lookup(inits, "initialiser", text, &e, err))
                return -1;
            t->net.init = (hp_init)e;
        } else if (strcmp(name, "learning_rate") == 0) {
            t->sched.lr = v;
        } else if (strcmp(name, "weight_decay") == 0) {
            t->opt.weight_decay = v;
        } else if (strcmp(name, "dropout") == 0) {
            t->net.dropout = (float)v;
        } else if (strcmp(name, "hidden") == 0) {
            hidden = (int)v;
        } else if (strcmp(name, "layers") == 0) {
            layers = (int)v;
        } else if (strcmp(name, "batch_size") == 0) {
            t->batch_size = (int)v;
        } else if (strcmp(name, "momentum") == 0) {
            t->opt.momentum = v;
        } else if (strcmp(name, "l1") == 0) {
            t->opt.l1 = v;
        } else if (strcmp(name, "l2") == 0) {
            t->opt.l2 = v;
        } else if (strcmp(name, "noise") == 0) {
            t->noise = v;
        } else if (strcmp(name, "lr_decay") == 0) {
            t->sched.decay = v;
            decay_set = 1;
        } else if (strcmp(name, "lr_step") == 0) {
            t->sched.step = (int)v;
        } else if (strcmp(name, "warmup_epochs") == 0) {
            t->sched.warmup = (int)v;
        } else if (strcmp(name, "beta1") == 0) {
            t->opt.beta1 = v;
        } else if (strcmp(name, "beta2") == 0) {
            t->opt.beta2 = v;
            rmsprop_alpha_set = 1;
        } else if (strcmp(name, "epsilon") == 0) {
            t->opt.epsilon = v;
            epsilon_set = 1;
        } else if (strcmp(name, "clip") == 0) {
            t->opt.clip = v;
        } else if (hidden_index(name)) {
            int k = hidden_index(name);
            widths[k - 1] = (int)v;
            max_k = k > max_k ? k : max_k;
        } else {
            snprintf(err, HP_ERR_LEN, "the mlp objective has no parameter '%s'", name);
            return -1;
        }
    }
    /* warm-up works with every schedule; warmup_cosine has 2 epochs of it
       unless told otherwise, the others none */
    if (t->sched.kind != SCHED_WARMUP_COSINE) {
        t->sched.prefix_warmup = t->sched.warmup > 0 ? t->sched.warmup : 0;
        t->sched.warmup = 0;
    } else if (t->sched.warmup < 0) {
        t->sched.warmup = 2;
    }
    if (t->opt.kind == OPT_ADAGRAD && !epsilon_set)
        t->opt.epsilon = 1e-10; /* PyTorch's Adagrad eps */
    if (t->opt.kind == OPT_RMSPROP && !rmsprop_alpha_set)
        t->opt.beta2 = 0.99; /* PyTorch's RMSprop alpha */
    if (!decay_set && t->sched.kind == SCHED_EXPONENTIAL)
        t->sched.decay = 0.95;
    if (!decay_set && t->sched.kind == SCHED_PLATEAU)
        t->sched.decay = 0.5;
    if (t->sched.kind == SCHED_PLATEAU && t->sched.step == 10)
        t->sched.step = 2; /* patience of the plateau schedule */
    if (layers < 0)
        layers = max_k > 0 ? max_k : 1;
    t->net.n_hidden = layers;
    for (int l = 0; l < layers; l++)
        t->net.hidden[l] = widths[l] > 0 ? widths[l] : hidden;
    return 0;
}

