#!/usr/bin/env python3
"""Post each benchmark query to definiciones and to the PostGraphile peer
and check that they answer the same: same servicio names, same items, same
counts. Usage (both servers running on the same database):

    python3 compare.py [OURS_URL] [PEER_URL]

defaults http://127.0.0.1:8002/graphql and http://127.0.0.1:8003/graphql.
Exits non-zero when an answer differs where it should not. The search's
first page is expected to differ (see README); its full result is compared
by paging through both.

`bench/run` imports this file and calls `check(name, ours_url, peer_url)`
for each query before timing it: a query PostGraphile answers with errors
or with different data gets no row.
"""
import json
import sys
import urllib.request
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
OURS_QUERIES = HERE.parent.parent / "queries"
PEER_QUERIES = HERE / "queries"


class Failed(Exception):
    """A server answered with errors."""


def post(url, query):
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"content-type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        body = json.load(response)
    if body.get("errors"):
        raise Failed(f"{url}: errors: {json.dumps(body['errors'], ensure_ascii=False)[:2000]}")
    return body["data"]


def one(connection):
    nodes = connection["nodes"]
    assert len(nodes) <= 1, nodes
    return nodes[0] if nodes else None


def servicio(o, p, ours_url, peer_url):
    a, b = o["servicio"], one(p["servicios"])
    fa, fb = a["ficha"], one(b["fichas"])
    ours = (a["nombre"], a["partida"], fa["periodo"], fa["mision"],
            fa["objetivosInstitucionales"]["nodes"])
    peer = (b["nombre"], b["partida"], {"desde": fb["desde"], "hasta": fb["hasta"]},
            fb["mision"], fb["objetivosInstitucionales"]["nodes"])
    counts = (len(ours[4]), len(peer[4]))
    return ours == peer, f"{b['nombre']!r}, objetivos {counts[0]} / {counts[1]}"


def dashboard(o, p, ours_url, peer_url):
    def objetivos(ficha):
        if ficha is None:
            return None
        c = ficha["objetivosInstitucionales"]
        return (c["totalCount"], [
            (n["prioridad"], n["descripcion"],
             [(x["numero"], x["nombre"]) for x in n["productos"]["nodes"]])
            for n in c["nodes"]])

    a, b = o["partida"], one(p["partidas"])
    ours = [(s["capitulo"], s["nombre"], objetivos(s["ficha"]))
            for s in a["servicios"]["nodes"]]
    peer = [(s["capitulo"], s["nombre"], objetivos(one(s["fichas"])))
            for s in b["servicios"]["nodes"]]

    def counts(rows):
        objs = [n for r in rows if r[2] for n in r[2][1]]
        return (len(rows), len(objs), sum(len(n[2]) for n in objs))

    return (a["nombre"] == b["nombre"] and ours == peer,
            f"servicios/objetivos/productos {counts(ours)} / {counts(peer)}")


def deep(o, p, ours_url, peer_url):
    def objetivos(ficha):
        if ficha is None:
            return None
        return [(oi["prioridad"],
                 [m["prioridad"] for m in oi["objetivosMinisteriales"]["nodes"]],
                 [(pr["numero"], [x["prioridad"] for x in pr["objetivosInstitucionales"]["nodes"]])
                  for pr in oi["productos"]["nodes"]])
                for oi in ficha["objetivosInstitucionales"]["nodes"]]

    ours = [(pt["codigo"], [(s["capitulo"], objetivos(s["ficha"]))
                            for s in pt["servicios"]["nodes"]])
            for pt in o["partidas"]["nodes"]]
    peer = [(pt["codigo"], [(s["capitulo"], objetivos(one(s["fichas"])))
                            for s in pt["servicios"]["nodes"]])
            for pt in p["partidas"]["nodes"]]

    def counts(rows):
        servicios = [s for _, ss in rows for s in ss]
        objs = [oi for _, f in servicios for oi in (f or [])]
        productos = [pr for oi in objs for pr in oi[2]]
        return (len(rows), len(servicios), len(objs), sum(len(oi[1]) for oi in objs),
                len(productos), sum(len(pr[1]) for pr in productos))

    return ours == peer, (
        "partidas/servicios/objetivos/ministeriales/productos/objetivos-de-productos "
        f"{counts(ours)} / {counts(peer)}")


