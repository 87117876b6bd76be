-- KEYS: the session, its marker, and, but on a cluster, the ledger of expiring sessions. ARGV:
-- must be absent, the expected blob, the new blob, the expiry, the session ID, the time now by the
-- driver's clock (epoch milliseconds). A session written with an expiry is in the ledger no later
-- than that expiry (ZADD LT: added when absent, moved when due later, left when due sooner).
-- Without the ledger among KEYS the script answers, instead of 1, 2 when the session had no expiry
-- before (absent, or stored without one), to say that it should be added, and 3 when its expiry
-- was brought forward, to say that its member should be moved (ZADD XX LT).
-- Runs after helpers.lua.
if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if not expires(ARGV[4]) then
  put(KEYS[1], ARGV[3], ARGV[4])
  return 1
end
if KEYS[3] then
  put(KEYS[1], ARGV[3], ARGV[4])
  redis.call('ZADD', KEYS[3], 'LT', ARGV[4], ARGV[5])
  return 1
end
local ttl = -2
if ARGV[1] ~= '1' then ttl = redis.call('PTTL', KEYS[1]) end
put(KEYS[1], ARGV[3], ARGV[4])
if ttl < 0 then return 2 end
if tonumber(ARGV[4]) < tonumber(ARGV[6]) + ttl then return 3 end
return 1
