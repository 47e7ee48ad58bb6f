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
#include "store_notif.h"
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
org_create(struct store *st, const struct audit_who *who, const struct org *o, int64_t *id)
{
    enum ocdn_err err;

    *id = 0;
    err = store_tx_begin(st);
    if (err)
        return err;
    err = store_org_insert(st, o, id);
    if (!err)
        err = audit_write(st, who, *id, "org.create", "org", *id, NULL);
    return store_tx_end(st, err);
}

enum ocdn_err
site_create(struct store *st, const struct audit_who *who, const struct site *in, struct arena *a,
            struct site *out)
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
    s.created_at = who->now;
    err = store_site_insert(st, &s, &id);
    if (!err)
        err = audit_write(st, who, in->org_id, "site.create", "site", id, NULL);
    if (!err)
        err = store_site_get(st, 0, id, a, out);
out:
    return store_tx_end(st, err);
}

enum ocdn_err
oca_provision(struct store *st, const struct audit_who *who, const struct oca *in,
              const char *domain, struct arena *a, struct oca_provisioned *out)
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
    err = store_site_get(st, who->org_id, in->site_id, a, &site);
    if (err)
        goto out;
    err = store_oca_next_number(st, site.id, &o.number);
    if (err)
        goto out;
    oca_hostname_format(o.number, site.name, domain, host, sizeof(host));
    o.hostname = host;
    o.created_at = who->now;
    err = store_oca_insert(st, &o, &id);
    if (!err)
        err = store_oca_sign_key_add(st, id, secret, who->now);
    if (!err)
        err = auth_key_create(st, SCOPE_APPLIANCE, 0, id, host, who->now, out->appliance_key,
                              &key_id);
    if (!err)
        err = audit_write(st, who, site.org_id, "oca.provision", "oca", id, NULL);
    if (!err)
        err = store_oca_get(st, 0, id, a, &out->oca);
out:
    memset(secret, 0, sizeof(secret));
    err = store_tx_end(st, err);
    if (err)
        memset(out, 0, sizeof(*out));
    return err;
}

/* Run step on OCA id inside one transaction with its audit row (action); the OCA must exist
 * and be the caller's. */
typedef enum ocdn_err oca_step_fn(struct store *st, const struct oca *o,
                                  const struct audit_who *who, void *ctx);

static enum ocdn_err
with_oca(struct store *st, const struct audit_who *who, int64_t id, const char *action,
         oca_step_fn *step, void *ctx)
{
    struct arena *a = arena_new(16384);
    struct oca o;
    enum ocdn_err err;

    if (!a)
        return OCDN_ENOMEM;
    err = store_tx_begin(st);
    if (err)
        goto done;
    err = store_oca_get(st, who->org_id, id, a, &o);
    if (!err)
        err = step(st, &o, who, ctx);
    if (!err)
        err = audit_write(st, who, o.org_id, action, "oca", id, NULL);
    err = store_tx_end(st, err);
done:
    arena_free(a);
    return err;
}

static enum ocdn_err
decommission_step(struct store *st, const struct oca *o, const struct audit_who *who, void *ctx)
{
    int64_t n;
    enum ocdn_err err;

    (void)ctx;
    err = store_oca_decommission(st, o->id, who->now);
    if (!err)
        err = store_key_revoke_oca(st, o->id, who->now, &n);
    /* The sweeper skips decommissioned OCAs: nothing else would ever close these. */
    if (!err)
        err = store_notif_close(st, o->id, NULL, who->now);
    return err;
}

enum ocdn_err
oca_decommission(struct store *st, const struct audit_who *who, int64_t id)
{
    return with_oca(st, who, id, "oca.decommission", decommission_step, NULL);
}

static enum ocdn_err
appliance_key_step(struct store *st, const struct oca *o, const struct audit_who *who, void *ctx)
{
    int64_t n, key_id;
    enum ocdn_err err;

    if (o->decommissioned)
        return OCDN_ECONFLICT;
    err = store_key_revoke_oca(st, o->id, who->now, &n);
    if (!err)
        err = auth_key_create(st, SCOPE_APPLIANCE, 0, o->id, o->hostname, who->now, ctx, &key_id);
    return err;
}

enum ocdn_err
oca_rotate_appliance_key(struct store *st, const struct audit_who *who, int64_t id,
                         char key_out[AUTH_KEY_STRLEN])
{
    enum ocdn_err err;

    key_out[0] = '\0';
    err = with_oca(st, who, id, "oca.appliance_key", appliance_key_step, key_out);
    if (err)
        key_out[0] = '\0';
    return err;
}

struct sign_key_ctx {
    uint8_t secret[32];
    int64_t overlap_s;
};

static enum ocdn_err
sign_key_step(struct store *st, const struct oca *o, const struct audit_who *who, void *ctx)
{
    struct sign_key_ctx *k = ctx;
    enum ocdn_err err;

    if (o->decommissioned)
        return OCDN_ECONFLICT;
    err = store_oca_sign_key_retire(st, o->id, who->now + k->overlap_s);
    if (!err)
        err = store_oca_sign_key_add(st, o->id, k->secret, who->now);
    return err;
}

enum ocdn_err
oca_rotate_sign_key(struct store *st, const struct audit_who *who, int64_t id, int64_t overlap_s)
{
    struct sign_key_ctx k;
    enum ocdn_err err;

    k.overlap_s = overlap_s;
    err = token_random(k.secret, sizeof(k.secret));
    if (!err)
        err = with_oca(st, who, id, "oca.signing_key", sign_key_step, &k);
    memset(k.secret, 0, sizeof(k.secret));
    return err;
}
