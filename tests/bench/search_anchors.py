"""The search benchmark's anchors: other tools on the same problems.

Runs Optuna's GPSampler (default and deterministic_objective=True) and
TPESampler (default, which is multivariate in Optuna 5, and univariate),
scikit-optimize's gp_minimize and
HEBO on the problems `search_bench problems` lists, with the same seeds and
budgets as hpsearch's samplers, and appends one row per run to the results
file in search_bench's format.  Values come from `search_bench eval`, so the
functions, their instances and their noise are exactly hpsearch's.

Rows already in the file are skipped: a run can be stopped and resumed.
Run by tests/bench/search_bench.sh inside a virtual environment it makes;
never by the build, the tests or CI.
"""
import argparse
import math
import os
import subprocess
import sys
import time
import warnings

# one thread, as hpsearch's samplers are measured (before torch loads)
for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ANCHORS = ["optuna-gp", "optuna-gp-det", "optuna-tpe", "optuna-tpe-uni", "skopt-gp", "hebo"]


class Evaluator:
    """The search_bench eval co-process."""

    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "eval"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def __call__(self, suite, name, dim, seed, k, x):
        line = "%s %s %d %d %d %s\n" % (suite, name, dim, seed, k,
                                          " ".join("%.17g" % v for v in x))
        self.proc.stdin.write(line)
        self.proc.stdin.flush()
        observed, true = self.proc.stdout.readline().split()
        return float(observed), float(true)


class Run:
    """One study: counts evaluations, keeps the best observed trial's true
    regret, and the time spent outside the objective."""

    def __init__(self, evaluator, problem, seed):
        self.evaluator, self.problem, self.seed = evaluator, problem, seed
        self.k = 0
        self.best_observed = math.inf
        self.best_true = math.inf
        self.eval_seconds = 0.0

    def __call__(self, x):
        suite, name, dim, budget, bounds = self.problem
        x = [min(max(float(v), lo), hi) for v, (lo, hi) in zip(x, bounds)]
        t0 = time.perf_counter()
        observed, true = self.evaluator(suite, name, dim, self.seed, self.k, x)
        self.eval_seconds += time.perf_counter() - t0
        self.k += 1
        if observed < self.best_observed:
            self.best_observed, self.best_true = observed, true
        return observed


def run_optuna(run, budget, bounds, seed, kind):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    if kind == "optuna-gp":
        sampler = optuna.samplers.GPSampler(seed=seed)
    elif kind == "optuna-gp-det":
        sampler = optuna.samplers.GPSampler(seed=seed, deterministic_objective=True)
    elif kind == "optuna-tpe":
        sampler = optuna.samplers.TPESampler(seed=seed)
    else:
        sampler = optuna.samplers.TPESampler(seed=seed, multivariate=False)
    study = optuna.create_study(sampler=sampler)

    def objective(trial):
        x = [trial.suggest_float("x%d" % j, lo, hi) for j, (lo, hi) in enumerate(bounds)]
        return run(x)

    study.optimize(objective, n_trials=budget)


def run_skopt(run, budget, bounds, seed):
    from skopt import gp_minimize
    gp_minimize(run, [(lo, hi) for lo, hi in bounds], n_calls=budget, random_state=seed)


def run_hebo(run, budget, bounds, seed):
    import numpy as np
    import pandas as pd
    from hebo.design_space.design_space import DesignSpace
    from hebo.optimizers.hebo import HEBO
    np.random.seed(seed)
    import torch
    torch.manual_seed(seed)
    space = DesignSpace().parse([{"name": "x%d" % j, "type": "num", "lb": lo, "ub": hi}
                                 for j, (lo, hi) in enumerate(bounds)])
    opt = HEBO(space, scramble_seed=seed)
    for _ in range(budget):
        rec = opt.suggest(n_suggestions=1)
        x = [float(rec["x%d" % j].iloc[0]) for j in range(len(bounds))]
        y = run(x)
        opt.observe(rec, np.array([[y]]))


def read_done(path):
    done = set()
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.split("\t")
                if len(p) >= 7:
                    done.add((p[0], p[1], int(p[2]), p[3], int(p[4])))
    return done


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="build/tests/search_bench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--anchors", default=",".join(ANCHORS))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--part", default="0/1")
    ap.add_argument("problem_options", nargs="*",
                    help="passed to search_bench problems (--suite, --dims, --functions)")
    args = ap.parse_args()
    opts = args.problem_options
    if "--seeds" in opts:  # the same seeds as hpsearch's run
        args.seeds = int(opts[opts.index("--seeds") + 1])
    warnings.filterwarnings("ignore")
    listing = subprocess.run([args.bench, "problems"] + args.problem_options, check=True,
                             capture_output=True, text=True).stdout.split("\n")
    problems = []
    for line in listing:
        f = line.split()
        if not f:
            continue
        dim = int(f[2])
        nums = [float(v) for v in f[4:]]
        problems.append((f[0], f[1], dim, int(f[3]),
                         [(nums[2 * j], nums[2 * j + 1]) for j in range(dim)]))
    part, parts = (int(v) for v in args.part.split("/"))
    evaluator = Evaluator(args.bench)
    done = read_done(args.out)
    for index, problem in enumerate(problems):
        if index % parts != part:
            continue
        suite, name, dim, budget, bounds = problem
        for anchor in args.anchors.split(","):
            for seed in range(1, args.seeds + 1):
                if (suite, name, dim, anchor, seed) in done:
                    continue
                run = Run(evaluator, problem, seed)
                t0 = time.perf_counter()
                try:
                    if anchor.startswith("optuna"):
                        run_optuna(run, budget, bounds, seed, anchor)
                    elif anchor == "skopt-gp":
                        run_skopt(run, budget, bounds, seed)
                    elif anchor == "hebo":
                        run_hebo(run, budget, bounds, seed)
                    else:
                        sys.exit("unknown anchor " + anchor)
                except ImportError as e:
                    print("search_anchors: %s is not installed (%s): skipped" % (anchor, e),
                          file=sys.stderr)
                    break
                spent = time.perf_counter() - t0 - run.eval_seconds
                with open(args.out, "a") as f:
                    f.write("%s\t%s\t%d\t%s\t%d\t%.6g\t%.4g\n" % (
                        suite, name, dim, anchor, seed, run.best_true,
                        spent / max(run.k, 1) * 1e3))
        print("search_anchors: %s d=%d done" % (name, dim), file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
