-- Removes a session only if it still holds the value it was read with (see #deleteIfUnchanged).
-- KEYS: the session, and, but on a cluster, the ledger. ARGV: the value, "1" when what was read
-- was a key of another type (then any key of another type goes, never a string), the session ID.
-- The ledger loses the ID with its session. Answers 1 when removed.
local kind = redis.call('TYPE', KEYS[1]).ok
if ARGV[2] == '1' then
  if kind == 'none' or kind == 'string' then return 0 end
elseif kind ~= 'string' or redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
if KEYS[2] then redis.call('ZREM', KEYS[2], ARGV[3]) end
return 1
