#!/bin/sh
# Runs a command with a throwaway PostgreSQL cluster on loopback, for the
# tests that need one (storage_pg, postgres): HP_TEST_PG_URL and
# HP_TEST_PG_DIR name it while the command runs; it is stopped and removed
# afterwards, whatever the command's exit.  Without a PostgreSQL server
# installed the command runs alone and those tests say they were skipped.
#   sh tests/pg/with_cluster.sh meson test -C build
here=$(cd "$(dirname "$0")" && pwd)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "with_cluster.sh: no PostgreSQL server installed; its tests will be skipped" >&2
    exec "$@"
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-pg.XXXXXX")
url=$(sh "$here/cluster.sh" start "$dir") || { rm -rf "$dir"; exit 1; }
trap 'sh "$here/cluster.sh" stop "$dir"' EXIT INT TERM
HP_TEST_PG_URL=$url HP_TEST_PG_DIR=$dir "$@"
