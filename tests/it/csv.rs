//! CSV answers, as a spreadsheet or BI tool gets them from a link: read
//! back with a real CSV reader, kept and tagged apart from JSON, and never
//! half a table.

use axum::Router;
use axum::http::{StatusCode, header};
use definiciones::http::{self, HttpSettings};
use definiciones::store::import::import_bytes;
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::helpers::{
    Reply, SAMPLE, accepting, call, each_database, get, get_revalidating, http_get, post_json,
    post_query, start_server,
};

/// The sample with producto 3's name holding a quote and a comma.
fn sample_with_awkward_text() -> String {
    SAMPLE.replace(
        "3\tDiálogos con la sociedad civil.",
        "3\tDiálogos \"Género\" con la sociedad civil, en regiones.",
    )
}

async fn serving(db: &DatabaseConnection, settings: HttpSettings) -> Router {
    import_bytes(db, "a.txt", "a.txt", sample_with_awkward_text().as_bytes())
        .await
        .expect("the sample imports");
    http::router_with(db.clone(), settings)
}

/// `/graphql?<format>query=<query>`, the query URL-encoded.
fn link(format: &str, query: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    format!("/graphql?{format}query={encoded}")
}

/// The records of a CSV body, header first, read as any CSV reader would.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    ::csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("a CSV record").iter().map(str::to_owned).collect())
        .collect()
}

fn header_of(reply: &Reply, name: header::HeaderName) -> &str {
    reply
        .headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("a {name} header"))
}

const OBJETIVOS: &str = "query objetivosConProductos { objetivosInstitucionales { totalCount nodes { \
    prioridad enfoqueGenero servicio { nombre partida { codigo } } \
    productos { nodes { numero nombre } } } } }";

#[tokio::test]
async fn a_csv_link_answers_the_first_list_one_row_per_nested_item() {
    each_database(|t| async move {
        let router = serving(&t.db, HttpSettings::default()).await;
        let reply = call(&router, get(&link("format=csv&", OBJETIVOS))).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}: {}",
            t.backend,
            reply.text()
        );
        assert_eq!(
            header_of(&reply, header::CONTENT_TYPE),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            header_of(&reply, header::CONTENT_DISPOSITION),
            "attachment; filename=\"objetivosConProductos.csv\""
        );
        assert!(reply.headers.contains_key(header::ETAG));
        assert!(
            reply
                .headers
                .get_all(header::VARY)
                .iter()
                .any(|v| v == "accept")
        );
        assert!(reply.text().ends_with("\r\n"), "CRLF line ends");

        let table = records(&reply.bytes);
        assert_eq!(
            table[0],
            [
                "prioridad",
                "enfoqueGenero",
                "servicio.nombre",
                "servicio.partida.codigo",
                "productos.numero",
                "productos.nombre"
            ]
        );
        // One row per producto of each objective, and one for each
        // objective without any: as many as the JSON answer implies.
        let json = call(&router, post_query(OBJETIVOS)).await;
        let nodes = json.data()["objetivosInstitucionales"]["nodes"]
            .as_array()
            .expect("nodes")
            .clone();
        let expected: usize = nodes
            .iter()
            .map(|n| {
                n["productos"]["nodes"]
                    .as_array()
                    .map_or(0, Vec::len)
                    .max(1)
            })
            .sum();
        assert_eq!(table.len() - 1, expected, "{}", t.backend);
        assert_eq!(expected, 13, "10 producto links and 3 objectives without");
        assert_eq!(
            table[1],
            [
                "1",
                "true",
                "SECRETARIA GENERAL DE GOBIERNO",
                "20",
                "3",
                "Diálogos \"Género\" con la sociedad civil, en regiones."
            ],
            "{}",
            t.backend
        );
        assert!(
            reply.text().contains("\"Diálogos \"\"Género\"\" con"),
            "RFC 4180 quoting"
        );
        let last = table.last().expect("a row");
        assert_eq!((&last[0][..], &last[4][..], &last[5][..]), ("9", "", ""));
    })
    .await;
}

