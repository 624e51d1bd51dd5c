# Shared helpers of the end-to-end tests (POSIX sh).  Each test runs in a
# fresh temporary folder that is removed at exit; HPSEARCH is the binary.
set -eu
: "${HPSEARCH:?HPSEARCH must name the hpsearch binary}"
command -v sqlite3 >/dev/null || { echo "sqlite3 (the CLI) is needed" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/hpsearch-e2e.XXXXXX")
trap 'cd /; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T"
checks=0

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

ok() {
    checks=$((checks + 1))
}

# expect_exit CODE CMD...: runs CMD, output in out.txt/err.txt, and checks its
# exit code.
expect_exit() {
    want=$1
    shift
    set +e
    "$@" >out.txt 2>err.txt
    got=$?
    set -e
    [ "$got" = "$want" ] || fail "expected exit $want, got $got from: $* -- stderr: $(cat err.txt)"
    ok
}

# expect_in FILE TEXT: FILE contains TEXT.
expect_in() {
    grep -qF -- "$2" "$1" || fail "'$1' lacks '$2': $(cat "$1")"
    ok
}

# expect_eq GOT WANT WHAT
expect_eq() {
    [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
    ok
}

q() {
    sqlite3 "$1" "$2"
}

# A study of branin, NAME, TRIALS, extra [study] and [objective] lines;
# sampler random (proposals by seed and number alone, in microseconds)
# unless the extra lines name one.
branin_study() {
    case $3 in
        *sampler*) sampler_line="" ;;
        *) sampler_line="sampler = random" ;;
    esac
    cat >"$1.ini" <<EOS
[study]
name = $1
trials = $2
seed = 11
$sampler_line
$3
[objective]
type = function
name = branin
$4
[params]
x1 = uniform(-5, 10)
x2 = uniform(0, 15)
EOS
}

# alive PID: 0 if the process exists and is not a zombie (a killed child of
# a dead parent stays a zombie until init reaps it, and kill -0 succeeds on it)
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f1)
    [ "$st" != Z ]
}

# group_alive PGID: 0 if any live (not zombie) process is in group PGID
group_alive() {
    want=$1
    for f in /proc/[0-9]*/stat; do
        rest=$(sed 's/.*) //' "$f" 2>/dev/null) || continue
        # shellcheck disable=SC2086
        set -- $rest
        [ $# -ge 3 ] || continue
        if [ "$3" = "$want" ] && [ "$1" != Z ]; then
            return 0
        fi
    done
    return 1
}

done_ok() {
    echo "ok: $checks checks"
}
