/* ag_config.c - the agent's configuration table (one row per key, STYLE.md 7), the checks
 * across keys, and the appliance key file. The key is never in the config itself: only the
 * path to a file that must be private to its owner, and no error text ever quotes it. */
#include "ag_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"

#define KEY_FILE_MAX 4096 /* bytes read from a key file */

static enum ocdn_err
check_role(const void *field, char *err, size_t errlen)
{
    const char *s = *(char *const *)field;

    if (strcmp(s, "oca") == 0 || strcmp(s, "origin") == 0)
        return OCDN_OK;
    snprintf(err, errlen, "must be \"oca\" or \"origin\"");
    return OCDN_EINVAL;
}

static enum ocdn_err
check_url(const void *field, char *err, size_t errlen)
{
    const char *s = *(char *const *)field, *host;
    size_t i;

    if (strncmp(s, "http://", 7) == 0)
        host = s + 7;
    else if (strncmp(s, "https://", 8) == 0)
        host = s + 8;
    else {
        snprintf(err, errlen, "must start with http:// or https://");
        return OCDN_EINVAL;
    }
    if (!*host || *host == '/') {
        snprintf(err, errlen, "has no host");
        return OCDN_EINVAL;
    }
    for (i = 0; s[i]; i++) {
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '?' ||
            s[i] == '#') {
            snprintf(err, errlen, "must be a base URL without spaces, query or fragment");
            return OCDN_EINVAL;
        }
    }
    return OCDN_OK;
}

/* Split "a b" / "a,b" into at most max parts; returns the count, or 0 when a part is empty,
 * too long, or there are too many. */
static size_t
split_listen(const char *s, char out[AG_LISTEN_MAX][64], size_t max)
{
    size_t n = 0;

    while (*s) {
        size_t len = strcspn(s, " ,");

        if (len == 0) {
            s++;
            continue;
        }
        if (n == max || len >= 64)
            return 0;
        memcpy(out[n], s, len);
        out[n][len] = '\0';
        n++;
        s += len;
    }
    return n;
}

static enum ocdn_err
check_listen(const void *field, char *err, size_t errlen)
{
    const char *s = *(char *const *)field;
    char parts[AG_LISTEN_MAX][64];
    struct net_addr a;
    uint16_t port;
    size_t n = split_listen(s, parts, AG_LISTEN_MAX), i;

    if (n == 0) {
        snprintf(err, errlen, "one or two host:port, separated by a space or a comma");
        return OCDN_EINVAL;
    }
    for (i = 0; i < n; i++) {
        char probe[64];
        size_t len = strlen(parts[i]);

        /* Port 0 (an ephemeral port, for tests) is fine for the server; the parser wants
         * 1..65535, so check the address with port 1 instead. */
        snprintf(probe, sizeof(probe), "%s", parts[i]);
        if (len > 2 && strcmp(parts[i] + len - 2, ":0") == 0)
            probe[len - 1] = '1';
        if (net_hostport_parse(probe, &a, &port) != OCDN_OK) {
            snprintf(err, errlen, "\"%s\" is not address:port (\"0.0.0.0:80\", \"[::]:80\")",
                     parts[i]);
            return OCDN_EINVAL;
        }
    }
    return OCDN_OK;
}

static enum ocdn_err
check_routes_source(const void *field, char *err, size_t errlen)
{
    const char *s = *(char *const *)field;

    /* "bird" comes with the BIRD reader (bird.c). */
    if (strcmp(s, "static") == 0)
        return OCDN_OK;
    snprintf(err, errlen, "must be \"static\" (the only source so far)");
    return OCDN_EINVAL;
}

#define K(name, type, field, def, min, max, reload, check, help)                                   \
    {                                                                                              \
        name, type, offsetof(struct ag_config, field), def, min, max, reload, check, help          \
    }