#[tokio::test]
async fn accept_text_csv_answers_the_same_table_by_get_and_post() {
    each_database(|t| async move {
        let router = serving(&t.db, HttpSettings::default()).await;
        let query = "{ productos(first: 3) { edges { cursor node { numero nombre } } } }";
        let linked = call(&router, get(&link("format=csv&", query))).await;
        let by_get = call(&router, accepting("text/csv", get(&link("", query)))).await;
        let by_post = call(&router, accepting("text/csv", post_query(query))).await;
        assert_eq!(linked.status, StatusCode::OK, "{}", linked.text());
        assert_eq!(by_get.bytes, linked.bytes, "{}", t.backend);
        assert_eq!(by_post.bytes, linked.bytes, "{}", t.backend);
        assert_eq!(
            header_of(&by_post, header::CONTENT_DISPOSITION),
            "attachment; filename=\"productos.csv\""
        );
        let table = records(&linked.bytes);
        assert_eq!(table[0], ["cursor", "numero", "nombre"]);
        assert_eq!(table.len(), 4);

        // A JSON type named as high as CSV keeps JSON.
        let tie = call(
            &router,
            accepting("application/json, text/csv", post_query(query)),
        )
        .await;
        assert!(tie.json()["data"]["productos"].is_object());
        let csv_first = call(
            &router,
            accepting("text/csv, application/json;q=0.5", post_query(query)),
        )
        .await;
        assert_eq!(csv_first.bytes, linked.bytes);
    })
    .await;
}

#[tokio::test]
async fn csv_answers_are_kept_and_tagged_apart_from_json() {
    each_database(|t| async move {
        let router = serving(&t.db, HttpSettings::default()).await;
        let query = "{ productos { nodes { numero nombre } } }";
        let uri = link("", query);
        let csv = call(&router, accepting("text/csv", get(&uri))).await;
        let json = call(&router, accepting("application/json", get(&uri))).await;
        assert_eq!(json.json()["data"]["productos"]["nodes"][0]["numero"], 1);
        assert_ne!(csv.bytes, json.bytes);
        assert_ne!(csv.headers[header::ETAG], json.headers[header::ETAG]);

        // Each is served again from memory, in its own media type.
        let csv_again = call(&router, accepting("text/csv", get(&uri))).await;
        assert_eq!(csv_again.bytes, csv.bytes, "{}", t.backend);
        assert_eq!(csv_again.statements(), 1, "only the data version was read");
        assert_eq!(
            header_of(&csv_again, header::CONTENT_DISPOSITION),
            "attachment; filename=\"productos.csv\""
        );
        let json_again = call(&router, accepting("application/json", get(&uri))).await;
        assert_eq!(json_again.bytes, json.bytes);

        // A revalidation of the unchanged table: 304.
        let etag = header_of(&csv, header::ETAG).to_owned();
        let unchanged = call(
            &router,
            accepting("text/csv", get_revalidating(&uri, Some(&etag))),
        )
        .await;
        assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
        assert!(unchanged.bytes.is_empty());
    })
    .await;
}

#[tokio::test]
async fn bom_true_starts_the_file_with_a_byte_order_mark_for_excel() {
    each_database(|t| async move {
        let router = serving(&t.db, HttpSettings::default()).await;
        let query = "{ productos { nodes { numero nombre } } }";
        let plain = call(&router, get(&link("format=csv&", query))).await;
        let for_excel = call(&router, get(&link("format=csv&bom=true&", query))).await;
        assert_eq!(for_excel.status, StatusCode::OK);
        assert!(!plain.bytes.starts_with(b"\xEF\xBB\xBF"), "{}", t.backend);
        assert_eq!(for_excel.bytes[..3], *b"\xEF\xBB\xBF");
        assert_eq!(for_excel.bytes[3..], plain.bytes[..]);
    })
    .await;
}

/// The reply is a JSON GraphQL error with `status` and `code`, not a CSV.
fn refused_as_json(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.text());
    assert!(
        header_of(reply, header::CONTENT_TYPE).starts_with("application/graphql-response+json"),
        "{:?}",
        reply.headers
    );
    assert!(!reply.headers.contains_key(header::CONTENT_DISPOSITION));
    assert_eq!(reply.code(), code, "{}", reply.json());
}

