# The query commands on a finished study, from the study file and from the
# database; the trial_summary view; export files.
. "$E2E_LIB"
cat >m.ini <<'EOS'
[study]
name = m
storage = shared.db
direction = maximize
trials = 25
sampler = random
seed = 2
workers = 2
[objective]
type = function
name = six_hump_camel
fail_rate = 0.2
[params]
x = uniform(-3, 3)
y = uniform(-2, 2)
EOS
cat >n.ini <<'EOS'
[study]
name = n
storage = shared.db
trials = 5
[objective]
type = function
name = sphere
[params]
v = choice(1, 2, 3)
EOS
expect_exit 0 "$HPSEARCH" run m.ini
expect_exit 0 "$HPSEARCH" run n.ini
failed=$(q shared.db "select count(*) from trials t join studies s using(study_id) where s.name = 'm' and state = 'FAILED'")
[ "$failed" -ge 1 ] && [ "$failed" -le 15 ] || fail "fail_rate 0.2 gave $failed of 25"
ok

expect_exit 0 "$HPSEARCH" studies shared.db
expect_in out.txt "maximize"
expect_eq "$(grep -c '^[mn] ' out.txt)" 2 "two studies listed"
# a database with two studies needs --study
expect_exit 2 "$HPSEARCH" status shared.db
expect_in err.txt "choose one with --study"
expect_exit 0 "$HPSEARCH" status shared.db --study m
expect_in out.txt "25/25 finished"
expect_in out.txt "$failed failed"
expect_exit 2 "$HPSEARCH" status shared.db --study nope
expect_in err.txt "no study 'nope'"

# best is the largest value (maximize), from the file or the database
best=$(q shared.db "select max(value) from trials t join studies s using(study_id) where s.name='m' and state='COMPLETE'")
expect_exit 0 "$HPSEARCH" best m.ini --format json
expect_in out.txt "\"value\": "
got=$(sed 's/.*"value": \([^,]*\),.*/\1/' out.txt)
awk -v a="$got" -v b="$best" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' ||
    fail "best $got vs $best"
ok
expect_exit 0 "$HPSEARCH" best shared.db --study m
expect_in out.txt "[params]"

# trials: filters, sorting, formats
expect_exit 0 "$HPSEARCH" trials m.ini --state failed --format csv
expect_eq "$(($(wc -l <out.txt) - 1))" "$failed" "failed rows"
expect_in out.txt "injected failure"
expect_exit 0 "$HPSEARCH" trials m.ini --sort value --limit 3 --format csv
expect_eq "$(wc -l <out.txt)" 4 "limit 3 plus header"
first=$(sed -n 2p out.txt | cut -d, -f3)
awk -v a="$first" -v b="$best" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }' ||
    fail "sort by value: $first"
ok
expect_exit 0 "$HPSEARCH" trials m.ini --format json
expect_eq "$(grep -c '"number"' out.txt)" 25 "json rows"
expect_exit 0 "$HPSEARCH" trials m.ini --format table --state complete
expect_in out.txt "COMPLETE"
expect_exit 2 "$HPSEARCH" trials m.ini --state sideways
expect_exit 2 "$HPSEARCH" trials m.ini --format xml

# export
expect_exit 0 "$HPSEARCH" export m.ini --format csv -o m.csv
head -1 m.csv | grep -q '^number,state,value,duration,started_at,finished_at,seed,worker,error,param_x,param_y,metric_value$' ||
    fail "csv header: $(head -1 m.csv)"
ok
expect_eq "$(($(wc -l <m.csv) - 1))" 25 "csv rows"
expect_exit 0 "$HPSEARCH" export n.ini --format json -o n.json
expect_eq "$(grep -c '"params": {"v": ' n.json)" 5 "json export rows"
expect_exit 2 "$HPSEARCH" export n.ini
expect_in err.txt "--format must be csv or json"
[ -z "$(ls ./*.tmp* 2>/dev/null)" ] || fail "export left temporary files"

# the view users query
expect_eq "$(q shared.db "select count(*) from trial_summary where study = 'm'")" 25 "view rows"
expect_eq "$(q shared.db "select json_extract(metrics, '\$.value') = value from trial_summary where study = 'n' and number = 0")" \
    1 "view metrics"
expect_eq "$(q shared.db "pragma integrity_check")" ok "integrity"

# a study file whose database does not exist yet
sed 's/storage = shared.db/storage = never.db/' n.ini >never.ini
expect_exit 2 "$HPSEARCH" status never.ini
expect_in err.txt "has not been run yet"
[ ! -e never.db ] || fail "status created a database"
done_ok
