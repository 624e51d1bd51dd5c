# ask/tell: a shell loop drives a study to completion; JSON and env
# formats; failures and intermediate values; exit 4 when done; values with
# spaces, quotes and $(...) reach the asker verbatim.
. "$E2E_LIB"
cat >a.ini <<'EOS'
[study]
name = a
trials = 12
sampler = sobol
seed = 5
[params]
x = uniform(-2, 2)
n = int(1, 8)
mode = choice(plain, "with space", "it's", "$(touch pwned)", "a;b")
EOS
told=0
while :; do
    set +e
    "$HPSEARCH" ask a.ini --format env >env.txt 2>ask.err
    code=$?
    set -e
    [ $code = 4 ] && break
    [ $code = 0 ] || fail "ask exited $code: $(cat ask.err)"
    eval "$(cat env.txt)"
    case "$HPSEARCH_PARAM_MODE" in
        plain | "with space" | "it's" | '$(touch pwned)' | "a;b") ;;
        *) fail "mode arrived as '$HPSEARCH_PARAM_MODE'" ;;
    esac
    value=$(awk -v x="$HPSEARCH_PARAM_X" -v n="$HPSEARCH_PARAM_N" 'BEGIN { print x * x + n }')
    if [ "$HPSEARCH_TRIAL" = 3 ]; then
        expect_exit 0 "$HPSEARCH" tell a.ini "$HPSEARCH_TRIAL" --fail "diverged at epoch 2"
    else
        expect_exit 0 "$HPSEARCH" tell a.ini "$HPSEARCH_TRIAL" --step 1 "$value"
        expect_exit 0 "$HPSEARCH" tell a.ini "$HPSEARCH_TRIAL" "$value"
    fi
    told=$((told + 1))
    [ $told -le 12 ] || fail "ask kept giving trials past the budget"
done
[ ! -e pwned ] || fail "a parameter value was run by a shell"
expect_eq "$told" 12 "trials asked"
expect_eq "$(q a.db "select count(*) from trials where state = 'COMPLETE'")" 11 "complete"
expect_eq "$(q a.db "select error from trials where number = 3")" "diverged at epoch 2" "failure"
expect_eq "$(q a.db "select count(*) from trial_values where step = 1")" 11 "step values"
expect_eq "$(q a.db "select count(*) from trial_values where step is null")" 11 "final values"
# the study is done: ask prints nothing and exits 4
expect_exit 4 "$HPSEARCH" ask a.ini
expect_eq "$(cat out.txt)" "" "ask output when done"

# JSON format, and telling the wrong things
sed -i 's/trials = 12/trials = 14/' a.ini
expect_exit 0 "$HPSEARCH" ask a.ini
expect_in out.txt '{"trial": 12, "params": {"x": '
expect_exit 0 "$HPSEARCH" ask a.ini --format json
expect_in out.txt '"trial": 13'
expect_exit 4 "$HPSEARCH" ask a.ini           # budget held by asked trials
expect_exit 2 "$HPSEARCH" tell a.ini 12 notanumber
expect_in err.txt "value must be a number"
expect_exit 2 "$HPSEARCH" tell a.ini 99 1.0
expect_in err.txt "no trial 99"
expect_exit 2 "$HPSEARCH" tell a.ini 0 1.0
expect_in err.txt "trial 0 is COMPLETE, not RUNNING"
expect_exit 0 "$HPSEARCH" tell a.ini 12 -1.5
expect_exit 0 "$HPSEARCH" tell a.ini 13 nan
expect_eq "$(q a.db "select state || ' ' || error from trials where number = 13")" \
    "FAILED the value told was NaN" "NaN told"
expect_exit 0 "$HPSEARCH" best a.ini --format json
expect_in out.txt '"trial": 12, "value": -1.5'
# ask/tell beside run workers on the same study
cat >mix.ini <<'EOS'
[study]
name = mix
trials = 30
workers = 2
[objective]
type = function
name = sphere
sleep = 0.05
[params]
x = uniform(-1, 1)
EOS
"$HPSEARCH" run mix.ini --quiet &
pid=$!
asked=0
while [ $asked -lt 3 ]; do
    set +e
    json=$("$HPSEARCH" ask mix.ini)
    code=$?
    set -e
    [ $code = 0 ] || break
    n=$(printf '%s' "$json" | sed 's/.*"trial": \([0-9]*\).*/\1/')
    expect_exit 0 "$HPSEARCH" tell mix.ini "$n" 0.5
    asked=$((asked + 1))
done
wait $pid
expect_eq "$(q mix.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")" \
    "30 30" "run and ask/tell share the study"
expect_eq "$(q mix.db "select count(*) from trials where worker like 'ask:%'")" "$asked" \
    "asked trials recorded"

# three concurrent asker loops share one study: no trial is handed out twice
cat >many.ini <<'EOS'
[study]
name = many
trials = 45
sampler = random
[params]
x = uniform(-1, 1)
EOS
asker() {
    while :; do
        set +e
        json=$("$HPSEARCH" ask many.ini)
        code=$?
        set -e
        [ $code = 4 ] && return 0
        [ $code = 0 ] || exit 1
        n=$(printf '%s' "$json" | sed 's/.*"trial": \([0-9]*\).*/\1/')
        echo "$n" >>"asked-$1.txt"
        "$HPSEARCH" tell many.ini "$n" 0.25 || exit 1
    done
}
asker 1 & p1=$!
asker 2 & p2=$!
asker 3 & p3=$!
wait $p1 && wait $p2 && wait $p3 || fail "an asker failed"
ok
expect_eq "$(cat asked-*.txt | sort -n | uniq | wc -l)" 45 "distinct trials asked"
expect_eq "$(cat asked-*.txt | wc -l)" 45 "no trial asked twice"
expect_eq "$(q many.db "select count(*) from trials where state = 'COMPLETE'")" 45 "all told"
done_ok
