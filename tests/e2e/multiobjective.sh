# Multi-objective studies through the CLI: metric and direction lists, a
# trial complete only with every objective, the Pareto front from best (INI
# and JSON) and status (size, hypervolume), export's columns, ask/tell with
# a list of values, nsga2 and gp (ParEGO), the MLP's cost metrics,
# constraints, and the input errors (lists of different lengths, a pruner,
# too many objectives, malformed constraints).
. "$E2E_LIB"
cat >zdt.sh <<'EOS'
#!/bin/sh
# ZDT1 in 3 variables; mode "half" leaves f2 out, for the failure test
awk -v a="$HPSEARCH_PARAM_A" -v b="$HPSEARCH_PARAM_B" -v c="$HPSEARCH_PARAM_C" \
    -v mode="${1:-}" 'BEGIN {
    g = 1 + 9 * (b + c) / 2; f2 = g * (1 - sqrt(a / g))
    if (mode == "half") printf "hpsearch: f1=%.17g\n", a
    else printf "hpsearch: f1=%.17g f2=%.17g\n", a, f2 }'
EOS
chmod +x zdt.sh
study() { # NAME SAMPLER TRIALS [EXTRA [study] LINES] [COMMAND ARG]
    cat >"$1.ini" <<EOS
[study]
name = $1
trials = $3
metric = f1, f2
direction = minimize, minimize
sampler = $2
seed = 5
workers = 1
${4:-}
[objective]
type = command
command = ./zdt.sh ${5:-}
[params]
a = uniform(0, 1)
b = uniform(0, 1)
c = uniform(0, 1)
EOS
}
# no complete trial of the study dominates trial N (both objectives minimised)
dominated() {
    q "$1.db" "select count(*) from trials t, trials u,
        (select trial_id, max(case when name = 'f1' then value end) f1,
                max(case when name = 'f2' then value end) f2
         from trial_values where step is null group by trial_id) vt,
        (select trial_id, max(case when name = 'f1' then value end) f1,
                max(case when name = 'f2' then value end) f2
         from trial_values where step is null group by trial_id) vu
        where t.number = $2 and vt.trial_id = t.trial_id and vu.trial_id = u.trial_id
        and u.state = 'COMPLETE' and vu.f1 <= vt.f1 and vu.f2 <= vt.f2
        and (vu.f1 < vt.f1 or vu.f2 < vt.f2)"
}

# 1. the default sampler: gp with ParEGO; the front in best and status
study g auto 30
expect_exit 0 "$HPSEARCH" run g.ini
expect_in out.txt "the first of 2 objectives: 'hpsearch best' lists the Pareto front"
expect_eq "$(q g.db "select direction || '|' || metric from studies")" \
    "minimize, minimize|f1, f2" "the stored objectives"
expect_exit 0 "$HPSEARCH" status g.ini
expect_in out.txt "objectives minimize f1, minimize f2"
expect_in out.txt "gp with ParEGO"
size=$(sed -n 's/^front *\([0-9]*\) trials on the Pareto front of 30 complete.*/\1/p' out.txt)
[ -n "$size" ] && [ "$size" -ge 5 ] || fail "status's front: $(cat out.txt)"
ok
hv=$(sed -n 's/.*hypervolume \([0-9.]*\) .*/\1/p' out.txt)
awk -v h="$hv" 'BEGIN { exit !(h > 0.9 && h <= 1.21) }' || fail "hypervolume '$hv'"
ok
expect_exit 0 "$HPSEARCH" best g.ini
expect_in out.txt "; Pareto front of study 'g': $size of 30 complete trials (minimize f1, minimize f2)"
expect_eq "$(grep -c '^\[params\]' out.txt)" "$size" "an INI block per front trial"
for n in $(sed -n 's/^; trial \([0-9]*\):.*/\1/p' out.txt); do
    expect_eq "$(dominated g "$n")" 0 "trials dominating front trial $n"
