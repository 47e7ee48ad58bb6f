/* routes.c - the route table of the API and the matcher.
 * One row per route: method, path pattern, who may call it, accepted query parameters, body
 * kind. docs/api/openapi.yaml documents every row (a test checks), and the tenant-isolation
 * test walks every partner row with two orgs. */
#include "routes.h"

#include <string.h>

#include "api_handlers.h"
#include "auth.h"

#define ADMIN     SCOPE_ADMIN
#define PARTNER   (SCOPE_ADMIN | SCOPE_PARTNER)
#define FRONTEND  (SCOPE_ADMIN | SCOPE_FRONTEND)
#define APPLIANCE SCOPE_APPLIANCE

static const char *const q_page[] = {"limit", "after", NULL};
static const char *const q_keys[] = {"limit", "before", NULL};
static const char *const q_ocas[] = {"limit", "after", "site_id", NULL};
static const char *const q_routes[] = {"limit", "cursor", "contained_in", "containing", NULL};
static const char *const q_maint[] = {"limit", "before", "current", NULL};
static const char *const q_notif[] = {"limit", "before", "state", "kind", "oca_id", NULL};
static const char *const q_audit[] = {"limit", "before", NULL};
static const char *const q_steer[] = {"client", "file", "n", "https", NULL};
static const char *const q_speed[] = {"client", "https", "n", NULL};
static const char *const q_explorer[] = {"ip", NULL};

const struct api_route api_routes[] = {
    {"GET", "/healthz", SCOPE_NONE, api_healthz, NULL, 0, "liveness and version"},
    {"GET", "/metrics", SCOPE_NONE, api_metrics, NULL, 0, "Prometheus metrics"},
    {"GET", "/v1/config", ADMIN, api_config_view, NULL, 0, "effective configuration"},

    {"POST", "/v1/orgs", ADMIN, api_org_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "create an org"},
    {"GET", "/v1/orgs", ADMIN, api_org_list, q_page, 0, "list orgs"},
    {"GET", "/v1/orgs/{org}", PARTNER, api_org_get, NULL, 0, "show an org"},

    {"POST", "/v1/sites", ADMIN, api_site_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "create a site"},
    {"GET", "/v1/sites", PARTNER, api_site_list, q_page, 0, "list sites"},
    {"GET", "/v1/sites/{site}", PARTNER, api_site_get, NULL, 0, "show a site"},
    {"PUT", "/v1/sites/{site}/fill-window", PARTNER, api_site_fill_window, NULL,
     ROUTE_F_BODY | ROUTE_F_AUDIT, "set the fill-window offset"},
    {"GET", "/v1/sites/{site}/consistency", PARTNER, api_site_consistency, NULL, 0,
     "prefixes learned by some but not all OCAs of the site"},
    {"POST", "/v1/sites/{site}/maintenance", PARTNER, api_maint_create_site, NULL,
     ROUTE_F_BODY | ROUTE_F_AUDIT, "schedule a drain or maintenance of a site"},
    {"GET", "/v1/sites/{site}/maintenance", PARTNER, api_maint_list_site, q_maint, 0,
     "maintenance windows of a site"},

    {"POST", "/v1/ocas", ADMIN, api_oca_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "provision an OCA"},
    {"GET", "/v1/ocas", PARTNER, api_oca_list, q_ocas, 0, "list OCAs"},
    {"GET", "/v1/ocas/{oca}", PARTNER, api_oca_get, NULL, 0, "show an OCA"},
    {"POST", "/v1/ocas/{oca}/decommission", ADMIN, api_oca_decommission, NULL, ROUTE_F_AUDIT,
     "decommission an OCA"},
    {"POST", "/v1/ocas/{oca}/appliance-key", ADMIN, api_oca_rotate_appliance_key, NULL,
     ROUTE_F_AUDIT, "issue a new appliance key (the old one stops working)"},
    {"POST", "/v1/ocas/{oca}/signing-key", ADMIN, api_oca_rotate_sign_key, NULL, ROUTE_F_AUDIT,
     "rotate the URL signing key (with overlap)"},
    {"GET", "/v1/ocas/{oca}/routes", PARTNER, api_oca_routes, q_routes, 0, "learned prefixes"},
    {"GET", "/v1/ocas/{oca}/bgp", PARTNER, api_oca_bgp, NULL, 0, "BGP sessions"},
    {"PUT", "/v1/ocas/{oca}/bgp/{session}", ADMIN, api_oca_bgp_kind, NULL,
     ROUTE_F_BODY | ROUTE_F_AUDIT,
     "set how a BGP session's routes reach the OCA (steering offsets)"},
    {"POST", "/v1/ocas/{oca}/maintenance", PARTNER, api_maint_create_oca, NULL,
     ROUTE_F_BODY | ROUTE_F_AUDIT, "schedule a drain or maintenance of an OCA"},
    {"GET", "/v1/ocas/{oca}/maintenance", PARTNER, api_maint_list_oca, q_maint, 0,
     "maintenance windows of an OCA (its own and its site's)"},

    {"GET", "/v1/maintenance", PARTNER, api_maint_list, q_maint, 0, "maintenance windows"},
    {"GET", "/v1/maintenance/{maintenance}", PARTNER, api_maint_get, NULL, 0,
     "show a maintenance window"},
    {"DELETE", "/v1/maintenance/{maintenance}", PARTNER, api_maint_cancel, NULL, ROUTE_F_AUDIT,
     "cancel a maintenance window"},

    {"GET", "/v1/notifications", PARTNER, api_notif_list, q_notif, 0, "notifications"},
    {"GET", "/v1/notifications/{notification}", PARTNER, api_notif_get, NULL, 0,
     "show a notification"},
    {"POST", "/v1/notifications/{notification}/ack", PARTNER, api_notif_ack, NULL, ROUTE_F_AUDIT,
     "acknowledge a notification"},

    {"GET", "/v1/route-explorer", PARTNER, api_route_explorer, q_explorer, 0,
     "which OCAs learned a prefix covering an address, ranked"},
    {"GET", "/v1/audit", PARTNER, api_audit_list, q_audit, 0, "audit log"},

    {"POST", "/v1/keys", PARTNER, api_key_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "create an API key (shown once)"},
    {"GET", "/v1/keys", PARTNER, api_key_list, q_keys, 0, "list API keys"},
    {"DELETE", "/v1/keys/{key}", PARTNER, api_key_revoke, NULL, ROUTE_F_AUDIT, "revoke an API key"},

    {"POST", "/v1/titles", ADMIN, api_title_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "create a title"},
    {"GET", "/v1/titles", ADMIN, api_title_list, q_page, 0, "list titles"},
    {"GET", "/v1/titles/{title}", ADMIN, api_title_get, NULL, 0, "show a title and its files"},
    {"POST", "/v1/files", ADMIN, api_file_create, NULL, ROUTE_F_BODY | ROUTE_F_AUDIT,
     "register a file"},
    {"GET", "/v1/files/{file}", ADMIN, api_file_get, NULL, 0, "show a file"},

    {"POST", "/v1/agent/report", APPLIANCE, api_agent_report, NULL, ROUTE_F_REPORT,
     "an OCA's periodic report"},
    {"GET", "/v1/agent/config", APPLIANCE, api_agent_config, NULL, 0,
     "an OCA's configuration (ETag)"},

    {"GET", "/v1/steer", FRONTEND, api_steer, q_steer, 0, "ranked signed OCA URLs for a client"},
    {"GET", "/v1/speedtest", FRONTEND, api_speedtest, q_speed, 0, "speed-test URLs (fast.com)"},
};
const size_t api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);

