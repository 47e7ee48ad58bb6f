/* steer_cat.c - the catalog of a steering snapshot: file ids, a hash map id -> index, and for
 * each file which OCAs hold it. A file's holders are a sorted array of OCA indices (binary
 * search) or, when that would be larger, a bitmap over all OCAs, so a file costs at most
 * n_ocas / 8 bytes: 100k files x 12k OCAs stays under 150 MB even if every OCA held
 * everything. Owns everything in struct steer_cat; built once, then read-only and shared by
 * consecutive snapshots while the catalog does not change. */
#include "steer_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum ocdn_err bad(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum ocdn_err
bad(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return OCDN_EINVAL;
}

bool
steer_file_id_valid(const char *id)
{
    size_t i;

    if (!id)
        return false;
    for (i = 0; id[i]; i++) {
        char c = id[i];
        bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (i >= STEER_FILE_ID_MAX)
            return false;
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return i > 0;
}

void
steer_cat_unref(struct steer_cat *c)
{
    if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(c->oca_ids);
    free(c->name_off);
    free(c->names);
    free(c->file_hash);
    free(c->map);
    free(c->fent);
    steer_mem_free(c->pool, c->pool_alloc);
    free(c);
}

int32_t
steer_cat_find(const struct steer_cat *c, const char *id, size_t len)
{
    uint64_t h = steer_file_hash(id, len);
    size_t i;

    if (c->n_files == 0)
        return -1;
    for (i = h & c->map_mask; c->map[i] != 0; i = (i + 1) & c->map_mask) {
        uint32_t f = c->map[i] - 1;
        const char *name = c->names + c->name_off[f];
        if (c->file_hash[f] == h && c->name_off[f + 1] - c->name_off[f] - 1 == len &&
            memcmp(name, id, len) == 0)
            return (int32_t)f;
    }
    return -1;
}

uint64_t
steer_cat_checksum(const struct steer_cat *c)
{
    uint64_t h = 0xca7ull;

    h = steer_hash_bytes(c->oca_ids, c->n_ocas * sizeof(*c->oca_ids), h);
    h = steer_hash_bytes(c->name_off, (c->n_files + 1) * sizeof(*c->name_off), h);
    h = steer_hash_bytes(c->names, c->name_off[c->n_files], h);
    h = steer_hash_bytes(c->file_hash, c->n_files * sizeof(*c->file_hash), h);
    h = steer_hash_bytes(c->map, (c->map_mask + 1) * sizeof(*c->map), h);
    h = steer_hash_bytes(c->fent, c->n_files * sizeof(*c->fent), h);
    h = steer_hash_bytes(c->pool, c->n_pool * sizeof(*c->pool), h);
    return h;
}

/* File ids, their hashes and the map; OCDN_EINVAL on a malformed or duplicate id. */
static enum ocdn_err
build_names(const struct steer_input *in, struct steer_cat *c, char *err, size_t errlen)
{
    size_t i, total = 0, cap = 16;

    for (i = 0; i < in->n_files; i++) {
        if (!steer_file_id_valid(in->files[i]))
            return bad(err, errlen, "file %zu: malformed id", i);
        total += strlen(in->files[i]) + 1;
    }
    while (cap < in->n_files * 2)
        cap *= 2;
    c->name_off = malloc((in->n_files + 1) * sizeof(*c->name_off));
    c->names = malloc(total ? total : 1);
    c->file_hash = malloc((in->n_files ? in->n_files : 1) * sizeof(*c->file_hash));
    c->map = calloc(cap, sizeof(*c->map));
    if (!c->name_off || !c->names || !c->file_hash || !c->map)
        return OCDN_ENOMEM;
    c->map_mask = cap - 1;
    total = 0;
    for (i = 0; i < in->n_files; i++) {
        size_t len = strlen(in->files[i]), k;

        c->name_off[i] = (uint32_t)total;
        memcpy(c->names + total, in->files[i], len + 1);
        c->file_hash[i] = steer_file_hash(in->files[i], len);
        for (k = c->file_hash[i] & c->map_mask; c->map[k] != 0; k = (k + 1) & c->map_mask) {
            uint32_t f = c->map[k] - 1;
            if (c->file_hash[f] == c->file_hash[i] &&
                strcmp(c->names + c->name_off[f], in->files[i]) == 0)
                return bad(err, errlen, "file %zu: duplicate id %s (file %u)", i, in->files[i], f);
        }
        c->map[k] = (uint32_t)i + 1;
        total += len + 1;
    }
    c->name_off[in->n_files] = (uint32_t)total;
    c->n_files = in->n_files;
    return OCDN_OK;
}

static int
u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return x < y ? -1 : x > y;
}