#[tokio::test]
async fn anything_but_a_whole_table_is_a_json_error_with_an_error_status() {
    each_database(|t| async move {
        let settings = HttpSettings {
            limits: definiciones::http::limits::Limits {
                depth: 5,
                ..Default::default()
            },
            ..HttpSettings::default()
        };
        let router = serving(&t.db, settings).await;
        let csv = |query: &str| get(&link("format=csv&", query));

        let no_list = call(
            &router,
            csv("{ servicio(partida: \"20\", capitulo: \"01\") { nombre } }"),
        )
        .await;
        refused_as_json(&no_list, StatusCode::BAD_REQUEST, "CSV_NEEDS_A_LIST");
        assert!(
            no_list.message().contains("`servicio` holds none"),
            "{}",
            no_list.message()
        );

        let side_by_side = call(
            &router,
            csv("{ objetivosInstitucionales { nodes { productos { nodes { numero } } \
                 objetivosMinisteriales { nodes { prioridad } } } } }"),
        )
        .await;
        refused_as_json(&side_by_side, StatusCode::BAD_REQUEST, "CSV_SIBLING_LISTS");

        let batch = call(
            &router,
            accepting(
                "text/csv",
                post_json(json!([{ "query": "{ productos { nodes { numero } } }" }]).to_string()),
            ),
        )
        .await;
        refused_as_json(&batch, StatusCode::BAD_REQUEST, "CSV_BATCH_UNSUPPORTED");

        // A partial answer (an error in the data): JSON, with what it holds.
        let partial = call(
            &router,
            csv("{ productos { nodes { numero } } partidas(after: \"nonsense\") { nodes { codigo } } }"),
        )
        .await;
        refused_as_json(&partial, StatusCode::BAD_REQUEST, "BAD_USER_INPUT");
        assert_eq!(partial.json()["data"]["productos"]["nodes"][0]["numero"], 1);

        let invalid = call(&router, csv("{ productos { nodes { nope } } }")).await;
        refused_as_json(&invalid, StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED");

        let deep = call(
            &router,
            csv("{ productos { nodes { servicio { partida { servicios { nodes { nombre } } } } } } }"),
        )
        .await;
        refused_as_json(&deep, StatusCode::BAD_REQUEST, "DEPTH_LIMIT_EXCEEDED");

        let unknown = call(
            &router,
            get(&link("format=xlsx&", "{ productos { nodes { numero } } }")),
        )
        .await;
        assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
        assert_eq!(unknown.code(), "BAD_REQUEST");
        assert!(unknown.message().contains("`format` takes `csv`"));
    })
    .await;
}

/// The cookbook's CSV link and the table it shows.
fn readme_link_and_table() -> (String, String) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md");
    let cookbook = readme
        .split("### Query cookbook")
        .nth(1)
        .and_then(|c| c.split("\n## ").next())
        .expect("a cookbook section");
    // The first block in `lang` that holds `text`.
    let block = |lang: &str, text: &str| {
        cookbook
            .split(&format!("```{lang}\n"))
            .skip(1)
            .filter_map(|b| b.split("```").next())
            .find(|b| b.contains(text))
            .unwrap_or_else(|| panic!("a ```{lang} block in the cookbook with {text}"))
            .to_owned()
    };
    let sh = block("sh", "format=csv");
    let path = sh
        .split("http://127.0.0.1:8080")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a link to the default address");
    assert!(path.contains("format=csv"), "{path}");
    (path.to_owned(), block("csv", ""))
}

#[tokio::test]
async fn the_readme_csv_link_answers_a_started_server_with_the_table_it_shows() {
    let (path, shown) = readme_link_and_table();
    each_database(|t| {
        let (path, shown) = (path.clone(), shown.clone());
        async move {
            let cwd = tempfile::tempdir().expect("tempdir");
            let (_server, port) =
                start_server(cwd.path(), &["--load-bundled"], &[("DATABASE_URL", &t.url)]);
            // As a spreadsheet asks: a plain GET, no Accept header.
            let response = http_get(port, &path).expect("an answer");
            let (head, body) = response.split_once("\r\n\r\n").expect("headers and a body");
            assert!(
                head.starts_with("HTTP/1.1 200"),
                "{}: {response}",
                t.backend
            );
            let head = head.to_ascii_lowercase();
            assert!(
                head.contains("content-type: text/csv; charset=utf-8"),
                "{head}"
            );
            assert!(
                head.contains(
                    "content-disposition: attachment; filename=\"objetivosinstitucionales.csv\""
                ),
                "{head}"
            );
            assert_eq!(body, shown.replace('\n', "\r\n"), "{}", t.backend);
            let table = records(body.as_bytes());
            assert_eq!(table.len(), 14, "a header and 13 rows");
            assert!(table.iter().all(|row| row.len() == 6));
            let with_comma = table.iter().find(|row| row[4] == "9").expect("producto 9");
            assert_eq!(
                with_comma[5],
                "Capacitación en la Ley 20.609, dirigida a funcionarias y funcionarios públicos."
            );
        }
    })
    .await;
}
