# Objective failures (an error, NaN) mark the trial FAILED with the reason
# and the study goes on; a study where every trial fails exits 1.
. "$E2E_LIB"
branin_study f 40 "workers = 2" "fail_rate = 0.25
nan_rate = 0.25"
expect_exit 0 "$HPSEARCH" run f.ini
expect_eq "$(q f.db "select count(*) from trials where state in ('COMPLETE', 'FAILED')")" 40 \
    "all trials finished"
nerr=$(q f.db "select count(*) from trials where error like 'injected failure%'")
nnan=$(q f.db "select count(*) from trials where error like '%returned NaN%'")
[ "$nerr" -ge 3 ] && [ "$nnan" -ge 3 ] || fail "expected both failure kinds: $nerr, $nnan"
ok
expect_eq "$(q f.db "select count(*) from trials where state = 'FAILED' and value is not null")" \
    0 "failed trials have no value"
expect_eq "$(q f.db "select count(*) from trials where state = 'COMPLETE' and value is null")" \
    0 "complete trials have a value"
branin_study all 5 "" "fail_rate = 1"
expect_exit 1 "$HPSEARCH" run all.ini
expect_in err.txt "all 5 trials of this run failed"
expect_eq "$(q all.db "select count(*) from trials where state = 'FAILED'")" 5 "failed"
done_ok
