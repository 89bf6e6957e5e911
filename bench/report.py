#!/usr/bin/env python3
"""Render target/bench/results.json and uncached.json (from bench/run) as
the Markdown tables of BENCHMARKS.md: import throughput, then per database
and query the req/s of each system at each concurrency, with our ratios to
the peers and to the static ceiling — once for definiciones as it ships
(response cache on) and once with every request computed (cache off).

    bench/report.py [results.json]
"""
import json
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "target/bench/results.json")
rows = json.loads(path.read_text())
uncached_path = path.parent / "uncached.json"
uncached = json.loads(uncached_path.read_text()) if uncached_path.exists() else []
key = lambda r: (r["system"], r["database"], r["query"], r["concurrency"])
by = {key(r): r for r in rows}

print("| import into | fichas/s |")
print("| --- | ---: |")
for r in rows:
    if r["query"] == "import":
        print(f"| {r['database']} | {r['rps']:.0f} |")
print()

queries = [q for q in ["servicio", "dashboard", "deep", "search", "estadisticas"]
           if any(r["query"] == q for r in rows)]


def table(ours_by, title):
    for database in ["sqlite", "postgres"]:
        print(f"**{database}, {title}** — req/s (p50 / p99 ms for ours)\n")
        print("| query | c | definiciones | p50 / p99 | SQL/req | RSS MiB | seaography | PostGraphile | static | ÷ seaography | ÷ PostGraphile | ÷ static |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for q in queries:
            for c in [1, 16, 64]:
                ours = ours_by.get(("definiciones", database, q, c))
                if not ours:
                    continue
                peer = lambda s: by.get((s, database, q, c))
                rps = lambda r: f"{r['rps']:.0f}" if r else "–"
                ratio = lambda r: f"{ours['rps'] / r['rps']:.2f}" if r and r["rps"] > 0 else "–"
                print(f"| {q} | {c} | {rps(ours)} | {ours['p50_ms']:.1f} / {ours['p99_ms']:.1f} | {ours['sql_per_request']} | "
                      f"{ours['rss_mib']} | {rps(peer('seaography'))} | {rps(peer('postgraphile'))} | {rps(peer('static'))} | "
                      f"{ratio(peer('seaography'))} | {ratio(peer('postgraphile'))} | {ratio(peer('static'))} |")
        print()


table(by, "as it ships (repeated queries answered from the response cache)")
if uncached:
    table({key(r): r for r in uncached}, "response cache off (every request computed)")
