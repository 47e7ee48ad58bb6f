/* token.c - signed URL tokens (DESIGN.md 3.4): HMAC-SHA256 over a canonical string,
 * truncated to 160 bits and written as unpadded base64url; plus the strict base64url codec,
 * random bytes and SHA-256 hex that the key and file code share.
 * The control plane signs; the agent checks every request against the OCA's current keys, so
 * the check does no allocation and compares in constant time. Uses OpenSSL 3 (libcrypto). */
#include "token.h"

#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "log.h"

/* "ocdn1\n" + kind + 5 fields of TOKEN_FIELD_MAX + an int64 + 7 newlines, rounded up. */
#define CANON_MAX   (16 + 5 * TOKEN_FIELD_MAX + 24 + 8)
#define TOKEN_CHARS (TOKEN_STRLEN - 1)

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static const char *
kind_name(enum token_kind kind)
{
    switch (kind) {
    case TOKEN_KIND_VIDEO:
        return "video";
    case TOKEN_KIND_SPEEDTEST:
        return "speedtest";
    case TOKEN_KIND_FILL:
        return "fill";
    }
    return NULL;
}

/* Append field s (NULL = empty) and a newline unless last; false if it is too long or holds a
 * newline, which would let two different field sets share a canonical string. */
static bool
canon_field(char *buf, size_t *len, const char *s, bool last)
{
    size_t n;

    if (s) {
        n = strnlen(s, TOKEN_FIELD_MAX + 1);
        if (n > TOKEN_FIELD_MAX || memchr(s, '\n', n))
            return false;
        memcpy(buf + *len, s, n);
        *len += n;
    }
    if (!last)
        buf[(*len)++] = '\n';
    return true;
}

/* Canonical string of f into buf (CANON_MAX bytes); OCDN_EINVAL for a bad field. */
static enum ocdn_err
canon(const struct token_fields *f, char *buf, size_t *len)
{
    const char *kind = kind_name(f->kind);
    char e[24];

    *len = 0;
    if (!kind || f->e < 0)
        return OCDN_EINVAL;
    snprintf(e, sizeof(e), "%" PRId64, f->e);
    if (!canon_field(buf, len, "ocdn1", false) || !canon_field(buf, len, kind, false) ||
        !canon_field(buf, len, f->host, false) || !canon_field(buf, len, f->o, false) ||
        !canon_field(buf, len, f->v, false) || !canon_field(buf, len, e, false) ||
        !canon_field(buf, len, f->c, false) || !canon_field(buf, len, f->n, true))
        return OCDN_EINVAL;
    return OCDN_OK;
}

/* One HMAC context per thread, keyed anew for each token: OpenSSL 3's one-shot HMAC() fetches
 * the digest (a lock and a reference count) and allocates on every call, which showed in the
 * steering answer's profile (three tokens per answer). */
static EVP_MAC *hmac_alg;
static pthread_key_t hmac_key;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_ctx_free(void *p)
{
    EVP_MAC_CTX_free(p);
}

static void
hmac_init(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (pthread_key_create(&hmac_key, hmac_ctx_free) != 0)
        hmac_alg = NULL; /* mac() falls back to the one-shot HMAC() */
}

static EVP_MAC_CTX *
hmac_ctx(void)
{
    OSSL_PARAM params[2];
    EVP_MAC_CTX *c;

    pthread_once(&hmac_once, hmac_init);
    if (!hmac_alg)
        return NULL;
    c = pthread_getspecific(hmac_key);
    if (c)
        return c;
    c = EVP_MAC_CTX_new(hmac_alg);
    if (!c)
        return NULL;
    params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)(uintptr_t) "SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!EVP_MAC_CTX_set_params(c, params) || pthread_setspecific(hmac_key, c) != 0) {
        EVP_MAC_CTX_free(c);
        return NULL;
    }
    return c;
}

/* Truncated HMAC-SHA256 of msg under key. */
static enum ocdn_err
mac(const uint8_t key[TOKEN_KEY_LEN], const char *msg, size_t len, uint8_t out[TOKEN_MAC_LEN])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    size_t outl = 0;
    EVP_MAC_CTX *c = hmac_ctx();
    enum ocdn_err err = OCDN_OK;

    if (c) {
        if (!EVP_MAC_init(c, key, TOKEN_KEY_LEN, NULL) ||
            !EVP_MAC_update(c, (const unsigned char *)msg, len) ||
            !EVP_MAC_final(c, md, &outl, sizeof(md)) || outl != SHA256_DIGEST_LENGTH)
            err = OCDN_ENOMEM; /* OpenSSL fails here only when it cannot allocate */
    } else if (!HMAC(EVP_sha256(), key, TOKEN_KEY_LEN, (const unsigned char *)msg, len, md,
                     &mdlen) ||
               mdlen != SHA256_DIGEST_LENGTH) {
        err = OCDN_ENOMEM;
    }
    if (!err)
        memcpy(out, md, TOKEN_MAC_LEN);
    OPENSSL_cleanse(md, sizeof(md));
    return err;
}

