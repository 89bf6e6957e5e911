//! The GraphQL API over real HTTP requests (in-process, through the same
//! router the server runs), on SQLite and PostgreSQL.

use axum::http::{StatusCode, header};
use definiciones::http::{self, HttpSettings, SQL_STATEMENTS_HEADER};
use definiciones::store::import::import_bytes;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::{
    Reply, SAMPLE, SAMPLE_NAME, accepting, each_database, get, load_sample, migrated_again_from,
    post, query, sample_as, send, statements_run,
};

fn numbers(nodes: &Value, field: &str) -> Vec<i64> {
    nodes
        .as_array()
        .expect("a list")
        .iter()
        .map(|n| n[field].as_i64().expect("a number"))
        .collect()
}

#[tokio::test]
async fn producto_3_leads_to_ministry_objective_1_and_partida_20_and_back() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              productos(filter: { search: "Diálogos con la sociedad civil" }, first: 5) {
                nodes {
                  numero nombre
                  objetivosInstitucionales(first: 5) { nodes {
                    prioridad
                    objetivosMinisteriales(first: 5) { nodes {
                      prioridad
                      partida { codigo }
                    } }
                  } }
                  objetivosMinisteriales(first: 5) { nodes { prioridad } }
                }
              }
              partida(codigo: "20") {
                objetivosMinisteriales(periodo: "2024-2026", filter: { search: "difundir la accion" }, first: 5) { nodes {
                  prioridad
                  objetivosInstitucionales(first: 10) { nodes { prioridad productos(first: 10) { nodes { numero nombre } } } }
                } }
              }
            }"#,
        )
        .await;
        let data = answer.data();
        let p = &data["productos"]["nodes"][0];
        assert_eq!(p["numero"], 3, "{}", t.backend);
        assert_eq!(p["nombre"], "Diálogos con la sociedad civil.");
        let oi = &p["objetivosInstitucionales"]["nodes"][0];
        assert_eq!(oi["prioridad"], 1);
        assert_eq!(oi["objetivosMinisteriales"]["nodes"], json!([{ "prioridad": 1, "partida": { "codigo": "20" } }]));
        assert_eq!(p["objetivosMinisteriales"]["nodes"], json!([{ "prioridad": 1 }]));

        let back = &data["partida"]["objetivosMinisteriales"]["nodes"];
        assert_eq!(numbers(back, "prioridad"), [1]);
        let oi = &back[0]["objetivosInstitucionales"]["nodes"];
        assert_eq!(numbers(oi, "prioridad"), [1]);
        assert_eq!(oi[0]["productos"]["nodes"], json!([{ "numero": 3, "nombre": "Diálogos con la sociedad civil." }]));
    })
    .await;
}

#[tokio::test]
async fn every_type_links_to_its_neighbours() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              servicio(partida: "20", capitulo: "01") {
                capitulo nombre
                partida { codigo nombre servicios { totalCount } }
                fichas { totalCount nodes { periodo { desde hasta } } }
                ficha {
                  periodo { desde hasta }
                  leyOrganica mision partidaNombre servicioNombre
                  fuente { archivo sha256 linea importadoEn }
                  servicio { capitulo }
                  objetivosInstitucionales(filter: { cambioClimatico: true }) { nodes {
                    prioridad tipo enfoqueGenero cambioClimatico
                    ficha { periodo { desde } }
                    servicio { capitulo }
                    fuente { linea }
                  } }
                  productos(first: 1) { nodes { numero ficha { periodo { hasta } } servicio { capitulo } fuente { linea } } }
                }
              }
              objetivosMinisteriales(filter: { tipo: GESTION_INSTITUCIONAL }) { nodes {
                prioridad tipo periodo { desde hasta } partida { codigo } fuente { archivo linea }
              } }
            }"#,
        )
        .await;
        let s = &answer.data()["servicio"];
        assert_eq!(s["nombre"], "SECRETARIA GENERAL DE GOBIERNO", "{}", t.backend);
        assert_eq!(s["partida"]["servicios"]["totalCount"], 1);
        assert_eq!(s["fichas"]["nodes"], json!([{ "periodo": { "desde": 2024, "hasta": 2026 } }]));
        let f = &s["ficha"];
        assert!(f["leyOrganica"].as_str().expect("text").starts_with("Ley N° 19.032"));
        assert_eq!(f["fuente"]["archivo"], "sample.txt");
        assert_eq!(f["fuente"]["linea"], 3);
        assert_eq!(f["fuente"]["sha256"], definiciones::store::import::sha256_hex(SAMPLE.as_bytes()));
        assert_eq!(
            f["objetivosInstitucionales"]["nodes"],
            json!([{
                "prioridad": 9, "tipo": "GESTION_INSTITUCIONAL", "enfoqueGenero": true, "cambioClimatico": true,
                "ficha": { "periodo": { "desde": 2024 } }, "servicio": { "capitulo": "01" }, "fuente": { "linea": 46 }
            }])
        );
        assert_eq!(
            f["productos"]["nodes"],
            json!([{ "numero": 1, "ficha": { "periodo": { "hasta": 2026 } }, "servicio": { "capitulo": "01" }, "fuente": { "linea": 52 } }])
        );
        let m = &answer.data()["objetivosMinisteriales"]["nodes"];
        assert_eq!(numbers(m, "prioridad"), [8, 9]);
        assert_eq!(m[0]["fuente"], json!({ "archivo": "sample.txt", "linea": 29 }));
    })
    .await;
}

#[tokio::test]
async fn objectives_with_no_producto_are_the_alignment_gap() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              gap: objetivosInstitucionales(filter: { sinProductos: true }) { totalCount nodes { prioridad } }
              served: objetivosInstitucionales(filter: { sinProductos: false }) { totalCount }
              sinObjetivos: productos(filter: { sinObjetivos: true }) { totalCount }
              ministerialesSinServir: objetivosMinisteriales(filter: { sinObjetivos: true }) { totalCount }
            }"#,
        )
        .await;
        let data = answer.data();
        assert_eq!(numbers(&data["gap"]["nodes"], "prioridad"), [7, 8, 9], "{}", t.backend);
        assert_eq!(data["gap"]["totalCount"], 3);
        assert_eq!(data["served"]["totalCount"], 6);
        assert_eq!(data["sinObjetivos"]["totalCount"], 0);
        assert_eq!(data["ministerialesSinServir"]["totalCount"], 0);
    })
    .await;
}

