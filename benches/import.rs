//! Import throughput: `cargo bench --bench import`.
//!
//! Files copies of the bundled ficha under many partida/capítulo codes
//! (each partida's ministry objectives stored once and shared, as in real
//! data) and imports them one transaction each, as `definiciones import`
//! does, into a fresh SQLite file — and into PostgreSQL too when
//! `BENCH_DATABASE_URL` names a database that may be emptied. Prints
//! fichas/s and MB/s. Target: ≥ 500 fichas/s into SQLite.

use std::time::Instant;

use definiciones::cli;
use definiciones::store::import::{Summary, import_bytes};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const PARTIDAS: usize = 40;
const SERVICIOS_POR_PARTIDA: usize = 25;

const SAMPLE: &str =
    include_str!("../data/fichas/2024-2026_20_01_secretaria-general-de-gobierno.txt");

fn corpus() -> Vec<(String, String)> {
    let mut fichas = Vec::with_capacity(PARTIDAS * SERVICIOS_POR_PARTIDA);
    for partida in 0..PARTIDAS {
        for capitulo in 0..SERVICIOS_POR_PARTIDA {
            let text = SAMPLE
                .replace("PARTIDA\t20", &format!("PARTIDA\t{:02}", partida + 1))
                .replace("CAPITULO\t01", &format!("CAPITULO\t{:02}", capitulo + 1))
                .replace(
                    "Diálogos con la sociedad civil.",
                    &format!("Diálogos con la sociedad civil, servicio {capitulo}."),
                );
            fichas.push((format!("{partida:02}_{capitulo:02}.txt"), text));
        }
    }
    fichas
}

async fn run(label: &str, db: &DatabaseConnection, corpus: &[(String, String)]) {
    let bytes: usize = corpus.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    let mut summary = Summary::default();
    for (name, text) in corpus {
        let result = import_bytes(db, name, name, text.as_bytes()).await;
        summary.record(name, &result);
    }
    let seconds = start.elapsed().as_secs_f64();
    assert_eq!(summary.imported, corpus.len(), "{summary}");
    println!(
        "import {label:<10} {} fichas in {seconds:.2} s: {:.0} fichas/s, {:.2} MB/s",
        corpus.len(),
        corpus.len() as f64 / seconds,
        bytes as f64 / seconds / 1e6
    );

    // Again: every ficha is unchanged, nothing is written.
    let start = Instant::now();
    for (name, text) in corpus {
        import_bytes(db, name, name, text.as_bytes())
            .await
            .expect("re-import");
    }
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "re-import {label:<7} {} fichas in {seconds:.2} s: {:.0} fichas/s (all unchanged)",
        corpus.len(),
        corpus.len() as f64 / seconds
    );
}

#[tokio::main]
async fn main() {
    // `cargo test --benches` runs benches once as tests; stay quick there.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let corpus = corpus();

    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    let db = cli::open_with(&url, definiciones::store::Pool::Single)
        .await
        .expect("SQLite opens");
    run("sqlite", &db, &corpus).await;

    if let Ok(url) = std::env::var("BENCH_DATABASE_URL") {
        let db = cli::open_with(&url, definiciones::store::Pool::Single)
            .await
            .expect("BENCH_DATABASE_URL opens");
        for table in [
            "producto_objetivo_institucional",
            "objetivo_institucional_ministerial",
            "productos",
            "objetivos_institucionales",
            "objetivos_ministeriales",
            "fichas",
            "servicios",
            "partidas",
        ] {
            db.execute_raw(Statement::from_string(
                db.get_database_backend(),
                format!("DELETE FROM {table}"),
            ))
            .await
            .expect("empty the benchmark database");
        }
        run("postgres", &db, &corpus).await;
    }
}
