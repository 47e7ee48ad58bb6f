/* auth.c - API keys: create them, and resolve a bearer key to a tenant scope.
 * Owns a small in-memory cache (SHA-256 of the key -> tenant, with an expiry) so that hot
 * routes such as steering answer without the database; unknown keys are cached as negative
 * entries too, so a client retrying a bad key cannot turn every request into a query.
 * Talks to store_key.c only. */
#include "auth.h"

#include <openssl/sha.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "store.h"
#include "store_key.h"
#include "token.h"

#define KEY_RANDOM_BYTES 32
#define KEY_PREFIX_SHOWN 12

struct entry {
    uint8_t hash[SHA256_DIGEST_LENGTH];
    bool used;
    bool negative; /* the key is unknown or revoked */
    int64_t expires_ms;
    struct tenant t;
};

struct auth {
    pthread_mutex_t mu;
    struct entry *v;
    size_t cap; /* power of two */
    size_t n;
    size_t max;
    int64_t ttl_ms;
    uint64_t gen; /* bumped by every flush: a lookup that began before one is not cached */
};

struct auth *
auth_new(int64_t ttl_ms, size_t max_entries)
{
    struct auth *au = calloc(1, sizeof(*au));
    size_t cap = 16;

    if (!au)
        return NULL;
    while (cap < max_entries * 2)
        cap *= 2;
    au->v = calloc(cap, sizeof(*au->v));
    if (!au->v) {
        free(au);
        return NULL;
    }
    pthread_mutex_init(&au->mu, NULL);
    au->cap = cap;
    au->max = max_entries ? max_entries : 1;
    au->ttl_ms = ttl_ms;
    return au;
}

void
auth_free(struct auth *au)
{
    if (!au)
        return;
    pthread_mutex_destroy(&au->mu);
    free(au->v);
    free(au);
}

static void
flush_locked(struct auth *au)
{
    memset(au->v, 0, au->cap * sizeof(*au->v));
    au->n = 0;
}

void
auth_flush(struct auth *au)
{
    pthread_mutex_lock(&au->mu);
    flush_locked(au);
    au->gen++;
    pthread_mutex_unlock(&au->mu);
}

void
auth_set_ttl(struct auth *au, int64_t ttl_ms)
{
    pthread_mutex_lock(&au->mu);
    au->ttl_ms = ttl_ms;
    pthread_mutex_unlock(&au->mu);
}

static size_t
slot_of(const struct auth *au, const uint8_t *hash)
{
    uint64_t h;

    memcpy(&h, hash, sizeof(h)); /* the hash is uniformly distributed already */
    return (size_t)h & (au->cap - 1);
}

/* Returns 1 and fills *t (or 0 for a negative entry's "unknown") when cached, -1 when not;
 * *gen is the cache generation the answer belongs to. */
static int
cache_get(struct auth *au, const uint8_t *hash, int64_t now_ms, struct tenant *t, uint64_t *gen)
{
    size_t i;
    int found = -1;

    pthread_mutex_lock(&au->mu);
    *gen = au->gen;
    for (i = slot_of(au, hash); au->v[i].used; i = (i + 1) & (au->cap - 1)) {
        if (memcmp(au->v[i].hash, hash, sizeof(au->v[i].hash)) != 0)
            continue;
        if (au->v[i].expires_ms > now_ms) {
            found = au->v[i].negative ? 0 : 1;
            *t = au->v[i].t;
        }
        break;
    }
    pthread_mutex_unlock(&au->mu);
    return found;
}

/* Cache what a lookup begun at generation gen found; nothing when the cache was flushed since
 * (a revocation committed during the lookup may not be in what it read). */
static void
cache_put(struct auth *au, const uint8_t *hash, int64_t now_ms, const struct tenant *t,
          uint64_t gen)
{
    size_t i;

    pthread_mutex_lock(&au->mu);
    if (gen != au->gen) {
        pthread_mutex_unlock(&au->mu);
        return;
    }
    if (au->n >= au->max)
        flush_locked(au); /* rare: more distinct keys than the cache holds */
    for (i = slot_of(au, hash); au->v[i].used; i = (i + 1) & (au->cap - 1)) {
        if (memcmp(au->v[i].hash, hash, sizeof(au->v[i].hash)) == 0)
            break;
    }
    if (!au->v[i].used)
        au->n++;
    memcpy(au->v[i].hash, hash, sizeof(au->v[i].hash));
    au->v[i].used = true;
    au->v[i].negative = t == NULL;
    au->v[i].expires_ms = now_ms + au->ttl_ms;
    if (t)
        au->v[i].t = *t;
    else
        memset(&au->v[i].t, 0, sizeof(au->v[i].t));
    pthread_mutex_unlock(&au->mu);
}

const char *
scope_str(enum scope s)
{
    switch (s) {
    case SCOPE_ADMIN:
        return "admin";
    case SCOPE_FRONTEND:
        return "frontend";
    case SCOPE_PARTNER:
        return "partner";
    case SCOPE_APPLIANCE:
        return "appliance";
    default:
        return "none";
    }
}

static enum scope
scope_from_db(const char *s)
{
    if (strcmp(s, "admin") == 0)
        return SCOPE_ADMIN;
    if (strcmp(s, "frontend") == 0)
        return SCOPE_FRONTEND;
    if (strcmp(s, "partner") == 0)
        return SCOPE_PARTNER;
    if (strcmp(s, "appliance") == 0)
        return SCOPE_APPLIANCE;
    return SCOPE_NONE;
}

