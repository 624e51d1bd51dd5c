"""The multi-objective benchmark's anchors: Optuna 5's NSGAIISampler (its
defaults: population 50) and GPSampler (multi-objective) on the problems
`mo_bench problems` lists, with the same seeds and budget as hpsearch's
samplers.  Objective values come from `mo_bench eval` and hypervolumes from
`mo_bench hv`, so the functions and the measure are exactly hpsearch's.
Appends one row per run to the results file in mo_bench's format; rows
already there are skipped.  Run by tests/bench/mo_bench.sh inside a
virtual environment it makes; never by the build, the tests or CI.
"""
import argparse
import os
import subprocess
import time
import warnings

for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ANCHORS = ["optuna-nsga2", "optuna-gp"]


def problems(binary):
    out = subprocess.run([binary, "problems"], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.split("\n"):
        parts = line.split()
        if parts:
            rows.append((parts[0], int(parts[1]), int(parts[2])))
    return rows


def have(path, problem, sampler, seed):
    if not os.path.exists(path):
        return False
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 3 and p[0] == problem and p[1] == sampler and p[2] == str(seed):
                return True
    return False


def hypervolume(binary, problem, values, n):
    text = "\n".join(" ".join("%.17g" % v for v in row) for row in values[:n]) + "\n"
    out = subprocess.run([binary, "hv", problem, str(n)], input=text, capture_output=True,
                         text=True, check=True)
    return float(out.stdout)


def run(binary, problem, d, k, sampler_name, seed, budget):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    ev = subprocess.Popen([binary, "eval"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          text=True, bufsize=1)
    if sampler_name == "optuna-nsga2":
        sampler = optuna.samplers.NSGAIISampler(seed=seed)
    else:
        sampler = optuna.samplers.GPSampler(seed=seed)
    study = optuna.create_study(directions=["minimize"] * k, sampler=sampler)
    values, spent = [], 0.0
    for _ in range(budget):
        t0 = time.perf_counter()
        trial = study.ask()
        x = [trial.suggest_float("x%d" % i, 0.0, 1.0) for i in range(d)]
        spent += time.perf_counter() - t0
        ev.stdin.write("%s %s\n" % (problem, " ".join("%.17g" % v for v in x)))
        ev.stdin.flush()
        f = [float(v) for v in ev.stdout.readline().split()]
        t0 = time.perf_counter()
        study.tell(trial, f)
        spent += time.perf_counter() - t0
        values.append(f)
    ev.stdin.close()
    ev.wait()
    return (hypervolume(binary, problem, values, min(100, budget)),
            hypervolume(binary, problem, values, budget), 1000 * spent / budget)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True, help="build/tests/mo_bench")
    ap.add_argument("--out", required=True)
    ap.add_argument("--anchors", default=",".join(ANCHORS))
    ap.add_argument("--problems", default="")
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=300)
    a = ap.parse_args()
    # anchor by anchor, seed by seed over the problems: a stopped run has
    # the cheap anchor whole and the same seeds of every problem
    for anchor in a.anchors.split(","):
        for seed in range(1, a.seeds + 1):
            for problem, d, k in problems(a.bench):
                if a.problems and problem not in a.problems.split(","):
                    continue
                if have(a.out, problem, anchor, seed):
                    continue
                hv100, hv_end, ms = run(a.bench, problem, d, k, anchor, seed, a.budget)
                with open(a.out, "a") as f:
                    f.write("%s\t%s\t%d\t%.10g\t%.10g\t%.4g\n" % (problem, anchor, seed, hv100,
                                                                  hv_end, ms))


if __name__ == "__main__":
    main()
