//! Persisted queries: Apollo's Automatic Persisted Queries over GET and
//! POST, documents kept in the database (shared by replicas, kept across
//! restarts), the allow-list of `--persisted-only`, and `definiciones
//! persist` loading trusted documents — the README cookbook's among them.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use definiciones::http::persisted::{self, PersistedSettings};
use definiciones::http::{HttpSettings, router_with};
use definiciones::store::import::import_bytes;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::helpers::{
    SAMPLE, SAMPLE_NAME, TestDb, accepting, call, e2e_ready, each_database, get, get_revalidating,
    http_get, load_sample, post_json, post_query, run, run_e2e, start_server,
};

const PRODUCTOS: &str = "query Productos($first: Int) { productos(first: $first) { totalCount nodes { numero nombre } } }";

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

fn settings(persisted_only: bool) -> HttpSettings {
    HttpSettings {
        persisted: PersistedSettings { persisted_only },
        ..HttpSettings::default()
    }
}

fn locked() -> HttpSettings {
    settings(true)
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// A POST naming a persisted query by its hash alone.
fn post_hash(hash: &str, variables: Value) -> Request<Body> {
    post_json(json!({ "extensions": extension(hash), "variables": variables }).to_string())
}

/// A POST of a query with its hash: how a client registers it.
fn post_registering(query: &str, hash: &str, variables: Value) -> Request<Body> {
    post_json(
        json!({ "query": query, "extensions": extension(hash), "variables": variables })
            .to_string(),
    )
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The URI of a GET naming a persisted query by its hash alone: what a
/// dashboard or a CDN keeps.
fn hash_uri(hash: &str, variables: Option<Value>) -> String {
    let mut uri = format!(
        "/graphql?extensions={}",
        encoded(&extension(hash).to_string())
    );
    if let Some(variables) = variables {
        uri += &format!("&variables={}", encoded(&variables.to_string()));
    }
    uri
}

async fn serving_sample(t: &TestDb, settings: HttpSettings) -> Router {
    import_bytes(&t.db, SAMPLE_NAME, SAMPLE_NAME, SAMPLE.as_bytes())
        .await
        .expect("sample imports");
    router_with(t.db.clone(), settings)
}

/// Put `document` on the allow-list, as `definiciones persist` does.
async fn trust(db: &DatabaseConnection, document: &str) -> String {
    let hash = persisted::hash(document);
    persisted::persist(db, &hash, document, "test.graphql")
        .await
        .expect("stored");
    hash
}

#[tokio::test]
async fn a_client_sends_the_hash_is_told_it_is_unknown_then_registers_the_query_and_runs_it_by_hash()
 {
    each_database(|t| async move {
        let router = serving_sample(&t, HttpSettings::default()).await;
        let hash = persisted::hash(PRODUCTOS);
        let variables = json!({ "first": 2 });

        // The hash alone: not known yet.
        let unknown = call(&router, post_hash(&hash, variables.clone())).await;
        assert_eq!(unknown.status, StatusCode::OK, "application/json: 200");
        assert_eq!(unknown.message(), "PersistedQueryNotFound");
        assert_eq!(unknown.code(), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(unknown.headers[header::CACHE_CONTROL], "no-store");
        let strict = call(
            &router,
            accepting(GRAPHQL_RESPONSE_JSON, post_hash(&hash, variables.clone())),
        )
        .await;
        assert_eq!(strict.status, StatusCode::NOT_FOUND, "{}", strict.text());
        assert!(strict.json().get("data").is_none(), "it never ran");

        // Again with the query: it runs, and is stored.
        let registered = call(
            &router,
            post_registering(PRODUCTOS, &hash, variables.clone()),
        )
        .await;
        let expected = call(
            &router,
            post_json(json!({ "query": PRODUCTOS, "variables": variables }).to_string()),
        )
        .await;
        assert_eq!(registered.data(), expected.data(), "{}", t.backend);
        assert_eq!(registered.data()["productos"]["nodes"][1]["numero"], 2);

        // From now on the hash is enough, by POST and by GET.
        let by_post = call(&router, post_hash(&hash, variables.clone())).await;
        assert_eq!(by_post.data(), expected.data());
        let uri = hash_uri(&hash, Some(variables.clone()));
        let by_get = call(&router, get(&uri)).await;
        assert_eq!(by_get.status, StatusCode::OK);
        assert_eq!(by_get.data(), expected.data());
        assert_eq!(by_get.headers[header::CACHE_CONTROL], "public, no-cache");
        let etag = by_get.headers[header::ETAG]
            .to_str()
            .expect("an ETag")
            .to_owned();
        let revalidated = call(&router, get_revalidating(&uri, Some(&etag))).await;
        assert_eq!(revalidated.status, StatusCode::NOT_MODIFIED);
        // Other variables, the same stored document.
        let three = call(&router, get(&hash_uri(&hash, Some(json!({ "first": 3 }))))).await;
        assert_eq!(
            three.data()["productos"]["nodes"]
                .as_array()
                .expect("nodes")
                .len(),
            3
        );
    })
    .await;
}

#[tokio::test]
async fn a_hash_that_is_not_its_querys_is_refused_and_nothing_is_stored() {
    each_database(|t| async move {
        let router = serving_sample(&t, HttpSettings::default()).await;
        let other = persisted::hash("{ partidas { totalCount } }");
        let refused = call(&router, post_registering(PRODUCTOS, &other, json!({}))).await;
        assert_eq!(refused.code(), "PERSISTED_QUERY_HASH_MISMATCH");
        assert!(
            refused.message().contains(&persisted::hash(PRODUCTOS)),
            "the message gives the query's real hash: {}",
            refused.message()
        );
        assert_eq!(refused.json()["data"], Value::Null, "nothing ran");
        let strict = call(
            &router,
            accepting(
                GRAPHQL_RESPONSE_JSON,
                post_registering(PRODUCTOS, &other, json!({})),
            ),
        )
        .await;
        assert_eq!(strict.status, StatusCode::BAD_REQUEST);
        // Neither hash holds anything.
        for hash in [other, persisted::hash(PRODUCTOS)] {
            let reply = call(&router, post_hash(&hash, json!({}))).await;
            assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_FOUND", "{}", t.backend);
        }
    })
    .await;
}

#[tokio::test]
async fn only_documents_that_run_are_stored() {
    each_database(|t| async move {
        let strict = HttpSettings {
            limits: definiciones::http::limits::Limits {
                aliases: 1,
                ..Default::default()
            },
            ..HttpSettings::default()
        };
        let router = serving_sample(&t, strict).await;
        for (query, code) in [
            ("{ partidas { nada } }", "GRAPHQL_VALIDATION_FAILED"),
            ("{ partidas { ", "GRAPHQL_PARSE_FAILED"),
            (
                "{ a: partidas { totalCount } b: partidas { totalCount } }",
                "ALIAS_LIMIT_EXCEEDED",
            ),
        ] {
            let hash = persisted::hash(query);
            let refused = call(&router, post_registering(query, &hash, json!({}))).await;
            assert_eq!(refused.code(), code, "{}", refused.text());
            let later = call(&router, post_hash(&hash, json!({}))).await;
            assert_eq!(
                later.code(),
                "PERSISTED_QUERY_NOT_FOUND",
                "{query} was not stored ({})",
                t.backend
            );
        }
    })
    .await;
}

#[tokio::test]
async fn replicas_share_the_documents_and_they_outlive_a_restart() {
    each_database(|t| async move {
        let one = serving_sample(&t, HttpSettings::default()).await;
        let two = router_with(t.db.clone(), HttpSettings::default());
        let hash = persisted::hash(PRODUCTOS);
        // The second replica asks first: unknown, and not remembered so.
        let unknown = call(&two, get(&hash_uri(&hash, None))).await;
        assert_eq!(unknown.code(), "PERSISTED_QUERY_NOT_FOUND");
        call(&one, post_registering(PRODUCTOS, &hash, json!({})))
            .await
            .data();
        let found = call(&two, get(&hash_uri(&hash, None))).await;
        assert_eq!(found.data()["productos"]["totalCount"], 10, "{}", t.backend);
        // A server started afresh over the same database.
        drop((one, two));
        let restarted = router_with(t.db.clone(), HttpSettings::default());
        let again = call(&restarted, post_hash(&hash, json!({}))).await;
        assert_eq!(again.data(), found.data());
    })
    .await;
}

#[tokio::test]
async fn a_known_hash_costs_no_statement_once_the_server_has_found_it() {
    each_database(|t| async move {
        // Without the response cache, every request runs its query.
        let router = serving_sample(
            &t,
            HttpSettings {
                response_cache_mib: 0,
                ..HttpSettings::default()
            },
        )
        .await;
        let hash = trust(&t.db, PRODUCTOS).await;
        let full = call(&router, post_query(PRODUCTOS)).await;
        let query_statements = full.statements();
        let first = call(&router, get(&hash_uri(&hash, None))).await;
        assert_eq!(first.data(), full.data());
        assert_eq!(
            first.statements(),
            query_statements + 1,
            "{}: the document is read once",
            t.backend
        );
        for variables in [None, Some(json!({ "first": 1 }))] {
            let warm = call(&router, get(&hash_uri(&hash, variables))).await;
            assert_eq!(warm.statements(), query_statements, "{}", t.backend);
        }
        // With the response cache, a repeated GET by hash reads only the
        // data version, as a repeated GET with the query does.
        let cached = router_with(t.db.clone(), HttpSettings::default());
        let uri = hash_uri(&hash, None);
        let computed = call(&cached, get(&uri)).await;
        let kept = call(&cached, get(&uri)).await;
        assert_eq!(kept.bytes, computed.bytes);
        assert_eq!(kept.statements(), 1);
        assert_eq!(kept.headers[header::ETAG], computed.headers[header::ETAG]);
        assert_eq!(kept.headers[header::CACHE_CONTROL], "public, no-cache");
    })
    .await;
}

#[tokio::test]
async fn a_batch_resolves_each_operation_by_itself() {
    each_database(|t| async move {
        let router = serving_sample(&t, HttpSettings::default()).await;
        let known = trust(&t.db, PRODUCTOS).await;
        let unknown = persisted::hash("{ fichas { totalCount } }");
        let batch = json!([
            { "extensions": extension(&known), "variables": { "first": 1 } },
            { "extensions": extension(&unknown) },
            { "query": "{ partidas { totalCount } }" },
        ]);
        let reply = call(&router, post_json(batch.to_string())).await;
        let answers = reply.json().as_array().expect("a batch answer");
        assert_eq!(answers[0]["data"]["productos"]["totalCount"], 10);
        assert_eq!(
            answers[1]["errors"][0]["extensions"]["code"],
            "PERSISTED_QUERY_NOT_FOUND"
        );
        assert_eq!(answers[2]["data"]["partidas"]["totalCount"], 1);
    })
    .await;
}

#[tokio::test]
async fn limits_hold_for_a_stored_document() {
    each_database(|t| async move {
        let two_aliases = "{ a: partidas { totalCount } b: partidas { totalCount } }";
        let hash = trust(&t.db, two_aliases).await;
        let strict = HttpSettings {
            limits: definiciones::http::limits::Limits {
                aliases: 1,
                ..Default::default()
            },
            ..HttpSettings::default()
        };
        let router = serving_sample(&t, strict).await;
        let reply = call(&router, get(&hash_uri(&hash, None))).await;
        assert_eq!(reply.code(), "ALIAS_LIMIT_EXCEEDED", "{}", reply.text());
    })
    .await;
}

#[tokio::test]
async fn a_malformed_persisted_query_extension_is_a_bad_request() {
    each_database(|t| async move {
        let router = serving_sample(&t, HttpSettings::default()).await;
        let hash = persisted::hash(PRODUCTOS);
        for (extensions, says) in [
            (
                json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } }),
                "must be 1",
            ),
            (
                json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
                "64 hexadecimal digits",
            ),
            (json!({ "persistedQuery": { "version": 1 } }), "sha256Hash"),
        ] {
            let body = json!({ "extensions": extensions }).to_string();
            let reply = call(&router, post_json(body)).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{extensions}");
            assert_eq!(reply.code(), "BAD_REQUEST");
            assert!(reply.message().contains(says), "{}", reply.message());
        }
        // Neither a query nor a hash.
        let nothing = call(&router, post_json(json!({ "extensions": {} }).to_string())).await;
        assert_eq!(nothing.code(), "BAD_REQUEST");
        let nothing = call(&router, get("/graphql?variables=%7B%7D")).await;
        assert_eq!(nothing.code(), "BAD_REQUEST");
        assert!(
            nothing.message().contains("`query`"),
            "{}",
            nothing.message()
        );
    })
    .await;
}

