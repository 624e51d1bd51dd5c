# Every kind of bad study file: exit 2, a message with FILE:LINE, and no
# database written.
. "$E2E_LIB"

# bad CASE_NAME LINE FRAGMENT: the file CASE_NAME.ini must be refused.
bad() {
    expect_exit 2 "$HPSEARCH" run "$1.ini"
    expect_in err.txt "hpsearch: $1.ini:$2: "
    expect_in err.txt "$3"
    [ ! -e "$1.db" ] || fail "$1: a database was written"
    [ -z "$(ls ./*.db 2>/dev/null)" ] || fail "$1: some database was written"
    ok
}

branin_study malformed 5 "" "this line has no equals sign"
bad malformed 10 "expected 'key = value'"

branin_study unknown_key 5 "colour = blue" ""
bad unknown_key 6 "unknown key 'colour' in [study]"

branin_study unknown_section 5 "" ""
printf '[extras]\nfoo = 1\n' >>unknown_section.ini
bad unknown_section 14 "unknown section [extras]"

branin_study neg_trials -3 "" ""
bad neg_trials 3 "trials must be a positive integer"

for spec in "uniform(5, 1)|not below" "loguniform(0, 1)|above 0" \
            "int(1.5, 3)|must be integers" "choice()|at least one value"; do
    dist=${spec%|*}
    msg=${spec#*|}
    cat >dist.ini <<EOS
[study]
name = dist
trials = 5
[objective]
type = function
name = sphere
[params]
x = $dist
EOS
    bad dist 8 "$msg"
done

cat >grid_cont.ini <<EOS
[study]
name = grid_cont
sampler = grid
[objective]
type = function
name = branin
[params]
x1 = uniform(-5, 10, step=5)
x2 = uniform(0, 15)
EOS
bad grid_cont 3 "parameter 'x2' is a continuous range"

branin_study wrong_fn 5 "" ""
sed -i 's/name = branin/name = hartmann3/' wrong_fn.ini
bad wrong_fn 11 "takes 3 parameters"

# a study file that does not exist, and bad options
expect_exit 2 "$HPSEARCH" run missing.ini
expect_in err.txt "missing.ini: cannot open"
branin_study fine 5 "" ""
expect_exit 2 "$HPSEARCH" run fine.ini --workers zero
expect_in err.txt "--workers must be a positive integer"
expect_exit 2 "$HPSEARCH" run fine.ini --trials -3
expect_exit 2 "$HPSEARCH" run fine.ini --wat
expect_in err.txt "unknown option '--wat'"
expect_exit 2 "$HPSEARCH" run
expect_exit 2 "$HPSEARCH" run fine.ini --storage mysql://me@host/db
expect_in err.txt "not supported"
expect_exit 2 "$HPSEARCH" run fine.ini --storage postgresql://me@no-such-host.invalid/db
expect_in err.txt "cannot connect to 'postgresql://me@no-such-host.invalid/db'"
[ -z "$(ls ./*.db 2>/dev/null)" ] || fail "a database was written"

# a study without [objective] is for ask/tell: run refuses it
cat >asked.ini <<EOS
[study]
name = asked
trials = 3
[params]
x = uniform(0, 1)
EOS
expect_exit 2 "$HPSEARCH" run asked.ini
expect_in err.txt "no [objective] section"
expect_in err.txt "hpsearch ask"
[ ! -e asked.db ] || fail "run wrote a database for a study it refused"
done_ok
