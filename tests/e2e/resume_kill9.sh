# kill -9 at an arbitrary moment, then the same command: no finished trial
# is lost or re-run, the trials that were running run again with the same
# parameters, and the study ends with exactly `trials` finished trials.
. "$E2E_LIB"
branin_study k 80 "workers = 2" "sleep = 0.1"
round=0
while [ $round -lt 3 ]; do
    round=$((round + 1))
    "$HPSEARCH" run k.ini >run.log 2>&1 &
    pid=$!
    sleep 0.5
    kill -9 $pid 2>/dev/null || fail "round $round: the run ended before the kill"
    wait $pid 2>/dev/null || true
    q k.db "select number, params_json, finished_at from trials where state = 'COMPLETE'
            order by number" >done_before.txt
    q k.db "select number, params_json from trials where state = 'RUNNING' order by number" \
        >running_before.txt
    [ -s running_before.txt ] || fail "round $round: nothing was running at the kill"
    expect_eq "$(q k.db "pragma integrity_check")" ok "integrity after kill -9"
    # a short resume that is killed again, to resume a resumed study
    "$HPSEARCH" run k.ini >run.log 2>&1 &
    pid=$!
    sleep 0.3
    kill -9 $pid
    wait $pid 2>/dev/null || true
    # completed trials are never rewritten: every row that was complete is
    # still there, unchanged.  Rows are compared as sets, because a trial
    # re-run on resume can finish with a number below a completed one
    q k.db "select number, params_json, finished_at from trials where state = 'COMPLETE'
            order by number" >done_after.txt
    sort done_before.txt >done_before.sorted
    sort done_after.txt >done_after.sorted
    comm -23 done_before.sorted done_after.sorted >lost.txt
    if [ -s lost.txt ]; then
        fail "round $round: completed trials changed after resume: $(head -n 3 lost.txt)"
    fi
    expect_eq "$(comm -12 done_before.sorted done_after.sorted | wc -l)" \
        "$(wc -l <done_before.txt)" "round $round: completed rows kept"
    ok
done
expect_exit 0 "$HPSEARCH" run k.ini
expect_eq "$(q k.db "select count(*) from trials where state = 'COMPLETE'")" 80 "complete"
expect_eq "$(q k.db "select count(*) from trials")" 80 "rows"
expect_eq "$(q k.db "select count(distinct number) || ' ' || max(number) from trials")" "80 79" \
    "numbers"
# the trials killed while running were re-run with the parameters they had
while IFS='|' read -r number params; do
    got=$(q k.db "select params_json from trials where number = $number")
    expect_eq "$got" "$params" "params of re-run trial $number"
done <running_before.txt
# a trial's parameters are what random search gives its number: compare with
# an uninterrupted run of the same study
sed 's/name = k$/name = k/' k.ini >fresh.ini
sed -i 's/^\[study\]$/[study]\nstorage = fresh.db/' fresh.ini
expect_exit 0 "$HPSEARCH" run fresh.ini
expect_eq "$(q k.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "$(q fresh.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "same parameters as an uninterrupted run"
expect_eq "$(q k.db "pragma integrity_check")" ok "integrity"
done_ok