#[tokio::test]
async fn search_ignores_case_and_accents() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              genero: objetivosInstitucionales(filter: { search: "genero" }) { nodes { prioridad } }
              gestion: objetivosMinisteriales(filter: { search: "GESTION" }) { nodes { prioridad } }
              participacion: productos(filter: { search: "participacion" }) { nodes { numero } }
              percent: productos(filter: { search: "100%" }) { totalCount }
              servicios(filter: { search: "secretaría general" }) { totalCount }
              partidas(filter: { search: "ministerio secretaria" }) { totalCount }
              fichas(filter: { search: "DEMOCRÁTICO" }) { totalCount }
            }"#,
        )
        .await;
        let data = answer.data();
        assert_eq!(
            numbers(&data["genero"]["nodes"], "prioridad"),
            [4, 5, 8],
            "{}",
            t.backend
        );
        assert_eq!(
            numbers(&data["gestion"]["nodes"], "prioridad"),
            [3, 4, 5, 9]
        );
        assert_eq!(numbers(&data["participacion"]["nodes"], "numero"), [7, 8]);
        assert_eq!(data["percent"]["totalCount"], 0);
        assert_eq!(data["servicios"]["totalCount"], 1);
        assert_eq!(data["partidas"]["totalCount"], 1);
        assert_eq!(data["fichas"]["totalCount"], 1);
    })
    .await;
}

#[tokio::test]
async fn filters_select_what_they_say() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        load_more(&t.db, &[("07", "02")]).await;
        let answer = query(
            &t.db,
            r#"{
              gestion: objetivosInstitucionales(filter: { tipo: GESTION_INSTITUCIONAL, partida: "20" }) { nodes { prioridad } }
              sinGenero: objetivosInstitucionales(filter: { enfoqueGenero: false }) { totalCount }
              otraPartida: objetivosInstitucionales(filter: { partidas: ["07"], capitulo: "02" }) { totalCount }
              ninguna: objetivosInstitucionales(filter: { partida: "99" }) { totalCount }
              anio: fichas(filter: { periodo: "2025" }) { totalCount }
              exacto: fichas(filter: { periodo: "2024-2026" }) { totalCount }
              antes: fichas(filter: { periodo: "2019" }) { totalCount }
              ministerio: objetivosMinisteriales(filter: { partida: "07" }) { totalCount }
              servicios(filter: { partida: "07" }) { nodes { capitulo partida { codigo } } }
              partidas(filter: { codigos: ["07", "20"] }) { nodes { codigo } }
            }"#,
        )
        .await;
        let data = answer.data();
        assert_eq!(numbers(&data["gestion"]["nodes"], "prioridad"), [7, 8, 9], "{}", t.backend);
        assert_eq!(data["sinGenero"]["totalCount"], 0);
        assert_eq!(data["otraPartida"]["totalCount"], 9);
        assert_eq!(data["ninguna"]["totalCount"], 0);
        assert_eq!(data["anio"]["totalCount"], 2);
        assert_eq!(data["exacto"]["totalCount"], 2);
        assert_eq!(data["antes"]["totalCount"], 0);
        assert_eq!(data["ministerio"]["totalCount"], 9);
        assert_eq!(data["servicios"]["nodes"], json!([{ "capitulo": "02", "partida": { "codigo": "07" } }]));
        assert_eq!(data["partidas"]["nodes"], json!([{ "codigo": "07" }, { "codigo": "20" }]));
    })
    .await;
}

#[tokio::test]
async fn pages_follow_cursors_both_ways() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
          productos(first: $first, after: $after, last: $last, before: $before) {
            totalCount
            pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
            edges { cursor node { numero } }
            nodes { numero }
          }
        }"#;
        let page = |v: Value| {
            let db = t.db.clone();
            async move { post(&db, PAGE, v).await }
        };
        let first = page(json!({ "first": 4 })).await;
        let p = &first.data()["productos"];
        assert_eq!(numbers(&p["nodes"], "numero"), [1, 2, 3, 4], "{}", t.backend);
        assert_eq!(p["totalCount"], 10);
        assert_eq!(p["pageInfo"]["hasNextPage"], true);
        assert_eq!(p["pageInfo"]["hasPreviousPage"], false);
        assert_eq!(p["edges"][3]["cursor"], p["pageInfo"]["endCursor"]);

        let second = page(json!({ "first": 4, "after": p["pageInfo"]["endCursor"] })).await;
        let p2 = &second.data()["productos"];
        assert_eq!(numbers(&p2["nodes"], "numero"), [5, 6, 7, 8]);
        assert_eq!(p2["pageInfo"]["hasPreviousPage"], true);

        let last = page(json!({ "first": 4, "after": p2["pageInfo"]["endCursor"] })).await;
        let p3 = &last.data()["productos"];
        assert_eq!(numbers(&p3["nodes"], "numero"), [9, 10]);
        assert_eq!(p3["pageInfo"]["hasNextPage"], false);

        let empty = page(json!({ "first": 4, "after": p3["pageInfo"]["endCursor"] })).await;
        let p4 = &empty.data()["productos"];
        assert_eq!(p4["nodes"], json!([]));
        assert_eq!(p4["totalCount"], 10, "the total is the list's, not the page's");
        assert_eq!(p4["pageInfo"]["hasNextPage"], false);
        assert_eq!(p4["pageInfo"]["endCursor"], Value::Null);

        let backward = page(json!({ "last": 3 })).await;
        let b = &backward.data()["productos"];
        assert_eq!(numbers(&b["nodes"], "numero"), [8, 9, 10]);
        assert_eq!(b["pageInfo"]["hasPreviousPage"], true);
        assert_eq!(b["pageInfo"]["hasNextPage"], false);
        let before = page(json!({ "last": 3, "before": b["pageInfo"]["startCursor"] })).await;
        let b2 = &before.data()["productos"];
        assert_eq!(numbers(&b2["nodes"], "numero"), [5, 6, 7]);
        assert_eq!(b2["pageInfo"]["hasNextPage"], true);

        // Nested lists page too.
        let nested = query(&t.db, r#"{ fichas { nodes { productos(first: 2, after: "Y3Vyc29yOjI=") { totalCount nodes { numero } } } } }"#).await;
        let n = &nested.data()["fichas"]["nodes"][0]["productos"];
        assert_eq!(numbers(&n["nodes"], "numero"), [3, 4]);
        assert_eq!(n["totalCount"], 10);

        // A nested list (paged here) pages as the top-level one (paged by
        // the database) does, from either end.
        for (window, expected) in [
            ("first: 3", [1, 2, 3].as_slice()),
            ("last: 2", &[9, 10]),
            (r#"last: 2, before: "Y3Vyc29yOjU=""#, &[3, 4]),
            (r#"first: 20, after: "Y3Vyc29yOjg=""#, &[9, 10]),
            (r#"after: "Y3Vyc29yOjI=", before: "Y3Vyc29yOjU=""#, &[3, 4]),
        ] {
            let list = format!(
                "productos({window}) {{ totalCount nodes {{ numero }} pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }}"
            );
            let both = query(&t.db, &format!("{{ {list} fichas {{ nodes {{ {list} }} }} }}")).await;
            let top = &both.data()["productos"];
            let nested = &both.data()["fichas"]["nodes"][0]["productos"];
            assert_eq!(numbers(&top["nodes"], "numero"), expected, "{window} on {}", t.backend);
            assert_eq!(nested, top, "{window} on {}", t.backend);
        }
    })
    .await;
}

#[tokio::test]
async fn bad_paging_is_a_bad_user_input_error() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        for (q, needle) in [
            (
                r#"{ productos(after: "bm90LWEtY3Vyc29y") { totalCount } }"#,
                "not a cursor",
            ),
            (
                r#"{ productos(after: "???") { totalCount } }"#,
                "not a cursor",
            ),
            (r#"{ productos(first: 501) { totalCount } }"#, "at most 500"),
            (
                r#"{ productos(first: -1) { totalCount } }"#,
                "must not be negative",
            ),
            (
                r#"{ productos(first: 1, last: 1) { totalCount } }"#,
                "not both",
            ),
            (
                r#"{ fichas { nodes { productos(last: 900) { totalCount } } } }"#,
                "at most 500",
            ),
            (
                r#"{ fichas(filter: { periodo: "2024/2026" }) { totalCount } }"#,
                "periodo",
            ),
        ] {
            let answer = query(&t.db, q).await;
            assert_eq!(answer.code(), "BAD_USER_INPUT", "{q}: {}", answer.json());
            let message = answer.json()["errors"][0]["message"]
                .as_str()
                .expect("message");
            assert!(message.contains(needle), "{q}: {message}");
        }
        let ok = query(&t.db, "{ productos(first: 500) { totalCount } }").await;
        assert_eq!(ok.data()["productos"]["totalCount"], 10);
    })
    .await;
}

