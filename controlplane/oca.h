#ifndef CP_OCA_H
#define CP_OCA_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "audit.h"
#include "auth.h"
#include "err.h"
#include "model.h"

struct store;

/* Orgs, sites and OCAs: the rules of provisioning (naming per DESIGN.md 3.2, numbering,
 * keys) in one transaction each, with its audit row. Validation of the request text is the
 * API layer's. */

/* "<IATA><NNN>.<org>.ISP" or "<IATA><NNN>.IX" into buf. */
void site_name_format(const char *iata, int number, const char *org_name, enum site_type type,
                      char *buf, size_t len);
/* "c<NNN>-<site, '.' -> '-', lower case>.<domain>" into buf (NNN at least 3 digits). */
void oca_hostname_format(int number, const char *site_name, const char *domain, char *buf,
                         size_t len);

/* Create org o; *id is its id. A taken name is OCDN_EEXIST. */
enum ocdn_err org_create(struct store *st, const struct audit_who *who, const struct org *o,
                         int64_t *id);

/* Create a site in o->org_id with the next number for its IATA code (name, number and
 * created_at are allocated here; lat/lon/tz come filled in). *out gets the stored row. */
enum ocdn_err site_create(struct store *st, const struct audit_who *who, const struct site *in,
                          struct arena *a, struct site *out);

/* Result of provisioning an OCA: the row and its appliance key (shown once). */
struct oca_provisioned {
    struct oca oca;
    char appliance_key[AUTH_KEY_STRLEN];
};

/* Provision an OCA in in->site_id (number, hostname, appliance key and URL signing key are
 * allocated here). The site must exist (and be the caller's, for a partner). */
enum ocdn_err oca_provision(struct store *st, const struct audit_who *who, const struct oca *in,
                            const char *domain, struct arena *a, struct oca_provisioned *out);
/* Decommission an OCA: state, revoke its appliance keys, close its notifications. */
enum ocdn_err oca_decommission(struct store *st, const struct audit_who *who, int64_t id);
/* Revoke the OCA's appliance keys and issue a new one (shown once). */
enum ocdn_err oca_rotate_appliance_key(struct store *st, const struct audit_who *who, int64_t id,
                                       char key_out[AUTH_KEY_STRLEN]);
/* Start a new URL signing key; the current one keeps verifying for overlap_s. */
enum ocdn_err oca_rotate_sign_key(struct store *st, const struct audit_who *who, int64_t id,
                                  int64_t overlap_s);

#endif
