/* nftw is XSI */
#define _XOPEN_SOURCE 700
#include "files.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int files_make_dirs(const char *path)
{
    char p[4096];
    if (snprintf(p, sizeof p, "%s", path) >= (int)sizeof p) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(p, 0777) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)flag;
    (void)f;
    return remove(path);
}

int files_remove_tree(const char *path)
{
    if (access(path, F_OK) != 0)
        return 0;
    return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *files_resolve(const char *base, const char *rel)
{
    if (rel[0] == '/')
        return strdup(rel);
    const char *slash = strrchr(base, '/');
    size_t dir_len = slash ? (size_t)(slash - base) + 1 : 0;
    size_t n = dir_len + strlen(rel) + 1;
    char *p = malloc(n);
    if (!p)
        return NULL;
    memcpy(p, base, dir_len);
    strcpy(p + dir_len, rel);
    return p;
}

void files_dirname(const char *path, char *out, int len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, (size_t)len, ".");
    else if (slash == path)
        snprintf(out, (size_t)len, "/");
    else
        snprintf(out, (size_t)len, "%.*s", (int)(slash - path), path);
}

/* Opens a temporary file beside PATH, created exclusively (never a planted
** file or link); *tmp gets its name. */
FILE *files_open_beside(const char *path, char **tmp)
{
    size_t n = strlen(path) + 16;
    *tmp = malloc(n);
    if (!*tmp)
        return NULL;
    snprintf(*tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(*tmp);
    if (fd < 0) {
        free(*tmp);
        *tmp = NULL;
        return NULL;
    }
    /* mkstemp makes it private; the export gets what fopen would give it */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        remove(*tmp);
        free(*tmp);
        *tmp = NULL;
    }
    return f;
}

