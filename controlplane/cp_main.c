/* cp_main.c - ocdn-controlplane: options, configuration, store, steering engine, sweeper, HTTP,
 * and the signal loop. Also the one-shot CLI "key create" that prints a new API key.
 *
 *   ocdn-controlplane [-c FILE] [-d] [-n]
 *   ocdn-controlplane [-c FILE] key create --scope admin|frontend|partner:<org_id> [--label L]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "airport.h"
#include "auth.h"
#include "clock.h"
#include "cp.h"
#include "cp_config.h"
#include "cp_steer.h"
#include "geoip.h"
#include "http.h"
#include "log.h"
#include "privdrop.h"
#include "steer.h"
#include "store.h"
#include "sweeper.h"
#include "version.h"

static void
usage(void)
{
    fprintf(stderr, "usage: ocdn-controlplane [-c FILE] [-d] [-n]\n"
                    "       ocdn-controlplane [-c FILE] key create --scope "
                    "admin|frontend|partner:<org_id> [--label TEXT]\n"
                    "  -c FILE  configuration (key = value; without it the embedded defaults)\n"
                    "  -d       foreground with debug output\n"
                    "  -n       check the configuration, print the effective one, exit\n");
    exit(2);
}

/* SIGHUP: parse the file anew; keep the old configuration on error; apply reloadable keys. */
static void
reload(struct cp *cp)
{
    struct cp_config_ref *cur = cp_config_get(cp), *next = NULL, *copy = NULL;
    char err[512], *text = NULL;
    const char *fixed;
    size_t len = 0, changed;
    FILE *f;

    if (cp_config_load(cp->config_path, &next, err, sizeof(err)) != OCDN_OK) {
        log_warnx("config: reload failed, keeping the running configuration: %s", err);
        goto out;
    }
    fixed = cfg_get_static_change(cp_config_keys, cp_config_nkeys, &cur->c, &next->c);
    if (fixed)
        log_warnx("config: %s changed; it takes effect at the next restart", fixed);
    /* The published configuration is shared and immutable: change a deep copy of it. */
    f = open_memstream(&text, &len);
    if (!f)
        goto out;
    cp_config_print(&cur->c, f);
    if (fclose(f) != 0)
        goto out;
    copy = calloc(1, sizeof(*copy));
    if (!copy || cfg_load_buf(cp_config_keys, cp_config_nkeys, "running", text, len, &copy->c, err,
                              sizeof(err)) != OCDN_OK) {
        log_warnx("config: reload failed: %s", copy ? err : "out of memory");
        free(copy);
        copy = NULL;
        goto out;
    }
    atomic_init(&copy->refs, 1);
    changed = cfg_apply_reloadable(cp_config_keys, cp_config_nkeys, &copy->c, &next->c);
    log_set_debug(copy->c.debug);
    cp_config_swap(cp, copy);
    auth_flush(cp->auth);
    if (cp->steer)
        steer_engine_kick(cp->steer);
    log_info("config: reloaded %s keys_changed=%zu", cp->config_path ? cp->config_path : "-",
             changed);
out:
    free(text);
    cp_config_unref(next);
    cp_config_unref(cur);
}

static int
key_command(struct cp_config_ref *cfg, int argc, char **argv)
{
    static const struct option opts[] = {{"scope", required_argument, NULL, 's'},
                                         {"label", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    struct store_opts so = {0};
    struct store *st = NULL;
    const char *scope_arg = NULL, *label = "";
    char key[AUTH_KEY_STRLEN], err[512];
    enum scope scope;
    int64_t org_id, id;
    enum ocdn_err e;
    int c;

    if (argc < 2 || strcmp(argv[1], "create") != 0)
        usage();
    optind = 2;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 's')
            scope_arg = optarg;
        else if (c == 'l')
            label = optarg;
        else
            usage();
    }
    if (!scope_arg || optind != argc)
        usage();
    if (scope_parse_cli(scope_arg, &scope, &org_id) != OCDN_OK) {
        fprintf(stderr, "ocdn-controlplane: --scope: admin, frontend or partner:<org id>\n");
        return 2;
    }
    if (strlen(label) > 128) {
        fprintf(stderr, "ocdn-controlplane: --label: at most 128 characters\n");
        return 2;
    }
    so.busy_timeout_ms = (int)cfg->c.busy_timeout_ms;
    so.migrate = true;
    e = store_open(cfg->c.db, &so, &st, err, sizeof(err));
    if (e) {
        fprintf(stderr, "ocdn-controlplane: %s\n", err);
        return 1;
    }
    e = auth_key_create(st, scope, org_id, 0, label, clock_wall_s(), key, &id);
    store_close(st);
    if (e) {
        fprintf(stderr, "ocdn-controlplane: cannot create the key: %s%s\n", ocdn_err_str(e),
                e == OCDN_ECONFLICT ? " (no such org?)" : "");
        return 1;
    }
    printf("%s\n", key);
    memset(key, 0, sizeof(key));
    return 0;
}

