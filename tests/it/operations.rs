//! What the README promises the people who run definiciones, proven on the
//! real binary: SIGTERM finishes the requests in flight and refuses new
//! connections; an import from another process is seen on the next
//! request, on SQLite and on PostgreSQL; two replicas over one PostgreSQL
//! both see it, and a refused ficha changes neither; PostgreSQL sessions
//! plan a kept statement once; answers are compressed with brotli as well
//! as gzip.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, header};
use definiciones::http::HttpSettings;
use sea_orm::{ConnectionTrait, Statement};

use crate::helpers::{
    Fichas, SAMPLE, each_database, http_get, load_sample, postgres, postgres_url, run, sample_as,
    send, start_server,
};

/// How many fichas the server at `port` answers it holds.
fn fichas(port: u16) -> u64 {
    let answer = get(port, "{estadisticas{fichas}}");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let json: serde_json::Value =
        serde_json::from_str(body.trim()).unwrap_or_else(|e| panic!("JSON ({e}): {answer}"));
    json["data"]["estadisticas"]["fichas"]
        .as_u64()
        .unwrap_or_else(|| panic!("{json}"))
}

/// Import `files` into `url` with the command line, as an operator would.
fn import(url: &str, cwd: &Path, files: &[&Path]) -> std::process::Output {
    let mut args = vec!["import", "--database-url", url];
    args.extend(files.iter().map(|f| f.to_str().expect("utf-8 path")));
    run(&args, Some(cwd), &[])
}

#[test]
fn sigterm_finishes_requests_in_flight_refuses_new_ones_and_exits_0() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let (mut server, port) = start_server(cwd.path(), &[], &[]);
    // A request in flight: its body half sent.
    let body = br#"{"query":"{ partidas { totalCount } }"}"#;
    let mut in_flight = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    write!(
        in_flight,
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .expect("writes");
    in_flight.write_all(&body[..10]).expect("writes");
    std::thread::sleep(Duration::from_millis(300));
    let pid = server.0.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    // New connections are refused once the server has seen the signal.
    let deadline = Instant::now() + Duration::from_secs(5);
    while TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The request in flight still gets its answer.
    in_flight
        .write_all(&body[10..])
        .expect("the rest of the body");
    in_flight
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    let mut answer = String::new();
    let _ = in_flight.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"totalCount\":1"), "{answer}");
    let status = server.0.wait().expect("the server exits");
    assert!(status.success(), "exit status {status}");
}

#[test]
fn an_import_from_another_process_is_seen_on_the_next_request() {
    let fichas_dir = Fichas::new();
    let second = fichas_dir.write("second.txt", sample_as("20", "02"));
    // SQLite: the server's own file.
    let cwd = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}/definiciones.db?mode=rwc", cwd.path().display());
    let (_server, port) = start_server(cwd.path(), &["--database-url", &url], &[]);
    assert_eq!(fichas(port), 1, "the bundled ficha");
    let imported = import(&url, cwd.path(), &[&second]);
    assert!(imported.status.success(), "{imported:?}");
    assert_eq!(fichas(port), 2, "sqlite: seen on the next request");
    // PostgreSQL.
    let Some(admin) = postgres_url() else {
        eprintln!("skipping the PostgreSQL half: TEST_DATABASE_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (t, _guard) = runtime.block_on(postgres(&admin));
    let (_pg_server, pg_port) = start_server(cwd.path(), &["--database-url", &t.url], &[]);
    assert_eq!(fichas(pg_port), 0);
    let imported = import(&t.url, cwd.path(), &[&second]);
    assert!(imported.status.success(), "{imported:?}");
    assert_eq!(fichas(pg_port), 1, "postgres: seen on the next request");
}

#[test]
fn two_replicas_over_one_postgresql_both_see_an_import_and_neither_a_refused_ficha() {
    let Some(admin) = postgres_url() else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (t, _guard) = runtime.block_on(postgres(&admin));
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_a, port_a) = start_server(cwd.path(), &["--database-url", &t.url], &[]);
    let (_b, port_b) = start_server(cwd.path(), &["--database-url", &t.url], &[]);
    // Each replica keeps an answer in its cache first.
    assert_eq!((fichas(port_a), fichas(port_b)), (0, 0));
    let fichas_dir = Fichas::new();
    let good = fichas_dir.write("good.txt", SAMPLE);
    let imported = import(&t.url, cwd.path(), &[&good]);
    assert!(imported.status.success(), "{imported:?}");
    assert_eq!((fichas(port_a), fichas(port_b)), (1, 1));
    let broken = fichas_dir.write(
        "broken.txt",
        sample_as("20", "02").replace("PARTIDA", "PARTIDO"),
    );
    let refused = import(&t.url, cwd.path(), &[&broken]);
    assert!(!refused.status.success(), "the broken ficha is refused");
    assert_eq!((fichas(port_a), fichas(port_b)), (1, 1));
}

