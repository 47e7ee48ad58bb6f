/* steer_engine.c - keeps the current steering snapshot and rebuilds it in the background.
 * Owns one thread, the published snapshot pointer and the counters. steer_engine_kick() only
 * sets a flag; the thread coalesces kicks into at most one rebuild per min_interval_ms, calls
 * the loader (the store, in the control plane), builds, and swaps the pointer under a mutex
 * held for a few instructions. Readers take a reference and never wait for a rebuild; a
 * failed load or build keeps the old snapshot. */
#include "steer.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdatomic.h>

#include "log.h"

struct steer_engine {
    struct steer_engine_cfg cfg;
    struct steer_builder *builder; /* reused by every rebuild (under build_mu) */
    pthread_mutex_t pub_mu;        /* guards cur only: readers hold it for a pointer copy + ref */
    struct steer_snap *cur;
    atomic_uint_fast64_t published; /* bumped after each publication (steer_engine_published) */
    pthread_mutex_t build_mu;       /* one load+build at a time (thread or build_now) */
    pthread_mutex_t mu;             /* guards what follows */
    pthread_cond_t cond;            /* kicks, stop, finished attempts */
    bool is_kicked, is_stopping, is_running;
    bool has_last;
    struct timespec last_start; /* CLOCK_MONOTONIC start of the last attempt */
    uint64_t next_gen;
    struct steer_engine_stats stats;
    pthread_t thread;
};

static double
ms_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

static void
add_ms(struct timespec *t, unsigned ms)
{
    t->tv_sec += ms / 1000;
    t->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

struct steer_engine *
steer_engine_new(const struct steer_engine_cfg *cfg)
{
    static atomic_uint_fast64_t engines;
    struct steer_engine *e = calloc(1, sizeof(*e));
    pthread_condattr_t ca;

    if (!e)
        return NULL;
    e->cfg = *cfg;
    /* Each engine counts publications in its own range, so (engine, counter) never repeats
     * even when a new engine reuses a freed one's address. */
    atomic_init(&e->published, (atomic_fetch_add(&engines, 1) + 1) << 32);
    e->builder = steer_builder_new();
    if (!e->builder || pthread_condattr_init(&ca) != 0) {
        steer_builder_free(e->builder);
        free(e);
        return NULL;
    }
    /* Timed waits run on the monotonic clock: a wall-clock step must not stall rebuilds. */
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&e->cond, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        steer_builder_free(e->builder);
        free(e);
        return NULL;
    }
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&e->pub_mu, NULL);
    pthread_mutex_init(&e->build_mu, NULL);
    pthread_mutex_init(&e->mu, NULL);
    return e;
}

/* Load, build, publish; serialised by build_mu. Updates the counters and wakes waiters. */
static enum ocdn_err
rebuild(struct steer_engine *e, char *err, size_t errlen, uint64_t *out_gen)
{
    struct steer_input in;
    struct steer_snap *prev, *snap = NULL;
    struct timespec t0, t1;
    uint64_t gen;
    enum ocdn_err rc;

    pthread_mutex_lock(&e->build_mu);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_mutex_lock(&e->mu);
    e->last_start = t0;
    e->has_last = true;
    gen = ++e->next_gen;
    pthread_mutex_unlock(&e->mu);
    *out_gen = gen;

    if (errlen)
        err[0] = '\0';
    steer_input_init(&in);
    rc = e->cfg.load ? e->cfg.load(e->cfg.ctx, &in) : OCDN_EINVAL;
    if (rc) {
        if (errlen && !err[0])
            snprintf(err, errlen, "load: %s", ocdn_err_str(rc));
    } else {
        prev = steer_engine_get(e);
        rc = steer_snap_build_with(e->builder, &in, prev, gen, &snap, err, errlen);
        steer_snap_unref(prev);
    }
    if (e->cfg.free_input)
        e->cfg.free_input(e->cfg.ctx, &in);
    else
        steer_input_clear(&in);
    if (!rc) {
        pthread_mutex_lock(&e->pub_mu);
        prev = e->cur;
        e->cur = snap;
        pthread_mutex_unlock(&e->pub_mu);
        atomic_fetch_add_explicit(&e->published, 1, memory_order_release);
        steer_snap_unref(prev); /* readers that still hold it keep it alive */
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    pthread_mutex_lock(&e->mu);
    e->stats.attempts++;
    e->stats.last_err = rc;
    e->stats.last_build_ms = ms_between(&t0, &t1);
    if (rc) {
        e->stats.failures++;
    } else {
        e->stats.builds++;
        e->stats.generation = gen;
        steer_snap_stats(snap, &e->stats.snap);
    }
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mu);
    pthread_mutex_unlock(&e->build_mu);
    return rc;
}