#[tokio::test]
async fn unknown_codes_and_ids_are_null_without_error() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let answer = query(
            &t.db,
            r#"{
              partida(codigo: "99") { codigo }
              otra: partida(codigo: "020") { codigo }
              servicio(partida: "20", capitulo: "1") { nombre }
              node(id: "bm9wZToxMjM=") { id }
              missing: node(id: "UHJvZHVjdG86OTk5OTk=") { id }
              servicioSinFicha: servicio(partida: "20", capitulo: "01") { ficha(periodo: "2019") { mision } }
            }"#,
        )
        .await;
        assert_eq!(
            answer.data(),
            &json!({ "partida": null, "otra": null, "servicio": null, "node": null, "missing": null,
                     "servicioSinFicha": { "ficha": null } }),
            "{}",
            t.backend
        );
    })
    .await;
}

#[tokio::test]
async fn every_node_is_found_by_its_global_id() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let ids = query(
            &t.db,
            r#"{
              partidas { nodes { id } }
              servicios { nodes { id } }
              fichas { nodes { id } }
              objetivosMinisteriales(first: 1) { nodes { id } }
              objetivosInstitucionales(first: 1) { nodes { id } }
              productos(first: 1) { nodes { id } }
            }"#,
        )
        .await;
        for (list, type_name) in [
            ("partidas", "Partida"),
            ("servicios", "Servicio"),
            ("fichas", "Ficha"),
            ("objetivosMinisteriales", "ObjetivoMinisterial"),
            ("objetivosInstitucionales", "ObjetivoInstitucional"),
            ("productos", "Producto"),
        ] {
            let id = ids.data()[list]["nodes"][0]["id"].clone();
            let found = post(
                &t.db,
                "query($id: ID!) { node(id: $id) { id __typename } }",
                json!({ "id": id }),
            )
            .await;
            assert_eq!(
                found.data()["node"],
                json!({ "id": id, "__typename": type_name }),
                "{}",
                t.backend
            );
        }
    })
    .await;
}

/// Import the sample under more partida/capítulo codes.
async fn load_more(db: &DatabaseConnection, codes: &[(&str, &str)]) {
    for (partida, capitulo) in codes {
        let name = format!("{partida}_{capitulo}.txt");
        import_bytes(db, &name, &name, sample_as(partida, capitulo).as_bytes())
            .await
            .expect("variant imports");
    }
}

/// A query six levels deep across every servicio, with explicit page
/// sizes.
const DEEP: &str = r#"{
  partidas(first: 10) { nodes {
    codigo
    servicios(first: 5) { totalCount nodes {
      capitulo
      ficha {
        periodo { desde }
        objetivosInstitucionales(first: 10) { totalCount nodes {
          prioridad
          objetivosMinisteriales(first: 3) { nodes { prioridad partida { codigo } } }
          productos(first: 5) { nodes { numero objetivosInstitucionales(first: 3) { nodes { prioridad } } } }
        } }
      }
    } }
  } }
}"#;

#[tokio::test]
async fn statements_depend_on_depth_not_on_how_many_services() {
    each_database(|t| async move {
        let mut codes = Vec::new();
        for partida in ["20", "21", "22"] {
            for capitulo in ["01", "02"] {
                codes.push((partida, capitulo));
            }
        }
        load_more(&t.db, &codes).await;
        let small = query(&t.db, DEEP).await;
        assert_eq!(
            small.data()["partidas"]["nodes"]
                .as_array()
                .expect("list")
                .len(),
            3
        );

        let mut more = Vec::new();
        for partida in ["23", "24", "25", "26", "27"] {
            for capitulo in ["01", "02", "03", "04"] {
                more.push((partida, capitulo));
            }
        }
        load_more(&t.db, &more).await;
        let large = query(&t.db, DEEP).await;
        let partidas = large.data()["partidas"]["nodes"].as_array().expect("list");
        assert_eq!(partidas.len(), 8);
        let productos: usize = partidas
            .iter()
            .flat_map(|p| p["servicios"]["nodes"].as_array().expect("list").clone())
            .flat_map(|s| {
                s["ficha"]["objetivosInstitucionales"]["nodes"]
                    .as_array()
                    .expect("list")
                    .clone()
            })
            .map(|o| o["productos"]["nodes"].as_array().expect("list").len())
            .sum();
        assert_eq!(
            productos,
            26 * 10,
            "every producto of 26 servicios is in the answer"
        );

        assert_eq!(
            small.statements(),
            large.statements(),
            "{}: statements grew with the data",
            t.backend
        );
        // The data version (the response cache's key), then partidas,
        // servicios, fichas, objectives, ministry objectives and their
        // partidas, productos and their objectives: one each.
        assert_eq!(large.statements(), 1 + 8, "{}", t.backend);
    })
    .await;
}

