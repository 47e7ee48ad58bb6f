/* jsonx.c - typed, bounded access to untrusted JSON (request bodies, reports, manifests).
 * jsonx_parse() bounds the size and, on the raw bytes before jansson allocates anything, the
 * nesting depth; the getters check type, range and length and name the field in an error text
 * allocated in the caller's request arena. Owns nothing: values are borrowed from the json_t
 * the caller holds. Talks only to jansson. */
#include "jsonx.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"

#define KEY_ECHO_MAX 64   /* bytes of an unknown key quoted back in an error */
#define WANT_MAX     128  /* "an integer in -9223372036854775808..9223372036854775807" */
#define ENUM_MSG_MAX 1024 /* the list of choices in an enum error */

static enum ocdn_err vfail(enum ocdn_err code, struct arena *a, const char **errmsg,
                           const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static enum ocdn_err
vfail(enum ocdn_err code, struct arena *a, const char **errmsg, const char *fmt, va_list ap)
{
    const char *msg;

    if (!errmsg)
        return code;
    msg = a ? arena_vprintf(a, fmt, ap) : NULL;
    /* The request must still fail with some text when the arena is full. */
    *errmsg = msg ? msg : "invalid input";
    return code;
}

static enum ocdn_err fail_code(enum ocdn_err code, struct arena *a, const char **errmsg,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static enum ocdn_err
fail_code(enum ocdn_err code, struct arena *a, const char **errmsg, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    code = vfail(code, a, errmsg, fmt, ap);
    va_end(ap);
    return code;
}

enum ocdn_err
jsonx_fail(struct arena *a, const char **errmsg, const char *fmt, ...)
{
    va_list ap;
    enum ocdn_err err;

    va_start(ap, fmt);
    err = vfail(OCDN_EINVAL, a, errmsg, fmt, ap);
    va_end(ap);
    return err;
}

/* Deepest nesting of [ and { outside strings, counted on the raw bytes; false as soon as it
 * exceeds max_depth. jansson parses recursively, so an attacker's "[[[[..." must be refused
 * before it starts. For input that is invalid JSON the count may be off, but jansson stops at
 * the first error, so it never nests deeper than counted here. */
static bool
depth_ok(const char *s, size_t len, size_t max_depth)
{
    size_t i, depth = 0;
    bool in_str = false;

    for (i = 0; i < len; i++) {
        char c = s[i];

        if (in_str) {
            if (c == '\\')
                i++; /* the escaped byte, including \" and \\, cannot end the string */
            else if (c == '"')
                in_str = false;
        } else if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth)
                return false;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return true;
}

/* jansson quotes the input near an error, cut at a fixed length that may split a UTF-8
 * sequence: keep printable ASCII only, so the text is safe in a log line and in a JSON reply
 * (json_string() refuses invalid UTF-8). */
static void
printable(char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            *s = '?';
    }
}

enum ocdn_err
jsonx_parse(const char *body, size_t len, size_t max_bytes, size_t max_depth, json_t **out,
            struct arena *a, const char **errmsg)
{
    json_error_t jerr;
    json_t *j;

    *out = NULL;
    if (len > max_bytes)
        return fail_code(OCDN_ETOOBIG, a, errmsg, "body: larger than %zu bytes", max_bytes);
    if (!body || len == 0)
        return jsonx_fail(a, errmsg, "body: empty");
    if (!depth_ok(body, len, max_depth))
        return jsonx_fail(a, errmsg, "body: nested deeper than %zu levels", max_depth);
    /* Without JSON_ALLOW_NUL, jansson refuses "\u0000" in strings; raw NUL bytes and bad UTF-8
     * are refused by its lexer, trailing garbage by its end-of-input check. */
    j = json_loadb(body, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        if (json_error_code(&jerr) == json_error_out_of_memory)
            return fail_code(OCDN_ENOMEM, a, errmsg, "body: out of memory");
        printable(jerr.text);
        return jsonx_fail(a, errmsg, "body: invalid JSON: %s (line %d, column %d, byte %d)",
                          jerr.text, jerr.line, jerr.column, jerr.position);
    }
    *out = j;
    return OCDN_OK;
}

static const char *
type_name(const json_t *v)
{
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a real number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    case JSON_NULL:
        break;
    }
    return v ? "null" : "nothing";
}

