-- A deck of operations played in a loop (bench/run.py writes it to BENCH_DECK), one line each:
--   METHOD <TAB> path <TAB> headers ("Name: value" joined by "|") <TAB> body
-- In a path or a body, "{n}" becomes a name no other request of the run uses (BENCH_TAG, the
-- thread and a counter), and "{victim}" the next id of BENCH_VICTIMS (one per line, each used
-- once: an existing record a write may delete). When the victims run out, the operation is
-- skipped, so a delete never hits a record another request already deleted.
dofile("common.lua")

local deck, victims = {}, {}
local next_victim, counter, position = 1, 0, 0
local tag = os.getenv("BENCH_TAG") or "b"

local function split(line, sep)
  local fields = {}
  for field in string.gmatch(line .. sep, "(.-)" .. sep) do table.insert(fields, field) end
  return fields
end

function init(args)
  for line in io.lines(os.getenv("BENCH_DECK")) do
    local f = split(line, "\t")
    local headers = {}
    for _, pair in ipairs(split(f[3] or "", "|")) do
      local name, value = string.match(pair, "^([^:]+):%s*(.*)$")
      if name then headers[name] = value end
    end
    table.insert(deck, { method = f[1], path = f[2], headers = headers,
      body = (f[4] ~= nil and f[4] ~= "") and f[4] or nil })
  end
  local file = os.getenv("BENCH_VICTIMS")
  if file and file ~= "" then
    for line in io.lines(file) do table.insert(victims, line) end
  end
end

local function fill(text, n)
  if text == nil then return nil end
  text = string.gsub(text, "{n}", n)
  if string.find(text, "{victim}", 1, true) then
    local victim = victims[next_victim]
    if victim == nil then return nil, true end
    next_victim = next_victim + 1
    text = string.gsub(text, "{victim}", (string.gsub(victim, "%%", "%%%%")))
  end
  return text
end

function request()
  while true do
    position = position % #deck + 1
    counter = counter + 1
    local op = deck[position]
    local n = tag .. "t" .. thread_id .. "n" .. counter
    local path, out_of_victims = fill(op.path, n)
    local body, out_of_victims_too = fill(op.body, n)
    if not (out_of_victims or out_of_victims_too) then
      local headers = {}
      for k, v in pairs(op.headers) do headers[k] = v end
      return wrk.format(op.method, path, headers, body)
    end
  end
end
