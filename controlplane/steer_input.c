/* steer_input.c - the loader-facing input of the steering engine: growable arrays of sites,
 * OCAs, routes, files and holdings, and the default policy.
 * Owns the arrays and an arena with copies of every string, so a loader can pass SQLite's
 * column text straight in. Checks nothing but sizes: steer_snap_build() validates content. */
#include "steer.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define STRINGS_MAX ((size_t)4 << 30) /* names, hosts and file ids of one input */

void
steer_policy_init(struct steer_policy *p)
{
    memset(p, 0, sizeof(*p));
    p->path_hops[ROUTE_SRC_EMBEDDED] = 0;
    p->path_hops[ROUTE_SRC_PNI] = 1;
    p->path_hops[ROUTE_SRC_PEERING] = 1;
    p->path_hops[ROUTE_SRC_TRANSIT] = 1;
    p->med_offset[ROUTE_SRC_EMBEDDED] = 0;
    p->med_offset[ROUTE_SRC_PNI] = 0;
    p->med_offset[ROUTE_SRC_PEERING] = 50;
    p->med_offset[ROUTE_SRC_TRANSIT] = 100;
    p->load_limit = 0.90;
    p->geo_bucket_km = 25.0;
    p->max_n = 10;
}

void
steer_input_init(struct steer_input *in)
{
    memset(in, 0, sizeof(*in));
    steer_policy_init(&in->policy);
}

void
steer_input_clear(struct steer_input *in)
{
    free(in->sites);
    free(in->ocas);
    free(in->routes);
    free(in->files);
    free(in->holdings);
    arena_free(in->strings);
    steer_input_init(in);
}

/* Make room for one more element of size sz in *v (n used, *cap allocated, max allowed). */
static enum ocdn_err
grow(void **v, size_t n, size_t *cap, size_t sz, size_t max)
{
    size_t ncap;
    void *p;

    if (n < *cap)
        return OCDN_OK;
    if (n >= max)
        return OCDN_ETOOBIG;
    ncap = *cap ? *cap * 2 : 64;
    if (ncap > max)
        ncap = max;
    p = realloc(*v, ncap * sz);
    if (!p)
        return OCDN_ENOMEM;
    *v = p;
    *cap = ncap;
    return OCDN_OK;
}

/* Copy of s in the input's arena (NULL stays NULL). */
static enum ocdn_err
copy_str(struct steer_input *in, const char *s, const char **out)
{
    *out = NULL;
    if (!s)
        return OCDN_OK;
    if (!in->strings) {
        in->strings = arena_new(STRINGS_MAX);
        if (!in->strings)
            return OCDN_ENOMEM;
    }
    *out = arena_strdup(in->strings, s);
    return *out ? OCDN_OK : OCDN_ENOMEM;
}

enum ocdn_err
steer_input_add_site(struct steer_input *in, const struct steer_site *s, uint32_t *idx)
{
    struct steer_site c = *s;
    enum ocdn_err err;

    err =
        grow((void **)&in->sites, in->n_sites, &in->cap_sites, sizeof(*in->sites), STEER_MAX_SITES);
    if (err)
        return err;
    err = copy_str(in, s->name, &c.name);
    if (err)
        return err;
    if (idx)
        *idx = (uint32_t)in->n_sites;
    in->sites[in->n_sites++] = c;
    return OCDN_OK;
}

enum ocdn_err
steer_input_add_oca(struct steer_input *in, const struct steer_oca *o, uint32_t *idx)
{
    struct steer_oca c = *o;
    enum ocdn_err err;

    err = grow((void **)&in->ocas, in->n_ocas, &in->cap_ocas, sizeof(*in->ocas), STEER_MAX_OCAS);
    if (err)
        return err;
    err = copy_str(in, o->host, &c.host);
    if (err)
        return err;
    if (idx)
        *idx = (uint32_t)in->n_ocas;
    in->ocas[in->n_ocas++] = c;
    return OCDN_OK;
}

enum ocdn_err
steer_input_add_route(struct steer_input *in, const struct steer_route *r)
{
    enum ocdn_err err;

    err = grow((void **)&in->routes, in->n_routes, &in->cap_routes, sizeof(*in->routes),
               STEER_MAX_ROUTES);
    if (err)
        return err;
    in->routes[in->n_routes++] = *r;
    return OCDN_OK;
}

enum ocdn_err
steer_input_add_file(struct steer_input *in, const char *id, uint32_t *idx)
{
    const char *c;
    enum ocdn_err err;

    if (!id || strnlen(id, STEER_FILE_ID_MAX + 1) > STEER_FILE_ID_MAX)
        return OCDN_EINVAL;
    err =
        grow((void **)&in->files, in->n_files, &in->cap_files, sizeof(*in->files), STEER_MAX_FILES);
    if (err)
        return err;
    err = copy_str(in, id, &c);
    if (err)
        return err;
    if (idx)
        *idx = (uint32_t)in->n_files;
    in->files[in->n_files++] = c;
    return OCDN_OK;
}

enum ocdn_err
steer_input_add_holding(struct steer_input *in, uint32_t file, uint32_t oca)
{
    enum ocdn_err err;

    err = grow((void **)&in->holdings, in->n_holdings, &in->cap_holdings, sizeof(*in->holdings),
               STEER_MAX_HOLDINGS);
    if (err)
        return err;
    in->holdings[in->n_holdings][0] = file;
    in->holdings[in->n_holdings][1] = oca;
    in->n_holdings++;
    return OCDN_OK;
}