#[tokio::test]
async fn a_locked_server_runs_only_trusted_documents() {
    each_database(|t| async move {
        let router = serving_sample(&t, locked()).await;
        let trusted = trust(&t.db, PRODUCTOS).await;

        // By hash, and sent in full when it is the very text stored.
        let by_hash = call(&router, get(&hash_uri(&trusted, None))).await;
        assert_eq!(by_hash.data()["productos"]["totalCount"], 10);
        let in_full = call(&router, post_query(PRODUCTOS)).await;
        assert_eq!(in_full.data(), by_hash.data());

        // Anything else is refused, with its own code; 403 for clients
        // that take graphql-response+json.
        let other = "{ partidas { totalCount } }";
        let refused = call(&router, post_query(other)).await;
        assert_eq!(refused.code(), "PERSISTED_QUERY_ONLY", "{}", t.backend);
        assert!(
            refused.message().contains("definiciones persist"),
            "{}",
            refused.message()
        );
        let strict = call(&router, accepting(GRAPHQL_RESPONSE_JSON, post_query(other))).await;
        assert_eq!(strict.status, StatusCode::FORBIDDEN);
        let by_get = call(&router, get(&format!("/graphql?query={}", encoded(other)))).await;
        assert_eq!(by_get.code(), "PERSISTED_QUERY_ONLY");

        // Clients cannot register: refused, and still unknown afterwards.
        let hash = persisted::hash(other);
        let registering = call(&router, post_registering(other, &hash, json!({}))).await;
        assert_eq!(registering.code(), "PERSISTED_QUERY_ONLY");
        let later = call(&router, post_hash(&hash, json!({}))).await;
        assert_eq!(later.code(), "PERSISTED_QUERY_NOT_FOUND");

        // A document a client registered on an open server does not run
        // here until an operator trusts it — then at once.
        let open = router_with(t.db.clone(), HttpSettings::default());
        call(&open, post_registering(other, &hash, json!({})))
            .await
            .data();
        let untrusted = call(&router, post_hash(&hash, json!({}))).await;
        assert_eq!(untrusted.code(), "PERSISTED_QUERY_NOT_FOUND");
        let outcome = persisted::persist(&t.db, &hash, other, "partidas.graphql")
            .await
            .expect("trusted");
        assert_eq!(outcome, persisted::Persisted::Trusted);
        let now = call(&router, post_hash(&hash, json!({}))).await;
        assert_eq!(now.data()["partidas"]["totalCount"], 1, "{}", t.backend);

        // Introspection too runs only when stored; GraphiQL still loads
        // (and shows the refusal when it asks for the schema).
        let introspection = call(&router, post_query("{ __schema { queryType { name } } }")).await;
        assert_eq!(introspection.code(), "PERSISTED_QUERY_ONLY");
        let page = call(
            &router,
            Request::get("/graphql")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.text().contains("<html"), "GraphiQL's page");
    })
    .await;
}

