#ifndef CP_STORE_BGP_H
#define CP_STORE_BGP_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "err.h"

struct store;

/* bgp_sessions rows: the sessions each OCA reported, replaced by every report that carries
 * them (the admin-set kind survives the replacement). */
struct bgp_session {
    int64_t oca_id;
    const char *name;
    const char *neighbor;
    int64_t peer_asn;
    const char *family; /* "ipv4", "ipv6" or "" */
    const char *state;  /* "established", ... */
    int64_t since;      /* 0 = unknown */
    int64_t prefixes;
    const char *kind; /* "auto", "embedded", "pni", "peering", "transit" */
    int64_t updated_at;
};

/* Replace the sessions of an OCA with v (kinds set earlier are kept by name). */
enum ocdn_err store_bgp_replace(struct store *st, int64_t oca_id, const struct bgp_session *v,
                                size_t n, int64_t now);
/* Sessions of an OCA, by name. */
enum ocdn_err store_bgp_list(struct store *st, int64_t oca_id, struct arena *a,
                             struct bgp_session **out, size_t *n);
/* Set a session's kind (admin); OCDN_ENOTFOUND when the OCA has no such session. */
enum ocdn_err store_bgp_set_kind(struct store *st, int64_t oca_id, const char *name,
                                 const char *kind);

#endif
