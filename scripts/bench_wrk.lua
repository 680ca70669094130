-- wrk script for `make bench` (scripts/bench_http.py sets the request through the environment).
-- Counts every response status, and redirects to /login, per thread; done() prints one JSON line.
wrk.method = os.getenv("BENCH_WRK_METHOD") or "GET"
wrk.body = os.getenv("BENCH_WRK_BODY") or ""
for name, value in string.gmatch(os.getenv("BENCH_WRK_HEADERS") or "", "([^:\n]+): ([^\n]*)\n") do
  wrk.headers[name] = value
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  codes = {}
  logins = 0
end

function response(status, headers, body)
  codes[status] = (codes[status] or 0) + 1
  local location = headers["Location"] or headers["location"] or ""
  if string.find(location, "/login", 1, true) then
    logins = logins + 1
  end
end

function done(summary, latency, requests)
  local counts, redirects = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("codes")) do
      counts[status] = (counts[status] or 0) + n
    end
    redirects = redirects + thread:get("logins")
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "login_redirects": %d, ' ..
    '"codes": {%s}, "errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), redirects,
    table.concat(parts, ", "), e.connect, e.read, e.write, e.timeout))
end
