#ifndef CP_ROUTES_H
#define CP_ROUTES_H

#include <stddef.h>

#include "http.h"

/* The route table: every API route, with who may call it and what it accepts. Tests walk this
 * table (tenant isolation for every partner route, every route in docs/api/openapi.yaml). */

enum {
    ROUTE_F_BODY = 1u << 0,   /* takes a JSON body (ordinary size limit) */
    ROUTE_F_REPORT = 1u << 1, /* takes a JSON body up to report_max, gzip allowed */
    ROUTE_F_AUDIT = 1u << 2,  /* a change: written to the audit log (check_api checks it) */
};

struct api_route {
    const char *method;
    const char *pattern; /* "/v1/ocas/{oca}/routes"; {name} captures one segment */
    unsigned scopes;     /* enum scope bits allowed; 0 = no key needed */
    api_fn *fn;
    const char *const *query; /* allowed query parameter names (NULL-terminated) or NULL */
    unsigned flags;           /* ROUTE_F_* */
    const char *summary;
};

extern const struct api_route api_routes[];
extern const size_t api_nroutes;

/* Route for method and path; captures go into params. NULL when none matches; *path_known
 * tells whether some route has this path with another method (405 rather than 404). */
const struct api_route *routes_match(const char *method, const char *path,
                                     const char *params[API_MAX_PARAMS], unsigned *nparams,
                                     char *buf, size_t buflen, int *path_known);

#endif
