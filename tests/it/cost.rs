//! The cost limit: a query is costed as the objects its answer can hold,
//! each list as many items as its page and the data allow (the maxima the
//! importer keeps per link), and refused over `--max-cost`; every answer
//! says what it was costed at in `extensions.cost`.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use definiciones::http::HttpSettings;
use definiciones::http::limits::Limits;
use definiciones::loaders::{Link, Maxima, maxima};
use definiciones::store::import::import_bytes;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    SAMPLE, accepting, answered, ask, call, each_database, get, load_sample, migrated_again_from,
    post_json, post_query, run, sample_as, send,
};

/// The README's graph, written the natural way: no page sizes.
const README_GRAPH: &str = r#"{ partida(codigo: "20") { servicios { nodes { ficha { objetivosInstitucionales { nodes {
    objetivosMinisteriales { nodes { prioridad } } productos { nodes { numero } } } } } } } } }"#;

/// The objects an answer's `data` holds: every JSON object in it but
/// `data` itself.
fn objects_in(data: &Value) -> u64 {
    fn objects(value: &Value) -> u64 {
        match value {
            Value::Object(fields) => 1 + fields.values().map(objects).sum::<u64>(),
            Value::Array(items) => items.iter().map(objects).sum(),
            _ => 0,
        }
    }
    objects(data) - 1
}

/// The answer's `extensions.cost`, as (estimated, limit).
fn cost_of(answer: &Value) -> (u64, u64) {
    let cost = &answer["extensions"]["cost"];
    (
        cost["estimated"]
            .as_u64()
            .unwrap_or_else(|| panic!("extensions.cost: {answer}")),
        cost["limit"].as_u64().expect("the limit"),
    )
}

/// Settings with a cost limit of `cost` objects.
fn costing(cost: u64) -> HttpSettings {
    HttpSettings {
        limits: Limits {
            cost,
            ..Limits::default()
        },
        ..HttpSettings::default()
    }
}

/// The maxima as every link counted again over the whole database (what
/// the migration's backfill writes).
async fn recounted(db: &DatabaseConnection) -> Vec<(String, i64, i64)> {
    let backend = db.get_database_backend();
    let rows = db
        .query_all_raw(Statement::from_string(backend, migration::link_maxima()))
        .await
        .expect("recount");
    rows.iter()
        .map(|row| {
            (
                row.try_get_by_index(0).expect("link"),
                row.try_get_by_index(1).expect("most"),
                row.try_get_by_index(2).expect("total"),
            )
        })
        .collect()
}

/// The maxima kept by the importer, as the same rows.
async fn kept(db: &DatabaseConnection) -> Vec<(String, i64, i64)> {
    let kept = maxima(db).await.expect("maxima");
    Link::ALL
        .iter()
        .map(|&link| {
            (
                link.name().to_owned(),
                kept.most(link).expect("kept") as i64,
                kept.total(link).expect("kept") as i64,
            )
        })
        .collect()
}

#[tokio::test]
async fn the_importer_keeps_each_link_s_maxima_as_a_recount_finds_them() {
    each_database(|t| async move {
        // Before any ficha: every link is known, and empty.
        assert_eq!(kept(&t.db).await, recounted(&t.db).await);
        assert_eq!(
            maxima(&t.db)
                .await
                .expect("maxima")
                .most(Link::FichaProductos),
            Some(0)
        );

        load_sample(&t.db).await;
        let sample = maxima(&t.db).await.expect("maxima");
        // The sample ficha: 9 objectives, each serving one ministry
        // objective, and 10 productos, each serving one objective; an
        // objective is served by up to 3 productos.
        assert_eq!(
            sample,
            Maxima::of(&[
                (Link::Partidas, 1, 1),
                (Link::PartidaServicios, 1, 1),
                (Link::PartidaObjetivosMinisteriales, 9, 9),
                (Link::ServicioFichas, 1, 1),
                (Link::FichaObjetivosInstitucionales, 9, 9),
                (Link::FichaProductos, 10, 10),
                (Link::InstitucionalMinisteriales, 1, 9),
                (Link::MinisterialInstitucionales, 1, 9),
                (Link::InstitucionalProductos, 3, 10),
                (Link::ProductoInstitucionales, 1, 10),
                (Link::ProductoMinisteriales, 1, 10),
                (Link::Periodos, 1, 1),
            ]),
            "{}",
            t.backend
        );

        // The ficha replaced by one whose objective 5 has one producto
        // instead of three: the maxima follow it down.
        let spread = SAMPLE
            .replace("La Moneda Informa.\t\t5", "La Moneda Informa.\t\t4")
            .replace("Autoridades.\t\t5", "Autoridades.\t\t6");
        let outcome = import_bytes(&t.db, "spread.txt", "spread.txt", spread.as_bytes())
            .await
            .expect("imports");
        assert_eq!(outcome, definiciones::store::import::Outcome::Replaced);
        let spread = maxima(&t.db).await.expect("maxima");
        assert_eq!(
            spread.most(Link::InstitucionalProductos),
            Some(2),
            "{}",
            t.backend
        );
        assert_eq!(kept(&t.db).await, recounted(&t.db).await, "{}", t.backend);

        // More fichas: other servicios of the partida (sharing its
        // ministry objectives), another partida.
        for (partida, capitulo) in [("20", "02"), ("20", "03"), ("21", "01")] {
            let name = format!("{partida}_{capitulo}.txt");
            import_bytes(&t.db, &name, &name, sample_as(partida, capitulo).as_bytes())
                .await
                .expect("imports");
        }
        assert_eq!(kept(&t.db).await, recounted(&t.db).await, "{}", t.backend);
        let more = maxima(&t.db).await.expect("maxima");
        assert_eq!(more.most(Link::PartidaServicios), Some(3));
        assert_eq!(more.total(Link::PartidaServicios), Some(4));
        assert_eq!(more.most(Link::InstitucionalProductos), Some(3));
        // Each ministry objective of partida 20 is now served by three
        // servicios' objectives.
        assert_eq!(more.most(Link::MinisterialInstitucionales), Some(3));
    })
    .await;
}

