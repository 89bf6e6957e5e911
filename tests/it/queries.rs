//! Queries people write: `orderBy` on every list, top-level and nested,
//! and composed filters (`and`, `or`, `not`, link predicates, a range of
//! años), on the sample ficha and on generated data, on SQLite and
//! PostgreSQL.

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::{Reply, each_database, load_sample, send};

/// Answer a query, under the server's default limits: lists of the whole
/// generated dataset asked whole (`first: 500` at every level) pass,
/// because the cost limit knows how small the data is.
async fn query(db: &DatabaseConnection, text: &str) -> Reply {
    post(db, text, json!({})).await
}

async fn post(db: &DatabaseConnection, text: &str, variables: Value) -> Reply {
    let settings = definiciones::http::HttpSettings::default();
    let body = json!({ "query": text, "variables": variables }).to_string();
    send(db, &settings, crate::helpers::post_json(body)).await
}

/// The `field` of every node of a list, as JSON values.
fn column(nodes: &Value, field: &str) -> Vec<Value> {
    nodes
        .as_array()
        .unwrap_or_else(|| panic!("a list: {nodes}"))
        .iter()
        .map(|n| n[field].clone())
        .collect()
}

fn numbers(nodes: &Value, field: &str) -> Vec<i64> {
    column(nodes, field)
        .iter()
        .map(|v| v.as_i64().unwrap_or_else(|| panic!("a number: {v}")))
        .collect()
}

/// Generated fichas: 4 partidas, 10 servicios, two períodos each, with
/// uneven counts of objectives, productos and links.
async fn load_generated(db: &DatabaseConnection) {
    crate::helpers::load_generated(db, 4, 10, 2, 11).await;
}

#[tokio::test]
async fn the_sample_reads_as_a_person_reads_it() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              ordered: objetivosInstitucionales(filter: { partida: "20" }, orderBy: [PRODUCTOS_DESC, PRIORIDAD_ASC]) {
                nodes { prioridad productos { totalCount } }
              }
              nested: partida(codigo: "20") { servicios { nodes { ficha {
                objetivosInstitucionales(orderBy: [PRODUCTOS_DESC, PRIORIDAD_ASC]) { nodes { prioridad } }
              } } } }
              notStrategic: objetivosInstitucionales(filter: { partida: "20", not: { tipo: ESTRATEGICO } }) {
                nodes { prioridad }
              }
              discriminacion: objetivosInstitucionales(filter: { objetivosMinisteriales: { search: "discriminacion" } }) {
                nodes { prioridad }
              }
              productos(filter: { objetivosInstitucionales: { objetivosMinisteriales: { search: "discriminacion" } } }) {
                nodes { numero }
              }
            }"#,
        )
        .await;
        let data = answer.data();
        let expected = [5, 2, 3, 1, 4, 6, 7, 8, 9];
        assert_eq!(numbers(&data["ordered"]["nodes"], "prioridad"), expected, "{}", t.backend);
        let counts: Vec<i64> = data["ordered"]["nodes"]
            .as_array()
            .expect("a list")
            .iter()
            .map(|n| n["productos"]["totalCount"].as_i64().expect("a count"))
            .collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        let nested = &data["nested"]["servicios"]["nodes"][0]["ficha"]["objetivosInstitucionales"]["nodes"];
        assert_eq!(numbers(nested, "prioridad"), expected, "{}: nested", t.backend);
        assert_eq!(numbers(&data["notStrategic"]["nodes"], "prioridad"), [7, 8, 9]);
        assert_eq!(numbers(&data["discriminacion"]["nodes"], "prioridad"), [4]);
        assert_eq!(numbers(&data["productos"]["nodes"], "numero"), [9]);
    })
    .await;
}

/// Whether `rows` (each its sort value then its usual position) are in
/// order: by value (largest first when `desc`), ties by usual position.
fn sorted<T: PartialOrd + std::fmt::Debug>(rows: &[(T, usize)], desc: bool) -> bool {
    rows.windows(2).all(|w| {
        let (a, b) = (&w[0], &w[1]);
        match a.0.partial_cmp(&b.0) {
            Some(std::cmp::Ordering::Equal) => a.1 < b.1,
            Some(std::cmp::Ordering::Less) => !desc,
            Some(std::cmp::Ordering::Greater) => desc,
            None => false,
        }
    })
}

