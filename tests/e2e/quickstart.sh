# The README's quickstart: the shipped study runs, and every query command
# answers on the database it leaves.
. "$E2E_LIB"
cp "$STUDIES/quickstart.ini" .
expect_exit 0 "$HPSEARCH" run quickstart.ini
expect_in out.txt "study has 50/50 finished"
expect_in out.txt "1 worker x 2 threads"
expect_eq "$(q quickstart.db "select count(*) from trials where state='COMPLETE'")" 50 "complete trials"
expect_eq "$(q quickstart.db "pragma integrity_check")" ok "integrity"
expect_eq "$(q quickstart.db "pragma journal_mode")" wal "journal mode"
expect_eq "$(q quickstart.db "pragma user_version")" 7 "schema version"
# the gp sampler reaches branin's minimum 0.397887 in 50 trials
best=$(q quickstart.db "select min(value) from trials")
awk -v b="$best" 'BEGIN { exit !(b < 0.3979 && b >= 0.397887) }' || fail "best $best"
ok
expect_exit 0 "$HPSEARCH" status quickstart.ini
expect_in out.txt "50/50 finished: 50 complete"
expect_in out.txt "importance x"
expect_exit 0 "$HPSEARCH" best quickstart.ini
expect_in out.txt "[params]"
expect_in out.txt "x1 = "
# running again does nothing more: the study is done
expect_exit 0 "$HPSEARCH" run quickstart.ini
expect_in out.txt "0 trials"
expect_eq "$(q quickstart.db "select count(*) from trials")" 50 "no extra trials"
# --version and --help
expect_exit 0 "$HPSEARCH" --version
expect_in out.txt "hpsearch "
expect_exit 0 "$HPSEARCH" run --help
expect_in out.txt "usage: hpsearch run"
expect_exit 2 "$HPSEARCH" frobnicate
expect_in err.txt "unknown command 'frobnicate'"
done_ok
