//! The response cache: a dashboard's repeated queries are answered from
//! memory, and never once an import has changed the data.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use definiciones::http::cache::Versions;
use definiciones::http::{self, HttpSettings};
use definiciones::store::import::{Outcome, import_bytes};
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::helpers::{
    SAMPLE, accepting, call, each_database, get_revalidating, post_query, sample_as,
};

/// One server over the sample ficha.
async fn serving_sample(db: &DatabaseConnection, settings: HttpSettings) -> Router {
    import_bytes(db, "a.txt", "a.txt", SAMPLE.as_bytes())
        .await
        .expect("sample imports");
    http::router_with(db.clone(), settings)
}

fn without_cache() -> HttpSettings {
    HttpSettings {
        response_cache_mib: 0,
        ..HttpSettings::default()
    }
}

const COUNTS: &str = "{ fichas { totalCount } productos(first: 3) { nodes { nombre } } }";

#[tokio::test]
async fn repeated_queries_are_answered_from_memory_until_an_import_changes_the_data() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, HttpSettings::default()).await;

        let first = call(&router, post_query(COUNTS)).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.json()["data"]["fichas"]["totalCount"], 1);
        assert!(first.statements() > 1, "computed: {}", first.statements());

        let again = call(&router, post_query(COUNTS)).await;
        assert_eq!(again.bytes, first.bytes, "{}", t.backend);
        assert_eq!(again.statements(), 1, "only the data version was read");
        assert_eq!(
            again.headers[header::CONTENT_TYPE],
            first.headers[header::CONTENT_TYPE]
        );

        // Importing the same ficha again changes nothing: still kept.
        let same = import_bytes(&t.db, "a.txt", "a.txt", SAMPLE.as_bytes())
            .await
            .expect("imports");
        assert_eq!(same, Outcome::Unchanged);
        assert_eq!(call(&router, post_query(COUNTS)).await.statements(), 1);

        // A new ficha: the kept answer is stale and never served again.
        import_bytes(&t.db, "b.txt", "b.txt", sample_as("20", "02").as_bytes())
            .await
            .expect("imports");
        let changed = call(&router, post_query(COUNTS)).await;
        assert_eq!(
            changed.json()["data"]["fichas"]["totalCount"],
            2,
            "{}",
            t.backend
        );
        assert!(changed.statements() > 1);
        assert_eq!(call(&router, post_query(COUNTS)).await.bytes, changed.bytes);
    })
    .await;
}

#[tokio::test]
async fn each_media_type_and_method_keeps_its_own_answer() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, HttpSettings::default()).await;
        let graphql_json = "application/graphql-response+json";
        let plain = call(&router, post_query(COUNTS)).await;
        let typed = call(&router, accepting(graphql_json, post_query(COUNTS))).await;
        assert!(
            typed.statements() > 1,
            "not the answer kept for application/json"
        );
        let typed_again = call(&router, accepting(graphql_json, post_query(COUNTS))).await;
        assert_eq!(typed_again.statements(), 1);
        for (sent, media) in [(&plain, "application/json"), (&typed_again, graphql_json)] {
            let content_type = sent.headers[header::CONTENT_TYPE].to_str().expect("ascii");
            assert!(content_type.starts_with(media), "{content_type}");
        }

        // GET: the kept answer keeps its tag, and revalidates to 304.
        let uri = "/graphql?query=%7B%20fichas%20%7B%20totalCount%20%7D%20%7D";
        let first = call(&router, get_revalidating(uri, None)).await;
        let etag = first.headers[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_owned();
        let kept = call(&router, get_revalidating(uri, None)).await;
        assert_eq!(kept.statements(), 1);
        assert_eq!(kept.headers[header::ETAG], etag.as_str());
        assert_eq!(kept.bytes, first.bytes);
        let revalidated = call(&router, get_revalidating(uri, Some(&etag))).await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
        assert!(revalidated.bytes.is_empty());

        // A POST with the wrong content type is refused, whatever is kept.
        let wrong = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(json!({ "query": COUNTS }).to_string()))
            .expect("request");
        assert_eq!(
            call(&router, wrong).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
    })
    .await;
}

#[tokio::test]
async fn answers_with_errors_are_computed_every_time() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, HttpSettings::default()).await;
        // The partidas resolve; the page of 1,000 servicios is refused.
        let query = "{ partidas { nodes { codigo } } servicios(first: 1000) { nodes { nombre } } }";
        for _ in 0..2 {
            let sent = call(&router, post_query(query)).await;
            assert_eq!(
                sent.json()["errors"][0]["extensions"]["code"],
                "BAD_USER_INPUT"
            );
            assert!(sent.statements() > 1, "{}: computed again", t.backend);
        }
    })
    .await;
}

