/* airport.c - the IATA airport table (var/data/airports.json) in memory.
 * Owns the entries and their strings; the index is a perfect hash: the 26^3 possible
 * three-letter codes map straight to a slot, so a lookup is one array read and the table is
 * safe to share between threads once loaded. Read at startup by the control plane only. */
#include "airport.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "geo.h"

#define AIRPORTS_FILE_MAX (64u << 20) /* the real file is 2.5 MB */
#define AIRPORTS_MAX      100000u     /* entries accepted; the real file has ~7k */
#define CODE_SLOTS        (26u * 26u * 26u)
#define STR_MAX           256u /* longer names, cities, zones are cut at the last whole char */

struct airports {
    struct airport *v;
    size_t n;
    uint32_t slot[CODE_SLOTS]; /* index + 1 into v; 0 = no such code */
};

static int
code_slot(const char *s)
{
    int i, k = 0;

    for (i = 0; i < 3; i++) {
        if (s[i] < 'A' || s[i] > 'Z')
            return -1;
        k = k * 26 + (s[i] - 'A');
    }
    return s[3] == '\0' ? k : -1;
}

/* Owned copy of the string member key ("" and *absent set when it is missing or not a string),
 * cut to STR_MAX bytes; NULL when out of memory. */
static char *
dup_member(json_t *o, const char *key, bool *absent)
{
    json_t *v = json_object_get(o, key);
    const char *s;
    size_t len;
    char *out;

    *absent = !json_is_string(v);
    s = json_is_string(v) ? json_string_value(v) : "";
    len = json_is_string(v) ? json_string_length(v) : 0;
    if (len > STR_MAX) {
        len = STR_MAX;
        /* Do not cut a UTF-8 sequence in half. */
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, s, len);
    out[len] = '\0';
    return out;
}

static void
entry_clear(struct airport *e)
{
    free((char *)(uintptr_t)e->tz);
    free((char *)(uintptr_t)e->name);
    free((char *)(uintptr_t)e->city);
    free((char *)(uintptr_t)e->country);
}

void
airports_free(struct airports *ap)
{
    size_t i;

    if (!ap)
        return;
    for (i = 0; i < ap->n; i++)
        entry_clear(&ap->v[i]);
    free(ap->v);
    free(ap);
}

/* Fill e from the JSON object o; *usable is false (e untouched) when the entry lacks a valid
 * code or coordinates. */
static enum ocdn_err
entry_parse(json_t *o, struct airport *e, bool *usable)
{
    json_t *code = json_object_get(o, "iata");
    json_t *jlat = json_object_get(o, "latitude"), *jlon = json_object_get(o, "longitude");
    bool absent;
    char *tz;

    *usable = false;
    if (!json_is_string(code) || json_string_length(code) != 3 ||
        code_slot(json_string_value(code)) < 0)
        return OCDN_OK;
    if (!json_is_number(jlat) || !json_is_number(jlon) ||
        !geo_coords_valid(json_number_value(jlat), json_number_value(jlon)))
        return OCDN_OK;
    memset(e, 0, sizeof(*e));
    memcpy(e->iata, json_string_value(code), 4);
    e->lat = json_number_value(jlat);
    e->lon = json_number_value(jlon);
    e->name = dup_member(o, "name", &absent);
    e->city = dup_member(o, "city", &absent);
    e->country = dup_member(o, "country", &absent);
    tz = dup_member(o, "tz", &absent);
    if (tz && (absent || tz[0] == '\0')) {
        free(tz);
        tz = NULL;
    } else if (!tz) {
        entry_clear(e);
        return OCDN_ENOMEM;
    }
    e->tz = tz;
    if (!e->name || !e->city || !e->country) {
        entry_clear(e);
        return OCDN_ENOMEM;
    }
    *usable = true;
    return OCDN_OK;
}

enum ocdn_err
airports_load(const char *path, struct airports **out, char *err, size_t errlen)
{
    struct airports *ap = NULL;
    json_t *root = NULL, *o;
    json_error_t jerr;
    struct stat st;
    enum ocdn_err e = OCDN_OK;
    size_t i, n;
    bool usable;
    int k;

    *out = NULL;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return errno == ENOENT ? OCDN_ENOTFOUND : OCDN_EIO;
    }
    if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > AIRPORTS_FILE_MAX) {
        snprintf(err, errlen, "%s: not a regular file of at most %u bytes", path,
                 AIRPORTS_FILE_MAX);
        return OCDN_EINVAL;
    }
    root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d: %s", path, jerr.line, jerr.text);
        return OCDN_EINVAL;
    }
    if (!json_is_array(root)) {
        snprintf(err, errlen, "%s: not a JSON array", path);
        e = OCDN_EINVAL;
        goto out;
    }
    n = json_array_size(root);
    if (n > AIRPORTS_MAX) {
        snprintf(err, errlen, "%s: %zu entries, at most %u accepted", path, n, AIRPORTS_MAX);
        e = OCDN_EINVAL;
        goto out;
    }
    ap = calloc(1, sizeof(*ap));
    if (!ap || (n > 0 && !(ap->v = calloc(n, sizeof(*ap->v))))) {
        e = OCDN_ENOMEM;
        goto out;
    }
    json_array_foreach(root, i, o)
    {
        if (!json_is_object(o))
            continue;
        e = entry_parse(o, &ap->v[ap->n], &usable);
        if (e)
            goto out;
        if (!usable)
            continue;
        k = code_slot(ap->v[ap->n].iata);
        if (ap->slot[k] != 0) { /* a duplicate code: the first entry wins */
            entry_clear(&ap->v[ap->n]);
            continue;
        }
        ap->slot[k] = (uint32_t)ap->n + 1;
        ap->n++;
    }
    if (ap->n == 0) {
        snprintf(err, errlen, "%s: no entry with a 3-letter iata code and valid coordinates", path);
        e = OCDN_EINVAL;
        goto out;
    }
    *out = ap;
    ap = NULL;
out:
    airports_free(ap);
    json_decref(root);
    return e;
}

const struct airport *
airports_find(const struct airports *ap, const char *iata)
{
    int k;

    if (!ap || !iata)
        return NULL;
    k = code_slot(iata);
    if (k < 0 || ap->slot[k] == 0)
        return NULL;
    return &ap->v[ap->slot[k] - 1];
}

size_t
airports_count(const struct airports *ap)
{
    return ap ? ap->n : 0;
}