/// A level's statement reads the same whatever the number of parents it
/// reads for (their ids bound as one value): each connection prepares it
/// once and keeps one plan for it, instead of a new statement for every
/// length of an `IN` list.
#[tokio::test]
async fn statements_read_the_same_whatever_the_number_of_rows() {
    each_database(|t| async move {
        load_more(&t.db, &[("20", "01"), ("21", "01")]).await;
        let (small, few) = statements_run(query(&t.db, DEEP)).await;
        let servicios = |answer: &Reply| -> usize {
            answer.data()["partidas"]["nodes"]
                .as_array()
                .expect("list")
                .iter()
                .map(|p| p["servicios"]["nodes"].as_array().expect("list").len())
                .sum()
        };
        assert_eq!(servicios(&small), 2, "{}", t.backend);
        let mut more = Vec::new();
        for partida in ["22", "23", "24"] {
            for capitulo in ["01", "02", "03"] {
                more.push((partida, capitulo));
            }
        }
        load_more(&t.db, &more).await;
        let (large, many) = statements_run(query(&t.db, DEEP)).await;
        assert_eq!(servicios(&large), 11, "{}", t.backend);
        assert_eq!(few.len(), small.statements(), "every statement was heard");
        // The data version's read names the version it was read at, and a
        // level's statements run side by side, in no set order.
        let unversioned = |statements: Vec<String>| -> Vec<String> {
            let mut texts: Vec<String> = statements
                .into_iter()
                .filter(|sql| !sql.contains("data_version"))
                .collect();
            texts.sort();
            texts
        };
        assert_eq!(unversioned(few), unversioned(many), "{}", t.backend);
    })
    .await;
}

