/* api_file.c - /v1/titles and /v1/files: the admin's catalogue of titles and their files
 * (size and SHA-256, so that OCAs can verify what they fill). */
#include <stdio.h>
#include <string.h>

#include "api.h"
#include "api_handlers.h"
#include "audit.h"
#include "cp.h"
#include "jsonx.h"
#include "steer.h"
#include "store.h"
#include "store_file.h"

#define TITLE_FILES_MAX 10000 /* files listed with a title (a title has ~1,200) */

static bool
is_hex64(const char *s)
{
    size_t i;

    for (i = 0; i < 64; i++) {
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    }
    return s[64] == '\0';
}

static json_t *
title_json(const struct title_rec *t)
{
    return json_pack("{s:s,s:s,s:o}", "id", t->id, "name", t->name, "created_at",
                     api_time(t->created_at));
}

enum ocdn_err
api_title_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"id", "name", NULL};
    struct title_rec t;
    const char *id = NULL, *name = NULL;
    json_t *body = NULL;
    enum ocdn_err err;

    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "id", true, 1, 128, &id, rq->arena, &rs->errmsg);
    if (!err && !api_valid_object_id(id))
        err = api_fail(rq, rs,
                       "field 'id': letters, digits, '.', '_' and '-' (1..128), "
                       "starting with a letter or digit");
    if (!err)
        err = jsonx_get_str(body, "name", true, 1, 256, &name, rq->arena, &rs->errmsg);
    if (!err) {
        id = arena_strdup(rq->arena, id);
        name = arena_strdup(rq->arena, name);
        err = store_tx_begin(rq->store);
        if (!err)
            err = store_title_insert(rq->store, id, name, rq->now);
        if (err == OCDN_EEXIST)
            rs->errmsg = "a title with this id exists";
        if (!err)
            err = audit_add_text(rq, "title.create", "title", id);
        err = store_tx_end(rq->store, err);
    }
    if (!err)
        err = store_title_get(rq->store, id, rq->arena, &t);
    if (!err) {
        rs->status = 201;
        rs->body = title_json(&t);
        err = rs->body ? OCDN_OK : OCDN_ENOMEM;
    }
    json_decref(body);
    return err;
}

enum ocdn_err
api_title_list(struct api_req *rq, struct api_resp *rs)
{
    struct title_rec *v;
    const char *after = api_query(rq, "after");
    size_t n, i, limit;
    int64_t l;
    json_t *items;
    enum ocdn_err err;

    err = api_query_uint(rq, rs, "limit", 1, 1000, 100, &l);
    if (err)
        return err;
    limit = (size_t)l;
    if (after && !api_valid_object_id(after))
        return api_fail(rq, rs, "after: not a title id");
    err = store_title_list(rq->store, after, limit, rq->arena, &v, &n);
    if (err)
        return err;
    items = json_array();
    for (i = 0; items && i < n; i++)
        json_array_append_new(items, title_json(&v[i]));
    rs->body = api_list(items, n == limit ? v[n - 1].id : NULL);
    return rs->body ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
api_title_get(struct api_req *rq, struct api_resp *rs)
{
    struct title_rec t;
    struct file_rec *files;
    size_t n, i;
    struct buf b;
    struct jsonw w;
    enum ocdn_err err;

    if (!api_valid_object_id(rq->params[0]))
        return OCDN_ENOTFOUND;
    err = store_title_get(rq->store, rq->params[0], rq->arena, &t);
    if (!err)
        err = store_file_list(rq->store, t.id, NULL, TITLE_FILES_MAX + 1, rq->arena, &files, &n);
    if (err)
        return err;
    api_out_begin(&b, &w);
    jsonw_obj(&w);
    jsonw_kstr(&w, "id", t.id);
    jsonw_kstr(&w, "name", t.name);
    jsonw_ktime(&w, "created_at", t.created_at);
    jsonw_key(&w, "files");
    jsonw_arr(&w);
    for (i = 0; i < n && i < TITLE_FILES_MAX; i++) {
        jsonw_obj(&w);
        api_file_fields(&w, &files[i]);
        jsonw_obj_end(&w);
    }
    jsonw_arr_end(&w);
    jsonw_kbool(&w, "files_truncated", n > TITLE_FILES_MAX);
    jsonw_obj_end(&w);
    return api_out_done(rs, &b, &w);
}

enum ocdn_err
api_file_create(struct api_req *rq, struct api_resp *rs)
{
    static const char *const keys[] = {"id",      "title_id",     "size",   "sha256",
                                       "profile", "bitrate_kbps", "region", NULL};
    struct file_rec f;
    json_t *body = NULL;
    enum ocdn_err err;

    memset(&f, 0, sizeof(f));
    f.profile = "";
    f.region = "";
    err = api_body_json(rq, rs, &body);
    if (err)
        return err;
    err = jsonx_only_keys(body, "body", keys, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "id", true, 1, 128, &f.id, rq->arena, &rs->errmsg);
    if (!err && !api_valid_object_id(f.id))
        err = api_fail(rq, rs,
                       "field 'id': letters, digits, '.', '_' and '-' (1..128), "
                       "starting with a letter or digit");
    if (!err)
        err = jsonx_get_str(body, "title_id", true, 1, 128, &f.title_id, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "size", true, 0, INT64_MAX / 2, &f.size, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "sha256", true, 64, 64, &f.sha256, rq->arena, &rs->errmsg);
    if (!err && !is_hex64(f.sha256))
        err = api_fail(rq, rs, "field 'sha256': 64 lower-case hex digits");
    if (!err)
        err = jsonx_get_str(body, "profile", false, 0, 64, &f.profile, rq->arena, &rs->errmsg);
    if (!err)
        err = jsonx_get_int(body, "bitrate_kbps", false, 0, 10000000, &f.bitrate_kbps, rq->arena,
                            &rs->errmsg);
    if (!err)
        err = jsonx_get_str(body, "region", false, 0, 64, &f.region, rq->arena, &rs->errmsg);
    if (err)
        goto out;
    f.id = arena_strdup(rq->arena, f.id);
    f.title_id = arena_strdup(rq->arena, f.title_id);
    f.sha256 = arena_strdup(rq->arena, f.sha256);
    f.profile = arena_strdup(rq->arena, f.profile);
    f.region = arena_strdup(rq->arena, f.region);
    f.created_at = rq->now;
    err = store_tx_begin(rq->store);
    if (err)
        goto out;
    err = store_file_insert(rq->store, &f);
    if (!err)
        err = audit_add_text(rq, "file.create", "file", f.id);
    err = store_tx_end(rq->store, err);
    if (err == OCDN_EEXIST)
        rs->errmsg = "a file with this id exists";
    else if (err == OCDN_ECONFLICT)
        err = api_fail(rq, rs, "field 'title_id': no such title");
    if (err)
        goto out;
    if (rq->cp->steer)
        steer_engine_kick(rq->cp->steer); /* steering knows files by id: add this one */
    err = store_file_get(rq->store, f.id, rq->arena, &f);
    if (!err) {
        rs->status = 201;
        err = api_file_out(rs, &f);
    }
out:
    json_decref(body);
    return err;
}

enum ocdn_err
api_file_get(struct api_req *rq, struct api_resp *rs)
{
    struct file_rec f;
    enum ocdn_err err;

    if (!api_valid_object_id(rq->params[0]))
        return OCDN_ENOTFOUND;
    err = store_file_get(rq->store, rq->params[0], rq->arena, &f);
    if (err)
        return err;
    return api_file_out(rs, &f);
}
