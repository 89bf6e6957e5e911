#!/usr/bin/env python3
"""Check that seaography's answers carry the same data as definiciones'.

Usage: compare.py SEAOGRAPHY_URL DEFINICIONES_URL

Posts bench/peers/seaography/queries/NAME.graphql to the first server and
bench/queries/NAME.graphql to the second, normalises both answers to one
shape and compares them. For `search`, whose first page differs by design
(ours sorts by partida/capítulo/período, seaography cannot), it compares
totalCount and the page's size, and then the complete result sets (all
matches, fetched by extra queries that are not part of the benchmark).
Exits non-zero on any difference.

`bench/run` imports this file and calls `check(name, sea_url, ours_url)`
for each query before timing it: a query seaography answers with errors
or with different data gets no row.
"""
import json
import pathlib
import sys
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
OURS = HERE.parent.parent / "queries"


class Failed(Exception):
    """A server answered with errors."""


def post(url, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(url, body, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        answer = json.load(resp)
    if answer.get("errors"):
        raise Failed(f"{url}: errors: {json.dumps(answer['errors'], ensure_ascii=False)[:2000]}")
    return answer["data"]


def one(nodes):
    """The single node of a seaography list (a lookup or 'latest ficha')."""
    assert len(nodes) <= 1, f"expected at most one node, got {len(nodes)}"
    return nodes[0] if nodes else None


# --- normalisers: (ours, seaography) -> the same plain structure ----------

def servicio_ours(d):
    s = d["servicio"]
    f = s["ficha"]
    return {
        "nombre": s["nombre"],
        "partida": s["partida"],
        "periodo": f["periodo"],
        "mision": f["mision"],
        "objetivos": f["objetivosInstitucionales"]["nodes"],
    }


def servicio_sea(d):
    s = one(d["servicios"]["nodes"])
    f = one(s["fichas"]["nodes"])
    return {
        "nombre": s["nombre"],
        "partida": s["partida"],
        "periodo": {"desde": f["desde"], "hasta": f["hasta"]},
        "mision": f["mision"],
        "objetivos": f["objetivosInstitucionales"]["nodes"],
    }


def dashboard_ours(d):
    p = d["partida"]
    return {
        "nombre": p["nombre"],
        "servicios": [
            {
                "capitulo": s["capitulo"],
                "nombre": s["nombre"],
                "total": s["ficha"]["objetivosInstitucionales"]["totalCount"],
                "objetivos": [
                    {
                        "prioridad": o["prioridad"],
                        "descripcion": o["descripcion"],
                        "productos": o["productos"]["nodes"],
                    }
                    for o in s["ficha"]["objetivosInstitucionales"]["nodes"]
                ],
            }
            for s in p["servicios"]["nodes"]
        ],
    }


def dashboard_sea(d):
    p = one(d["partidas"]["nodes"])
    out = {"nombre": p["nombre"], "servicios": []}
    for s in p["servicios"]["nodes"]:
        oi = one(s["fichas"]["nodes"])["objetivosInstitucionales"]
        out["servicios"].append(
            {
                "capitulo": s["capitulo"],
                "nombre": s["nombre"],
                "total": oi["paginationInfo"]["total"],
                "objetivos": [
                    {
                        "prioridad": o["prioridad"],
                        "descripcion": o["descripcion"],
                        "productos": o["productos"]["nodes"],
                    }
                    for o in oi["nodes"]
                ],
            }
        )
    return out


def deep_ours(d):
    return [
        {
            "codigo": p["codigo"],
            "servicios": [
                {"capitulo": s["capitulo"], "objetivos": s["ficha"]["objetivosInstitucionales"]["nodes"]}
                for s in p["servicios"]["nodes"]
            ],
        }
        for p in d["partidas"]["nodes"]
    ]


def deep_sea(d):
    return [
        {
            "codigo": p["codigo"],
            "servicios": [
                {
                    "capitulo": s["capitulo"],
                    "objetivos": one(s["fichas"]["nodes"])["objetivosInstitucionales"]["nodes"],
                }
                for s in p["servicios"]["nodes"]
            ],
        }
        for p in d["partidas"]["nodes"]
    ]


def estadisticas_ours(d):
    e = d["estadisticas"]
    oi = e["objetivosInstitucionales"]
    return {
        "partidas": e["partidas"],
        "servicios": e["servicios"],
        "fichas": e["fichas"],
        "oi.total": oi["total"],
        "oi.estrategicos": oi["estrategicos"],
        "oi.gestionInstitucional": oi["gestionInstitucional"],
        "oi.conEnfoqueGenero": oi["conEnfoqueGenero"],
        "oi.sinProductos": oi["sinProductos"],
        "productos.total": e["productos"]["total"],
        "porPartida": {p["codigo"]: p["fichas"] for p in e["porPartida"]},
    }


def estadisticas_sea(d):
    t = lambda k: d[k]["paginationInfo"]["total"]
    return {
        "partidas": t("partidas"),
        "servicios": t("servicios"),
        "fichas": t("fichas"),
        "oi.total": t("oiTotal"),
        "oi.estrategicos": t("oiEstrategicos"),
        "oi.gestionInstitucional": t("oiGestionInstitucional"),
        "oi.conEnfoqueGenero": t("oiConEnfoqueGenero"),
        "oi.sinProductos": t("oiTotal") - t("oiConProductos"),
        "productos.total": t("productos"),
        "porPartida": {
            p["codigo"]: sum(s["fichas"]["paginationInfo"]["total"] for s in p["servicios"]["nodes"])
            for p in d["porPartida"]["nodes"]
            # ours lists only partidas with fichas in the selection
            if any(s["fichas"]["paginationInfo"]["total"] for s in p["servicios"]["nodes"])
        },
    }


def search_page_ours(d):
    c = d["objetivosInstitucionales"]
    return c["totalCount"], len(c["nodes"])


def search_page_sea(d):
    c = d["objetivosInstitucionales"]
    return c["paginationInfo"]["total"], len(c["nodes"])


ALL_OURS = """query($after: String) {
  objetivosInstitucionales(filter: { search: "genero" }, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes { prioridad descripcion servicio { nombre } }
  }
}"""

ALL_SEA = """{
  objetivosInstitucionales(filters: { searchText: { contains: "genero" } }) {
    nodes { prioridad descripcion ficha { servicio { nombre } } }
  }
}"""


def search_all(sea_url, ours_url):
    ours, after = [], None
    while True:
        c = post(ours_url, ALL_OURS, {"after": after})["objetivosInstitucionales"]
        ours += [(n["servicio"]["nombre"], n["prioridad"], n["descripcion"]) for n in c["nodes"]]
        if not c["pageInfo"]["hasNextPage"]:
            break
        after = c["pageInfo"]["endCursor"]
    sea = [
        (n["ficha"]["servicio"]["nombre"], n["prioridad"], n["descripcion"])
        for n in post(sea_url, ALL_SEA)["objetivosInstitucionales"]["nodes"]
    ]
    return sorted(ours), sorted(sea)


def summary(name, value):
    if name == "servicio":
        return f"servicio {value['nombre']!r} ({value['partida']['codigo']}), periodo {value['periodo']}, {len(value['objetivos'])} objetivos"
    if name == "dashboard":
        s = value["servicios"]
        return (f"{len(s)} servicios, {sum(x['total'] for x in s)} estratégicos in all, "
                f"{sum(len(x['objetivos']) for x in s)} listed, "
                f"{sum(len(o['productos']) for x in s for o in x['objetivos'])} productos listed")
    if name == "deep":
        n = lambda f: sum(f(s) for p in value for s in p["servicios"])
        oi = n(lambda s: len(s["objetivos"]))
        om = n(lambda s: sum(len(o["objetivosMinisteriales"]["nodes"]) for o in s["objetivos"]))
        pr = n(lambda s: sum(len(o["productos"]["nodes"]) for o in s["objetivos"]))
        pro = n(lambda s: sum(len(p["objetivosInstitucionales"]["nodes"]) for o in s["objetivos"] for p in o["productos"]["nodes"]))
        return f"{len(value)} partidas, {n(lambda s: 1)} servicios, {oi} objetivos, {om} ministeriales, {pr} productos, {pro} producto→objetivo"
    if name == "estadisticas":
        return ", ".join(f"{k}={v}" for k, v in value.items() if k != "porPartida") + f", porPartida: {len(value['porPartida'])} partidas"
    return str(value)


def canon(value):
    """Key order differs between the servers; compare as sorted JSON."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def check(name, sea_url, ours_url, dump=False):
    """Post query `name` to both servers: (same data?, one line saying what
    was compared). Raises Failed when either answers with errors."""
    sea = post(sea_url, (HERE / "queries" / f"{name}.graphql").read_text())
    ours = post(ours_url, (OURS / f"{name}.graphql").read_text())
    if name == "search":
        a, b = search_page_ours(ours), search_page_sea(sea)
        all_ours, all_sea = search_all(sea_url, ours_url)
        ok = a == b and all_ours == all_sea
        return ok, (f"search: totalCount/page ours={a} seaography={b}; "
                    f"all matches: ours {len(all_ours)}, seaography {len(all_sea)}, "
                    f"{'same set' if all_ours == all_sea else 'DIFFERENT sets'}")
    a = globals()[f"{name}_ours"](ours)
    b = globals()[f"{name}_sea"](sea)
    ok = canon(a) == canon(b)
    detail = f"{name}: {summary(name, a)}"
    if not ok:
        detail += f"; seaography: {summary(name, b)}"
        if dump:
            pathlib.Path(f"/tmp/compare-{name}-ours.json").write_text(json.dumps(a, indent=1, sort_keys=True, ensure_ascii=False))
            pathlib.Path(f"/tmp/compare-{name}-sea.json").write_text(json.dumps(b, indent=1, sort_keys=True, ensure_ascii=False))
    return ok, detail


def main():
    sea_url, ours_url = sys.argv[1], sys.argv[2]
    failed = 0
    for name in ["servicio", "dashboard", "deep", "search", "estadisticas"]:
        try:
            ok, detail = check(name, sea_url, ours_url, dump=True)
        except Failed as error:
            ok, detail = False, f"{name}: {error}"
        print(f"{'OK  ' if ok else 'DIFF'} {detail}")
        failed += not ok
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
