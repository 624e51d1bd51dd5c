# A practitioner's first hour, through the real binary: a command written as
# in a shell (relative paths from the study file's folder), a broken
# objective stopped by max_failures with its reason, --retry-failed keeping
# numbers and parameters, a study whose trials all failed saying so, the live
# line's failures and steps, Ctrl-C saying what it waits for, traps refused
# at parse time, a changed sampler recorded, help and "did you mean".
. "$E2E_LIB"

# 1. relative paths work as in a shell in the study file's folder, run from
#    anywhere; {trial_dir} is the trial's own folder
mkdir -p proj/data proj/tools
printf 'x\n3\n' >proj/data/x.csv
cat >proj/tools/train.sh <<'EOS'
#!/bin/sh
# reads its data by a relative path, writes into its trial folder
[ "$1" = --data ] || exit 9
test -f "$2" || { echo "no $2 in $(pwd)" >&2; exit 4; }
echo "model" >"$HPSEARCH_TRIAL_DIR/model.txt" || exit 5
test "$3" = "$HPSEARCH_TRIAL_DIR" || exit 6
awk -v x="$X" 'NR == 2 { print $1 * x }' "$2"
EOS
chmod +x proj/tools/train.sh
cat >proj/s.ini <<'EOS'
[study]
name = s
trials = 4
[objective]
type = command
command = env X={x} tools/train.sh --data data/x.csv {trial_dir}
[params]
x = uniform(0, 1)
EOS
mkdir elsewhere
(cd elsewhere && expect_exit 0 "$HPSEARCH" run ../proj/s.ini)
expect_eq "$(q proj/s.db "select count(*) from trials where state = 'COMPLETE'")" 4 \
    "relative paths from the study's folder"

# 2. a broken objective: the first max_failures (5) trials all fail, the run
#    stops with exit 1 and the reason, printed once as it happens
cat >fix.sh <<'EOS'
#!/bin/sh
[ -f fixed ] || { echo "ModuleNotFoundError: no module named 'torch'" >&2; exit 3; }
echo "$1"
EOS
chmod +x fix.sh
cat >b.ini <<'EOS'
[study]
name = b
trials = 24
workers = 2
[objective]
type = command
command = ./fix.sh {x}
[params]
x = uniform(0, 1)
EOS
expect_exit 1 "$HPSEARCH" run b.ini
expect_in err.txt "max_failures"
expect_in err.txt "ModuleNotFoundError"
expect_in err.txt "--retry-failed"
expect_eq "$(grep -c 'failed: exit code 3' err.txt)" 1 "the first failure printed once"
failed=$(q b.db "select count(*) from trials where state = 'FAILED'")
[ "$failed" -ge 5 ] && [ "$failed" -le 6 ] || fail "stopped after 5 failures, not $failed"
ok
expect_eq "$(q b.db "select count(*) from trials where state not in ('FAILED')")" 0 \
    "no trial left running or waiting"
before=$(q b.db "select group_concat(number || '=' || params_json, ';') from trials order by number")
# fixed: --retry-failed runs the same numbers with the same parameters first
touch fixed
expect_exit 0 "$HPSEARCH" run b.ini --retry-failed
expect_in out.txt "failed trials queued again"
expect_eq "$(q b.db "select count(*) from trials where state = 'COMPLETE'")" 24 "all complete"
expect_eq "$(q b.db "select group_concat(number || '=' || params_json, ';') from trials
                     where number < $failed order by number")" "$before" \
    "retried trials keep their numbers and parameters"
expect_eq "$(q b.db "select count(*) from trials t where value != (select p.value from trial_params p
                     where p.trial_id = t.trial_id)")" 0 "each retried trial ran its parameters"

# a study whose trials all failed says so on the next run, exit 1
rm -f fixed
branin_study allfail 3 "max_failures = 0" "fail_rate = 1"
expect_exit 1 "$HPSEARCH" run allfail.ini
expect_exit 1 "$HPSEARCH" run allfail.ini
expect_in err.txt "has its 3 trials but none complete"

# 3. the live line (on a terminal) shows failures and the running trials'
#    steps; piped output has a line per trial
cat >steps.sh <<'EOS'
#!/bin/sh
[ "$1" = 1 ] && { echo "broken on purpose" >&2; exit 3; }
for s in 1 2 3; do echo "hpsearch: step=$s value=$s"; sleep 0.3; done
echo "hpsearch: value=1"
EOS
chmod +x steps.sh
cat >l.ini <<'EOS'
[study]
name = l
trials = 4
workers = 2
[objective]
type = command
command = ./steps.sh {trial}
[params]
x = uniform(0, 1)
EOS
script -qfc "$HPSEARCH run l.ini" /dev/null >live.txt 2>&1 || fail "run under a terminal"
tr '\r' '\n' <live.txt >live-lines.txt
expect_in live-lines.txt "2 workers x 1 thread"
expect_in live-lines.txt "(1 failed, 0 pruned)"
expect_in live-lines.txt "step 2"
expect_in live-lines.txt "trial 1 failed: exit code 3"
grep -q '^4 trials in ' live-lines.txt || fail "the summary starts on its own line"
ok

# Ctrl-C says what it waits for, and the summary has its own line
branin_study slow 50 "workers = 2" "sleep = 0.5s"
"$HPSEARCH" run slow.ini >slow.out 2>slow.err &
pid=$!
sleep 1
kill -INT $pid
set +e
wait $pid
code=$?
set -e
expect_eq "$code" 130 "interrupted"
expect_in slow.err "waiting for 2 running trials to stop (trial"
grep -q '^[0-9]* trials in ' slow.out || fail "the summary starts on its own line: $(cat slow.out)"
ok

