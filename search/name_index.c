#include "name_index.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *name;     /* NULL: empty slot */
    int value;
    uint64_t hash;
} slot;

struct hp_name_index {
    slot *slots;
    size_t cap;     /* a power of two */
    size_t used;
    int fold_case;
};

static uint64_t hash_name(const char *s, int fold)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        h = (h ^ (fold ? (unsigned char)tolower(c) : c)) * 1099511628211ULL;
    }
    return h;
}

static int same(const hp_name_index *ix, const char *a, const char *b)
{
    return ix->fold_case ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

hp_name_index *name_index_new(int fold_case)
{
    hp_name_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->cap = 64;
    ix->slots = calloc(ix->cap, sizeof *ix->slots);
    if (!ix->slots) {
        free(ix);
        return NULL;
    }
    ix->fold_case = fold_case;
    return ix;
}

void name_index_free(hp_name_index *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->cap; i++)
        free(ix->slots[i].name);
    free(ix->slots);
    free(ix);
}

static slot *find(const hp_name_index *ix, const char *name, uint64_t h)
{
    size_t mask = ix->cap - 1;
    for (size_t i = (size_t)(h ^ (h >> 29)) & mask;; i = (i + 1) & mask) {
        slot *s = &ix->slots[i];
        if (!s->name || (s->hash == h && same(ix, s->name, name)))
            return s;
    }
}

static int grow(hp_name_index *ix)
{
    size_t old_cap = ix->cap;
    slot *old = ix->slots;
    slot *slots = calloc(old_cap * 2, sizeof *slots);
    if (!slots)
        return -1;
    ix->slots = slots;
    ix->cap = old_cap * 2;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i].name)
            *find(ix, old[i].name, old[i].hash) = old[i];
    free(old);
    return 0;
}

int name_index_put(hp_name_index *ix, const char *name, int value)
{
    /* at most half full: probes stay short */
    if ((ix->used + 1) * 2 > ix->cap && grow(ix))
        return -1;
    uint64_t h = hash_name(name, ix->fold_case);
    slot *s = find(ix, name, h);
    if (!s->name) {
        if (!(s->name = strdup(name)))
            return -1;
        s->hash = h;
        ix->used++;
    }
    s->value = value;
    return 0;
}

int name_index_get(const hp_name_index *ix, const char *name)
{
    const slot *s = find(ix, name, hash_name(name, ix->fold_case));
    return s->name ? s->value : -1;
}
