#ifndef CP_SWEEPER_H
#define CP_SWEEPER_H

#include <stdint.h>

#include "err.h"

struct cp;
struct store;

/* The status sweeper: every sweep_interval it recomputes the status of every OCA (offline
 * after offline_intervals missed reports, maintenance windows starting and ending), raises
 * and clears notifications (offline, catalog below 95 % of its manifest after the fill
 * window) and closes those whose condition has been gone for the hold time (two report
 * intervals), so that a flapping OCA does not open and close notifications each time. */

struct sweep_result {
    int64_t ocas; /* OCAs looked at */
    int64_t status_changes;
    int64_t opened; /* notifications opened */
    int64_t closed; /* notifications closed */
};

/* One sweep at time now with store st (the caller's connection). */
enum ocdn_err sweeper_run(struct cp *cp, struct store *st, int64_t now, struct sweep_result *out);
/* Start / stop the background thread (it opens its own store). */
enum ocdn_err sweeper_start(struct cp *cp);
void sweeper_stop(struct cp *cp);
/* Ask for a sweep now (after a maintenance window was created or cancelled). */
void sweeper_kick(struct cp *cp);

#endif
