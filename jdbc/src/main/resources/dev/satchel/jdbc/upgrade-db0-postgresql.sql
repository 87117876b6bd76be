-- Adds Satchel's columns to a table that unstorage's db0 driver created (an Astro app started
-- first), so that both apps share it. Replace unstorage with the table's name if it has another.
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "version" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "expires_at" BIGINT;
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "retired" VARCHAR(64);
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "lapsed_at" BIGINT;
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "claimed_until" BIGINT;
ALTER TABLE unstorage ADD COLUMN IF NOT EXISTS "written_at" TIMESTAMP;
-- Room on each page for in-place updates (applies to pages written from now on).
ALTER TABLE unstorage SET (fillfactor = 80);