/// Each node's `value` beside its position in `usual` (matched by `id`).
fn against_usual(
    nodes: &Value,
    usual: &Value,
    value: impl Fn(&Value) -> Value,
) -> Vec<(String, usize)> {
    let ids = column(usual, "id");
    nodes
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| {
            let at = ids
                .iter()
                .position(|id| *id == n["id"])
                .expect("in the usual list");
            let v = value(n);
            // Numbers compare as zero-padded text; text as itself.
            let key = match v.as_i64() {
                Some(n) => format!("{n:012}"),
                None => v.as_str().expect("text or a number").to_owned(),
            };
            (key, at)
        })
        .collect()
}

#[tokio::test]
async fn every_list_orders_by_each_of_its_fields_both_ways() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        // For each list: the list in its usual order, and the field that
        // shows the value each order sorts by.
        let cases: &[(&str, &str, &str, &str)] = &[
            ("partidas", "", "CODIGO", "codigo"),
            ("partidas", "", "NOMBRE", "fold:nombre"),
            ("partidas", "", "SERVICIOS", "servicios { totalCount }"),
            ("servicios", "", "NOMBRE", "fold:nombre"),
            ("servicios", "", "OBJETIVOS", "ficha { objetivosInstitucionales { totalCount } }"),
            ("servicios", "", "OBJETIVOS_SIN_PRODUCTOS", "ficha { objetivosInstitucionales(filter: { sinProductos: true }) { totalCount } }"),
            ("servicios", "", "PRODUCTOS", "ficha { productos { totalCount } }"),
            ("fichas", "", "OBJETIVOS", "objetivosInstitucionales { totalCount }"),
            ("fichas", "", "PRODUCTOS", "productos { totalCount }"),
            ("objetivosMinisteriales", "", "PRIORIDAD", "prioridad"),
            ("objetivosInstitucionales", "", "PRIORIDAD", "prioridad"),
            ("objetivosInstitucionales", "", "TIPO", "tipo"),
            ("objetivosInstitucionales", "", "PRODUCTOS", "productos { totalCount }"),
            ("productos", "", "NUMERO", "numero"),
            ("productos", "", "NOMBRE", "fold:nombre"),
            ("productos", "", "OBJETIVOS", "objetivosInstitucionales { totalCount }"),
        ];
        for (list, _, field, shown) in cases {
            let selection = shown.strip_prefix("fold:").unwrap_or(shown);
            for desc in [false, true] {
                let order = format!("{field}_{}", if desc { "DESC" } else { "ASC" });
                let text = format!(
                    "{{ usual: {list}(first: 500) {{ nodes {{ id }} }} \
                       ordered: {list}(first: 500, orderBy: [{order}]) {{ totalCount nodes {{ id {selection} }} }} }}"
                );
                let answer = query(&t.db, &text).await;
                let data = answer.data();
                let nodes = &data["ordered"]["nodes"];
                assert_eq!(
                    nodes.as_array().expect("a list").len() as i64,
                    data["ordered"]["totalCount"].as_i64().expect("a count"),
                    "{list} {order}: the whole list"
                );
                let rows = against_usual(nodes, &data["usual"]["nodes"], |n| value_of(n, shown));
                assert!(sorted(&rows, desc), "{}: {list} {order}: {rows:?}", t.backend);
                // The values differ somewhere, or the order shows nothing.
                assert!(
                    rows.iter().any(|r| r.0 != rows[0].0),
                    "{list} {order}: every value is the same in the generated data"
                );
            }
        }
        // Ministry objectives by how many servicios serve them: counted by
        // hand from the objectives that serve each one.
        let answer = query(
            &t.db,
            "{ usual: objetivosMinisteriales(first: 500) { nodes { id } }
               ordered: objetivosMinisteriales(first: 500, orderBy: [SERVICIOS_DESC]) { nodes {
                 id objetivosInstitucionales(first: 500) { nodes { servicio { id } } } } } }",
        )
        .await;
        let data = answer.data();
        let rows = against_usual(&data["ordered"]["nodes"], &data["usual"]["nodes"], |n| {
            let mut servicios: Vec<Value> = column(&n["objetivosInstitucionales"]["nodes"], "servicio");
            servicios.sort_by_key(|s| s.to_string());
            servicios.dedup();
            json!(servicios.len())
        });
        assert!(sorted(&rows, true), "{}: SERVICIOS_DESC {rows:?}", t.backend);
        assert!(rows.iter().any(|r| r.0 != rows[0].0));
    })
    .await;
}

