/* rst-store.c
 * Fixed-size entries, and the rare extras, in chunks (see rst-store.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "rst-store.h"

#include <glib.h>
#include <string.h>

#define ENTRIES_PER_CHUNK 2048
#define EXTRAS_PER_CHUNK  256

struct rst_store {
    GPtrArray *entries;         /* chunks of ENTRIES_PER_CHUNK rst_entry */
    guint      entries_used;    /* in the last chunk */
    GPtrArray *extras;          /* chunks of EXTRAS_PER_CHUNK rst_extra */
    guint      extras_used;
};

rst_store *rst_store_new(void)
{
    rst_store *store = g_new0(rst_store, 1);

    store->entries = g_ptr_array_new_with_free_func(g_free);
    store->extras = g_ptr_array_new_with_free_func(g_free);
    return store;
}

void rst_store_free(rst_store *store)
{
    if (!store)
        return;
    g_ptr_array_free(store->entries, TRUE);
    g_ptr_array_free(store->extras, TRUE);
    g_free(store);
}

/* The next free slot of size bytes in chunks of per_chunk slots. */
static void *next_slot(GPtrArray *chunks, guint *used, size_t size, guint per_chunk)
{
    if (chunks->len == 0 || *used == per_chunk) {
        g_ptr_array_add(chunks, g_malloc(size * per_chunk));
        *used = 0;
    }
    return (uint8_t *)g_ptr_array_index(chunks, chunks->len - 1) + size * (*used)++;
}

rst_entry *rst_store_add(rst_store *store, const rst_facts *facts, const rst_extra *extra)
{
    rst_entry *e = next_slot(store->entries, &store->entries_used, sizeof(rst_entry),
                             ENTRIES_PER_CHUNK);

    memset(e, 0, sizeof(*e));
    e->facts = *facts;
    if (extra) {
        rst_extra *x = next_slot(store->extras, &store->extras_used, sizeof(rst_extra),
                                 EXTRAS_PER_CHUNK);
        *x = *extra;
        e->facts.extra = x;
    }
    return e;
}

void rst_store_foreach(const rst_store *store, rst_entry_visitor visit, void *data)
{
    for (guint i = 0; i < store->entries->len; i++) {
        const rst_entry *chunk = g_ptr_array_index(store->entries, i);
        guint n = i + 1 < store->entries->len ? ENTRIES_PER_CHUNK : store->entries_used;
        for (guint j = 0; j < n; j++)
            visit(&chunk[j], data);
    }
}