done
# the front is sorted by f1, best first
sed -n 's/^; trial [0-9]*: f1 = \([^,]*\),.*/\1/p' out.txt >f1.txt
sort -g f1.txt | cmp -s - f1.txt || fail "front not sorted by f1: $(cat f1.txt)"
ok
expect_exit 0 "$HPSEARCH" best g.ini --format json
expect_in out.txt '"objectives": [{"metric": "f1", "direction": "minimize"}, {"metric": "f2"'
expect_eq "$(grep -o '"trial": ' out.txt | wc -l | tr -d ' ')" "$size" "front trials in JSON"
expect_exit 0 "$HPSEARCH" export g.ini --format csv -o g.csv
head -1 g.csv | grep -q ',metric_f1,metric_f2$' || fail "export's header: $(head -1 g.csv)"
ok
# trials: a column per objective (value is the first)
expect_exit 0 "$HPSEARCH" trials g.ini --format csv
expect_eq "$(head -1 out.txt)" "number,state,value,f2,duration,params,error" "trials' CSV header"
f2=$(q g.db "select printf('%.17g', v.value) from trials t join trial_values v
             using(trial_id) where t.number = 0 and v.name = 'f2' and v.step is null")
# (sqlite3 prints 16 digits: equal to 1e-14)
awk -v a="$(sed -n 2p out.txt | cut -d, -f4)" -v b="$f2" \
    'BEGIN { d = a - b; exit !(a != "" && d * d <= 1e-28 * b * b) }' ||
    fail "trial 0's f2 in trials: $(sed -n 2p out.txt), want $f2"
ok
expect_exit 0 "$HPSEARCH" trials g.ini
expect_in out.txt "number  state     f1                f2"
# the report: the front's section, a marked point per front trial
expect_exit 0 "$HPSEARCH" report g.ini -o g.html
expect_in g.html '<h2 id="front">Pareto front</h2>'
expect_in g.html "<th>objectives</th><td>minimize f1, minimize f2"
expect_eq "$(grep -o 'class="mark top"' g.html | wc -l | tr -d ' ')" "$size" "front marks"
# ParEGO learns: half of the model's last 20 trials sit near b = c = 0 (on
# the front), where a random point lands once in 50
near=$(q g.db "select count(*) from trials where number >= 10 and
               json_extract(params_json, '\$.b') + json_extract(params_json, '\$.c') < 0.2")
[ "$near" -ge 10 ] || fail "only $near of 20 model-based trials near the front"
ok

# 2. nsga2, and the samplers without a model, on two objectives
for smp in nsga2 random sobol; do
    study "s_$smp" "$smp" 40 "[sampler]
population = 10"
    [ "$smp" = nsga2 ] || sed -i '/^\[sampler\]/,/^population/d' "s_$smp.ini"
    expect_exit 0 "$HPSEARCH" run "s_$smp.ini"
    expect_eq "$(q "s_$smp.db" "select count(*) from trials where state = 'COMPLETE'")" 40 \
        "$smp: complete trials"
    expect_exit 0 "$HPSEARCH" best "s_$smp.ini"
done
# nsga2's children breed from the front: after its first population its
# trials are better on average than random search's
avg() { q "$1.db" "select avg(v.value) from trials t join trial_values v using(trial_id)
                   where v.name = 'f2' and v.step is null and t.number >= 20"; }
awk -v a="$(avg s_nsga2)" -v r="$(avg s_random)" 'BEGIN { exit !(a < r) }' ||
    fail "nsga2's later trials (f2 $(avg s_nsga2)) no better than random's ($(avg s_random))"
ok
# one worker: the same proposals again
study s_again nsga2 40 "[sampler]
population = 10"
expect_exit 0 "$HPSEARCH" run s_again.ini
expect_eq "$(q s_again.db "select group_concat(params_json, ';') from
                          (select params_json from trials order by number)")" \
    "$(q s_nsga2.db "select group_concat(params_json, ';') from
                     (select params_json from trials order by number)")" \
    "nsga2 reproduces itself"

# 3. a trial that reports one objective of two fails, with the reason
study h random 3 "" half
expect_exit 1 "$HPSEARCH" run h.ini    # every trial failed
expect_eq "$(q h.db "select count(*) from trials where state = 'FAILED'")" 3 "failed trials"
expect_eq "$(q h.db "select error from trials where number = 0")" \
    "the objective did not report 'f2', the study's objective 2" "the reason"

# 4. ask/tell: a value per objective, separated by commas
cat >at.ini <<'EOS'
[study]
name = at
trials = 4
metric = accuracy, size
direction = maximize, minimize
sampler = random
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" ask at.ini
expect_exit 2 "$HPSEARCH" tell at.ini 0 0.9
expect_in err.txt "has 2 objectives (accuracy, size): give 2 values separated by commas"
expect_exit 2 "$HPSEARCH" tell at.ini 0 0.9,100,3
expect_in err.txt "at most 2 values"
expect_exit 0 "$HPSEARCH" tell at.ini 0 0.9,1500
expect_exit 0 "$HPSEARCH" ask at.ini
expect_exit 0 "$HPSEARCH" tell at.ini 1 0.8,100
expect_exit 0 "$HPSEARCH" ask at.ini
expect_exit 0 "$HPSEARCH" tell at.ini 2 0.7,2000
expect_exit 0 "$HPSEARCH" best at.ini
expect_in out.txt "2 of 3 complete trials (maximize accuracy, minimize size)"
expect_in out.txt "; trial 0: accuracy = 0.9, size = 1500"
expect_in out.txt "; trial 1: accuracy = 0.8, size = 100"
expect_eq "$(q at.db "select value from trials where number = 1")" 0.8 \
    "trials.value holds the first objective"

# 5. the MLP's costs as a second objective
cp "$STUDIES/data/iris.csv" .
cat >m.ini <<'EOS'
[study]
name = m
metric = val_accuracy, n_params
direction = maximize, minimize
trials = 8
seed = 2
[objective]
type = mlp
dataset = iris.csv
valid_split = 0.3
epochs = 4
[params]
hidden = int(2, 64, log)
layers = int(1, 2)
learning_rate = loguniform(1e-3, 1e-1)
EOS
expect_exit 0 "$HPSEARCH" run m.ini
expect_eq "$(q m.db "select count(*) from trial_values where step is null and name in
                     ('n_params', 'train_seconds', 'predict_us_per_sample') and value > 0")" 24 \
    "cost metrics of 8 trials"
# n_params is the network's size: 4 inputs, hidden h, 3 classes, one layer
expect_eq "$(q m.db "select count(*) from trials t join trial_values v using(trial_id)
                     where v.name = 'n_params' and v.step is null and
                     json_extract(t.params_json, '\$.layers') = 1 and
                     v.value <> 4 * json_extract(t.params_json, '\$.hidden') +
                     json_extract(t.params_json, '\$.hidden') +
                     3 * json_extract(t.params_json, '\$.hidden') + 3")" 0 "n_params"

# 6. constraints: infeasible trials are ranked last by every sampler, and
#    best, status and the front hold feasible trials only
cat >size.sh <<'EOS'
#!/bin/sh
awk -v a="$HPSEARCH_PARAM_A" -v b="$HPSEARCH_PARAM_B" -v drop="${1:-}" 'BEGIN {
    if (drop == "drop") printf "hpsearch: value=%.17g\n", (a - 0.2) ^ 2 + (b - 0.5) ^ 2
    else printf "hpsearch: value=%.17g size=%.17g f2=%.17g\n", (a - 0.2) ^ 2 + (b - 0.5) ^ 2,
        a * 100, (1 - a) ^ 2 + b ^ 2 }'
EOS
chmod +x size.sh
constrained() { # NAME SAMPLER METRIC DIRECTION [COMMAND ARG]
    cat >"$1.ini" <<EOS
[study]
name = $1
trials = 30
seed = 1
workers = 1
sampler = $2
metric = $3
direction = $4
constraint = size >= 50, size < 101
[objective]
type = command
command = ./size.sh ${5:-}
[params]
a = uniform(0, 1)
b = uniform(0, 1)
EOS
}
feasible_count() {
    q "$1.db" "select count(*) from trials t join trial_values v using(trial_id)
               where v.name = 'size' and v.step is null and v.value >= 50"
}
constrained k gp value minimize
expect_exit 0 "$HPSEARCH" run k.ini
expect_in out.txt "best feasible"
f=$(feasible_count k)
expect_exit 0 "$HPSEARCH" status k.ini
expect_in out.txt "feasible   $f of 30 complete trials meet the constraints (size >= 50, size < 101)"
expect_exit 0 "$HPSEARCH" best k.ini --format json
a=$(sed -n 's/.*"params": {"a": \([0-9.e-]*\),.*/\1/p' out.txt)
awk -v a="$a" 'BEGIN { exit !(a >= 0.5 && a < 0.6) }' || fail "best's a=$a: not the constrained optimum"
ok
# the gp learns the constraint: most of its model-based trials are feasible
late=$(q k.db "select count(*) from trials t join trial_values v using(trial_id)
               where v.name = 'size' and v.step is null and v.value >= 50 and t.number >= 10")
[ "$late" -ge 15 ] || fail "only $late of 20 model-based trials feasible"
ok
# several objectives: the front holds feasible trials only
for smp in gp nsga2; do
    constrained "kf_$smp" "$smp" "value, f2" "minimize, minimize"
    expect_exit 0 "$HPSEARCH" run "kf_$smp.ini"
    expect_exit 0 "$HPSEARCH" best "kf_$smp.ini"
    expect_in out.txt "complete feasible trials (minimize value, minimize f2)"
    for n in $(sed -n 's/^; trial \([0-9]*\):.*/\1/p' out.txt); do
        expect_eq "$(q "kf_$smp.db" "select v.value >= 50 from trials t join trial_values v
                                    using(trial_id) where t.number = $n and v.name = 'size'
                                    and v.step is null")" 1 "$smp: front trial $n feasible"
    done
done
# a constrained metric never reported: no trial is feasible
constrained kd random value minimize drop
expect_exit 0 "$HPSEARCH" run kd.ini
expect_exit 1 "$HPSEARCH" best kd.ini
expect_in err.txt "no feasible trial yet: its 30 complete trials break the constraints"

# 7. input errors, with file and line, nothing written
bad() { # LINE-TEXT... MESSAGE (the study's metric and direction lines)
    cat >b.ini <<EOS
[study]
name = b
trials = 3
$1
$2
[objective]
type = command
command = ./zdt.sh
[params]
a = uniform(0, 1)
EOS
    rm -f b.db
    expect_exit 2 "$HPSEARCH" run b.ini
    expect_in err.txt "$3"
    [ ! -e b.db ] || fail "a bad study wrote b.db"
    ok
}
bad "metric = f1, f2" "direction = minimize" "b.ini:5: 2 metrics (f1, f2) need 2 directions"
bad "metric = f1, f2, f3, f4" "direction = minimize" "b.ini:4: more than 3 items in the metric list"
bad "metric = f1, f1" "direction = minimize, minimize" "b.ini:4: metric 'f1' is listed twice"
bad "metric = f1, f2" "direction = minimize, upward" "b.ini:5: direction must be minimize or maximize, got 'upward'"
bad "metric = f1, f2
direction = minimize, maximize" "pruner = asha" "b.ini:6: pruner asha compares one metric, and this study has 2 objectives"
bad "metric = f1" "constraint = size <= small" "b.ini:5: constraint: 'size' is compared with something that is not a number"
bad "metric = f1" "constraint = size = 3" "b.ini:5: constraint: 'size' needs <=, <, >= or > and a number"
bad "metric = f1" "constraint = size < 3 and x > 2" "b.ini:5: constraint: unexpected 'and x > 2'"
echo "multiobjective: $checks checks passed"
