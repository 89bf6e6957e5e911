//! Storing fichas: ficha text → validated [`Ficha`] → one transaction.
//!
//! Each ficha is written whole or not at all. The same bytes again (or the
//! same content in another layout, such as an export) are `unchanged`:
//! nothing is written and the first provenance stays. New content for a
//! servicio and período already stored replaces the old rows in the same
//! transaction. The ministry objectives are shared by every ficha of a
//! partida and período: the first ficha stores them and later ones must
//! agree.
//!
//! This file holds the entry points, their errors and the run's summary.
//! `writer` makes the transaction's writes, `ministerial` the shared
//! ministry objectives and their checks, `counts` the ficha's counts,
//! `maxima` the links' largest counts.
//! Parsing is `crate::ficha`'s job; the write lock is
//! [`crate::store::begin_write`]; finding files and reporting progress is
//! `crate::cli`'s.

mod counts;
mod maxima;
mod ministerial;
mod writer;

use std::fmt;

use sea_orm::{DatabaseConnection, DbErr};
use sha2::{Digest, Sha256};

use crate::ficha::{self as model, Ficha, ParseErrors};
use writer::Writer;

/// What importing one ficha did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A ficha for a servicio and período not stored before.
    Imported,
    /// New content for a servicio and período already stored; the old rows are gone.
    Replaced,
    /// The same bytes, or the same content in another layout, were already
    /// stored; nothing was written.
    Unchanged,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Imported => "imported",
            Outcome::Replaced => "replaced",
            Outcome::Unchanged => "unchanged",
        })
    }
}

/// Why a ficha was refused. Nothing of a refused ficha is stored.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file could not be read.
    #[error("{file}: cannot read the file: {source}")]
    Read {
        /// The file as the user named it.
        file: String,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The text is not a well-formed ficha.
    #[error("{0}")]
    Parse(#[from] ParseErrors),
    /// The ficha lists ministry objectives that disagree with those already
    /// stored for its partida and período by another ficha.
    #[error("{file}:{line}: expected {expected}, found {found}")]
    MinisterialMismatch {
        /// The file being imported.
        file: String,
        /// Line of the differing objective (or of the section) in that file.
        line: usize,
        /// The objective as stored, and the file it came from.
        expected: String,
        /// The objective as this ficha lists it.
        found: String,
    },
    /// The database failed; the transaction was rolled back.
    #[error("{file}: the database refused the ficha: {}", crate::store::said(.source))]
    Database {
        /// The file being imported.
        file: String,
        /// The database's error.
        source: DbErr,
    },
}

/// Hex SHA-256 of a file's bytes: the ficha's provenance and its identity
/// for `unchanged`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Parse `bytes` and store the ficha in one transaction.
///
/// `file` names the file in messages (the path as the user gave it);
/// `source_file` is the name kept as provenance (the file's name).
#[tracing::instrument(skip(db, bytes), fields(outcome))]
pub async fn import_bytes(
    db: &DatabaseConnection,
    file: &str,
    source_file: &str,
    bytes: &[u8],
) -> Result<Outcome, ImportError> {
    let ficha = model::parse_bytes(file, bytes)?;
    let sha256 = sha256_hex(bytes);
    let outcome = store(db, file, source_file, &sha256, &ficha).await?;
    tracing::Span::current().record("outcome", tracing::field::display(outcome));
    Ok(outcome)
}

/// Store a parsed ficha in one transaction.
pub async fn store(
    db: &DatabaseConnection,
    file: &str,
    source_file: &str,
    sha256: &str,
    ficha: &Ficha,
) -> Result<Outcome, ImportError> {
    let database = |source: DbErr| ImportError::Database {
        file: file.to_owned(),
        source,
    };
    let txn = crate::store::begin_write(db).await.map_err(database)?;
    let writer = Writer {
        txn: &txn,
        file,
        ficha,
    };
    let outcome = writer.write(source_file, sha256).await?;
    if outcome == Outcome::Unchanged {
        txn.rollback().await.map_err(database)?;
    } else {
        crate::store::bump_data_version(&txn)
            .await
            .map_err(database)?;
        txn.commit().await.map_err(database)?;
    }
    Ok(outcome)
}

/// Counts of what a run did, ending every import.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Fichas stored for the first time.
    pub imported: usize,
    /// Fichas that replaced a stored version.
    pub replaced: usize,
    /// Fichas already stored with the same bytes.
    pub unchanged: usize,
    /// Files refused, as the user named them.
    pub refused: Vec<String>,
}

impl Summary {
    /// Count one file's result.
    pub fn record(&mut self, file: &str, result: &Result<Outcome, ImportError>) {
        match result {
            Ok(Outcome::Imported) => self.imported += 1,
            Ok(Outcome::Replaced) => self.replaced += 1,
            Ok(Outcome::Unchanged) => self.unchanged += 1,
            Err(_) => self.refused.push(file.to_owned()),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {}, replaced {}, unchanged {}, refused {}",
            self.imported,
            self.replaced,
            self.unchanged,
            self.refused.len()
        )
    }
}

/// Import the fichas bundled with the binary.
#[tracing::instrument(skip(db))]
pub async fn import_bundled(db: &DatabaseConnection) -> Summary {
    let mut summary = Summary::default();
    for (name, bytes) in crate::ficha::bundled::fichas() {
        let result = import_bytes(db, name, name, bytes).await;
        match &result {
            Ok(outcome) => tracing::info!(file = name, %outcome, "bundled ficha"),
            Err(error) => tracing::error!(file = name, %error, "bundled ficha refused"),
        }
        summary.record(name, &result);
    }
    summary
}
