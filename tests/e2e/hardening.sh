# Regression tests, through the real binary, of the defects an outside
# review found: each failed before its fix.  Bad files exit 2 naming what is
# wrong; host-side errors stop the run and spend no budget; output and
# parameters are bounded and valid; archived databases stay queryable.
. "$E2E_LIB"

# 1. IDX files whose dimensions overflow (or lie about the size) exit 2
#    instead of reading past a buffer
idx() { # FILE MAGIC-BYTES DIMS... : a header only
    f=$1
    shift
    printf "$1" >"$f"
    shift
    for d in "$@"; do
        printf "\\$(printf %03o $((d >> 24 & 255)))\\$(printf %03o $((d >> 16 & 255)))" >>"$f"
        printf "\\$(printf %03o $((d >> 8 & 255)))\\$(printf %03o $((d & 255)))" >>"$f"
    done
}
# the reported case: a 42-byte images file and an 11-byte labels file whose
# 3 x 2154230017 x 2854344542 images wrap to 26 bytes in 64 bits
idx img '\000\000\010\003' 3 2154230017 2854344542
head -c 26 /dev/zero >>img
idx lab '\000\000\010\001' 3
printf '\000\001\002' >>lab
[ "$(wc -c <img) $(wc -c <lab)" = "42 11" ] || fail "the crafted files"
cat >i.ini <<'EOS'
[study]
name = i
trials = 1
metric = val_accuracy
direction = maximize
[objective]
type = mlp
dataset = idx:img:lab
[params]
learning_rate = 0.01
EOS
expect_exit 2 "$HPSEARCH" run i.ini
expect_in err.txt "more than this loader takes"
idx img '\000\000\010\003' 3 2 2
head -c 5 /dev/zero >>img
idx lab '\000\000\010\001' 3
printf '\001\002\003' >>lab
expect_exit 2 "$HPSEARCH" run i.ini
expect_in err.txt "img: the file ends early: its header declares 28 bytes, it has 21"
gzip -c img >img.gz
sed -i 's/idx:img:lab/idx:img.gz:lab/' i.ini
expect_exit 2 "$HPSEARCH" run i.ini
expect_in err.txt "the gzip data holds 21"
[ ! -e i.db ] || fail "a refused data set wrote a database"
ok

# 2. CSV cells that a float cannot hold, NaN and infinity are errors with
#    file:line and column; a UTF-8 byte-order mark is read as one
csv_study() { # NAME
    printf '[study]\nname = %s\ntrials = 1\nmetric = val_accuracy\ndirection = maximize\n[objective]\ntype = mlp\ndataset = %s.csv\nepochs = 1\n[params]\nlearning_rate = 0.01\n' \
        "$1" "$1" >"$1.ini"
}
csv_study c1
printf 'a,b,label\n1,2,x\n1e39,3,y\n4,5,x\n6,7,y\n' >c1.csv
expect_exit 2 "$HPSEARCH" run c1.ini
expect_in err.txt "c1.csv:3: column 1: '1e39' does not fit a 32-bit float"
csv_study c2
printf 'a,b,label\n1,nan,x\n' >c2.csv
expect_exit 2 "$HPSEARCH" run c2.ini
expect_in err.txt "c2.csv:2: column 2: 'nan' is not a finite number"
csv_study c3
printf '\357\273\277a,b,label\n' >c3.csv
i=0
while [ $i -lt 40 ]; do
    printf '%d,%d,%s\n' $i $((i % 7)) $([ $((i % 2)) = 0 ] && echo x || echo y) >>c3.csv
    i=$((i + 1))
done
sed -i 's/^epochs = 1$/epochs = 1\nlabel = label/' c3.ini
expect_exit 0 "$HPSEARCH" run c3.ini

# 3. a host-side error (the trial's folder cannot be made) stops the run with
#    exit 1 and spends no budget; the trial runs again once the host is fixed
cat >h.ini <<'EOS'
[study]
name = h
trials = 3
workers = 1
[objective]
type = command
command = echo 1
[params]
x = uniform(0, 1)
EOS
echo "not a folder" >h-trials
expect_exit 1 "$HPSEARCH" run h.ini
expect_in err.txt "cannot make the folders of trial 0"
expect_in err.txt "kept to run again"
expect_eq "$(q h.db "select count(*) from trials where state in ('FAILED', 'COMPLETE', 'RUNNING')")" 0 \
    "no trial failed or left running for a host error"
rm h-trials
expect_exit 0 "$HPSEARCH" run h.ini
expect_eq "$(q h.db "select count(*) from trials where state = 'COMPLETE'")" 3 "exactly the budget"

# 4. steps that are not non-negative integers are malformed lines: the
#    trial fails naming the line, nothing is reported at a made-up step
for step in 1e300 nan -1; do
    cat >p.ini <<EOS
[study]
name = p$step
trials = 1
max_failures = 0
[objective]
type = command
command = printf 'hpsearch: step=$step value=99\\nhpsearch: value=1\\n'
[params]
x = uniform(0, 1)
EOS
    expect_exit 1 "$HPSEARCH" run p.ini
    expect_eq "$(q p$step.db "select state from trials")" FAILED "step=$step"
    expect_in err.txt "malformed protocol line 'hpsearch: step=$step value=99'"
    expect_eq "$(q p$step.db "select count(*) from trial_values where step is not null")" 0 \
        "step=$step reported nothing"
done

