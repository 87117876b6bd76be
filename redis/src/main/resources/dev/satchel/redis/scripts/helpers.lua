-- Lua the scripts share. A flag "1" means the key must be absent, whatever the version beside it
-- says: an empty string is a version like any other. An expiry is "" for none, "0" for already
-- passed (the key is removed), otherwise epoch milliseconds.
local function holds(key, mustBeAbsent, version)
  local current = redis.call('GET', key)
  if mustBeAbsent == '1' then return not current end
  return current == version
end
local function put(key, value, expiry)
  if expiry == '' then
    redis.call('SET', key, value)
  elseif expiry == '0' then
    redis.call('DEL', key)
  else
    redis.call('SET', key, value, 'PXAT', expiry)
  end
end
local function expires(expiry)
  return expiry ~= '' and expiry ~= '0'
end
