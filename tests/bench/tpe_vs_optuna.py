"""Scores hpsearch's tpe proposal with Optuna's own TPE model of the same
history (tpe_vs_optuna.sh): prints the acquisition log l(x) - log g(x) of the
proposal beside the best of 10000 candidates Optuna draws from l, 20 times.
usage: tpe_vs_optuna.py HISTORY PROPOSAL LABEL"""
import sys

import numpy as np
import optuna
from optuna.distributions import FloatDistribution
from optuna.samplers._tpe.sampler import TPESampler, _split_trials, default_gamma


def main():
    history = np.atleast_2d(np.loadtxt(sys.argv[1]))
    proposal = np.atleast_1d(np.loadtxt(sys.argv[2]))
    dim = proposal.size
    names = ["x%d" % (j + 1) for j in range(dim)]
    dists = {name: FloatDistribution(0, 1) for name in names}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = TPESampler(seed=0)
    study = optuna.create_study(sampler=sampler)
    for row in history:
        study.add_trial(optuna.trial.create_trial(
            params=dict(zip(names, row[:dim])), distributions=dists, value=row[dim]))
    trials = study.get_trials(states=(optuna.trial.TrialState.COMPLETE,))
    below, above = _split_trials(study, trials, default_gamma(len(trials)))
    l_x = sampler._build_parzen_estimator(study, dists, below, True)
    g_x = sampler._build_parzen_estimator(study, dists, above, False)
    rng = np.random.RandomState(1)
    best = []
    for _ in range(20):
        cand = l_x.sample(rng, 10000)
        best.append(float(np.max(l_x.log_pdf(cand) - g_x.log_pdf(cand))))
    point = {name: np.array([proposal[j]]) for j, name in enumerate(names)}
    ours = float(l_x.log_pdf(point)[0] - g_x.log_pdf(point)[0])
    lo, hi = min(best), max(best)
    verdict = "within" if lo - 1e-9 <= ours <= hi + 1e-9 else ("above" if ours > hi else "below")
    print("d=%s n=%s seed=%s  hpsearch %.3f  Optuna best-of-10000 median %.3f range %.3f..%.3f  %s"
          % (*sys.argv[3].split(), ours, float(np.median(best)), lo, hi, verdict))


main()
