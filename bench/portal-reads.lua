-- portal-reads.lua: wrk script for bench/portal-reads.sh. Each request asks for the routes of
-- a random OCA (1..OCAS, from the environment), first page of 100.
local ocas = tonumber(os.getenv("OCAS") or "1000")
local key = os.getenv("KEY")
math.randomseed(os.time())
request = function()
  local id = math.random(1, ocas)
  return wrk.format("GET", "/v1/ocas/" .. id .. "/routes?limit=100",
    { ["Authorization"] = "Bearer " .. key })
end
