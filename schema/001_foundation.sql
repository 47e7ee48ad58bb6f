-- 001_foundation.sql: organisations, API keys, sites, OCAs and their signing keys, learned
-- routes, titles and files, catalogs, and the report log. Times are Unix seconds (UTC).
-- Never edit this file once released: add a new NNN_*.sql instead.

CREATE TABLE orgs (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,  -- slug used in site names: 'bouyguestelecom'
    display_name TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('isp', 'ix', 'operator')),
    created_at   INTEGER NOT NULL
);

CREATE TABLE org_asns (
    org_id INTEGER NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
    asn    INTEGER NOT NULL CHECK (asn BETWEEN 1 AND 4294967295),
    PRIMARY KEY (org_id, asn)
) WITHOUT ROWID;

CREATE TABLE sites (
    id               INTEGER PRIMARY KEY,
    org_id           INTEGER NOT NULL REFERENCES orgs(id),
    name             TEXT NOT NULL UNIQUE,  -- 'TLS001.bouyguestelecom.ISP', 'SEA001.IX'
    iata             TEXT NOT NULL CHECK (length(iata) = 3),
    number           INTEGER NOT NULL CHECK (number >= 1),
    type             TEXT NOT NULL CHECK (type IN ('isp', 'ix')),
    lat              REAL NOT NULL,
    lon              REAL NOT NULL,
    tz               TEXT NOT NULL,
    fill_offset_min  INTEGER NOT NULL DEFAULT 0 CHECK (fill_offset_min BETWEEN -120 AND 120),
    manifest_cluster TEXT,
    created_at       INTEGER NOT NULL,
    UNIQUE (iata, number)
);
CREATE INDEX sites_org ON sites(org_id);

CREATE TABLE ocas (
    id             INTEGER PRIMARY KEY,
    site_id        INTEGER NOT NULL REFERENCES sites(id),
    number         INTEGER NOT NULL CHECK (number >= 1),
    hostname       TEXT NOT NULL UNIQUE,  -- 'c009-tls001-bouyguestelecom-isp.1.oca.example.net'
    model          TEXT NOT NULL CHECK (model IN ('storage', 'flash', 'global')),
    capacity_bytes INTEGER NOT NULL CHECK (capacity_bytes >= 0),
    nic_bps        INTEGER NOT NULL CHECK (nic_bps > 0),
    ipv4           TEXT,
    ipv6           TEXT,
    http_port      INTEGER NOT NULL DEFAULT 80 CHECK (http_port BETWEEN 1 AND 65535),
    https_port     INTEGER NOT NULL DEFAULT 443 CHECK (https_port BETWEEN 1 AND 65535),
    state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'decommissioned')),
    status         TEXT NOT NULL DEFAULT 'unreported',  -- last computed status (model.h)
    last_report_at INTEGER,
    last_seq       INTEGER NOT NULL DEFAULT 0,  -- seq of the last applied report
    routes_seq     INTEGER NOT NULL DEFAULT 0,  -- seq the stored route set corresponds to
    load_bps       INTEGER NOT NULL DEFAULT 0,  -- from the last report's traffic
    created_at     INTEGER NOT NULL,
    UNIQUE (site_id, number)
);
CREATE INDEX ocas_site ON ocas(site_id);

-- URL signing keys: the newest row without not_after signs; rotated keys keep verifying until
-- not_after so that URLs handed out before the rotation stay valid.
CREATE TABLE oca_sign_keys (
    id         INTEGER PRIMARY KEY,
    oca_id     INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    secret     BLOB NOT NULL CHECK (length(secret) = 32),
    created_at INTEGER NOT NULL,
    not_after  INTEGER
);
CREATE INDEX oca_sign_keys_oca ON oca_sign_keys(oca_id);

-- Only the SHA-256 of a key is stored; the key itself is shown once when it is created.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    key_hash     TEXT NOT NULL UNIQUE,
    key_prefix   TEXT NOT NULL,  -- first characters, to recognise a key in lists
    scope        TEXT NOT NULL CHECK (scope IN ('admin', 'frontend', 'partner', 'appliance')),
    org_id       INTEGER REFERENCES orgs(id),
    oca_id       INTEGER REFERENCES ocas(id),
    label        TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    CHECK ((scope = 'partner') = (org_id IS NOT NULL)),
    CHECK ((scope = 'appliance') = (oca_id IS NOT NULL))
);

-- Learned routes, one row per (OCA, prefix, BGP protocol). prefix is 17 bytes: the family
-- (4 or 6) then the 16-byte address (IPv4 in the first 4), so that byte order is prefix
-- order and "contained in" is a range scan.
CREATE TABLE routes (
    oca_id      INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    prefix      BLOB NOT NULL CHECK (length(prefix) = 17),
    plen        INTEGER NOT NULL CHECK (plen BETWEEN 0 AND 128),
    proto       TEXT NOT NULL DEFAULT '',
    as_path     TEXT NOT NULL DEFAULT '',  -- space-separated ASNs, as learned
    as_path_len INTEGER NOT NULL DEFAULT 0,
    med         INTEGER,                   -- NULL: no MED attribute
    communities TEXT NOT NULL DEFAULT '',
    next_hop    TEXT NOT NULL DEFAULT '',
    flags       INTEGER NOT NULL DEFAULT 0, -- 1 = bogon, 2 = default route
    learned_at  INTEGER NOT NULL,
    PRIMARY KEY (oca_id, prefix, plen, proto)
) WITHOUT ROWID;

CREATE TABLE titles (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    title_id     TEXT NOT NULL REFERENCES titles(id),
    size         INTEGER NOT NULL CHECK (size >= 0),
    sha256       TEXT NOT NULL CHECK (length(sha256) = 64),
    profile      TEXT NOT NULL DEFAULT '',
    bitrate_kbps INTEGER NOT NULL DEFAULT 0,
    region       TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
);
CREATE INDEX files_title ON files(title_id);

-- Files held by each OCA, from its reports.
CREATE TABLE catalog (
    oca_id       INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    file_id      TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'complete',
    completed_at INTEGER NOT NULL,
    PRIMARY KEY (oca_id, file_id)
) WITHOUT ROWID;
CREATE INDEX catalog_file ON catalog(file_id);

-- One row per applied report (the raw body is not kept: it can be hundreds of MB).
CREATE TABLE reports (
    id           INTEGER PRIMARY KEY,
    oca_id       INTEGER NOT NULL REFERENCES ocas(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    received_at  INTEGER NOT NULL,
    body_bytes   INTEGER NOT NULL,
    routes_mode  TEXT NOT NULL,  -- 'full', 'delta', 'none'
    routes_added INTEGER NOT NULL,
    routes_removed INTEGER NOT NULL,
    UNIQUE (oca_id, seq)
);
