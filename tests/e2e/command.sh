# type = command with real child processes: placeholders and environment,
# hostile values reaching argv verbatim (never a shell), every failure kind
# with its reason and stderr, intermediate reports, and no child left alive
# after a timeout, Ctrl-C or kill -9 of hpsearch.
. "$E2E_LIB"
cat >child.sh <<'EOS'
#!/bin/sh
mode=$1 x=$2 out=$3
{
    printf 'arg=%s\n' "$@"
    printf 'cwd=%s\n' "$(pwd)"
    env | grep '^HPSEARCH_' | sort
} >"$out"
echo "child of mode $mode says hello on stderr" >&2
case $mode in
    exit3) echo "something broke" >&2; exit 3 ;;
    segv) kill -SEGV $$ ;;
    hang) echo $$ >"$out.pid"; trap '' TERM; exec sleep 30 ;;
    garbage) echo "hello world" ;;
    nan) echo nan ;;
    json) echo '{"loss": 0.5, "value": 1.25, "name": "x"}' ;;
    number) echo "progress..."; echo 2.5 ;;
    *) echo "hpsearch: step=1 value=9 acc=0.5"
       echo "hpsearch: step=2 value=8 acc=0.6"
       echo "hpsearch: value=$x" ;;
esac
EOS
chmod +x child.sh
cat >c.ini <<'EOS'
[study]
name = c
sampler = grid
workers = 2
[objective]
type = command
command = ./child.sh {mode} {x} "{study_dir}/out-{trial}.txt"
timeout = 1s
kill_grace = 0.5s
[params]
mode = choice(ok, exit3, segv, hang, garbage, nan, json, number, "a b'c;$(touch pwned) \"q\"")
x = 0.5
EOS
expect_exit 0 "$HPSEARCH" run c.ini
[ ! -e pwned ] && [ ! -e c-trials/pwned ] || fail "a value went through a shell"
ok
state() { # MODE -> "STATE value" of its trial
    q c.db "select t.state || ' ' || coalesce(t.value, '') from trials t join trial_params p
            on p.trial_id = t.trial_id and p.name = 'mode' where p.text = '$1'"
}
error_of() {
    q c.db "select t.error from trials t join trial_params p on p.trial_id = t.trial_id
            and p.name = 'mode' where p.text = '$1'"
}
number_of() {
    q c.db "select t.number from trials t join trial_params p on p.trial_id = t.trial_id
            and p.name = 'mode' where p.text = '$1'"
}
expect_eq "$(state ok)" "COMPLETE 0.5" "ok"
expect_eq "$(state json)" "COMPLETE 1.25" "json last line"
expect_eq "$(state number)" "COMPLETE 2.5" "number last line"
expect_eq "$(state exit3)" "FAILED " "exit 3"
error_of exit3 >e.txt
expect_in e.txt "exit code 3"
expect_in e.txt "something broke"
expect_in e.txt "says hello on stderr"
error_of segv >e.txt
expect_in e.txt "killed by signal 11"
error_of hang >e.txt
expect_in e.txt "timed out after 1s"
error_of garbage >e.txt
expect_in e.txt "last line was 'hello world'"
error_of nan >e.txt
expect_in e.txt "NaN"
# the child that ignored SIGTERM is gone (SIGKILL after the grace period)
pid=$(cat "out-$(number_of hang).txt.pid")
! alive "$pid" || fail "the hanging child $pid is still alive"
ok
# failed trials keep their folder with the captured output; others do not
n=$(number_of exit3)
expect_in "c-trials/trial-$n/stderr.txt" "something broke"
[ ! -d "c-trials/trial-$(number_of ok)" ] || fail "a complete trial kept its folder"
ok
# every trial keeps the end of its output in the database
output_of() {
    q c.db "select t.output from trials t join trial_params p on p.trial_id = t.trial_id
            and p.name = 'mode' where p.text = '$1'"
}
output_of ok >o.txt
expect_in o.txt "--- stdout ---"
expect_in o.txt "hpsearch: value=0.5"
expect_in o.txt "says hello on stderr"
output_of exit3 >o.txt
expect_in o.txt "something broke"
# intermediate reports and final metrics
n=$(number_of ok)
expect_eq "$(q c.db "select group_concat(step || ':' || name || '=' || value, ' ') from
    (select v.* from trial_values v join trials t using(trial_id) where t.number = $n
     and v.step is not null order by v.step, v.name)")" \
    "1:acc=0.5 1:value=9.0 2:acc=0.6 2:value=8.0" "step reports"
