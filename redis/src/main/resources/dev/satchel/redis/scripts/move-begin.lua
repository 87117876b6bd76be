-- A cluster replace's first step. KEYS: the replaced session, its marker. ARGV: it must be absent,
-- its expected blob, the lock, the lock's lifetime in milliseconds. Sent again (Lettuce resends
-- what a dropped connection left unanswered), it finds its own lock and succeeds again.
-- Runs after helpers.lua.
local marker = redis.call('GET', KEYS[2])
if marker and marker ~= ARGV[3] then return 0 end
if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
return 1
