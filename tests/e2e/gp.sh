# sampler = gp through the CLI: two workers and a second process on one
# study, resume after kill -9, ask/tell (each ask starting from the last
# saved fit), importance in status and best,
# determinism with one worker, and bad [sampler] options.
. "$E2E_LIB"
cat >g.ini <<'EOS'
[study]
name = g
trials = 30
workers = 2
seed = 3
sampler = gp
[sampler]
initial_trials = 6
acquisition = logei
batch = constant_liar
[objective]
type = function
name = branin
[params]
x1 = uniform(-5, 10)
x2 = uniform(0, 15)
EOS
"$HPSEARCH" run g.ini --quiet &
pid=$!
"$HPSEARCH" run g.ini --quiet || fail "second process"
wait $pid || fail "first process"
ok
expect_eq "$(q g.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "30 30" "trials"
best=$(q g.db "select min(value) from trials")
# with 4 trials running at once the path depends on timing (a run under a
# loaded CI machine once ended at 1.898 after 30 trials, where 0.40-0.82 is
# usual), so this is only a check that the values are real; the search's
# quality is checked below on the one-worker study, which is reproducible
awk -v b="$best" 'BEGIN { exit !(b < 3) }' ||
    fail "gp on branin with 4 workers got only $best in 30 trials: $(q g.db "select number, state, round(value, 4), worker, sampler, params_json from trials order by number")"
ok
expect_eq "$(q g.db "select count(distinct params_json) from trials")" 30 "no repeated config"
expect_exit 0 "$HPSEARCH" status g.ini
expect_in out.txt "importance x"
expect_exit 0 "$HPSEARCH" best g.db --format json
expect_in out.txt '"importance": {"x'

# resume after kill -9 with slow trials
sed 's/name = g$/name = gk/; s/name = branin/name = branin\nsleep = 0.1/' g.ini >gk.ini
"$HPSEARCH" run gk.ini --quiet &
pid=$!
sleep 1
kill -9 $pid
wait $pid 2>/dev/null || true
expect_exit 0 "$HPSEARCH" run gk.ini --quiet
expect_eq "$(q gk.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "30 30" "resumed gp study"

# one worker: the same seed gives the same trials, and gp finds branin's
# valley (0.4317 in every build; random search's median best of 30 is
# about 1.5)
for r in 1 2; do
    sed "s/name = g$/name = d$r/; s/workers = 2/workers = 1/" g.ini >d$r.ini
    expect_exit 0 "$HPSEARCH" run d$r.ini --quiet
