# Problems with the database: not SQLite, another program's SQLite file, a
# newer schema, a read-only folder, and a study name reused with another
# search space.  Each: exit 2, a clear message, the file left as it was.
. "$E2E_LIB"
branin_study s 5 "" ""

printf 'just some text, certainly not a database\n' >s.db
before=$(cksum <s.db)
expect_exit 2 "$HPSEARCH" run s.ini
expect_in err.txt "'s.db' is not an SQLite database"
expect_eq "$(cksum <s.db)" "$before" "the non-database file is untouched"
rm -f s.db

q s.db "create table notes(x); insert into notes values (1)"
before=$(cksum <s.db)
expect_exit 2 "$HPSEARCH" run s.ini
expect_in err.txt "another program"
expect_eq "$(cksum <s.db)" "$before" "the foreign database is untouched"
expect_eq "$(q s.db "pragma journal_mode")" delete "still in its own journal mode"
rm -f s.db

expect_exit 0 "$HPSEARCH" run s.ini --quiet
q s.db "pragma user_version = 99"
expect_exit 2 "$HPSEARCH" run s.ini
expect_in err.txt "newer than this hpsearch"
expect_exit 2 "$HPSEARCH" status s.ini
expect_in err.txt "newer"
rm -f s.db s.db-wal s.db-shm

# a version-1 database (before trials.output and trials.sampler) is migrated
# when opened, its trials intact
expect_exit 0 "$HPSEARCH" run s.ini --quiet
before=$(q s.db "select group_concat(number || '=' || value) from trials")
q s.db "alter table trials drop column promising;
        alter table trials drop column output; alter table trials drop column sampler;
        alter table trials drop column study_seed; alter table trials drop column instance;
        alter table trials drop column origin; drop table sampler_state; pragma user_version = 1"
expect_exit 0 "$HPSEARCH" status s.ini
expect_eq "$(q s.db "pragma user_version")" 7 "migrated to version 7"
expect_eq "$(q s.db "select count(*) from pragma_table_info('trials') where name = 'output'")" 1 \
    "the new column"
expect_eq "$(q s.db "select group_concat(number || '=' || value) from trials")" "$before" \
    "trials kept by the migration"
rm -f s.db s.db-wal s.db-shm

# a version-2 database gains the sampler of each trial (unknown for the old
# ones), and status says which trials were proposed by what
expect_exit 0 "$HPSEARCH" run s.ini --quiet --trials 4
q s.db "alter table trials drop column promising;
        alter table trials drop column sampler; alter table trials drop column study_seed;
        alter table trials drop column instance; alter table trials drop column origin;
        drop table sampler_state; pragma user_version = 2"
expect_exit 0 "$HPSEARCH" run s.ini --quiet --trials 6
expect_eq "$(q s.db "pragma user_version")" 7 "migrated from 2 to 7"
expect_eq "$(q s.db "select count(*) from trials where sampler is null")" 4 "old trials"
expect_eq "$(q s.db "select count(*) from trials where sampler = 'random'")" 2 "new trials"
expect_exit 0 "$HPSEARCH" status s.ini
expect_in out.txt "samplers   (not recorded) for 4 trials in 0-3; random seed"
rm -f s.db s.db-wal s.db-shm

# a version-3 database gains who holds each running trial (instance and
# origin); a trial left RUNNING by a version-3 process is still recovered
expect_exit 0 "$HPSEARCH" run s.ini --quiet --trials 3
q s.db "update trials set state = 'RUNNING', finished_at = null, value = null,
        pid = 999999999, host = '$(hostname)' where number = 2;
        delete from trial_values where trial_id = (select trial_id from trials where number = 2);
        alter table trials drop column instance; alter table trials drop column origin;
        alter table trials drop column promising;
        drop table sampler_state; pragma user_version = 3"
expect_exit 0 "$HPSEARCH" run s.ini --quiet --trials 3
expect_eq "$(q s.db "pragma user_version")" 7 "migrated from 3 to 7"
expect_eq "$(q s.db "select count(*) from trials where state = 'COMPLETE'")" 3 \
    "the old running trial re-run"
rm -f s.db s.db-wal s.db-shm

# a version-4 database gains the samplers' last fits (sampler_state): a gp
# study's next run saves its fit there
sed 's/^sampler = .*/sampler = gp/' s.ini >s4.ini
expect_exit 0 "$HPSEARCH" run s4.ini --quiet --trials 8
q s.db "drop table sampler_state; alter table trials drop column promising;
        pragma user_version = 4"