/* jansson iterates through non-const pointers only; iteration does not modify the object. */
static json_t *
unconst(const json_t *j)
{
    union {
        const json_t *c;
        json_t *m;
    } u = {.c = j};

    return u.m;
}

/* *v = obj[key] or NULL when absent. want describes the expected value for the message. */
static enum ocdn_err
lookup(const json_t *obj, const char *key, bool required, const char *want, json_t **v,
       struct arena *a, const char **errmsg)
{
    *v = NULL;
    if (!json_is_object(obj))
        return jsonx_fail(a, errmsg, "field '%s': looked up in %s, not an object", key,
                          type_name(obj));
    *v = json_object_get(obj, key);
    if (!*v && required)
        return jsonx_fail(a, errmsg, "field '%s': missing, must be %s", key, want);
    return OCDN_OK;
}

enum ocdn_err
jsonx_only_keys(const json_t *obj, const char *what, const char *const *allowed, struct arena *a,
                const char **errmsg)
{
    char echo[KEY_ECHO_MAX + 4];
    void *it;

    if (!json_is_object(obj))
        return jsonx_fail(a, errmsg, "%s: must be an object, not %s", what, type_name(obj));
    for (it = json_object_iter(unconst(obj)); it; it = json_object_iter_next(unconst(obj), it)) {
        const char *key = json_object_iter_key(it);
        size_t len = json_object_iter_key_len(it), i;
        bool ok = false;

        for (i = 0; allowed && allowed[i] && !ok; i++)
            ok = strlen(allowed[i]) == len && memcmp(allowed[i], key, len) == 0;
        if (ok)
            continue;
        /* The key is the client's: quote a bounded, printable-ASCII form of it so the message
         * is safe in a log line and in a JSON response. */
        for (i = 0; i < len && i < KEY_ECHO_MAX; i++) {
            unsigned char c = (unsigned char)key[i];

            echo[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
        }
        echo[i] = '\0';
        if (len > KEY_ECHO_MAX)
            strcat(echo, "...");
        return jsonx_fail(a, errmsg, "%s: unknown field '%s'", what, echo);
    }
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_str(const json_t *obj, const char *key, bool required, size_t minlen, size_t maxlen,
              const char **out, struct arena *a, const char **errmsg)
{
    char want[WANT_MAX];
    const char *s;
    enum ocdn_err err;
    json_t *v;
    size_t n;

    if (minlen == 0)
        snprintf(want, sizeof(want), "a string of at most %zu bytes", maxlen);
    else
        snprintf(want, sizeof(want), "a string of %zu..%zu bytes", minlen, maxlen);
    err = lookup(obj, key, required, want, &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_string(v))
        return jsonx_fail(a, errmsg, "field '%s': must be %s, not %s", key, want, type_name(v));
    s = json_string_value(v);
    n = json_string_length(v);
    if (memchr(s, '\0', n))
        return jsonx_fail(a, errmsg, "field '%s': must not contain NUL bytes", key);
    if (n < minlen || n > maxlen)
        return jsonx_fail(a, errmsg, "field '%s': must be %s, got %zu bytes", key, want, n);
    *out = s;
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_int(const json_t *obj, const char *key, bool required, int64_t min, int64_t max,
              int64_t *out, struct arena *a, const char **errmsg)
{
    char want[WANT_MAX];
    enum ocdn_err err;
    json_int_t i;
    json_t *v;

    snprintf(want, sizeof(want), "an integer in %" PRId64 "..%" PRId64, min, max);
    err = lookup(obj, key, required, want, &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_integer(v))
        return jsonx_fail(a, errmsg, "field '%s': must be %s, not %s", key, want, type_name(v));
    i = json_integer_value(v);
    if (i < min || i > max)
        return jsonx_fail(a, errmsg, "field '%s': must be %s, got %lld", key, want, i);
    *out = (int64_t)i;
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_real(const json_t *obj, const char *key, bool required, double min, double max,
               double *out, struct arena *a, const char **errmsg)
{
    char want[WANT_MAX];
    enum ocdn_err err;
    json_t *v;
    double d;

    snprintf(want, sizeof(want), "a number in %.15g..%.15g", min, max);
    err = lookup(obj, key, required, want, &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_number(v))
        return jsonx_fail(a, errmsg, "field '%s': must be %s, not %s", key, want, type_name(v));
    d = json_number_value(v);
    /* Written so that a NaN (never produced by the parser) is out of range too. */
    if (!(d >= min && d <= max))
        return jsonx_fail(a, errmsg, "field '%s': must be %s, got %.15g", key, want, d);
    *out = d;
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_bool(const json_t *obj, const char *key, bool required, bool *out, struct arena *a,
               const char **errmsg)
{
    enum ocdn_err err;
    json_t *v;

    err = lookup(obj, key, required, "a boolean", &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_boolean(v))
        return jsonx_fail(a, errmsg, "field '%s': must be a boolean, not %s", key, type_name(v));
    *out = json_is_true(v);
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_array(const json_t *obj, const char *key, bool required, size_t max_items, json_t **out,
                struct arena *a, const char **errmsg)
{
    char want[WANT_MAX];
    enum ocdn_err err;
    json_t *v;

    snprintf(want, sizeof(want), "an array of at most %zu items", max_items);
    err = lookup(obj, key, required, want, &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_array(v))
        return jsonx_fail(a, errmsg, "field '%s': must be %s, not %s", key, want, type_name(v));
    if (json_array_size(v) > max_items)
        return jsonx_fail(a, errmsg, "field '%s': must be %s, got %zu", key, want,
                          json_array_size(v));
    *out = v;
    return OCDN_OK;
}

enum ocdn_err
jsonx_get_object(const json_t *obj, const char *key, bool required, json_t **out, struct arena *a,
                 const char **errmsg)
{
    enum ocdn_err err;
    json_t *v;

    err = lookup(obj, key, required, "an object", &v, a, errmsg);
    if (err || !v)
        return err;
    if (!json_is_object(v))
        return jsonx_fail(a, errmsg, "field '%s': must be an object, not %s", key, type_name(v));
    *out = v;
    return OCDN_OK;
}

/* "one of 'a', 'b', 'c'" in the arena (only built when a message is needed); a list too long
 * for ENUM_MSG_MAX is not spelled out. */
static const char *
describe_choices(const char *const *choices, struct arena *a)
{
    enum ocdn_err err;
    struct buf b;
    const char *s = NULL;
    size_t i;

    buf_init(&b, ENUM_MSG_MAX);
    err = buf_puts(&b, "one of");
    for (i = 0; !err && choices && choices[i]; i++)
        err = buf_printf(&b, "%s '%s'", i ? "," : "", choices[i]);
    if (!err)
        s = arena_strndup(a, b.data, b.len);
    buf_clear(&b);
    return s ? s : "one of the documented values";
}

enum ocdn_err
jsonx_get_enum(const json_t *obj, const char *key, bool required, const char *const *choices,
               int *index, struct arena *a, const char **errmsg)
{
    const char *s;
    json_t *v;
    size_t n;
    int i;

    if (!json_is_object(obj))
        return jsonx_fail(a, errmsg, "field '%s': looked up in %s, not an object", key,
                          type_name(obj));
    v = json_object_get(obj, key);
    if (!v && !required)
        return OCDN_OK;
    if (!v)
        return jsonx_fail(a, errmsg, "field '%s': missing, must be %s", key,
                          describe_choices(choices, a));
    if (!json_is_string(v))
        return jsonx_fail(a, errmsg, "field '%s': must be a string, %s, not %s", key,
                          describe_choices(choices, a), type_name(v));
    s = json_string_value(v);
    n = json_string_length(v);
    for (i = 0; choices && choices[i]; i++) {
        if (strlen(choices[i]) == n && memcmp(choices[i], s, n) == 0) {
            *index = i;
            return OCDN_OK;
        }
    }
    return jsonx_fail(a, errmsg, "field '%s': must be %s", key, describe_choices(choices, a));
}
