-- wrk script for bench/load.sh: POSTs a mix of dashboard queries to
-- /graphql and counts every failed answer — a non-200 status or a GraphQL
-- `errors` entry — so that "zero failed requests" means zero.
local queries = {
  '{"query":"{ partidas(first: 50) { totalCount nodes { codigo nombre estadisticas { fichas productos { total } } } } }"}',
  '{"query":"{ servicio(partida: \\"20\\", capitulo: \\"01\\") { nombre ficha { mision objetivosInstitucionales(first: 20) { nodes { prioridad descripcion productos(first: 10) { nodes { numero nombre } } } } } } }"}',
  '{"query":"{ objetivosInstitucionales(filter: { enfoqueGenero: true, search: \\"genero\\" }, first: 50) { totalCount nodes { prioridad descripcion servicio { nombre } } } }"}',
  '{"query":"{ estadisticas { partidas servicios fichas objetivosInstitucionales { total sinProductos } productos { total } porPartida { codigo fichas } } }"}',
  '{"query":"{ partida(codigo: \\"07\\") { servicios(first: 10) { nodes { nombre ficha { objetivosInstitucionales(first: 10) { nodes { prioridad objetivosMinisteriales(first: 3) { nodes { prioridad } } productos(first: 5) { nodes { numero } } } } } } } } }"}',
}

local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
  counter = id
end

function request()
  counter = counter + 1
  local body = queries[(counter % #queries) + 1]
  return wrk.format("POST", "/graphql", { ["Content-Type"] = "application/json" }, body)
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
  end
  io.write(string.format("requests=%d failed=%d socket_errors=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
    summary.requests, failures,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