#[tokio::test]
async fn the_migration_counts_the_maxima_of_fichas_imported_before_it() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let imported = kept(&t.db).await;
        // As a database imported before the migration: without the table.
        let db = migrated_again_from(&t, "m20261206_000006_link_maxima").await;
        assert_eq!(kept(&db).await, imported, "{}", t.backend);
        db.close().await.expect("close");
    })
    .await;
}

#[tokio::test]
async fn the_readme_graph_is_answered_and_costed_as_what_it_holds() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let reply = ask(&t.db, &HttpSettings::default(), README_GRAPH).await;
        let data = reply.data();
        let objetivos =
            &data["partida"]["servicios"]["nodes"][0]["ficha"]["objetivosInstitucionales"]["nodes"];
        assert_eq!(objetivos.as_array().map(Vec::len), Some(9));
        // 9 objectives, their 9 ministry objectives and 10 productos, and
        // the partida, servicio, ficha and a connection above each list:
        // the estimate is the answer's size exactly.
        assert_eq!(objects_in(data), 51, "{}", t.backend);
        assert_eq!(cost_of(reply.json()), (51, 100_000), "{}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn a_query_over_the_limit_is_refused_naming_its_cost_the_limit_and_the_heaviest_list() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        // Just within, and just over.
        answered(&t.db, &costing(51), README_GRAPH).await;
        let reply = ask(&t.db, &costing(50), README_GRAPH).await;
        assert_eq!(reply.code(), "COST_LIMIT_EXCEEDED", "{}", reply.json());
        assert_eq!(reply.json()["data"], Value::Null, "nothing ran");
        assert_eq!(
            reply.message(),
            "the answer may hold up to 51 objects, more than the 50 allowed; the most come from \
             `partida.servicios.nodes.ficha.objetivosInstitucionales.nodes.productos`, up to 10 items. \
             Each list counts as many items as its page (`first`, 50 when not given) and the data allow, \
             for each object above it: ask for smaller pages, fewer nested lists or fewer aliases, or split \
             the query. `extensions.cost` in an answer shows what a query is estimated at"
        );
        assert_eq!(cost_of(reply.json()), (51, 50));
        // A request error: 400 with the GraphQL-over-HTTP media type.
        let typed = send(
            &t.db,
            &costing(50),
            accepting("application/graphql-response+json", post_query(README_GRAPH)),
        )
        .await;
        assert_eq!(typed.status, StatusCode::BAD_REQUEST, "{}", typed.text());
        assert_eq!(typed.code(), "COST_LIMIT_EXCEEDED");
    })
    .await;
}

#[tokio::test]
async fn every_answer_carries_its_cost_get_post_batched_and_kept() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let router = definiciones::http::router(t.db.clone());
        let query = "{ productos(first: 3) { nodes { numero } } }";
        let posted = call(&router, post_query(query)).await;
        assert_eq!(cost_of(posted.json()), (4, 100_000));
        // Kept, and sent again as it was.
        let again = call(&router, post_query(query)).await;
        assert_eq!(again.statements(), 1, "kept");
        assert_eq!(cost_of(again.json()), (4, 100_000));
        let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
        let got = call(&router, get(&format!("/graphql?query={encoded}"))).await;
        assert_eq!(cost_of(got.json()), (4, 100_000));
        // Each operation of a batch its own; with its variables.
        let batch = json!([
            { "query": query },
            {
                "query": "query Q($n: Int) { partidas(first: $n) { nodes { codigo } } }",
                "variables": { "n": 5 }
            },
            { "query": "{ __typename }" },
        ]);
        let batched = call(&router, post_json(batch.to_string())).await;
        let answers = batched.json().as_array().expect("a batch").clone();
        assert_eq!(cost_of(&answers[0]), (4, 100_000));
        // 5 partidas asked for; the data has 1.
        assert_eq!(cost_of(&answers[1]), (2, 100_000));
        assert_eq!(cost_of(&answers[2]), (0, 100_000));
        // A document that does not parse was never costed.
        let broken = call(&router, post_query("{ partidas {")).await;
        assert!(broken.json()["extensions"].get("cost").is_none());
    })
    .await;
}

