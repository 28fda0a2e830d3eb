-- k6/load-test.js's flow (k6/lib/api.js `iteration`) for wrk: one thread = one virtual user.
--
--   wrk -t N -c N -d 30s -s bench/k6flow.lua http://127.0.0.1:PORT   (COOKIE, TEAM_ID, THINK_MS from the env)
--
-- Each iteration: GET /health, GET /api/pages, GET /api/pages/<first listed id>, GET /api/search,
-- then CRUD as the signed-in user (create in the user's team, read, patch, delete, read → 404),
-- then THINK_MS of think time, as k6's `sleep(1)`. A thread has one connection, so request()
-- and response() alternate and the thread's Lua state is the user's state. Every answer is
-- checked against the status k6's checks expect; done() prints one JSON line.
local cookie = os.getenv("COOKIE") or ""
local team_id = os.getenv("TEAM_ID") or "null"
local think_ms = tonumber(os.getenv("THINK_MS") or "1000")

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("vu", counter)
  table.insert(threads, thread)
end

local step, iter, page_id, new_id = 0, 0, nil, nil
failed, done_iters = 0, 0
local anon = { ["Content-Type"] = "application/json" }
local authed = { ["Content-Type"] = "application/json", ["Cookie"] = cookie }

-- step → function returning (method, path, headers, body, expected status)
local steps = {
  function() return "GET", "/health", anon, nil, 200 end,
  function() return "GET", "/api/pages", anon, nil, 200 end,
  function() return "GET", "/api/pages/" .. tostring(page_id), anon, nil, 200 end,
  function() return "GET", "/api/search?q=test&limit=10", anon, nil, 200 end,
  function()
    iter = iter + 1
    local body = string.format('{"title":"wrk page %d-%d-%d","content":"Load testing content",' ..
      '"tags":["k6","test"],"teamId":%s}', vu, iter, os.time(), team_id)
    return "POST", "/api/pages", authed, body, 201
  end,
  function() return "GET", "/api/pages/" .. new_id, authed, nil, 200 end,
  function() return "PATCH", "/api/pages/" .. new_id, authed,
      string.format('{"content":"Updated %d-%d"}', vu, iter), 200 end,
  function() return "DELETE", "/api/pages/" .. new_id, authed, nil, 204 end,
  function() return "GET", "/api/pages/" .. new_id, authed, nil, 404 end,
}
local expected

local function advance()
  step = step + 1
  if step == 3 and page_id == nil then step = 4 end      -- an empty list: no page to open
  if step >= 6 and step <= 9 and new_id == nil then step = #steps + 1 end  -- create failed
  if step > #steps then
    step, page_id, new_id = 1, nil, nil
    done_iters = done_iters + 1
    return true
  end
  return false
end

local new_iteration = false
function request()
  if step == 0 then advance() end
  local method, path, headers, body, status = steps[step]()
  expected = status
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status ~= expected then failed = failed + 1 end
  if step == 2 and status == 200 then
    page_id = string.match(body, '^%[{"id":(%d+)')
  elseif step == 5 and status == 201 then
    new_id = string.match(body, '"id":(%d+)')
  end
  new_iteration = advance()
end

function delay()
  if new_iteration then
    new_iteration = false
    return think_ms
  end
  return 0
end

function done(summary, latency, requests)
  local f, its = 0, 0
  for _, t in ipairs(threads) do
    f = f + (t:get("failed") or 0)
    its = its + (t:get("done_iters") or 0)
  end
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "failed": %d, "iterations": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}\n', summary.requests, summary.duration,
    f, its, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99)))
end