/// The value an order sorts by, read from a node: a scalar field, a
/// count one or two levels down, or a name folded as the server folds it.
fn value_of(node: &Value, shown: &str) -> Value {
    if let Some(field) = shown.strip_prefix("fold:") {
        return json!(definiciones::ficha::text::fold(
            node[field].as_str().expect("text")
        ));
    }
    let path: Vec<&str> = shown
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !["filter", "sinProductos", "true"].contains(w))
        .collect();
    let mut value = node;
    for step in &path {
        value = &value[*step];
    }
    if value.is_null() {
        // A servicio with no ficha counts 0.
        return json!(0);
    }
    value.clone()
}

#[tokio::test]
async fn nested_lists_order_as_the_top_level_ones_do() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              partidas(first: 500) { nodes { codigo
                servicios(orderBy: [PRODUCTOS_DESC, NOMBRE_ASC]) { nodes { id } }
              } }
              servicios(first: 500, orderBy: [PRODUCTOS_DESC, NOMBRE_ASC]) { nodes { id partida { codigo } } }
              fichas(first: 500) { nodes { id
                productos(orderBy: [OBJETIVOS_DESC, NOMBRE_DESC]) { nodes { id } }
                objetivosInstitucionales(orderBy: [TIPO_DESC, PRODUCTOS_ASC]) { nodes { id } }
              } }
            }"#,
        )
        .await;
        let data = answer.data();
        for partida in data["partidas"]["nodes"].as_array().expect("a list") {
            let top: Vec<Value> = data["servicios"]["nodes"]
                .as_array()
                .expect("a list")
                .iter()
                .filter(|s| s["partida"]["codigo"] == partida["codigo"])
                .map(|s| s["id"].clone())
                .collect();
            assert_eq!(column(&partida["servicios"]["nodes"], "id"), top, "{}", t.backend);
        }
        for ficha in data["fichas"]["nodes"].as_array().expect("a list").iter().take(6) {
            let id = ficha["id"].as_str().expect("an id");
            let top = query(
                &t.db,
                &format!(
                    r#"{{ node(id: "{id}") {{ ... on Ficha {{ servicio {{ capitulo partida {{ codigo }} }} periodo {{ desde hasta }} }} }} }}"#
                ),
            )
            .await;
            let f = &top.data()["node"];
            let filter = format!(
                r#"filter: {{ partida: "{}", capitulo: "{}", periodo: "{}-{}" }}"#,
                f["servicio"]["partida"]["codigo"].as_str().expect("code"),
                f["servicio"]["capitulo"].as_str().expect("capitulo"),
                f["periodo"]["desde"],
                f["periodo"]["hasta"],
            );
            let lists = query(
                &t.db,
                &format!(
                    "{{ productos(first: 500, {filter}, orderBy: [OBJETIVOS_DESC, NOMBRE_DESC]) {{ nodes {{ id }} }}
                       objetivosInstitucionales(first: 500, {filter}, orderBy: [TIPO_DESC, PRODUCTOS_ASC]) {{ nodes {{ id }} }} }}"
                ),
            )
            .await;
            let lists = lists.data();
            assert_eq!(column(&ficha["productos"]["nodes"], "id"), column(&lists["productos"]["nodes"], "id"));
            assert_eq!(
                column(&ficha["objetivosInstitucionales"]["nodes"], "id"),
                column(&lists["objetivosInstitucionales"]["nodes"], "id")
            );
        }
    })
    .await;
}