#[tokio::test]
async fn a_deeply_nested_filter_is_refused_like_a_deep_selection() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        // Input objects the schema accepts.
        answered(
            &t.db,
            &settings,
            r#"{ partidas(filter: { codigos: ["20"] }) { totalCount } }"#,
        )
        .await;
        // Nesting the limit catches before validation: 11 input objects
        // under a field (12 levels with it), then 12 (13 levels).
        let nested = |levels: usize| {
            let mut value = "{ codigo: \"20\" }".to_owned();
            for _ in 1..levels {
                value = format!("{{ y: {value} }}");
            }
            format!("{{ partidas(filter: {value}) {{ totalCount }} }}")
        };
        let within = ask(&t.db, &settings, &nested(11)).await;
        assert_eq!(
            within.code(),
            "GRAPHQL_VALIDATION_FAILED",
            "{}",
            within.json()
        );
        let deep = ask(&t.db, &settings, &nested(12)).await;
        assert_eq!(deep.code(), "DEPTH_LIMIT_EXCEEDED", "{}", deep.json());
        assert!(deep.message().contains("at most 12"), "{}", deep.message());
        // The same through a variable.
        let mut value = json!({ "codigo": "20" });
        for _ in 1..12 {
            value = json!({ "y": value });
        }
        let body = json!({
            "query": "query Q($f: PartidaFilter) { partidas(filter: $f) { totalCount } }",
            "variables": { "f": value },
        });
        let reply = send(&t.db, &settings, post_json(body.to_string())).await;
        assert_eq!(reply.code(), "DEPTH_LIMIT_EXCEEDED", "{}", reply.json());
    })
    .await;
}

/// Import the national-scale generated data (`definiciones generate`'s
/// defaults): 30 partidas, 220 servicios, 3 períodos each, 660 fichas.
async fn load_national(db: &DatabaseConnection) {
    crate::helpers::load_generated(db, 30, 220, 3, 1).await;
}

#[tokio::test]
async fn the_whole_country_is_answered_and_a_query_of_millions_is_refused_at_once() {
    each_database(|t| async move {
        load_national(&t.db).await;
        assert_eq!(kept(&t.db).await, recounted(&t.db).await, "{}", t.backend);
        let settings = HttpSettings::default();

        // Every partida's servicios' latest ficha's objectives and their
        // productos, no page sizes.
        let country = "{ partidas { nodes { codigo servicios { nodes { capitulo ficha { objetivosInstitucionales { nodes { prioridad productos { nodes { numero } } } } } } } } } }";
        let reply = ask(&t.db, &settings, country).await;
        let data = reply.data();
        let (estimated, limit) = cost_of(reply.json());
        let held = objects_in(data);
        assert!(
            held <= estimated && estimated <= limit,
            "{}: holds {held}, estimated {estimated}, limit {limit}",
            t.backend
        );
        assert_eq!(
            data["partidas"]["nodes"].as_array().map(Vec::len),
            Some(30)
        );

        // Small explicit pages across 20 partidas.
        let pages = "{ partidas(first: 20) { nodes { servicios(first: 5) { nodes { ficha { objetivosInstitucionales(first: 10) { nodes { objetivosMinisteriales(first: 3) { nodes { prioridad } } productos(first: 5) { nodes { numero objetivosInstitucionales(first: 3) { nodes { prioridad } } } } } } } } } } } }";
        answered(&t.db, &settings, pages).await;

        // Aliases × many-to-many links × the largest page: millions.
        let level = "productos(first: 500) { nodes { objetivosInstitucionales(first: 500) { nodes { objetivosMinisteriales(first: 500) { nodes { objetivosInstitucionales(first: 500) { nodes { prioridad } } } } } } } }";
        let millions: String = (0..20).map(|i| format!("a{i}: {level} ")).collect();
        let millions = format!("{{ {millions} }}");
        let started = Instant::now();
        let reply = ask(&t.db, &settings, &millions).await;
        let took = started.elapsed();
        assert_eq!(reply.code(), "COST_LIMIT_EXCEEDED", "{}", reply.json());
        let (estimated, _) = cost_of(reply.json());
        assert!(estimated > 1_000_000, "{}: {estimated}", t.backend);
        assert!(
            reply.message().contains("the most come from `a0.nodes.objetivosInstitucionales.nodes.objetivosMinisteriales.nodes.objetivosInstitucionales`"),
            "{}",
            reply.message()
        );
        assert!(took < Duration::from_millis(500), "{}: {took:?}", t.backend);
    })
    .await;
}

#[test]
fn the_retired_complexity_flag_is_refused_with_what_replaced_it() {
    let cwd = tempfile::tempdir().expect("tempdir");
    for (args, env) in [
        (&["serve", "--max-complexity", "5000"][..], &[][..]),
        (
            &["serve"][..],
            &[("DEFINICIONES_MAX_COMPLEXITY", "5000")][..],
        ),
    ] {
        let output = run(args, Some(cwd.path()), env);
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("`--max-complexity` (DEFINICIONES_MAX_COMPLEXITY) is retired")
                && stderr.contains("--max-cost"),
            "{stderr}"
        );
    }
}
