-- The original Papyr.us client's k6 flow, with its pauses, for wrk: one thread = one user.
--
--   wrk -t N -c N -d 40s -s bench/clientflow.lua http://127.0.0.1:PORT   (COOKIE, TEAM_ID from the env)
--
-- Per iteration, as that client: GET /health, 0.5 s, GET /api/pages, POST /api/pages (into the
-- team), GET, PATCH, DELETE of that page, 1 s, GET /api/search?q=test&limit=10, 0.5 s,
-- GET /api/teams, 0.5 s. The sign-in happened once, in setup (the COOKIE every /api/ request
-- carries, as the client's one `params`); /health goes without it. Every request carries
-- Content-Type: application/json. Each user starts at a random point of its first 2.5 s (k6
-- ramps its users in; wrk would start them all in the same millisecond). A thread has one
-- connection, so request() and response() alternate and the thread's Lua state is the user's.
-- Every answer is checked against the status the client's checks expect; done() prints JSON.
local cookie = os.getenv("COOKIE") or ""
local team_id = os.getenv("TEAM_ID") or "null"

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("vu", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (vu or 0))
end

local step, iter, new_id = 0, 0, nil
failed, done_iters = 0, 0
local anon = { ["Content-Type"] = "application/json" }
local authed = { ["Content-Type"] = "application/json", ["Cookie"] = cookie }
local reads = os.getenv("ANONYMOUS_READS") == "1" and anon or authed

-- step → (method, path, headers, body, expected status, pause after it in ms)
local steps = {
  function() return "GET", "/health", anon, nil, 200, 500 end,
  function() return "GET", "/api/pages", reads, nil, 200, 0 end,
  function()
    iter = iter + 1
    local body = string.format('{"title":"k6 page %d-%d-%d","content":"Load testing content",' ..
      '"tags":["k6","test"],"teamId":%s}', vu, iter, os.time(), team_id)
    return "POST", "/api/pages", authed, body, 201, 0
  end,
  function() return "GET", "/api/pages/" .. new_id, authed, nil, 200, 0 end,
  function() return "PATCH", "/api/pages/" .. new_id, authed,
      string.format('{"content":"Updated %d-%d"}', vu, iter), 200, 0 end,
  function() return "DELETE", "/api/pages/" .. new_id, authed, nil, 204, 1000 end,
  function() return "GET", "/api/search?q=test&limit=10", reads, nil, 200, 500 end,
  function() return "GET", "/api/teams", authed, nil, 200, 500 end,
}
local SEARCH, CREATE = 7, 3
local expected, pause, first = nil, 0, true

function request()
  if step == 0 then step = 1 end
  local method, path, headers, body, status, after = steps[step]()
  expected, pause = status, after
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  local wait = pause
  if status ~= expected then failed = failed + 1 end
  if step == CREATE then
    new_id = status == 201 and string.match(body, '"id":(%d+)') or nil
    if not new_id then step, wait = SEARCH - 1, 1000 end  -- the client skips the rest of its CRUD
  end
  step = step + 1
  if step > #steps then
    step, new_id = 1, nil
    done_iters = done_iters + 1
  end
  pending_pause = wait
end

pending_pause = 0
function delay()
  if first then
    first = false
    return math.random(0, 2500)
  end
  local wait = pending_pause
  pending_pause = 0
  return wait
end

function done(summary, latency, requests)
  local f, its = 0, 0
  for _, t in ipairs(threads) do
    f = f + (t:get("failed") or 0)
    its = its + (t:get("done_iters") or 0)
  end
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "failed": %d, "iterations": %d, ' ..
    '"socket_errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d}\n', summary.requests,
    summary.duration, f, its, e.connect + e.read + e.write + e.timeout, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), latency.max))
end
