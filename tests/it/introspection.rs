//! Introspection, the first thing GraphiQL and every client tool send:
//! answered in full under the default limits, bounded on its own (good
//! faith: no repeats, no cycles, no endless `ofType`), never a way around
//! the limits for anything else, and off when a server says so.

use axum::http::StatusCode;
use definiciones::http::HttpSettings;
use definiciones::http::limits::shape::MAX_OF_TYPE;

use crate::helpers::{
    accepting, answered, ask, e2e_ready, each_database, get, http_get, load_sample, post_query,
    refused, run_e2e, send, start_server,
};

/// graphql-js's full introspection query, every option on.
const FULL: &str = include_str!("fixtures/introspection.graphql");

/// A selection `levels` fields deep: partida → servicios → nodes →
/// partida …, ending in `__typename`.
fn deep_data(levels: usize) -> String {
    let cycle = ["servicios(first: 1)", "nodes", "partida"];
    let mut query = "__typename".to_owned();
    for level in (1..levels - 1).rev() {
        query = format!("{} {{ {query} }}", cycle[(level - 1) % 3]);
    }
    format!("partida(codigo: \"20\") {{ {query} }}")
}

#[tokio::test]
async fn the_full_standard_introspection_query_is_answered_under_the_default_limits() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        let reply = ask(&t.db, &settings, FULL).await;
        assert_eq!(reply.status, StatusCode::OK);
        let body = reply.json();
        assert!(body.get("errors").is_none(), "{body}");
        let types = body["data"]["__schema"]["types"].as_array().expect("types");
        assert!(types.iter().any(|t| t["name"] == "ObjetivoInstitucional"));
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");
        // Beside data, in one operation, each held to its own bound.
        let mixed = format!("{{ {} __type(name: \"Partida\") {{ fields {{ name type {{ kind ofType {{ kind ofType {{ kind ofType {{ name }} }} }} }} }} }} }}", deep_data(12));
        answered(&t.db, &settings, &mixed).await;
    })
    .await;
}

#[tokio::test]
async fn deep_repeated_or_cyclic_introspection_is_still_refused() {
    each_database(|t| async move {
        let settings = HttpSettings::default();
        let code = "INTROSPECTION_LIMIT_EXCEEDED";
        // fields → type → fields walks the type graph in circles.
        let cyclic = "{ __schema { types { fields { type { fields { type { name } } } } } } }";
        let reply = ask(&t.db, &settings, cyclic).await;
        assert_eq!(reply.code(), code, "{}", reply.json());
        assert!(
            reply.message().contains("`fields` inside `fields`"),
            "{}",
            reply.message()
        );
        assert_eq!(reply.json()["data"], serde_json::Value::Null, "nothing ran");
        // Two __schema, one under an alias.
        let twice = "{ __schema { description } again: __schema { description } }";
        refused(&t.db, &settings, twice, code, 2).await;
        // ofType past any real type, in brackets and through fragments.
        let mut of_type = "name".to_owned();
        for _ in 0..=MAX_OF_TYPE {
            of_type = format!("ofType {{ {of_type} }}");
        }
        let brackets = format!("{{ __type(name: \"Partida\") {{ {of_type} }} }}");
        refused(&t.db, &settings, &brackets, code, MAX_OF_TYPE).await;
        // A hundred levels through fragments, which brackets do not show.
        let mut chain = String::from("{ __type(name: \"Partida\") { ...T0 } }");
        for i in 0..100 {
            chain += &format!(" fragment T{i} on __Type {{ ofType {{ ...T{} }} }}", i + 1);
        }
        chain += " fragment T100 on __Type { name }";
        refused(&t.db, &settings, &chain, code, MAX_OF_TYPE).await;
    })
    .await;
}

#[tokio::test]
async fn a_name_called_schema_is_no_way_around_the_depth_limit() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let settings = HttpSettings::default();
        let code = "DEPTH_LIMIT_EXCEEDED";
        let deep = deep_data(13);
        answered(&t.db, &settings, &format!("{{ {} }}", deep_data(12))).await;
        refused(&t.db, &settings, &format!("{{ {deep} }}"), code, 12).await;
        // An operation, a fragment and an alias called __schema or __type.
        refused(
            &t.db,
            &settings,
            &format!("query __schema {{ {deep} }}"),
            code,
            12,
        )
        .await;
        let fragment = format!("{{ ...__schema }} fragment __schema on Query {{ {deep} }}");
        refused(&t.db, &settings, &fragment, code, 12).await;
        let alias = format!("{{ __schema: {deep} }}");
        refused(&t.db, &settings, &alias, code, 12).await;
        let alias = format!("{{ __type: {deep} }}");
        refused(&t.db, &settings, &alias, code, 12).await;
        // Introspection beside it does not lift the data's limit either.
        let beside = format!("{{ __schema {{ description }} {deep} }}");
        refused(&t.db, &settings, &beside, code, 12).await;
    })
    .await;
}

#[tokio::test]
async fn introspection_can_be_turned_off_with_a_clear_error() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        let mut settings = HttpSettings::default();
        settings.limits.disable_introspection = true;
        for query in [FULL, "{ __type(name: \"Partida\") { name } }"] {
            let reply = ask(&t.db, &settings, query).await;
            assert_eq!(reply.code(), "INTROSPECTION_DISABLED", "{}", reply.json());
            assert!(
                reply.message().contains("turned off"),
                "{}",
                reply.message()
            );
        }
        let strict = accepting("application/graphql-response+json", post_query(FULL));
        assert_eq!(
            send(&t.db, &settings, strict).await.status,
            StatusCode::BAD_REQUEST
        );
        // __typename is not introspection: clients add it everywhere.
        answered(
            &t.db,
            &settings,
            "{ __typename partidas { nodes { __typename codigo } } }",
        )
        .await;
        assert_eq!(
            send(&t.db, &settings, get("/schema.graphql")).await.status,
            StatusCode::NOT_FOUND
        );
    })
    .await;
}

#[test]
fn introspection_is_turned_off_by_its_flag_and_its_environment_variable() {
    let cwd = tempfile::tempdir().expect("tempdir");
    for (args, env) in [
        (&["--disable-introspection"][..], &[][..]),
        (
            &[][..],
            &[("DEFINICIONES_DISABLE_INTROSPECTION", "true")][..],
        ),
    ] {
        let (server, port) = start_server(cwd.path(), args, env);
        let sdl = http_get(port, "/schema.graphql").expect("an answer");
        assert!(sdl.starts_with("HTTP/1.1 404"), "{sdl}");
        drop(server);
    }
    let (_server, port) = start_server(cwd.path(), &[], &[]);
    let sdl = http_get(port, "/schema.graphql").expect("an answer");
    assert!(sdl.starts_with("HTTP/1.1 200"), "{sdl}");
}

/// graphql-js against the live server: its full introspection builds a
/// client schema equal to the served SDL, and every README cookbook query
/// validates against it and answers as Apollo Client and Relay send it.
#[test]
fn graphql_js_builds_the_schema_and_every_cookbook_query_validates() {
    if !e2e_ready("graphql", &[]) {
        return;
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_server(cwd.path(), &[], &[]);
    let url = format!("http://127.0.0.1:{port}");
    let readme = manifest.join("README.md");
    let stdout = run_e2e("introspection.mjs", &[url.as_ref(), readme.as_ref()]);
    assert!(stdout.contains("introspection e2e: ok"), "{stdout}");
}
