/* status.c - the status rule of an OCA. Kept apart from the sweeper and the report ingest so
 * that both decide the same way. */
#include "status.h"

#include <string.h>

enum oca_status
status_compute(const struct status_in *in)
{
    if (in->decommissioned)
        return OCA_STATUS_DECOMMISSIONED;
    if (in->maint_kind && strcmp(in->maint_kind, "maintenance") == 0)
        return OCA_STATUS_MAINTENANCE;
    if (in->maint_kind && strcmp(in->maint_kind, "drain") == 0)
        return OCA_STATUS_DRAINING;
    if (in->last_report_at <= 0)
        return OCA_STATUS_UNREPORTED;
    if (in->now - in->last_report_at > in->offline_after_s)
        return OCA_STATUS_OFFLINE;
    return in->degraded ? OCA_STATUS_DEGRADED : OCA_STATUS_ONLINE;
}