static void *
run(void *arg)
{
    struct steer_engine *e = arg;
    char err[256];
    uint64_t gen;
    enum ocdn_err rc;

    pthread_mutex_lock(&e->mu);
    while (!e->is_stopping) {
        struct timespec now, due;

        if (!e->is_kicked) {
            pthread_cond_wait(&e->cond, &e->mu);
            continue;
        }
        /* Coalesce: every kick that arrives before the interval is over joins this build. */
        clock_gettime(CLOCK_MONOTONIC, &now);
        due = e->last_start;
        add_ms(&due, e->cfg.min_interval_ms);
        if (e->has_last && ms_between(&now, &due) > 0) {
            pthread_cond_timedwait(&e->cond, &e->mu, &due);
            continue;
        }
        e->is_kicked = false;
        pthread_mutex_unlock(&e->mu);
        rc = rebuild(e, err, sizeof(err), &gen);
        if (rc)
            log_warnx("steer: rebuild failed, keeping the current snapshot err=%s reason=%s",
                      ocdn_err_str(rc), err[0] ? err : "-");
        else
            log_debug("steer: snapshot published generation=%llu", (unsigned long long)gen);
        pthread_mutex_lock(&e->mu);
    }
    pthread_mutex_unlock(&e->mu);
    return NULL;
}

enum ocdn_err
steer_engine_start(struct steer_engine *e)
{
    int rc;

    pthread_mutex_lock(&e->mu);
    if (e->is_running) {
        pthread_mutex_unlock(&e->mu);
        return OCDN_OK;
    }
    e->is_stopping = false;
    rc = pthread_create(&e->thread, NULL, run, e);
    if (rc == 0)
        e->is_running = true;
    pthread_mutex_unlock(&e->mu);
    if (rc != 0) {
        errno = rc;
        return OCDN_EIO;
    }
    return OCDN_OK;
}

void
steer_engine_stop(struct steer_engine *e)
{
    pthread_mutex_lock(&e->mu);
    if (!e->is_running) {
        pthread_mutex_unlock(&e->mu);
        return;
    }
    e->is_stopping = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mu);
    pthread_join(e->thread, NULL);
    pthread_mutex_lock(&e->mu);
    e->is_running = false;
    pthread_mutex_unlock(&e->mu);
}

void
steer_engine_free(struct steer_engine *e)
{
    if (!e)
        return;
    steer_engine_stop(e);
    steer_snap_unref(e->cur);
    pthread_cond_destroy(&e->cond);
    pthread_mutex_destroy(&e->pub_mu);
    pthread_mutex_destroy(&e->build_mu);
    pthread_mutex_destroy(&e->mu);
    steer_builder_free(e->builder);
    free(e);
}

void
steer_engine_kick(struct steer_engine *e)
{
    pthread_mutex_lock(&e->mu);
    e->is_kicked = true;
    pthread_cond_broadcast(&e->cond);
    pthread_mutex_unlock(&e->mu);
}

enum ocdn_err
steer_engine_build_now(struct steer_engine *e, char *err, size_t errlen)
{
    uint64_t gen;

    return rebuild(e, err, errlen, &gen);
}

uint64_t
steer_engine_published(struct steer_engine *e)
{
    return atomic_load_explicit(&e->published, memory_order_acquire);
}

struct steer_snap *
steer_engine_get(struct steer_engine *e)
{
    struct steer_snap *s;

    pthread_mutex_lock(&e->pub_mu);
    s = e->cur ? steer_snap_ref(e->cur) : NULL;
    pthread_mutex_unlock(&e->pub_mu);
    return s;
}

void
steer_engine_stats(struct steer_engine *e, struct steer_engine_stats *out)
{
    pthread_mutex_lock(&e->mu);
    *out = e->stats;
    out->is_pending = e->is_kicked;
    pthread_mutex_unlock(&e->mu);
}

bool
steer_engine_wait(struct steer_engine *e, uint64_t attempts, unsigned timeout_ms)
{
    struct timespec due;
    bool reached;

    clock_gettime(CLOCK_MONOTONIC, &due);
    add_ms(&due, timeout_ms);
    pthread_mutex_lock(&e->mu);
    while (e->stats.attempts < attempts) {
        if (pthread_cond_timedwait(&e->cond, &e->mu, &due) == ETIMEDOUT)
            break;
    }
    reached = e->stats.attempts >= attempts;
    pthread_mutex_unlock(&e->mu);
    return reached;
}