# placeholders, environment and the working folder
hostile="a b'c;\$(touch pwned) \"q\""
n=$(number_of "$(printf '%s' "$hostile" | sed "s/'/''/g")")
[ -n "$n" ] || fail "no trial for the hostile value"
f="out-$n.txt"
expect_eq "$(sed -n 1p "$f")" "arg=$hostile" "hostile value as one argument"
expect_eq "$(sed -n 2p "$f")" "arg=0.5" "fixed value"
expect_in "$f" "HPSEARCH_PARAM_MODE=$hostile"
expect_in "$f" "HPSEARCH_PARAM_X=0.5"
expect_in "$f" "HPSEARCH_TRIAL=$n"
expect_in "$f" "HPSEARCH_STUDY=c"
expect_in "$f" "HPSEARCH_TRIAL_DIR=$T/c-trials/trial-$n"
# the child runs in the study file's folder, so relative paths work as in
# a shell there; its own folder is {trial_dir}
expect_in "$f" "cwd=$T"
expect_in "$f" "HPSEARCH_CHECKPOINT_DIR=$T/c-trials/checkpoint-$n"
seed=$(q c.db "select seed from trials where number = $n")
expect_in "$f" "HPSEARCH_SEED=$seed"

# Ctrl-C and kill -9 of hpsearch take the children down
cat >sleeper.sh <<'EOS'
#!/bin/sh
echo $$ >"$1/pid-$2"
exec sleep 30
EOS
chmod +x sleeper.sh
for how in INT KILL; do
    rm -rf pids && mkdir pids
    cat >s.ini <<EOS
[study]
name = s$how
trials = 4
workers = 2
[objective]
type = command
command = ./sleeper.sh {study_dir}/pids {trial}
[params]
x = uniform(0, 1)
EOS
    "$HPSEARCH" run s.ini >run.log 2>&1 &
    hp=$!
    i=0
    while [ "$(ls pids | wc -l)" -lt 2 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ "$(ls pids | wc -l)" = 2 ] || fail "$how: the children did not start"
    kill -$how $hp
    set +e
    wait $hp
    code=$?
    set -e
    if [ $how = INT ]; then expect_eq "$code" 130 "exit after Ctrl-C"; fi
    sleep 0.5
    for f in pids/*; do
        p=$(cat "$f")
        ! alive "$p" || fail "$how: child $p outlived hpsearch"
        ! group_alive "$p" || fail "$how: child group $p outlived hpsearch"
    done
    ok
done
# the interrupted study resumes: its trials are run again, not lost
expect_eq "$(q sKILL.db "select count(*) from trials where state = 'RUNNING'")" 2 \
    "killed trials still marked RUNNING until the next run"
sed -i 's|command = .*|command = sh -c "echo 1"|' s.ini
expect_exit 0 "$HPSEARCH" run s.ini
expect_eq "$(q sKILL.db "select count(*) from trials where state = 'COMPLETE'")" 4 "resumed"

# a command that does not exist fails each trial with a clear reason
cat >m.ini <<'EOS'
[study]
name = m
trials = 2
[objective]
type = command
command = no-such-program-hpsearch {x}
[params]
x = uniform(0, 1)
EOS
expect_exit 1 "$HPSEARCH" run m.ini
expect_in err.txt "not found in PATH"
# bad command lines are input errors, with the line
printf '[study]\nname = b\ntrials = 2\n[objective]\ntype = command\ncommand = train {nope}\n[params]\nx = 1\n' >b.ini
expect_exit 2 "$HPSEARCH" run b.ini
expect_in err.txt "b.ini:6: command: unknown placeholder {nope}"
printf '[study]\nname = b\ntrials = 2\n[objective]\ntype = command\ncommand = a | b\n[params]\nx = 1\n' >b.ini
expect_exit 2 "$HPSEARCH" run b.ini
expect_in err.txt "without a shell"
[ ! -e b.db ] || fail "a database was written for a bad command"
done_ok
