/* oca.c - provisioning rules for orgs, sites and OCAs.
 * Names follow DESIGN.md 3.2 (site TLS001.bouyguestelecom.ISP, OCA
 * c009-tls001-bouyguestelecom-isp.<domain>); numbers are allocated inside the write
 * transaction so two concurrent requests never get the same one. Talks to store_*.c. */
#include "oca.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "store.h"
#include "store_key.h"
#include "store_oca.h"
#include "store_org.h"
#include "store_site.h"
#include "token.h"

void
site_name_format(const char *iata, int number, const char *org_name, enum site_type type, char *buf,
                 size_t len)
{
    if (type == SITE_TYPE_IX)
        snprintf(buf, len, "%s%03d.IX", iata, number);
    else
        snprintf(buf, len, "%s%03d.%s.ISP", iata, number, org_name);
}

void
oca_hostname_format(int number, const char *site_name, const char *domain, char *buf, size_t len)
{
    char site[128];
    size_t i;

    for (i = 0; site_name[i] && i < sizeof(site) - 1; i++)
        site[i] = site_name[i] == '.' ? '-' : (char)tolower((unsigned char)site_name[i]);
    site[i] = '\0';
    snprintf(buf, len, "c%03d-%s.%s", number, site, domain);
}

enum ocdn_err
org_create(struct store *st, const struct org *o, int64_t *id)
{
    enum ocdn_err err;

    *id = 0;
    err = store_tx_begin(st);
    if (err)
        return err;
    err = store_org_insert(st, o, id);
    return store_tx_end(st, err);
}

enum ocdn_err
site_create(struct store *st, const struct site *in, int64_t now, struct arena *a, struct site *out)
{
    struct site s = *in;
    struct org org;
    char name[160];
    int64_t id = 0;
    enum ocdn_err err;

    err = store_tx_begin(st);
    if (err)
        return err;
    err = store_org_get(st, in->org_id, a, &org);
    if (err)
        goto out;
    err = store_site_next_number(st, in->iata, &s.number);
    if (err)
        goto out;
    if (s.number > 999) {
        err = OCDN_ECONFLICT; /* names have room for three digits per IATA code */
        goto out;
    }
    site_name_format(in->iata, s.number, org.name, in->type, name, sizeof(name));
    s.name = name;
    s.created_at = now;
    err = store_site_insert(st, &s, &id);
    if (err)
        goto out;
    err = store_site_get(st, 0, id, a, out);
out:
    return store_tx_end(st, err);
}

enum ocdn_err
oca_provision(struct store *st, int64_t org_id, const struct oca *in, const char *domain,
              int64_t now, struct arena *a, struct oca_provisioned *out)
{
    struct oca o = *in;
    struct site site;
    uint8_t secret[32];
    char host[256];
    int64_t id = 0, key_id = 0;
    enum ocdn_err err;

    memset(out, 0, sizeof(*out));
    err = token_random(secret, sizeof(secret));
    if (err)
        return err;
    err = store_tx_begin(st);
    if (err)
        return err;
    err = store_site_get(st, org_id, in->site_id, a, &site);
    if (err)
        goto out;
    err = store_oca_next_number(st, site.id, &o.number);
    if (err)
        goto out;
    oca_hostname_format(o.number, site.name, domain, host, sizeof(host));
    o.hostname = host;
    o.created_at = now;
    err = store_oca_insert(st, &o, &id);
    if (err)
        goto out;
    err = store_oca_sign_key_add(st, id, secret, now);
    if (err)
        goto out;
    err = auth_key_create(st, SCOPE_APPLIANCE, 0, id, host, now, out->appliance_key, &key_id);
    if (err)
        goto out;
    err = store_oca_get(st, 0, id, a, &out->oca);
out:
    memset(secret, 0, sizeof(secret));
    err = store_tx_end(st, err);
    if (err)
        memset(out, 0, sizeof(*out));
    return err;
}

enum ocdn_err
oca_decommission(struct store *st, int64_t org_id, int64_t id, int64_t now)
{
    struct oca o;
    struct arena *a = arena_new(4096);
    int64_t n;
    enum ocdn_err err;

    if (!a)
        return OCDN_ENOMEM;
    err = store_tx_begin(st);
    if (err)
        goto done;
    err = store_oca_get(st, org_id, id, a, &o);
    if (!err)
        err = store_oca_decommission(st, id);
    if (!err)
        err = store_key_revoke_oca(st, id, now, &n);
    err = store_tx_end(st, err);
done:
    arena_free(a);
    return err;
}

enum ocdn_err
oca_rotate_appliance_key(struct store *st, int64_t id, int64_t now, char key_out[AUTH_KEY_STRLEN])
{
    struct oca o;
    struct arena *a = arena_new(4096);
    int64_t n, key_id;
    enum ocdn_err err;

    key_out[0] = '\0';
    if (!a)
        return OCDN_ENOMEM;
    err = store_tx_begin(st);
    if (err)
        goto done;
    err = store_oca_get(st, 0, id, a, &o);
    if (!err && o.decommissioned)
        err = OCDN_ECONFLICT;
    if (!err)
        err = store_key_revoke_oca(st, id, now, &n);
    if (!err)
        err = auth_key_create(st, SCOPE_APPLIANCE, 0, id, o.hostname, now, key_out, &key_id);
    err = store_tx_end(st, err);
    if (err)
        key_out[0] = '\0';
done:
    arena_free(a);
    return err;
}

enum ocdn_err
oca_rotate_sign_key(struct store *st, int64_t id, int64_t now, int64_t overlap_s)
{
    struct oca o;
    struct arena *a = arena_new(4096);
    uint8_t secret[32];
    enum ocdn_err err;

    if (!a)
        return OCDN_ENOMEM;
    err = token_random(secret, sizeof(secret));
    if (err)
        goto done;
    err = store_tx_begin(st);
    if (err)
        goto done;
    err = store_oca_get(st, 0, id, a, &o);
    if (!err)
        err = store_oca_sign_key_retire(st, id, now + overlap_s);
    if (!err)
        err = store_oca_sign_key_add(st, id, secret, now);
    err = store_tx_end(st, err);
done:
    memset(secret, 0, sizeof(secret));
    arena_free(a);
    return err;
}