/// A list leaves its rows' long texts (`descripcion`, `nombre`) in the
/// database unless its fields show them, however the query asks for them
/// (an alias, a fragment, `edges { node }`), and two fields that differ
/// only in that share one statement.
#[tokio::test]
async fn a_list_reads_the_texts_its_rows_show_and_no_others() {
    each_database(|t| async move {
        load_more(&t.db, &[("20", "01"), ("07", "01")]).await;
        let walk = |partida: &str, servicio: &str, objetivo: &str, ministerial: &str, producto: &str| {
            format!(
                r#"fragment Texto on ObjetivoInstitucional {{ prioridad {objetivo} }}
                {{ partidas {{ nodes {{ codigo {partida}
                     servicios {{ nodes {{ capitulo {servicio} ficha {{
                       objetivosInstitucionales(first: 10) {{ edges {{ node {{ id prioridad ...Texto
                         objetivosMinisteriales {{ nodes {{ id prioridad {ministerial} }} }}
                         productos(first: 5) {{ nodes {{ id numero ... on Producto {{ numero {producto} }} }} }}
                       }} }} }}
                     }} }} }}
                }} }} }}"#
            )
        };
        let (numbers, number_sql) = statements_run(query(&t.db, &walk("", "", "", "", ""))).await;
        let (texts, text_sql) = statements_run(query(
            &t.db,
            &walk("nombre", "titulo: nombre", "descripcion", "descripcion", "nombre"),
        ))
        .await;
        for answer in [&numbers, &texts] {
            assert!(answer.json().get("errors").is_none(), "{}", answer.json());
        }
        assert_eq!(numbers.statements(), texts.statements(), "{}", t.backend);
        for column in ["x.descripcion", "x.nombre"] {
            assert!(
                number_sql.iter().all(|sql| !sql.contains(column)),
                "{}: a walk that shows no text read {column}: {number_sql:#?}",
                t.backend
            );
            assert!(
                text_sql.iter().any(|sql| sql.contains(column)),
                "{}: {column} was not read: {text_sql:#?}",
                t.backend
            );
        }

        // Every text shown is the row's own, as `node(id)` reads it whole.
        let partidas = texts.data()["partidas"]["nodes"].as_array().expect("list");
        let servicios: Vec<&Value> = partidas
            .iter()
            .flat_map(|p| p["servicios"]["nodes"].as_array().expect("list"))
            .collect();
        let objetivos: Vec<&Value> = servicios
            .iter()
            .flat_map(|s| s["ficha"]["objetivosInstitucionales"]["edges"].as_array().expect("list"))
            .map(|edge| &edge["node"])
            .collect();
        let mut shown = Vec::new();
        for objetivo in &objetivos {
            shown.push((objetivo["id"].clone(), "descripcion", objetivo["descripcion"].clone()));
            for ministerial in objetivo["objetivosMinisteriales"]["nodes"].as_array().expect("list") {
                shown.push((ministerial["id"].clone(), "descripcion", ministerial["descripcion"].clone()));
            }
            for producto in objetivo["productos"]["nodes"].as_array().expect("list") {
                shown.push((producto["id"].clone(), "nombre", producto["nombre"].clone()));
            }
        }
        assert!(shown.len() > 20, "{}: {}", t.backend, shown.len());
        for (id, field, text) in &shown {
            assert!(text.as_str().is_some_and(|text| text.len() > 3), "{}: {id} {field} {text}", t.backend);
            let whole = post(
                &t.db,
                "query($id: ID!) { node(id: $id) { \
                   ... on ObjetivoInstitucional { descripcion } \
                   ... on ObjetivoMinisterial { descripcion } \
                   ... on Producto { nombre } } }",
                json!({ "id": id }),
            )
            .await;
            assert_eq!(&whole.data()["node"][field], text, "{}: {id}", t.backend);
        }
        assert!(
            servicios.iter().all(|s| s["titulo"].as_str().is_some_and(|n| !n.is_empty()))
                && partidas.iter().all(|p| p["nombre"].as_str().is_some_and(|n| !n.is_empty())),
            "{}",
            t.backend
        );

        // Two fields under each objective, the same list, one showing the
        // names: one statement, which reads them.
        let productos = |second: &str| {
            format!(
                r#"{{ objetivosInstitucionales(first: 20) {{ nodes {{
                     productos(first: 5) {{ nodes {{ id numero }} }} {second} }} }} }}"#
            )
        };
        let (alone, _) = statements_run(query(&t.db, &productos(""))).await;
        let (both, both_sql) = statements_run(query(
            &t.db,
            &productos("nombrados: productos(first: 5) { nodes { id nombre } }"),
        ))
        .await;
        assert_eq!(alone.statements(), both.statements(), "{}", t.backend);
        assert!(both_sql.iter().any(|sql| sql.contains("x.nombre")), "{}", t.backend);
        for objetivo in both.data()["objetivosInstitucionales"]["nodes"].as_array().expect("list") {
            let ids = |list: &str| -> Vec<Value> {
                objetivo[list]["nodes"].as_array().expect("list").iter().map(|p| p["id"].clone()).collect()
            };
            assert_eq!(ids("productos"), ids("nombrados"), "{}", t.backend);
            for producto in objetivo["nombrados"]["nodes"].as_array().expect("list") {
                assert!(
                    producto["nombre"].as_str().is_some_and(|n| !n.is_empty()),
                    "{}: {producto}",
                    t.backend
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_servicios_of_a_page_of_objectives_and_productos_are_one_statement() {
    each_database(|t| async move {
        load_more(&t.db, &[("20", "02"), ("07", "01")]).await;
        for list in ["objetivosInstitucionales", "productos"] {
            let ask = |nodes: &str| format!("{{ {list}(first: 50) {{ nodes {{ {nodes} }} }} }}");
            let alone = query(&t.db, &ask("id")).await;
            let with_servicio = query(&t.db, &ask("servicio { id nombre }")).await;
            let through_ficha = query(&t.db, &ask("ficha { servicio { id nombre } }")).await;
            let both = query(
                &t.db,
                &ask("ficha { periodo { desde } } servicio { nombre }"),
            )
            .await;
            let nodes = with_servicio.data()[list]["nodes"].clone();
            let fichas = through_ficha.data()[list]["nodes"].clone();
            let nodes = nodes.as_array().expect("list");
            assert!(nodes.len() > 10, "{}", t.backend);
            for (node, ficha) in nodes.iter().zip(fichas.as_array().expect("list")) {
                assert_eq!(
                    node["servicio"], ficha["ficha"]["servicio"],
                    "{list}: the servicio is the ficha's ({})",
                    t.backend
                );
            }
            // A top-level page brings its rows' servicios in its own
            // statement; through the fichas they are two more, and the
            // fichas beside the servicios one.
            let more = |answer: &Reply| answer.statements() - alone.statements();
            assert_eq!(more(&with_servicio), 0, "{list}, {}", t.backend);
            assert_eq!(more(&through_ficha), 2, "{list}, {}", t.backend);
            assert_eq!(more(&both), 1, "{list}, {}", t.backend);
            let beside = both.data()[list]["nodes"].clone();
            for (node, beside) in nodes.iter().zip(beside.as_array().expect("list")) {
                assert_eq!(
                    node["servicio"]["nombre"], beside["servicio"]["nombre"],
                    "{list}: the same servicio beside the ficha ({})",
                    t.backend
                );
            }
            // Under a ficha, the level's servicios are still one statement.
            let nested = |nodes: &str| {
                format!(
                    "{{ fichas {{ nodes {{ {list}(first: 50) {{ nodes {{ {nodes} }} }} }} }} }}"
                )
            };
            let nested_alone = query(&t.db, &nested("id")).await;
            let nested_servicio = query(&t.db, &nested("servicio { id nombre }")).await;
            assert_eq!(
                nested_servicio.statements() - nested_alone.statements(),
                1,
                "{list} under fichas, {}",
                t.backend
            );
        }
    })
    .await;
}

/// The sample, and an older ficha of the same servicio (2022-2024): its
/// latest is still the sample's, 2024-2026.
async fn load_sample_and_an_older_ficha(db: &DatabaseConnection) {
    load_sample(db).await;
    let older = SAMPLE.replace("AÑO 2024-2026", "AÑO 2022-2024");
    import_bytes(db, "older.txt", "older.txt", older.as_bytes())
        .await
        .expect("the older ficha imports");
}

#[tokio::test]
async fn a_servicio_by_its_codes_brings_its_latest_ficha_when_asked_for_it() {
    each_database(|t| async move {
        load_sample_and_an_older_ficha(&t.db).await;
        load_more(&t.db, &[("07", "01")]).await;
        let ask = |fields: &str| {
            format!(r#"{{ servicio(partida: "20", capitulo: "01") {{ capitulo {fields} }} }}"#)
        };
        let alone = query(&t.db, &ask("")).await;
        let latest = query(&t.db, &ask("ficha { periodo { desde hasta } mision }")).await;
        let through_list = query(
            &t.db,
            r#"{ servicios(filter: { partidas: ["20"], capitulo: "01" }) {
                   nodes { ficha { periodo { desde hasta } mision } } } }"#,
        )
        .await;
        assert_eq!(
            latest.data()["servicio"]["ficha"],
            through_list.data()["servicios"]["nodes"][0]["ficha"],
            "{}",
            t.backend
        );
        assert_eq!(
            latest.data()["servicio"]["ficha"]["periodo"]["desde"],
            2024,
            "{}",
            t.backend
        );
        assert_eq!(
            latest.statements(),
            alone.statements(),
            "{}: the latest ficha came with the servicio",
            t.backend
        );
        // A período names another ficha: read on its own.
        let named = query(
            &t.db,
            &ask(r#"ficha(periodo: "2022") { periodo { desde } }"#),
        )
        .await;
        assert_eq!(
            named.data()["servicio"]["ficha"]["periodo"]["desde"],
            2022,
            "{}",
            t.backend
        );
        assert_eq!(named.statements(), alone.statements() + 1, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn a_servicio_by_its_codes_brings_its_latest_fichas_lists_in_its_own_statement() {
    each_database(|t| async move {
        // The lists are the latest ficha's, not the older one's.
        load_sample_and_an_older_ficha(&t.db).await;
        // The lists a servicio's page shows, each asked in several ways:
        // windows from both ends, a cursor, filters, orders, aliases.
        let lists = r#"
            objetivosInstitucionales(first: 3) {
              totalCount
              pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
              edges { cursor node { prioridad tipo descripcion productos { nodes { numero } } } }
            }
            ultimos: objetivosInstitucionales(last: 2) {
              totalCount pageInfo { hasNextPage hasPreviousPage } nodes { prioridad }
            }
            porTipo: objetivosInstitucionales(orderBy: [TIPO_DESC, PRIORIDAD_DESC], first: 4, after: "Y3Vyc29yOjE=") {
              pageInfo { hasNextPage hasPreviousPage } nodes { prioridad tipo }
            }
            gestion: objetivosInstitucionales(filter: { tipo: GESTION_INSTITUCIONAL }) {
              totalCount nodes { prioridad }
            }
            productos { totalCount nodes { numero nombre objetivosInstitucionales { nodes { prioridad } } } }
            porObjetivos: productos(orderBy: [OBJETIVOS_DESC, NUMERO_DESC], first: 2) { nodes { numero } }
        "#;
        let by_codes = |fields: &str| {
            format!(r#"{{ servicio(partida: "20", capitulo: "01") {{ ficha {{ periodo {{ desde }} {fields} }} }} }}"#)
        };
        let ficha_alone = query(&t.db, &by_codes("")).await;
        let with_lists = query(&t.db, &by_codes(lists)).await;
        // The same lists under the same ficha, read by the lists' own
        // statements: the answers a servicio's page must give.
        let through_fichas = query(
            &t.db,
            &format!(
                r#"{{ fichas(filter: {{ partida: "20", capitulo: "01", periodo: "2024-2026" }}) {{
                       nodes {{ periodo {{ desde }} {lists} }} }} }}"#
            ),
        )
        .await;
        assert!(with_lists.json().get("errors").is_none(), "{}", with_lists.json());
        let ficha = &with_lists.data()["servicio"]["ficha"];
        assert_eq!(ficha["periodo"]["desde"], 2024, "{}", t.backend);
        assert_eq!(
            *ficha,
            through_fichas.data()["fichas"]["nodes"][0],
            "{}",
            t.backend
        );
        assert!(
            ficha["objetivosInstitucionales"]["totalCount"].as_i64() > Some(3),
            "{}",
            t.backend
        );
        // Six lists, and not a statement more than the ficha alone took,
        // beside those of the levels under them (the objectives'
        // productos, the productos' objectives).
        let levels_under = query(
            &t.db,
            r#"{ fichas(filter: { partida: "20", capitulo: "01", periodo: "2024-2026" }) {
                   nodes { objetivosInstitucionales(first: 3) { nodes { productos { nodes { numero } } } }
                           productos { nodes { objetivosInstitucionales { nodes { prioridad } } } } } } }"#,
        )
        .await;
        let list_statements = query(
            &t.db,
            r#"{ fichas(filter: { partida: "20", capitulo: "01", periodo: "2024-2026" }) {
                   nodes { objetivosInstitucionales(first: 3) { nodes { prioridad } }
                           productos { nodes { numero } } } } }"#,
        )
        .await;
        assert_eq!(
            with_lists.statements(),
            ficha_alone.statements() + levels_under.statements() - list_statements.statements(),
            "{}: the ficha's lists came with the servicio",
            t.backend
        );
        // A list whose arguments are wrong says so, as anywhere else.
        let wrong = query(
            &t.db,
            &by_codes(r#"objetivosInstitucionales(after: "nope") { nodes { prioridad } }"#),
        )
        .await;
        assert!(
            wrong.json()["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("not a cursor")),
            "{}: {}",
            t.backend,
            wrong.json()
        );
        // No such servicio: null, lists and all.
        let none = query(
            &t.db,
            r#"{ servicio(partida: "07", capitulo: "02") { ficha { productos { nodes { numero } } } } }"#,
        )
        .await;
        assert_eq!(none.data()["servicio"], serde_json::Value::Null, "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn a_servicio_by_its_codes_brings_its_partida_without_a_statement_of_its_own() {
    each_database(|t| async move {
        load_more(&t.db, &[("20", "02"), ("07", "01")]).await;
        let alone = query(
            &t.db,
            r#"{ servicio(partida: "20", capitulo: "02") { capitulo } }"#,
        )
        .await;
        let with_partida = query(
            &t.db,
            r#"{ servicio(partida: "20", capitulo: "02") { capitulo partida { codigo servicios { totalCount } } } }"#,
        )
        .await;
        assert_eq!(
            with_partida.data()["servicio"]["partida"]["codigo"],
            "20",
            "{}",
            t.backend
        );
        // The servicio's partida came with it; its servicios are a list of
        // their own, one statement.
        assert_eq!(
            with_partida.statements(),
            alone.statements() + 1,
            "{}",
            t.backend
        );
        let other = query(
            &t.db,
            r#"{ servicio(partida: "07", capitulo: "01") { partida { codigo } } }"#,
        )
        .await;
        assert_eq!(other.data()["servicio"]["partida"]["codigo"], "07");
        assert_eq!(other.statements(), alone.statements(), "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn estadisticas_count_everything_a_dashboard_shows() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        load_more(&t.db, &[("20", "02"), ("07", "01")]).await;
        let answer = query(
            &t.db,
            r#"{
              estadisticas {
                partidas servicios fichas
                objetivosMinisteriales { total estrategicos gestionInstitucional sinObjetivos }
                objetivosInstitucionales { total estrategicos gestionInstitucional conEnfoqueGenero conCambioClimatico sinProductos }
                productos { total sinObjetivos }
                enlaces { institucionalMinisterial productoInstitucional }
                porPartida { codigo servicios fichas objetivosMinisteriales { total } productos { total } partida { nombre } }
                porPeriodo { periodo { desde hasta } partidas servicios fichas }
              }
              uno: estadisticas(filter: { partida: "07" }) { partidas servicios productos { total } }
              ninguno: estadisticas(filter: { periodo: "2019" }) { fichas porPartida { codigo } }
              partidas { nodes { codigo estadisticas { servicios fichas objetivosInstitucionales { sinProductos } } } }
            }"#,
        )
        .await;
        let data = answer.data();
        assert_eq!(
            data["estadisticas"],
            json!({
                "partidas": 2, "servicios": 3, "fichas": 3,
                "objetivosMinisteriales": { "total": 18, "estrategicos": 14, "gestionInstitucional": 4, "sinObjetivos": 0 },
                "objetivosInstitucionales": { "total": 27, "estrategicos": 18, "gestionInstitucional": 9,
                    "conEnfoqueGenero": 27, "conCambioClimatico": 3, "sinProductos": 9 },
                "productos": { "total": 30, "sinObjetivos": 0 },
                "enlaces": { "institucionalMinisterial": 27, "productoInstitucional": 30 },
                "porPartida": [
                    { "codigo": "07", "servicios": 1, "fichas": 1, "objetivosMinisteriales": { "total": 9 }, "productos": { "total": 10 },
                      "partida": { "nombre": "MINISTERIO SECRETARIA GENERAL DE GOBIERNO" } },
                    { "codigo": "20", "servicios": 2, "fichas": 2, "objetivosMinisteriales": { "total": 9 }, "productos": { "total": 20 },
                      "partida": { "nombre": "MINISTERIO SECRETARIA GENERAL DE GOBIERNO" } }
                ],
                "porPeriodo": [ { "periodo": { "desde": 2024, "hasta": 2026 }, "partidas": 2, "servicios": 3, "fichas": 3 } ]
            }),
            "{}",
            t.backend
        );
        assert_eq!(data["uno"], json!({ "partidas": 1, "servicios": 1, "productos": { "total": 10 } }));
        assert_eq!(data["ninguno"], json!({ "fichas": 0, "porPartida": [] }));
        assert_eq!(
            data["partidas"]["nodes"],
            json!([
                { "codigo": "07", "estadisticas": { "servicios": 1, "fichas": 1, "objetivosInstitucionales": { "sinProductos": 3 } } },
                { "codigo": "20", "estadisticas": { "servicios": 2, "fichas": 2, "objetivosInstitucionales": { "sinProductos": 6 } } }
            ])
        );
    })
    .await;
}

#[tokio::test]
async fn estadisticas_count_a_servicio_once_across_periodos() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let earlier = SAMPLE.replace("AÑO 2024-2026", "AÑO 2020-2022");
        import_bytes(&t.db, "2020.txt", "2020.txt", earlier.as_bytes())
            .await
            .expect("earlier ficha imports");
        let answer = query(
            &t.db,
            r#"{
              estadisticas {
                partidas servicios fichas productos { total }
                porPartida { codigo servicios fichas }
                porPeriodo { periodo { desde } partidas servicios fichas productos { total } }
              }
              partidas { nodes { estadisticas { servicios fichas } } }
              anio: estadisticas(filter: { periodo: "2025" }) { servicios fichas porPartida { fichas } }
            }"#,
        )
        .await;
        let data = answer.data();
        assert_eq!(
            data["estadisticas"],
            json!({
                "partidas": 1, "servicios": 1, "fichas": 2, "productos": { "total": 20 },
                "porPartida": [ { "codigo": "20", "servicios": 1, "fichas": 2 } ],
                "porPeriodo": [
                    { "periodo": { "desde": 2020 }, "partidas": 1, "servicios": 1, "fichas": 1, "productos": { "total": 10 } },
                    { "periodo": { "desde": 2024 }, "partidas": 1, "servicios": 1, "fichas": 1, "productos": { "total": 10 } }
                ]
            }),
            "{}",
            t.backend
        );
        assert_eq!(
            data["partidas"]["nodes"],
            json!([{ "estadisticas": { "servicios": 1, "fichas": 2 } }])
        );
        assert_eq!(
            data["anio"],
            json!({ "servicios": 1, "fichas": 1, "porPartida": [{ "fichas": 1 }] })
        );
        // A year inside two of the servicio's períodos: still one servicio.
        let between = SAMPLE.replace("AÑO 2024-2026", "AÑO 2022-2024");
        import_bytes(&t.db, "2022.txt", "2022.txt", between.as_bytes())
            .await
            .expect("a third ficha imports");
        let answer = query(
            &t.db,
            r#"{ estadisticas(filter: { periodo: "2022" }) { servicios fichas porPartida { servicios fichas } porPeriodo { fichas } } }"#,
        )
        .await;
        assert_eq!(
            answer.data()["estadisticas"],
            json!({ "servicios": 1, "fichas": 2, "porPartida": [{ "servicios": 1, "fichas": 2 }],
                    "porPeriodo": [{ "fichas": 1 }, { "fichas": 1 }] }),
            "{}",
            t.backend
        );
    })
    .await;
}

#[tokio::test]
async fn search_follows_a_replaced_ficha() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let search = r#"{
          antes: productos(filter: { search: "dialogos con la sociedad" }) { totalCount }
          despues: productos(filter: { search: "cabildos" }) { totalCount }
        }"#;
        let before = query(&t.db, search).await;
        assert_eq!(
            before.data(),
            &json!({ "antes": { "totalCount": 1 }, "despues": { "totalCount": 0 } })
        );
        let replaced = SAMPLE.replace("Diálogos con la sociedad civil.", "Cabildos ciudadanos.");
        import_bytes(&t.db, SAMPLE_NAME, SAMPLE_NAME, replaced.as_bytes())
            .await
            .expect("the ficha imports again");
        let after = query(&t.db, search).await;
        assert_eq!(
            after.data(),
            &json!({ "antes": { "totalCount": 0 }, "despues": { "totalCount": 1 } }),
            "{}",
            t.backend
        );
    })
    .await;
}

