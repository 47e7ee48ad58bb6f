#ifndef COMMON_TOKEN_H
#define COMMON_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Signed URL tokens (DESIGN.md 3.4): token = base64url(HMAC-SHA256(key, canonical fields))
 * truncated to 160 bits, 27 characters without padding. The control plane signs, the agent
 * checks in constant time against each key that is currently valid (rotation overlap).
 *
 * Canonical string: "ocdn1\n" kind "\n" host "\n" o "\n" v "\n" e "\n" c "\n" n, where
 * kind is "video", "speedtest" or "fill", missing (NULL) fields are empty and e is decimal
 * seconds. The range or file part of the path is not covered: clients append
 * /range/<a>-<b> or a Range header to the URL they were given. */

#define TOKEN_KEY_LEN   32  /* bytes of a per-OCA signing key */
#define TOKEN_MAC_LEN   20  /* 160 bits */
#define TOKEN_STRLEN    28  /* 27 characters + NUL */
#define TOKEN_FIELD_MAX 256 /* longest host, o, v, c or n accepted */

/* What the URL is good for; a token of one kind never opens the other. */
enum token_kind {
    TOKEN_KIND_VIDEO = 1, /* /range/<a>-<b>?o=..., /<file>?o=... */
    TOKEN_KIND_SPEEDTEST, /* /speedtest..., 25 MiB test object */
    TOKEN_KIND_FILL,      /* peer fill access between OCAs */
};

struct token_fields {
    enum token_kind kind;
    const char *host; /* lower-case host name the URL was issued for, no port */
    const char *o;    /* file id (video, fill); NULL otherwise */
    const char *v;    /* OCA id as decimal text */
    int64_t e;        /* expiry, Unix seconds */
    const char *c;    /* speed test: client country; NULL otherwise */
    const char *n;    /* speed test: client ASN; NULL otherwise */
};

struct token_key {
    uint8_t key[TOKEN_KEY_LEN];
    int64_t not_after; /* Unix seconds after which the key no longer verifies; 0 = no limit */
};

/* Sign f with key; writes the 27-character token and a NUL into out. OCDN_EINVAL when a
 * field is longer than TOKEN_FIELD_MAX or contains a newline, the kind is unknown or e < 0;
 * OCDN_ENOMEM when OpenSSL fails. */
enum ocdn_err token_sign(const uint8_t key[TOKEN_KEY_LEN], const struct token_fields *f,
                         char out[TOKEN_STRLEN]);

/* Check token against f and each of the nkeys keys (a key with not_after < now is skipped).
 * OCDN_OK when valid; OCDN_EFORBIDDEN when expired (f->e < now), too far ahead
 * (f->e > now + max_ttl_s), or no key matches; OCDN_EINVAL when the token is not 27 base64url
 * characters, a field is malformed (as for token_sign()) or max_ttl_s < 0. Every usable key
 * is tried and compared in constant time. */
enum ocdn_err token_check(const struct token_key *keys, size_t nkeys, const struct token_fields *f,
                          const char *token, int64_t now, int64_t max_ttl_s);

/* base64url without padding. Encode n bytes into out (size >= 4*((n+2)/3)+1); returns length. */
size_t base64url_encode(const uint8_t *in, size_t n, char *out);
/* Decode; OCDN_EINVAL on a bad character ('=', '+', '/', ...), a length of 1 mod 4 or
 * non-zero unused trailing bits; OCDN_ETOOBIG when outcap < 3*strlen(in)/4. *outlen is the
 * number of bytes written (0 on error). */
enum ocdn_err base64url_decode(const char *in, uint8_t *out, size_t outcap, size_t *outlen);
/* Fill out with n cryptographically random bytes; OCDN_EIO on failure. */
enum ocdn_err token_random(uint8_t *out, size_t n);
/* Constant-time comparison of n bytes. */
bool token_equal(const void *a, const void *b, size_t n);
/* SHA-256 of n bytes, as 64 lower-case hex characters plus NUL into hex. fatalx() if OpenSSL
 * cannot allocate its digest context. */
void token_sha256_hex(const void *in, size_t n, char hex[65]);

#endif
