-- Adds an entry to a principal's hash and prunes that principal's entries whose session is gone,
-- in one round trip (one server or Sentinels only). KEYS: the principal's hash. ARGV: the session
-- ID, its time of indexing, the key prefix, the time before which an entry is old enough to prune
-- (epoch milliseconds), and PRUNE_LIMIT. Checks the whole hash when it has no more than the limit,
-- otherwise that many entries picked at random; never the entry added. A time of indexing that is
-- not a number counts as the epoch, as a listing reads it. The session keys are not among KEYS, as
-- in indexed.lua. Answers how many entries it removed.
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
local entries = redis.call('HRANDFIELD', KEYS[1], ARGV[5], 'WITHVALUES')
local before = tonumber(ARGV[4])
local dead = {}
for i = 1, #entries, 2 do
  local id = entries[i]
  if id ~= ARGV[1] and (tonumber(entries[i + 1]) or 0) < before
      and redis.call('EXISTS', ARGV[3] .. id) == 0 then
    dead[#dead + 1] = id
  end
end
if #dead > 0 then redis.call('HDEL', KEYS[1], unpack(dead)) end
return #dead