def search(o, p, ours_url, peer_url):
    a, b = o["objetivosInstitucionales"], p["objetivosInstitucionales"]
    first_a = [(n["servicio"]["nombre"], n["prioridad"], n["descripcion"]) for n in a["nodes"]]
    first_b = [(n["ficha"]["servicio"]["nombre"], n["prioridad"], n["descripcion"])
               for n in b["nodes"]]
    # The whole result, paged through on both.
    every_a, after = Counter(), None
    while True:
        cursor = f', after: "{after}"' if after else ""
        c = post(ours_url, '{ objetivosInstitucionales(filter: { search: "genero" }, first: 500%s) '
                       '{ pageInfo { hasNextPage endCursor } nodes { prioridad descripcion '
                       'servicio { nombre } } } }' % cursor)["objetivosInstitucionales"]
        every_a.update((n["servicio"]["nombre"], n["prioridad"], n["descripcion"])
                       for n in c["nodes"])
        if not c["pageInfo"]["hasNextPage"]:
            break
        after = c["pageInfo"]["endCursor"]
    c = post(peer_url, '{ objetivosInstitucionales(filter: { searchText: { includes: "genero" } }) '
                   '{ nodes { prioridad descripcion ficha { servicio { nombre } } } } }')
    every_b = Counter((n["ficha"]["servicio"]["nombre"], n["prioridad"], n["descripcion"])
                      for n in c["objetivosInstitucionales"]["nodes"])
    same = a["totalCount"] == b["totalCount"] and len(first_a) == len(first_b) and every_a == every_b
    common = sum((Counter(first_a) & Counter(first_b)).values())
    return same, (f"totalCount {a['totalCount']} / {b['totalCount']}, page {len(first_a)} / "
                  f"{len(first_b)} ({common} in both pages: the orders differ), "
                  f"all matches {'equal' if every_a == every_b else 'DIFFER'}")


def estadisticas(o, p, ours_url, peer_url):
    e = o["estadisticas"]
    ours = {
        "partidas": e["partidas"], "servicios": e["servicios"], "fichas": e["fichas"],
        "objetivos": e["objetivosInstitucionales"], "productos": e["productos"]["total"],
        "porPartida": [(x["codigo"], x["fichas"]) for x in e["porPartida"]],
    }
    peer = {
        "partidas": p["partidas"]["totalCount"], "servicios": p["servicios"]["totalCount"],
        "fichas": p["fichas"]["totalCount"],
        "objetivos": {
            "total": p["objetivosInstitucionales"]["totalCount"],
            "estrategicos": p["estrategicos"]["totalCount"],
            "gestionInstitucional": p["gestionInstitucional"]["totalCount"],
            "conEnfoqueGenero": p["conEnfoqueGenero"]["totalCount"],
            "sinProductos": p["sinProductos"]["totalCount"],
        },
        "productos": p["productos"]["totalCount"],
        "porPartida": [(x["codigo"], sum(s["fichas"]["totalCount"] for s in x["servicios"]["nodes"]))
                       for x in p["porPartida"]["nodes"]],
    }
    shown = {k: v for k, v in ours.items() if k != "porPartida"}
    return ours == peer, f"{shown}, porPartida {len(ours['porPartida'])} partidas"


CHECKS = {"servicio": servicio, "dashboard": dashboard, "deep": deep,
          "search": search, "estadisticas": estadisticas}


def check(name, ours_url, peer_url):
    """Post query `name` to both servers: (same data?, one line saying what
    was compared). Raises Failed when either answers with errors."""
    o = post(ours_url, (OURS_QUERIES / f"{name}.graphql").read_text())
    p = post(peer_url, (PEER_QUERIES / f"{name}.graphql").read_text())
    return CHECKS[name](o, p, ours_url, peer_url)


def main():
    ours_url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8002/graphql"
    peer_url = sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8003/graphql"
    failed = False
    for name in CHECKS:
        try:
            same, detail = check(name, ours_url, peer_url)
        except Failed as error:
            same, detail = False, str(error)
        failed |= not same
        print(f"{name:13} {'same' if same else 'DIFFERENT'}: {detail}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
