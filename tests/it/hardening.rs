//! Abuse and protocol: every query limit just under (answered) and just
//! over (refused with its own code, the limit named), the
//! GraphQL-over-HTTP statuses, caching headers, CORS, compression and
//! request ids — and the server keeps answering after each refusal.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use definiciones::http::HttpSettings;
use definiciones::http::limits::Limits;
use definiciones::store::import::import_bytes;
use serde_json::json;

use crate::helpers::{
    accepting, answered, ask, e2e_ready, each_database, get, get_revalidating, load_sample,
    post_json, refused, run_e2e, sample_as, send, start_server,
};

/// A chain of `levels` nested fields: partida → servicios → nodes → partida …
fn nested(levels: usize) -> String {
    let cycle = ["servicios(first: 1)", "nodes", "partida"];
    let mut fields = vec!["partida(codigo: \"20\")".to_owned()];
    while fields.len() < levels - 1 {
        fields.push(cycle[(fields.len() - 1) % 3].to_owned());
    }
    let leaf = match fields.last().map(String::as_str) {
        Some(f) if f.starts_with("servicios") => "totalCount",
        Some("nodes") => "capitulo",
        _ => "codigo",
    };
    let mut query = leaf.to_owned();
    for field in fields.iter().rev() {
        query = format!("{field} {{ {query} }}");
    }
    format!("{{ {query} }}")
}

#[tokio::test]
async fn depth_limit() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        answered(&t.db, &settings, &nested(12)).await;
        refused(&t.db, &settings, &nested(13), "DEPTH_LIMIT_EXCEEDED", 12).await;
    })
    .await;
}

#[tokio::test]
async fn cost_limit_counts_the_objects_the_data_can_hold() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        // The sample's 10 productos, each with a connection of the one
        // objective it serves: 1 + 10 × 3 objects whatever the pages; 31
        // allowed, then 30.
        let query = "{ productos(first: 500) { nodes { objetivosInstitucionales(first: 500) { nodes { prioridad } } } } }";
        let costing = |cost| HttpSettings {
            limits: Limits {
                cost,
                ..Limits::default()
            },
            ..HttpSettings::default()
        };
        answered(&t.db, &costing(31), query).await;
        refused(&t.db, &costing(30), query, "COST_LIMIT_EXCEEDED", 30).await;
    })
    .await;
}

#[tokio::test]
async fn alias_limit() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let aliases = |n: usize| {
            format!(
                "{{ {} }}",
                (0..n)
                    .map(|i| format!("a{i}: __typename"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        };
        answered(&t.db, &settings, &aliases(30)).await;
        refused(&t.db, &settings, &aliases(31), "ALIAS_LIMIT_EXCEEDED", 30).await;
    })
    .await;
}

#[tokio::test]
async fn directive_limit() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let directives = |n: usize| format!("{{ {} }}", "__typename @include(if: true) ".repeat(n));
        answered(&t.db, &settings, &directives(50)).await;
        refused(
            &t.db,
            &settings,
            &directives(51),
            "DIRECTIVE_LIMIT_EXCEEDED",
            50,
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn recursion_limit_stops_deep_brackets_before_parsing() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        // Field depth allowed up to the bracket limit, to show the latter alone.
        let settings = HttpSettings {
            limits: Limits {
                depth: 100,
                ..Limits::default()
            },
            ..HttpSettings::default()
        };
        answered(&t.db, &settings, &nested(32)).await;
        refused(
            &t.db,
            &settings,
            &nested(33),
            "RECURSION_LIMIT_EXCEEDED",
            32,
        )
        .await;
        // Thousands of brackets: refused, not parsed (no stack overflow).
        let hostile = format!("{}{}", "{ a ".repeat(1_000), "}".repeat(1_000));
        refused(
            &t.db,
            &HttpSettings::default(),
            &hostile,
            "RECURSION_LIMIT_EXCEEDED",
            32,
        )
        .await;
        // Over GET too, where the text is read before anything runs.
        let uri = format!(
            "/graphql?query={}{}",
            "%7B%20a%20".repeat(1_000),
            "%7D".repeat(1_000)
        );
        let reply = send(&t.db, &HttpSettings::default(), get(&uri)).await;
        assert_eq!(reply.code(), "RECURSION_LIMIT_EXCEEDED", "{}", reply.json());
    })
    .await;
}

