# The PostgreSQL backend end to end, through the binary, on the server of
# HP_TEST_PG_URL (started by .ci/run with tests/pg/cluster.sh; the test is
# skipped, exit 77, without one).  Each part has a database of its own.
# Covered: run and the query commands; resume after kill -9; Ctrl-C; two
# and four concurrent processes on one study; grid completeness; ask/tell
# and tell refusing a trial a run worker holds; pruning; bad input
# (password in the URL, wrong password, missing database, no server, a
# server too old);
# copy SQLite -> PostgreSQL -> SQLite; the server restarting mid-run, and
# staying away past the retry bound (the test stops and starts the server
# of HP_TEST_PG_DIR through tests/pg/cluster.sh).
. "$E2E_LIB"
if [ -z "${HP_TEST_PG_URL:-}" ] || [ -z "${HP_TEST_PG_DIR:-}" ]; then
    echo "HP_TEST_PG_URL and HP_TEST_PG_DIR are not set: no PostgreSQL to test against" >&2
    exit 77
fi
: "${PG_CLUSTER:?PG_CLUSTER must name tests/pg/cluster.sh}"
command -v psql >/dev/null || fail "psql (the PostgreSQL client) is needed"
base=${HP_TEST_PG_URL%/*}
admin="$base/postgres"

# fresh_db NAME: a new empty database; prints its URL
fresh_db() {
    db="e2e_$$_$1"
    psql -qAtX -d "$admin" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    echo "$base/$db"
}

# pq URL SQL: one query's rows, unaligned
pq() {
    psql -qAtX -d "$1" -c "$2"
}

# a study of branin on URL: pq_study NAME URL TRIALS [extra lines]; sampler
# random unless the extra lines name one
pq_study() {
    case ${4:-} in
        *sampler*) sampler_line="" ;;
        *) sampler_line="sampler = random" ;;
    esac
    cat >"$1.ini" <<EOS
[study]
name = $1
storage = $2
trials = $3
seed = 5
$sampler_line
$4
[objective]
type = function
name = branin
[params]
x1 = uniform(-5, 10)
x2 = uniform(0, 15)
EOS
}

# the invariants every study keeps: dense numbers, one row per number
check_dense() {
    got=$(pq "$1" "select count(*), count(distinct number), coalesce(max(number) + 1, 0)
                   from trials t join studies s using (study_id) where s.name = '$2'")
    expect_eq "$got" "$3|$3|$3" "$2: $3 trials numbered 0..$(($3 - 1)) once each"
}

# 1. run, status, best, trials, export on PostgreSQL; the schema is made by
#    hpsearch at version 8 (4's tables, the server-side claim, the samplers'
#    last fits, directions of several objectives, the model's verdicts)
U=$(fresh_db run)
pq_study a "$U" 30 "workers = 2
sampler = gp"
expect_exit 0 "$HPSEARCH" run a.ini --quiet
expect_eq "$(pq "$U" "select max(version) from hpsearch_schema")" 8 "schema version"
expect_eq "$(pq "$U" "select count(*) from trials where state = 'COMPLETE'")" 30 "30 complete"
check_dense "$U" a 30
expect_exit 0 "$HPSEARCH" status a.ini
expect_in out.txt "30/30 finished"
expect_exit 0 "$HPSEARCH" best "$U" --format json
expect_in out.txt '"x1"'
expect_exit 0 "$HPSEARCH" trials a.ini --state complete --sort value --limit 3
expect_eq "$(wc -l <out.txt)" 4 "a header and 3 trials"
expect_exit 0 "$HPSEARCH" studies "$U"
expect_in out.txt "30/30"
# the same answers from --storage on a study file that names another place
sed 's|^storage = .*|storage = elsewhere.db|' a.ini >b.ini
expect_exit 0 "$HPSEARCH" best b.ini --storage "$U" --study a
expect_in out.txt "x1 ="
[ ! -e elsewhere.db ] || fail "a query created a database file"

# 2. kill -9 of a run: its trials re-run with their parameters, none lost
U=$(fresh_db kill)
cat >slow.sh <<'EOS'
#!/bin/sh
sleep 0.3
awk -v a="$1" -v b="$2" 'BEGIN { print "hpsearch: value=" (a - 0.3)^2 + (b - 0.6)^2 }'
EOS
chmod +x slow.sh
cat >k.ini <<EOS
[study]
name = k
storage = $U
trials = 16
workers = 4
seed = 3
sampler = random
[objective]
type = command
command = ./slow.sh {a} {b}
[params]
a = uniform(0, 1)
b = uniform(0, 1)
EOS
"$HPSEARCH" run k.ini --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 100); do
    n=$(pq "$U" "select count(*) from trials where state = 'COMPLETE'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 4 ] && break
    sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null || true
# a trial claimed a moment before the kill may still have its parameters
# pending (proposed after the claim): the next claimer proposes them
pq "$U" "select number || '=' || params_json from trials where state = 'RUNNING'
         and params_json <> '' order by number" >held.txt
[ -s held.txt ] || fail "no trial was running with its parameters when the process was killed"
expect_exit 0 "$HPSEARCH" run k.ini --quiet
check_dense "$U" k 16
expect_eq "$(pq "$U" "select count(*) from trials where state = 'COMPLETE'")" 16 "16 complete"
while IFS= read -r pair; do
    num=${pair%%=*}
    expect_eq "$(pq "$U" "select number || '=' || params_json from trials where number = $num
                          and state = 'COMPLETE'")" "$pair" "trial $num re-run as it was"
done <held.txt
# and every trial has the parameters the random sampler gives its number,
# as a fresh uninterrupted run into SQLite has them
expect_exit 0 "$HPSEARCH" run k.ini --quiet --storage k-fresh.db
expect_eq "$(pq "$U" "select string_agg(params_json, ';' order by number) from trials")" \
    "$(q k-fresh.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "the killed study's parameters are an uninterrupted run's"

# 3. Ctrl-C: exit 130, running trials go back to the queue, the same
#    command finishes the study
U=$(fresh_db sigint)
sed "s|^storage = .*|storage = $U|; s/^name = k/name = c/" k.ini >c.ini
"$HPSEARCH" run c.ini --quiet >/dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
set +e
wait $pid
code=$?
set -e
expect_eq "$code" 130 "Ctrl-C exit code"
expect_eq "$(pq "$U" "select count(*) from trials where state = 'RUNNING'")" 0 "nothing left running"
expect_exit 0 "$HPSEARCH" run c.ini --quiet
check_dense "$U" c 16

# 4. two and four processes on one study: the budget exact, numbers once
for procs in 2 4; do
    U=$(fresh_db conc$procs)
    pq_study p "$U" 300 "workers = 2"
    i=0
    while [ $i -lt $procs ]; do
        "$HPSEARCH" run p.ini --quiet >"p$i.out" 2>&1 &
        i=$((i + 1))
    done
    wait
    check_dense "$U" p 300
    expect_eq "$(pq "$U" "select count(*) from trials where state = 'COMPLETE'")" 300 \
        "$procs processes: 300 complete"
    expect_eq "$(pq "$U" "select count(distinct worker) > $procs from trials")" t \
        "$procs processes: every process worked"
done

# 5. grid completeness over three processes: each point once
U=$(fresh_db grid)
cat >g.ini <<EOS
[study]
name = g
storage = $U
sampler = grid
trials = 100
workers = 2
[objective]
type = function
name = branin
[params]
x1 = choice(-5, -2, 0, 3, 6, 9)
x2 = choice(0, 5, 10, 15)
EOS
"$HPSEARCH" run g.ini --quiet & "$HPSEARCH" run g.ini --quiet & "$HPSEARCH" run g.ini --quiet &
wait
expect_eq "$(pq "$U" "select count(*), count(distinct params_json) from trials
                      where state = 'COMPLETE'")" "24|24" "24 grid points, each once"

# 6. ask/tell; tell refuses a trial that a run worker holds, --force takes it
U=$(fresh_db ask)
pq_study t "$U" 3 ""
expect_exit 0 "$HPSEARCH" ask t.ini
expect_in out.txt '"trial": 0'
expect_exit 0 "$HPSEARCH" tell t.ini 0 1.25
expect_eq "$(pq "$U" "select state || ' ' || value from trials where number = 0")" \
    "COMPLETE 1.25" "told"
sed "s|^storage = .*|storage = $U|; s/^name = k/name = held/; s/^trials = 16/trials = 1/;
     s/^workers = 4/workers = 1/; s/sleep 0.3/sleep 3/" k.ini >held.ini
sed 's/sleep 0.3/sleep 3/' slow.sh >slow3.sh
chmod +x slow3.sh
sed -i 's|./slow.sh|./slow3.sh|' held.ini
"$HPSEARCH" run held.ini --quiet >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 50); do
    [ "$(pq "$U" "select count(*) from trials t join studies s using (study_id)
                  where s.name = 'held' and state = 'RUNNING'")" = 1 ] && break
    sleep 0.1
done
expect_exit 2 "$HPSEARCH" tell held.ini 0 7
expect_in err.txt "being run by a 'run' worker"
expect_exit 0 "$HPSEARCH" tell held.ini 0 7 --force
wait $pid || true
expect_eq "$(pq "$U" "select value from trials t join studies s using (study_id)
                      where s.name = 'held'")" 7 "the forced value stays"

# 7. pruning decided from PostgreSQL
U=$(fresh_db prune)
cat >curve.sh <<'EOS'
#!/bin/sh
step=1
while [ $step -le 6 ]; do
    if [ "$1" = 0 ]; then v=$(awk -v s=$step 'BEGIN { print 1 / s }')
    else v=$(awk -v s=$step 'BEGIN { print 10 + 1 / s }'); fi
    echo "hpsearch: step=$step value=$v"
    sleep 0.05
    step=$((step + 1))
done
echo "hpsearch: value=$v"
EOS
chmod +x curve.sh
cat >m.ini <<EOS
[study]
name = m
storage = $U
trials = 3
workers = 1
pruner = median
[pruner]
min_resource = 2
warmup_trials = 1
[objective]
type = command
command = ./curve.sh {trial}
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" run m.ini --quiet
expect_eq "$(pq "$U" "select string_agg(state, ',' order by number) from trials")" \
    "COMPLETE,PRUNED,PRUNED" "later trials pruned"
expect_exit 0 "$HPSEARCH" status m.ini
expect_in out.txt "2 pruned"

# 8. bad input: exit 2, a clear message, never a password, nothing written
pq_study bad "postgresql://secret:hunter2@127.0.0.1:1/x" 3 ""
expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "has a password in it"
grep -q hunter2 err.txt out.txt && fail "the password was printed"
port=${base##*:}
pq_study bad "postgresql://secret@127.0.0.1:$port/hpsearch" 3 ""
PGPASSWORD=wrong-one expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "password authentication failed"
grep -q wrong-one err.txt && fail "the password was printed"
pq_study bad "$base/no_such_db_$$" 3 ""
expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "does not exist"
free_port=$(awk 'BEGIN { srand(); print 40000 + int(rand() * 20000) }')
while ss -Htln "sport = :$free_port" | grep -q .; do free_port=$((free_port + 1)); done
pq_study bad "postgresql://postgres@127.0.0.1:$free_port/hpsearch" 3 ""
expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "cannot connect to"
# a server too old (a stand-in that says it is PostgreSQL 11.22)
"$OLD_PG_SERVER" old.port &
old_pid=$!
i=0
while [ ! -s old.port ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
old_port=$(cat old.port)
pq_study bad "postgresql://postgres@127.0.0.1:$old_port/hpsearch?sslmode=disable" 3 ""
expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "is PostgreSQL 11.22, too old: hpsearch needs PostgreSQL 12 or newer"
expect_exit 2 "$HPSEARCH" status "postgresql://postgres@127.0.0.1:$old_port/x?sslmode=disable"
expect_in err.txt "too old"
kill $old_pid
wait $old_pid 2>/dev/null || true
pq_study bad "mysql://u@h/db" 3 ""
expect_exit 2 "$HPSEARCH" run bad.ini
expect_in err.txt "bad.ini:3: storage 'mysql://u@h/db' is not supported"
# the right password through PGPASSWORD works
U=$(fresh_db secret)
psql -qAtX -d "$admin" -c "ALTER DATABASE e2e_$$_secret OWNER TO secret" >/dev/null
pq_study ok "postgresql://secret@127.0.0.1:$port/e2e_$$_secret" 3 ""
PGPASSWORD=right-password expect_exit 0 "$HPSEARCH" run ok.ini --quiet
# a database holding tables of another program is refused, untouched
U=$(fresh_db foreign)
pq "$U" "create table trials(id int)" >/dev/null
pq_study f "$U" 3 ""
expect_exit 2 "$HPSEARCH" run f.ini
expect_in err.txt "database of another program"
expect_eq "$(pq "$U" "select count(*) from pg_tables where schemaname = 'public'")" 1 "untouched"

# 9. copy round trip: SQLite -> PostgreSQL -> SQLite, an identical export
U=$(fresh_db copy)
pq_study r "r.db" 25 "workers = 2"
expect_exit 0 "$HPSEARCH" run r.ini --quiet
expect_exit 0 "$HPSEARCH" copy r.db "$U"
expect_in out.txt "copied study 'r' (25 trials)"
expect_exit 0 "$HPSEARCH" copy "$U" back.db --study r
"$HPSEARCH" export r.db --format json >e1.json
"$HPSEARCH" export back.db --format json >e2.json
cmp -s e1.json e2.json || fail "the round trip changed the export: $(diff e1.json e2.json | head -5)"
"$HPSEARCH" export "$U" --study r --format json >e3.json
cmp -s e1.json e3.json || fail "PostgreSQL's export differs: $(diff e1.json e3.json | head -5)"
expect_exit 2 "$HPSEARCH" copy r.db "$U"
expect_in err.txt "already has a study 'r'"
# the study continues where it was copied to
sed "s|^storage = .*|storage = $U|; s/^trials = 25/trials = 35/" r.ini >r2.ini
expect_exit 0 "$HPSEARCH" run r2.ini --quiet
check_dense "$U" r 35

# 10. the server restarts mid-run: the workers wait for it and carry on,
#     nothing lost or counted twice
U=$(fresh_db restart)
sed "s|^storage = .*|storage = $U|; s/^name = k/name = rs/; s/^trials = 16/trials = 24/" \
    k.ini >rs.ini
"$HPSEARCH" run rs.ini --quiet >rs.out 2>&1 &
pid=$!
sleep 1
sh "$PG_CLUSTER" pause "$HP_TEST_PG_DIR"
sleep 2
sh "$PG_CLUSTER" resume "$HP_TEST_PG_DIR"
set +e
wait $pid
code=$?
set -e
expect_eq "$code" 0 "the run outlived the restart ($(cat rs.out))"
check_dense "$U" rs 24
expect_eq "$(pq "$U" "select count(*) from trials where state = 'COMPLETE'")" 24 "24 complete"
# a server that stays away past the bound: exit 1 with the reason, and the
# same command finishes the study once it is back
sed "s/^name = rs/name = gone/" rs.ini >gone.ini
HPSEARCH_STORAGE_RETRY=2 "$HPSEARCH" run gone.ini --quiet >gone.out 2>gone.err &
pid=$!
sleep 1
sh "$PG_CLUSTER" pause "$HP_TEST_PG_DIR"
set +e
wait $pid
code=$?
set -e
sh "$PG_CLUSTER" resume "$HP_TEST_PG_DIR"
expect_eq "$code" 1 "exit 1 past the retry bound"
expect_in gone.err "could not reconnect for 2 s"
expect_exit 0 "$HPSEARCH" run gone.ini --quiet
check_dense "$U" gone 24

# 11. a database at version 4 (before the server-side claim and the samplers'
#     last fits) is migrated by the next command and its study carries on
U=$(fresh_db v4)
pq_study m "$U" 20 ""
expect_exit 0 "$HPSEARCH" run m.ini --quiet --trials 10
pq "$U" "drop function hpsearch_claim, hpsearch_propose, hpsearch_finish;
         drop table sampler_state; alter table trials drop column promising;
         delete from hpsearch_schema where version >= 5" >/dev/null
expect_exit 0 "$HPSEARCH" status "$U"
expect_eq "$(pq "$U" "select max(version) from hpsearch_schema")" 8 "migrated to version 8"
expect_eq "$(pq "$U" "select count(*) from pg_tables where tablename = 'sampler_state'")" 1 \
    "the samplers' table is back"
expect_eq "$(pq "$U" "select count(*) from pg_proc where proname like 'hpsearch_%'")" 3 \
    "the three functions are back"
expect_exit 0 "$HPSEARCH" run m.ini --quiet
check_dense "$U" m 20

# 12. workers share connections when their calls are short: 8 workers with
#     --connections 1 hold 2 sessions (the run's own and the shared one),
#     and the study comes out whole; a model-based sampler keeps one each
U=$(fresh_db shared)
cat >sh.ini <<EOS
[study]
name = sh
storage = $U
trials = 60
workers = 8
sampler = random
[objective]
type = command
command = sh -c 'sleep 0.1; echo 1'
[params]
x = uniform(0, 1)
EOS
expect_exit 2 "$HPSEARCH" run sh.ini --connections 0
expect_in err.txt "--connections must be a positive integer"
expect_eq "$(pq "$U" "select count(*) from pg_tables where tablename = 'trials'")" 0 \
    "bad --connections wrote nothing"
db=${U##*/}
sessions() {
    pq "$admin" "select count(*) from pg_stat_activity where datname = '$db'"
}
"$HPSEARCH" run sh.ini --quiet --connections 1 >sh.out 2>&1 &
pid=$!
most=0
while kill -0 $pid 2>/dev/null; do
    n=$(sessions)
    [ "$n" -gt "$most" ] && most=$n
    sleep 0.2
