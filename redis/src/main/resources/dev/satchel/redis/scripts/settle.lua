-- A cluster claim's last step, on the ledger's slot: applies what the look at the sessions found
-- to each member still scored as it was when it was found due, and leaves any other (a write, a
-- retire or another instance's claim changed it meanwhile) for a later claim. KEYS: the ledger.
-- ARGV: four per member: what to do (m move it, r remove it, c claim it), the member, the score it
-- was found with, and its new score (m: the session's expiry; c: the end of the lease). Answers
-- the claimed members: of instances claiming at once, one finds the score it saw.
local claimed = {}
for i = 1, #ARGV, 4 do
  local member = ARGV[i + 1]
  local score = redis.call('ZSCORE', KEYS[1], member)
  if score and tonumber(score) == tonumber(ARGV[i + 2]) then
    if ARGV[i] == 'r' then
      redis.call('ZREM', KEYS[1], member)
    else
      redis.call('ZADD', KEYS[1], ARGV[i + 3], member)
      if ARGV[i] == 'c' then claimed[#claimed + 1] = member end
    end
  end
end
return claimed