/* Never run as root: drop to the configured user right after the configuration is read. */
static void
drop_root(const struct cp_config *c)
{
    enum ocdn_err e;

    if (getuid() != 0 && geteuid() != 0)
        return;
    if (!c->user || !*c->user)
        fatalx("refusing to run as root: set user in the configuration (e.g. user = ocdn); "
               "the database directory must be writable by that user");
    e = privdrop(c->user);
    if (e)
        fatalx("cannot drop privileges to user %s: %s", c->user, ocdn_err_str(e));
    log_info("running as user %s", c->user);
}

int
main(int argc, char **argv)
{
    struct cp cp;
    struct cp_config_ref *cfg = NULL;
    struct store_opts so = {0};
    struct store *st = NULL;
    struct http *http = NULL;
    const char *path = NULL;
    char err[512];
    bool debug = false, check = false;
    sigset_t sigs;
    enum ocdn_err e;
    int c, sig;

    while ((c = getopt(argc, argv, "+c:dnh")) != -1) {
        switch (c) {
        case 'c':
            path = optarg;
            break;
        case 'd':
            debug = true;
            break;
        case 'n':
            check = true;
            break;
        default:
            usage();
        }
    }
    log_init("ocdn-controlplane", debug);
    if (cp_config_load(path, &cfg, err, sizeof(err)) != OCDN_OK) {
        fprintf(stderr, "ocdn-controlplane: %s\n", err);
        return 1;
    }
    if (check) {
        cp_config_print(&cfg->c, stdout);
        cp_config_unref(cfg);
        return 0;
    }
    if (cfg->c.debug)
        log_set_debug(true);
    if (optind < argc) {
        if (strcmp(argv[optind], "key") != 0)
            usage();
        drop_root(&cfg->c);
        c = key_command(cfg, argc - optind, argv + optind);
        cp_config_unref(cfg);
        return c;
    }
    drop_root(&cfg->c);

    /* Signals go to the loop below only: block them before any thread starts. */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    cp_init(&cp, cfg, path);
    log_info("ocdn-controlplane %s starting config=%s db=%s", OCDN_VERSION,
             path ? path : "(embedded defaults)", cfg->c.db);
    so.busy_timeout_ms = (int)cfg->c.busy_timeout_ms;
    so.migrate = true;
    e = store_open(cfg->c.db, &so, &st, err, sizeof(err));
    if (e)
        fatalx("%s", err);
    log_info("store: %s schema=%d", cfg->c.db, store_schema_version(st));
    store_close(st);

    e = airports_load(cfg->c.airports, &cp.airports, err, sizeof(err));
    if (e)
        log_warnx("airports: %s: sites cannot be created until the IATA table is installed "
                  "(scripts/install-deps.sh)",
                  err);
    else
        log_info("airports: %zu IATA codes from %s", airports_count(cp.airports), cfg->c.airports);
    if (cfg->c.geoip && *cfg->c.geoip) {
        e = geoip_open_optional(cfg->c.geoip, &cp.geoip, err, sizeof(err));
        if (e)
            log_warnx("geoip: %s: client geography disabled", err);
        else if (cp.geoip)
            log_info("geoip: %s (%s)", cfg->c.geoip, geoip_db_type(cp.geoip));
    } else {
        log_warnx("geoip: no database configured: client geography disabled");
    }
    cp.auth = auth_new(cfg->c.auth_cache_ttl_ms, 100000);
    if (!cp.auth)
        fatalx("out of memory");

    if (cp_steer_start(&cp, err, sizeof(err)) != OCDN_OK)
        fatalx("steer: %s", err);
    if (sweeper_start(&cp) != OCDN_OK)
        fatalx("sweeper: cannot start");
    e = http_start(&cp, &http, err, sizeof(err));
    if (e)
        fatalx("http: %s", err);
    log_info("ready listen=%s port=%u", cfg->c.listen, http_port(http));

    for (;;) {
        if (sigwait(&sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            reload(&cp);
            continue;
        }
        log_info("signal %d: stopping", sig);
        break;
    }
    http_stop(http);
    sweeper_stop(&cp);
    cp_clear(&cp);
    log_info("stopped");
    return 0;
}
