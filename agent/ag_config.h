#ifndef AGENT_AG_CONFIG_H
#define AGENT_AG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cfg.h"
#include "err.h"

/* ocdn-agent's configuration (docs/agent.md): the key table and the struct it fills. */

#define AG_LISTEN_MAX 2   /* listen addresses */
#define AG_KEY_MAX    128 /* bytes of an appliance key */

struct ag_config {
    char *role;         /* "oca" or "origin" */
    char *controlplane; /* base URL */
    char *key_file;     /* unset for role = origin */
    char *ca_file;      /* unset: the system's CAs */
    int64_t oca_id;     /* 0: from the config saved in state_dir */
    char *listen;       /* one or two host:port, space or comma separated */
    char *data_dir;
    char *state_dir;
    char *user;
    int64_t workers;
    char *routes_source; /* "static" */
    char *routes_file;   /* unset: no routes */
    int64_t routes_max;
    int64_t catalog_max;
    int64_t report_interval_ms;
    int64_t report_timeout_ms;
    int64_t report_retry_min_ms;
    int64_t report_retry_max_ms;
    int64_t report_gzip_min;
    int64_t report_max;
    int64_t max_conns;
    int64_t max_requests_per_conn;
    int64_t max_head_bytes;
    int64_t header_timeout_ms;
    int64_t idle_timeout_ms;
    int64_t io_timeout_ms;
    int64_t drain_timeout_ms;
    bool debug;
};

extern const struct cfg_key ag_config_keys[];
extern const size_t ag_config_nkeys;

/* Load path (NULL = defaults only) into c (which must own nothing: zeroed or cleared), then
 * check what one key alone cannot: role = oca needs key_file, report_retry_min <=
 * report_retry_max. OCDN_EINVAL, OCDN_EIO, OCDN_ETOOBIG, OCDN_ENOMEM with "file:line: key:
 * reason" or "file: reason" in err; c owns nothing then. */
enum ocdn_err ag_config_load(const char *path, struct ag_config *c, char *err, size_t errlen);
/* Print the effective configuration (for -n). */
void ag_config_print(const struct ag_config *c, FILE *out);
/* Free the strings of c. */
void ag_config_clear(struct ag_config *c);
/* True for role = origin. */
bool ag_config_is_origin(const struct ag_config *c);

/* Split c->listen into out (each NUL-terminated); returns the count (1..AG_LISTEN_MAX, as
 * checked at load). */
size_t ag_config_listen(const struct ag_config *c, char out[AG_LISTEN_MAX][64]);

/* Read the appliance key from path into key (NUL-terminated; one line, surrounding blanks and
 * a final newline ignored). Refused with OCDN_EFORBIDDEN when the file is readable or
 * writable by group or others, OCDN_EINVAL when it is not a regular file or does not hold
 * one appliance key (ocdn_app_ and 43 base64url characters), OCDN_EIO / OCDN_ENOTFOUND when
 * it cannot be read. err says why and never quotes the key. key is wiped on error. */
enum ocdn_err ag_config_read_key(const char *path, char key[AG_KEY_MAX], char *err, size_t errlen);

#endif
