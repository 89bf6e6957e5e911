//! `definiciones persist`: put trusted GraphQL documents — a dashboard's
//! queries — in the database, where every server over it can run them by
//! their hash, and where a server started with `--persisted-only` runs
//! nothing else.
//!
//! Each file is one document (it may hold several operations) and is stored
//! under the SHA-256 of its exact text, which is printed with the file and
//! its operations' names: the hash a dashboard sends. Every document is
//! checked against the schema first (`crate::http::persisted::validate`);
//! when any is refused, with its file, line and column, nothing is stored,
//! so a dashboard's set of queries goes in whole or not at all. Storing a
//! document again changes nothing.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::PersistArgs;
use crate::cli::commands::{AppError, files_under, open_with};
use crate::http::persisted::{self, Persisted, validate};
use crate::store as db;

/// A document read and checked, ready to store.
struct Document {
    file: String,
    text: String,
    hash: String,
    operations: Vec<Option<String>>,
}

/// Read and check one file: the document, or every problem with it, one a
/// line as `FILE:LINE:COLUMN: what`.
async fn read(path: &PathBuf) -> Result<Document, String> {
    let file = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map_err(|_| format!("{file}: expected a GraphQL document in UTF-8 text"))?,
        Err(error) => return Err(format!("{file}: cannot read the file: {error}")),
    };
    match validate::check(&text).await {
        Ok(operations) => Ok(Document {
            hash: persisted::hash(&text),
            file,
            text,
            operations,
        }),
        Err(problems) => {
            let mut report = String::new();
            for problem in problems {
                let _ = match problem.at {
                    Some(at) => writeln!(
                        report,
                        "{file}:{}:{}: {}",
                        at.line, at.column, problem.message
                    ),
                    None => writeln!(report, "{file}: {}", problem.message),
                };
            }
            Err(report.trim_end().to_owned())
        }
    }
}

/// The operations' names as printed: `(anonymous)` for an unnamed one.
fn names(operations: &[Option<String>]) -> String {
    operations
        .iter()
        .map(|name| name.as_deref().unwrap_or("(anonymous)"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `definiciones persist [--database-url URL] PATH...`.
pub async fn persist(args: PersistArgs) -> Result<ExitCode, AppError> {
    let files = files_under(&args.paths, "graphql", AppError::NoDocuments)?;
    let mut documents = Vec::with_capacity(files.len());
    let mut refused = 0;
    for path in &files {
        match read(path).await {
            Ok(document) => documents.push(document),
            Err(report) => {
                eprintln!("{report}");
                refused += 1;
            }
        }
    }
    if refused > 0 {
        eprintln!(
            "refused {refused} of {} files; nothing was stored",
            files.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    let db = open_with(&args.database.database_url, db::Pool::Single).await?;
    let txn = db::begin_write(&db).await?;
    let mut outcomes = Vec::with_capacity(documents.len());
    for document in &documents {
        let outcome =
            persisted::persist(&txn, &document.hash, &document.text, &document.file).await?;
        outcomes.push(outcome);
    }
    txn.commit().await?;
    for (document, outcome) in documents.iter().zip(&outcomes) {
        println!(
            "{:<9} {} {} {}",
            outcome.word(),
            document.hash,
            document.file,
            names(&document.operations)
        );
    }
    let count = |kind: Persisted| outcomes.iter().filter(|&&o| o == kind).count();
    println!(
        "persisted {} document{}: stored {}, trusted {}, unchanged {}",
        documents.len(),
        if documents.len() == 1 { "" } else { "s" },
        count(Persisted::Stored),
        count(Persisted::Trusted),
        count(Persisted::Unchanged)
    );
    Ok(ExitCode::SUCCESS)
}