const struct cfg_key ag_config_keys[] = {
    K("role", CFG_STR, role, "oca", 1, 16, false, check_role,
      "oca: serve with signed URLs and report; origin: serve data_dir without tokens"),
    K("controlplane", CFG_STR, controlplane, "http://127.0.0.1:8080", 8, 1024, true, check_url,
      "control plane base URL"),
    K("key_file", CFG_STR, key_file, NULL, 1, 4096, true, NULL,
      "file holding the appliance key (mode 0600 or stricter); required for role = oca"),
    K("ca_file", CFG_STR, ca_file, NULL, 1, 4096, true, NULL,
      "CA bundle to verify an https control plane; unset: the system's"),
    K("oca_id", CFG_INT, oca_id, "0", 0, 4611686018427387903LL, false, NULL,
      "this OCA's id; 0: from the control-plane config saved in state_dir"),
    K("listen", CFG_STR, listen, "127.0.0.1:8081", 1, 200, false, check_listen,
      "one or two address:port to serve on, separated by a space or a comma"),
    K("data_dir", CFG_STR, data_dir, "var/agent/data", 1, 4096, false, NULL,
      "directory of the files served, data_dir/<file id>"),
    K("state_dir", CFG_STR, state_dir, "var/agent/state", 1, 4096, false, NULL,
      "directory of the reporter's state, writable by user"),
    K("user", CFG_STR, user, "nobody", 1, 64, false, NULL,
      "user to run as after binding when started as root"),
    K("workers", CFG_INT, workers, "0", 0, 256, false, NULL,
      "server worker threads; 0: one per online CPU"),
    K("routes_source", CFG_STR, routes_source, "static", 1, 16, false, check_routes_source,
      "where routes come from: static (routes_file)"),
    K("routes_file", CFG_STR, routes_file, NULL, 1, 4096, true, NULL,
      "static routes, one route line per line; unset: no routes"),
    K("routes_max", CFG_INT, routes_max, "2000000", 1, 2000000, true, NULL, "most routes reported"),
    K("catalog_max", CFG_INT, catalog_max, "1000000", 1, 1000000, true, NULL,
      "most files reported"),
    K("report_interval", CFG_DURATION, report_interval_ms, "5m", 1000, 86400000, true, NULL,
      "report every (+-10 %); the control plane's report_interval_s overrides it"),
    K("report_timeout", CFG_DURATION, report_timeout_ms, "60s", 1000, 3600000, true, NULL,
      "longest exchange with the control plane"),
    K("report_retry_min", CFG_DURATION, report_retry_min_ms, "5s", 100, 3600000, true, NULL,
      "first retry delay after a failed report (doubles per failure)"),
    K("report_retry_max", CFG_DURATION, report_retry_max_ms, "5m", 100, 86400000, true, NULL,
      "longest retry delay"),
    K("report_gzip_min", CFG_SIZE, report_gzip_min, "64k", 0, 1073741824, true, NULL,
      "reports larger than this are sent gzip-compressed"),
    K("report_max", CFG_SIZE, report_max, "256M", 65536, 1073741824, true, NULL,
      "largest report body before compression"),
    K("max_conns", CFG_INT, max_conns, "10000", 1, 1000000, false, NULL,
      "open client connections, all workers"),
    K("max_requests_per_conn", CFG_INT, max_requests_per_conn, "1000", 1, 1000000, false, NULL,
      "requests on one connection, then it is closed"),
    K("max_head_bytes", CFG_SIZE, max_head_bytes, "8k", 1024, 65536, false, NULL,
      "request line and headers"),
    K("header_timeout", CFG_DURATION, header_timeout_ms, "10s", 100, 600000, false, NULL,
      "a request head must arrive within"),
    K("idle_timeout", CFG_DURATION, idle_timeout_ms, "60s", 100, 3600000, false, NULL,
      "keep-alive wait for the next request"),
    K("io_timeout", CFG_DURATION, io_timeout_ms, "30s", 100, 3600000, false, NULL,
      "no progress sending a response or reading a body"),
    K("drain_timeout", CFG_DURATION, drain_timeout_ms, "30s", 0, 3600000, true, NULL,
      "on SIGTERM, how long requests in progress may finish"),
    K("debug", CFG_BOOL, debug, "no", 0, 0, true, NULL, "log debug lines"),
};
const size_t ag_config_nkeys = sizeof(ag_config_keys) / sizeof(ag_config_keys[0]);