#[tokio::test]
async fn postgresql_sessions_plan_a_kept_statement_once() {
    let Some(admin) = postgres_url() else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    // `postgres` opens the database as the server does (`cli::open`).
    let (t, _guard) = postgres(&admin).await;
    for (setting, wanted) in [
        ("plan_cache_mode", "force_generic_plan"),
        ("random_page_cost", "1.1"),
    ] {
        let row =
            t.db.query_one_raw(Statement::from_string(
                t.db.get_database_backend(),
                format!("SHOW {setting}"),
            ))
            .await
            .expect("SHOW")
            .expect("a row");
        let value: String = row.try_get("", setting).expect("the setting");
        assert_eq!(value, wanted, "{setting}");
    }
}

#[tokio::test]
async fn after_a_burst_one_client_keeps_to_the_postgresql_connection_it_used_last() {
    let Some(admin) = postgres_url() else {
        eprintln!("skipping: TEST_DATABASE_URL is not set");
        return;
    };
    let (t, _guard) = postgres(&admin).await;
    let backend = |sql: &'static str| {
        let db = t.db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .expect("the statement runs")
                .expect("a row");
            row.try_get::<i32>("", "pid").expect("the backend's pid")
        }
    };
    // A burst: statements at once, each holding its connection a moment,
    // so the pool opens several.
    let burst = futures_util::future::join_all(
        (0..8).map(|_| backend("SELECT pg_backend_pid() AS pid, pg_sleep(0.05)")),
    )
    .await;
    let opened: std::collections::HashSet<i32> = burst.into_iter().collect();
    assert!(
        opened.len() > 1,
        "the burst opened {} connections",
        opened.len()
    );
    // Then one client, one statement after another: each on the connection
    // the one before it gave back, not on each of the burst's in turn.
    let mut used = std::collections::HashSet::new();
    for _ in 0..10 {
        used.insert(backend("SELECT pg_backend_pid() AS pid").await);
    }
    assert_eq!(used.len(), 1, "one client went round {used:?}");
}

#[tokio::test]
async fn answers_are_compressed_with_brotli_as_well_as_gzip() {
    each_database(|t| async move {
        load_sample(&t.db).await;
        for encoding in ["br", "gzip"] {
            let request = Request::get("/graphql?query=%7Bpartidas%7BtotalCount%7D%7D")
                .header(header::ACCEPT_ENCODING, encoding)
                .body(Body::empty())
                .expect("request");
            let reply = send(&t.db, &HttpSettings::default(), request).await;
            assert_eq!(
                reply.headers[header::CONTENT_ENCODING],
                encoding,
                "{}",
                t.backend
            );
        }
    })
    .await;
}

