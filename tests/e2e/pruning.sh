# Pruning end to end: a command objective with a known learning curve is
# pruned at the right step and its child is gone; ASHA's decisions are the
# same with 1 and 2 workers on a deterministic objective; tell --step exits
# 3 when the pruner says stop; status reports pruned trials.
. "$E2E_LIB"
cat >curve.sh <<'EOS'
#!/bin/sh
# trial 0 learns (1/step), later trials stay bad (10 + 1/step);
# it records its pid and whether it was asked to stop
trial=$1 dir=$2
echo $$ >"$dir/pid-$trial"
trap 'echo term >"$dir/term-$trial"; exit 0' TERM
step=1
while [ $step -le 8 ]; do
    if [ "$trial" = 0 ]; then v=$(awk -v s=$step 'BEGIN { print 1 / s }')
    else v=$(awk -v s=$step 'BEGIN { print 10 + 1 / s }'); fi
    echo "hpsearch: step=$step value=$v"
    sleep 0.1
    step=$((step + 1))
done
echo "hpsearch: value=$v"
EOS
chmod +x curve.sh
mkdir run
cat >m.ini <<'EOS'
[study]
name = m
trials = 2
workers = 1
pruner = median
[pruner]
min_resource = 3
warmup_trials = 1
[objective]
type = command
command = ./curve.sh {trial} {study_dir}/run
kill_grace = 1s
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" run m.ini
expect_eq "$(q m.db "select state from trials where number = 0")" COMPLETE "the good trial"
expect_eq "$(q m.db "select state from trials where number = 1")" PRUNED "the bad trial"
# pruned at min_resource (3): 10 + 1/3 is worse than trial 0's 1/3
expect_eq "$(q m.db "select v.value from trial_values v join trials t using(trial_id)
                     where t.number = 1 and v.name = 'pruned_step'")" 3.0 "pruned step"
expect_eq "$(q m.db "select max(step) from trial_values v join trials t using(trial_id)
                     where t.number = 1 and v.step is not null")" 3 "no report after the stop"
awk -v v="$(q m.db "select value from trials where number = 1")" \
    'BEGIN { exit !(v > 10.33 && v < 10.34) }' || fail "a pruned trial keeps its last value"
ok
[ -e run/term-1 ] || fail "the pruned child was not asked to stop (SIGTERM)"
ok
! alive "$(cat run/pid-1)" || fail "the pruned child is still alive"
ok
expect_exit 0 "$HPSEARCH" status m.ini
expect_in out.txt "1 pruned"
expect_in out.txt "pruning    1 trials pruned"

# A command that prints every step in one write and exits before it can be
# stopped: its reports past the pruned step arrive in the same read, and
# none of them count (how many arrive is a matter of timing, so counting
# them would make the study's pruning depend on the machine's speed).
cat >burst.sh <<'EOS'
#!/bin/sh
# trial 0 is good (1/step), later ones bad (10 + 1/step): all 8 steps at once
awk -v t="$1" 'BEGIN { for (s = 1; s <= 8; s++)
    printf "hpsearch: step=%d value=%g\n", s, (t == 0 ? 0 : 10) + 1 / s
    printf "hpsearch: value=%g\n", (t == 0 ? 0 : 10) + 1 / 8 }'
EOS
chmod +x burst.sh
sed -e 's/^name = m/name = b/' -e 's|^command = .*|command = ./burst.sh {trial}|' m.ini >b.ini
expect_exit 0 "$HPSEARCH" run b.ini --quiet
expect_eq "$(q b.db "select state from trials where number = 1")" PRUNED "the bad burst trial"
expect_eq "$(q b.db "select max(step) from trial_values v join trials t using(trial_id)
                     where t.number = 1 and v.step is not null")" 3 "no report counts after the stop"
expect_eq "$(q b.db "select round(value, 4) from trials where number = 1")" 10.3333 \
    "the pruned trial's value is its pruned step's"

# ASHA on a deterministic objective.  With 1 worker every decision follows
# the rule by hand.  With 2 workers and [pruner] deterministic = true the
# decisions are the same as with 1; without it (asynchronous ASHA, the
# default) every trial still finishes, pruning happens only at rungs and the
# best configuration completes.
cat >asha.sh <<'EOS'
#!/bin/sh
x=$1
step=1
while [ $step -le 9 ]; do
    echo "hpsearch: step=$step value=$(awk -v x="$x" -v s=$step 'BEGIN { print x + 1 / s }')"
    sleep 0.02
    step=$((step + 1))
done
echo "hpsearch: value=$(awk -v x="$x" 'BEGIN { print x + 1 / 9 }')"
EOS
chmod +x asha.sh
for w in 1 2 2d; do
    cat >a$w.ini <<EOS
