//! The ministry objectives a ficha lists, shared by every ficha of its
//! partida and período: the first ficha stores them, later ones must list
//! the same (descriptions compared folded), and a ficha being replaced
//! that alone stands behind them replaces them. A disagreement refuses the
//! ficha, naming the file the stored list came from.

use std::collections::HashMap;

use entity::tipo_objetivo::TipoObjetivo as TipoDb;
use entity::{ficha, objetivo_ministerial, servicio};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::ImportError;
use super::writer::{Writer, line};
use crate::ficha::text::fold;
use crate::ficha::{self as model, TipoObjetivo};

/// How a ficha's ministry objectives differ from those stored.
enum Difference {
    /// A stored objective the ficha does not list.
    Missing { line: usize, prioridad: i32 },
    /// An objective the ficha words or types differently.
    Changed(model::ObjetivoMinisterial),
    /// An objective the ficha lists and the stored list lacks.
    Extra(model::ObjetivoMinisterial),
}

impl Writer<'_> {
    /// Store the ministry objectives for the partida and período, or check
    /// the ficha agrees with those stored. Returns prioridad → id.
    pub(super) async fn objetivos_ministeriales(
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
                if stored.iter().any(|o| o.source_ficha_id == Some(ficha_id)) {
                    self.read_again(&stored).await?;
                }
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

    /// The stored list was read from the ficha being replaced, whose new
    /// file lists the same objectives: read their words and lines from the
    /// new file, so what is stored and where it says it came from agree
    /// (the ficha row now names the new file).
    async fn read_again(&self, stored: &[objetivo_ministerial::Model]) -> Result<(), ImportError> {
        for s in stored {
            let Some(o) = self
                .ficha
                .objetivos_ministeriales
                .iter()
                .find(|o| o.prioridad as i32 == s.prioridad)
            else {
                continue;
            };
            objetivo_ministerial::ActiveModel {
                id: Set(s.id),
                descripcion: Set(o.descripcion.clone()),
                search_text: Set(fold(&o.descripcion)),
                line: Set(line(o.line)),
                ..Default::default()
            }
            .update(self.txn)
            .await
            .map_err(|e| self.db_error(e))?;
        }
        Ok(())
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
}
