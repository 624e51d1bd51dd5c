#!/bin/sh
# Storage benchmark: SQLite on one host against PostgreSQL on one and three
# hosts, with the project's own binary, on a throwaway PostgreSQL cluster.
#   sh tests/bench/storage_bench.sh [BUILD_DIR]      (as root for 3 hosts)
# Prints, for a cheap objective (branin, random sampler):
#   - trials/s with 1, 4 and 12 workers (one process) on each storage, and
#     with 3 and 12 workers spread over 3 hosts (network namespaces with a
#     veth link each, as in tests/e2e/multihost.sh) on PostgreSQL;
#   - claim latency p50/p99 alone, and for a random-sampler claimer while 4
#     gp workers run on the same study (their model fits must not hold it up);
#   - gp proposal time at 1000 finished trials on both storages.
# Time it when nothing else runs: these are whole-process figures.
set -eu
B=${1:-build}
H=$(readlink -f "$B/engine/hpsearch")
SB=$(readlink -f "$B/tests/storage_bench")
here=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$H" ] && [ -x "$SB" ] || { echo "build first: ninja -C $B" >&2; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-storage-bench.XXXXXX")
PGDIR=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-storage-bench-pg.XXXXXX")
tag=$$
# a subnet of its own (the tests use the same scheme with another prefix)
net=$((tag % 200 + 20))
three=0
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns list >/dev/null 2>&1; then
    three=1
fi
cleanup() {
    pkill -f "$W/" 2>/dev/null || true
    for n in 1 2 3; do
        ip netns del "hb$tag-$n" 2>/dev/null || true
        ip link del "hbv$tag$n" 2>/dev/null || true
    done
    sh "$here/pg/cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE
url=$(sh "$here/pg/cluster.sh" start "$PGDIR")
base=${url%/*}
port=${base##*:}
export PGOPTIONS="-c client_min_messages=warning"
cd "$W"
if [ $three = 1 ]; then
    for n in 1 2 3; do
        ns="hb$tag-$n"
        ip netns add "$ns"
        ip link add "hbv$tag$n" type veth peer name eth0 netns "$ns"
        ip addr add "10.$net.$n.1/24" dev "hbv$tag$n"
        ip link set "hbv$tag$n" up
        ip -n "$ns" addr add "10.$net.$n.2/24" dev eth0
        ip -n "$ns" link set eth0 up
        ip -n "$ns" link set lo up
    done
fi

fresh_pg() { # prints a new database's name (called in $(...): no counter)
    name="b$(date +%s%N)"
    psql -qAtX -d "$base/postgres" -c "CREATE DATABASE $name" >/dev/null
    echo "$name"
}

study() { # FILE NAME SAMPLER TRIALS
    cat >"$1" <<EOS
[study]
name = $2
sampler = $3
trials = $4
seed = 1
[objective]
type = function
name = branin
[params]
x1 = uniform(-5, 10)
x2 = uniform(0, 15)
EOS
}

now() { date +%s.%N; }

# case STORAGE HOSTS PROCS WORKERS_EACH TRIALS: one line of the table
bench_case() {
    kind=$1 hosts=$2 procs=$3 each=$4 trials=$5
    study s.ini s random "$trials"
    if [ "$kind" = sqlite ]; then
        rm -f s.db s.db-wal s.db-shm
        db="$W/s.db"
    else
        db=$(fresh_pg)
    fi
    t0=$(now)
    i=0
    pids=""
    while [ $i -lt "$procs" ]; do
        if [ "$hosts" = 3 ]; then
            n=$((i % 3 + 1))
            ip netns exec "hb$tag-$n" "$H" run "$W/s.ini" --quiet --workers "$each" \
                --storage "postgresql://postgres@10.$net.$n.1:$port/$db" &
        elif [ "$kind" = sqlite ]; then
            "$H" run "$W/s.ini" --quiet --workers "$each" --storage "$db" &
        else
            "$H" run "$W/s.ini" --quiet --workers "$each" --storage "$base/$db" &
        fi
        pids="$pids $!"
        i=$((i + 1))
    done
    for pid in $pids; do
        wait "$pid" || { echo "a run of $kind x $procs failed" >&2; exit 1; }
    done
    t1=$(now)
    awk -v k="$kind" -v h="$hosts" -v p="$procs" -v e="$each" -v n="$trials" \
        -v a="$t0" -v b="$t1" 'BEGIN {
        printf "%-11s %5d %4d x %-2d %8d %9.2f %10.0f\n", k, h, p, e, n, b - a, n / (b - a) }'
}

echo "== trials/s, cheap objective (branin), random sampler"
printf "%-11s %5s %9s %8s %9s %10s\n" storage hosts "procs x w" trials seconds "trials/s"
bench_case sqlite 1 1 1 2000
bench_case sqlite 1 1 4 4000
bench_case sqlite 1 1 12 6000
bench_case postgresql 1 1 1 2000
bench_case postgresql 1 1 4 4000
bench_case postgresql 1 1 12 6000
if [ $three = 1 ]; then
    bench_case postgresql 3 3 1 3000
    bench_case postgresql 3 3 4 6000
else
    echo "(3 hosts: needs root and ip netns)"
fi

echo "== claim latency (claim of a new trial, random sampler)"
study lat.ini lat random 100000
study gpw.ini lat gp 100000
for kind in sqlite postgresql; do
    if [ $kind = sqlite ]; then db="$W/lat.db"; rm -f lat.db*; else db="$base/$(fresh_pg)"; fi
    printf "%-11s alone:            " $kind
    "$SB" latency lat.ini "$db" 2000
    # 4 gp workers on the same study; they need 20 trials of history first
    "$SB" latency lat.ini "$db" 300 >/dev/null
    "$H" run gpw.ini --storage "$db" --workers 4 --quiet >/dev/null 2>&1 &
    gpid=$!
    sleep 3
    printf "%-11s beside 4 gp:      " $kind
    "$SB" latency lat.ini "$db" 500
    # a second Ctrl-C quits at once: a gp fit over this study's thousands
    # of trials would otherwise finish first
    kill -INT $gpid 2>/dev/null || true
    sleep 0.5
    kill -INT $gpid 2>/dev/null || true
    wait $gpid 2>/dev/null || true
done

echo "== gp claims at 1000 finished trials (claim, history read, fit, acquisition, store), one thread"
study g.ini g gp 100000
rm -f g.db*
printf "%-11s " sqlite
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$SB" gp g.ini "$W/g.db" 1000
printf "%-11s " postgresql
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 "$SB" gp g.ini "$base/$(fresh_pg)" 1000
