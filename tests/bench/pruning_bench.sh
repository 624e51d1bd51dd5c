#!/bin/sh
# Pruning benchmark: studies/digits.ini with 60 trials of 30 epochs, the same
# seed and sampler, with pruner = none, median and asha.  Prints the epochs
# trained, the wall time and the best val_accuracy of each.  Targets: asha
# trains at most 35% of none's epochs, median at most 60%, each within 0.5
# percentage points of none's best val_accuracy.
#   sh tests/bench/pruning_bench.sh [build/engine/hpsearch]
set -eu
hpsearch=${1:-build/engine/hpsearch}
case $hpsearch in /*) ;; *) hpsearch=$(pwd)/$hpsearch ;; esac
studies=$(cd "$(dirname "$0")/../../studies" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-prune.XXXXXX")
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/data"
cp "$studies/data/digits.csv" "$dir/data/"
echo "pruning benchmark: digits, 60 trials x 30 epochs, random search, seed 42"
printf '%-7s %8s %7s %9s %14s\n' pruner epochs share "wall s" "best val_acc"
base_epochs=0
base_acc=0
for pruner in none median asha; do
    sed -e 's/^trials .*/trials    = 60/' -e 's/^epochs .*/epochs      = 30/' \
        -e "s/^pruner .*//" -e "s/^storage .*/storage   = $pruner.db/" \
        -e "s/^sampler .*/sampler   = random\\npruner    = $pruner/" \
        "$studies/digits.ini" >"$dir/$pruner.ini"
    printf '[pruner]\nmin_resource = 1\nreduction = 3\nwarmup_trials = 5\n' >>"$dir/$pruner.ini"
    s=$(date +%s.%N)
    "$hpsearch" run "$dir/$pruner.ini" --quiet
    e=$(date +%s.%N)
    epochs=$(sqlite3 "$dir/$pruner.db" "select count(*) from trial_values
                                         where name = 'train_loss' and step is not null")
    acc=$(sqlite3 "$dir/$pruner.db" "select max(value) from trials where state = 'COMPLETE'")
    [ "$pruner" = none ] && base_epochs=$epochs && base_acc=$acc
    awk -v p="$pruner" -v n="$epochs" -v b="$base_epochs" -v s="$s" -v e="$e" -v a="$acc" \
        -v ba="$base_acc" 'BEGIN { printf "%-7s %8d %6.1f%% %9.2f %14.4f (%+.2f pp)\n",
                                   p, n, 100 * n / b, e - s, a, 100 * (a - ba) }'
done
