/*
** hpsearch copy SRC DST [--study NAME]: moves a study between storages (an
** SQLite file and a PostgreSQL database, either way), so that a study
** started on a laptop continues on a cluster.
*/
#include "cli.h"

int cmd_copy(const hp_args *a, hp_target *t, char *err)
{
    const char *dst_name = a->pos[1];
    hp_store *dst = NULL;
    int rc = store_open(dst_name, 1, &dst, err);
    if (rc)
        return rc;
    int64_t copied = 0;
    rc = store_copy_study(t->store, &t->study, dst, &copied, err);
    store_close(dst);
    if (rc == HP_OK)
        printf("copied study '%s' (%lld trials) to %s\n", t->study.name, (long long)copied,
               dst_name);
    return rc;
}