#[tokio::test]
async fn query_text_limits() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let padded = |chars: usize| {
            let head = "{ __typename } #";
            format!("{head}{}", "x".repeat(chars - head.len()))
        };
        answered(&t.db, &settings, &padded(100_000)).await;
        refused(
            &t.db,
            &settings,
            &padded(100_001),
            "QUERY_TOO_LARGE",
            100_000,
        )
        .await;
        // `{`, `}` and n fields.
        let tokens = |n: usize| format!("{{ {} }}", "__typename ".repeat(n - 2));
        answered(&t.db, &settings, &tokens(5_000)).await;
        refused(
            &t.db,
            &settings,
            &tokens(5_001),
            "TOKEN_LIMIT_EXCEEDED",
            5_000,
        )
        .await;
    })
    .await;
}

#[tokio::test]
async fn field_limit_counts_fragments_inlined() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        // Each fragment spreads the next ten times: 10^4 fields in a few
        // hundred characters.
        let tree = |extra: &str| {
            let mut query = format!("{{ {extra} partidas(first: 1) {{ nodes {{ ...F0 }} }} }}");
            for i in 0..3 {
                query += &format!(
                    " fragment F{i} on Partida {{ {} }}",
                    format!("...F{} ", i + 1).repeat(10)
                );
            }
            query + &format!(" fragment F3 on Partida {{ {} }}", "codigo ".repeat(10))
        };
        // partidas, nodes and the tree's 10 000 codigo.
        refused(&t.db, &settings, &tree(""), "FIELD_LIMIT_EXCEEDED", 10_000).await;
        let mut limits = settings.limits.clone();
        limits.fields = 10_002;
        let roomier = HttpSettings {
            limits,
            ..HttpSettings::default()
        };
        answered(&t.db, &roomier, &tree("")).await;
        refused(
            &t.db,
            &roomier,
            &tree("__typename"),
            "FIELD_LIMIT_EXCEEDED",
            10_002,
        )
        .await;
        // A fragment bomb (2^60 fields in 2 kB) is refused as fast.
        let mut bomb = String::from("{ partidas(first: 1) { nodes { ...B0 } } }");
        for i in 0..60 {
            bomb += &format!(" fragment B{i} on Partida {{ ...B{n} ...B{n} }}", n = i + 1);
        }
        bomb += " fragment B60 on Partida { codigo }";
        refused(&t.db, &settings, &bomb, "FIELD_LIMIT_EXCEEDED", 10_000).await;
    })
    .await;
}

#[tokio::test]
async fn batch_limit() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let batch = |n: usize| json!(vec![json!({ "query": "{ __typename }" }); n]).to_string();
        let ok = send(&t.db, &settings, post_json(batch(10))).await;
        assert_eq!(ok.status, StatusCode::OK);
        assert_eq!(ok.json().as_array().expect("a list of answers").len(), 10);
        let over = send(&t.db, &settings, post_json(batch(11))).await;
        assert_eq!(over.status, StatusCode::BAD_REQUEST);
        assert_eq!(over.code(), "BATCH_LIMIT_EXCEEDED");
        assert!(over.message().contains("10"), "{}", over.message());
        answered(&t.db, &settings, "{ __typename }").await;
    })
    .await;
}

#[tokio::test]
async fn body_limit_answers_413() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let body = |bytes: usize| {
            let head = r#"{"query":"{ __typename }","extensions":{"pad":""#;
            let tail = r#""}}"#;
            format!(
                "{head}{}{tail}",
                "x".repeat(bytes - head.len() - tail.len())
            )
        };
        let under = send(&t.db, &settings, post_json(body(1024 * 1024))).await;
        assert_eq!(
            under.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&under.bytes)
        );
        let over = send(&t.db, &settings, post_json(body(1024 * 1024 + 1))).await;
        assert_eq!(over.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(over.code(), "PAYLOAD_TOO_LARGE");
        answered(&t.db, &settings, "{ __typename }").await;
    })
    .await;
}