enum ocdn_err
ag_config_load(const char *path, struct ag_config *c, char *err, size_t errlen)
{
    const char *name = path ? path : "defaults";
    enum ocdn_err e;

    e = cfg_load(ag_config_keys, ag_config_nkeys, path, c, err, errlen);
    if (e)
        return e;
    if (!ag_config_is_origin(c) && !c->key_file) {
        snprintf(err, errlen, "%s: key_file: required for role = oca", name);
        e = OCDN_EINVAL;
    } else if (c->report_retry_min_ms > c->report_retry_max_ms) {
        snprintf(err, errlen, "%s: report_retry_min: larger than report_retry_max", name);
        e = OCDN_EINVAL;
    }
    if (e)
        ag_config_clear(c);
    return e;
}

void
ag_config_print(const struct ag_config *c, FILE *out)
{
    cfg_print(ag_config_keys, ag_config_nkeys, c, out);
}

void
ag_config_clear(struct ag_config *c)
{
    cfg_clear(ag_config_keys, ag_config_nkeys, c);
}

bool
ag_config_is_origin(const struct ag_config *c)
{
    return c->role && strcmp(c->role, "origin") == 0;
}

size_t
ag_config_listen(const struct ag_config *c, char out[AG_LISTEN_MAX][64])
{
    return split_listen(c->listen, out, AG_LISTEN_MAX);
}

/* ocdn_app_<43 base64url>: the shape auth.c accepts for an appliance key, checked here so
 * that a truncated key or another kind of key is reported at start, not as 401s later. */
static bool
key_well_formed(const char *k, size_t len)
{
    size_t i;

    if (len != 9 + 43 || strncmp(k, "ocdn_app_", 9) != 0)
        return false;
    for (i = 9; i < len; i++) {
        char ch = k[i];

        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_'))
            return false;
    }
    return true;
}

enum ocdn_err
ag_config_read_key(const char *path, char key[AG_KEY_MAX], char *err, size_t errlen)
{
    char buf[KEY_FILE_MAX + 1];
    struct stat sb;
    size_t got = 0, start, end;
    ssize_t n;
    int fd;
    enum ocdn_err e = OCDN_OK;

    memset(key, 0, AG_KEY_MAX);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "key_file %s: %s", path, strerror(errno));
        return errno == ENOENT ? OCDN_ENOTFOUND : OCDN_EIO;
    }
    if (fstat(fd, &sb) != 0) {
        snprintf(err, errlen, "key_file %s: %s", path, strerror(errno));
        e = OCDN_EIO;
        goto out;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(err, errlen, "key_file %s: not a regular file", path);
        e = OCDN_EINVAL;
        goto out;
    }
    if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(err, errlen,
                 "key_file %s: mode %04o lets group or others at the key; chmod 600 it", path,
                 (unsigned)(sb.st_mode & 07777));
        e = OCDN_EFORBIDDEN;
        goto out;
    }
    for (;;) {
        n = read(fd, buf + got, sizeof(buf) - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(err, errlen, "key_file %s: %s", path, strerror(errno));
            e = OCDN_EIO;
            goto out;
        }
        if (n == 0 || got + (size_t)n == sizeof(buf) - 1) {
            got += (size_t)n;
            break;
        }
        got += (size_t)n;
    }
    buf[got] = '\0';
    start = 0;
    while (start < got && (buf[start] == ' ' || buf[start] == '\t'))
        start++;
    end = got;
    while (end > start && (buf[end - 1] == '\n' || buf[end - 1] == '\r' || buf[end - 1] == ' ' ||
                           buf[end - 1] == '\t'))
        end--;
    if (got == sizeof(buf) - 1 || end - start >= AG_KEY_MAX ||
        memchr(buf + start, '\n', end - start) || !key_well_formed(buf + start, end - start)) {
        snprintf(err, errlen,
                 "key_file %s: does not hold one appliance key (ocdn_app_ and 43 characters)",
                 path);
        e = OCDN_EINVAL;
        goto out;
    }
    memcpy(key, buf + start, end - start);
    key[end - start] = '\0';
out:
    explicit_bzero(buf, sizeof(buf));
    close(fd);
    if (e)
        explicit_bzero(key, AG_KEY_MAX);
    return e;
}
