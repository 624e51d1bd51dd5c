# Conditional parameters through the CLI: an inactive parameter has no row,
# no JSON key, no environment variable and no command word; grid runs
# exactly the distinct trials; every sampler keeps to the conditions and
# resumes from a history with absent parameters; proposals are the same
# whatever the worker count; trials/export/best/ask show the absence; the
# MLP objective takes its default; bad conditions are input errors with
# file:line that write nothing.
. "$E2E_LIB"
cat >obj.sh <<'EOS'
#!/bin/sh
# records what it was given, prints a value that prefers sgd near 0.7
env | grep '^HPSEARCH_PARAM_' | sort >"env-$HPSEARCH_TRIAL.txt"
printf '%s\n' "$@" >"args-$HPSEARCH_TRIAL.txt"
awk -v x="$HPSEARCH_PARAM_X" -v m="${HPSEARCH_PARAM_MOMENTUM:-}" \
    -v o="$HPSEARCH_PARAM_OPT" 'BEGIN {
        v = (x - 1) ^ 2
        if (o == "sgd") v += (m - 0.7) ^ 2; else v += 0.5
        print v }'
EOS
chmod +x obj.sh
study() { # NAME SAMPLER EXTRA-STUDY-LINE [x spec] [momentum spec]
    cat >"$1.ini" <<EOS
[study]
name = $1
sampler = $2
seed = 11
$3
[objective]
type = command
command = ./obj.sh "--x={x}" "--momentum={momentum}" --opt {opt}
[params]
x = ${4:-uniform(-5, 10)}
momentum = ${5:-uniform(0.5, 0.99)} if opt in (sgd, nesterov)
opt = choice(sgd, adam, nesterov)
decay = choice(0.1, 0.5) if opt == nesterov and momentum > 0.9
EOS
}
# (the rows of) trials whose parameters break the conditions
broken() {
    q "$1.db" "select count(*) from trials t where
        (exists (select 1 from trial_params p where p.trial_id = t.trial_id and
                 p.name = 'momentum') <>
         exists (select 1 from trial_params p where p.trial_id = t.trial_id and
                 p.name = 'opt' and p.text in ('sgd', 'nesterov')))
     or (exists (select 1 from trial_params p where p.trial_id = t.trial_id and
                 p.name = 'decay') <>
         exists (select 1 from trial_params a join trial_params b on b.trial_id = a.trial_id
                 where a.trial_id = t.trial_id and a.name = 'opt' and a.text = 'nesterov'
                 and b.name = 'momentum' and b.value > 0.9))
     or (json_extract(t.params_json, '\$.momentum') is null) <>
        (not exists (select 1 from trial_params p where p.trial_id = t.trial_id and
                     p.name = 'momentum'))"
}

# 1. grid: the distinct trials, counted exactly.  For each of 4 x: sgd, 3
#    momentum values; nesterov, 3, of which 0.95 (> 0.9) has 2 decays; adam, 1
study g grid "" "uniform(0, 3, step=1)" "uniform(0.55, 0.95, step=0.2)"
expect_exit 0 "$HPSEARCH" run g.ini
expect_eq "$(q g.db "select count(*) from trials where state = 'COMPLETE'")" 32 "grid trials"
expect_eq "$(q g.db "select count(distinct params_json) from trials")" 32 "distinct grid trials"
expect_eq "$(broken g)" 0 "grid trials breaking the conditions"
expect_eq "$(q g.db "select count(*) from trials where params_json like '%decay%'")" 8 \
    "grid trials with decay (4 x of nesterov at momentum 0.95, 2 decays)"