/// Serve on a fresh directory with `args` and `env`, ask `paths`, stop, and
/// return what the server logged.
fn logged(args: &[&str], env: &[(&str, &str)], paths: &[&str]) -> String {
    let cwd = tempfile::tempdir().expect("tempdir");
    let port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{port}");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_definiciones"));
    command
        .args(["serve", "--bind", &bind])
        .args(args)
        .current_dir(cwd.path())
        .env_remove("DATABASE_URL")
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let server = command.spawn().expect("the server starts");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !http_get(port, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")) {
        assert!(Instant::now() < deadline, "no /health within 30 s");
        std::thread::sleep(Duration::from_millis(50));
    }
    for path in paths {
        http_get(port, path).expect("an answer");
    }
    let pid = server.id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    let output = server.wait_with_output().expect("the server's log");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn log_format_json_writes_one_object_a_line_with_the_request_fields() {
    let query = "/graphql?query=query%20Cuenta%7Bpartidas%7BtotalCount%7D%7D&operationName=Cuenta";
    for (args, env) in [
        (&["--log-format", "json"][..], &[][..]),
        (&[][..], &[("DEFINICIONES_LOG_FORMAT", "json")][..]),
    ] {
        let log = logged(args, env, &[query, query]);
        let lines: Vec<serde_json::Value> = log
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        let answered: Vec<&serde_json::Value> = lines
            .iter()
            .filter(|l| l["message"] == "answered" && l["span"]["uri"].as_str() == Some(query))
            .collect();
        assert_eq!(answered.len(), 2, "one line a request: {log}");
        for line in answered {
            assert_eq!(line["status"], 200, "{line}");
            assert!(line["duration_ms"].as_f64().is_some(), "{line}");
            let span = &line["span"];
            assert_eq!(span["method"], "GET", "{line}");
            assert_eq!(span["operation"], "Cuenta", "{line}");
            assert!(
                span["request_id"].as_str().is_some_and(|id| !id.is_empty()),
                "{line}"
            );
            assert!(span["sql_statements"].as_u64().is_some(), "{line}");
        }
    }
}