expect_exit 0 "$HPSEARCH" run s4.ini --quiet --trials 10
expect_eq "$(q s.db "pragma user_version")" 7 "migrated from 4 to 7"
expect_eq "$(q s.db "select sampler || ' ' || substr(state, 1, 4) from sampler_state")" "gp gp2 " \
    "the gp's fit is kept"
rm -f s.db s.db-wal s.db-shm

# a version-5 database, whose direction column took one direction only, is
# rebuilt: a multi-objective study can then be created beside the old one,
# whose trials stay
expect_exit 0 "$HPSEARCH" run s.ini --quiet --trials 3
before=$(q s.db "select group_concat(number || '=' || value) from (select * from trials order by number)")
q s.db "drop view trial_summary;
        create table old(study_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
          direction TEXT NOT NULL CHECK(direction IN ('minimize', 'maximize')),
          metric TEXT NOT NULL, sampler TEXT NOT NULL, config TEXT NOT NULL,
          space_hash TEXT NOT NULL, seed INTEGER NOT NULL, trials INTEGER NOT NULL,
          created_at REAL NOT NULL);
        insert into old select * from studies; drop table studies;
        alter table old rename to studies;
        create view trial_summary as select 1 as number;
        alter table trials drop column promising;
        pragma user_version = 5"
cat >two.ini <<'EOS'
[study]
name = two
storage = s.db
trials = 3
metric = a, b
direction = minimize, maximize
[params]
x = uniform(0, 1)
EOS
expect_exit 0 "$HPSEARCH" ask two.ini
expect_eq "$(q s.db "pragma user_version")" 7 "migrated from 5 to 7"
expect_eq "$(q s.db "select direction from studies where name = 'two'")" "minimize, maximize" \
    "a list of directions stored"
expect_eq "$(q s.db "select group_concat(number || '=' || value) from (select t.* from trials t
                     join studies s using(study_id) where s.name = 's' order by number)")" \
    "$before" "trials kept by the rebuild"
expect_eq "$(q s.db "select count(*) from trial_summary where study = 's'")" 3 "the view again"
rm -f s.db s.db-wal s.db-shm

# a version-6 database gains trials.promising (NULL for its old trials)
expect_exit 0 "$HPSEARCH" run s4.ini --quiet --trials 8
q s.db "alter table trials drop column promising; pragma user_version = 6"
expect_exit 0 "$HPSEARCH" run s4.ini --quiet --trials 10
expect_eq "$(q s.db "pragma user_version")" 7 "migrated from 6 to 7"
expect_eq "$(q s.db "select count(*) from trials where promising is null and number < 8")" 8 \
    "old trials without a verdict"
expect_eq "$(q s.db "select count(*) from trials where state = 'COMPLETE'")" 10 \
    "the study carries on"
rm -f s.db s.db-wal s.db-shm

# same name, other search space
expect_exit 0 "$HPSEARCH" run s.ini --quiet
count=$(q s.db "select count(*) from trials")
sed -i 's/x2 = uniform(0, 15)/x2 = uniform(0, 20)/' s.ini
expect_exit 2 "$HPSEARCH" run s.ini
expect_in err.txt "already exists in 's.db' with a different search space"
expect_in err.txt "name = s-2"
expect_eq "$(q s.db "select count(*) from trials")" "$count" "no trial added"
expect_eq "$(q s.db "select count(*) from studies")" 1 "no study added"

# a read-only folder
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null; then
    echo "skip read-only check: root without setpriv"
else
    mkdir ro
    branin_study r 5 "" ""
    mv r.ini ro/
    chmod a-w ro
    bin=$HPSEARCH
    run_as=""
    if [ "$(id -u)" = 0 ]; then
        # root writes anywhere: check as nobody, with a copy of the binary
        # that nobody can reach whatever the build folder's permissions
        run_as="setpriv --reuid=65534 --regid=65534 --clear-groups"
        cp "$HPSEARCH" ./hpsearch-copy
        bin=$T/hpsearch-copy
        chmod a+rx "$T" "$bin"
    fi
    expect_exit 2 $run_as "$bin" run ro/r.ini
    expect_in err.txt "is not writable"
    [ ! -e ro/r.db ] || fail "a database appeared in the read-only folder"
fi
done_ok
