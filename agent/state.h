#ifndef AGENT_STATE_H
#define AGENT_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "lineset.h"

/* The reporter's persistent state in state_dir (docs/agent-report.md, DESIGN.md 4):
 *
 *   seq         next_seq, acked_seq and base_seq: a few lines, rewritten before every report
 *               is sent (so a seq is never used twice, even across a crash) and after an ack
 *   base        the route set and catalog the control plane holds at acked_seq: what the
 *               next delta is computed against; rewritten only when an ack changed them
 *   config.json the last GET /v1/agent/config body (signing keys: mode 0600), so that a
 *               restart with the control plane unreachable keeps verifying tokens
 *
 * Every file is replaced atomically (fileio.h). The base file names the seq it was written
 * for and the seq file names the base it goes with: after a crash between the two writes they
 * disagree and the base is dropped (the next report is full), never trusted. A missing state
 * is a fresh start; a corrupt or truncated one is reported in notes and treated as fresh. */

#define STATE_SEQ_MAX    (INT64_MAX / 2) /* the control plane's bound on seq */
#define STATE_CONFIG_MAX (1024 * 1024)   /* bytes of config.json */

struct state {
    int64_t next_seq;  /* seq of the next report, >= 1 */
    int64_t acked_seq; /* last seq acknowledged by the control plane; 0 = none */
    int64_t base_seq;  /* seq the base file was written for; 0 = no base file */
    /* The sets at acked_seq; NULL = not known (the next report sends that part full). */
    struct lineset *routes;
    struct lineset *catalog;
};

struct state_limits {
    size_t max_routes;
    size_t max_files;
};

/* Zero st. */
void state_init(struct state *st);
/* Drop the sets' references and zero st. */
void state_clear(struct state *st);

/* A fresh state: next_seq from the wall clock in milliseconds (at least 1), no ack, no base.
 * The clock seed means an agent whose state was lost still sends seqs above the ones it used
 * before (at fewer than 1000 reports a second), which the control plane would otherwise
 * acknowledge as duplicates without applying them. */
void state_fresh(struct state *st, int64_t now_ms);

/* Load the state of dir into out (cleared first: pass an initialised or cleared struct).
 * A missing seq file gives a fresh state; a corrupt seq file a fresh state and a note; a
 * missing, corrupt or mismatched base file no sets (and a note unless there was no base to
 * expect). notes gets "" or what was discarded and why. OCDN_EIO when a file exists but
 * cannot be read (permissions: err says why), OCDN_ENOMEM; out is then cleared. */
enum ocdn_err state_load(const char *dir, const struct state_limits *lim, int64_t now_ms,
                         struct state *out, char *notes, size_t noteslen, char *err, size_t errlen);

/* Write the seq file from st (next_seq, acked_seq, base_seq). OCDN_EIO (err says why). */
enum ocdn_err state_save_seq(const char *dir, const struct state *st, char *err, size_t errlen);

/* Write the base file for seq with routes and catalog (either may be NULL: not known).
 * Then set st->base_seq = seq yourself and state_save_seq(). OCDN_EIO. */
enum ocdn_err state_save_base(const char *dir, int64_t seq, const struct lineset *routes,
                              const struct lineset *catalog, char *err, size_t errlen);

/* Write config.json (mode 0600: it holds signing keys). OCDN_EIO; OCDN_ETOOBIG over
 * STATE_CONFIG_MAX. */
enum ocdn_err state_save_config(const char *dir, const char *body, size_t len, char *err,
                                size_t errlen);
/* Read config.json into a new NUL-terminated buffer (caller frees). OCDN_ENOTFOUND when there
 * is none; OCDN_EIO, OCDN_ETOOBIG (err says why), OCDN_ENOMEM. */
enum ocdn_err state_load_config(const char *dir, char **body, size_t *len, char *err,
                                size_t errlen);

/* ---- pure parts, for tests ---- */

/* Text of the seq file into buf; returns its length or -1 if it does not fit. */
int state_format_seq(const struct state *st, char *buf, size_t len);
/* Parse a seq file's text: OCDN_EINVAL with a reason in err. Sets only the three numbers. */
enum ocdn_err state_parse_seq(const char *text, size_t len, struct state *out, char *err,
                              size_t errlen);
/* Write a base file's text to f. OCDN_EIO on a write error. */
enum ocdn_err state_format_base(FILE *f, int64_t seq, const struct lineset *routes,
                                const struct lineset *catalog);
/* Parse a base file's text. *seq and the sets (caller unrefs; NULL when
 * the file says "not known") on success; OCDN_EINVAL with a reason in err (bad header,
 * count, route line or id, duplicate entries, truncation, checksum mismatch),
 * OCDN_ETOOBIG over a limit, OCDN_ENOMEM. */
enum ocdn_err state_parse_base(const char *text, size_t len, const struct state_limits *lim,
                               int64_t *seq, struct lineset **routes, struct lineset **catalog,
                               char *err, size_t errlen);

#endif
