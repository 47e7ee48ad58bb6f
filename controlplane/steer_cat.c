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
    free(c->pool);
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

/* Holders per file: two stable counting sorts (by OCA, then by file) leave every file's
 * holders sorted; duplicates are dropped, then each file becomes an array or a bitmap. */
static enum ocdn_err
build_holders(const struct steer_input *in, struct steer_cat *c, char *err, size_t errlen)
{
    size_t nh = in->n_holdings, nf = in->n_files, no = in->n_ocas, i, words, total = 0;
    uint32_t *by_oca = NULL, *by_file = NULL, *cnt = NULL;
    size_t *start = NULL;
    enum ocdn_err e = OCDN_OK;

    for (i = 0; i < nh; i++) {
        if (in->holdings[i][0] >= nf)
            return bad(err, errlen, "holding %zu: file %u out of range (%zu files)", i,
                       in->holdings[i][0], nf);
        if (in->holdings[i][1] >= no)
            return bad(err, errlen, "holding %zu: oca %u out of range (%zu ocas)", i,
                       in->holdings[i][1], no);
    }
    c->fent = calloc(nf ? nf : 1, sizeof(*c->fent));
    by_oca = malloc((nh ? nh : 1) * sizeof(*by_oca));
    by_file = malloc((nh ? nh : 1) * sizeof(*by_file));
    start = calloc((no > nf ? no : nf) + 1, sizeof(*start));
    cnt = calloc(nf ? nf : 1, sizeof(*cnt));
    if (!c->fent || !by_oca || !by_file || !start || !cnt) {
        e = OCDN_ENOMEM;
        goto out;
    }
    for (i = 0; i < nh; i++)
        start[in->holdings[i][1] + 1]++;
    for (i = 1; i <= no; i++)
        start[i] += start[i - 1];
    for (i = 0; i < nh; i++)
        by_oca[start[in->holdings[i][1]]++] = (uint32_t)i;
    memset(start, 0, ((no > nf ? no : nf) + 1) * sizeof(*start));
    for (i = 0; i < nh; i++)
        start[in->holdings[i][0] + 1]++;
    for (i = 1; i <= nf; i++)
        start[i] += start[i - 1];
    for (i = 0; i < nh; i++) {
        uint32_t h = by_oca[i];
        by_file[start[in->holdings[h][0]]++] = in->holdings[h][1];
    }
    /* start[f] is now the end of file f's run; count distinct holders. */
    words = (no + 31) / 32;
    for (i = 0; i < nf; i++) {
        size_t b = i ? start[i - 1] : 0, k;
        for (k = b; k < start[i]; k++)
            if (k == b || by_file[k] != by_file[k - 1])
                cnt[i]++;
        c->fent[i].n = cnt[i];
        c->fent[i].is_bitmap = cnt[i] > words;
        c->fent[i].off = total;
        total += c->fent[i].is_bitmap ? words : cnt[i];
        c->n_holdings += cnt[i];
    }
    c->pool = calloc(total ? total : 1, sizeof(*c->pool));
    if (!c->pool) {
        e = OCDN_ENOMEM;
        goto out;
    }
    c->n_pool = total;
    for (i = 0; i < nf; i++) {
        size_t b = i ? start[i - 1] : 0, k, j = 0;
        uint32_t *dst = c->pool + c->fent[i].off;
        for (k = b; k < start[i]; k++) {
            uint32_t o = by_file[k];
            if (k != b && o == by_file[k - 1])
                continue;
            if (c->fent[i].is_bitmap)
                dst[o >> 5] |= 1u << (o & 31u);
            else
                dst[j++] = o;
        }
    }
out:
    free(by_oca);
    free(by_file);
    free(start);
    free(cnt);
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