#[tokio::test]
async fn a_request_past_its_time_is_stopped_with_a_clear_error() {
    each_database(|t| async move {
        for capitulo in 1..=40 {
            let name = format!("{capitulo}.txt");
            let text = sample_as("20", &format!("{capitulo:02}"));
            import_bytes(&t.db, &name, &name, text.as_bytes()).await.expect("import");
        }
        // Hundreds of rows, each with its objectives, their productos and
        // theirs: far more than 1 ms, spent over several statements. The
        // time is checked while the request waits on the database and
        // before each level's statements start, so the request stops even
        // when every statement answered before its level was resolved (a
        // request that never waited once ran to the end, 200 on SQLite).
        let heavy = "{ productos(first: 400) { nodes { nombre servicio { nombre } objetivosInstitucionales(first: 5) { nodes { descripcion productos(first: 5) { nodes { nombre objetivosInstitucionales(first: 5) { nodes { descripcion } } } } } } } } }";
        let stopped = HttpSettings {
            limits: Limits { timeout_ms: 1, ..Limits::default() },
            ..HttpSettings::default()
        };
        let reply = ask(&t.db, &stopped, heavy).await;
        assert_eq!(reply.status, StatusCode::GATEWAY_TIMEOUT, "{}", t.backend);
        assert_eq!(reply.code(), "TIMEOUT");
        assert!(reply.message().contains("1 ms"), "{}", reply.message());
        answered(&t.db, &HttpSettings::default(), heavy).await;
    })
    .await;
}

#[tokio::test]
async fn suggestions_are_off_in_production() {
    each_database(|t| async move {
        let development = ask(
            &t.db,
            &HttpSettings::default(),
            "{ partida(codigo: \"20\") { nombree } }",
        )
        .await;
        assert!(
            development.message().contains("Did you mean"),
            "{}",
            development.message()
        );
        let production = HttpSettings {
            production: true,
            ..HttpSettings::default()
        };
        let reply = ask(
            &t.db,
            &production,
            "{ partida(codigo: \"20\") { nombree } }",
        )
        .await;
        assert_eq!(reply.code(), "GRAPHQL_VALIDATION_FAILED");
        assert!(
            !reply.message().contains("Did you mean"),
            "{}",
            reply.message()
        );
        // Introspection stays on: GraphiQL needs it.
        answered(&t.db, &production, "{ __schema { queryType { name } } }").await;
    })
    .await;
}

#[tokio::test]
async fn statuses_follow_graphql_over_http() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let grj = "application/graphql-response+json";
        let with_accept = |accept: &str, body: &str| accepting(accept, post_json(body.to_owned()));
        // The media type follows Accept.
        let reply = send(
            &t.db,
            &settings,
            with_accept(grj, r#"{"query":"{ __typename }"}"#),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK);
        assert!(
            reply.headers[header::CONTENT_TYPE]
                .to_str()
                .expect("ascii")
                .starts_with(grj)
        );
        let reply = send(
            &t.db,
            &settings,
            with_accept("application/xml", r#"{"query":"{ __typename }"}"#),
        )
        .await;
        assert_eq!(reply.status, StatusCode::NOT_ACCEPTABLE);
        // A document that does not parse or validate: 400 without data for
        // graphql-response+json, 200 for application/json.
        for query in ["{ partidas {", "{ nosuchfield }"] {
            let body = json!({ "query": query }).to_string();
            let reply = send(&t.db, &settings, with_accept(grj, &body)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
            assert!(
                reply.json().get("data").is_none(),
                "{query}: {}",
                reply.json()
            );
            let reply = send(&t.db, &settings, with_accept("application/json", &body)).await;
            assert_eq!(reply.status, StatusCode::OK, "{query}");
        }
        // Not JSON, or not a request: 400. Not sent as JSON: 415.
        assert_eq!(
            send(&t.db, &settings, post_json("{not json")).await.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            send(&t.db, &settings, post_json(r#"{"query": 7}"#))
                .await
                .status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            send(
                &t.db,
                &settings,
                post_json(r#"{"query": "{ __typename }", "variables": [1]}"#)
            )
            .await
            .status,
            StatusCode::BAD_REQUEST
        );
        let text = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from("{ __typename }"))
            .expect("request");
        assert_eq!(
            send(&t.db, &settings, text).await.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        // Mutations never run over GET; other methods are not allowed.
        let mutation = get("/graphql?query=mutation%7Bx%7D");
        assert_eq!(
            send(&t.db, &settings, mutation).await.status,
            StatusCode::METHOD_NOT_ALLOWED
        );
        let put = Request::builder()
            .method(Method::PUT)
            .uri("/graphql")
            .body(Body::empty())
            .expect("request");
        assert_eq!(
            send(&t.db, &settings, put).await.status,
            StatusCode::METHOD_NOT_ALLOWED
        );
    })
    .await;
}

#[tokio::test]
async fn get_answers_can_be_revalidated_and_change_with_the_data() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        let uri = "/graphql?query=%7B%20fichas%20%7B%20totalCount%20%7D%20%7D";
        let first = send(&t.db, &settings, get_revalidating(uri, None)).await;
        assert_eq!(first.status, StatusCode::OK);
        let etag = first.headers[header::ETAG]
            .to_str()
            .expect("ascii")
            .to_owned();
        assert_eq!(first.headers[header::CACHE_CONTROL], "public, no-cache");
        let again = send(&t.db, &settings, get_revalidating(uri, Some(&etag))).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.bytes.is_empty());

        // An import changes the answer, and so the tag.
        import_bytes(&t.db, "b.txt", "b.txt", sample_as("20", "02").as_bytes())
            .await
            .expect("import");
        let changed = send(&t.db, &settings, get_revalidating(uri, Some(&etag))).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", t.backend);
        assert_ne!(changed.headers[header::ETAG].to_str().expect("ascii"), etag);
        assert_eq!(changed.json()["data"]["fichas"]["totalCount"], 2);
    })
    .await;
}

