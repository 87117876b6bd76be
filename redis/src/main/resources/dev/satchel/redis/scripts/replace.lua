-- KEYS: the replaced session, its marker, the new session, its marker, and, but on a cluster, the
-- ledger. ARGV: the replaced one must be absent, its expected blob, the new blob, its expiry, the
-- marker, the marker's expiry, the replaced ID, the new ID. The ledger loses the replaced ID when
-- it was stored (absent, it may have expired, and stays to be claimed) and gains the new one when
-- it expires; without the ledger among KEYS the caller sees to it.
-- Runs after helpers.lua.
if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return 0 end
put(KEYS[3], ARGV[3], ARGV[4])
local live = redis.call('DEL', KEYS[1])
put(KEYS[2], ARGV[5], ARGV[6])
if KEYS[5] then
  if live == 1 then redis.call('ZREM', KEYS[5], ARGV[7]) end
  if expires(ARGV[4]) then redis.call('ZADD', KEYS[5], ARGV[4], ARGV[8]) end
end
return 1