done
wait $pid || fail "the shared-connection run failed: $(cat sh.out)"
expect_eq "$most" 2 "8 workers on --connections 1: at most 2 sessions, and 2 seen"
check_dense "$U" sh 60
expect_eq "$(pq "$U" "select count(distinct worker) from trials")" 8 "every worker ran trials"
sed 's/^name = sh/name = sg/; s/^trials = 60/trials = 12/; s/^sampler = random/sampler = gp/' sh.ini >sg.ini
"$HPSEARCH" run sg.ini --quiet --connections 1 >sg.out 2>&1 &
pid=$!
most=0
while kill -0 $pid 2>/dev/null; do
    n=$(sessions)
    [ "$n" -gt "$most" ] && most=$n
    sleep 0.1
done
wait $pid || fail "the gp run failed: $(cat sg.out)"
[ "$most" -gt 2 ] || fail "gp workers shared sessions ($most seen): a fit would hold one up"
ok

# 13. several objectives, constraints and conditional parameters on
#     PostgreSQL: the stored lists, the front, the absent parameters
U=$(fresh_db mo)
cat >mo.ini <<EOS
[study]
name = mo
storage = $U
trials = 16
metric = f1, f2
direction = minimize, maximize
constraint = f1 <= 0.9
sampler = nsga2
seed = 3
[sampler]
population = 6
[params]
x = uniform(0, 1)
opt = choice(a, b)
m = uniform(0, 1) if opt == a
EOS
i=0
while [ $i -lt 16 ]; do
    expect_exit 0 "$HPSEARCH" ask mo.ini --format env
    eval "$(cat out.txt)"
    f2=$(awk -v x="$HPSEARCH_PARAM_X" -v m="${HPSEARCH_PARAM_M:-0}" 'BEGIN { print x * x + m }')
    expect_exit 0 "$HPSEARCH" tell mo.ini "$HPSEARCH_TRIAL" "$HPSEARCH_PARAM_X,$f2"
    unset HPSEARCH_PARAM_M
    i=$((i + 1))
done
expect_eq "$(pq "$U" "select direction || '|' || metric from studies")" \
    "minimize, maximize|f1, f2" "the stored objectives"
expect_eq "$(pq "$U" "select count(*) from trials t where (params_json::json->>'m' is null) <>
                      (params_json::json->>'opt' = 'b')")" 0 "m absent exactly with opt b"
expect_exit 0 "$HPSEARCH" best mo.ini --format json
expect_in out.txt '"objectives": [{"metric": "f1", "direction": "minimize"}'
expect_exit 0 "$HPSEARCH" status mo.ini
expect_in out.txt "trials on the Pareto front of"
expect_in out.txt "meet the constraints (f1 <= 0.9)"
