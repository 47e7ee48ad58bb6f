#ifndef CP_AUDIT_H
#define CP_AUDIT_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"

struct api_req;

/* The audit log: who changed what. Every change a partner can make is recorded in the same
 * transaction as the change itself, so there is never a change without its audit row. */

/* Record rq's tenant doing action on (object_type, object_id) of org_id (0 = the tenant's org
 * for partners, global otherwise); detail is borrowed JSON or NULL. Call inside the change's
 * transaction. */
enum ocdn_err audit_add_org(struct api_req *rq, int64_t org_id, const char *action,
                            const char *object_type, int64_t object_id, const json_t *detail);
/* audit_add_org() with org_id 0. */
enum ocdn_err audit_add(struct api_req *rq, const char *action, const char *object_type,
                        int64_t object_id, const json_t *detail);

#endif
