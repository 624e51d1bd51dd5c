#!/bin/sh
# The search benchmark's real tuning tasks: the MLP objective on the shipped
# digits, iris and diabetes data with a 7-parameter space, tuned by
#   gp + asha, sobol + asha, and gp without pruning,
# each with the same budget of training epochs (EPOCHS_BUDGET, default 30
# trials' worth: 30 x 20 epochs), over SEEDS seeds (default 10), one worker
# so that trials run in number order.  A pruned study runs trials until
# their epochs reach the budget (it resumes with more trials when they fall
# short); its score is the best complete trial among the first trials
# whose epochs fit in the budget.  Prints, per task, the median and
# quartiles of the best validation score of each configuration (iris by
# its validation loss: 30 validation rows make accuracies tie), and how
# many seeds gp + asha won against each of the others.  JOBS=2 runs two
# seeds' studies at once (on two cores: 30 seeds in about 25 minutes);
# TASKS="iris diabetes" runs only those tasks; CONFIGS="gp-asha gp-none"
# only those configurations (gp-none and sobol-asha give the same scores
# whatever the gp's pruned-trial handling, so a change to it needs only
# gp-asha rerun; wins are counted against the configurations run).
#   sh tests/bench/search_mlp.sh [build/engine/hpsearch] [seeds]
set -eu
hpsearch=${1:-build/engine/hpsearch}
case $hpsearch in /*) ;; *) hpsearch=$(pwd)/$hpsearch ;; esac
seeds=${2:-10}
epochs=${EPOCHS:-20}
budget=${EPOCHS_BUDGET:-$((30 * epochs))}
studies=$(cd "$(dirname "$0")/../../studies" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-mlp.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
mkdir "$dir/data"
cp "$studies/data/digits.csv" "$studies/data/iris.csv" "$studies/data/diabetes.csv" "$dir/data/"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

# study NAME TASK SAMPLER PRUNER SEED TRIALS
study() {
    case $2 in
        digits) data=digits.csv label=label kind=classification metric=val_accuracy dir_=maximize ;;
        iris) data=iris.csv label=label kind=classification metric=val_loss dir_=minimize ;;
        diabetes) data=diabetes.csv label=target kind=regression metric=val_r2 dir_=maximize ;;
    esac
    cat >"$dir/$1.ini" <<EOS
[study]
name      = $1
direction = $dir_
metric    = $metric
trials    = $6
workers   = 1
threads   = 1
seed      = $5
sampler   = $3
pruner    = $4
[pruner]
min_resource = 1
reduction    = 3
[objective]
type        = mlp
dataset     = data/$data
label       = $label
task        = $kind
valid_split = 0.2
test_split  = 0.2
epochs      = $epochs
patience    = 0
[params]
learning_rate = loguniform(1e-4, 1e-1)
weight_decay  = loguniform(1e-6, 1e-2)
dropout       = uniform(0.0, 0.5)
hidden        = int(16, 256, log)
layers        = int(1, 3)
batch_size    = choice(16, 32, 64, 128)
optimizer     = choice(sgd, momentum, adam, adamw)
EOS
}

# Epochs the study's trials trained, all of them.
epochs_used() {
    sqlite3 "$dir/$1.db" "select count(*) from trial_values
        where name = 'train_loss' and step is not null"
}

# The best complete trial among the first trials whose epochs fit BUDGET
# (minimized metrics negated, so that higher is better everywhere).
score() {
    sqlite3 "$dir/$1.db" "select t.number, t.state, coalesce(t.value, 'nan'),
        (select count(*) from trial_values v where v.trial_id = t.trial_id
         and v.name = 'train_loss' and v.step is not null)
        from trials t order by t.number" |
        awk -F'|' -v b="$budget" -v sign="$2" '
            { used += $4; if (used > b) exit
              v = sign * $3
              if ($2 == "COMPLETE" && $3 != "nan" && (best == "" || v > best)) best = v }
            END { print (best == "" ? "nan" : best) }'
}

configs=${CONFIGS:-gp-asha sobol-asha gp-none}
out="$dir/scores"
: >"$out"
# one seed's three studies of TASK, in order
run_seed() { # task seed
    for c in $configs; do
        sampler=${c%-*} pruner=${c#*-}
        trials=$((budget / epochs))
        [ "$pruner" = asha ] && trials=$((trials * 5))
        name=$1-$c-$2
        # a pruned study whose trials did not use the budget resumes with
        # twice as many (each trial trains at least one epoch, so this ends)
        while :; do
            study "$name" "$1" "$sampler" "$pruner" "$2" "$trials"
            (cd "$dir" && "$hpsearch" run "$name.ini" --quiet) || return 1
            [ "$(epochs_used "$name")" -lt "$budget" ] && [ "$trials" -lt "$budget" ] || break
            trials=$((trials * 2))
        done
        sign=1
        [ "$1" = iris ] && sign=-1
        echo "$1 $c $2 $(score "$name" "$sign")" >>"$out"
    done
}
# JOBS seeds at a time (default 1): each study has one worker and one
# thread, so its trials and scores are the same whatever runs beside it
jobs=${JOBS:-1}
running=0
tasks=${TASKS:-digits iris diabetes}
for c in $configs; do
    case $c in
        gp-asha | sobol-asha | gp-none) ;;
        *) echo "search_mlp: unknown configuration '$c' in CONFIGS (gp-asha, sobol-asha, gp-none)" >&2; exit 2 ;;
    esac
done
for task in $tasks; do
    case $task in
        digits | iris | diabetes) ;;
        *) echo "search_mlp: unknown task '$task' in TASKS (digits, iris, diabetes)" >&2; exit 2 ;;
    esac
done
for task in $tasks; do
    for seed in $(seq 1 "$seeds"); do
        if [ "$jobs" -le 1 ]; then
            run_seed "$task" "$seed"
            continue
        fi
        run_seed "$task" "$seed" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs" ]; then
            wait
            running=0
        fi
    done
done
wait
expected=$(($(echo $tasks | wc -w) * seeds * $(echo $configs | wc -w)))
[ "$(wc -l <"$out")" -eq "$expected" ] || {
    echo "search_mlp: $(wc -l <"$out") of $expected studies scored (a study failed)" >&2
    exit 1
}
echo "MLP tasks: best validation score (digits val_accuracy, iris -val_loss: its 30"
echo "validation rows make accuracy ties; diabetes val_r2) at $budget epochs,"
echo "$seeds seeds, median [q1, q3]; wins = seeds where gp + asha is strictly better"
awk -v tasks="$tasks" -v configs="$configs" '
    function q(v, n, p,   i, j, t, pos, k) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
        pos = p * (n - 1) + 1; k = int(pos)
        return k < n ? v[k] + (pos - k) * (v[k + 1] - v[k]) : v[k]
    }
    { s[$1, $2, $3] = $4; task[$1] = 1; cfg[$2] = 1; if ($3 > seeds) seeds = $3 }
    END {
        nc = split(configs, C, " ")
        nt = split(tasks, T, " ")
        for (ti = 1; ti <= nt; ti++) {
            t = T[ti]
            for (ci = 1; ci <= nc; ci++) {
                n = 0
                for (sd = 1; sd <= seeds; sd++) v[++n] = s[t, C[ci], sd]
                printf "%-9s %-11s %.4f [%.4f, %.4f]", t, C[ci], q(v, n, 0.5), q(v, n, 0.25), q(v, n, 0.75)
                if (C[ci] != "gp-asha" && cfg["gp-asha"]) {
                    w = 0
                    for (sd = 1; sd <= seeds; sd++) w += s[t, "gp-asha", sd] > s[t, C[ci], sd]
                    printf "   gp-asha wins %d of %d", w, seeds
                }
                printf "\n"
            }
        }
    }' "$out"