/// Each term's `totalCount` against the rows its search lists, for
/// objectives and productos, with the nodes and alone (two ways of
/// counting); how many rows the terms matched in all.
async fn search_totals(db: &DatabaseConnection, backend: &str) -> usize {
    // Long and short terms (a trigram index finds no term under three
    // characters), a quote, a `%`, a term that matches nothing.
    let terms = [
        "genero",
        "ciudadan",
        "de",
        "a",
        "participacion",
        "la \"x",
        "100%",
        "zzz",
    ];
    let mut matched = 0;
    for list in ["objetivosInstitucionales", "productos"] {
        for term in terms {
            let term = json!(term);
            let answer = post(
                db,
                &format!(
                    "query($term: String!) {{
                       listed: {list}(filter: {{ search: $term }}, first: 100) {{ totalCount nodes {{ id }} }}
                       counted: {list}(filter: {{ search: $term }}) {{ totalCount }}
                     }}"
                ),
                json!({ "term": term }),
            )
            .await;
            let data = answer.data();
            let listed = data["listed"]["nodes"].as_array().expect("a list").len();
            assert!(
                listed < 100,
                "{list} {term}: a page short of the whole list"
            );
            assert_eq!(
                data["listed"]["totalCount"], listed,
                "{list} {term} on {backend}"
            );
            assert_eq!(
                data["counted"]["totalCount"], listed,
                "{list} {term} on {backend}"
            );
            matched += listed;
        }
    }
    matched
}

