-- 002_portal.sql: what the partner portal and report ingest need beyond the foundation: BGP
-- sessions, health/traffic summaries, maintenance windows, notifications, the audit log, and
-- the manifest and fill-policy tables later issues fill in.

CREATE TABLE bgp_sessions (
    oca_id     INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,           -- BIRD protocol name ('isp4')
    neighbor   TEXT NOT NULL DEFAULT '',
    peer_asn   INTEGER NOT NULL DEFAULT 0,
    family     TEXT NOT NULL DEFAULT '' CHECK (family IN ('', 'ipv4', 'ipv6')),
    state      TEXT NOT NULL DEFAULT '',  -- 'established', 'idle', 'active', ...
    since      INTEGER,                   -- in this state since
    prefixes   INTEGER NOT NULL DEFAULT 0,
    -- How routes of this session reach the OCA, for steering offsets; 'auto' = from the site
    -- type (ISP site: embedded, IX site: peering). Set by the admin.
    kind       TEXT NOT NULL DEFAULT 'auto'
               CHECK (kind IN ('auto', 'embedded', 'pni', 'peering', 'transit')),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (oca_id, name)
) WITHOUT ROWID;

ALTER TABLE ocas ADD COLUMN health TEXT NOT NULL DEFAULT '{}';   -- last report's health (JSON)
ALTER TABLE ocas ADD COLUMN traffic TEXT NOT NULL DEFAULT '{}';  -- last report's traffic (JSON)
ALTER TABLE ocas ADD COLUMN catalog_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ocas ADD COLUMN status_since INTEGER;
ALTER TABLE ocas ADD COLUMN prefix_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ocas ADD COLUMN prefix_peak INTEGER NOT NULL DEFAULT 0;  -- for the 50 % drop rule
ALTER TABLE ocas ADD COLUMN degraded INTEGER NOT NULL DEFAULT 0;     -- last report's health verdict
ALTER TABLE ocas ADD COLUMN bgp_sessions INTEGER NOT NULL DEFAULT 0;     -- from the last report
ALTER TABLE ocas ADD COLUMN bgp_established INTEGER NOT NULL DEFAULT 0;
-- Bumped whenever the OCA's routes (or how they count: session kinds) / catalog change, so the
-- steering snapshot can tell whether its route tables / catalog are still current.
ALTER TABLE ocas ADD COLUMN routes_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE ocas ADD COLUMN catalog_rev INTEGER NOT NULL DEFAULT 0;

CREATE TABLE maintenance (
    id           INTEGER PRIMARY KEY,
    org_id       INTEGER NOT NULL REFERENCES orgs(id),
    oca_id       INTEGER REFERENCES ocas(id) ON DELETE CASCADE,
    site_id      INTEGER REFERENCES sites(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('drain', 'maintenance')),
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    created_by   INTEGER,  -- api_keys.id
    cancelled_at INTEGER,
    CHECK ((oca_id IS NULL) <> (site_id IS NULL)),
    CHECK (ends_at > starts_at)
);
CREATE INDEX maintenance_org ON maintenance(org_id, id);
CREATE INDEX maintenance_oca ON maintenance(oca_id);
CREATE INDEX maintenance_site ON maintenance(site_id);

CREATE TABLE notifications (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES orgs(id),
    oca_id      INTEGER REFERENCES ocas(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,  -- 'offline', 'bgp_down', 'prefix_drop', 'disk_errors', ...
    severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state       TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'closed')),
    message     TEXT NOT NULL,
    opened_at   INTEGER NOT NULL,
    acked_at    INTEGER,
    acked_by    INTEGER,  -- api_keys.id
    closed_at   INTEGER,
    clear_since INTEGER   -- the condition has been gone since; closed after a hold time
);
CREATE INDEX notifications_org ON notifications(org_id, id);
-- At most one unclosed notification per OCA and kind: a condition that persists or comes back
-- before its notification closed does not open another one.
CREATE UNIQUE INDEX notifications_live ON notifications(oca_id, kind) WHERE state <> 'closed';

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    org_id      INTEGER,   -- org whose object changed; NULL for global objects
    key_id      INTEGER,   -- api_keys.id of the caller
    scope       TEXT NOT NULL,
    action      TEXT NOT NULL,  -- 'site.fill_window', 'maintenance.create', ...
    object_type TEXT NOT NULL,
    object_id   TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''  -- JSON: what changed
);
CREATE INDEX audit_org ON audit_log(org_id, id);

-- Filled in by the fill issue; rows exist so sites can reference a policy.
CREATE TABLE fill_policies (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    tiers      TEXT NOT NULL DEFAULT '[]',  -- JSON: [{"sources": ..., "wait_s": ...}]
    masters    INTEGER NOT NULL DEFAULT 1 CHECK (masters BETWEEN 0 AND 8),
    created_at INTEGER NOT NULL
);
ALTER TABLE sites ADD COLUMN fill_policy_id INTEGER REFERENCES fill_policies(id);

-- What each OCA should hold (written by the manifest builder of the fill issue); the catalog
-- check compares the catalog with it after each fill window.
CREATE TABLE manifests (
    oca_id       INTEGER PRIMARY KEY REFERENCES ocas(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    generated_at INTEGER NOT NULL,
    body_hash    TEXT NOT NULL
);
CREATE TABLE manifest_files (
    oca_id   INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    file_id  TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (oca_id, file_id)
) WITHOUT ROWID;
