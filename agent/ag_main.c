/* ag_main.c - ocdn-agent: options, config, the appliance key, the file server, privilege
 * drop, the reporter, and the signal loop (SIGTERM/SIGINT drain then stop, SIGHUP reload).
 * Order matters: the server binds its sockets as root, then root is dropped, and only then is
 * any state read or the network used. Signals are blocked in every thread and taken here with
 * sigtimedwait(), so no handler and no global flag is needed. */
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ag_config.h"
#include "clock.h"
#include "log.h"
#include "privdrop.h"
#include "reporter.h"
#include "serve.h"
#include "version.h"

#define DRAIN_POLL_MS 100 /* how often the drain checks for the last connection */

struct agent {
    const char *config_path;
    bool debug_flag; /* -d: debug lines whatever the config says */
    struct ag_config cfg;
    char key[AG_KEY_MAX];
    int64_t oca_id; /* the id the server checks tokens against */
    struct serve *srv;
    struct reporter *rep;
};

static void
usage(void)
{
    fprintf(stderr, "usage: ocdn-agent -c FILE [-d] [-n]\n"
                    "  -c FILE  configuration file\n"
                    "  -d       stay in the foreground and log debug lines\n"
                    "  -n       check the configuration, print it with defaults, exit\n");
    exit(2);
}

/* ---- hooks the reporter calls (its thread) ---- */

static void
hook_stats(void *ctx, struct report_traffic *out)
{
    struct agent *ag = ctx;
    struct serve_stats st;

    serve_stats(ag->srv, &st);
    out->bytes_sent = st.bytes_sent;
    out->requests = st.requests;
    out->connections = st.conns_open;
    out->status_2xx = st.status_2xx;
    out->status_4xx = st.status_4xx;
    out->status_5xx = st.status_5xx;
    out->errors = st.errors;
}

static void
apply_conf(struct agent *ag, const struct cpconf *conf)
{
    const char *hosts[CPCONF_HOSTS_MAX];
    enum ocdn_err e;
    size_t i;

    if (conf->oca_id != ag->oca_id) {
        log_warnx("agent: the control plane's config is for oca_id=%" PRId64
                  " but the server checks tokens for oca_id=%" PRId64
                  ": fix oca_id (or set it to 0) and restart",
                  conf->oca_id, ag->oca_id);
    }
    e = serve_set_keys(ag->srv, conf->keys, conf->nkeys);
    if (e)
        log_warnx("agent: signing keys not applied: %s", ocdn_err_str(e));
    for (i = 0; i < conf->nhosts; i++)
        hosts[i] = conf->hosts[i];
    e = serve_set_hosts(ag->srv, hosts, conf->nhosts);
    if (e)
        log_warnx("agent: host names not applied: %s", ocdn_err_str(e));
}

static void
hook_apply(void *ctx, const struct cpconf *conf)
{
    apply_conf(ctx, conf);
}

/* ---- start-up ---- */

static void
reporter_config_from(const struct agent *ag, struct reporter_config *rc)
{
    const struct ag_config *c = &ag->cfg;

    memset(rc, 0, sizeof(*rc));
    rc->url = c->controlplane;
    rc->key = ag->key;
    rc->ca_file = c->ca_file;
    rc->state_dir = c->state_dir;
    rc->data_dir = c->data_dir;
    rc->routes_file = c->routes_file;
    rc->interval_ms = c->report_interval_ms;
    rc->timeout_ms = c->report_timeout_ms;
    rc->retry_min_ms = c->report_retry_min_ms;
    rc->retry_max_ms = c->report_retry_max_ms;
    rc->gzip_min = (size_t)c->report_gzip_min;
    rc->report_max = (size_t)c->report_max;
    rc->max_routes = (size_t)c->routes_max;
    rc->max_files = (size_t)c->catalog_max;
}