# 5. metric names are at most 63 characters, checked when the file is read
long=$(printf 'm%.0s' $(seq 64))
branin_study m 2 "metric = $long" ""
expect_exit 2 "$HPSEARCH" run m.ini
expect_in err.txt "m.ini:6: the metric name 'mmmmmmmmmmmmmmmmmmmm...' is longer than 63 characters"
branin_study m 2 "metric = ${long#m}" ""
expect_exit 0 "$HPSEARCH" run m.ini
expect_exit 0 "$HPSEARCH" run m.ini --trials 3

# 6. a range wider than a double can hold is refused; JSON is always JSON
cat >w.ini <<'EOS'
[study]
name = w
trials = 2
[objective]
type = function
name = sphere
[params]
x = uniform(-1e308, 1e308)
EOS
expect_exit 2 "$HPSEARCH" run w.ini
expect_in err.txt "w.ini:8: parameter 'x': the range from -1e308 to 1e308 is wider than a double"
sed -i 's/uniform(-1e308, 1e308)/uniform(-1e150, 1e150)/' w.ini
expect_exit 0 "$HPSEARCH" run w.ini
expect_exit 0 "$HPSEARCH" export w.ini --format json -o w.json
if command -v python3 >/dev/null; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' w.json || fail "export is not JSON"
else
    grep -qv 'inf\|nan' w.json || fail "export holds a bare inf or nan"
fi
ok

# 8. export -o replaces a planted link, never writes through it
echo "precious" >target.txt
ln -s target.txt out.csv
expect_exit 0 "$HPSEARCH" export w.ini --format csv -o out.csv
[ ! -L out.csv ] || fail "out.csv is still a link"
expect_eq "$(cat target.txt)" precious "the link's target is untouched"
expect_in out.csv "number,state"
[ -z "$(ls out.csv.* 2>/dev/null)" ] || fail "a temporary file was left"
ok

# 9. a 4 MB study file of 170,000 parameters parses in linear time (no
#    timing here, that is the benchmark's job: a quadratic parser would take
#    minutes and hit the test's time limit)
awk 'BEGIN { print "[study]\nname = big\ntrials = 1\n[params]";
             for (i = 0; i < 170000; i++) print "p" i " = uniform(-1, 1)" }' >big.ini
expect_exit 2 "$HPSEARCH" run big.ini
expect_in err.txt "no [objective] section"

# 10. study names cannot leave the study's folder
for bad in "../up" "a/b" ".hidden"; do
    branin_study n 2 "" ""
    sed -i "s|^name = n|name = $bad|" n.ini
    expect_exit 2 "$HPSEARCH" run n.ini
    expect_in err.txt "n.ini:2: the study name '$bad'"
done
[ ! -e ../up.db ] && [ ! -d a ] || fail "a bad name wrote outside the folder"
ok

# 11. a damaged database is bad input (exit 2); an archived one on a
#     read-only place is queryable; an open-file limit too low for the
#     workers is found before anything runs; a closed pipe does not leave
#     trials running; tell refuses steps and values it cannot hold
branin_study d 20 "" ""
expect_exit 0 "$HPSEARCH" run d.ini --quiet
cp d.db bad.db
truncate -s 6000 bad.db
expect_exit 2 "$HPSEARCH" status bad.db
expect_in err.txt "the database is damaged"
mkdir ro
cp d.db ro/
if [ "$(id -u)" = 0 ]; then
    mount --bind ro ro && mount -o remount,bind,ro ro || fail "cannot make a read-only mount"
    trap 'umount "$T/ro" 2>/dev/null || true; cd /; rm -rf "$T"' EXIT
else
    chmod 555 ro
    chmod 444 ro/d.db
fi
if touch ro/x 2>/dev/null; then fail "the folder is writable"; fi
expect_exit 0 "$HPSEARCH" status ro/d.db
expect_in out.txt "20/20 finished"
expect_exit 0 "$HPSEARCH" trials ro/d.db --limit 3
expect_exit 0 "$HPSEARCH" export ro/d.db --format json
expect_exit 0 "$HPSEARCH" best ro/d.db
[ ! -e ro/d.db-wal ] || fail "a read-only query wrote beside the database"
ok
if [ "$(id -u)" = 0 ]; then umount ro; else chmod 755 ro; fi
expect_exit 2 sh -c "ulimit -n 64; exec \"$HPSEARCH\" run d.ini --workers 1024 --trials 30"
expect_in err.txt "1024 workers need about"
expect_eq "$(q d.db "select count(*) from trials")" 20 "nothing ran"
"$HPSEARCH" run d.ini --trials 3000 | head -1 >/dev/null
expect_eq "$(q d.db "select count(*) from trials where state = 'RUNNING'")" 0 \
    "no trial left running after the pipe closed"
branin_study a 3 "" ""
sed -i '/^\[objective\]/,$d' a.ini
printf '[params]\nx1 = uniform(-5, 10)\nx2 = uniform(0, 15)\n' >>a.ini
expect_exit 0 "$HPSEARCH" ask a.ini
expect_exit 2 "$HPSEARCH" tell a.ini 0 --step 99999999999999999999 1
expect_in err.txt "--step must be a non-negative integer"
expect_exit 2 "$HPSEARCH" tell a.ini 0 1e-400
expect_in err.txt "value must be a number, got '1e-400'"
expect_exit 0 "$HPSEARCH" tell a.ini 0 --step 999999999999999999 0.5
expect_exit 0 "$HPSEARCH" tell a.ini 0 0.5
done_ok
