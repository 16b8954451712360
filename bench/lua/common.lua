-- Shared by every workload (loaded with dofile; wrk runs with bench/lua as its working
-- directory). It counts responses whose status is not 2xx/3xx and, when the run ends, prints one
-- line `BENCH_RESULT {json}` that bench/run.py reads.

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

unexpected = 0
first_unexpected = nil

function response(status, headers, body)
  if status < 200 or status >= 400 then
    unexpected = unexpected + 1
    if first_unexpected == nil then
      first_unexpected = status .. " " .. string.sub(body or "", 1, 160)
    end
  end
end

-- Splits "Name: value\nName: value" into a header table.
function parse_headers(text)
  local headers = {}
  for line in string.gmatch(text or "", "[^\n]+") do
    local name, value = string.match(line, "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  return headers
end

local function json_text(s)
  -- Enough escaping for a status line and a short body excerpt.
  return '"' .. string.gsub(s, '[%c"\\]', " ") .. '"'
end

function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("unexpected") or 0)
    local f = thread:get("first_unexpected")
    if f and first == "" then first = f end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,' ..
    '"max_us":%d,"unexpected":%d,"socket_errors":%d,"timeouts":%d,"first_unexpected":%s}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), latency.max, bad, e.connect + e.read + e.write, e.timeout,
    json_text(first)))
end