#[tokio::test]
async fn a_search_counts_the_rows_it_lists() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let matched = search_totals(&t.db, t.backend).await;
        assert!(matched > 20, "the terms match rows ({matched})");
        // On SQLite a search's total is counted in a trigram index the
        // importer keeps; a ficha imported again keeps it in step, and an
        // index built over rows already stored counts them all.
        let replaced = SAMPLE.replace(
            "Diálogos con la sociedad civil.",
            "Cabildos de la ciudadanía.",
        );
        import_bytes(&t.db, SAMPLE_NAME, SAMPLE_NAME, replaced.as_bytes())
            .await
            .expect("the ficha imports again");
        assert_eq!(search_totals(&t.db, t.backend).await, matched + 2);
        let db = migrated_again_from(&t, "m20261207_000009_search_index").await;
        assert_eq!(search_totals(&db, t.backend).await, matched + 2);
    })
    .await;
}

#[tokio::test]
async fn comparacion_shows_what_changed_between_periods() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let earlier = SAMPLE
            .replace("AÑO 2024-2026", "AÑO 2020-2022")
            .replace("Diálogos con la sociedad civil.", "Cabildos ciudadanos.")
            .replace("\n10\tEscuelas de Formación Social\t\t2", "");
        import_bytes(&t.db, "2020.txt", "2020.txt", earlier.as_bytes()).await.expect("earlier ficha imports");
        let answer = query(
            &t.db,
            r#"{ servicio(partida: "20", capitulo: "01") {
                 fichas { nodes { periodo { desde } } }
                 ficha { periodo { desde } }
                 comparacion(desde: "2020-2022", hasta: "2024") {
                   desde { periodo { desde } } hasta { periodo { desde } }
                   objetivosInstitucionales { agregados { prioridad } eliminados { prioridad } mantenidos { antes { prioridad } } }
                   productos { agregados { nombre } eliminados { nombre } mantenidos { antes { numero } despues { numero } } }
                 }
                 sinDatos: comparacion(desde: "2010", hasta: "2024") { desde { id } }
            } }"#,
        )
        .await;
        let s = &answer.data()["servicio"];
        assert_eq!(s["fichas"]["nodes"], json!([{ "periodo": { "desde": 2020 } }, { "periodo": { "desde": 2024 } }]), "{}", t.backend);
        assert_eq!(s["ficha"], json!({ "periodo": { "desde": 2024 } }), "latest by default");
        let c = &s["comparacion"];
        assert_eq!(c["desde"]["periodo"]["desde"], 2020);
        assert_eq!(c["objetivosInstitucionales"]["agregados"], json!([]));
        assert_eq!(c["objetivosInstitucionales"]["mantenidos"].as_array().expect("list").len(), 9);
        assert_eq!(
            c["productos"]["agregados"],
            json!([{ "nombre": "Diálogos con la sociedad civil." }, { "nombre": "Escuelas de Formación Social" }])
        );
        assert_eq!(c["productos"]["eliminados"], json!([{ "nombre": "Cabildos ciudadanos." }]));
        assert_eq!(c["productos"]["mantenidos"].as_array().expect("list").len(), 8);
        assert_eq!(s["sinDatos"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let uri = "/graphql?query=query%20Q(%24c%3AString!)%7Bpartida(codigo%3A%24c)%7Bnombre%7D%7D&variables=%7B%22c%22%3A%2220%22%7D&operationName=Q";
        let reply = send(&t.db, &HttpSettings::default(), get(uri)).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(reply.headers.contains_key(SQL_STATEMENTS_HEADER));
        assert_eq!(reply.json()["data"]["partida"]["nombre"], "MINISTERIO SECRETARIA GENERAL DE GOBIERNO");

        let mutation = "/graphql?query=mutation%20%7B%20x%20%7D";
        let reply = send(&t.db, &HttpSettings::default(), get(mutation)).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.headers.get(header::ALLOW).expect("Allow"), "POST");
    })
    .await;
}

