#ifndef CP_CP_STEER_H
#define CP_CP_STEER_H

#include <stddef.h>

#include "err.h"

struct cp;
struct cp_config;
struct steer_policy;

/* The control plane's steering engine: built from the database by its own loader, first
 * snapshot built synchronously, then rebuilt in the background when kicked. */

/* Create cp->steer, build the first snapshot (a failure is logged, not fatal: steering answers
 * 503 until a rebuild succeeds) and start the rebuild thread. */
enum ocdn_err cp_steer_start(struct cp *cp, char *err, size_t errlen);
/* Stop the thread, close the loader's store and free the engine. */
void cp_steer_stop(struct cp *cp);
/* The current steering snapshot for the calling thread, borrowed (do not unref), valid until
 * this thread's next call; NULL before the first successful build. The thread keeps its own
 * reference and renews it only when the engine has published a new snapshot, so the common
 * case is one atomic load: a steering request takes no lock. */
struct steer_snap *cp_steer_snapshot(struct cp *cp);
/* The steering policy the configuration asks for. */
void cp_steer_policy(const struct cp_config *c, struct steer_policy *p);

#endif