/* Holders per file in two passes over the holdings: count, then place. A file with more
 * holdings than its bitmap has words gets the bitmap (bits set in place, duplicates vanish);
 * the others get an array, sorted and deduplicated afterwards. */
static enum ocdn_err
build_holders(const struct steer_input *in, struct steer_cat *c, char *err, size_t errlen)
{
    size_t nh = in->n_holdings, nf = in->n_files, no = in->n_ocas, i, words, total = 0;
    uint64_t *cur = NULL;
    enum ocdn_err e = OCDN_OK;

    c->fent = calloc(nf ? nf : 1, sizeof(*c->fent));
    cur = calloc(nf ? nf : 1, sizeof(*cur));
    if (!c->fent || !cur) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < nh; i++) {
        uint32_t f = in->holdings[i][0], o = in->holdings[i][1];
        if (f >= nf) {
            e = bad(err, errlen, "holding %zu: file %u out of range (%zu files)", i, f, nf);
            goto out;
        }
        if (o >= no) {
            e = bad(err, errlen, "holding %zu: oca %u out of range (%zu ocas)", i, o, no);
            goto out;
        }
        c->fent[f].n++;
    }
    words = (no + 31) / 32;
    for (i = 0; i < nf; i++) {
        c->fent[i].is_bitmap = c->fent[i].n > words;
        c->fent[i].off = total;
        cur[i] = total;
        total += c->fent[i].is_bitmap ? words : c->fent[i].n;
    }
    /* Huge pages: the holders of a query's file are read at random, and 4 KiB pages over tens
     * of megabytes would add a TLB miss to most of those reads. */
    c->pool_alloc = (total ? total : 1) * sizeof(*c->pool);
    c->pool = steer_mem_alloc(c->pool_alloc);
    if (!c->pool) {
        e = OCDN_ENOMEM;
        goto out;
    }
    c->n_pool = total;
    for (i = 0; i < nh; i++) {
        uint32_t f = in->holdings[i][0], o = in->holdings[i][1];
        if (c->fent[f].is_bitmap)
            c->pool[c->fent[f].off + (o >> 5)] |= 1u << (o & 31u);
        else
            c->pool[cur[f]++] = o;
    }
    for (i = 0; i < nf; i++) {
        uint32_t *v = c->pool + c->fent[i].off;
        size_t n = c->fent[i].n, k, m = 0;

        if (c->fent[i].is_bitmap) {
            for (k = 0, n = 0; k < words; k++)
                n += (size_t)__builtin_popcount(v[k]);
        } else {
            qsort(v, n, sizeof(*v), u32_cmp);
            for (k = 0; k < n; k++)
                if (k == 0 || v[k] != v[m - 1])
                    v[m++] = v[k];
            n = m;
        }
        c->fent[i].n = (uint32_t)n;
        c->n_holdings += n;
    }
out:
    free(cur);
    return e;
}

enum ocdn_err
steer_cat_build(const struct steer_input *in, struct steer_cat **out, char *err, size_t errlen)
{
    struct steer_cat *c;
    enum ocdn_err e;
    size_t i;

    *out = NULL;
    c = calloc(1, sizeof(*c));
    if (!c)
        return OCDN_ENOMEM;
    atomic_init(&c->refs, 1);
    c->version = in->catalog_version;
    c->n_ocas = in->n_ocas;
    c->oca_ids = malloc((in->n_ocas ? in->n_ocas : 1) * sizeof(*c->oca_ids));
    if (!c->oca_ids) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < in->n_ocas; i++)
        c->oca_ids[i] = in->ocas[i].id;
    e = build_names(in, c, err, errlen);
    if (e)
        goto out;
    e = build_holders(in, c, err, errlen);
    if (e)
        goto out;
    c->bytes = sizeof(*c) + c->n_ocas * sizeof(*c->oca_ids) +
               (c->n_files + 1) * sizeof(*c->name_off) + c->name_off[c->n_files] +
               c->n_files * (sizeof(*c->file_hash) + sizeof(*c->fent)) +
               (c->map_mask + 1) * sizeof(*c->map) + c->n_pool * sizeof(*c->pool);
    c->checksum = steer_cat_checksum(c);
    *out = c;
    c = NULL;
out:
    steer_cat_unref(c);
    return e;
}
