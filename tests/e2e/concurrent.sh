# Two processes on one study file cooperate: no trial number runs twice,
# together they stop at `trials`, and "database is locked" never shows.
. "$E2E_LIB"
branin_study p 60 "workers = 2" "sleep = 0.02"
"$HPSEARCH" run p.ini >a.log 2>a.err &
a=$!
"$HPSEARCH" run p.ini >b.log 2>b.err &
b=$!
wait $a || fail "first process failed: $(cat a.err)"
wait $b || fail "second process failed: $(cat b.err)"
ok
! grep -qi "locked\|busy" a.err b.err a.log b.log || fail "a lock error reached the user"
ok
expect_eq "$(q p.db "select count(*) from trials where state = 'COMPLETE'")" 60 "complete"
expect_eq "$(q p.db "select count(*) || ' ' || count(distinct number) || ' ' || max(number) from trials")" \
    "60 60 59" "trial numbers"
# both really worked (each printed some of the trials)
[ "$(grep -c '^trial ' a.log)" -gt 0 ] && [ "$(grep -c '^trial ' b.log)" -gt 0 ] ||
    fail "one process ran nothing"
ok
expect_eq "$(( $(grep -c '^trial ' a.log) + $(grep -c '^trial ' b.log) ))" 60 \
    "each trial reported by one process"
# four processes of 2 workers on a fresh study of cheap trials: heavy contention
branin_study h 400 "workers = 2" ""
for i in 1 2 3 4; do
    "$HPSEARCH" run h.ini --quiet 2>"h$i.err" &
done
wait
! grep -qi "locked\|busy" h1.err h2.err h3.err h4.err || fail "a lock error reached the user"
expect_eq "$(q h.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "400 400" "four processes"
expect_eq "$(q h.db "pragma integrity_check")" ok "integrity"
done_ok