static void
serve_config_from(const struct agent *ag, struct serve_config *sc, char listen[AG_LISTEN_MAX][64],
                  char *oca, size_t ocalen, int64_t ttl_s)
{
    const struct ag_config *c = &ag->cfg;
    size_t i;

    serve_config_init(sc);
    sc->nlisten = ag_config_listen(c, listen);
    for (i = 0; i < sc->nlisten; i++)
        sc->listen[i] = listen[i];
    sc->data_dir = c->data_dir;
    sc->workers = (unsigned)c->workers;
    sc->limits.max_conns = (unsigned)c->max_conns;
    sc->limits.max_requests_per_conn = (unsigned)c->max_requests_per_conn;
    sc->limits.max_head_bytes = (size_t)c->max_head_bytes;
    sc->limits.header_timeout_ms = c->header_timeout_ms;
    sc->limits.idle_timeout_ms = c->idle_timeout_ms;
    sc->limits.io_timeout_ms = c->io_timeout_ms;
    if (ag_config_is_origin(c)) {
        sc->require_token = false;
        return;
    }
    snprintf(oca, ocalen, "%" PRId64, ag->oca_id);
    sc->require_token = true;
    sc->oca_id = oca;
    if (ttl_s > 0)
        sc->max_token_ttl_s = ttl_s;
}

/* Directories the unprivileged process needs; fatal with a reason when they are not usable. */
static void
check_dirs(const struct agent *ag)
{
    const struct ag_config *c = &ag->cfg;
    const struct passwd *pw = getpwuid(geteuid());
    const char *who = pw ? pw->pw_name : "this user";

    if (access(c->data_dir, R_OK | X_OK) != 0)
        fatal("agent: data_dir %s must be readable by user %s", c->data_dir, who);
    if (ag_config_is_origin(c))
        return;
    if (mkdir(c->state_dir, 0700) != 0 && errno != EEXIST)
        fatal("agent: cannot create state_dir %s as user %s", c->state_dir, who);
    if (access(c->state_dir, R_OK | W_OK | X_OK) != 0)
        fatal("agent: state_dir %s must be writable by user %s", c->state_dir, who);
}

/* The saved control-plane config, if any, as root before the drop: it is mode 0600. */
static bool
load_saved_conf(const struct agent *ag, struct cpconf *conf)
{
    char err[512];
    enum ocdn_err e;

    e = reporter_config_load(ag->cfg.state_dir, conf, err, sizeof(err));
    if (e == OCDN_ENOTFOUND)
        return false;
    if (e) {
        log_warnx("agent: saved control-plane config not used: %s", err);
        return false;
    }
    return true;
}

/* ---- signals ---- */

static void
reload(struct agent *ag)
{
    struct ag_config next;
    struct reporter_config rc;
    char err[512], key[AG_KEY_MAX];
    const char *fixed;
    size_t changed;
    enum ocdn_err e;

    memset(&next, 0, sizeof(next));
    e = ag_config_load(ag->config_path, &next, err, sizeof(err));
    if (e) {
        log_warnx("agent: reload failed, keeping the running config: %s", err);
        return;
    }
    fixed = cfg_get_static_change(ag_config_keys, ag_config_nkeys, &ag->cfg, &next);
    if (fixed)
        log_warnx("agent: %s changed: it takes effect at the next restart", fixed);
    if (!ag_config_is_origin(&ag->cfg) && next.key_file) {
        /* A key file readable only by root (read at start) cannot be read again after the
         * drop: keep that key. A new key_file that cannot be read fails the reload. */
        e = ag_config_read_key(next.key_file, key, err, sizeof(err));
        if (e && strcmp(next.key_file, ag->cfg.key_file) != 0) {
            log_warnx("agent: reload failed, keeping the running config: %s", err);
            ag_config_clear(&next);
            return;
        }
        if (e == OCDN_EIO) {
            log_info("agent: reload: keeping the appliance key read at start (%s)", err);
        } else if (e) {
            log_warnx("agent: reload: keeping the appliance key read at start: %s", err);
        } else {
            memcpy(ag->key, key, sizeof(key));
            explicit_bzero(key, sizeof(key));
        }
    }
    changed = cfg_apply_reloadable(ag_config_keys, ag_config_nkeys, &ag->cfg, &next);
    ag_config_clear(&next);
    log_set_debug(ag->debug_flag || ag->cfg.debug);
    if (ag->rep) {
        reporter_config_from(ag, &rc);
        if (reporter_set_config(ag->rep, &rc) != OCDN_OK)
            log_warnx("agent: reload: out of memory, reporter keeps its config");
        reporter_kick(ag->rep);
    }
    log_info("agent: reloaded %s keys_changed=%zu", ag->config_path, changed);
}

