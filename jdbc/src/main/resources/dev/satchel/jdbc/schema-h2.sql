-- Satchel's session table for H2 2.x. The driver runs this at start-up unless create-table=false;
-- see schema-postgresql.sql for what each column holds.
CREATE TABLE IF NOT EXISTS satchel_sessions (
  "key" VARCHAR(255) NOT NULL PRIMARY KEY,
  "value" CHARACTER LARGE OBJECT,
  "blob" BINARY LARGE OBJECT,
  "created_at" TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  "version" BIGINT NOT NULL DEFAULT 0,
  "expires_at" BIGINT,
  "retired" VARCHAR(64),
  "lapsed_at" BIGINT,
  "claimed_until" BIGINT,
  "written_at" TIMESTAMP
);
CREATE INDEX IF NOT EXISTS satchel_sessions_expires_at ON satchel_sessions ("expires_at");
CREATE INDEX IF NOT EXISTS satchel_sessions_lapsed_at ON satchel_sessions ("lapsed_at");
CREATE TABLE IF NOT EXISTS satchel_sessions_principals (
  "principal_hash" CHAR(64) NOT NULL,
  "session_key" VARCHAR(255) NOT NULL,
  "principal" CHARACTER VARYING NOT NULL,
  "indexed_at" BIGINT NOT NULL,
  PRIMARY KEY ("principal_hash", "session_key")
);
CREATE INDEX IF NOT EXISTS satchel_sessions_principals_session_key
  ON satchel_sessions_principals ("session_key");
