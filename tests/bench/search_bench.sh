#!/bin/sh
# The search benchmark: hpsearch's samplers (auto, tpe, random, and auto as
# ask/tell runs it) beside Optuna 5's GPSampler and TPESampler, scikit-
# optimize and HEBO, on the 24 BBOB functions in 2, 5 and 10 dimensions
# (budget 20 d), the classics (50 evaluations) and noisy classics, over the
# same seeds; then the GP's proposal times, in `run` and in a fresh `ask`
# process at 500 finished trials (ask_bench.sh); then the MLP tasks (gp + asha
# against sobol + asha and gp alone at equal epochs: search_mlp.sh, unless
# SKIP_MLP is set); on the noisy classics, the learned-noise gp as it was
# when the search issue was filed (noisy_baseline.sh, unless SKIP_BASELINE is
# set or its rows are in RESULTS.tsv); then per-cell medians and quartiles of
# regret and the summary lines.
#
#   sh tests/bench/search_bench.sh BUILD_DIR [RESULTS.tsv] [search_bench options]
#
# e.g.  sh tests/bench/search_bench.sh build /tmp/search.tsv --suite bbob --dims 2
#
# The anchors are installed from PyPI into a virtual environment outside the
# repository ($HPSEARCH_BENCH_VENV, default ~/.cache/hpsearch-bench-venv) the
# first time.  Rows already in RESULTS.tsv are kept and skipped, so a stopped
# run resumes where it was.  ANCHORS (comma-separated) picks anchors, and
# ANCHORS= (empty) runs none: with a copy of tests/bench/results/anchors.tsv
# as RESULTS.tsv, hpsearch's rows are measured against the stored ones; JOBS
# (default 2) runs that many processes side by side.  The full grid takes
# tens of core-hours, most of them in the anchors' GP samplers and HEBO.
set -eu
build=${1:?usage: search_bench.sh BUILD_DIR [RESULTS.tsv] [options]}
shift
results=${1:-$HOME/.cache/hpsearch-search-bench.tsv}
[ $# -gt 0 ] && shift
here=$(dirname "$0")
bench=$build/tests/search_bench
venv=${HPSEARCH_BENCH_VENV:-$HOME/.cache/hpsearch-bench-venv}
jobs=${JOBS:-2}
anchors=${ANCHORS-optuna-gp,optuna-gp-det,optuna-tpe,optuna-tpe-uni,skopt-gp,hebo}
samplers=${SAMPLERS:-auto,tpe,random,auto-asktell}
[ -x "$bench" ] || { echo "search_bench.sh: $bench not built (ninja -C $build)" >&2; exit 2; }
mkdir -p "$(dirname "$results")"

# every library at one thread and its best kernels
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

if [ -n "$anchors" ] && [ ! -x "$venv/bin/python" ]; then
    echo "search_bench.sh: installing the anchors into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "optuna>=5,<6" scipy torch greenlet scikit-optimize
    "$venv/bin/pip" install -q HEBO ||
        echo "search_bench.sh: HEBO did not install; its rows will be missing" >&2
fi

k=0
while [ $k -lt "$jobs" ]; do
    "$bench" run "$results" --samplers "$samplers" --part "$k/$jobs" "$@" &
    k=$((k + 1))
done
wait
if [ -n "$anchors" ]; then
    k=0
    while [ $k -lt "$jobs" ]; do
        "$venv/bin/python" "$here/search_anchors.py" --bench "$bench" --out "$results" \
            --anchors "$anchors" --part "$k/$jobs" -- "$@" &
        k=$((k + 1))
    done
    wait
fi
# the noisy classics' yardstick (noisy_baseline.sh), unless its rows are there
suite=all seeds=10 prev=
for a in "$@"; do
    case $prev in --suite) suite=$a ;; --seeds) seeds=$a ;; esac
    prev=$a
done
if { [ "$suite" = noisy ] || [ "$suite" = all ]; } && [ -z "${SKIP_BASELINE:-}" ] &&
    ! grep -q '	gp-967b168	' "$results" 2>/dev/null; then
    sh "$here/noisy_baseline.sh" "$results" "$seeds"
fi
echo
"$build/tests/sampler_bench" 1 timing | tail -1
sh "$here/ask_bench.sh" "$build/engine/hpsearch" 500
if [ -z "${SKIP_MLP:-}" ]; then
    echo
    sh "$here/search_mlp.sh" "$build/engine/hpsearch" "${MLP_SEEDS:-10}"
fi
echo
"$bench" summary "$results"
