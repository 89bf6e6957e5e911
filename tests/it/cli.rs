//! The `definiciones` binary as a user runs it: `check`, `import`,
//! `export` and `migrate`, their output and exit codes.

use entity::prelude::*;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Database, DbBackend, EntityName, Statement};
use serde_json::Value;

use crate::helpers::{Fichas, SAMPLE, SAMPLE_NAME, each_database, read_dir, run, sample_as};

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn check_json_gives_every_objective_producto_and_link_of_the_sample() {
    let fichas = Fichas::new();
    let path = fichas.write(SAMPLE_NAME, SAMPLE);
    let output = run(
        &["check", "--json", path.to_str().expect("utf-8 path")],
        None,
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(json["archivo"], path.display().to_string());
    // The rest is the sample's, whole: its keys, every objective with its
    // links to the ministry's, every producto with the objectives it serves.
    insta::assert_json_snapshot!(json, { ".archivo" => "[the path given]" });
}

#[test]
fn check_json_of_several_files_is_a_list() {
    let fichas = Fichas::new();
    fichas.write("a.txt", SAMPLE);
    fichas.write("b.txt", sample_as("20", "02"));
    let output = run(
        &[
            "check",
            "--json",
            fichas.path().to_str().expect("utf-8 path"),
        ],
        None,
        &[],
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let list = json.as_array().expect("a list");
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["servicio"]["capitulo"], "02");
}

#[test]
fn check_refuses_a_broken_ficha_naming_file_and_line() {
    let fichas = Fichas::new();
    let broken = SAMPLE.replace(
        "2\tEstratégico\tEntregar a las Autoridades",
        "dos\tEstratégico\tEntregar a las Autoridades",
    );
    let path = fichas.write("broken.txt", broken);
    let output = run(&["check", path.to_str().expect("utf-8 path")], None, &[]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(
        message.contains(&format!(
            "{}:22: expected prioridad as a whole number, found \"dos\"",
            path.display()
        )),
        "{message}"
    );
}

#[test]
fn import_stores_good_fichas_and_names_every_refused_file() {
    let fichas = Fichas::new();
    fichas.write("1-good.txt", SAMPLE);
    fichas.write(
        "2-bad-tipo.txt",
        sample_as("20", "02").replace("\tEstratégico\tGenerar", "\tOtro\tGenerar"),
    );
    fichas.write("3-good.txt", sample_as("20", "03"));
    fichas.write("4-empty.txt", "");
    let dir = fichas.path().to_str().expect("utf-8 path").to_owned();
    let db_dir = tempfile::tempdir().expect("tempdir");
    let url = format!(
        "sqlite://{}?mode=rwc",
        db_dir.path().join("cli.db").display()
    );

    let output = run(&["import", "--database-url", &url, &dir], None, &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.lines()
            .any(|l| l == "imported 2, replaced 0, unchanged 0, refused 2"),
        "{out}"
    );
    let err = stderr(&output);
    assert!(err.contains("2-bad-tipo.txt:37: expected tipo"), "{err}");
    assert!(err.contains("4-empty.txt:1: expected the title"), "{err}");

    // Again, from the environment: the good ones are unchanged.
    let output = run(&["import", &dir], None, &[("DATABASE_URL", &url)]);
    assert!(
        stdout(&output).contains("imported 0, replaced 0, unchanged 2, refused 2"),
        "{}",
        stdout(&output)
    );
}

#[tokio::test]
async fn import_then_export_on_each_database() {
    each_database(|t| async move {
        let fichas = Fichas::new();
        let a = fichas.write("a.txt", SAMPLE);
        let b = fichas.write("b.txt", sample_as("20", "02"));
        let output = run(
            &[
                "import",
                "--database-url",
                &t.url,
                a.to_str().expect("path"),
                b.to_str().expect("path"),
            ],
            None,
            &[],
        );
        assert!(
            output.status.success(),
            "{}: {}",
            t.backend,
            stderr(&output)
        );
        assert!(stdout(&output).contains("imported 2, replaced 0, unchanged 0, refused 0"));

        let out = tempfile::tempdir().expect("tempdir");
        let output = run(
            &[
                "export",
                "--database-url",
                &t.url,
                out.path().to_str().expect("path"),
            ],
            None,
            &[],
        );
        assert!(
            output.status.success(),
            "{}: {}",
            t.backend,
            stderr(&output)
        );
        assert_eq!(
            stdout(&output).trim(),
            format!("exported 2 fichas to {}", out.path().display())
        );
        let exported = read_dir(out.path());
        assert_eq!(exported.len(), 2);

        // The exported fichas say what the originals say.
        let check = run(
            &["check", "--json", out.path().to_str().expect("path")],
            None,
            &[],
        );
        let json: Value = serde_json::from_slice(&check.stdout).expect("JSON");
        assert_eq!(json[0]["productos"].as_array().expect("list").len(), 10);
    })
    .await;
}

#[tokio::test]
async fn migrate_creates_the_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("m.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let output = run(&["migrate", "--database-url", &url], None, &[]);
    assert!(output.status.success(), "{}", stderr(&output));

    // Opened as the command left it: connecting does not migrate, and
    // would not create the file either.
    let db = Database::connect(format!("sqlite://{}", file.display()))
        .await
        .expect("the migrated database opens");
    let pending = Migrator::get_pending_migrations_read_only(&db)
        .await
        .expect("the migrations' status");
    let pending: Vec<&str> = pending.iter().map(|m| m.name()).collect();
    assert_eq!(pending, Vec::<&str>::new(), "migrations left pending");
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name FROM sqlite_master WHERE type = 'table'",
        ))
        .await
        .expect("the tables")
        .iter()
        .map(|row| row.try_get_by_index(0).expect("a table name"))
        .collect();
    for table in [
        Partida.table_name(),
        Servicio.table_name(),
        Ficha.table_name(),
        ObjetivoMinisterial.table_name(),
        ObjetivoInstitucional.table_name(),
        ObjetivoInstitucionalMinisterial.table_name(),
        Producto.table_name(),
        ProductoObjetivoInstitucional.table_name(),
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "{table} is not among {tables:?}"
        );
    }
}

