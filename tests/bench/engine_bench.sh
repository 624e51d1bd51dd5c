#!/bin/sh
# Engine overhead: trials per second of random search into SQLite with a
# cheap objective (hartmann6), whole process timed, for 1 and 2 workers and
# for two processes sharing one study.  Target: >= 1000 trials/s.
#   sh tests/bench/engine_bench.sh [path/to/hpsearch] [trials]
set -eu
hpsearch=${1:-build/engine/hpsearch}
trials=${2:-20000}
case $hpsearch in /*) ;; *) hpsearch=$(pwd)/$hpsearch ;; esac
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
cd "$dir"

study() {
    cat >"$1.ini" <<EOS
[study]
name = bench
trials = $trials
sampler = random
seed = 1
[objective]
type = function
name = hartmann6
[params]
x1 = uniform(0, 1)
x2 = uniform(0, 1)
x3 = uniform(0, 1)
x4 = uniform(0, 1)
x5 = uniform(0, 1)
x6 = uniform(0, 1)
EOS
}

now() { date +%s.%N; }

report() { # label start end finished
    awk -v l="$1" -v s="$2" -v e="$3" -v n="$4" \
        'BEGIN { t = e - s; printf "%-34s %7d trials %7.2f s %9.0f trials/s\n", l, n, t, n / t }'
}

echo "hpsearch engine benchmark: random search, hartmann6, SQLite (WAL), $(nproc) cores"
for w in 1 2; do
    study "w$w"
    s=$(now)
    "$hpsearch" run "w$w.ini" --workers "$w" --quiet
    e=$(now)
    n=$(sqlite3 bench.db "select count(*) from trials where state = 'COMPLETE'")
    report "1 process, $w worker(s)" "$s" "$e" "$n"
    rm -f bench.db bench.db-wal bench.db-shm
done
study p
s=$(now)
"$hpsearch" run p.ini --workers 1 --quiet &
pid=$!
"$hpsearch" run p.ini --workers 1 --quiet
wait $pid
e=$(now)
n=$(sqlite3 bench.db "select count(*) || ' ' || count(distinct number) from trials where state = 'COMPLETE'")
report "2 processes x 1 worker, one study" "$s" "$e" "${n% *}"
[ "${n% *}" = "${n#* }" ] || echo "ERROR: duplicate trial numbers ($n)"
s=$(now)
"$hpsearch" status bench.db >/dev/null
"$hpsearch" best bench.db >/dev/null
"$hpsearch" trials bench.db --sort value --limit 10 >/dev/null
e=$(now)
awk -v s="$s" -v e="$e" -v n="$trials" \
    'BEGIN { printf "status + best + trials --sort value --limit 10 on %d trials: %.3f s\n", n, e - s }'
