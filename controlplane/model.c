/* model.c - spellings of the data model's enumerations (API and database use the same). */
#include "model.h"

#include <string.h>

const char *const site_type_names[] = {"isp", "ix", NULL};
const char *const oca_model_names[] = {"storage", "flash", "global", NULL};
const char *const oca_status_names[] = {"unreported", "online",      "degraded",       "offline",
                                        "draining",   "maintenance", "decommissioned", NULL};
const char *const route_src_names[] = {"embedded", "pni", "peering", "transit", NULL};

static const char *
name_of(const char *const *names, unsigned n, unsigned v)
{
    return v < n ? names[v] : "unknown";
}

static bool
parse(const char *const *names, const char *s, int *out)
{
    int i;

    if (!s)
        return false;
    for (i = 0; names[i]; i++) {
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return true;
        }
    }
    return false;
}

const char *
site_type_str(enum site_type t)
{
    return name_of(site_type_names, 2, t);
}

const char *
oca_model_str(enum oca_model m)
{
    return name_of(oca_model_names, 3, m);
}

const char *
oca_status_str(enum oca_status s)
{
    return name_of(oca_status_names, 7, s);
}

const char *
route_src_str(enum route_src s)
{
    return name_of(route_src_names, ROUTE_SRC_COUNT, s);
}

bool
site_type_parse(const char *s, enum site_type *out)
{
    int v;

    if (!parse(site_type_names, s, &v))
        return false;
    *out = (enum site_type)v;
    return true;
}

bool
oca_model_parse(const char *s, enum oca_model *out)
{
    int v;

    if (!parse(oca_model_names, s, &v))
        return false;
    *out = (enum oca_model)v;
    return true;
}

bool
oca_status_parse(const char *s, enum oca_status *out)
{
    int v;

    if (!parse(oca_status_names, s, &v))
        return false;
    *out = (enum oca_status)v;
    return true;
}

bool
route_src_parse(const char *s, enum route_src *out)
{
    int v;

    if (!parse(route_src_names, s, &v))
        return false;
    *out = (enum route_src)v;
    return true;
}
