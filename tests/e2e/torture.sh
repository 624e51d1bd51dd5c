# Crash torture: many cycles of three processes on one study, all killed
# with kill -9 at random moments, then a resume.  Asserted after every
# cycle: no complete trial lost or changed, integrity ok; at the end:
# exactly `trials` finished trials numbered 0..trials-1 once each, nothing
# stuck RUNNING, and every trial ran the parameters its number gets in an
# uninterrupted study with the same seed.
. "$E2E_LIB"
branin_study t 300 "workers = 2" "sleep = 0.01s"
branin_study ref 300 "workers = 2" ""
expect_exit 0 "$HPSEARCH" run ref.ini --quiet
cycle=0
rand=12345
while [ $cycle -lt 15 ]; do
    "$HPSEARCH" run t.ini --quiet >/dev/null 2>&1 &
    p1=$!
    "$HPSEARCH" run t.ini --quiet >/dev/null 2>&1 &
    p2=$!
    "$HPSEARCH" run t.ini --quiet >/dev/null 2>&1 &
    p3=$!
    rand=$(((rand * 1103515245 + 12345) % 2147483648))
    sleep "0.$((rand % 40 + 5))"
    kill -9 $p1 $p2 $p3 2>/dev/null || true
    wait $p1 $p2 $p3 2>/dev/null || true
    # killed before the first commit: no file, or a file without the schema
    # yet (the next run creates it)
    if [ ! -e t.db ] || [ "$(q t.db "pragma user_version")" != 7 ]; then
        cycle=$((cycle + 1))
        continue
    fi
    now=$(q t.db "select group_concat(number || '=' || value, ' ') from
                  (select number, value from trials where state = 'COMPLETE' order by number)")
    for pair in ${seen:-}; do
        case " $now " in
            *" $pair "*) ;;
            *) fail "cycle $cycle: complete trial ${pair%%=*} lost or changed" ;;
        esac
    done
    seen=$now
    expect_eq "$(q t.db "pragma integrity_check")" ok "integrity after cycle $cycle"
    cycle=$((cycle + 1))
done
expect_exit 0 "$HPSEARCH" run t.ini --quiet
expect_eq "$(q t.db "select count(*) from trials where state = 'COMPLETE'")" 300 "exactly the budget"
expect_eq "$(q t.db "select count(distinct number) || ' ' || min(number) || ' ' || max(number) from trials")" \
    "300 0 299" "numbers 0..299 once each"
expect_eq "$(q t.db "select count(*) from trials where state in ('RUNNING', 'WAITING')")" 0 "none stuck"
expect_eq "$(q t.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "$(q ref.db "select group_concat(params_json, ';') from (select params_json from trials order by number)")" \
    "every trial ran the parameters of its number"
done_ok
