# gp with a pruner learns from pruned trials: they count toward the initial
# design, the model is fitted to the metric at the highest rung enough
# trials reached (pruned ones below the worst there, in the order they stood
# when stopped), so the proposals leave the Sobol sequence once 6 trials have a
# value; status says what the model does, in warm-up and after; asha lets
# past its first rung the trials the model predicted among the best.
. "$E2E_LIB"
cat >curve.sh <<'EOS'
#!/bin/sh
# a bowl at (0.3, 0.6) plus a learning curve 1/step, over 9 steps
x=$1 y=$2
step=1
while [ $step -le 9 ]; do
    echo "hpsearch: step=$step value=$(awk -v x="$x" -v y="$y" -v s=$step \
        'BEGIN { print (x - 0.3) ^ 2 + (y - 0.6) ^ 2 + 1 / s }')"
    step=$((step + 1))
done
echo "hpsearch: value=$(awk -v x="$x" -v y="$y" 'BEGIN { print (x - 0.3) ^ 2 + (y - 0.6) ^ 2 + 1 / 9 }')"
EOS
chmod +x curve.sh
study() { # name sampler trials
    cat >"$1.ini" <<EOS
[study]
name = $1
trials = $3
workers = 1
seed = 5
sampler = $2
pruner = asha
[sampler]
initial_trials = 6
[pruner]
min_resource = 1
reduction = 3
[objective]
type = command
command = ./curve.sh {x} {y}
[params]
x = uniform(0, 1)
y = uniform(0, 1)
EOS
}
study warm gp 4
expect_exit 0 "$HPSEARCH" run warm.ini --quiet
expect_exit 0 "$HPSEARCH" status warm.ini
# with 1 worker ASHA prunes at steps 1 and 3: of 4 trials some are pruned,
# and every finished one counts toward the warm-up
expect_in out.txt "model      warm-up 4/6"
study g gp 24
study s sobol 24
sed -i '/^\[sampler\]/,/^initial_trials/d' s.ini
expect_exit 0 "$HPSEARCH" run g.ini --quiet
expect_exit 0 "$HPSEARCH" run s.ini --quiet
# some of the design is pruned, so the model starting at trial 6 (below)
# counted pruned trials toward it
pruned=$(q g.db "select count(*) from trials where state = 'PRUNED' and number < 6")
awk -v p="$pruned" 'BEGIN { exit !(p >= 1) }' || fail "none of the design pruned: the test needs some"
pruned=$(q g.db "select count(*) from trials where state = 'PRUNED'")
awk -v p="$pruned" 'BEGIN { exit !(p >= 6) }' || fail "only $pruned of 24 pruned: the test needs pruning"
ok
# the first 6 are the design (the study's Sobol points), then the model's
expect_eq "$(q g.db "select params_json from trials where number < 6 order by number")" \
    "$(q s.db "select params_json from trials where number < 6 order by number")" "the design is Sobol's"
same=$(q g.db "attach 's.db' as s; select count(*) from trials g join s.trials o
               on o.number = g.number and o.params_json = g.params_json where g.number >= 6")
expect_eq "$same" 0 "after the design, no proposal is Sobol's"
# and the model finds the bowl better than the Sobol sequence does
gb=$(q g.db "select min(value) from trials where state = 'COMPLETE'")
sb=$(q s.db "select min(value) from trials where state = 'COMPLETE'")
awk -v g="$gb" -v s="$sb" 'BEGIN { exit !(g < s) }' || fail "gp + asha best $gb, sobol + asha $sb"
ok
# the model's verdicts: none for the design, some of the model's proposals
# predicted among the best third, and asha let every one of those past its
# first rung (step 1)
expect_eq "$(q g.db "select count(*) from trials where number < 6 and promising is not null")" 0 \
    "no verdict without a model"
promising=$(q g.db "select count(*) from trials where promising = 1")
awk -v p="$promising" 'BEGIN { exit !(p >= 2) }' || fail "$promising promising trials: the test needs some"
stopped=$(q g.db "select count(*) from trials t where promising = 1 and state = 'PRUNED'
                  and (select max(step) from trial_values v where v.trial_id = t.trial_id) = 1")
expect_eq "$stopped" 0 "no promising trial stopped at the first rung"
expect_exit 0 "$HPSEARCH" status g.ini
expect_in out.txt "model      model-based since trial 6"
grep -q "model .*pruned .*below the worst.*in the order they stood when stopped" out.txt ||
    fail "status does not say how pruned trials are modelled: $(grep model out.txt)"
ok
# status says what became of the promising trials, as the database has it
line=$(grep '^promising ' out.txt) || fail "status has no promising line: $(cat out.txt)"
for state in COMPLETE PRUNED FAILED; do
    word=$(echo "$state" | tr 'A-Z' 'a-z')
    n=$(q g.db "select count(*) from trials where promising = 1 and state = '$state'")
    case "$line" in
    *" $n $word"*) ;;
    *) fail "status: $line; the database has $n $word" ;;
    esac
done
case "$line" in
"promising  $promising trials the model expected among the best third"*) ;;
*) fail "status: $line; the database has $promising promising trials" ;;
esac
# without asha there is no first rung to pass: no such line
sed 's/^pruner *=.*/pruner = none/' g.ini > nopr.ini
grep -q '^pruner = none' nopr.ini || fail "the test could not turn asha off in g.ini"
expect_exit 0 "$HPSEARCH" status nopr.ini
grep -q '^promising ' out.txt && fail "a promising line without asha: $(grep '^promising' out.txt)"
ok
done_ok
