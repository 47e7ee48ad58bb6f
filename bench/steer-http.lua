-- steer-http.lua: wrk script for bench/steer-http.sh. Each request steers a random client
-- inside the prefixes bench_ingest announced (site s, prefix i: see prefix_of() there).
local ocas = tonumber(os.getenv("OCAS") or "1000")
local p = tonumber(os.getenv("PREFIXES") or "100000")
local key = os.getenv("KEY")
local sites = math.floor((ocas + 9) / 10)
math.randomseed(os.time())
request = function()
  local s = math.random(0, sites - 1)
  local i = math.random(0, p - 1)
  local idx = (s * (p + 100000) + i) % 0xdf0000 + 0x10000
  local a = math.floor(idx / 65536)
  local b = math.floor(idx / 256) % 256
  local c = idx % 256
  local client = a .. "." .. b .. "." .. c .. "." .. math.random(1, 254)
  return wrk.format("GET", "/v1/steer?client=" .. client .. "&file=bench-1&n=3",
    { ["Authorization"] = "Bearer " .. key })
end
