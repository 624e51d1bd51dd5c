/*
** A run's storage connections, shared by its workers.  A worker takes a
** connection for one storage call (or for its whole life) and gives it
** back; connections open when first needed, up to the pool's size.
**
** Why share: a PostgreSQL server does its best with about as many busy
** sessions as it has cores, and every session counts against its
** max_connections.  Workers whose storage calls are short (no model reads
** the history in them, no pruner waits in them) lose nothing by taking
** turns on fewer sessions, and a study of 100 hosts does not need 100 x
** workers of them.
*/
#ifndef HP_STORE_POOL_H
#define HP_STORE_POOL_H

#include "storage.h"

typedef struct hp_store_pool hp_store_pool;

/* A pool of at most SIZE (>= 1) connections to PATH; none opened yet.
** NULL when out of memory. */
hp_store_pool *store_pool_new(const char *path, int size);

/* Takes a free connection, opening one if the pool may grow, else waiting
** for one to be given back.  Returns HP_OK with *OUT set, or store_open's
** error with a message in err. */
int store_pool_take(hp_store_pool *pool, hp_store **out, char *err);

/* Gives back a connection that store_pool_take returned. */
void store_pool_give(hp_store_pool *pool, hp_store *store);

/* Closes every connection; none may be taken. */
void store_pool_free(hp_store_pool *pool);

#endif
