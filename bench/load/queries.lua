-- wrk script: each request is the next competency query, as a form POST
-- (`query=`, Accept: TSV), cycling through the files given after `--`.
-- The first file is a block of PREFIX lines put before every query, so
-- that a server that does not predeclare xietong's prefixes reads them.
--   wrk -t2 -c4 -d30s --latency -s queries.lua http://127.0.0.1:7878/sparql -- prefixes.rq ../../queries/*.rq

local bodies = {}
local next_one = 1

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read("*a")
  f:close()
  return text
end

local function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- Runs once per thread, before `init`: each thread gets its number.
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end

function init(args)
  local prefixes = read(args[1])
  for i = 2, #args do
    bodies[#bodies + 1] = "query=" .. urlencode(prefixes .. read(args[i]))
  end
  -- Threads start at different queries, so that they do not ask in step.
  next_one = ((id or 0) * 5) % #bodies + 1
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  wrk.headers["Accept"] = "text/tab-separated-values"
end

function request()
  local body = bodies[next_one]
  next_one = next_one % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end
