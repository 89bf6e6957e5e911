//! Storing fichas: ficha text → validated [`Ficha`] → one transaction.
//!
//! Each ficha is written whole or not at all. The same bytes again (or the
//! same content in another layout, such as an export) are `unchanged`:
//! nothing is written and the first provenance stays. New content for a servicio and período
//! already stored replaces the old rows in the same transaction. The
//! ministry objectives are shared by every ficha of a partida and período:
//! the first ficha stores them and later ones must agree.
//!
//! Parsing is `crate::ficha`'s job; finding files and reporting progress is
//! `crate::cli`'s.

use std::collections::HashMap;
use std::fmt;

use chrono::Utc;
use entity::tipo_objetivo::TipoObjetivo as TipoDb;
use entity::{
    ficha, objetivo_institucional, objetivo_institucional_ministerial, objetivo_ministerial,
    partida, producto, producto_objetivo_institucional, servicio,
};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait,
};
use sha2::{Digest, Sha256};

use crate::ficha::text::fold;
use crate::ficha::{self as model, Ficha, ParseErrors, TipoObjetivo};

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
    #[error("{file}: the database refused the ficha: {source}")]
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
    let txn = begin_write(db).await.map_err(database)?;
    let mut writer = Writer {
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

/// Start a transaction that will write. Writers are serialised (SQLite
/// `BEGIN IMMEDIATE`, a transaction-scoped advisory lock on PostgreSQL) so
/// two imports of the same ministry never race on the rows they share;
/// readers are never blocked.
async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Sqlite => {
            db.begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
        }
        backend => {
            let txn = db.begin().await?;
            if backend == DbBackend::Postgres {
                // 0x6465_6669 spells "defi": the importers' lock.
                txn.execute_raw(Statement::from_string(
                    backend,
                    "SELECT pg_advisory_xact_lock(1684366953)",
                ))
                .await?;
            }
            Ok(txn)
        }
    }
}

/// How a ficha's ministry objectives differ from those stored.
enum Difference {
    /// A stored objective the ficha does not list.
    Missing { line: usize, prioridad: i32 },
    /// An objective the ficha words or types differently.
    Changed(model::ObjetivoMinisterial),
    /// An objective the ficha lists and the stored list lacks.
    Extra(model::ObjetivoMinisterial),
}

struct Writer<'a> {
    txn: &'a DatabaseTransaction,
    file: &'a str,
    ficha: &'a Ficha,
}

/// What is stored already under the ficha's codes and período, found with
/// one query.
#[derive(Debug, Default)]
struct Stored {
    partida: Option<(i32, String)>,
    servicio: Option<(i32, String)>,
    ficha: Option<StoredFicha>,
}

#[derive(Debug)]
struct StoredFicha {
    id: i32,
    sha256: String,
    content_sha256: String,
}