static const char *
kind_tag(enum scope s)
{
    switch (s) {
    case SCOPE_ADMIN:
        return "adm";
    case SCOPE_FRONTEND:
        return "fe";
    case SCOPE_PARTNER:
        return "ptr";
    case SCOPE_APPLIANCE:
        return "app";
    default:
        return NULL;
    }
}

/* A key is "ocdn_<tag>_<43 base64url chars>"; anything else is rejected before hashing. */
static bool
key_well_formed(const char *k, size_t len)
{
    size_t i, tag_end;

    if (len < 5 + 2 + 1 + 43 || len >= AUTH_KEY_STRLEN || strncmp(k, "ocdn_", 5) != 0)
        return false;
    for (tag_end = 5; tag_end < len && k[tag_end] != '_'; tag_end++) {
        if (k[tag_end] < 'a' || k[tag_end] > 'z')
            return false;
    }
    if (tag_end - 5 < 2 || tag_end - 5 > 3 || len - tag_end - 1 != 43)
        return false;
    for (i = tag_end + 1; i < len; i++) {
        char c = k[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

enum ocdn_err
auth_resolve(struct auth *au, struct store *st, const char *header, int64_t now_ms,
             struct tenant *out)
{
    uint8_t hash[SHA256_DIGEST_LENGTH];
    char hex[65];
    const char *key;
    size_t len, i;
    struct api_key_rec rec;
    struct arena *a;
    struct tenant t;
    enum ocdn_err err;
    uint64_t gen;
    int cached;

    memset(out, 0, sizeof(*out));
    if (!header || strncasecmp(header, "Bearer ", 7) != 0)
        return OCDN_EUNAUTH;
    key = header + 7;
    while (*key == ' ')
        key++;
    len = strlen(key);
    while (len > 0 && key[len - 1] == ' ')
        len--;
    if (!key_well_formed(key, len))
        return OCDN_EUNAUTH;
    SHA256((const unsigned char *)key, len, hash);
    cached = cache_get(au, hash, now_ms, &t, &gen);
    if (cached == 1) {
        *out = t;
        return OCDN_OK;
    }
    if (cached == 0)
        return OCDN_EUNAUTH;

    for (i = 0; i < sizeof(hash); i++)
        snprintf(hex + 2 * i, 3, "%02x", hash[i]);
    a = arena_new(4096);
    if (!a)
        return OCDN_ENOMEM;
    err = store_key_find(st, hex, a, &rec);
    if (err == OCDN_ENOTFOUND) {
        cache_put(au, hash, now_ms, NULL, gen);
        err = OCDN_EUNAUTH;
        goto out;
    }
    if (err)
        goto out;
    memset(&t, 0, sizeof(t));
    t.scope = scope_from_db(rec.scope);
    t.org_id = rec.org_id;
    t.oca_id = rec.oca_id;
    t.key_id = rec.id;
    if (t.scope == SCOPE_NONE) {
        err = OCDN_EUNAUTH;
        goto out;
    }
    cache_put(au, hash, now_ms, &t, gen);
    *out = t;
out:
    arena_free(a);
    return err;
}

enum ocdn_err
auth_key_create(struct store *st, enum scope scope, int64_t org_id, int64_t oca_id,
                const char *label, int64_t now, char key_out[AUTH_KEY_STRLEN], int64_t *id)
{
    uint8_t raw[KEY_RANDOM_BYTES];
    char b64[64], hex[65], prefix[KEY_PREFIX_SHOWN + 1];
    const char *tag = kind_tag(scope);
    enum ocdn_err err;
    int n;

    *id = 0;
    key_out[0] = '\0';
    if (!tag || (scope == SCOPE_PARTNER && org_id <= 0) ||
        (scope == SCOPE_APPLIANCE && oca_id <= 0))
        return OCDN_EINVAL;
    err = token_random(raw, sizeof(raw));
    if (err)
        return err;
    base64url_encode(raw, sizeof(raw), b64);
    n = snprintf(key_out, AUTH_KEY_STRLEN, "ocdn_%s_%s", tag, b64);
    if (n < 0 || n >= AUTH_KEY_STRLEN)
        return OCDN_EINVAL;
    token_sha256_hex(key_out, (size_t)n, hex);
    snprintf(prefix, sizeof(prefix), "%s", key_out);
    err = store_key_insert(st, hex, prefix, scope_str(scope), scope == SCOPE_PARTNER ? org_id : 0,
                           scope == SCOPE_APPLIANCE ? oca_id : 0, label, now, id);
    if (err)
        key_out[0] = '\0';
    return err;
}

enum ocdn_err
scope_parse_cli(const char *s, enum scope *scope, int64_t *org_id)
{
    char *end;
    long long v;

    *org_id = 0;
    if (strcmp(s, "admin") == 0) {
        *scope = SCOPE_ADMIN;
        return OCDN_OK;
    }
    if (strcmp(s, "frontend") == 0) {
        *scope = SCOPE_FRONTEND;
        return OCDN_OK;
    }
    if (strncmp(s, "partner:", 8) == 0 && s[8] >= '1' && s[8] <= '9') {
        v = strtoll(s + 8, &end, 10);
        if (*end == '\0' && v > 0) {
            *scope = SCOPE_PARTNER;
            *org_id = v;
            return OCDN_OK;
        }
    }
    return OCDN_EINVAL;
}