/* Wait for signals until asked to stop; returns after the server has drained or the drain
 * timed out. */
static void
signal_loop(struct agent *ag, const sigset_t *set)
{
    struct timespec ts = {DRAIN_POLL_MS / 1000, (DRAIN_POLL_MS % 1000) * 1000000L};
    int64_t deadline = 0;
    bool draining = false;
    siginfo_t si;
    int sig;

    for (;;) {
        if (draining) {
            if (serve_drained(ag->srv)) {
                log_info("agent: drained");
                return;
            }
            if (clock_mono_ms() >= deadline) {
                log_warnx("agent: drain timeout, closing the connections left");
                return;
            }
            sig = sigtimedwait(set, &si, &ts);
        } else {
            sig = sigwaitinfo(set, &si);
        }
        if (sig < 0) {
            if (errno != EAGAIN && errno != EINTR)
                fatal("agent: sigwait");
            continue;
        }
        if (sig == SIGHUP) {
            reload(ag);
        } else if (draining) {
            log_info("agent: second signal %d, stopping now", sig);
            return;
        } else {
            log_info("agent: signal %d, draining for at most %" PRId64 " ms", sig,
                     ag->cfg.drain_timeout_ms);
            serve_drain(ag->srv);
            reporter_stop(ag->rep);
            draining = true;
            deadline = clock_mono_ms() + ag->cfg.drain_timeout_ms;
        }
    }
}

