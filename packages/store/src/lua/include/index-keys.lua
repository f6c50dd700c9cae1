--[[
include index-keys: an object's `ix` field, the JSON list of the index ZSETs it is in, each key
without the kind's index prefix `{p}:i:<res>:` (passed in; a pod's ~10 keys would repeat it). A key
written whole (by an older kjobs) starts with the hash tag's "{" and is read as it is.
]]
local function encodeIndexKeys(keys, first, prefix)
  local out, n = {}, #prefix
  for i = first, #keys do
    local k = keys[i]
    out[#out + 1] = (string.sub(k, 1, n) == prefix) and string.sub(k, n + 1) or k
  end
  return cjson.encode(out)
end

local function decodeIndexKeys(json, prefix)
  local out = {}
  for _, k in ipairs(cjson.decode(json or '[]')) do
    out[#out + 1] = (string.sub(k, 1, 1) == '{') and k or (prefix .. k)
  end
  return out
end