/// Page through a list 4 at a time, forwards then backwards, and return
/// the ids in the order each way read them.
async fn paged(db: &DatabaseConnection, list: &str, args: &str) -> (Vec<Value>, Vec<Value>) {
    let mut forwards = Vec::new();
    let mut after = Value::Null;
    loop {
        let answer = post(
            db,
            &format!(
                "query($after: String) {{ {list}({args}, first: 4, after: $after) {{ pageInfo {{ hasNextPage endCursor }} nodes {{ id }} }} }}"
            ),
            json!({ "after": after }),
        )
        .await;
        let page = &answer.data()[list];
        forwards.extend(column(&page["nodes"], "id"));
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut backwards = Vec::new();
    let mut before = Value::Null;
    loop {
        let answer = post(
            db,
            &format!(
                "query($before: String) {{ {list}({args}, last: 4, before: $before) {{ pageInfo {{ hasPreviousPage startCursor }} nodes {{ id }} }} }}"
            ),
            json!({ "before": before }),
        )
        .await;
        let page = &answer.data()[list];
        let mut ids = column(&page["nodes"], "id");
        ids.extend(backwards);
        backwards = ids;
        if page["pageInfo"]["hasPreviousPage"] != json!(true) {
            break;
        }
        before = page["pageInfo"]["startCursor"].clone();
    }
    (forwards, backwards)
}

#[tokio::test]
async fn cursors_page_within_an_order() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        for (list, args) in [
            ("servicios", "orderBy: [OBJETIVOS_SIN_PRODUCTOS_DESC]"),
            (
                "productos",
                r#"orderBy: [NOMBRE_ASC], filter: { partidas: ["01", "02"] }"#,
            ),
            (
                "objetivosInstitucionales",
                r#"orderBy: [PRODUCTOS_DESC, TIPO_ASC], filter: { partida: "03" }"#,
            ),
        ] {
            let whole = query(
                &t.db,
                &format!("{{ {list}({args}, first: 500) {{ nodes {{ id }} }} }}"),
            )
            .await;
            let whole = column(&whole.data()[list]["nodes"], "id");
            assert!(whole.len() > 8, "{list}: {} items", whole.len());
            let (forwards, backwards) = paged(&t.db, list, args).await;
            assert_eq!(forwards, whole, "{}: {list} forwards", t.backend);
            assert_eq!(backwards, whole, "{}: {list} backwards", t.backend);
        }
    })
    .await;
}

#[tokio::test]
async fn one_list_asked_twice_under_every_parent_keeps_each_its_arguments() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        let low = "low: objetivosInstitucionales(first: 2, orderBy: [PRIORIDAD_ASC]) { nodes { prioridad } }";
        let high = "high: objetivosInstitucionales(last: 1, orderBy: [PRIORIDAD_DESC], filter: { tipo: ESTRATEGICO }) { totalCount nodes { prioridad } }";
        let asked = |fields: &str| format!("{{ servicios(first: 500) {{ nodes {{ ficha {{ {fields} }} }} }} }}");
        let both = query(&t.db, &asked(&format!("{low} {high}"))).await;
        let alone_low = query(&t.db, &asked(low)).await;
        let alone_high = query(&t.db, &asked(high)).await;
        let fichas = |reply: &Reply| reply.data()["servicios"]["nodes"].as_array().expect("servicios").clone();
        let (both, alone_low, alone_high) = (fichas(&both), fichas(&alone_low), fichas(&alone_high));
        assert!(both.len() >= 10, "{}: {} servicios", t.backend, both.len());
        for ((both, low), high) in both.iter().zip(&alone_low).zip(&alone_high) {
            assert_eq!(both["ficha"]["low"], low["ficha"]["low"], "{}", t.backend);
            assert_eq!(both["ficha"]["high"], high["ficha"]["high"], "{}", t.backend);
        }
        // Each alias got its own page: the ascending one starts low.
        let first = &both[0]["ficha"];
        assert_eq!(numbers(&first["low"]["nodes"], "prioridad")[0], 1, "{}: {first}", t.backend);
        assert_eq!(first["low"]["nodes"].as_array().map(Vec::len), Some(2), "{}: {first}", t.backend);
        assert_eq!(first["high"]["nodes"].as_array().map(Vec::len), Some(1), "{}: {first}", t.backend);
    })
    .await;
}

