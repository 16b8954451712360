-- One request, the same every time: BENCH_METHOD (default GET), the URL's path (or
-- BENCH_PATH), BENCH_HEADERS ("Name: value" lines) and BENCH_BODY.
dofile("common.lua")

local prepared

function init(args)
  prepared = wrk.format(os.getenv("BENCH_METHOD") or "GET", os.getenv("BENCH_PATH"),
    parse_headers(os.getenv("BENCH_HEADERS")), os.getenv("BENCH_BODY"))
end

function request()
  return prepared
end
