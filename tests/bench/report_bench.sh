#!/bin/sh
# The report at scale: a study of 100,000 trials (built in SQL from a real
# study's shape, 2% failed), then `hpsearch report` timed as a whole process.
# Prints seconds and megabytes (targets: under 2 s and under 5 MB).
#   sh tests/bench/report_bench.sh [build/engine/hpsearch] [trials]
set -eu
HPSEARCH=${1:-build/engine/hpsearch}
N=${2:-100000}
case $HPSEARCH in /*) ;; *) HPSEARCH=$PWD/$HPSEARCH ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
printf '[study]\nname = big\ntrials = %s\nseed = 1\n[params]\nx1 = uniform(-5, 10)\nx2 = uniform(0, 15)\nk = choice(a, b, c)\n' "$N" >big.ini
"$HPSEARCH" ask big.ini >/dev/null
sqlite3 big.db "DELETE FROM trial_params; DELETE FROM trials;
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $N - 1)
  INSERT INTO trials(study_id, number, state, value, params_json, seed, worker, started_at,
                     finished_at, error, sampler, study_seed)
  SELECT 1, i, CASE WHEN i % 50 = 7 THEN 'FAILED' ELSE 'COMPLETE' END,
         CASE WHEN i % 50 = 7 THEN NULL ELSE (i * 7919 % 100000) / 1000.0 + 0.4 END,
         '{}', i, 'h:1/w' || (i % 4), 1.7e9 + i * 0.01, 1.7e9 + i * 0.01 + 0.009,
         CASE WHEN i % 50 = 7 THEN 'injected failure' END, 'random', 1 FROM n;
  INSERT INTO trial_params SELECT trial_id, 'x1', (number * 13 % 150) / 10.0 - 5, NULL FROM trials;
  INSERT INTO trial_params SELECT trial_id, 'x2', (number * 17 % 150) / 10.0, NULL FROM trials;
  INSERT INTO trial_params SELECT trial_id, 'k', number % 3,
         CASE number % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END FROM trials;
  INSERT INTO trial_values(trial_id, step, name, value)
  SELECT t.trial_id, s.step, 'value', t.value + 10.0 / s.step FROM trials t,
         (SELECT 1 AS step UNION ALL SELECT 2 UNION ALL SELECT 3) s
   WHERE t.number % 10 = 0 AND t.value IS NOT NULL;"
start=$(date +%s.%N)
"$HPSEARCH" report big.db -o big.html >/dev/null
end=$(date +%s.%N)
bytes=$(wc -c <big.html)
awk -v n="$N" -v a="$start" -v e="$end" -v b="$bytes" \
    'BEGIN { s = e - a; printf "report of %d trials: %.2f s, %.2f MB (targets: < 2 s, < 5 MB)\n", n, s, b / 1e6 }'
