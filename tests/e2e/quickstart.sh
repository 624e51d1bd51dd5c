# The README's quickstart: the shipped study runs, and every query command
# answers on the database it leaves.
. "$E2E_LIB"
cp "$STUDIES/quickstart.ini" .
expect_exit 0 "$HPSEARCH" run quickstart.ini
expect_in out.txt "study has 200/200 finished"
expect_eq "$(q quickstart.db "select count(*) from trials where state='COMPLETE'")" 200 "complete trials"
expect_eq "$(q quickstart.db "pragma integrity_check")" ok "integrity"
expect_eq "$(q quickstart.db "pragma journal_mode")" wal "journal mode"
expect_eq "$(q quickstart.db "pragma user_version")" 3 "schema version"
# sobol over 200 points gets within 1 of branin's minimum 0.397887
best=$(q quickstart.db "select min(value) from trials")
awk -v b="$best" 'BEGIN { exit !(b < 1.4 && b >= 0.397887) }' || fail "best $best"
ok
expect_exit 0 "$HPSEARCH" status quickstart.ini
expect_in out.txt "200/200 finished: 200 complete"
expect_exit 0 "$HPSEARCH" best quickstart.ini
expect_in out.txt "[params]"
expect_in out.txt "x1 = "
# running again does nothing more: the study is done
expect_exit 0 "$HPSEARCH" run quickstart.ini
expect_in out.txt "0 trials"
expect_eq "$(q quickstart.db "select count(*) from trials")" 200 "no extra trials"
# --version and --help
expect_exit 0 "$HPSEARCH" --version
expect_in out.txt "hpsearch "
expect_exit 0 "$HPSEARCH" run --help
expect_in out.txt "usage: hpsearch run"
expect_exit 2 "$HPSEARCH" frobnicate
expect_in err.txt "unknown command 'frobnicate'"
done_ok
