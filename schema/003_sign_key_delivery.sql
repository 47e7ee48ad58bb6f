-- 003_sign_key_delivery.sql: when each URL signing key reached its OCA. An agent learns a new
-- key only when it fetches its configuration (GET /v1/agent/config, after the report whose
-- reply shows a new config_version), so steering signs with a key only once it has been
-- delivered; until then it keeps signing with the previous one, which stays valid for the
-- rotation overlap. Keys that exist already have been handed out: they count as delivered.
ALTER TABLE oca_sign_keys ADD COLUMN delivered_at INTEGER;
UPDATE oca_sign_keys SET delivered_at = created_at;
