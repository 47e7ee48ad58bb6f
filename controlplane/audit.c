/* audit.c - who changed what: builds the audit row for the caller of a request and writes it
 * through store_audit.c inside the change's own transaction. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth.h"
#include "http.h"
#include "store_audit.h"

enum ocdn_err
audit_add_org(struct api_req *rq, int64_t org_id, const char *action, const char *object_type,
              int64_t object_id, const json_t *detail)
{
    struct audit_rec r;
    char id[32];
    char *text = NULL;
    enum ocdn_err err;

    if (!org_id && rq->tenant->scope == SCOPE_PARTNER)
        org_id = rq->tenant->org_id;
    if (detail) {
        text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
            return OCDN_ENOMEM;
    }
    snprintf(id, sizeof(id), "%lld", (long long)object_id);
    r.id = 0;
    r.at = rq->now;
    r.org_id = org_id;
    r.key_id = rq->tenant->key_id;
    r.scope = scope_str(rq->tenant->scope);
    r.action = action;
    r.object_type = object_type;
    r.object_id = id;
    r.detail = text ? text : "";
    err = store_audit_insert(rq->store, &r);
    free(text);
    return err;
}

enum ocdn_err
audit_add(struct api_req *rq, const char *action, const char *object_type, int64_t object_id,
          const json_t *detail)
{
    return audit_add_org(rq, 0, action, object_type, object_id, detail);
}