/// The ids of a list under a filter (as written in GraphQL).
async fn ids(db: &DatabaseConnection, list: &str, filter: &str) -> Vec<Value> {
    let answer = query(
        db,
        &format!("{{ {list}(first: 500, filter: {filter}) {{ nodes {{ id }} }} }}"),
    )
    .await;
    column(&answer.data()[list]["nodes"], "id")
}

fn union(a: &[Value], b: &[Value], whole: &[Value]) -> Vec<Value> {
    whole
        .iter()
        .filter(|x| a.contains(x) || b.contains(x))
        .cloned()
        .collect()
}

fn minus(whole: &[Value], gone: &[Value]) -> Vec<Value> {
    whole
        .iter()
        .filter(|x| !gone.contains(x))
        .cloned()
        .collect()
}

fn both(a: &[Value], b: &[Value]) -> Vec<Value> {
    a.iter().filter(|x| b.contains(x)).cloned().collect()
}

#[tokio::test]
async fn filters_compose_with_and_or_not() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        let list = "objetivosInstitucionales";
        let whole = ids(&t.db, list, "{}").await;
        let genero = ids(&t.db, list, "{ enfoqueGenero: true }").await;
        let clima = ids(&t.db, list, "{ cambioClimatico: true }").await;
        let p1 = ids(&t.db, list, r#"{ partida: "01" }"#).await;
        assert!(!genero.is_empty() && !clima.is_empty() && !p1.is_empty());
        assert_eq!(
            ids(
                &t.db,
                list,
                "{ or: [{ enfoqueGenero: true }, { cambioClimatico: true }] }"
            )
            .await,
            union(&genero, &clima, &whole),
            "{}: or",
            t.backend
        );
        assert_eq!(
            ids(
                &t.db,
                list,
                r#"{ and: [{ enfoqueGenero: true }, { partida: "01" }] }"#
            )
            .await,
            both(&genero, &p1),
            "and"
        );
        assert_eq!(
            ids(&t.db, list, r#"{ not: { partida: "01" } }"#).await,
            minus(&whole, &p1),
            "not over a joined partida"
        );
        assert_eq!(
            ids(
                &t.db,
                list,
                r#"{ not: { or: [{ enfoqueGenero: true }, { partida: "01" }] } }"#
            )
            .await,
            minus(&whole, &union(&genero, &p1, &whole)),
            "not of an or"
        );
        // Fields beside `or` must hold too.
        assert_eq!(
            ids(
                &t.db,
                list,
                r#"{ partida: "01", or: [{ enfoqueGenero: true }, { cambioClimatico: true }] }"#
            )
            .await,
            both(&p1, &union(&genero, &clima, &whole)),
        );
        // Empty combinations: an empty `or` or `and` sets no condition,
        // `not: {}` keeps nothing.
        assert_eq!(ids(&t.db, list, "{ or: [] }").await, whole);
        assert_eq!(ids(&t.db, list, "{ and: [] }").await, whole);
        assert_eq!(ids(&t.db, list, "{ not: {} }").await, Vec::<Value>::new());
        // On every other list too.
        for (list, a, b) in [
            ("partidas", r#"{ codigo: "01" }"#, r#"{ codigo: "02" }"#),
            ("servicios", r#"{ partida: "01" }"#, r#"{ capitulo: "01" }"#),
            ("fichas", r#"{ partida: "02" }"#, r#"{ capitulo: "02" }"#),
            (
                "objetivosMinisteriales",
                r#"{ partida: "01" }"#,
                "{ tipo: ESTRATEGICO }",
            ),
            (
                "productos",
                r#"{ partida: "01" }"#,
                "{ objetivosInstitucionales: { enfoqueGenero: true } }",
            ),
        ] {
            let whole = ids(&t.db, list, "{}").await;
            let (x, y) = (ids(&t.db, list, a).await, ids(&t.db, list, b).await);
            assert!(
                !x.is_empty() && !y.is_empty(),
                "{list}: {a} and {b} select something"
            );
            assert_eq!(
                ids(&t.db, list, &format!("{{ or: [{a}, {b}] }}")).await,
                union(&x, &y, &whole),
                "{list} or"
            );
            assert_eq!(
                ids(&t.db, list, &format!("{{ and: [{a}, {b}] }}")).await,
                both(&x, &y),
                "{list} and"
            );
            assert_eq!(
                ids(&t.db, list, &format!("{{ not: {a} }}")).await,
                minus(&whole, &x),
                "{list} not"
            );
        }
    })
    .await;
}

/// The ids of `nodes` with at least one item of their `list` that passes `test`.
fn having(nodes: &Value, list: &str, test: impl Fn(&Value) -> bool) -> Vec<Value> {
    nodes
        .as_array()
        .expect("a list")
        .iter()
        .filter(|n| {
            n[list]["nodes"]
                .as_array()
                .expect("a list")
                .iter()
                .any(&test)
        })
        .map(|n| n["id"].clone())
        .collect()
}

#[tokio::test]
async fn link_predicates_keep_items_with_a_matching_link() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        // Every item with its links, to check each predicate against the
        // links themselves.
        let answer = query(
            &t.db,
            "{ objetivosInstitucionales(first: 500) { nodes { id
                 productos(first: 500) { nodes { id
                   objetivosInstitucionales(first: 500) { nodes { cambioClimatico } } } }
                 objetivosMinisteriales(first: 500) { nodes { tipo partida { codigo } } } } }
               productos(first: 500) { nodes { id
                 objetivosInstitucionales(first: 500) { nodes { enfoqueGenero tipo servicio { partida { codigo } } } } } }
               objetivosMinisteriales(first: 500) { nodes { id
                 objetivosInstitucionales(first: 500) { nodes { enfoqueGenero } } } } }",
        )
        .await;
        let data = answer.data();
        let oi = &data["objetivosInstitucionales"]["nodes"];
        let pr = &data["productos"]["nodes"];
        let om = &data["objetivosMinisteriales"]["nodes"];
        let cases: Vec<(&str, &str, Vec<Value>)> = vec![
            ("objetivosInstitucionales", "{ productos: {} }", having(oi, "productos", |_| true)),
            (
                "objetivosInstitucionales",
                "{ objetivosMinisteriales: { tipo: ESTRATEGICO } }",
                having(oi, "objetivosMinisteriales", |m| m["tipo"] == "ESTRATEGICO"),
            ),
            (
                "objetivosInstitucionales",
                r#"{ objetivosMinisteriales: { partida: "02" } }"#,
                having(oi, "objetivosMinisteriales", |m| m["partida"]["codigo"] == "02"),
            ),
            (
                "objetivosInstitucionales",
                "{ productos: { objetivosInstitucionales: { cambioClimatico: true } } }",
                having(oi, "productos", |p| {
                    p["objetivosInstitucionales"]["nodes"]
                        .as_array()
                        .expect("a list")
                        .iter()
                        .any(|o| o["cambioClimatico"] == true)
                }),
            ),
            (
                "productos",
                "{ objetivosInstitucionales: { enfoqueGenero: true } }",
                having(pr, "objetivosInstitucionales", |o| o["enfoqueGenero"] == true),
            ),
            (
                "productos",
                r#"{ objetivosInstitucionales: { partida: "02", not: { tipo: ESTRATEGICO } } }"#,
                having(pr, "objetivosInstitucionales", |o| {
                    o["servicio"]["partida"]["codigo"] == "02" && o["tipo"] != "ESTRATEGICO"
                }),
            ),
            (
                "objetivosMinisteriales",
                "{ objetivosInstitucionales: { enfoqueGenero: true } }",
                having(om, "objetivosInstitucionales", |o| o["enfoqueGenero"] == true),
            ),
            (
                "objetivosMinisteriales",
                "{ not: { objetivosInstitucionales: { enfoqueGenero: true } } }",
                ids_without(om, "objetivosInstitucionales", |o| o["enfoqueGenero"] == true),
            ),
        ];
        for (list, filter, expected) in cases {
            assert!(!expected.is_empty(), "{list} {filter}: the generated data has such items");
            assert_eq!(ids(&t.db, list, filter).await, expected, "{}: {list} {filter}", t.backend);
        }
        // `not: { objetivosInstitucionales: {} }` is `sinObjetivos: true`.
        assert_eq!(
            ids(&t.db, "objetivosMinisteriales", "{ not: { objetivosInstitucionales: {} } }").await,
            ids(&t.db, "objetivosMinisteriales", "{ sinObjetivos: true }").await,
        );
    })
    .await;
}

