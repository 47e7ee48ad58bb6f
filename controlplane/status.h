#ifndef CP_STATUS_H
#define CP_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* The status of an OCA as partners see it, from its reports, schedule and admin state. */
struct status_in {
    bool decommissioned;
    int64_t last_report_at; /* 0 = never reported */
    int64_t now;
    int64_t offline_after_s; /* offline_intervals x report_interval */
    const char *maint_kind;  /* window in force: NULL, "drain" or "maintenance" */
    bool degraded;           /* the last report showed a health problem */
};

/* Decommissioned > maintenance > draining (a scheduled window wins over everything the
 * reports say) > unreported > offline > degraded > online. */
enum oca_status status_compute(const struct status_in *in);

#endif
