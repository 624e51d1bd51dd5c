# Ctrl-C (SIGINT): stop claiming, put running trials back, exit 130; the
# database is consistent and the same command finishes the study.
. "$E2E_LIB"
branin_study c 40 "workers = 2" "sleep = 0.2"
"$HPSEARCH" run c.ini >run.log 2>err.log &
pid=$!
sleep 0.7
kill -INT $pid
set +e
wait $pid
code=$?
set -e
expect_eq "$code" 130 "exit code after SIGINT"
expect_in err.log "interrupted"
expect_eq "$(q c.db "pragma integrity_check")" ok "integrity"
expect_eq "$(q c.db "select count(*) from trials where state = 'RUNNING'")" 0 \
    "no trial left RUNNING"
waiting=$(q c.db "select count(*) from trials where state = 'WAITING'")
[ "$waiting" -ge 1 ] || fail "the interrupted trials should wait to be re-run"
ok
done_before=$(q c.db "select count(*) from trials where state = 'COMPLETE'")
[ "$done_before" -lt 40 ] || fail "the study finished before the interrupt"
ok
# SIGTERM behaves the same
"$HPSEARCH" run c.ini >run.log 2>err.log &
pid=$!
sleep 0.5
kill -TERM $pid
set +e
wait $pid
code=$?
set -e
expect_eq "$code" 130 "exit code after SIGTERM"
expect_exit 0 "$HPSEARCH" run c.ini
expect_eq "$(q c.db "select count(*) from trials where state = 'COMPLETE'")" 40 "complete"
expect_eq "$(q c.db "select count(*) from trials")" 40 "no trial run twice"
done_ok