int
main(int argc, char **argv)
{
    struct agent ag;
    struct serve_config sc;
    struct reporter_config rc;
    struct reporter_hooks hooks;
    struct cpconf conf;
    char err[1024], listen[AG_LISTEN_MAX][64], oca[24];
    bool check_only = false, debug = false, have_conf = false, origin;
    sigset_t set;
    enum ocdn_err e;
    int ch;

    memset(&ag, 0, sizeof(ag));
    memset(&conf, 0, sizeof(conf));
    while ((ch = getopt(argc, argv, "c:dn")) != -1) {
        switch (ch) {
        case 'c':
            ag.config_path = optarg;
            break;
        case 'd':
            debug = true;
            ag.debug_flag = true;
            break;
        case 'n':
            check_only = true;
            break;
        default:
            usage();
        }
    }
    if (!ag.config_path || optind != argc)
        usage();
    log_init("ocdn-agent", debug);

    e = ag_config_load(ag.config_path, &ag.cfg, err, sizeof(err));
    if (check_only) {
        if (e) {
            fprintf(stderr, "ocdn-agent: %s\n", err);
            return 1;
        }
        ag_config_print(&ag.cfg, stdout);
        ag_config_clear(&ag.cfg);
        return 0;
    }
    if (e)
        fatalx("agent: %s", err);
    if (ag.cfg.debug)
        log_set_debug(true);
    origin = ag_config_is_origin(&ag.cfg);

    /* Every thread started from here on inherits the blocked set; SIGPIPE stays blocked so a
     * closed socket is an EPIPE, never a death. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGPIPE);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
        fatalx("agent: cannot block signals");
    sigdelset(&set, SIGPIPE);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fatalx("agent: libcurl initialisation failed");

    if (!origin) {
        e = ag_config_read_key(ag.cfg.key_file, ag.key, err, sizeof(err));
        if (e)
            fatalx("agent: %s", err);
        have_conf = load_saved_conf(&ag, &conf);
        ag.oca_id = ag.cfg.oca_id;
        if (!ag.oca_id && have_conf)
            ag.oca_id = conf.oca_id;
        if (!ag.oca_id) {
            /* First start: the appliance key says which OCA this is; ask the control plane
             * once (the server needs the id for its tokens before anything else runs). */
            struct reporter_config frc;

            reporter_config_from(&ag, &frc);
            e = reporter_config_fetch(&frc, &conf, err, sizeof(err));
            if (e)
                fatalx("agent: oca_id is not set, no control-plane config is saved in %s yet, "
                       "and fetching it failed (%s): set oca_id to this OCA's id (shown by the "
                       "control plane) in %s, or make the control plane reachable",
                       ag.cfg.state_dir, err, ag.config_path);
            have_conf = true;
            ag.oca_id = conf.oca_id;
            log_info("agent: first start: the control plane says this is oca_id=%" PRId64,
                     ag.oca_id);
        }
        if (have_conf && conf.oca_id != ag.oca_id) {
            log_warnx("agent: oca_id=%" PRId64 " but the saved config is for oca_id=%" PRId64
                      ": its keys are not used",
                      ag.oca_id, conf.oca_id);
            have_conf = false;
        }
    }

    serve_config_from(&ag, &sc, listen, oca, sizeof(oca), have_conf ? conf.max_token_ttl_s : 0);
    ag.srv = serve_new(&sc);
    if (!ag.srv)
        fatalx("agent: out of memory");
    e = serve_bind(ag.srv, err, sizeof(err));
    if (e)
        fatalx("agent: %s", err);

    if (getuid() == 0 || geteuid() == 0) {
        e = privdrop(ag.cfg.user);
        if (e == OCDN_ENOTFOUND)
            fatalx("agent: user %s does not exist", ag.cfg.user);
        if (e)
            fatalx("agent: cannot drop root to user %s: %s", ag.cfg.user, ocdn_err_str(e));
        if (getuid() == 0 || geteuid() == 0)
            fatalx("agent: still root after dropping privileges");
        log_info("agent: running as user %s", ag.cfg.user);
    }
    check_dirs(&ag);

    if (have_conf) {
        apply_conf(&ag, &conf);
        log_info("agent: using the saved config version=%s keys=%zu hosts=%zu", conf.version,
                 conf.nkeys, conf.nhosts);
    }
    if (!origin) {
        reporter_config_from(&ag, &rc);
        hooks.ctx = &ag;
        hooks.stats = hook_stats;
        hooks.apply = hook_apply;
        e = reporter_new(&rc, &hooks, have_conf ? &conf : NULL, &ag.rep, err, sizeof(err));
        if (e)
            fatalx("agent: %s", e == OCDN_ENOMEM ? "out of memory" : err);
    }
    explicit_bzero(&conf, sizeof(conf));

    e = serve_start(ag.srv);
    if (e)
        fatalx("agent: cannot start the server: %s", ocdn_err_str(e));
    if (ag.rep) {
        e = reporter_start(ag.rep);
        if (e)
            fatalx("agent: cannot start the reporter: %s", ocdn_err_str(e));
    }
    log_info("agent: started version=" OCDN_VERSION " role=%s port=%u%s%.0u data_dir=%s%s%s",
             ag.cfg.role, serve_port(ag.srv, 0), sc.nlisten > 1 ? " port2=" : "",
             sc.nlisten > 1 ? serve_port(ag.srv, 1) : 0, ag.cfg.data_dir,
             origin ? "" : " controlplane=", origin ? "" : ag.cfg.controlplane);

    signal_loop(&ag, &set);

    reporter_free(ag.rep);
    serve_stop(ag.srv);
    serve_free(ag.srv);
    explicit_bzero(ag.key, sizeof(ag.key));
    ag_config_clear(&ag.cfg);
    curl_global_cleanup();
    log_info("agent: stopped");
    return 0;
}