#[tokio::test]
async fn metrics_are_prometheus_text_that_promtool_accepts() {
    let (t, _guard) = crate::helpers::sqlite().await;
    load_sample(&t.db).await;
    let router = definiciones::http::router(t.db.clone());
    let named = crate::helpers::post_json(
        serde_json::json!({ "query": "query MetricasUno { partidas { totalCount } }" }).to_string(),
    );
    crate::helpers::call(&router, named).await;
    let by_get = Request::get(
        "/graphql?query=query%20MetricasDos%7Bpartidas%7BtotalCount%7D%7D&operationName=MetricasDos",
    )
    .body(Body::empty())
    .expect("request");
    crate::helpers::call(&router, by_get).await;
    let scrape = Request::get("/metrics")
        .body(Body::empty())
        .expect("request");
    let reply = crate::helpers::call(&router, scrape).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply.headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = String::from_utf8(reply.bytes.clone()).expect("UTF-8");
    for series in [
        r#"definiciones_http_requests_total{status="200",operation="MetricasUno"}"#,
        r#"definiciones_http_requests_total{status="200",operation="MetricasDos"}"#,
        "definiciones_http_request_duration_seconds_bucket",
        "definiciones_response_cache_misses_total",
        "definiciones_sql_statements_total",
        "definiciones_http_requests_in_flight",
        r#"definiciones_db_connections{state="idle"}"#,
        r#"definiciones_db_connections{state="in_use"}"#,
        "definiciones_data_version",
    ] {
        assert!(text.contains(series), "no {series} in:\n{text}");
    }
    // Prometheus's own checker, where it is installed (CI installs it).
    let promtool = Path::new("/usr/bin/promtool");
    if !promtool.exists() {
        assert!(std::env::var_os("CI").is_none(), "CI must have promtool");
        eprintln!("skipping promtool: not installed");
        return;
    }
    let check = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .output_with_stdin(text.as_bytes());
    assert!(
        check.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn metrics_can_be_served_apart_from_the_api() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let metrics_port = crate::helpers::free_port();
    let bind = format!("127.0.0.1:{metrics_port}");
    let (_server, port) = start_server(cwd.path(), &["--metrics-bind", &bind], &[]);
    let public = http_get(port, "/metrics").expect("an answer");
    assert!(public.starts_with("HTTP/1.1 404"), "{public}");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match http_get(metrics_port, "/metrics") {
            Some(answer) if answer.starts_with("HTTP/1.1 200") => {
                assert!(answer.contains("definiciones_data_version"), "{answer}");
                break;
            }
            _ => {
                assert!(Instant::now() < deadline, "no metrics on {bind}");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Run a command with `input` on its standard input.
trait WithStdin {
    fn output_with_stdin(&mut self, input: &[u8]) -> std::process::Output;
}

impl WithStdin for std::process::Command {
    fn output_with_stdin(&mut self, input: &[u8]) -> std::process::Output {
        let mut child = self
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the command runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input)
            .expect("writes");
        child.wait_with_output().expect("its output")
    }
}

/// A raw HTTP/1.1 request: the whole answer (status line, headers, body).
fn http_request(port: u16, request: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    stream.write_all(request.as_bytes()).expect("writes");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

/// A GraphQL query over GET: the whole answer.
fn get(port: u16, query: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(query.as_bytes()).collect();
    http_get(port, &format!("/graphql?query={encoded}")).expect("an answer")
}

/// A JSON body POSTed to /graphql: the whole answer.
fn post(port: u16, body: &str) -> String {
    http_request(
        port,
        &format!(
            "POST /graphql HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        ),
    )
}

/// Every limit, the cache and the connection timeout, set through their
/// flags on one server and through their environment variables on
/// another: each refuses what it should, with its value in the message.
#[test]
fn every_setting_is_read_from_its_flag_and_from_its_environment_variable() {
    let settings: [(&str, &str, &str); 13] = [
        ("--max-depth", "DEFINICIONES_MAX_DEPTH", "4"),
        ("--max-cost", "DEFINICIONES_MAX_COST", "30"),
        ("--max-fields", "DEFINICIONES_MAX_FIELDS", "8"),
        ("--max-aliases", "DEFINICIONES_MAX_ALIASES", "1"),
        ("--max-directives", "DEFINICIONES_MAX_DIRECTIVES", "1"),
        ("--max-recursion", "DEFINICIONES_MAX_RECURSION", "6"),
        ("--max-query-chars", "DEFINICIONES_MAX_QUERY_CHARS", "300"),
        ("--max-query-tokens", "DEFINICIONES_MAX_QUERY_TOKENS", "60"),
        ("--max-body-bytes", "DEFINICIONES_MAX_BODY_BYTES", "2000"),
        ("--max-batch", "DEFINICIONES_MAX_BATCH", "2"),
        (
            "--response-cache-mib",
            "DEFINICIONES_RESPONSE_CACHE_MIB",
            "0",
        ),
        (
            "--header-timeout-ms",
            "DEFINICIONES_HEADER_TIMEOUT_MS",
            "1000",
        ),
        (
            "--disable-introspection",
            "DEFINICIONES_DISABLE_INTROSPECTION",
            "true",
        ),
    ];
    let flags: Vec<&str> = settings
        .iter()
        .flat_map(|(flag, _, value)| match *flag {
            "--disable-introspection" => vec![*flag],
            _ => vec![*flag, *value],
        })
        .collect();
    let env: Vec<(&str, &str)> = settings
        .iter()
        .map(|(_, env, value)| (*env, *value))
        .collect();
    let cwd = tempfile::tempdir().expect("tempdir");
    for (how, args, env) in [
        ("flags", &flags[..], &[][..]),
        ("environment", &[][..], &env[..]),
    ] {
        let (_server, port) = start_server(cwd.path(), args, env);
        let refused = |answer: String, code: &str, limit: &str| {
            assert!(answer.contains(code), "{how}: expected {code}: {answer}");
            assert!(
                answer.contains(limit),
                "{how}: {code} names {limit}: {answer}"
            );
        };
        refused(
            get(port, "{partidas{nodes{servicios{nodes{capitulo}}}}}"),
            "DEPTH_LIMIT_EXCEEDED",
            "at most 4",
        );
        // The bundled ficha's 10 productos and 9 objectives: 31 objects.
        refused(
            get(
                port,
                "{productos{edges{node{numero}}}objetivosInstitucionales{nodes{id}}}",
            ),
            "COST_LIMIT_EXCEEDED",
            "more than the 30 allowed",
        );
        refused(
            get(
                port,
                "{partidas{nodes{codigo nombre id codigo nombre id codigo}}}",
            ),
            "FIELD_LIMIT_EXCEEDED",
            "at most 8",
        );
        refused(
            get(port, "{a:partidas{totalCount} b:partidas{totalCount}}"),
            "ALIAS_LIMIT_EXCEEDED",
            "at most 1",
        );
        refused(
            get(
                port,
                "{partidas @skip(if:false){totalCount} servicios @skip(if:false){totalCount}}",
            ),
            "DIRECTIVE_LIMIT_EXCEEDED",
            "at most 1",
        );
        refused(
            get(
                port,
                "{partidas{nodes{servicios(filter:{partidas:[[\"20\"]]}){totalCount}}}}",
            ),
            "RECURSION_LIMIT_EXCEEDED",
            "at most 6",
        );
        refused(
            get(port, &format!("{{__typename}}#{}", "x".repeat(300))),
            "QUERY_TOO_LARGE",
            "at most 300",
        );
        refused(
            get(port, &format!("{{{}}}", "a ".repeat(60))),
            "TOKEN_LIMIT_EXCEEDED",
            "at most 60",
        );
        refused(
            get(port, "{__schema{description}}"),
            "INTROSPECTION_DISABLED",
            "turned off",
        );
        let big = format!("{{\"query\":\"{{__typename}}#{}\"}}", "x".repeat(2000));
        refused(post(port, &big), "PAYLOAD_TOO_LARGE", "2000");
        let batch =
            r#"[{"query":"{__typename}"},{"query":"{__typename}"},{"query":"{__typename}"}]"#;
        refused(post(port, batch), "BATCH_LIMIT_EXCEEDED", "at most 2");
        // No cache: the same request computed each time, after the data
        // version that its cost is read at (with the cache, 2 statements
        // and then the kept answer's 1).
        for _ in 0..2 {
            let answer = get(port, "{partidas(first:5){nodes{codigo}}}");
            assert!(answer.contains("\"codigo\":\"20\""), "{how}: {answer}");
            assert!(
                answer.contains("x-sql-statements: 2\r\n"),
                "{how}: computed: {answer}"
            );
        }
        // The header timeout.
        let mut half = TcpStream::connect(("127.0.0.1", port)).expect("connects");
        half.write_all(b"GET /health HTTP/1.1\r\n").expect("writes");
        half.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let started = Instant::now();
        let _ = half.read_to_end(&mut Vec::new());
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{how}: header timeout"
        );
    }
}

/// The systemd unit the README offers passes `systemd-analyze verify`, with
/// the binary this build made in place of the installed one.
#[test]
fn the_systemd_unit_verifies() {
    let analyze = Path::new("/usr/bin/systemd-analyze");
    if !analyze.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must have systemd-analyze"
        );
        eprintln!("skipping: no systemd-analyze");
        return;
    }
    let unit = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/deploy/definiciones.service"
    ))
    .expect("deploy/definiciones.service");
    assert!(unit.contains("ExecStart=/usr/local/bin/definiciones serve"));
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("definiciones.service");
    std::fs::write(
        &path,
        unit.replace(
            "/usr/local/bin/definiciones",
            env!("CARGO_BIN_EXE_definiciones"),
        ),
    )
    .expect("writes");
    let verified = std::process::Command::new(analyze)
        .arg("verify")
        .arg(&path)
        .output()
        .expect("systemd-analyze runs");
    assert!(
        verified.status.success() && verified.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&verified.stderr)
    );
}

/// Production mode, through its flag and its environment variable: no
/// "did you mean" in errors.
#[test]
fn production_mode_is_read_from_its_flag_and_its_environment_variable() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let misspelt = "{partidas{totalCont}}";
    for (args, env) in [
        (&["--production"][..], &[][..]),
        (&[][..], &[("DEFINICIONES_PRODUCTION", "true")][..]),
    ] {
        let (_server, port) = start_server(cwd.path(), args, env);
        let answer = get(port, misspelt);
        assert!(answer.contains("GRAPHQL_VALIDATION_FAILED"), "{answer}");
        assert!(!answer.contains("Did you mean"), "no suggestions: {answer}");
    }
    let (_server, port) = start_server(cwd.path(), &[], &[]);
    assert!(get(port, misspelt).contains("Did you mean"));
}
