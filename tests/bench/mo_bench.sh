#!/bin/sh
# The benchmark of multi-objective studies and conditional spaces, in one
# run:
#  1. hypervolume at 100 and 300 evaluations over SEEDS (10) seeds on ZDT1,
#     ZDT2, ZDT3 and DTLZ2 (build/tests/mo_bench) for hpsearch's samplers
#     (auto, nsga2, tpe, random) and Optuna 5's NSGAIISampler and
#     GPSampler (tests/bench/mo_anchors.py), then mo_bench's summary;
#  2. the conditional MLP study (tests/bench/conditions_bench.sh): best
#     validation accuracy at 50 trials for gp and tpe with and without
#     conditions.
# The anchors are installed from PyPI into a virtual environment outside
# the repository ($HPSEARCH_BENCH_VENV, default ~/.cache/hpsearch-bench-venv),
# never by the build, the tests or CI.  Results go to RESULTS (default
# mo-results.tsv); rows already there are skipped, so a stopped run
# resumes.  ANCHORS="" skips Optuna; SKIP_MLP=1 skips part 2.
#   sh tests/bench/mo_bench.sh build [RESULTS]
set -eu
build=${1:-build}
results=${2:-mo-results.tsv}
seeds=${SEEDS:-10}
anchors=${ANCHORS-optuna-nsga2,optuna-gp}
here=$(cd "$(dirname "$0")" && pwd)
bench=$(cd "$build" && pwd)/tests/mo_bench
venv=${HPSEARCH_BENCH_VENV:-$HOME/.cache/hpsearch-bench-venv}
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
[ -x "$bench" ] || { echo "mo_bench.sh: build first (ninja -C $build)" >&2; exit 2; }

if [ -n "$anchors" ] && [ ! -x "$venv/bin/python" ]; then
    echo "mo_bench.sh: installing the anchors into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q "optuna>=5,<6" scipy torch greenlet
fi

"$bench" run "$results" --seeds "$seeds"
if [ -n "$anchors" ]; then
    "$venv/bin/python" "$here/mo_anchors.py" --bench "$bench" --out "$results" \
        --anchors "$anchors" --seeds "$seeds"
fi
"$bench" summary "$results"

if [ -z "${SKIP_MLP:-}" ]; then
    echo
    sh "$here/conditions_bench.sh" "$(cd "$build" && pwd)/engine/hpsearch" "${MLP_SEEDS:-20}"
fi
