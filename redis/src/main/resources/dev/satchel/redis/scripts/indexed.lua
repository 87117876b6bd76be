-- Lists a page of a principal's sessions (one server or Sentinels only). KEYS: the principal's
-- hash. ARGV: the key prefix, LIST_CHUNK, the cursor ("0" to start). A hash of no more than
-- LIST_CHUNK entries is read whole (HGETALL); a larger one a page at a time (HSCAN with COUNT
-- LIST_CHUNK: about that many entries, a few more when the last bucket holds several). Answers the
-- cursor to go on from ("0" when done) and five values per entry: the session ID, the time it was
-- indexed, what is stored under the ID (0 nothing, 1 a string, 2 a key of another type), the
-- string or nil, and the key's PTTL. The session keys are not among KEYS, since they are known
-- only once the hash is read: a cluster, whose slots a script may not cross, lists without this
-- script.
local cursor, entries = '0', nil
if ARGV[3] == '0' and redis.call('HLEN', KEYS[1]) <= tonumber(ARGV[2]) then
  entries = redis.call('HGETALL', KEYS[1])
else
  local page = redis.call('HSCAN', KEYS[1], ARGV[3], 'COUNT', ARGV[2])
  cursor, entries = page[1], page[2]
end
local found = {}
for i = 1, #entries, 2 do
  local key = ARGV[1] .. entries[i]
  local blob = redis.pcall('GET', key)
  local kind = 1
  if type(blob) == 'table' and blob.err then
    if string.sub(blob.err, 1, 9) ~= 'WRONGTYPE' then return blob end
    kind, blob = 2, false
  elseif not blob then
    kind = 0
  end
  found[#found + 1] = entries[i]
  found[#found + 1] = entries[i + 1]
  found[#found + 1] = kind
  found[#found + 1] = blob
  found[#found + 1] = redis.call('PTTL', key)
end
return {cursor, found}
