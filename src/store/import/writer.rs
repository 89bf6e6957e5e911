//! The writes of one ficha's transaction: find what is stored under its
//! codes and período, then insert or replace the ficha with its partida,
//! servicio, objectives, productos and links.
//!
//! The ministry objectives, shared with the partida's other fichas, are
//! [`super::ministerial`]'s; what the ficha's counts count is
//! [`super::counts`]'.

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    ficha, objetivo_institucional, objetivo_institucional_ministerial, partida, producto,
    producto_objetivo_institucional, servicio,
};
use sea_orm::sea_query::{Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};

use super::{ImportError, Outcome, counts, maxima, sha256_hex};
use crate::ficha::text::fold;
use crate::ficha::{self as model, Ficha};

/// One ficha being written, in a transaction that holds the write lock.
pub(super) struct Writer<'a> {
    pub(super) txn: &'a DatabaseTransaction,
    /// The file as the user named it, for messages.
    pub(super) file: &'a str,
    pub(super) ficha: &'a Ficha,
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
    /// A database error, as the refusal of this ficha.
    pub(super) fn db_error(&self, source: DbErr) -> ImportError {
        ImportError::Database {
            file: self.file.to_owned(),
            source,
        }
    }

    /// Write the ficha, unless the same bytes or the same content are
    /// stored already (`Unchanged`: nothing is written).
    pub(super) async fn write(
        &self,
        source_file: &str,
        sha256: &str,
    ) -> Result<Outcome, ImportError> {
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
        counts::refresh_totals(self.txn, partida_id, &ficha.periodo)
            .await
            .map_err(|e| self.db_error(e))?;
        let stored = maxima::Stored {
            partida: partida_id,
            servicio: servicio_id,
            ficha: ficha_id,
            ministeriales: &ministeriales,
        };
        maxima::refresh(self.txn, outcome, ficha, &stored)
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

    /// Insert the ficha's objectives, productos and every link: one
    /// multi-row INSERT per table; then the ficha's counts of what was
    /// written.
    async fn contents(
        &self,
        ficha_id: i32,
        ministeriales: &HashMap<u32, i32>,
    ) -> Result<(), DbErr> {
        let (institucionales, enlaces_ministeriales) = self
            .objetivos_institucionales(ficha_id, ministeriales)
            .await?;
        let served = self.productos(ficha_id, &institucionales).await?;
        ficha::Entity::update_many()
            .set(counts::of(self.ficha, &served, enlaces_ministeriales))
            .filter(ficha::Column::Id.eq(ficha_id))
            .exec(self.txn)
            .await?;
        Ok(())
    }

    /// Insert the ficha's institutional objectives and their links to the
    /// ministry objectives (`ministeriales`: prioridad → id). Returns
    /// prioridad → id of the objectives, and how many links were stored.
    async fn objetivos_institucionales(
        &self,
        ficha_id: i32,
        ministeriales: &HashMap<u32, i32>,
    ) -> Result<(HashMap<u32, i32>, usize), DbErr> {
        let objetivos = &self.ficha.objetivos_institucionales;
        let rows = objetivos
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
                partida_codigo: Set(self.ficha.partida.codigo.clone()),
                servicio_capitulo: Set(self.ficha.servicio.capitulo.clone()),
                ficha_desde: Set(self.ficha.periodo.desde),
                ..Default::default()
            });
        let institucionales: HashMap<u32, i32> = objetivo_institucional::Entity::insert_many(rows)
            .exec_with_returning(self.txn)
            .await?
            .into_iter()
            .map(|o| (o.prioridad as u32, o.id))
            .collect();

        let links: Vec<_> = objetivos
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
        let stored = links.len();
        objetivo_institucional_ministerial::Entity::insert_many(links)
            .exec_without_returning(self.txn)
            .await?;
        Ok((institucionales, stored))
    }

    /// Insert the ficha's productos and their links to its institutional
    /// objectives (`institucionales`: prioridad → id). Returns the
    /// (producto, objective's prioridad) pairs stored.
    async fn productos(
        &self,
        ficha_id: i32,
        institucionales: &HashMap<u32, i32>,
    ) -> Result<Vec<(&'_ model::Producto, u32)>, DbErr> {
        let ficha = self.ficha;
        let rows = ficha.productos.iter().map(|p| producto::ActiveModel {
            ficha_id: Set(ficha_id),
            numero: Set(p.numero as i32),
            nombre: Set(p.nombre.clone()),
            search_text: Set(fold(&p.nombre)),
            line: Set(line(p.line)),
            partida_codigo: Set(ficha.partida.codigo.clone()),
            servicio_capitulo: Set(ficha.servicio.capitulo.clone()),
            ficha_desde: Set(ficha.periodo.desde),
            ..Default::default()
        });
        let productos: HashMap<u32, i32> = producto::Entity::insert_many(rows)
            .exec_with_returning(self.txn)
            .await?
            .into_iter()
            .map(|p| (p.numero as u32, p.id))
            .collect();

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
        Ok(pairs)
    }
}

/// Source lines fit in an INTEGER column: a ficha has thousands of lines at
/// most.
pub(super) fn line(line: usize) -> i32 {
    i32::try_from(line).unwrap_or(i32::MAX)
}