# 2. what a trial sees: adam has no momentum anywhere
n=$(q g.db "select t.number from trials t join trial_params p on p.trial_id = t.trial_id
            where p.name = 'opt' and p.text = 'adam' limit 1")
s=$(q g.db "select t.number from trials t join trial_params p on p.trial_id = t.trial_id
            where p.name = 'opt' and p.text = 'sgd' limit 1")
cd g-trials 2>/dev/null || true
cd "$T"
envs=$(find . -name "env-$n.txt" | head -1)
[ -n "$envs" ] || fail "no env file of trial $n"
grep -q MOMENTUM "$envs" && fail "trial $n (adam) has HPSEARCH_PARAM_MOMENTUM"
ok
grep -q '^--momentum' "$(find . -name "args-$n.txt" | head -1)" && fail "trial $n got --momentum"
ok
expect_in "$(find . -name "args-$n.txt" | head -1)" "--opt"
expect_in "$(find . -name "env-$s.txt" | head -1)" "HPSEARCH_PARAM_MOMENTUM="
expect_in "$(find . -name "args-$s.txt" | head -1)" "--momentum=0."
json=$(q g.db "select params_json from trials where number = $n")
case $json in *momentum*) fail "trial $n's params_json has momentum: $json" ;; esac
ok
expect_eq "$(q g.db "select count(*) from trial_params p join trials t using(trial_id)
                     where t.number = $n")" 2 "rows of an adam trial (x, opt)"

# 3. trials, export, best
expect_exit 0 "$HPSEARCH" export g.ini --format csv -o g.csv
for col in param_x param_momentum param_opt param_decay; do
    head -1 g.csv | tr ',' '\n' | grep -qx "$col" || fail "export's header lacks $col: $(head -1 g.csv)"
    ok
done
col=$(head -1 g.csv | tr ',' '\n' | grep -nx param_momentum | cut -d: -f1)
expect_eq "$(grep "^$n," g.csv | cut -d, -f"$col")" "" "an adam trial's momentum cell"
expect_eq "$(grep "^$s," g.csv | cut -d, -f"$col" | cut -c1-2)" "0." "an sgd trial's momentum cell"
expect_exit 0 "$HPSEARCH" export g.ini --format json -o g.json
expect_eq "$(grep -o '"momentum"' g.json | wc -l | tr -d ' ')" \
    "$(q g.db "select count(*) from trial_params where name = 'momentum'")" \
    "momentum keys in the JSON export"
expect_exit 0 "$HPSEARCH" trials g.ini --format csv
expect_exit 0 "$HPSEARCH" best g.ini --format json
expect_in out.txt '"opt": "sgd"'
expect_in out.txt '"momentum": 0.7'

# 4. every sampler keeps to the conditions, and resumes from a history
#    in which parameters are absent (the model-based ones read it back)
# one worker: the model-based proposals then depend on nothing but the
# history, so the comparison with random search below is reproducible
for smp in random sobol tpe gp auto; do
    study "s_$smp" "$smp" "trials = 16
workers = 1"
    expect_exit 0 "$HPSEARCH" run "s_$smp.ini"
    expect_exit 0 "$HPSEARCH" run "s_$smp.ini" --trials 30
    expect_eq "$(q "s_$smp.db" "select count(*) from trials where state = 'COMPLETE'")" 30 \
        "$smp: complete trials"
    expect_eq "$(broken "s_$smp")" 0 "$smp: trials breaking the conditions"
    expect_eq "$(q "s_$smp.db" "select count(distinct p.text) from trial_params p
                                where p.name = 'opt'")" 3 "$smp: optimizers tried"
done
# the models find sgd near 0.7 better than random search does
best_of() { q "$1.db" "select min(value) from trials"; }
for smp in tpe gp; do
    awk -v a="$(best_of "s_$smp")" -v r="$(best_of s_random)" 'BEGIN { exit !(a < r) }' ||
        fail "$smp's best $(best_of "s_$smp") is not below random's $(best_of s_random)"
    ok
done
expect_exit 0 "$HPSEARCH" status s_gp.ini
expect_in out.txt "model-based"

# 5. the same proposals whatever the worker count
for smp in random sobol; do
    study "w1_$smp" "$smp" "trials = 24
workers = 1"
    study "w3_$smp" "$smp" "trials = 24
workers = 3"
    expect_exit 0 "$HPSEARCH" run "w1_$smp.ini"
    expect_exit 0 "$HPSEARCH" run "w3_$smp.ini"
    a=$(q "w1_$smp.db" "select number || ' ' || params_json from trials order by number")
    b=$(q "w3_$smp.db" "select number || ' ' || params_json from trials order by number")
    expect_eq "$a" "$b" "$smp: proposals with 1 and with 3 workers"
done

# 6. ask/tell: absent from ask's environment; tell; the gp reads it back
study at gp "trials = 12"
i=0
while [ $i -lt 12 ]; do
    expect_exit 0 "$HPSEARCH" ask at.ini --format env
    eval "$(cat out.txt)"
    if grep -q HPSEARCH_PARAM_MOMENTUM out.txt; then
        case $HPSEARCH_PARAM_OPT in sgd | nesterov) ;; *) fail "momentum asked with $HPSEARCH_PARAM_OPT" ;; esac
    else
        [ "$HPSEARCH_PARAM_OPT" = adam ] || fail "no momentum asked with $HPSEARCH_PARAM_OPT"
    fi
    ok
    unset HPSEARCH_PARAM_MOMENTUM HPSEARCH_PARAM_DECAY
    expect_exit 0 "$HPSEARCH" tell at.ini "$HPSEARCH_TRIAL" "$i.5"
    i=$((i + 1))
