#!/bin/sh
# Conditional search spaces on a real tuning task: the MLP objective on the
# shipped digits data, with optimizer-, schedule- and depth-dependent
# parameters (momentum for momentum/nesterov, beta1 for adam, beta2 for
# adam and rmsprop; lr_step for the step schedule, lr_decay for step and
# exponential; hidden2 from 2 layers, hidden3 from 3): 12 parameters, 5 of
# them always active (warmup_epochs is left out: warm-up applies to every
# schedule, so it would not be irrelevant in the flat space), tuned by gp
# and by tpe,
# once with the conditions and once with the same parameters as a flat
# space (every one sampled in every trial, the irrelevant ones ignored by
# the objective).  TRIALS (50) trials per study, 40 seeds (the second
# argument: the best accuracies differ by a few validation rows, so fewer
# seeds leave the comparison to chance), EPOCHS (6)
# epochs on a 40% validation split (fewer ties between accuracies), one
# worker per study so that model-based proposals are reproducible, JOBS
# (2) studies at a time.  Prints, per sampler, the median and quartiles of
# the best validation accuracy with and without conditions, and on how
# many seeds the conditions won, tied and lost, the mean paired change and
# the sign test's p.
# SAMPLERS ("gp tpe") limits the run to some of them, FIRST_SEED (1) runs
# seeds FIRST_SEED..seeds, and SCHEDULE=0 leaves out the schedule and its
# two parameters (the earlier task: 9 parameters, 4 always active).
#   sh tests/bench/conditions_bench.sh [build/engine/hpsearch] [seeds]
set -eu
hpsearch=${1:-build/engine/hpsearch}
case $hpsearch in /*) ;; *) hpsearch=$(pwd)/$hpsearch ;; esac
seeds=${2:-40}
first=${FIRST_SEED:-1}
trials=${TRIALS:-50}
epochs=${EPOCHS:-6}
jobs=${JOBS:-2}
studies=$(cd "$(dirname "$0")/../../studies" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-cond.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
cp "$studies/data/digits.csv" "$dir/"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

# study NAME SAMPLER SEED CONDITIONAL(0|1)
study() {
    if [ "$4" = 1 ]; then
        m=" if optimizer in (momentum, nesterov)" b1=" if optimizer == adam"
        b2=" if optimizer in (adam, rmsprop)" h2=" if layers >= 2" h3=" if layers >= 3"
        ls=" if schedule == step" ld=" if schedule in (step, exponential)"
    else
        m="" b1="" b2="" h2="" h3="" ls="" ld=""
    fi
    sched="schedule      = choice(constant, step, exponential, cosine)
lr_step       = int(1, 3)$ls
lr_decay      = uniform(0.3, 0.95)$ld
"
    [ "${SCHEDULE:-1}" = 1 ] || sched=""
    cat >"$dir/$1.ini" <<EOS
[study]
name      = $1
direction = maximize
metric    = val_accuracy
trials    = $trials
workers   = 1
threads   = 1
seed      = $3
sampler   = $2
[objective]
type        = mlp
dataset     = digits.csv
label       = label
valid_split = ${VALID:-0.4}
test_split  = 0.1
epochs      = $epochs
patience    = 0
[params]
optimizer     = choice(sgd, momentum, nesterov, rmsprop, adam)
learning_rate = loguniform(1e-4, 1)
momentum      = uniform(0.5, 0.99)$m
beta1         = uniform(0.5, 0.99)$b1
beta2         = uniform(0.9, 0.9999)$b2
${sched}layers        = int(1, 3)
hidden1       = int(16, 256, log)
hidden2       = int(16, 256, log)$h2
hidden3       = int(16, 256, log)$h3
batch_size    = 32
EOS
}

runs=""
for s in $(seq "$first" "$seeds"); do
    for smp in ${SAMPLERS:-gp tpe}; do
        for c in 0 1; do
            name="${smp}_c${c}_s$s"
            study "$name" "$smp" "$s" "$c"
            runs="$runs $name"
        done
    done
done
# JOBS studies at a time; each logs to NAME.log
echo "$runs" | tr ' ' '\n' | grep . |
    xargs -P "$jobs" -I{} sh -c "cd '$dir' && '$hpsearch' run {}.ini > {}.log 2>&1 || echo 'study {} failed' >&2"

best() { sqlite3 "$dir/$1.db" "select max(value) from trials where state = 'COMPLETE'"; }
stats() { # values on stdin -> "median [q1, q3] mean"
    sort -g | awk '{ v[NR] = $1; s += $1 } END {
        printf "%.4f [%.4f, %.4f] %.4f", v[int((NR + 1) / 2)], v[int((NR + 3) / 4)],
            v[int((3 * NR + 3) / 4)], s / NR }'
}
printf 'conditional MLP study (digits, %d trials, %d epochs, %d seeds): best val_accuracy\n' \
    "$trials" "$epochs" "$((seeds - first + 1))"
printf '%-8s %-35s %-35s %s\n' sampler "flat: median [q1, q3] mean" conditional \
    "conditions won/tied/lost, mean change, sign test p"
for smp in ${SAMPLERS:-gp tpe}; do
    flat="" cond="" won=0 tied=0 lost=0
    for s in $(seq "$first" "$seeds"); do
        a=$(best "${smp}_c0_s$s")
        b=$(best "${smp}_c1_s$s")
        flat="$flat $a"
        cond="$cond $b"
        r=$(awk -v a="$a" -v b="$b" 'BEGIN { print (b > a ? "w" : b == a ? "t" : "l") }')
        case $r in w) won=$((won + 1)) ;; t) tied=$((tied + 1)) ;; *) lost=$((lost + 1)) ;; esac
    done
    # the paired mean change, and the two-sided sign test's p over the
    # seeds that did not tie (how often a coin would split them as unevenly)
    change=$(echo "$flat" "$cond" | awk '{ n = NF / 2; for (i = 1; i <= n; i++) d += $(n + i) - $i
        printf "%+.4f", d / n }')
    p=$(awk -v w="$won" -v l="$lost" 'BEGIN { n = w + l; k = w < l ? w : l; c = 1; t = 0
        for (i = 0; i <= k; i++) { t += c; c = c * (n - i) / (i + 1) }
        p = n ? 2 * t / 2 ^ n : 1; printf "%.2f", (p > 1 ? 1 : p) }')
    printf '%-8s %-35s %-35s %d/%d/%d, %s, p = %s\n' "$smp" \
        "$(echo "$flat" | tr ' ' '\n' | grep . | stats)" \
        "$(echo "$cond" | tr ' ' '\n' | grep . | stats)" "$won" "$tied" "$lost" "$change" "$p"
done
