#!/bin/sh
# The noisy classics' yardstick: the gp sampler with a learned noise (what
# ask/tell and command objectives get) as it was when the search issue was
# filed, commit 967b168.  Builds that commit's search library in a
# throwaway worktree, links this checkout's search_bench.c against it, and
# appends its rows to RESULTS.tsv as sampler gp-967b168, on the same
# problems, seeds and noise draws as auto's rows.  search_bench summary then
# prints both medians per noisy classic.
#
#   sh tests/bench/noisy_baseline.sh RESULTS.tsv [SEEDS]      (default 30)
#
# e.g.  sh tests/bench/noisy_baseline.sh /tmp/n.tsv &&
#       build/tests/search_bench run /tmp/n.tsv --suite noisy --seeds 30 --samplers auto &&
#       build/tests/search_bench summary /tmp/n.tsv
#
# Needs the repository's history (a clone, not an export); about a minute.
# tests/bench/results/noisy-967b168.tsv keeps its 30 seeds.
set -eu
results=${1:?usage: noisy_baseline.sh RESULTS.tsv [SEEDS]}
seeds=${2:-30}
commit=967b168
case $results in /*) ;; *) results=$(pwd)/$results ;; esac
here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
git -C "$repo" cat-file -e "$commit^{commit}" 2>/dev/null || {
    echo "noisy_baseline.sh: commit $commit is not in $repo (a shallow clone?)" >&2
    exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-noisy-baseline.XXXXXX")
cleanup() {
    git -C "$repo" worktree remove --force "$work/src" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
git -C "$repo" worktree add --detach -q "$work/src" "$commit"
meson setup "$work/build" "$work/src" --buildtype=release >"$work/setup.log" 2>&1 ||
    { cat "$work/setup.log" >&2; exit 1; }
ninja -C "$work/build" search/libhpsearch_search.a >"$work/ninja.log" 2>&1 ||
    { cat "$work/ninja.log" >&2; exit 1; }
# this checkout's benchmark, its includes pointed at the old search module
mkdir "$work/bench"
sed "s|\"../../search/|\"$work/src/search/|" "$here/search_bench.c" >"$work/bench/search_bench.c"
# BLAS as that build links it: OpenBLAS when installed, else GSL's own
if pkg-config --exists openblas; then
    blas="-lgsl $(pkg-config --libs openblas)"
else
    blas=$(pkg-config --libs gsl)
fi
# shellcheck disable=SC2086
cc -O2 -std=c11 -D_GNU_SOURCE -I"$here" -o "$work/bench/search_bench" "$work/bench/search_bench.c" \
    "$here/bbob.c" "$work/build/search/libhpsearch_search.a" $blas -lm
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
"$work/bench/search_bench" run "$results" --suite noisy --seeds "$seeds" --samplers gp-$commit
