//! Reading stored fichas back into [`Ficha`] values, and writing them out as
//! text in the published layout (`definiciones export`).
//!
//! An export re-imports to the same fichas: rows keep the order of their
//! source lines and links are read back as the lists the ficha printed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use entity::{
    ficha, objetivo_institucional, objetivo_institucional_ministerial, objetivo_ministerial,
    partida, producto, producto_objetivo_institucional, servicio,
};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, QueryOrder};

use crate::ficha::{
    Ficha, ObjetivoInstitucional, ObjetivoMinisterial, Partida, Periodo, Producto, Servicio, render,
};

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Reading the database failed.
    #[error("cannot read the stored fichas: {}", crate::store::said(.0))]
    Database(#[from] DbErr),
    /// Writing a file failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The file or directory being written.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// Every stored ficha, ordered by partida, capítulo and período.
#[tracing::instrument(skip(db))]
pub async fn load_fichas(db: &DatabaseConnection) -> Result<Vec<Ficha>, DbErr> {
    let partidas: HashMap<i32, partida::Model> = partida::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let servicios: HashMap<i32, servicio::Model> = servicio::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();

    let mut ministeriales: HashMap<(i32, i32, i32), Vec<objetivo_ministerial::Model>> =
        HashMap::new();
    let mut prioridad_ministerial: HashMap<i32, u32> = HashMap::new();
    for o in objetivo_ministerial::Entity::find()
        .order_by_asc(objetivo_ministerial::Column::Line)
        .order_by_asc(objetivo_ministerial::Column::Prioridad)
        .all(db)
        .await?
    {
        prioridad_ministerial.insert(o.id, o.prioridad as u32);
        ministeriales
            .entry((o.partida_id, o.desde, o.hasta))
            .or_default()
            .push(o);
    }

    let mut links_ministeriales: HashMap<i32, Vec<u32>> = HashMap::new();
    for link in objetivo_institucional_ministerial::Entity::find()
        .all(db)
        .await?
    {
        if let Some(&prioridad) = prioridad_ministerial.get(&link.objetivo_ministerial_id) {
            links_ministeriales
                .entry(link.objetivo_institucional_id)
                .or_default()
                .push(prioridad);
        }
    }

    let mut institucionales: HashMap<i32, Vec<ObjetivoInstitucional>> = HashMap::new();
    let mut prioridad_institucional: HashMap<i32, u32> = HashMap::new();
    for o in objetivo_institucional::Entity::find()
        .order_by_asc(objetivo_institucional::Column::Line)
        .order_by_asc(objetivo_institucional::Column::Prioridad)
        .all(db)
        .await?
    {
        prioridad_institucional.insert(o.id, o.prioridad as u32);
        let mut links = links_ministeriales.remove(&o.id).unwrap_or_default();
        links.sort_unstable();
        institucionales
            .entry(o.ficha_id)
            .or_default()
            .push(ObjetivoInstitucional {
                prioridad: o.prioridad as u32,
                tipo: o.tipo.into(),
                descripcion: o.descripcion,
                enfoque_genero: o.enfoque_genero,
                cambio_climatico: o.cambio_climatico,
                objetivos_ministeriales: links,
                line: o.line as usize,
            });
    }

    let mut links_productos: HashMap<i32, Vec<u32>> = HashMap::new();
    for link in producto_objetivo_institucional::Entity::find()
        .all(db)
        .await?
    {
        if let Some(&prioridad) = prioridad_institucional.get(&link.objetivo_institucional_id) {
            links_productos
                .entry(link.producto_id)
                .or_default()
                .push(prioridad);
        }
    }

    let mut productos: HashMap<i32, Vec<Producto>> = HashMap::new();
    for p in producto::Entity::find()
        .order_by_asc(producto::Column::Line)
        .order_by_asc(producto::Column::Numero)
        .all(db)
        .await?
    {
        let mut links = links_productos.remove(&p.id).unwrap_or_default();
        links.sort_unstable();
        productos.entry(p.ficha_id).or_default().push(Producto {
            numero: p.numero as u32,
            nombre: p.nombre,
            objetivos: links,
            line: p.line as usize,
        });
    }

    let mut fichas = Vec::new();
    for f in ficha::Entity::find().all(db).await? {
        let servicio = servicios.get(&f.servicio_id).ok_or_else(|| {
            DbErr::RecordNotFound(format!("servicio {} of ficha {}", f.servicio_id, f.id))
        })?;
        let partida = partidas
            .get(&servicio.partida_id)
            .ok_or_else(|| DbErr::RecordNotFound(format!("partida {}", servicio.partida_id)))?;
        let objetivos_ministeriales = ministeriales
            .get(&(partida.id, f.desde, f.hasta))
            .map(|list| {
                list.iter()
                    .map(|o| ObjetivoMinisterial {
                        prioridad: o.prioridad as u32,
                        tipo: o.tipo.into(),
                        descripcion: o.descripcion.clone(),
                        line: o.line as usize,
                    })
                    .collect()
            })
            .unwrap_or_default();
        fichas.push(Ficha {
            partida: Partida {
                codigo: partida.codigo.clone(),
                nombre: f.partida_nombre,
            },
            servicio: Servicio {
                capitulo: servicio.capitulo.clone(),
                nombre: f.servicio_nombre,
            },
            periodo: Periodo {
                desde: f.desde,
                hasta: f.hasta,
            },
            ley_organica: f.ley_organica,
            mision: f.mision,
            objetivos_ministeriales,
            objetivos_institucionales: institucionales.remove(&f.id).unwrap_or_default(),
            productos: productos.remove(&f.id).unwrap_or_default(),
            line: f.line as usize,
        });
    }
    fichas.sort_by(|a, b| {
        (&a.partida.codigo, &a.servicio.capitulo, a.periodo).cmp(&(
            &b.partida.codigo,
            &b.servicio.capitulo,
            b.periodo,
        ))
    });
    Ok(fichas)
}

/// Write every stored ficha into `dir`; returns the files written.
#[tracing::instrument(skip(db))]
pub async fn export(db: &DatabaseConnection, dir: &Path) -> Result<Vec<PathBuf>, ExportError> {
    let fichas = load_fichas(db).await?;
    let write_error = |path: &Path, source| ExportError::Write {
        path: path.to_owned(),
        source,
    };
    tokio::fs::create_dir_all(dir)
        .await
        .map_err(|e| write_error(dir, e))?;
    let mut written = Vec::with_capacity(fichas.len());
    for ficha in &fichas {
        let path = dir.join(ficha.file_name());
        tokio::fs::write(&path, render(ficha))
            .await
            .map_err(|e| write_error(&path, e))?;
        written.push(path);
    }
    Ok(written)
}
