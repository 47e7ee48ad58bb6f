/* bench_serve.c - the agent's file server on its own, for /work/shared/bench/serve-baseline.sh
 * (docs/serving.md). Serves a directory without tokens (like an origin) until SIGINT or
 * SIGTERM, then drains and stops. Without arguments it prints its usage and exits 0, so a
 * "run every bench program" loop does not hang on it.
 *
 *   bench_serve --data DIR [--listen 127.0.0.1:18090] [--workers N] */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "serve.h"

static void
usage(FILE *f)
{
    fprintf(f, "usage: bench_serve --data DIR [--listen ADDR:PORT] [--workers N]\n"
               "  serves DIR over plain HTTP without tokens until SIGINT/SIGTERM\n"
               "  (default listen 127.0.0.1:18090, workers = online CPUs)\n");
}

int
main(int argc, char **argv)
{
    struct serve_config cfg;
    struct serve_stats st;
    struct serve *s;
    sigset_t set;
    char err[256];
    int sig = 0;

    serve_config_init(&cfg);
    cfg.listen[0] = "127.0.0.1:18090";
    cfg.nlisten = 1;
    cfg.require_token = false;
    cfg.limits.max_requests_per_conn = 1000000; /* wrk keeps its connections */
    if (argc == 1) {
        usage(stdout);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--data") == 0) {
            cfg.data_dir = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--listen") == 0) {
            cfg.listen[0] = argv[++i];
        } else if (i + 1 < argc && strcmp(argv[i], "--workers") == 0) {
            cfg.workers = (unsigned)strtoul(argv[++i], NULL, 10);
        } else {
            usage(stderr);
            return 2;
        }
    }
    log_init("bench_serve", false);
    /* Block the stop signals before the workers start, so they inherit the mask and only
     * sigwait() below sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    s = serve_new(&cfg);
    if (!s)
        fatalx("bench_serve: out of memory");
    if (serve_bind(s, err, sizeof(err)) != OCDN_OK)
        fatalx("%s", err);
    if (serve_start(s) != OCDN_OK)
        fatalx("bench_serve: cannot start the workers");
    printf("bench_serve: listening on port %u\n", serve_port(s, 0));
    fflush(stdout);
    sigdelset(&set, SIGPIPE);
    while (sig != SIGINT && sig != SIGTERM) {
        if (sigwait(&set, &sig) != 0)
            break;
    }
    serve_drain(s);
    serve_stop(s);
    serve_stats(s, &st);
    printf("bench_serve: requests=%llu bytes_sent=%llu conns=%llu aborts=%llu errors=%llu\n",
           (unsigned long long)st.requests, (unsigned long long)st.bytes_sent,
           (unsigned long long)st.conns_total, (unsigned long long)st.aborts,
           (unsigned long long)st.errors);
    serve_free(s);
    return 0;
}
