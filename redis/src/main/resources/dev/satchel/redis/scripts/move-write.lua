-- A cluster replace's second step. KEYS: the new session, its marker. ARGV: the new blob, its
-- expiry. The ID is fresh, so finding this very blob there means this step was already done.
-- Runs after helpers.lua.
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
put(KEYS[1], ARGV[1], ARGV[2])
return 1
