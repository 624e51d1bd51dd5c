# An interrupted trial resumes where it stopped.  The MLP objective
# checkpoints each epoch: a trial killed with kill -9 mid-training resumes
# from its last epoch and ends bit-identical to an uninterrupted run (value,
# every final metric, every epoch's report).  A command objective gets a
# {checkpoint_dir} kept across re-runs of the same trial and removed once
# the trial finishes.
. "$E2E_LIB"
cp "$STUDIES/data/digits.csv" .
mlp_study() { # NAME
    cat >"$1.ini" <<EOS
[study]
name = $1
trials = 1
workers = 1
threads = 1
seed = 5
metric = val_accuracy
direction = maximize
[objective]
type = mlp
dataset = digits.csv
epochs = 30
[params]
hidden = 256
layers = 2
batch_size = 8
learning_rate = 0.0005
dropout = 0.1
noise = 0.05
schedule = plateau
EOS
}
mlp_study ref
expect_exit 0 "$HPSEARCH" run ref.ini --quiet
mlp_study k
"$HPSEARCH" run k.ini --quiet >/dev/null 2>&1 &
pid=$!
# kill -9 once epoch 3 has been reported (between or during epochs)
i=0
while [ "$(q k.db "select coalesce(max(step), 0) from trial_values" 2>/dev/null || echo 0)" -lt 3 ]; do
    i=$((i + 1))
    [ $i -lt 1500 ] || fail "training never reached epoch 3"
    sleep 0.02
done
kill -9 $pid
wait $pid 2>/dev/null || true
killed_at=$(q k.db "select max(step) from trial_values")
[ "$killed_at" -lt 30 ] || fail "the trial finished before the kill"
ok
[ -s k-trials/checkpoint-0/train.ckpt ] || fail "no checkpoint after epoch $killed_at"
ok
expect_eq "$(q k.db "select state from trials")" RUNNING "killed while running"
expect_exit 0 "$HPSEARCH" run k.ini --quiet
expect_eq "$(q k.db "select state from trials")" COMPLETE "resumed and finished"
# the resumed run trained only the epochs after the checkpoint
[ ! -e k-trials/checkpoint-0 ] || fail "the checkpoint is left after the trial finished"
ok
final() {
    q "$1" "select group_concat(name || '=' || printf('%.17g', value), ' ') from
            (select name, value from trial_values where step is null and name not in
             ('train_seconds', 'predict_us_per_sample') order by name)"
}
curve() {
    q "$1" "select group_concat(step || ':' || name || '=' || printf('%.17g', value), ' ') from
            (select step, name, value from trial_values where step is not null
             order by step, name)"
}
expect_eq "$(q k.db "select printf('%.17g', value) from trials")" \
    "$(q ref.db "select printf('%.17g', value) from trials")" "value bit-identical"
expect_eq "$(final k.db)" "$(final ref.db)" "final metrics bit-identical"
expect_eq "$(curve k.db)" "$(curve ref.db)" "every epoch's report, once each"

# a command objective's checkpoint folder survives a re-run of its trial
cat >ck.sh <<'EOS'
#!/bin/sh
d=$HPSEARCH_CHECKPOINT_DIR
[ "$d" = "$2" ] || exit 7
runs=$(cat "$d/runs" 2>/dev/null || echo 0)
echo $((runs + 1)) >"$d/runs"
if [ "$runs" = 0 ]; then
    echo $$ >started
    sleep 30  # the first run is killed here
fi
echo "$runs"
EOS
chmod +x ck.sh
cat >c.ini <<'EOS'
[study]
name = c
trials = 1
[objective]
type = command
command = ./ck.sh {x} {checkpoint_dir}
[params]
x = uniform(0, 1)
EOS
"$HPSEARCH" run c.ini --quiet >/dev/null 2>&1 &
pid=$!
i=0
while [ ! -s started ]; do
    i=$((i + 1))
    [ $i -lt 200 ] || fail "the first run never started"
    sleep 0.05
done
kill -9 $pid
wait $pid 2>/dev/null || true
expect_eq "$(cat c-trials/checkpoint-0/runs)" 1 "the checkpoint folder holds the first run's file"
expect_exit 0 "$HPSEARCH" run c.ini --quiet
expect_eq "$(q c.db "select value from trials")" 1.0 "the re-run saw the first run's checkpoint"
[ ! -e c-trials/checkpoint-0 ] || fail "the checkpoint folder is left after the trial finished"
ok
done_ok