/// The ids of `nodes` with no item of their `list` that passes `test`.
fn ids_without(nodes: &Value, list: &str, test: impl Fn(&Value) -> bool) -> Vec<Value> {
    let with = having(nodes, list, test);
    minus(&column(nodes, "id"), &with)
}

#[tokio::test]
async fn a_range_of_anos_keeps_the_periodos_it_overlaps() {
    each_database(|t| async move {
        load_generated(&t.db).await;
        let answer = query(&t.db, "{ fichas(first: 500) { nodes { id periodo { desde hasta } } } }").await;
        let fichas = answer.data()["fichas"]["nodes"].as_array().expect("a list").clone();
        let years = |f: &Value| {
            (
                f["periodo"]["desde"].as_i64().expect("a year"),
                f["periodo"]["hasta"].as_i64().expect("a year"),
            )
        };
        let mut starts: Vec<i64> = fichas.iter().map(|f| years(f).0).collect();
        starts.sort();
        starts.dedup();
        assert!(starts.len() >= 2, "two períodos: {starts:?}");
        let (first, last) = (starts[0], starts[starts.len() - 1]);
        for (filter, keep) in [
            (format!("{{ periodoDesde: {last} }}"), Box::new(move |(_, h): (i64, i64)| h >= last) as Box<dyn Fn((i64, i64)) -> bool>),
            (format!("{{ periodoHasta: {first} }}"), Box::new(move |(d, _): (i64, i64)| d <= first)),
            (format!("{{ periodoDesde: {first}, periodoHasta: {first} }}"), Box::new(move |(d, h): (i64, i64)| d <= first && h >= first)),
        ] {
            let expected: Vec<Value> = fichas.iter().filter(|f| keep(years(f))).map(|f| f["id"].clone()).collect();
            assert!(!expected.is_empty() && expected.len() < fichas.len(), "{filter} splits the fichas");
            assert_eq!(ids(&t.db, "fichas", &filter).await, expected, "{}: {filter}", t.backend);
        }
        // The same range on the lists that read it from a ficha.
        assert_eq!(
            ids(&t.db, "objetivosInstitucionales", &format!("{{ periodoDesde: {last} }}")).await.len() as i64,
            query(&t.db, &format!(r#"{{ objetivosInstitucionales(filter: {{ periodo: "{last}" }}) {{ totalCount }} }}"#))
                .await
                .data()["objetivosInstitucionales"]["totalCount"]
                .as_i64()
                .expect("a count"),
        );
        let refused = query(&t.db, "{ fichas(filter: { periodoDesde: 2030, periodoHasta: 2020 }) { totalCount } }").await;
        assert_eq!(refused.code(), "BAD_USER_INPUT");
        assert!(refused.message().contains("`periodoDesde` (2030) is after `periodoHasta` (2020)"), "{}", refused.message());
    })
    .await;
}

#[tokio::test]
async fn orders_and_link_predicates_cost_statements_by_depth() {
    each_database(|t| async move {
        let text = r#"{
          servicios(orderBy: [OBJETIVOS_SIN_PRODUCTOS_DESC], first: 10) { nodes {
            ficha { objetivosInstitucionales(orderBy: [PRODUCTOS_DESC], filter: { or: [{ productos: { sinObjetivos: false } }, { objetivosMinisteriales: { search: "a" } }] }) { nodes {
              prioridad
              productos(orderBy: [OBJETIVOS_DESC, NOMBRE_ASC]) { nodes { numero } }
            } } }
          } }
        }"#;
        load_sample(&t.db).await;
        let small = query(&t.db, text).await;
        small.data();
        load_generated(&t.db).await;
        let large = query(&t.db, text).await;
        let servicios = large.data()["servicios"]["nodes"].as_array().expect("a list").len();
        assert_eq!(servicios, 10);
        assert_eq!(small.statements(), large.statements(), "{}", t.backend);
        // The data version, servicios, fichas, objectives, productos.
        assert_eq!(large.statements(), 1 + 4, "{}", t.backend);
    })
    .await;
}
