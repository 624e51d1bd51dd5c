# The grid sampler runs every grid point exactly once, also with several
# workers and two processes; its budget defaults to the grid size.
. "$E2E_LIB"
cat >g.ini <<EOS
[study]
name = g
sampler = grid
workers = 2
seed = 3
[objective]
type = function
name = sphere
sleep = 0.005
[params]
a = int(-2, 2)
b = choice(-1, 0.5, 3)
c = uniform(0, 1, step=0.25)
d = 7
EOS
"$HPSEARCH" run g.ini >a.log 2>&1 &
pid=$!
"$HPSEARCH" run g.ini >b.log 2>&1 || fail "second process: $(cat b.log)"
wait $pid || fail "first process: $(cat a.log)"
ok
expect_eq "$(q g.db "select trials from studies")" 75 "budget = grid size"
expect_eq "$(q g.db "select count(*) from trials where state = 'COMPLETE'")" 75 "all points ran"
expect_eq "$(q g.db "select count(distinct params_json) from trials")" 75 "each point once"
# the points are exactly the product of the value lists
expected=$(for a in -2 -1 0 1 2; do for b in -1 0.5 3; do for c in 0 0.25 0.5 0.75 1; do
    echo "$a|$b|$c|7"; done; done; done | sort)
got=$(q g.db "select a.value || '|' || b.text || '|' || c.value || '|' || d.text
              from trials t join trial_params a on a.trial_id = t.trial_id and a.name = 'a'
              join trial_params b on b.trial_id = t.trial_id and b.name = 'b'
              join trial_params c on c.trial_id = t.trial_id and c.name = 'c'
              join trial_params d on d.trial_id = t.trial_id and d.name = 'd'" |
      sed 's/\.0|/|/g; s/\.0$//' | sort)
expect_eq "$got" "$expected" "grid points"
# asking for more trials than the grid has stops at the grid
expect_exit 0 "$HPSEARCH" run g.ini --trials 100
expect_eq "$(q g.db "select count(*) from trials")" 75 "no point beyond the grid"
done_ok
