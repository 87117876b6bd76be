-- KEYS: the session, its marker, and, but on a cluster, the ledger. ARGV: the marker, its expiry,
-- the session ID. Answers whether the session was stored (1 or 0) and the marker replaced. The
-- ledger loses the session only when it was stored: one already gone expired, and stays to be
-- claimed as such.
-- Runs after helpers.lua.
local previous = redis.call('GET', KEYS[2])
local live = redis.call('DEL', KEYS[1])
put(KEYS[2], ARGV[1], ARGV[2])
if KEYS[3] and live == 1 then redis.call('ZREM', KEYS[3], ARGV[3]) end
return {live, previous}
