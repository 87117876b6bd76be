-- Satchel's session table for PostgreSQL 13 or newer. The driver runs this at start-up unless
-- create-table=false; to run it from your migrations instead (Flyway, Liquibase), copy it and
-- replace satchel_sessions everywhere with your table's name, if you set another.
--
-- The first five columns are the layout of unstorage's db0 driver, so that an Astro app using it
-- reads and writes the same sessions: key is the session ID, value the session's devalue text.
-- The others are Satchel's: a version for compare-and-set, the expiry in epoch milliseconds, the
-- marker of a retired ID (a log-in or log-out), the bookkeeping of expired sessions reported to
-- listeners, and written_at, the updated_at of Satchel's last write: a row whose updated_at has
-- moved since was written by another program (db0 keeps no expiry), and does not expire until
-- Satchel reads or writes it. A row with retired set is a marker, whatever its value.
-- The free fifth of each page lets most commits, which change no indexed column, rewrite a row
-- in place (a HOT update) without touching the indexes.
CREATE TABLE IF NOT EXISTS satchel_sessions (
  "key" VARCHAR(255) NOT NULL PRIMARY KEY,
  "value" TEXT,
  "blob" BYTEA,
  "created_at" TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
  "version" BIGINT NOT NULL DEFAULT 0,
  "expires_at" BIGINT,
  "retired" VARCHAR(64),
  "lapsed_at" BIGINT,
  "claimed_until" BIGINT,
  "written_at" TIMESTAMP
) WITH (fillfactor = 80);
CREATE INDEX IF NOT EXISTS satchel_sessions_expires_at
  ON satchel_sessions ("expires_at") WHERE "expires_at" IS NOT NULL;
CREATE INDEX IF NOT EXISTS satchel_sessions_lapsed_at
  ON satchel_sessions ("lapsed_at") WHERE "lapsed_at" IS NOT NULL;
-- Sessions by user: principal_hash is the SHA-256 of the principal's name, in hex.
CREATE TABLE IF NOT EXISTS satchel_sessions_principals (
  "principal_hash" CHAR(64) NOT NULL,
  "session_key" VARCHAR(255) NOT NULL,
  "principal" TEXT NOT NULL,
  "indexed_at" BIGINT NOT NULL,
  PRIMARY KEY ("principal_hash", "session_key")
);
CREATE INDEX IF NOT EXISTS satchel_sessions_principals_session_key
  ON satchel_sessions_principals ("session_key");
