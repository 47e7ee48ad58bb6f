#ifndef AGENT_SERVE_H
#define AGENT_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "token.h"

/* The agent's file server (DESIGN.md 4 "Server"): one epoll worker thread per core, each with
 * its own SO_REUSEPORT listening socket per listen address; HTTP/1.1 keep-alive and pipelining;
 * GET/HEAD of files in data_dir with single byte ranges, sent with sendfile(2); the speed test
 * object; signed-URL checks (token.h); drain; counters.
 *
 * Lifecycle: serve_new() -> serve_bind() (as root, before privdrop) -> serve_start() ->
 * [serve_set_keys()/serve_set_hosts() at any time, from any thread] -> serve_drain() ->
 * serve_stop() -> serve_free(). */

#define SERVE_LISTEN_MAX      8 /* listen addresses */
#define SERVE_WORKERS_MAX     256
#define SERVE_KEYS_MAX        4  /* signing keys checked at once (current + previous + spare) */
#define SERVE_HOSTS_MAX       16 /* host names this OCA answers to */
#define SERVE_SPEEDTEST_BYTES 26214400 /* the 25 MiB speed test object */

struct serve;

/* Limits; serve_config_init() sets the defaults given in brackets. */
struct serve_limits {
    unsigned max_conns;             /* open client connections, all workers [10000] */
    unsigned max_requests_per_conn; /* then the connection is closed [1000] */
    size_t max_head_bytes;          /* request line + headers [8192] (431 beyond) */
    unsigned max_headers;           /* header lines [64] (431 beyond) */
    size_t max_target_bytes;        /* request target [2048] (414 beyond) */
    uint64_t max_upload_bytes;      /* speed test POST body [26214400] (413 beyond) */
    int64_t header_timeout_ms;      /* a whole request head must arrive within [10000] */
    int64_t idle_timeout_ms;        /* keep-alive wait for the next request [60000] */
    int64_t io_timeout_ms;          /* no progress sending a response or reading a body [30000] */
    int64_t linger_ms;              /* read and discard input after the last response [2000] */
};

struct serve_config {
    const char *listen[SERVE_LISTEN_MAX]; /* "0.0.0.0:80", "[::]:80"; port 0 = ephemeral */
    size_t nlisten;
    const char *data_dir; /* files are data_dir/<file id> */
    unsigned workers;     /* 0 = one per online CPU */
    struct serve_limits limits;
    bool require_token;      /* false only for role = origin (fill requests) and benchmarks */
    const char *oca_id;      /* the "v" parameter this OCA accepts, decimal text */
    int64_t max_token_ttl_s; /* tokens expiring further ahead are refused [86400] */
};

/* Counters since serve_start(), summed over workers. */
struct serve_stats {
    uint64_t requests; /* responses started */
    uint64_t status_2xx;
    uint64_t status_4xx;
    uint64_t status_5xx;
    uint64_t status_403;     /* token refusals (also counted in status_4xx) */
    uint64_t bytes_sent;     /* headers and bodies */
    uint64_t bytes_received; /* request heads and bodies */
    uint64_t conns_open;     /* now, excluding connections only lingering before close */
    uint64_t conns_total;    /* accepted */
    uint64_t conns_refused;  /* closed at once: over max_conns */
    uint64_t timeouts;       /* closed for header, idle, I/O or linger timeout */
    uint64_t aborts;         /* connections the client reset or abandoned mid-response */
    uint64_t errors;         /* other socket or file errors that ended a connection */
    uint64_t sends_blocked;  /* body sends that hit a full socket buffer (EAGAIN) */
};

/* Defaults: no listen address, workers 0, limits as above, require_token true,
 * max_token_ttl_s 86400. Strings stay NULL. */
void serve_config_init(struct serve_config *cfg);

/* New server with a copy of cfg (strings are copied); NULL when out of memory. Nothing is
 * opened until serve_bind(). Free with serve_free(). */
struct serve *serve_new(const struct serve_config *cfg);

/* Validate the config, open data_dir and create every listening socket (workers x listen
 * addresses, SO_REUSEPORT; an ephemeral port is chosen once and shared). OCDN_EINVAL for a bad
 * config, OCDN_EIO when a socket or data_dir cannot be opened; err gets the reason. */
enum ocdn_err serve_bind(struct serve *s, char *err, size_t errlen);

/* Port actually bound for listen address i (useful with port 0); 0 before serve_bind(). */
uint16_t serve_port(const struct serve *s, size_t i);

/* Start the worker threads. OCDN_EINVAL unless bound and not started; OCDN_ENOMEM or OCDN_EIO
 * when a thread or its epoll set cannot be created (started workers are stopped again). */
enum ocdn_err serve_start(struct serve *s);

/* Replace the signing keys (copied; up to SERVE_KEYS_MAX, a key past not_after is skipped).
 * Safe from any thread; requests parsed after the call returns use the new keys.
 * OCDN_EINVAL for too many keys, OCDN_ENOMEM. */
enum ocdn_err serve_set_keys(struct serve *s, const struct token_key *keys, size_t n);

/* Replace the host names accepted in Host (copied and lower-cased; up to SERVE_HOSTS_MAX,
 * each 1..253 characters of [A-Za-z0-9.-]). Same thread rules as serve_set_keys().
 * OCDN_EINVAL for a bad name or too many, OCDN_ENOMEM. */
enum ocdn_err serve_set_hosts(struct serve *s, const char *const *hosts, size_t n);

/* Stop accepting (listening sockets are closed when this returns), close idle keep-alive
 * connections, and let requests in progress finish with "Connection: close". Idempotent. */
void serve_drain(struct serve *s);

/* True once serve_drain() was called and no client connection is open any more. */
bool serve_drained(const struct serve *s);

/* End the workers now (open connections are closed) and join them. Idempotent. */
void serve_stop(struct serve *s);

/* Stop if needed, close every socket and file descriptor and free s; NULL does nothing. */
void serve_free(struct serve *s);

/* Snapshot of the counters; callable from any thread while running. */
void serve_stats(const struct serve *s, struct serve_stats *out);

#endif
