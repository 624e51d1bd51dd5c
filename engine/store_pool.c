/*
** A run's storage connections, shared by its workers.  See store_pool.h.
*/
#include "store_pool.h"

#include "error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct hp_store_pool {
    char *path;
    int size;
    int opened;              /* connections opened (or being opened) */
    int n_free;
    hp_store **free_list;    /* size entries, n_free of them in use */
    pthread_mutex_t lock;
    pthread_cond_t given_back;
};

hp_store_pool *store_pool_new(const char *path, int size)
{
    hp_store_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->size = size < 1 ? 1 : size;
    p->path = strdup(path);
    p->free_list = calloc((size_t)p->size, sizeof *p->free_list);
    if (!p->path || !p->free_list) {
        free(p->path);
        free(p->free_list);
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->given_back, NULL);
    return p;
}

int store_pool_take(hp_store_pool *p, hp_store **out, char *err)
{
    *out = NULL;
    pthread_mutex_lock(&p->lock);
    while (p->n_free == 0 && p->opened >= p->size)
        pthread_cond_wait(&p->given_back, &p->lock);
    if (p->n_free > 0) {
        *out = p->free_list[--p->n_free];
        pthread_mutex_unlock(&p->lock);
        return HP_OK;
    }
    /* opened outside the lock: a connection can take seconds to come */
    p->opened++;
    pthread_mutex_unlock(&p->lock);
    int rc = store_open(p->path, 0, out, err);
    if (rc) {
        pthread_mutex_lock(&p->lock);
        p->opened--;
        pthread_cond_signal(&p->given_back);
        pthread_mutex_unlock(&p->lock);
    }
    return rc;
}

void store_pool_give(hp_store_pool *p, hp_store *store)
{
    pthread_mutex_lock(&p->lock);
    p->free_list[p->n_free++] = store;
    pthread_cond_signal(&p->given_back);
    pthread_mutex_unlock(&p->lock);
}

void store_pool_free(hp_store_pool *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n_free; i++)
        store_close(p->free_list[i]);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->given_back);
    free(p->free_list);
    free(p->path);
    free(p);
}
