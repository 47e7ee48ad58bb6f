#ifndef CP_AUDIT_H
#define CP_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "auth.h"
#include "err.h"

struct api_req;
struct store;

/* Who makes a change (from the request's tenant), for services that write their own audit
 * rows inside their own transactions. */
struct audit_who {
    enum scope scope;
    int64_t key_id;
    int64_t org_id; /* the caller's org (partners) */
    int64_t now;
};

/* The caller of rq. */
void audit_who_of(const struct api_req *rq, struct audit_who *out);
/* Write an audit row (inside the caller's transaction); org_id 0 = the caller's org for
 * partners, global otherwise; detail is borrowed JSON or NULL. */
enum ocdn_err audit_write(struct store *st, const struct audit_who *who, int64_t org_id,
                          const char *action, const char *object_type, int64_t object_id,
                          const json_t *detail);

/* The audit log: who changed what. Every change a partner can make is recorded in the same
 * transaction as the change itself, so there is never a change without its audit row. */

/* Record rq's tenant doing action on (object_type, object_id) of org_id (0 = the tenant's org
 * for partners, global otherwise); detail is borrowed JSON or NULL. Call inside the change's
 * transaction. */
enum ocdn_err audit_add_org(struct api_req *rq, int64_t org_id, const char *action,
                            const char *object_type, int64_t object_id, const json_t *detail);
/* Like audit_add() for objects with text ids (titles, files). */
enum ocdn_err audit_add_text(struct api_req *rq, const char *action, const char *object_type,
                             const char *object_id);
/* audit_add_org() with org_id 0. */
enum ocdn_err audit_add(struct api_req *rq, const char *action, const char *object_type,
                        int64_t object_id, const json_t *detail);

#endif
