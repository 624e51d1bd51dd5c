/*
** A test-only shim, loaded with LD_PRELOAD: after HPSEARCH_TEST_EIO_AFTER
** successful writes to a database file (*.db, *.db-wal), every further
** write and sync to one fails with EIO, as a failing disk would, or with
** the errno HPSEARCH_TEST_ERRNO names (30, EROFS: what the kernel returns
** once it has remounted a failing disk read-only under open files, which
** no test can make it do).  Storage fault tests use it; nothing else loads
** it.
*/
/* both pwrite and pwrite64 are defined here: no renaming of one to the other */
#undef _FILE_OFFSET_BITS
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static atomic_long writes_left = -2; /* -2: not read yet, -1: never fail */

static int fault_errno(void)
{
    const char *v = getenv("HPSEARCH_TEST_ERRNO");
    return v ? atoi(v) : EIO;
}

static int is_database(int fd)
{
    char link[64], path[4096];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, sizeof path - 1);
    if (n <= 0)
        return 0;
    path[n] = '\0';
    size_t len = (size_t)n;
    return (len > 3 && strcmp(path + len - 3, ".db") == 0) ||
           (len > 7 && strcmp(path + len - 7, ".db-wal") == 0);
}

/* 1 when this write to FD must fail. */
static int should_fail(int fd)
{
    long left = atomic_load(&writes_left);
    if (left == -2) {
        const char *v = getenv("HPSEARCH_TEST_EIO_AFTER");
        left = v ? atol(v) : -1;
        atomic_store(&writes_left, left);
    }
    if (left < 0 || !is_database(fd))
        return 0;
    if (left == 0)
        return 1;
    atomic_fetch_sub(&writes_left, 1);
    return 0;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    static ssize_t (*real)(int, const void *, size_t, off64_t);
    if (!real)
        real = (ssize_t (*)(int, const void *, size_t, off64_t))dlsym(RTLD_NEXT, "pwrite64");
    if (should_fail(fd)) {
        errno = fault_errno();
        return -1;
    }
    return real(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    return pwrite64(fd, buf, n, (off64_t)off);
}

int fdatasync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
    if (atomic_load(&writes_left) == 0 && is_database(fd)) {
        errno = fault_errno();
        return -1;
    }
    return real(fd);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    if (atomic_load(&writes_left) == 0 && is_database(fd)) {
        errno = fault_errno();
        return -1;
    }
    return real(fd);
}
