# sampler = tpe through the CLI: a mixed space on a command objective, the
# startup trials the random sampler's own, determinism with one worker, two
# workers and a second process on one study, ask/tell, bad [sampler]
# options.
. "$E2E_LIB"
cat >obj.sh <<'EOS'
#!/bin/sh
# a bowl in x and log2(n), best with kind = c
case $3 in a) k=1;; b) k=0.5;; c) k=0;; esac
awk -v x="$1" -v n="$2" -v k="$k" 'BEGIN { l = log(n) / log(2); print (x - 0.3)^2 + (l - 5)^2 / 25 + k }'
EOS
chmod +x obj.sh
cat >t.ini <<'EOS'
[study]
name = t
trials = 60
workers = 1
seed = 9
sampler = tpe
[objective]
type = command
command = ./obj.sh {x} {n} {kind}
[params]
x = uniform(-1, 1)
n = int(1, 256, log)
kind = choice(a, b, c)
EOS
expect_exit 0 "$HPSEARCH" run t.ini --quiet
expect_eq "$(q t.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "60 60" "60 trials"
# the model learnt the space: after the startup most trials take kind = c,
# and the best is near the bowl's bottom (random search with this seed: 15
# of the 40 trials, and 0.039)
c=$(q t.db "select count(*) from trials t join trial_params p using (trial_id)
            where t.number >= 20 and p.name = 'kind' and p.text = 'c'")
[ "$c" -ge 22 ] || fail "only $c of trials 20-59 took the best choice"
best=$(q t.db "select min(value) from trials")
awk -v b="$best" 'BEGIN { exit !(b < 0.02) }' || fail "tpe reached only $best in 60 trials"
ok
# the first 10 trials are the random sampler's own
sed 's/^name = t$/name = r/; s/^sampler = tpe/sampler = random/; s/^trials = 60/trials = 10/' t.ini >r.ini
expect_exit 0 "$HPSEARCH" run r.ini --quiet
expect_eq "$(q t.db "select group_concat(params_json, ';') from (select params_json from trials where number < 10 order by number)")" \
    "$(q r.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "startup trials as random's"
expect_exit 0 "$HPSEARCH" status t.ini
expect_in out.txt "tpe"
# one worker: the same seed gives the same trials
sed 's/^name = t$/name = t2/' t.ini >t2.ini
expect_exit 0 "$HPSEARCH" run t2.ini --quiet
expect_eq "$(q t.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "$(q t2.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "deterministic with one worker"
# two workers and a second process on one study: the budget exact
sed 's/^name = t$/name = p/; s/^workers = 1/workers = 2/' t.ini >p.ini
"$HPSEARCH" run p.ini --quiet &
pid=$!
"$HPSEARCH" run p.ini --quiet || fail "second process"
wait $pid || fail "first process"
expect_eq "$(q p.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "60 60" "two processes"
# ask/tell
cat >a.ini <<'EOS'
[study]
name = a
trials = 14
seed = 2
sampler = tpe
[sampler]
initial_trials = 4
multivariate = false
[params]
x = uniform(0, 1)
EOS
i=0
while [ $i -lt 14 ]; do
    "$HPSEARCH" ask a.ini --format env >env.txt || fail "ask failed"
    eval "$(cat env.txt)"
    v=$(awk -v x="$HPSEARCH_PARAM_X" 'BEGIN { print (x - 0.6)^2 }')
    expect_exit 0 "$HPSEARCH" tell a.ini "$HPSEARCH_TRIAL" "$v"
    i=$((i + 1))
done
expect_eq "$(q a.db "select count(*) from trials where state = 'COMPLETE'")" 14 "ask/tell"
# bad options: the file and line, exit 2, nothing written
for bad in "candidates = 0" "multivariate = maybe" "prior_weight = -1" "acquisition = ei"; do
    sed "s/^sampler = tpe/sampler = tpe\n[sampler]\n$bad/; s/^name = t$/name = bad/" t.ini >bad.ini
    expect_exit 2 "$HPSEARCH" run bad.ini
    expect_in err.txt "bad.ini:8:"
    [ ! -e bad.db ] || fail "a bad option wrote bad.db"
done
ok
