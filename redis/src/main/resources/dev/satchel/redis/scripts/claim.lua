-- Claims expired sessions from the ledger (one server or Sentinels only). KEYS: the ledger. ARGV:
-- the time now (epoch milliseconds), the most IDs to claim, the key prefix, the most ledger
-- members to look at, the end of the lease (epoch milliseconds). Takes the members due by now,
-- earliest first, and for each looks at its session: still stored with an expiry (a read pushed
-- it), the member moves to that expiry; stored without one, the member goes; gone, the session
-- expired (and may have been retired since), and is claimed: its member moves to the end of the
-- lease, due again then unless acknowledged. Answers the claimed IDs. The session keys are not
-- among KEYS, as in indexed.lua.
local now, max, budget = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4])
local claimed = {}
while #claimed < max and budget > 0 do
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1],
      'LIMIT', 0, math.min(max - #claimed, budget))
  if #due == 0 then break end
  budget = budget - #due
  for _, id in ipairs(due) do
    local ttl = redis.call('PTTL', ARGV[3] .. id)
    if ttl >= 0 then
      redis.call('ZADD', KEYS[1], string.format('%.0f', now + ttl), id)
    elseif ttl == -1 then
      redis.call('ZREM', KEYS[1], id)
    else
      redis.call('ZADD', KEYS[1], ARGV[5], id)
      claimed[#claimed + 1] = id
    end
  end
end
return claimed
