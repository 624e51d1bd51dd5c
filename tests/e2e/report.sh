# The report in a real browser (headless Chromium): reports of a finished gp
# study, a pruned MLP study, a command study with failures and hostile
# values, a one-trial study, an empty study and a 100k-trial study.  Each
# page: no console error, no request beyond the page (its CSP forbids any,
# and nothing in it names one), every chart with its expected number of
# marks, user strings escaped; and a screenshot (in the build folder; the
# README's pictures were taken so).
. "$E2E_LIB"
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || fail "headless Chromium is needed (apt-get install chromium)"
SHOTS=${REPORT_SHOTS:-$T/shots}
mkdir -p "$SHOTS"

# browse NAME: renders NAME.html; its DOM in NAME.dom, the console in
# NAME.console, a screenshot in $SHOTS/NAME.png
browse() {
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
        --enable-logging=stderr --v=0 --virtual-time-budget=2000 \
        --dump-dom "file://$T/$1.html" >"$1.dom" 2>"$1.console" || fail "chromium on $1"
    "$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
        --hide-scrollbars --window-size=1200,${2:-3600} --screenshot="$SHOTS/$1.png" \
        "file://$T/$1.html" >/dev/null 2>&1 || fail "screenshot of $1"
    [ -s "$SHOTS/$1.png" ] || fail "no screenshot of $1"
    ! grep -i "CONSOLE.*\(error\|uncaught\)\|Refused to\|Content.Security" "$1.console" ||
        fail "$1: console errors: $(grep -i 'console\|refused' "$1.console")"
    # nothing but the SVG namespace names a place beyond the page
    ! sed 's|http://www.w3.org/2000/svg||g' "$1.html" | grep -qi 'https\?://\| src="\| href="\|url(' ||
        fail "$1: the page names a resource"
    grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$1.html" || fail "$1: no CSP"
    ok
}
# marks NAME CHART: how many marks chart CHART of page NAME has (from its DOM)
marks() {
    awk -v chart="data-chart=\"$2\"" '
        { text = text $0 "\n" }
        END { s = index(text, chart); if (!s) { print -1; exit }
              rest = substr(text, s); e = index(rest, "</svg>"); part = substr(rest, 1, e)
              print gsub(/class="mark/, "", part) }' "$1.dom"
}
marks_of_file() { # FILE CHART: marks in the page as written
    cp "$1" "$1.dom.html"
    awk -v chart="data-chart=\"$2\"" '
        { text = text $0 "\n" }
        END { s = index(text, chart); if (!s) { print -1; exit }
              rest = substr(text, s); e = index(rest, "</svg>"); part = substr(rest, 1, e)
              print gsub(/class="mark/, "", part) }' "$1"
}
expect_marks() { # NAME CHART WANT
    expect_eq "$(marks "$1" "$2")" "$3" "$1: marks of $2"
}

# 1. a finished gp study
branin_study gp 25 "sampler = gp
workers = 2" ""
expect_exit 0 "$HPSEARCH" run gp.ini --quiet
expect_exit 0 "$HPSEARCH" report gp.ini -o gp.html
expect_in out.txt "wrote gp.html"
browse gp
expect_marks gp history-number 25
expect_marks gp history-time 25
expect_marks gp importance-variance 2
expect_marks gp importance-gp 2
expect_marks gp slice-0 25
expect_marks gp parallel 25
expect_marks gp contour 25
expect_marks gp timeline 25
expect_in gp.dom "No trial failed."
# run --report keeps a page up to date; status on a terminal draws the best
# so far as a sparkline
branin_study live 12 "" "sleep = 0.01s"
expect_exit 0 "$HPSEARCH" run live.ini --quiet --report live.html
grep -q 'data-chart="history-number"' live.html || fail "run --report wrote no report"
ok
expect_eq "$(marks_of_file live.html history-number)" 12 "run --report: every trial"
script -qc "$HPSEARCH status gp.ini" /dev/null >spark.txt || fail "status under a terminal"
grep -q "^progress   .*best so far over 25 complete trials" spark.txt ||
    fail "no sparkline: $(cat spark.txt)"
ok
# --watch rewrites the page, which reloads itself, until Ctrl-C
"$HPSEARCH" report gp.ini --watch 1 -o watch.html >watch.out 2>&1 &
pid=$!
i=0
while [ ! -s watch.html ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
grep -q '<meta http-equiv="refresh" content="1">' watch.html || fail "--watch: no reload"
first=$(grep -o 'data-generated="[0-9]*"' watch.html)
sleep 2.2
[ "$(grep -o 'data-generated="[0-9]*"' watch.html)" != "$first" ] || fail "--watch: not rewritten"
kill -INT $pid
wait $pid || fail "--watch did not end cleanly on Ctrl-C"
ok
"$HPSEARCH" status gp.ini >piped.txt
! grep -q "^progress" piped.txt || fail "the sparkline is for terminals only"
ok

# 2. a pruned MLP study: learning curves end where the pruner stopped them
cp "$STUDIES/data/digits.csv" .
cat >mlp.ini <<'EOS'
[study]
name = mlp
trials = 12
workers = 2
seed = 3
metric = val_accuracy
direction = maximize
pruner = asha
[objective]
type = mlp
dataset = digits.csv
epochs = 9
[params]
learning_rate = loguniform(1e-4, 1e-1)
hidden = int(8, 64, log)
optimizer = choice(sgd, adam)
EOS
expect_exit 0 "$HPSEARCH" run mlp.ini --quiet
pruned=$(q mlp.db "select count(*) from trials where state = 'PRUNED'")
[ "$pruned" -ge 1 ] || fail "no trial was pruned"
ok
expect_exit 0 "$HPSEARCH" report mlp.db -o mlp.html
browse mlp
expect_marks mlp curves 12
expect_marks mlp history-number 12
expect_eq "$(grep -o 'class="mark curve[a-z ]*pruned' mlp.dom | wc -l)" "$pruned" "pruned curves"
grep -q 'class="rung"' mlp.dom || fail "the ASHA rungs are not shown"
ok

# 3. a command study with failures and hostile values: escaped everywhere
cat >bad.sh <<'EOS'
#!/bin/sh
case $2 in 1|4|7) echo "</script><img src=x onerror=alert(1)> & <b>bold</b>" >&2; exit 3 ;; esac
echo 1.5
EOS
chmod +x bad.sh
cat >cmd.ini <<'EOS'
[study]
name = cmd
trials = 9
workers = 1
sampler = grid
max_failures = 0
[objective]
type = command
command = ./bad.sh {mode} {trial}
[params]
mode = choice("</script><img src=x onerror=alert(2)>", "a\"b'c", plain)
k = int(1, 3)
EOS
expect_exit 0 "$HPSEARCH" run cmd.ini --quiet
expect_exit 0 "$HPSEARCH" report cmd.ini -o cmd.html
browse cmd
! grep -qi '<img\|<script><' cmd.dom || fail "a hostile value became markup"
ok
grep -c '&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;' cmd.html >/dev/null ||
    fail "the failure text is not shown escaped"
ok
expect_in cmd.dom "<td>3</td><td>1</td>"
expect_marks cmd history-number 9
expect_marks cmd timeline 9

# 4. one trial, 5. no trial at all
branin_study one 1 "" ""
expect_exit 0 "$HPSEARCH" run one.ini --quiet
expect_exit 0 "$HPSEARCH" report one.ini -o one.html
browse one 2400
expect_marks one history-number 1
grep -q "Not enough complete trials" one.dom || fail "one trial: importance should say why it is absent"
ok
branin_study none 3 "" ""
sed -i '/^\[objective\]/,/^name = branin/d' none.ini
expect_exit 0 "$HPSEARCH" ask none.ini
q none.db "delete from trial_params; delete from trials"
expect_exit 0 "$HPSEARCH" report none.ini -o none.html
browse none 1000
expect_marks none history-number -1
expect_in none.dom "no complete trial yet"
expect_in none.dom "No trial has finished yet"

# 6. 100k trials: written whole, under 5 MB, each chart sampled and saying so
branin_study big 100000 "" ""
expect_exit 0 "$HPSEARCH" run big.ini --quiet --trials 1
q big.db "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 99999)
  INSERT INTO trials(study_id, number, state, value, params_json, seed, worker, started_at,
                     finished_at, error, sampler, study_seed)
  SELECT 1, i, CASE WHEN i % 50 = 0 THEN 'FAILED' ELSE 'COMPLETE' END,
         CASE WHEN i % 50 = 0 THEN NULL ELSE (i * 7919 % 100000) / 1000.0 + 0.4 END,
         '{\"x1\": ' || (i % 15 - 5) || ', \"x2\": ' || (i % 13) || '}', i, 'h:1/w' || (i % 2),
         t0 + i * 0.01, t0 + i * 0.01 + 0.009,
         CASE WHEN i % 50 = 0 THEN 'injected failure' END, 'random', 11
  FROM n, (SELECT started_at AS t0 FROM trials WHERE number = 0);
  INSERT INTO trial_params SELECT trial_id, 'x1', number % 15 - 5, NULL FROM trials WHERE number > 0;
  INSERT INTO trial_params SELECT trial_id, 'x2', number % 13, NULL FROM trials WHERE number > 0;"
expect_exit 0 "$HPSEARCH" report big.ini -o big.html
size=$(wc -c <big.html)
[ "$size" -lt 5000000 ] || fail "100k trials: $size bytes"
ok
browse big
n=$(marks big history-number)
[ "$n" -ge 1990 ] && [ "$n" -le 2000 ] || fail "100k trials: $n history marks"
ok
grep -q "Showing 2000 of 100000 trials" big.dom || fail "100k trials: the sampling is not said"
ok
grep -q "<td>1999</td><td>50</td>" big.dom || fail "100k trials: the failures are not grouped"
ok
done_ok