#[tokio::test]
async fn browsers_get_graphiql_with_a_default_query() {
    each_database(|t| async move {
        for uri in ["/", "/graphql"] {
            let reply = send(
                &t.db,
                &HttpSettings::default(),
                accepting("text/html", get(uri)),
            )
            .await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}");
            assert!(
                reply.headers[header::CONTENT_TYPE]
                    .to_str()
                    .expect("ascii")
                    .starts_with("text/html")
            );
            let page = reply.text();
            assert!(page.contains("GraphiQL"), "{uri}");
            assert!(
                page.contains("objetivosMinisteriales"),
                "{uri}: the default query walks the links"
            );
        }
        // The default query itself runs.
        load_sample(&t.db).await;
        let answer = query(&t.db, http::DEFAULT_QUERY).await;
        assert_eq!(answer.data()["productos"]["totalCount"], 1);
        assert_eq!(answer.data()["sinProductos"]["totalCount"], 3);
    })
    .await;
}

#[tokio::test]
async fn the_sdl_is_served_and_checked_in() {
    let sdl = definiciones::graphql::sdl();
    let checked_in =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
            .unwrap_or_default();
    assert!(
        checked_in == sdl,
        "schema.graphql differs from the schema the code builds; regenerate it with\n\n    cargo run -- schema > schema.graphql\n"
    );
    each_database(|t| async move {
        let reply = send(&t.db, &HttpSettings::default(), get("/schema.graphql")).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.text(), definiciones::graphql::sdl());
    })
    .await;
}

#[tokio::test]
async fn errors_carry_a_code_and_no_internals() {
    each_database(|t| async move {
        let answer = query(&t.db, "{ nosuchfield }").await;
        assert!(
            answer.json()["errors"][0]["message"]
                .as_str()
                .expect("message")
                .contains("nosuchfield")
        );
        t.db.clone().close().await.expect("close");
        let answer = query(&t.db, "{ productos { totalCount } }").await;
        assert_eq!(
            answer.code(),
            "DATABASE_UNAVAILABLE",
            "{}: {}",
            t.backend,
            answer.json()
        );
        let text = answer.json().to_string().to_lowercase();
        assert!(!text.contains("sqlx") && !text.contains("select"), "{text}");
    })
    .await;
}

/// Whether `expected` (a README response, trimmed) is part of `actual`:
/// every key it shows is there with the same value; strings ending in `…`
/// are prefixes; list items written as `"… n more"` stand for the rest.
fn shows(expected: &Value, actual: &Value) -> Result<(), String> {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            e.iter().try_for_each(|(key, value)| match a.get(key) {
                Some(found) => shows(value, found).map_err(|m| format!("{key}.{m}")),
                None => Err(format!("{key}: missing")),
            })
        }
        (Value::Array(e), Value::Array(a)) => {
            let shown: Vec<&Value> = e
                .iter()
                .filter(|v| !v.as_str().is_some_and(|s| s.starts_with('…')))
                .collect();
            if shown.len() == e.len() && e.len() != a.len() {
                return Err(format!("expected {} items, got {}", e.len(), a.len()));
            }
            shown
                .iter()
                .zip(a)
                .enumerate()
                .try_for_each(|(i, (e, a))| shows(e, a).map_err(|m| format!("[{i}].{m}")))
        }
        (Value::String(e), Value::String(a)) if e.ends_with(" …") => a
            .starts_with(e.trim_end_matches(" …"))
            .then_some(())
            .ok_or_else(|| format!("{a:?} does not start with {e:?}")),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("expected {e}, got {a}")),
    }
}

#[tokio::test]
async fn every_query_in_the_readme_cookbook_returns_what_it_shows() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let cookbook = readme
        .split("### Query cookbook")
        .nth(1)
        .expect("a cookbook section");
    let cookbook = cookbook.split("\n## ").next().expect("the section");
    let blocks: Vec<(&str, &str)> = cookbook
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|block| block.split_once('\n'))
        .collect();
    let queries: Vec<&str> = blocks
        .iter()
        .filter(|(lang, _)| *lang == "graphql")
        .map(|(_, q)| *q)
        .collect();
    let responses: Vec<&str> = blocks
        .iter()
        .filter(|(lang, _)| *lang == "json")
        .map(|(_, r)| *r)
        .collect();
    assert_eq!(queries.len(), 9, "nine recipes");
    assert_eq!(
        queries.len(),
        responses.len(),
        "each recipe shows its response"
    );
    each_database(|t| {
        let pairs: Vec<(String, String)> =
            queries.iter().zip(&responses).map(|(q, r)| (q.to_string(), r.to_string())).collect();
        async move {
            import_bytes(&t.db, crate::helpers::SAMPLE_NAME, crate::helpers::SAMPLE_NAME, SAMPLE.as_bytes())
                .await
                .expect("sample imports");
            for (q, r) in pairs {
                let expected: Value = serde_json::from_str(&r).unwrap_or_else(|e| panic!("README response is not JSON ({e}):\n{r}"));
                let answer = query(&t.db, &q).await;
                answer.data();
                if let Err(difference) = shows(&expected, answer.json()) {
                    panic!("{}: the README shows\n{r}\nbut the query\n{q}\nanswers\n{}\n({difference})", t.backend, answer.json());
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn the_benchmark_queries_answer_on_generated_data() {
    each_database(|t| async move {
        crate::helpers::load_generated(&t.db, 8, 24, 1, 3).await;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/queries");
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .expect("bench/queries")
            .map(|e| e.expect("entry").path())
            .collect();
        names.sort();
        assert_eq!(names.len(), 5);
        for path in names {
            let text = std::fs::read_to_string(&path).expect("a query");
            let answer = query(&t.db, &text).await;
            let data = answer.data();
            assert!(
                data.as_object()
                    .expect("an object")
                    .values()
                    .all(|v| !v.is_null()),
                "{}: {} answered {data}",
                t.backend,
                path.display()
            );
        }
    })
    .await;
}
