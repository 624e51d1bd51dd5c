/*
** The table each sampler kind fills in; private to search/.
*/
#ifndef HP_SAMPLER_IMPL_H
#define HP_SAMPLER_IMPL_H

#include "sampler.h"

typedef struct {
    const char *name;
    /* state is returned in *state; -1 with err on failure */
    int (*create)(const hp_space *space, uint64_t seed, const hp_sampler_options *opt,
                  void **state, char *err);
    void (*destroy)(void *state);
    uint64_t (*capacity)(const void *state);
    int (*propose)(void *state, uint64_t number, const hp_history *history,
                   hp_value *out, char *err);
    int needs_history;
    /* NULL when the kind has no model */
    int (*importance)(const void *state, double *importance);
    /* fits the model to the history without proposing; NULL: no model */
    int (*fit)(void *state, const hp_history *history, char *err);
    /* what it does with FINISHED trials finished, into buf (snprintf's
       return); NULL: its name says it */
    int (*describe)(const void *state, int finished, char *buf, int len);
    /* how many trials with a value it proposes without a model, once
       FINISHED trials have finished; NULL: 0 (no model) */
    int (*initial_trials)(const void *state, int finished);
    /* the last fit as text, and from such a text (see sampler.h); NULL:
       nothing to keep */
    int (*save_model)(const void *state, char *buf, int len, int *trials);
    int (*load_model)(void *state, const char *text, int trials);
    /* what the model takes the objective's noise to be, given HISTORY
       (snprintf's return); NULL: nothing to say */
    int (*noise_note)(const void *state, const hp_history *history, char *buf, int len);
    /* 1 if the model predicted the last proposal among the best; NULL: 0 */
    int (*promising)(const void *state);
} hp_sampler_kind;

extern const hp_sampler_kind sampler_grid_kind;
extern const hp_sampler_kind sampler_random_kind;
extern const hp_sampler_kind sampler_sobol_kind;
extern const hp_sampler_kind sampler_gp_kind;
extern const hp_sampler_kind sampler_tpe_kind;
extern const hp_sampler_kind sampler_auto_kind;
extern const hp_sampler_kind sampler_nsga2_kind;

#endif