# 5. traps refused when the file is read (exit 2, file:line, nothing written)
cp "$STUDIES/data/iris.csv" "$STUDIES/data/diabetes.csv" .
trap_study() { # NAME STUDY-LINES OBJECTIVE-LINES PARAMS
    printf '[study]\nname = %s\ntrials = 2\n%s\n[objective]\ntype = mlp\n%s\n[params]\n%s\n' \
        "$1" "$2" "$3" "$4" >"$1.ini"
}
trap_study t1 "metric = val_accuracy
direction = maximize" "dataset = diabetes.csv
task = regression" "learning_rate = 0.01"
expect_exit 2 "$HPSEARCH" run t1.ini
expect_in err.txt "t1.ini:4: metric 'val_accuracy' needs task = classification"
trap_study t2 "metric = val_loss
direction = maximize" "dataset = iris.csv" "learning_rate = 0.01"
expect_exit 2 "$HPSEARCH" run t2.ini
expect_in err.txt "t2.ini:5: direction = maximize contradicts metric 'val_loss'"
trap_study t3 "metric = test_accuracy
direction = maximize" "dataset = iris.csv" "learning_rate = 0.01"
expect_exit 2 "$HPSEARCH" run t3.ini
expect_in err.txt "would select on the test set"
expect_in err.txt "use 'val_accuracy'"
trap_study t4 "metric = val_mse" "dataset = diabetes.csv
task = regression" "loss = choice(mse, cross_entropy)"
expect_exit 2 "$HPSEARCH" run t4.ini
expect_in err.txt "t4.ini:10: loss = cross_entropy needs task = classification"
trap_study t5 "" "dataset = iris.csv" "lr = 0.1
LR = 0.2"
expect_exit 2 "$HPSEARCH" run t5.ini
expect_in err.txt "t5.ini:10: parameter 'LR': its name differs from 'lr' only in case"
trap_study t6 "" "dataset = iris.csv" "hidden = [16, 32]"
expect_exit 2 "$HPSEARCH" run t6.ini
expect_in err.txt "a list of values is written choice(16, 32)"
for n in 1 2 3 4 5 6; do
    [ ! -e t$n.db ] || fail "t$n: a refused study wrote a database"
done
ok
# warm-up works with every schedule: a step schedule with warmup_epochs runs
trap_study w "metric = val_accuracy
direction = maximize" "dataset = iris.csv
epochs = 4" "schedule = step
warmup_epochs = 2
optimizer = adagrad"
expect_exit 0 "$HPSEARCH" run w.ini

# 6. regression trains on standardised targets, metrics in original units:
#    diabetes starts near the targets' variance (~5900), not at ~31,000
trap_study r "metric = val_mse" "dataset = diabetes.csv
task = regression
epochs = 1" "learning_rate = 0.001"
expect_exit 0 "$HPSEARCH" run r.ini
awk -v v="$(q r.db "select max(value) from trials")" 'BEGIN { exit !(v > 2000 && v < 10000) }' ||
    fail "first-epoch val_mse $(q r.db "select max(value) from trials") is not in original units near the variance"
ok

# 7. a changed sampler or seed is used and recorded; direction and metric
#    changes are refused
branin_study c 3 "sampler = random" ""
expect_exit 0 "$HPSEARCH" run c.ini --quiet
sed -i 's/sampler = random/sampler = sobol/; s/trials = 3/trials = 6/' c.ini
expect_exit 0 "$HPSEARCH" run c.ini --quiet
expect_in err.txt "was created with sampler random"
expect_eq "$(q c.db "select group_concat(sampler, ',') from (select sampler from trials order by number)")" \
    "random,random,random,sobol,sobol,sobol" "each trial knows its sampler"
expect_exit 0 "$HPSEARCH" status c.ini
expect_in out.txt "samplers   random seed 11 for 3 trials in 0-2; sobol seed 11 for 3 trials in 3-5"
sed -i 's/seed = 11/seed = 11\ndirection = maximize/' c.ini
expect_exit 2 "$HPSEARCH" run c.ini --quiet
expect_in err.txt "minimizes 'value', not maximize 'value'"

# 9. help and messages
expect_exit 0 "$HPSEARCH" version
expect_in out.txt "hpsearch 0."
expect_exit 2 "$HPSEARCH" rnu c.ini
expect_in err.txt "did you mean 'run'"
expect_exit 0 "$HPSEARCH" run --help
expect_in out.txt "the study's total of finished trials"
expect_in out.txt "--retry-failed"
expect_exit 0 "$HPSEARCH" --help
for cmd in run status best trials export ask tell studies version; do
    expect_in out.txt "hpsearch $cmd"
done
expect_in out.txt "130"
expect_exit 2 "$HPSEARCH" run c.ini --workrs 2
expect_in err.txt "did you mean '--workers'"
branin_study k 3 "trails = 3" ""
expect_exit 2 "$HPSEARCH" run k.ini
expect_in err.txt "k.ini:6: unknown key 'trails' in [study] (did you mean 'trials'?)"
# floats in the shortest form that reads back the same
cat >g.ini <<'EOS'
[study]
name = g
sampler = grid
[objective]
type = function
name = sphere
[params]
x = choice(0.2, 0.7)
y = uniform(0, 1, step=0.5)
EOS
expect_exit 0 "$HPSEARCH" run g.ini --quiet
expect_exit 0 "$HPSEARCH" best g.ini --format json
expect_in out.txt '"params": {"x": 0.2, "y": 0}'
expect_exit 0 "$HPSEARCH" trials g.ini --format csv
expect_in out.txt '"{""x"": 0.7, ""y"": 0.5}"'
done_ok
