//! The response cache: a dashboard's repeated queries are answered from
//! memory, and never once an import has changed the data.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use definiciones::http::{self, HttpSettings, SQL_STATEMENTS_HEADER};
use definiciones::store::import::{Outcome, import_bytes};
use http_body_util::BodyExt;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{SAMPLE, each_database, sample_as};

struct Sent {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Sent {
    fn statements(&self) -> usize {
        self.headers[SQL_STATEMENTS_HEADER]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("a count")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON")
    }
}

/// Send through one router: the same server for every request of a test.
async fn send(router: &Router, request: Request<Body>) -> Sent {
    let response = router.clone().oneshot(request).await.expect("a response");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Sent {
        status,
        headers,
        body,
    }
}

fn post(query: &str, accept: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request
        .body(Body::from(json!({ "query": query }).to_string()))
        .expect("request")
}

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

        let first = send(&router, post(COUNTS, None)).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.json()["data"]["fichas"]["totalCount"], 1);
        assert!(first.statements() > 1, "computed: {}", first.statements());

        let again = send(&router, post(COUNTS, None)).await;
        assert_eq!(again.body, first.body, "{}", t.backend);
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
        assert_eq!(send(&router, post(COUNTS, None)).await.statements(), 1);

        // A new ficha: the kept answer is stale and never served again.
        import_bytes(&t.db, "b.txt", "b.txt", sample_as("20", "02").as_bytes())
            .await
            .expect("imports");
        let changed = send(&router, post(COUNTS, None)).await;
        assert_eq!(
            changed.json()["data"]["fichas"]["totalCount"],
            2,
            "{}",
            t.backend
        );
        assert!(changed.statements() > 1);
        assert_eq!(send(&router, post(COUNTS, None)).await.body, changed.body);
    })
    .await;
}

#[tokio::test]
async fn each_media_type_and_method_keeps_its_own_answer() {
    each_database(|t| async move {
        let router = serving_sample(&t.db, HttpSettings::default()).await;
        let graphql_json = "application/graphql-response+json";
        let plain = send(&router, post(COUNTS, None)).await;
        let typed = send(&router, post(COUNTS, Some(graphql_json))).await;
        assert!(
            typed.statements() > 1,
            "not the answer kept for application/json"
        );
        let typed_again = send(&router, post(COUNTS, Some(graphql_json))).await;
        assert_eq!(typed_again.statements(), 1);
        for (sent, media) in [(&plain, "application/json"), (&typed_again, graphql_json)] {
            let content_type = sent.headers[header::CONTENT_TYPE].to_str().expect("ascii");
            assert!(content_type.starts_with(media), "{content_type}");
        }

        // GET: the kept answer keeps its tag, and revalidates to 304.
        let uri = "/graphql?query=%7B%20fichas%20%7B%20totalCount%20%7D%20%7D";
        let get = |etag: Option<&str>| {
            let mut request = Request::get(uri);
            if let Some(etag) = etag {
                request = request.header(header::IF_NONE_MATCH, etag);
            }
            request.body(Body::empty()).expect("request")
        };
        let first = send(&router, get(None)).await;
        let etag = first.headers[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_owned();
        let kept = send(&router, get(None)).await;
        assert_eq!(kept.statements(), 1);
        assert_eq!(kept.headers[header::ETAG], etag.as_str());
        assert_eq!(kept.body, first.body);
        let revalidated = send(&router, get(Some(&etag))).await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
        assert!(revalidated.body.is_empty());

        // A POST with the wrong content type is refused, whatever is kept.
        let wrong = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(json!({ "query": COUNTS }).to_string()))
            .expect("request");
        assert_eq!(
            send(&router, wrong).await.status,
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
            let sent = send(&router, post(query, None)).await;
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
        let first = send(&router, post(COUNTS, None)).await;
        let again = send(&router, post(COUNTS, None)).await;
        assert_eq!(again.body, first.body);
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

#[tokio::test]
async fn requests_arriving_together_share_a_read_of_the_data_version() {
    each_database(|t| async move {
        let versions = definiciones::http::cache::Versions::new(t.db.clone());
        let before = versions.current().await.expect("a version");
        let together: Vec<_> = (0..50)
            .map(|_| {
                let versions = versions.clone();
                tokio::spawn(async move { versions.current().await })
            })
            .collect();
        for read in together {
            assert_eq!(read.await.expect("joins").expect("a version"), before);
        }
        // An import that changes the data: every later read sees it.
        import_bytes(&t.db, "a.txt", "a.txt", SAMPLE.as_bytes())
            .await
            .expect("sample imports");
        assert_eq!(
            versions.current().await.expect("a version"),
            before + 1,
            "{}",
            t.backend
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
        let first = send(&router, post(query, None)).await;
        let text = String::from_utf8(first.body.clone()).expect("utf-8");
        let at = |key: &str| text.find(key).unwrap_or_else(|| panic!("{key} in {text}"));
        assert!(at("\"productos\"") < at("\"fichas\""), "{text}");
        assert!(
            at("\"fichas\"") < at("\"z\"") && at("\"z\"") < at("\"a\""),
            "{text}"
        );
        for _ in 0..20 {
            assert_eq!(
                send(&router, post(query, None)).await.body,
                first.body,
                "{}",
                t.backend
            );
        }
    })
    .await;
}