enum ocdn_err
token_sign(const uint8_t key[TOKEN_KEY_LEN], const struct token_fields *f, char out[TOKEN_STRLEN])
{
    char msg[CANON_MAX];
    uint8_t m[TOKEN_MAC_LEN];
    size_t len;
    enum ocdn_err err;

    memset(out, 0, TOKEN_STRLEN);
    err = canon(f, msg, &len);
    if (err)
        return err;
    err = mac(key, msg, len, m);
    if (err)
        return err;
    base64url_encode(m, sizeof(m), out);
    OPENSSL_cleanse(m, sizeof(m));
    return OCDN_OK;
}

enum ocdn_err
token_check(const struct token_key *keys, size_t nkeys, const struct token_fields *f,
            const char *token, int64_t now, int64_t max_ttl_s)
{
    char msg[CANON_MAX];
    uint8_t want[TOKEN_MAC_LEN], got[TOKEN_MAC_LEN];
    size_t len, n, i;
    int64_t latest;
    bool ok = false;
    enum ocdn_err err;

    if (!token || (nkeys > 0 && !keys) || max_ttl_s < 0)
        return OCDN_EINVAL;
    if (strnlen(token, TOKEN_CHARS + 1) != TOKEN_CHARS)
        return OCDN_EINVAL;
    err = base64url_decode(token, got, sizeof(got), &n);
    if (err)
        return OCDN_EINVAL;
    err = canon(f, msg, &len);
    if (err)
        return err;
    if (f->e < now)
        return OCDN_EFORBIDDEN;
    if (__builtin_add_overflow(now, max_ttl_s, &latest))
        latest = INT64_MAX;
    if (f->e > latest)
        return OCDN_EFORBIDDEN;
    /* Every usable key is tried, so the time taken does not tell which key matched. */
    for (i = 0; i < nkeys; i++) {
        if (keys[i].not_after != 0 && keys[i].not_after < now)
            continue;
        err = mac(keys[i].key, msg, len, want);
        if (err)
            return err;
        ok |= CRYPTO_memcmp(want, got, TOKEN_MAC_LEN) == 0;
    }
    OPENSSL_cleanse(want, sizeof(want));
    return ok ? OCDN_OK : OCDN_EFORBIDDEN;
}

size_t
base64url_encode(const uint8_t *in, size_t n, char *out)
{
    size_t i, o = 0;
    uint32_t v;

    for (i = 0; i + 3 <= n; i += 3) {
        v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
        out[o++] = b64url_alphabet[v & 63];
    }
    if (n - i == 1) {
        v = (uint32_t)in[i] << 16;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
    } else if (n - i == 2) {
        v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64url_alphabet[v >> 18 & 63];
        out[o++] = b64url_alphabet[v >> 12 & 63];
        out[o++] = b64url_alphabet[v >> 6 & 63];
    }
    out[o] = '\0';
    return o;
}

static int
b64url_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

enum ocdn_err
base64url_decode(const char *in, uint8_t *out, size_t outcap, size_t *outlen)
{
    size_t n, i, o = 0, need;
    uint32_t acc = 0;
    int bits = 0, v;

    *outlen = 0;
    if (!in)
        return OCDN_EINVAL;
    n = strlen(in);
    /* One character leaves 6 bits, less than a byte: no encoder produces it. */
    if (n % 4 == 1)
        return OCDN_EINVAL;
    need = n / 4 * 3 + (n % 4 == 0 ? 0 : n % 4 - 1);
    if (need > outcap)
        return OCDN_ETOOBIG;
    for (i = 0; i < n; i++) {
        v = b64url_value(in[i]);
        if (v < 0)
            return OCDN_EINVAL;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    /* The bits left over must be zero, or two strings would decode to the same bytes. */
    if (acc != 0)
        return OCDN_EINVAL;
    *outlen = o;
    return OCDN_OK;
}

enum ocdn_err
token_random(uint8_t *out, size_t n)
{
    size_t chunk;

    while (n > 0) {
        chunk = n > INT_MAX ? INT_MAX : n;
        if (RAND_bytes(out, (int)chunk) != 1)
            return OCDN_EIO;
        out += chunk;
        n -= chunk;
    }
    return OCDN_OK;
}

bool
token_equal(const void *a, const void *b, size_t n)
{
    return CRYPTO_memcmp(a, b, n) == 0;
}

void
token_sha256_hex(const void *in, size_t n, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t md[SHA256_DIGEST_LENGTH];
    size_t i;

    /* The one-shot digest fails only when OpenSSL cannot allocate its context. */
    if (!SHA256(in, n, md))
        fatalx("token: SHA256 failed");
    for (i = 0; i < sizeof(md); i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}
