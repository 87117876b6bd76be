-- Undoes a step of a cluster replace. KEYS: a key. ARGV: the value it must still hold.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