done
best=$(q d1.db "select min(value) from trials")
awk -v b="$best" 'BEGIN { exit !(b < 0.6) }' || fail "gp on branin got only $best in 30 trials"
ok
expect_eq "$(q d1.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "$(q d2.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "deterministic with one worker"

# ask/tell with gp, mixed parameter kinds
cat >a.ini <<'EOS'
[study]
name = a
trials = 14
sampler = gp
[params]
x = uniform(-1, 1)
n = int(1, 20)
c = choice(p, q, r)
EOS
# asks and tells STUDY.ini until it is done, each value from `value`
ask_tell_until_done() {
    while :; do
        set +e
        "$HPSEARCH" ask "$1" --format env >env.txt
        code=$?
        set -e
        [ $code = 4 ] && break
        [ $code = 0 ] || fail "ask exited $code"
        eval "$(cat env.txt)"
        v=$(value)
        "$HPSEARCH" tell "$1" "$HPSEARCH_TRIAL" "$v" || fail "tell"
    done
}
value() {
    awk -v x="$HPSEARCH_PARAM_X" -v n="$HPSEARCH_PARAM_N" -v c="$HPSEARCH_PARAM_C" \
        'BEGIN { print (x - 0.3) ^ 2 + (n - 7) ^ 2 / 100 + (c == "q" ? 0 : 0.5) }'
}
ask_tell_until_done a.ini
expect_eq "$(q a.db "select count(*) from trials where state = 'COMPLETE'")" 14 "asked and told"
# nobody said whether the objective is noisy: after the 8 trials of the
# initial design the best of them is asked again, once, and the same value
# pins the model's noise
expect_eq "$(q a.db "select params_json from trials where number = 8")" \
    "$(q a.db "select params_json from trials where number < 8 order by value limit 1")" \
    "trial 8 repeats the design's best"
expect_eq "$(q a.db "select count(*) - count(distinct params_json) from trials")" 1 "one repeat"
expect_exit 0 "$HPSEARCH" status a.ini
expect_in out.txt "noise      none (a repeated trial gave the same value)"
# a noisy objective: the repeat gives another value, and the noise is
# learned; nothing is repeated after
cat >n.ini <<'EOS'
[study]
name = n
trials = 10
sampler = gp
[params]
x = uniform(-1, 1)
EOS
value() {
    awk -v x="$HPSEARCH_PARAM_X" -v t="$HPSEARCH_TRIAL" 'BEGIN { print (x - 0.3) ^ 2 + t / 1000 }'
}
# two trials into the design, nothing is known yet
for t in 0 1; do
    eval "$("$HPSEARCH" ask n.ini --format env)"
    "$HPSEARCH" tell n.ini "$HPSEARCH_TRIAL" "$(value)" || fail "tell"
done
expect_exit 0 "$HPSEARCH" status n.ini
expect_in out.txt "noise      not known yet (the best trial is repeated after the initial design)"
ask_tell_until_done n.ini
expect_eq "$(q n.db "select params_json from trials where number = 6")" \
    "$(q n.db "select params_json from trials where number < 6 order by value limit 1")" \
    "trial 6 repeats the design's best"
expect_eq "$(q n.db "select count(*) - count(distinct params_json) from trials")" 1 "one repeat"
expect_exit 0 "$HPSEARCH" status n.ini
expect_in out.txt "noise      learned (a repeated trial gave another value)"
# each ask saved the gp's fit for the next process to start from; the
# deterministic model saw the repeated configuration once: 12 of 13 trials
expect_eq "$(q a.db "select sampler || ' ' || trials || ' ' || substr(state, 1, 9) from sampler_state")" \
    "gp 12 gp2 3 52 " "the last fit, on 12 distinct of 13 trials, its kernel (Matern-5/2) and 3 length-scales"
# a saved fit that cannot be read is ignored (the next ask fits from
# scratch) and replaced
q a.db "update sampler_state set state = 'garbage'"
sed -i 's/^trials = 14/trials = 15/' a.ini
expect_exit 0 "$HPSEARCH" ask a.ini
expect_eq "$(q a.db "select substr(state, 1, 6) from sampler_state")" "gp2 3 " "replaced"

# bad options
sed 's/acquisition = logei/acquisition = magic/' g.ini >b.ini
expect_exit 2 "$HPSEARCH" run b.ini
expect_in err.txt "b.ini:9: acquisition must be logei, ei, ucb or pi"
sed 's/initial_trials = 6/initial_trials = many/' g.ini >b.ini
expect_exit 2 "$HPSEARCH" run b.ini
expect_in err.txt "b.ini:8: initial_trials must be a positive integer"
sed 's/batch = constant_liar/colour = blue/' g.ini >b.ini
expect_exit 2 "$HPSEARCH" run b.ini
expect_in err.txt "unknown key 'colour' in [sampler] for sampler gp"
# the prior mean is the worst value seen: a 6-dimensional study does not
# spend trials on the cube's corners, which a mean at the data's average
# made look promising (seeds 3, 4 and 6 put 3, 9 and 6 of 50 trials there)
for sd in 3 4 6; do
    cat >h$sd.ini <<EOS
[study]
name = h$sd
direction = minimize
trials = 50
workers = 1
seed = $sd
sampler = gp
[objective]
type = function
name = hartmann6
[params]
x1 = uniform(0, 1)
x2 = uniform(0, 1)
x3 = uniform(0, 1)
x4 = uniform(0, 1)
x5 = uniform(0, 1)
x6 = uniform(0, 1)
EOS
    expect_exit 0 "$HPSEARCH" run h$sd.ini --quiet
    corners=$(q h$sd.db "select count(*) from trials t where not exists (select 1 from trial_params p
                         where p.trial_id = t.trial_id and p.value > 1e-6 and p.value < 1 - 1e-6)")
    expect_eq "$corners" 0 "seed $sd: trials at a corner"
done
ok
done_ok