#[tokio::test]
async fn metrics_count_persisted_queries_found_missed_registered_and_refused() {
    let (t, _guard) = crate::helpers::sqlite().await;
    load_sample(&t.db).await;
    let open = router_with(t.db.clone(), HttpSettings::default());
    let hash = persisted::hash(PRODUCTOS);
    call(&open, post_hash(&hash, json!({}))).await;
    call(&open, post_registering(PRODUCTOS, &hash, json!({}))).await;
    call(&open, post_hash(&hash, json!({}))).await;
    let locked = router_with(t.db.clone(), locked());
    call(&locked, post_query("{ fichas { totalCount } }")).await;
    let scrape = call(&open, get("/metrics")).await;
    for series in [
        "definiciones_persisted_query_hits_total",
        "definiciones_persisted_query_misses_total",
        "definiciones_persisted_query_registrations_total",
        "definiciones_persisted_query_refusals_total",
    ] {
        assert!(
            scrape.text().lines().any(|l| l.starts_with(series)),
            "no {series} in:\n{}",
            scrape.text()
        );
    }
}

/// A directory of `.graphql` files for a test.
fn documents(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a document");
    }
    dir
}

fn persist_command(url: &str, paths: &[&std::path::Path]) -> (bool, String, String) {
    let mut args = vec!["persist", "--database-url", url];
    let paths: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    let output = run(&args, None, &[]);
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn persist_stores_every_file_by_its_hash_or_nothing_when_one_is_invalid() {
    each_database(|t| async move {
        let two =
            "query Partidas { partidas { totalCount } }\nquery Fichas { fichas { totalCount } }\n";
        let dir = documents(&[
            ("a.graphql", PRODUCTOS),
            ("b.graphql", two),
            ("bad.graphql", "{ partidas {\n  nada\n} }\n"),
            ("notes.txt", "not a document"),
        ]);
        let bad = dir.path().join("bad.graphql");
        let (ok, stdout, stderr) = persist_command(&t.url, &[dir.path()]);
        assert!(!ok, "an invalid document fails the command");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains(&format!("{}:2:3: ", bad.display())) && stderr.contains("nada"),
            "names the file, line and column: {stderr}"
        );
        assert!(stderr.contains("nothing was stored"), "{stderr}");
        let router = serving_sample(&t, locked()).await;
        let reply = call(&router, post_hash(&persisted::hash(PRODUCTOS), json!({}))).await;
        assert_eq!(reply.code(), "PERSISTED_QUERY_NOT_FOUND", "{}", t.backend);

        std::fs::remove_file(&bad).expect("remove");
        let (ok, stdout, stderr) = persist_command(&t.url, &[dir.path()]);
        assert!(ok, "{stderr}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines.len(), 3, "{stdout}");
        assert!(lines[0].starts_with("stored"), "{stdout}");
        assert!(lines[0].contains(&persisted::hash(PRODUCTOS)), "{stdout}");
        assert!(lines[0].ends_with("a.graphql Productos"), "{stdout}");
        assert!(lines[1].contains(&persisted::hash(two)), "{stdout}");
        assert!(lines[1].ends_with("b.graphql Partidas, Fichas"), "{stdout}");
        assert_eq!(
            lines[2],
            "persisted 2 documents: stored 2, trusted 0, unchanged 0"
        );

        // Again: nothing changes.
        let (ok, stdout, _) = persist_command(&t.url, &[dir.path()]);
        assert!(ok);
        assert!(stdout.ends_with("persisted 2 documents: stored 0, trusted 0, unchanged 2\n"));

        // Each operation of a document by its name.
        let uri = format!(
            "{}&operationName=Fichas",
            hash_uri(&persisted::hash(two), None)
        );
        let fichas = call(&router, get(&uri)).await;
        assert_eq!(fichas.data(), &json!({ "fichas": { "totalCount": 1 } }));
    })
    .await;
}

#[tokio::test]
async fn every_readme_cookbook_query_is_a_file_that_persist_accepts_and_that_runs_by_hash() {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(manifest.join("README.md")).expect("README.md");
    let cookbook = readme
        .split("### Query cookbook")
        .nth(1)
        .and_then(|section| section.split("\n## ").next())
        .expect("a cookbook section");
    let queries: Vec<String> = cookbook
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|block| block.split_once('\n'))
        .filter(|(lang, _)| *lang == "graphql")
        .map(|(_, query)| query.to_owned())
        .collect();
    let dir = manifest.join("docs/cookbook");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("docs/cookbook")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a document");
            (p.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert!(!queries.is_empty());
    for query in &queries {
        assert!(
            files.iter().any(|(_, text)| text == query),
            "this README cookbook query has no file in docs/cookbook with its exact text:\n{query}"
        );
    }
    assert_eq!(
        files.len(),
        queries.len(),
        "every file of docs/cookbook is a README recipe"
    );
    let files = &files;
    let dir = &dir;
    each_database(|t| async move {
        let (ok, stdout, stderr) = persist_command(&t.url, &[dir]);
        assert!(ok, "{stderr}");
        let open = serving_sample(&t, HttpSettings::default()).await;
        let locked = router_with(t.db.clone(), locked());
        for (file, text) in files {
            let hash = persisted::hash(text);
            assert!(
                stdout.contains(&format!("stored    {hash} {file}")),
                "{file}: {stdout}"
            );
            let expected = call(&open, post_query(text)).await;
            let by_hash = call(&locked, get(&hash_uri(&hash, None))).await;
            assert_eq!(by_hash.data(), expected.data(), "{file} ({})", t.backend);
        }
    })
    .await;
}

/// `serve --persisted-only` and `DEFINICIONES_PERSISTED_ONLY=true` lock a
/// server started from the command line, over documents stored with
/// `persist` before it started.
#[test]
fn the_lock_is_set_by_its_flag_and_by_its_environment_variable() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        cwd.path().join("definiciones.db").display()
    );
    let dir = documents(&[("productos.graphql", PRODUCTOS)]);
    let (ok, _, stderr) = persist_command(&url, &[dir.path()]);
    assert!(ok, "{stderr}");
    let stored = hash_uri(&persisted::hash(PRODUCTOS), None);
    let other = format!("/graphql?query={}", encoded("{ partidas { totalCount } }"));
    for (args, env) in [
        (&["--persisted-only"][..], &[][..]),
        (&[][..], &[("DEFINICIONES_PERSISTED_ONLY", "true")][..]),
    ] {
        let (_server, port) = start_server(cwd.path(), args, env);
        let answer = http_get(port, &stored).expect("an answer");
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("\"totalCount\":10"), "{answer}");
        let refused = http_get(port, &other).expect("an answer");
        assert!(
            refused.contains("PERSISTED_QUERY_ONLY"),
            "{args:?} {env:?}: {refused}"
        );
    }
    let (_server, port) = start_server(cwd.path(), &[], &[]);
    let open = http_get(port, &other).expect("an answer");
    assert!(open.contains("\"totalCount\":1"), "unlocked: {open}");
}

/// Apollo Client's persisted-queries link against live servers over one
/// database (`tests/e2e/persisted.mjs`): the APQ round trip on an open
/// server, and the cookbook by hash alone on a locked one.
#[test]
fn apollo_clients_persisted_queries_link_runs_the_round_trip_and_the_cookbook_by_hash() {
    if !e2e_ready("@apollo/client", &[]) {
        return;
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cookbook = manifest.join("docs/cookbook");
    let cwd = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        cwd.path().join("definiciones.db").display()
    );
    let (ok, _, stderr) = persist_command(&url, &[&cookbook]);
    assert!(ok, "{stderr}");
    let (_open, open_port) = start_server(cwd.path(), &[], &[]);
    let (_locked, locked_port) = start_server(cwd.path(), &["--persisted-only"], &[]);
    let open = format!("http://127.0.0.1:{open_port}");
    let locked = format!("http://127.0.0.1:{locked_port}");
    let stdout = run_e2e(
        "persisted.mjs",
        &[open.as_ref(), locked.as_ref(), cookbook.as_os_str()],
    );
    assert!(stdout.contains("persisted e2e: ok"), "{stdout}");
}
