#!/usr/bin/env python3
"""Render target/bench/results.json and uncached.json (from bench/run) as
the Markdown tables of BENCHMARKS.md: import throughput, then per database
and query the req/s of each system at each concurrency, with our ratios to
the peers and to the static ceiling — once for definiciones as it ships
(response cache on) and once with every request computed (cache off).
Then the checks that kept a row out (checks.json) and, when `bench/run
--scale N` has written scale.json, our computed rates at 1× and N× the data.

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


def sql(value):
    """Statements per request as measured from the server's counter."""
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


by = {key(r): r for r in rows}

setup_path = path.parent / "setup.json"
if setup_path.exists():
    setup = json.loads(setup_path.read_text())
    print(f"PostgreSQL reached by every system: {setup['postgres_via']}; the kernel's TCP "
          f"congestion control: {setup.get('tcp_congestion_control') or 'unknown'} "
          f"(under BBR, large answers over loopback TCP stall for a client that delays its ACKs: BENCHMARKS.md, \"thirteenth pass\").\n")

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
                print(f"| {q} | {c} | {rps(ours)} | {ours['p50_ms']:.1f} / {ours['p99_ms']:.1f} | {sql(ours['sql_per_request'])} | "
                      f"{ours['rss_mib']} | {rps(peer('seaography'))} | {rps(peer('postgraphile'))} | {rps(peer('static'))} | "
                      f"{ratio(peer('seaography'))} | {ratio(peer('postgraphile'))} | {ratio(peer('static'))} |")
        print()


table(by, "as it ships (repeated queries answered from the response cache)")
if uncached:
    table({key(r): r for r in uncached}, "response cache off (every request computed)")

checks_path = path.parent / "checks.json"
if checks_path.exists():
    checks = json.loads(checks_path.read_text())
    rejected = [c for c in checks if not c["ok"]]
    print(f"Checked before timing: {len(checks) - len(rejected)} passed, {len(rejected)} without a row.\n")
    if rejected:
        print("| system | database | query | why |")
        print("| --- | --- | --- | --- |")
        for c in rejected:
            why = c["detail"].replace("|", "\\|").replace("\n", " ")[:300]
            print(f"| {c['system']} | {c['database']} | {c['query']} | {why} |")
        print()

scale_path = path.parent / "scale.json"
if scale_path.exists():
    scaled = json.loads(scale_path.read_text())
    for database in ["sqlite", "postgres"]:
        at = {(r["query"], r["scale"]): r for r in scaled if r["database"] == database}
        if not at:
            continue
        n = max(r["scale"] for r in scaled if r["database"] == database)
        fichas = {r["scale"]: r["fichas"] for r in scaled if r["database"] == database}
        print(f"**{database}, response cache off, one connection: {fichas[1]} fichas (1×) and {fichas[n]} ({n}×)**\n")
        print(f"| query | req/s at 1× | req/s at {n}× | ratio | answer kB 1× / {n}× | SQL/req 1× / {n}× |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        for q in ["servicio", "dashboard", "deep", "search", "estadisticas"]:
            a, b = at.get((q, 1)), at.get((q, n))
            if not a and not b:
                continue
            rps = lambda r: f"{r['rps']:.1f}" if r else "–"
            kb = lambda r: f"{r['answer_bytes'] / 1000:.1f}" if r else "–"
            ratio = f"{a['rps'] / b['rps']:.2f}" if a and b and b["rps"] > 0 else "–"
            print(f"| {q} | {rps(a)} | {rps(b)} | {ratio} | {kb(a)} / {kb(b)} | "
                  f"{sql(a['sql_per_request'] if a else None)} / {sql(b['sql_per_request'] if b else None)} |")
        print(f"\nratio: req/s at 1× ÷ req/s at {n}×, how many times slower with {n}× the data.\n")
