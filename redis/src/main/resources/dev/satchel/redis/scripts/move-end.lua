-- A cluster replace's last step. KEYS: the replaced session, its marker. ARGV: it must be absent,
-- its expected blob, the lock, the final marker, the marker's expiry. Sent again, it finds its own
-- final marker and succeeds again.
-- Runs after helpers.lua.
local marker = redis.call('GET', KEYS[2])
if marker == ARGV[4] and redis.call('EXISTS', KEYS[1]) == 0 then return 1 end
if marker ~= ARGV[3] then return 0 end
if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('DEL', KEYS[1])
put(KEYS[2], ARGV[4], ARGV[5])
return 1
