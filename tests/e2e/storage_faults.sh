# Storage faults: the database's filesystem fills mid-run, the disk returns
# I/O errors, the filesystem is remounted read-only mid-run.  Each time: a
# clear message, exit 1, a database that passes its integrity check, and a
# resume after the fault that ends with exactly `trials` finished trials,
# every trial finished before the fault still there with its value.
# Runs in its own mount namespace (as root, or mapped to root), so its
# mounts vanish with it.
if [ -z "${HPSEARCH_IN_NS:-}" ]; then
    exec unshare --mount --map-root-user --propagation private \
        env HPSEARCH_IN_NS=1 sh "$0" "$@"
fi
. "$E2E_LIB"
trap 'cd /; umount "$T/fs" 2>/dev/null || true; rm -rf "$T"' EXIT
mkdir fs
study() { # FILE TRIALS OBJECTIVE-EXTRA
    cat >"$1" <<EOS
[study]
name = f
storage = $T/fs/f.db
trials = $2
workers = 2
seed = 3
sampler = random
[objective]
type = function
name = branin
$3
[params]
x1 = uniform(-5, 10)
x2 = uniform(0, 15)
EOS
}
snapshot() {
    q fs/f.db "select group_concat(number || '=' || printf('%.17g', value), ' ') from
               (select number, value from trials where state = 'COMPLETE' order by number)"
}
# every trial complete before the fault is still complete with its value
kept() { # BEFORE
    for pair in $1; do
        n=${pair%%=*}
        v=$(q fs/f.db "select printf('%.17g', value) from trials where number = $n and state = 'COMPLETE'")
        [ "$n=$v" = "$pair" ] || fail "trial $n lost or changed: $pair became '$n=$v'"
    done
    ok
}
finish_exactly() { # TRIALS
    expect_exit 0 "$HPSEARCH" run f.ini --quiet
    expect_eq "$(q fs/f.db "select count(*) from trials where state in ('COMPLETE', 'PRUNED', 'FAILED')")" \
        "$1" "exactly the budget"
    expect_eq "$(q fs/f.db "select count(*) from trials where state in ('RUNNING', 'WAITING')")" 0 \
        "nothing left running or waiting"
    expect_eq "$(q fs/f.db "pragma integrity_check")" ok "integrity after the resume"
}

# 1. the filesystem fills mid-run
mount -t tmpfs -o size=300k tmpfs fs || fail "cannot mount a tmpfs"
study f.ini 2000 ""
expect_exit 1 "$HPSEARCH" run f.ini --quiet
expect_in err.txt "database or disk is full"
expect_eq "$(q fs/f.db "pragma integrity_check")" ok "integrity after the disk filled"
before=$(snapshot)
[ -n "$before" ] || fail "nothing completed before the disk filled"
mount -o remount,size=64m fs
finish_exactly 2000
kept "$before"
umount fs

# 2. the disk returns I/O errors
mount -t tmpfs -o size=64m tmpfs fs
study f.ini 300 ""
expect_exit 0 "$HPSEARCH" run f.ini --quiet --trials 20
expect_exit 1 env LD_PRELOAD="$FAULT_IO" HPSEARCH_TEST_EIO_AFTER=40 \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$HPSEARCH" run f.ini --quiet
expect_in err.txt "disk I/O error"
expect_eq "$(q fs/f.db "pragma integrity_check")" ok "integrity after I/O errors"
before=$(snapshot)
finish_exactly 300
kept "$before"
umount fs

# 3. the filesystem turns read-only while trials run (writes fail with
#    EROFS, as when the kernel remounts a failing disk), then really is
#    read-only: queries still answer, run refuses clearly; remounted
#    read-write, the study resumes
mount -t tmpfs -o size=64m tmpfs fs
study f.ini 200 "sleep = 0.02s"
expect_exit 0 "$HPSEARCH" run f.ini --quiet --trials 10
expect_exit 1 env LD_PRELOAD="$FAULT_IO" HPSEARCH_TEST_EIO_AFTER=30 HPSEARCH_TEST_ERRNO=30 \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$HPSEARCH" run f.ini --quiet
grep -q "readonly\|read-only\|disk I/O error" err.txt || fail "no clear message: $(cat err.txt)"
ok
expect_eq "$(q fs/f.db "pragma integrity_check")" ok "integrity after the writes failed"
before=$(snapshot)
mount -o remount,ro fs
expect_exit 0 "$HPSEARCH" status f.ini
expect_in out.txt "/200 finished"
expect_exit 2 "$HPSEARCH" run f.ini --quiet
expect_in err.txt "is not writable"
mount -o remount,rw fs
finish_exactly 200
kept "$before"
done_ok
