#!/bin/sh
# A throwaway PostgreSQL cluster on loopback for the tests and benchmarks:
#   sh tests/pg/cluster.sh start DIR   -> prints the URL of database "hpsearch"
#   sh tests/pg/cluster.sh pause|resume DIR   (stop and start the server)
#   sh tests/pg/cluster.sh stop DIR
# initdb and the server run as an unprivileged user (postgres, or the
# caller when not root), on a free port, with trust authentication for
# loopback only; and a second role "secret" with a password, for the tests
# of refused logins.
set -eu
cmd=${1:?usage: cluster.sh start|stop DIR}
dir=${2:?usage: cluster.sh start|stop DIR}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/initdb" ] || { echo "cluster.sh: PostgreSQL server is not installed" >&2; exit 2; }

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

case $cmd in
start)
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_owner "$bindir/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    # a free port: a random one that nothing listens on
    port=$(awk 'BEGIN { srand(); print 20000 + int(rand() * 20000) }')
    while ss -Htln "sport = :$port" | grep -q .; do
        port=$((port + 7))
    done
    cat >> "$dir/data/postgresql.conf" <<CONF
listen_addresses = '*'
port = $port
unix_socket_directories = '$dir'
fsync = off
max_connections = 200
CONF
    # loopback and the test's veth networks trust; role "secret" must give
    # its password wherever it comes from
    cat > "$dir/data/pg_hba.conf" <<HBA
local all secret scram-sha-256
host all secret 0.0.0.0/0 scram-sha-256
local all all trust
host all all 127.0.0.1/32 trust
host all all 10.0.0.0/8 trust
HBA
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as_owner "$bindir/psql" -h "$dir" -p "$port" -U postgres -d postgres -qAt \
        -c "CREATE DATABASE hpsearch" \
        -c "CREATE ROLE secret LOGIN PASSWORD 'right-password'" >/dev/null
    echo "$port" > "$dir/port"
    echo "postgresql://postgres@127.0.0.1:$port/hpsearch"
    ;;
pause)
    # the server goes away (as in a restart), its data stays
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
resume)
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
stop)
    [ -d "$dir/data" ] && as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
*)
    echo "cluster.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