#[tokio::test]
async fn cors_compression_and_request_ids() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ORIGIN, "https://tablero.example")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::from(
                json!({ "query": "{ productos { nodes { nombre } } }" }).to_string(),
            ))
            .expect("request");
        let reply = send(&t.db, &settings, request).await;
        assert_eq!(reply.status, StatusCode::OK);
        assert_eq!(reply.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
        assert_eq!(reply.headers[header::CONTENT_ENCODING], "gzip");
        assert!(!reply.headers["x-request-id"].is_empty());

        let preflight = Request::builder()
            .method(Method::OPTIONS)
            .uri("/graphql")
            .header(header::ORIGIN, "https://tablero.example")
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "content-type,apollographql-client-name,x-apollo-operation-name,authorization,x-request-id",
            )
            .body(Body::empty())
            .expect("request");
        let reply = send(&t.db, &settings, preflight).await;
        assert!(reply.status.is_success());
        // Headers client libraries add by themselves are allowed.
        let allowed = reply.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
            .to_str()
            .expect("ascii")
            .to_ascii_lowercase();
        for wanted in ["content-type", "apollographql-client-name", "x-apollo-operation-name", "authorization", "x-request-id"] {
            assert!(allowed.contains(wanted), "{wanted} not in {allowed}");
        }
        assert!(
            reply.headers[header::ACCESS_CONTROL_ALLOW_METHODS]
                .to_str()
                .expect("ascii")
                .contains("POST")
        );

        // Only the configured origins, when configured.
        let strict = HttpSettings {
            cors_origins: vec!["https://tablero.example".to_owned()],
            ..HttpSettings::default()
        };
        let from = |origin: &str| {
            Request::get("/health")
                .header(header::ORIGIN, origin)
                .body(Body::empty())
                .expect("request")
        };
        let allowed = send(&t.db, &strict, from("https://tablero.example")).await;
        assert_eq!(
            allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
            "https://tablero.example"
        );
        let other = send(&t.db, &strict, from("https://otro.example")).await;
        assert!(
            other
                .headers
                .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none()
        );

        // A request id the client sends comes back.
        let tagged = Request::get("/health")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .expect("request");
        assert_eq!(
            send(&t.db, &settings, tagged).await.headers["x-request-id"],
            "abc-123"
        );
        // One too long or not plain is replaced, not echoed nor logged.
        for hostile in ["x".repeat(60_000), "x".repeat(129), "a b".to_owned()] {
            let tagged = Request::get("/health")
                .header("x-request-id", hostile.as_str())
                .body(Body::empty())
                .expect("request");
            let reply = send(&t.db, &settings, tagged).await;
            let id = reply.headers["x-request-id"].to_str().expect("ascii");
            assert_ne!(id, hostile);
            assert_eq!(id.len(), 36, "a new UUID: {id}");
        }
        let longest = "x".repeat(128);
        let tagged = Request::get("/health")
            .header("x-request-id", longest.as_str())
            .body(Body::empty())
            .expect("request");
        assert_eq!(send(&t.db, &settings, tagged).await.headers["x-request-id"], longest.as_str());
    })
    .await;
}

#[test]
fn graphql_http_audit_passes_every_must() {
    if !e2e_ready("graphql-http", &[]) {
        return;
    }
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_server(cwd.path(), &[], &[]);
    let url = format!("http://127.0.0.1:{port}/graphql");
    let report = run_e2e("audit.mjs", &[url.as_ref()]);
    // Every audit is printed; the suite's log keeps the SHOULDs too.
    println!("{report}");
    let summary = report.lines().last().unwrap_or("");
    assert!(summary.contains(" 0 failed"), "{summary}");
}