/* Split path into segments in buf; NULL-terminate each. Returns the count or -1. */
static int
split(const char *path, char *buf, size_t buflen, char *seg[], int maxseg)
{
    size_t len = strlen(path);
    int n = 0;
    char *p;

    if (len == 0 || len >= buflen || path[0] != '/')
        return -1;
    memcpy(buf, path, len + 1);
    p = buf + 1;
    if (*p == '\0')
        return 0;
    for (;;) {
        char *slash = strchr(p, '/');

        if (n == maxseg || (slash && slash == p) || *p == '\0')
            return -1; /* too deep, or an empty segment ("//", trailing "/") */
        seg[n++] = p;
        if (!slash)
            return n;
        *slash = '\0';
        p = slash + 1;
    }
}

const struct api_route *
routes_match(const char *method, const char *path, const char *params[API_MAX_PARAMS],
             unsigned *nparams, char *buf, size_t buflen, int *path_known)
{
    char *seg[16];
    const char *pat;
    size_t r;
    int n, i;
    unsigned np;

    *nparams = 0;
    *path_known = 0;
    n = split(path, buf, buflen, seg, 16);
    if (n < 0)
        return NULL;
    for (r = 0; r < api_nroutes; r++) {
        pat = api_routes[r].pattern + 1;
        np = 0;
        for (i = 0; i < n; i++) {
            size_t len = strcspn(pat, "/");

            if (len == 0)
                break;
            if (pat[0] == '{') {
                if (np == API_MAX_PARAMS)
                    break;
                params[np++] = seg[i];
            } else if (strlen(seg[i]) != len || strncmp(seg[i], pat, len) != 0) {
                break;
            }
            pat += len;
            if (*pat == '/')
                pat++;
        }
        if (i != n || *pat != '\0')
            continue;
        if (strcmp(api_routes[r].method, method) != 0) {
            *path_known = 1;
            continue;
        }
        *nparams = np;
        return &api_routes[r];
    }
    return NULL;
}