#[test]
fn a_database_that_cannot_be_reached_is_a_clear_error() {
    let output = run(
        &[
            "import",
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
            "data/fichas",
        ],
        Some(std::path::Path::new(env!("CARGO_MANIFEST_DIR"))),
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("error: cannot open the database"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test]
async fn generated_fichas_pass_check_and_import() {
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().to_str().expect("utf-8 path").to_owned();
    let args = [
        "generate",
        "--out",
        &dir,
        "--partidas",
        "3",
        "--servicios",
        "8",
        "--periodos",
        "2",
        "--seed",
        "5",
    ];
    let generated = run(&args, None, &[]);
    assert!(generated.status.success(), "{}", stderr(&generated));
    assert_eq!(
        stdout(&generated).trim(),
        format!("generated 16 fichas in {dir}")
    );

    // The same seed, the same files.
    let again = tempfile::tempdir().expect("tempdir");
    let again_dir = again.path().to_str().expect("utf-8 path").to_owned();
    let mut args_again = args;
    args_again[2] = &again_dir;
    assert!(run(&args_again, None, &[]).status.success());
    assert_eq!(read_dir(out.path()), read_dir(again.path()));

    let check = run(&["check", &dir], None, &[]);
    assert!(check.status.success(), "{}", stderr(&check));
    assert_eq!(stdout(&check).lines().count(), 16);

    each_database(|t| {
        let dir = dir.clone();
        async move {
            let import = run(&["import", "--database-url", &t.url, &dir], None, &[]);
            assert!(
                import.status.success(),
                "{}: {}",
                t.backend,
                stderr(&import)
            );
            assert!(stdout(&import).contains("imported 16, replaced 0, unchanged 0, refused 0"));
        }
    })
    .await;
}