[study]
name = a$w
trials = 9
workers = ${w%d}
sampler = grid
seed = 4
pruner = asha
[pruner]
min_resource = 1
reduction = 3
deterministic = $([ $w = 2d ] && echo true || echo false)
[objective]
type = command
command = ./asha.sh {x}
[params]
x = choice(0.9, 0.1, 0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6)
EOS
    expect_exit 0 "$HPSEARCH" run a$w.ini --quiet
    expect_eq "$(q a$w.db "select count(*) from trials where state in ('COMPLETE', 'PRUNED')")" 9 \
        "$w worker(s): all finished"
    expect_eq "$(q a$w.db "select count(*) from trial_values where name = 'pruned_step' and
                           value not in (1, 3, 9)")" 0 "$w worker(s): pruned at rungs only"
    expect_eq "$(q a$w.db "select state from trials where params_json = '{\"x\": 0.1}'")" \
        COMPLETE "$w worker(s): the best configuration completes"
done
# 1 worker, by hand: at rung step s, trial N goes on iff its value is among
# the top max(1, floor(n/3)) of the n values that trials 0..N reported at s
expected=$(q a1.db "select number || ' ' || (select p.value from trial_params p where
                    p.trial_id = t.trial_id and p.name = 'x') from trials t order by number" |
    awk '{ x[NR - 1] = $2; n = NR }
         END {
             for (t = 0; t < n; t++) {
                 stop = "-"
                 for (s = 1; s <= 9 && stop == "-"; s *= 3) {
                     m = 0
                     for (o = 0; o < t; o++)
                         if (!(o in cut) || cut[o] >= s) v[m++] = x[o] + 1 / s
                     v[m++] = x[t] + 1 / s
                     keep = int(m / 3); if (keep < 1) keep = 1
                     # the keep-th smallest value is the bar
                     for (a = 0; a < m; a++) for (b = a + 1; b < m; b++)
                         if (v[b] < v[a]) { tmp = v[a]; v[a] = v[b]; v[b] = tmp }
                     if (x[t] + 1 / s > v[keep - 1]) { stop = s; cut[t] = s }
                 }
                 printf "%d:%s\n", t, stop
             }
         }')
got=$(q a1.db "select t.number || ':' || coalesce((select cast(v.value as int) from trial_values v
               where v.trial_id = t.trial_id and v.name = 'pruned_step'), '-')
               from trials t order by t.number")
expect_eq "$got" "$expected" "1 worker: ASHA decisions by hand"
got2=$(q a2d.db "select t.number || ':' || coalesce((select cast(v.value as int) from trial_values v
                 where v.trial_id = t.trial_id and v.name = 'pruned_step'), '-')
                 from trials t order by t.number")
expect_eq "$got2" "$expected" "2 workers, deterministic = true: the same decisions"

# ask/tell: tell --step exits 3 when the trial should stop
cat >t.ini <<'EOS'
[study]
name = t
trials = 3
pruner = median
[pruner]
min_resource = 2
warmup_trials = 1
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" ask t.ini
expect_exit 0 "$HPSEARCH" tell t.ini 0 --step 1 5
expect_exit 0 "$HPSEARCH" tell t.ini 0 --step 2 4
expect_exit 0 "$HPSEARCH" tell t.ini 0 4
expect_exit 0 "$HPSEARCH" ask t.ini
expect_exit 0 "$HPSEARCH" tell t.ini 1 --step 1 9
expect_exit 3 "$HPSEARCH" tell t.ini 1 --step 2 9
expect_eq "$(q t.db "select state || ' ' || value from trials where number = 1")" "PRUNED 9.0" \
    "told trial pruned"
expect_exit 2 "$HPSEARCH" tell t.ini 1 --step 3 1
expect_in err.txt "trial 1 is PRUNED, not RUNNING"

# asha and tell --step: a trial whose stored verdict says the model expects
# it among the best (trials.promising, as gp's proposals carry it) passes
# the first rung however it reads there; the next rung judges it; one
# without the verdict is stopped at the first rung
cat >h.ini <<'EOS'
[study]
name = h
trials = 4
pruner = asha
[pruner]
min_resource = 1
reduction = 3
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" ask h.ini
expect_exit 0 "$HPSEARCH" tell h.ini 0 --step 1 1
expect_exit 0 "$HPSEARCH" tell h.ini 0 --step 3 1
expect_exit 0 "$HPSEARCH" tell h.ini 0 1
expect_exit 0 "$HPSEARCH" ask h.ini
expect_exit 3 "$HPSEARCH" tell h.ini 1 --step 1 9
expect_exit 0 "$HPSEARCH" ask h.ini
q h.db "update trials set promising = 1 where number = 2"
expect_exit 0 "$HPSEARCH" tell h.ini 2 --step 1 9
expect_eq "$(q h.db "select state from trials where number = 2")" "RUNNING" \
    "a promising trial past the first rung"
expect_exit 3 "$HPSEARCH" tell h.ini 2 --step 3 9
expect_eq "$(q h.db "select state from trials where number = 2")" "PRUNED" \
    "the next rung judges it"

# bad pruner settings are input errors with the line
sed 's/pruner = median/pruner = hyperband/' t.ini >b.ini
expect_exit 2 "$HPSEARCH" ask b.ini
expect_in err.txt "b.ini:4: unknown pruner 'hyperband'"
sed 's/min_resource = 2/reduction = 1/' t.ini >b.ini
expect_exit 2 "$HPSEARCH" ask b.ini
expect_in err.txt "b.ini:6: reduction must be an integer >= 2"
done_ok
