# Many hosts on one study through PostgreSQL: three "hosts" made with
# network namespaces (a veth link each to the server's side), each with its
# own host name and PID namespace, 2 workers each, on random, grid and gp
# studies.  One host's hpsearch is killed with kill -9 and another host's
# link is cut and later restored, mid-run.  Then: two "containers" with the
# same host name and both hpsearch at pid 1; a container restarted whose
# hpsearch gets pid 1 again; and a host whose clock is 60 s ahead.
# Asserted: exactly `trials` finished trials, numbers and grid points once,
# the dead host's trials re-run, no worker writing to a trial it no longer
# owns, nothing stolen by the fast clock.  Needs root (ip netns, unshare)
# and the server of HP_TEST_PG_URL; skipped (77) without them.
. "$E2E_LIB"
if [ -z "${HP_TEST_PG_URL:-}" ] || [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null ||
   ! ip netns list >/dev/null 2>&1; then
    echo "needs root, ip netns and HP_TEST_PG_URL" >&2
    exit 77
fi
command -v faketime >/dev/null || fail "faketime is needed (apt-get install faketime)"
base=${HP_TEST_PG_URL%/*}
port=${base##*:}
admin="$base/postgres"
tag=$$
# a subnet of its own, so that two runs (or the benchmark) never collide
net=$((tag % 200 + 20))
export PGOPTIONS="-c client_min_messages=warning"
pq() { psql -qAtX -d "$1" -c "$2"; }

# the hosts: h1..h3 on 10.NET.N.2, the server reached at 10.NET.N.1
hosts="1 2 3"
cleanup_net() {
    for n in $hosts; do
        ip netns del "hp$tag-$n" 2>/dev/null || true
        ip link del "hpv$tag$n" 2>/dev/null || true
    done
}
trap 'pkill -9 -f "$T/" 2>/dev/null || true; cleanup_net; cd /; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM
for n in $hosts; do
    ns="hp$tag-$n"
    ip netns add "$ns"
    ip link add "hpv$tag$n" type veth peer name eth0 netns "$ns"
    ip addr add "10.$net.$n.1/24" dev "hpv$tag$n"
    ip link set "hpv$tag$n" up
    ip -n "$ns" addr add "10.$net.$n.2/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
done

# on_host N NAME CMD...: runs CMD in host N's network, with host name NAME,
# in a PID namespace of its own (the command is pid 1 there)
on_host() {
    n=$1 name=$2
    shift 2
    ip netns exec "hp$tag-$n" unshare --uts --pid --fork --mount-proc \
        sh -c 'hostname "$0"; exec "$@"' "$name" "$@"
}

fresh_db() {
    db="mh_${tag}_$1"
    pq "$admin" "DROP DATABASE IF EXISTS $db" >/dev/null
    pq "$admin" "CREATE DATABASE $db" >/dev/null
    echo "$db"
}

# The objective: reports 6 steps and a final value, all equal to its host's
# number (h1 -> 1), so a step written by another host than the one that
# finished the trial shows; logs every start.
cat >obj.sh <<'EOS'
#!/bin/sh
h=$(hostname); v=${h##*[!0-9]}
echo "$1 $h" >>"$2/starts.log"
s=1
while [ $s -le 6 ]; do
    echo "hpsearch: step=$s value=$v"
    sleep 0.05
    s=$((s + 1))
done
echo "hpsearch: value=$v"
EOS
chmod +x obj.sh

# study NAME DB SAMPLER TRIALS PARAMS: the study file, its URL relative to
# each host's server address (10.NET.N.1), filled in per host at start
study() {
    cat >"$1.ini" <<EOS
[study]
name = $1
storage = postgresql://postgres@SERVER:$port/$2
sampler = $3
trials = $4
workers = 2
seed = 9
[objective]
type = command
command = $T/obj.sh {trial} $T
[params]
$5
EOS
}

# start_host N NAME STUDY: runs STUDY on host N in the background
start_host() {
    sed "s/SERVER/10.$net.$1.1/" "$3.ini" >"$3-h$1.ini"
    on_host "$1" "$2" "$HPSEARCH" run "$T/$3-h$1.ini" --quiet >"$3-h$1.out" 2>&1 &
}

# the checks shared by every run
check_study() { # DB STUDY TRIALS
    u="$base/$1"
    expect_eq "$(pq "$u" "select count(*), count(distinct number), max(number) + 1
                          from trials")" "$3|$3|$3" "$2: $3 trials, numbers once"
    expect_eq "$(pq "$u" "select count(*) from trials where state = 'COMPLETE'")" "$3" \
        "$2: $3 complete"
    # every step of a trial was written by the host that finished it
    expect_eq "$(pq "$u" "select count(*) from trials t join trial_values v using (trial_id)
                          where v.step is not null and v.value <> t.value")" 0 \
        "$2: no step written by a worker that no longer owned the trial"
    expect_eq "$(pq "$u" "select count(*) from trials t where state = 'COMPLETE' and
                          (select count(*) from trial_values v where v.trial_id = t.trial_id
                           and v.step is not null) <> 6")" 0 "$2: six steps per trial"
}

for sampler in random grid gp; do
    : >starts.log
    db=$(fresh_db "$sampler")
    if [ "$sampler" = grid ]; then
        study "s$sampler" "$db" grid 100 "a = choice(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
b = choice(1, 2, 3, 4, 5, 6)"
        want=60
    else
        study "s$sampler" "$db" "$sampler" 60 "a = uniform(0, 1)
b = uniform(0, 1)"
        want=60
    fi
    for n in $hosts; do start_host "$n" "h$n" "s$sampler"; done
    # mid-run: host 1's hpsearch dies, host 2's link goes down for 15 s
    sleep 1.5
    victim=$(pgrep -f "s$sampler-h1.ini" | while read -r p; do
        [ "$(readlink /proc/"$p"/exe 2>/dev/null)" = "$(readlink -f "$HPSEARCH")" ] && echo "$p"
    done | head -n 1)
    [ -n "$victim" ] || fail "$sampler: host 1's hpsearch is not running"
    kill -9 "$victim"
    # what it held stays RUNNING until its heartbeat is stale: no other host
    # can tell its pid is dead
    held=$(pq "$base/$db" "select string_agg(number::text, ' ') from trials
                           where state = 'RUNNING' and host = 'h1'")
    ip link set "hpv${tag}2" down
    sleep 15
    ip link set "hpv${tag}2" up
    wait
    check_study "$db" "$sampler" "$want"
    for num in $held; do
        expect_eq "$(pq "$base/$db" "select host <> 'h1' from trials where number = $num")" t \
            "$sampler: trial $num of the killed host re-run elsewhere"
    done
    if [ "$sampler" = grid ]; then
        expect_eq "$(pq "$base/$db" "select count(distinct params_json) from trials")" 60 \
            "grid: every point once"
    fi
done

# two containers with one host name, hpsearch at pid 1 in both: no livelock
: >starts.log
db=$(fresh_db twins)
study twins "$db" random 24 "a = uniform(0, 1)"
start_host 1 twin7 twins
start_host 3 twin7 twins
wait

check_study "$db" twins 24
expect_eq "$(sort starts.log | cut -d' ' -f1 | uniq -d | wc -l)" 0 "twins: no trial started twice"

# a container restarted: the new hpsearch is pid 1 again under the old name
: >starts.log
db=$(fresh_db restart)
study restart "$db" random 20 "a = uniform(0, 1)"
start_host 1 box5 restart
sleep 1
pkill -9 -f "restart-h1.ini" || true
wait
start_host 1 box5 restart
wait
check_study "$db" restart 20

# a host whose clock is 60 s ahead steals nothing: staleness is judged by
# the server's clock
: >starts.log
db=$(fresh_db clock)
study clock "$db" random 40 "a = uniform(0, 1)"
start_host 1 h1 clock
sed "s/SERVER/10.$net.3.1/" clock.ini >clock-h3.ini
# (faketime preloads itself, which a sanitizer build must be told is fine)
on_host 3 h3 env ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
    faketime -f "+60s" "$HPSEARCH" run "$T/clock-h3.ini" --quiet >clock-h3.out 2>&1 &
wait
grep -q . clock-h3.out && fail "the host with the fast clock: $(cat clock-h3.out)"
check_study "$db" clock 40
expect_eq "$(sort starts.log | cut -d' ' -f1 | uniq -d | wc -l)" 0 "clock: no trial taken twice"
expect_eq "$(cut -d' ' -f2 starts.log | sort -u | tr '\n' ' ')" "h1 h3 " "clock: both hosts worked"
ok
