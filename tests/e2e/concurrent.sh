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

# a process whose clock runs 60 s ahead takes nothing from another: SQLite
# judges staleness by watching heartbeats stop, not by comparing clocks
command -v faketime >/dev/null || fail "faketime is needed (apt-get install faketime)"
cat >skew.sh <<'EOS'
#!/bin/sh
echo "$1" >>starts.log
sleep 0.2
echo "hpsearch: value=$1"
EOS
chmod +x skew.sh
: >starts.log
cat >k.ini <<'EOS'
[study]
name = k
trials = 40
workers = 2
[objective]
type = command
command = ./skew.sh {trial}
[params]
x = uniform(0, 1)
EOS
"$HPSEARCH" run k.ini --quiet 2>k1.err &
a=$!
env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" faketime -f "+60s" \
    "$HPSEARCH" run k.ini --quiet 2>k2.err &
b=$!
wait $a || fail "the first process failed: $(cat k1.err)"
wait $b || fail "the process ahead failed: $(cat k2.err)"
expect_eq "$(cut -d' ' -f1 starts.log | sort | uniq -d | wc -l)" 0 "no trial started twice"
expect_eq "$(q k.db "select count(*) from trials where state = 'COMPLETE'")" 40 "40 complete"
expect_eq "$(q k.db "select count(distinct instance) from trials")" 2 "both processes worked"
done_ok
