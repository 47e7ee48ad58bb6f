#ifndef CP_SCHEMA_H
#define CP_SCHEMA_H

/* The migrations in schema/NNN_*.sql, embedded by scripts/embed-schema.sh in order:
 * schema_steps[i].version == i + 1. */
struct schema_step {
    int version;
    const char *name; /* "001_foundation.sql" */
    const char *sql;
};

extern const struct schema_step schema_steps[];
extern const unsigned schema_nsteps;

#endif