impl Writer<'_> {
    fn db_error(&self, source: DbErr) -> ImportError {
        ImportError::Database {
            file: self.file.to_owned(),
            source,
        }
    }

    async fn write(&mut self, source_file: &str, sha256: &str) -> Result<Outcome, ImportError> {
        let ficha = self.ficha;
        let stored = self.lookup().await.map_err(|e| self.db_error(e))?;
        // The same bytes, or the same content in another layout (an
        // export, CRLF line endings): keep what is stored and its provenance.
        let content_sha256 = sha256_hex(model::render(ficha).as_bytes());
        if stored
            .ficha
            .as_ref()
            .is_some_and(|f| f.sha256 == sha256 || f.content_sha256 == content_sha256)
        {
            return Ok(Outcome::Unchanged);
        }

        let partida_id = self
            .partida(stored.partida)
            .await
            .map_err(|e| self.db_error(e))?;
        let servicio_id = self
            .servicio(partida_id, stored.servicio)
            .await
            .map_err(|e| self.db_error(e))?;
        let row = ficha::ActiveModel {
            servicio_id: Set(servicio_id),
            desde: Set(ficha.periodo.desde),
            hasta: Set(ficha.periodo.hasta),
            partida_nombre: Set(ficha.partida.nombre.clone()),
            servicio_nombre: Set(ficha.servicio.nombre.clone()),
            ley_organica: Set(ficha.ley_organica.clone()),
            mision: Set(ficha.mision.clone()),
            search_text: Set(fold(&ficha.mision)),
            source_file: Set(source_file.to_owned()),
            sha256: Set(sha256.to_owned()),
            content_sha256: Set(content_sha256),
            imported_at: Set(Utc::now()),
            line: Set(line(ficha.line)),
            ..Default::default()
        };
        let (ficha_id, outcome) = match stored.ficha {
            Some(old) => {
                // Keep the ficha's id (what the API hands out) and replace
                // everything it owns; links go with their rows (cascade).
                let id = old.id;
                let mut row = row;
                row.id = Set(id);
                ficha::Entity::update(row)
                    .exec(self.txn)
                    .await
                    .map_err(|e| self.db_error(e))?;
                objetivo_institucional::Entity::delete_many()
                    .filter(objetivo_institucional::Column::FichaId.eq(id))
                    .exec(self.txn)
                    .await
                    .map_err(|e| self.db_error(e))?;
                producto::Entity::delete_many()
                    .filter(producto::Column::FichaId.eq(id))
                    .exec(self.txn)
                    .await
                    .map_err(|e| self.db_error(e))?;
                (id, Outcome::Replaced)
            }
            None => {
                let id = ficha::Entity::insert(row)
                    .exec(self.txn)
                    .await
                    .map_err(|e| self.db_error(e))?
                    .last_insert_id;
                (id, Outcome::Imported)
            }
        };

        let ministeriales = self.objetivos_ministeriales(partida_id, ficha_id).await?;
        self.contents(ficha_id, &ministeriales)
            .await
            .map_err(|e| self.db_error(e))?;
        Ok(outcome)
    }

    /// The stored partida, servicio and ficha for the ficha's codes and
    /// período, each where it exists.
    async fn lookup(&self) -> Result<Stored, DbErr> {
        let f = self.ficha;
        let query = Query::select()
            .column((partida::Entity, partida::Column::Id))
            .column((partida::Entity, partida::Column::Nombre))
            .column((servicio::Entity, servicio::Column::Id))
            .column((servicio::Entity, servicio::Column::Nombre))
            .column((ficha::Entity, ficha::Column::Id))
            .column((ficha::Entity, ficha::Column::Sha256))
            .column((ficha::Entity, ficha::Column::ContentSha256))
            .from(partida::Entity)
            .join(
                JoinType::LeftJoin,
                servicio::Entity,
                Expr::col((servicio::Entity, servicio::Column::PartidaId))
                    .equals((partida::Entity, partida::Column::Id))
                    .and(
                        Expr::col((servicio::Entity, servicio::Column::Capitulo))
                            .eq(f.servicio.capitulo.as_str()),
                    ),
            )
            .join(
                JoinType::LeftJoin,
                ficha::Entity,
                Expr::col((ficha::Entity, ficha::Column::ServicioId))
                    .equals((servicio::Entity, servicio::Column::Id))
                    .and(Expr::col((ficha::Entity, ficha::Column::Desde)).eq(f.periodo.desde))
                    .and(Expr::col((ficha::Entity, ficha::Column::Hasta)).eq(f.periodo.hasta)),
            )
            .and_where(
                Expr::col((partida::Entity, partida::Column::Codigo)).eq(f.partida.codigo.as_str()),
            )
            .to_owned();
        let Some(row) = self.txn.query_one(&query).await? else {
            return Ok(Stored::default());
        };
        let servicio = match row.try_get_by_index::<Option<i32>>(2)? {
            Some(id) => Some((id, row.try_get_by_index::<String>(3)?)),
            None => None,
        };
        let ficha = match row.try_get_by_index::<Option<i32>>(4)? {
            Some(id) => Some(StoredFicha {
                id,
                sha256: row.try_get_by_index(5)?,
                content_sha256: row.try_get_by_index(6)?,
            }),
            None => None,
        };
        Ok(Stored {
            partida: Some((row.try_get_by_index(0)?, row.try_get_by_index(1)?)),
            servicio,
            ficha,
        })
    }

    /// The partida's id, inserting it when new. Its name follows the ficha
    /// of the latest período.
    async fn partida(&self, stored: Option<(i32, String)>) -> Result<i32, DbErr> {
        let p = &self.ficha.partida;
        match stored {
            Some((id, nombre)) => {
                if nombre != p.nombre && self.is_latest(servicio::Column::PartidaId, id).await? {
                    partida::Entity::update_many()
                        .col_expr(partida::Column::Nombre, Expr::value(p.nombre.clone()))
                        .col_expr(partida::Column::SearchText, Expr::value(fold(&p.nombre)))
                        .filter(partida::Column::Id.eq(id))
                        .exec(self.txn)
                        .await?;
                }
                Ok(id)
            }
            None => {
                let row = partida::ActiveModel {
                    codigo: Set(p.codigo.clone()),
                    nombre: Set(p.nombre.clone()),
                    search_text: Set(fold(&p.nombre)),
                    ..Default::default()
                };
                Ok(partida::Entity::insert(row)
                    .exec(self.txn)
                    .await?
                    .last_insert_id)
            }
        }
    }

    /// The servicio's id, inserting it when new. Its name follows the ficha
    /// of the latest período.
    async fn servicio(&self, partida_id: i32, stored: Option<(i32, String)>) -> Result<i32, DbErr> {
        let s = &self.ficha.servicio;
        match stored {
            Some((id, nombre)) => {
                if nombre != s.nombre && self.is_latest(ficha::Column::ServicioId, id).await? {
                    servicio::Entity::update_many()
                        .col_expr(servicio::Column::Nombre, Expr::value(s.nombre.clone()))
                        .col_expr(servicio::Column::SearchText, Expr::value(fold(&s.nombre)))
                        .filter(servicio::Column::Id.eq(id))
                        .exec(self.txn)
                        .await?;
                }
                Ok(id)
            }
            None => {
                let row = servicio::ActiveModel {
                    partida_id: Set(partida_id),
                    capitulo: Set(s.capitulo.clone()),
                    nombre: Set(s.nombre.clone()),
                    search_text: Set(fold(&s.nombre)),
                    ..Default::default()
                };
                Ok(servicio::Entity::insert(row)
                    .exec(self.txn)
                    .await?
                    .last_insert_id)
            }
        }
    }

    /// Whether no stored ficha of this partida (or servicio) covers a later
    /// período than the ficha being imported.
    async fn is_latest(&self, owner: impl ColumnTrait, id: i32) -> Result<bool, DbErr> {
        let later = ficha::Entity::find()
            .inner_join(servicio::Entity)
            .filter(owner.eq(id))
            .filter(ficha::Column::Desde.gt(self.ficha.periodo.desde))
            .one(self.txn)
            .await?;
        Ok(later.is_none())
    }

    /// Store the ministry objectives for the partida and período, or check
    /// the ficha agrees with those stored. Returns prioridad → id.
    async fn objetivos_ministeriales(
        &self,
        partida_id: i32,
        ficha_id: i32,
    ) -> Result<HashMap<u32, i32>, ImportError> {
        let ficha = self.ficha;
        let periodo = ficha.periodo;
        let stored = objetivo_ministerial::Entity::find()
            .filter(objetivo_ministerial::Column::PartidaId.eq(partida_id))
            .filter(objetivo_ministerial::Column::Desde.eq(periodo.desde))
            .filter(objetivo_ministerial::Column::Hasta.eq(periodo.hasta))
            .order_by_asc(objetivo_ministerial::Column::Prioridad)
            .all(self.txn)
            .await
            .map_err(|e| self.db_error(e))?;

        if !stored.is_empty() {
            let Some(difference) = self.difference(&stored) else {
                return Ok(stored.iter().map(|o| (o.prioridad as u32, o.id)).collect());
            };
            let others = ficha::Entity::find()
                .select_only()
                .column(ficha::Column::Id)
                .inner_join(servicio::Entity)
                .filter(servicio::Column::PartidaId.eq(partida_id))
                .filter(ficha::Column::Desde.eq(periodo.desde))
                .filter(ficha::Column::Hasta.eq(periodo.hasta))
                .filter(ficha::Column::Id.ne(ficha_id))
                .limit(1)
                .into_tuple::<i32>()
                .one(self.txn)
                .await
                .map_err(|e| self.db_error(e))?;
            if others.is_some() {
                return Err(self.mismatch(&stored, difference).await);
            }
            // Only this ficha (being replaced) stood behind them: its new
            // list replaces them.
            objetivo_ministerial::Entity::delete_many()
                .filter(objetivo_ministerial::Column::PartidaId.eq(partida_id))
                .filter(objetivo_ministerial::Column::Desde.eq(periodo.desde))
                .filter(objetivo_ministerial::Column::Hasta.eq(periodo.hasta))
                .exec(self.txn)
                .await
                .map_err(|e| self.db_error(e))?;
        }

        let rows =
            ficha
                .objetivos_ministeriales
                .iter()
                .map(|o| objetivo_ministerial::ActiveModel {
                    partida_id: Set(partida_id),
                    desde: Set(periodo.desde),
                    hasta: Set(periodo.hasta),
                    prioridad: Set(o.prioridad as i32),
                    tipo: Set(o.tipo.into()),
                    descripcion: Set(o.descripcion.clone()),
                    search_text: Set(fold(&o.descripcion)),
                    source_ficha_id: Set(Some(ficha_id)),
                    line: Set(line(o.line)),
                    ..Default::default()
                });
        let inserted = objetivo_ministerial::Entity::insert_many(rows)
            .exec_with_returning(self.txn)
            .await
            .map_err(|e| self.db_error(e))?;
        Ok(inserted
            .into_iter()
            .map(|o| (o.prioridad as u32, o.id))
            .collect())
    }

    /// The first ministry objective where the ficha and the stored list
    /// differ, if any. Descriptions compare folded, so an extraction's
    /// spacing or accents do not count as a difference.
    fn difference(&self, stored: &[objetivo_ministerial::Model]) -> Option<Difference> {
        let listed = &self.ficha.objetivos_ministeriales;
        for s in stored {
            match listed.iter().find(|o| o.prioridad as i32 == s.prioridad) {
                None => {
                    let line = listed.last().map_or(self.ficha.line, |o| o.line);
                    return Some(Difference::Missing {
                        line,
                        prioridad: s.prioridad,
                    });
                }
                Some(o)
                    if TipoDb::from(o.tipo) != s.tipo || fold(&o.descripcion) != s.search_text =>
                {
                    return Some(Difference::Changed(o.clone()));
                }
                Some(_) => {}
            }
        }
        listed
            .iter()
            .find(|o| !stored.iter().any(|s| s.prioridad == o.prioridad as i32))
            .map(|o| Difference::Extra(o.clone()))
    }

    /// The refusal for a ficha whose ministry objectives differ from those
    /// stored, naming the file they were stored from.
    async fn mismatch(
        &self,
        stored: &[objetivo_ministerial::Model],
        difference: Difference,
    ) -> ImportError {
        let source = match stored.first().and_then(|o| o.source_ficha_id) {
            Some(id) => ficha::Entity::find_by_id(id)
                .one(self.txn)
                .await
                .ok()
                .flatten()
                .map(|f| format!("{:?}", f.source_file)),
            None => None,
        }
        .unwrap_or_else(|| "another ficha".to_owned());
        let show = |tipo: TipoObjetivo, descripcion: &str| {
            format!("{:?}", format!("{}: {descripcion}", tipo.as_published()))
        };
        let stored_as = |prioridad: i32| match stored.iter().find(|s| s.prioridad == prioridad) {
            Some(s) => format!(
                "ministry objective {prioridad} as stored from {source} ({})",
                show(s.tipo.into(), &s.descripcion)
            ),
            None => format!(
                "only the ministry objectives stored from {source} ({})",
                stored
                    .iter()
                    .map(|s| s.prioridad.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let (line, expected, found) = match difference {
            Difference::Missing { line, prioridad } => {
                (line, stored_as(prioridad), "no such objective".to_owned())
            }
            Difference::Changed(o) => (
                o.line,
                stored_as(o.prioridad as i32),
                show(o.tipo, &o.descripcion),
            ),
            Difference::Extra(o) => (
                o.line,
                stored_as(o.prioridad as i32),
                format!(
                    "objective {} ({})",
                    o.prioridad,
                    show(o.tipo, &o.descripcion)
                ),
            ),
        };
        ImportError::MinisterialMismatch {
            file: self.file.to_owned(),
            line,
            expected,
            found,
        }
    }

    /// Insert the ficha's objectives, productos and every link: one
    /// multi-row INSERT per table; then the ficha's counts of what was
    /// written (`migration::FICHA_COUNT_COLUMNS`, counted as the migration
    /// that added them counts the rows).
    async fn contents(
        &self,
        ficha_id: i32,
        ministeriales: &HashMap<u32, i32>,
    ) -> Result<(), DbErr> {
        let ficha = self.ficha;
        let rows =
            ficha
                .objetivos_institucionales
                .iter()
                .map(|o| objetivo_institucional::ActiveModel {
                    ficha_id: Set(ficha_id),
                    prioridad: Set(o.prioridad as i32),
                    tipo: Set(o.tipo.into()),
                    descripcion: Set(o.descripcion.clone()),
                    search_text: Set(fold(&o.descripcion)),
                    enfoque_genero: Set(o.enfoque_genero),
                    cambio_climatico: Set(o.cambio_climatico),
                    line: Set(line(o.line)),
                    ..Default::default()
                });
        let institucionales: HashMap<u32, i32> = objetivo_institucional::Entity::insert_many(rows)
            .exec_with_returning(self.txn)
            .await?
            .into_iter()
            .map(|o| (o.prioridad as u32, o.id))
            .collect();

        let links: Vec<_> = ficha
            .objetivos_institucionales
            .iter()
            .flat_map(|o| {
                let institucionales = &institucionales;
                o.objetivos_ministeriales.iter().filter_map(move |m| {
                    // The parser guarantees every link names a listed objective,
                    // and the stored list agrees with the ficha's.
                    Some(objetivo_institucional_ministerial::ActiveModel {
                        objetivo_institucional_id: Set(*institucionales.get(&o.prioridad)?),
                        objetivo_ministerial_id: Set(*ministeriales.get(m)?),
                        line: Set(line(o.line)),
                    })
                })
            })
            .collect();
        let enlaces_ministeriales = links.len();
        objetivo_institucional_ministerial::Entity::insert_many(links)
            .exec_without_returning(self.txn)
            .await?;

        let rows = ficha.productos.iter().map(|p| producto::ActiveModel {
            ficha_id: Set(ficha_id),
            numero: Set(p.numero as i32),
            nombre: Set(p.nombre.clone()),
            search_text: Set(fold(&p.nombre)),
            line: Set(line(p.line)),
            ..Default::default()
        });
        let productos: HashMap<u32, i32> = producto::Entity::insert_many(rows)
            .exec_with_returning(self.txn)
            .await?
            .into_iter()
            .map(|p| (p.numero as u32, p.id))
            .collect();

        // (producto, objective) pairs, as stored.
        let pairs: Vec<(&model::Producto, u32)> = ficha
            .productos
            .iter()
            .flat_map(|p| {
                p.objetivos
                    .iter()
                    .filter(|o| institucionales.contains_key(o))
                    .map(move |o| (p, *o))
            })
            .filter(|(p, _)| productos.contains_key(&p.numero))
            .collect();
        let links = pairs
            .iter()
            .map(|(p, o)| producto_objetivo_institucional::ActiveModel {
                producto_id: Set(productos[&p.numero]),
                objetivo_institucional_id: Set(institucionales[o]),
                line: Set(line(p.line)),
            });
        producto_objetivo_institucional::Entity::insert_many(links)
            .exec_without_returning(self.txn)
            .await?;

        let objetivos = &ficha.objetivos_institucionales;
        let count = |n: usize| n as i64;
        let counts = [
            ("objetivos_total", count(objetivos.len())),
            (
                "objetivos_estrategicos",
                count(
                    objetivos
                        .iter()
                        .filter(|o| o.tipo == TipoObjetivo::Estrategico)
                        .count(),
                ),
            ),
            (
                "objetivos_enfoque_genero",
                count(objetivos.iter().filter(|o| o.enfoque_genero).count()),
            ),
            (
                "objetivos_cambio_climatico",
                count(objetivos.iter().filter(|o| o.cambio_climatico).count()),
            ),
            (
                "objetivos_sin_productos",
                count(
                    objetivos
                        .iter()
                        .filter(|o| !pairs.iter().any(|(_, served)| *served == o.prioridad))
                        .count(),
                ),
            ),
            ("productos_total", count(ficha.productos.len())),
            (
                "productos_sin_objetivos",
                count(
                    ficha
                        .productos
                        .iter()
                        .filter(|p| !pairs.iter().any(|(by, _)| by.numero == p.numero))
                        .count(),
                ),
            ),
            ("enlaces_ministeriales", count(enlaces_ministeriales)),
            ("enlaces_productos", count(pairs.len())),
        ];
        let mut update = Query::update();
        update
            .table(ficha::Entity)
            .and_where(Expr::col(ficha::Column::Id).eq(ficha_id));
        for (column, value) in counts {
            update.value(Alias::new(column), value);
        }
        self.txn.execute(&update).await?;
        Ok(())
    }
}

/// Source lines fit in an INTEGER column: a ficha has thousands of lines at
/// most.
fn line(line: usize) -> i32 {
    i32::try_from(line).unwrap_or(i32::MAX)
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
