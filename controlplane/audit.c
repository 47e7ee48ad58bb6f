/* audit.c - who changed what: builds the audit row for the caller of a request and writes it
 * through store_audit.c inside the change's own transaction. */
#include "audit.h"

#include <stdio.h>
#include <stdlib.h>

#include "auth.h"
#include "http.h"
#include "store_audit.h"

void
audit_who_of(const struct api_req *rq, struct audit_who *out)
{
    out->scope = rq->tenant->scope;
    out->key_id = rq->tenant->key_id;
    out->org_id = rq->tenant->scope == SCOPE_PARTNER ? rq->tenant->org_id : 0;
    out->now = rq->now;
}

static enum ocdn_err
write_row(struct store *st, const struct audit_who *who, int64_t org_id, const char *action,
          const char *object_type, const char *id, const json_t *detail)
{
    struct audit_rec r;
    char *text = NULL;
    enum ocdn_err err;

    if (!org_id)
        org_id = who->org_id;
    if (detail) {
        text = json_dumps(detail, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text)
            return OCDN_ENOMEM;
    }
    r.id = 0;
    r.at = who->now;
    r.org_id = org_id;
    r.key_id = who->key_id;
    r.scope = scope_str(who->scope);
    r.action = action;
    r.object_type = object_type;
    r.object_id = id;
    r.detail = text ? text : "";
    err = store_audit_insert(st, &r);
    free(text);
    return err;
}

enum ocdn_err
audit_write(struct store *st, const struct audit_who *who, int64_t org_id, const char *action,
            const char *object_type, int64_t object_id, const json_t *detail)
{
    char id[32];

    snprintf(id, sizeof(id), "%lld", (long long)object_id);
    return write_row(st, who, org_id, action, object_type, id, detail);
}

enum ocdn_err
audit_add_text(struct api_req *rq, const char *action, const char *object_type,
               const char *object_id)
{
    struct audit_who who;

    audit_who_of(rq, &who);
    return write_row(rq->store, &who, 0, action, object_type, object_id, NULL);
}

enum ocdn_err
audit_add_org(struct api_req *rq, int64_t org_id, const char *action, const char *object_type,
              int64_t object_id, const json_t *detail)
{
    struct audit_who who;

    audit_who_of(rq, &who);
    return audit_write(rq->store, &who, org_id, action, object_type, object_id, detail);
}

enum ocdn_err
audit_add(struct api_req *rq, const char *action, const char *object_type, int64_t object_id,
          const json_t *detail)
{
    return audit_add_org(rq, 0, action, object_type, object_id, detail);
}