#[tokio::test]
async fn a_server_without_a_cache_computes_every_answer() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, without_cache()).await;
        let first = call(&router, post_query(COUNTS)).await;
        let again = call(&router, post_query(COUNTS)).await;
        assert_eq!(again.bytes, first.bytes);
        assert_eq!(
            again.statements(),
            first.statements(),
            "{}: no data version read, nothing kept",
            t.backend
        );
        assert!(again.statements() > 1);
    })
    .await;
}

/// `db` counting its reads of the data version, and the count.
fn counting_version_reads(db: &DatabaseConnection) -> (DatabaseConnection, Arc<AtomicUsize>) {
    let reads = Arc::new(AtomicUsize::new(0));
    let counter = reads.clone();
    // A clone of the pool with a callback of its own: only what runs
    // through this clone is counted, whatever else uses the pool.
    let mut counted = db.clone();
    counted.set_metric_callback(move |info| {
        if info.statement.sql.contains("data_version") {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    (counted, reads)
}

#[tokio::test]
async fn requests_arriving_together_share_a_read_of_the_data_version() {
    const TOGETHER: usize = 50;
    each_database(|t| async move {
        let (counted, reads) = counting_version_reads(&t.db);
        let versions = Versions::new(counted);
        let before = versions.current().await.expect("a version");
        assert_eq!(reads.load(Ordering::SeqCst), 1, "one request, one read");
        // All spawned before any runs: they arrive together.
        let together: Vec<_> = (0..TOGETHER)
            .map(|_| {
                let versions = versions.clone();
                tokio::spawn(async move { versions.current().await })
            })
            .collect();
        for read in together {
            let read = read.await.expect("joins").expect("a version");
            assert_eq!(read.version, before.version);
            // The maxima read with the first version serve while it holds.
            assert!(std::sync::Arc::ptr_eq(&read.maxima, &before.maxima));
        }
        let shared = reads.load(Ordering::SeqCst) - 1;
        assert!(
            shared < TOGETHER,
            "{}: {TOGETHER} requests arriving together read the data version {shared} times",
            t.backend
        );
        // An import that changes the data: every later read sees it.
        import_bytes(&t.db, "a.txt", "a.txt", SAMPLE.as_bytes())
            .await
            .expect("sample imports");
        let after = versions.current().await.expect("a version");
        assert_eq!(after.version, before.version + 1, "{}", t.backend);
        // With the maxima of the data as it is now.
        assert_eq!(
            after
                .maxima
                .most(definiciones::loaders::Link::FichaProductos),
            Some(10)
        );
    })
    .await;
}

#[tokio::test]
async fn the_same_query_over_the_same_data_is_the_same_bytes() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, without_cache()).await;
        // Siblings that finish in different orders: the answer keeps the
        // query's order every time, so its bytes (and its tag) are stable.
        let query = "{ productos(first: 3) { nodes { nombre } } fichas { totalCount } \
                     z: partidas { totalCount } a: estadisticas { fichas } }";
        let first = call(&router, post_query(query)).await;
        let text = first.text();
        let at = |key: &str| text.find(key).unwrap_or_else(|| panic!("{key} in {text}"));
        assert!(at("\"productos\"") < at("\"fichas\""), "{text}");
        assert!(
            at("\"fichas\"") < at("\"z\"") && at("\"z\"") < at("\"a\""),
            "{text}"
        );
        for _ in 0..20 {
            assert_eq!(
                call(&router, post_query(query)).await.bytes,
                first.bytes,
                "{}",
                t.backend
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_text_parsed_before_is_answered_with_each_requests_own_variables() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, without_cache()).await;
        let text = "query Q($term: String) { \
                    objetivosInstitucionales(filter: { search: $term }) { totalCount } }";
        let ask = |term: &str| {
            let body = json!({ "query": text, "variables": { "term": term } }).to_string();
            Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("request")
        };
        let total = |reply: &crate::helpers::Reply| {
            reply.json()["data"]["objetivosInstitucionales"]["totalCount"].clone()
        };
        let genero = call(&router, ask("genero")).await;
        let nothing = call(&router, ask("no hay tal objetivo")).await;
        let genero_again = call(&router, ask("genero")).await;
        assert_eq!(total(&genero), 3, "{}", t.backend);
        assert_eq!(total(&nothing), 0, "{}", t.backend);
        assert_eq!(genero_again.bytes, genero.bytes, "{}", t.backend);

        // A text that does not parse, or does not validate, is refused each
        // time it comes.
        for _ in 0..2 {
            let broken = call(&router, post_query("{ fichas(first: ")).await;
            assert_eq!(broken.code(), "GRAPHQL_PARSE_FAILED", "{}", t.backend);
            let unknown = call(&router, post_query("{ fichas { nodes { noSuchField } } }")).await;
            assert_eq!(unknown.code(), "GRAPHQL_VALIDATION_FAILED", "{}", t.backend);
        }
    })
    .await;
}