done
expect_eq "$(broken at)" 0 "ask/tell trials breaking the conditions"

# 7. the MLP objective: an inactive parameter takes its default
cp "$STUDIES/data/iris.csv" .
cat >m.ini <<'EOS'
[study]
name = m
direction = maximize
metric = val_accuracy
trials = 6
sampler = random
seed = 3
[objective]
type = mlp
dataset = iris.csv
valid_split = 0.3
epochs = 4
[params]
optimizer = choice(sgd, momentum, adam)
momentum = uniform(0.5, 0.99) if optimizer in (momentum)
beta2 = uniform(0.9, 0.9999) if optimizer == adam
layers = int(1, 3)
hidden3 = int(4, 16, log) if layers >= 3
learning_rate = loguniform(1e-3, 1e-1)
EOS
expect_exit 0 "$HPSEARCH" run m.ini
expect_eq "$(q m.db "select count(*) from trials where state = 'COMPLETE'")" 6 "mlp trials"
expect_eq "$(q m.db "select count(*) from trials t where params_json like '%hidden3%' and
                     json_extract(params_json, '\$.layers') < 3")" 0 "hidden3 with < 3 layers"
expect_eq "$(q m.db "select count(*) from trials t where params_json like '%beta2%' and
                     json_extract(params_json, '\$.optimizer') <> 'adam'")" 0 "beta2 without adam"

# 8. bad conditions: input errors naming file and line, nothing written
bad() { # LINE-OF-PARAM SPEC-LINE MESSAGE
    cat >b.ini <<EOS
[study]
name = b
trials = 3
sampler = random
[objective]
type = command
command = ./obj.sh
[params]
x = uniform(0, 1)
opt = choice(sgd, adam)
$1
EOS
    rm -f b.db
    expect_exit 2 "$HPSEARCH" run b.ini
    expect_in err.txt "b.ini:11: parameter"
    expect_in err.txt "$2"
    [ ! -e b.db ] || fail "a bad condition wrote b.db"
    ok
}
bad "m = uniform(0, 1) if optimizer == sgd" "'optimizer', which is not a parameter"
bad "m = uniform(0, 1) if opt in (sgd, nesterov)" "'nesterov', which is not one of its values"
bad "m = uniform(0, 1) if x > 2" "can never hold"
bad "m = uniform(0, 1) if opt = sgd or opt = adam" "'or' is not supported"
bad "m = uniform(0, 1) if m > 0.5" "names the parameter itself"
cat >c.ini <<'EOS'
[study]
name = c
trials = 3
[objective]
type = command
command = ./obj.sh
[params]
a = choice(p, q) if b == p
b = choice(p, q) if a == q
EOS
expect_exit 2 "$HPSEARCH" run c.ini
expect_in err.txt "c.ini:"
expect_in err.txt "conditions form a cycle"
[ ! -e c.db ] || fail "a cycle wrote c.db"
ok
echo "conditions: $checks checks passed"
