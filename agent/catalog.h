#ifndef AGENT_CATALOG_H
#define AGENT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "lineset.h"

/* The catalog: which files this OCA holds, as the control plane knows them (file ids,
 * docs/agent-report.md). A snapshot is a lineset of ids (line = key) built by scanning
 * data_dir; the reporter sends it whole or as the delta between two snapshots
 * (lineset_diff()). */

#define CATALOG_ID_MAX 128 /* bytes of a file id */

/* True when name is a file id: [A-Za-z0-9][A-Za-z0-9._-]{0,127}, and not a temporary name of
 * the filler (ending in ".tmp", ".part" or starting with "."). */
bool catalog_valid_id(const char *name);

/* What a scan saw besides the ids. */
struct catalog_scan_stats {
    size_t skipped; /* names that are not file ids or not regular files */
    size_t temp;    /* temporary files (*.tmp, *.part) */
};

/* Scan the directory dir (not recursive) into a new snapshot of the regular files whose names
 * are valid ids (caller unrefs). Symbolic links are not followed (skipped). OCDN_EIO when dir
 * cannot be opened or read, or changed so that a name was listed twice (err says why); OCDN_ETOOBIG
 * for more than max_files ids; OCDN_ENOMEM. stats may be NULL. */
enum ocdn_err catalog_scan(const char *dir, size_t max_files, struct lineset **out,
                           struct catalog_scan_stats *stats, char *err, size_t errlen);

#endif
