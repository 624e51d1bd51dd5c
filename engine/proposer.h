/*
** The bridge between a sampler and storage: proposes the parameters of a
** new trial number inside a claim, and maps a stored trial's parameters
** back to values of the space.  Used by `run` workers and by `ask`.
*/
#ifndef HP_PROPOSER_H
#define HP_PROPOSER_H

#include "../search/sampler.h"
#include "storage.h"
#include "study.h"

typedef struct hp_proposer hp_proposer;

/* A proposer for CFG's sampler (CFG must outlive it).  Returns HP_OK, or
** HP_EINPUT/HP_ENOMEM with err. */
int proposer_new(const hp_study_config *cfg, hp_proposer **out, char *err);
void proposer_free(hp_proposer *p);

/* Where a model-based sampler reads the study's history: STORE (used by
** the caller's thread only) and STUDY_ID.  Needed before proposing when
** proposer_needs_history. */
void proposer_set_store(hp_proposer *p, hp_store *store, int64_t study_id);
int proposer_needs_history(const hp_proposer *p);

/* The sampler's parameter importance (space_dim entries, summing to 1),
** fitted to the study's history now.  Returns 0, or -1 if the sampler has
** no model or the study too few trials. */
int proposer_importance(hp_proposer *p, double *importance, char *err);

/* For model-based samplers, what the model does now, from the history:
** "warm-up 4/10 (...)" or "model-based since trial 10; fitted to val_loss
** at step 3 (...)".  Needs proposer_set_store.  Returns HP_OK, or an error
** code with err. */
int proposer_model_note(hp_proposer *p, char *buf, int len, char *err);

/* What the sampler's model takes the objective's noise to be, from the
** history ("none (a repeated trial gave the same value)"); BUF empty when
** it has nothing to say.  Needs proposer_set_store.  Returns HP_OK, or an
** error code with err. */
int proposer_noise_note(hp_proposer *p, char *buf, int len, char *err);

/* Trial numbers the sampler can propose (grid size, or unbounded). */
uint64_t proposer_capacity(const hp_proposer *p);

/* Which sampler proposes once FINISHED trials have finished, and why (for
** auto; else the sampler's name).  Returns BUF. */
const char *proposer_describe(const hp_proposer *p, int64_t finished, char *buf, int len);

/* An hp_propose_fn: ctx is an hp_proposer. */
int proposer_propose(void *ctx, int64_t number, hp_claim *claim, char *err);

/* The seed a trial's objective gets: from (study seed, trial number). */
uint64_t proposer_trial_seed(uint64_t study_seed, int64_t number);

/* Fills VALUES (space_size entries) from a claimed trial's stored
** parameters.  Returns 0, or -1 with err if one is missing or foreign. */
int proposer_claim_values(const hp_space *space, const hp_claim *claim,
                          hp_value *values, char *err);

/* Appends the values as a JSON object {"name": value, ...}. */
void proposer_values_json(const hp_space *space, const hp_value *values, hp_buf *out);

#endif
