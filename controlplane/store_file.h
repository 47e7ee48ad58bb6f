#ifndef CP_STORE_FILE_H
#define CP_STORE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"
#include "model.h"

struct store;

/* titles, files and catalog rows. */

struct title_rec {
    const char *id;
    const char *name;
    int64_t created_at;
};

/* Insert a title; OCDN_EEXIST when the id is taken. */
enum ocdn_err store_title_insert(struct store *st, const char *id, const char *name, int64_t now);
enum ocdn_err store_title_get(struct store *st, const char *id, struct arena *a,
                              struct title_rec *out);
/* Titles with id > after (text order), at most limit. */
enum ocdn_err store_title_list(struct store *st, const char *after, size_t limit, struct arena *a,
                               struct title_rec **out, size_t *n);

/* Insert a file; OCDN_EEXIST when the id is taken, OCDN_ECONFLICT for an unknown title. */
enum ocdn_err store_file_insert(struct store *st, const struct file_rec *f);
enum ocdn_err store_file_get(struct store *st, const char *id, struct arena *a,
                             struct file_rec *out);
/* Files of a title (NULL = all) with id > after, at most limit. */
enum ocdn_err store_file_list(struct store *st, const char *title_id, const char *after,
                              size_t limit, struct arena *a, struct file_rec **out, size_t *n);

/* Catalog of an OCA. */
enum ocdn_err store_catalog_clear(struct store *st, int64_t oca_id);
enum ocdn_err store_catalog_put(struct store *st, int64_t oca_id, const char *file_id, int64_t now);
enum ocdn_err store_catalog_del(struct store *st, int64_t oca_id, const char *file_id);
enum ocdn_err store_catalog_count(struct store *st, int64_t oca_id, int64_t *n);

/* Files in the OCA's manifest (*want) and how many of them its catalog holds (*have). */
enum ocdn_err store_manifest_coverage(struct store *st, int64_t oca_id, int64_t *want,
                                      int64_t *have);
/* Version of the OCA's manifest, 0 when it has none yet. */
enum ocdn_err store_manifest_version(struct store *st, int64_t oca_id, int64_t *version);

#endif
