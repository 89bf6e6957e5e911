//! The ficha as a value: what one *Ficha de Identificación — Definiciones
//! Estratégicas* says, independent of where it is stored.
//!
//! This module owns the domain model and the two pure conversions between it
//! and the published text: [`parse()`] (text → validated [`Ficha`] or every
//! problem found) and [`render()`] (ficha → text in the published layout).
//! Both read the layout itself (section titles, table headers) from
//! `layout`. Nothing here touches a database; the importer
//! (`crate::store::import`) takes a [`Ficha`] from here and stores it.

pub mod bundled;
pub mod generate;
mod layout;
mod parse;
mod render;
pub mod text;

use serde::Serialize;

pub use parse::{ParseError, ParseErrors, parse, parse_bytes};
pub use render::render;

/// One ficha: a service's strategic definitions for one planning period.
///
/// Every row keeps the line of the source text it was read from (`line`), so
/// whatever the API returns can be traced back to the document. Lines are
/// provenance, not content: [`Ficha::without_lines`] drops them to compare
/// what two fichas *say*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ficha {
    /// The ministry (budget *partida*) the service belongs to.
    pub partida: Partida,
    /// The public service (budget *capítulo*) that filed the ficha.
    pub servicio: Servicio,
    /// The planning period the ficha covers.
    pub periodo: Periodo,
    /// The law or decree the service is governed by (free text).
    pub ley_organica: String,
    /// The institutional mission (free text).
    pub mision: String,
    /// The ministry's objectives, repeated in every ficha of the ministry.
    pub objetivos_ministeriales: Vec<ObjetivoMinisterial>,
    /// The service's own objectives.
    pub objetivos_institucionales: Vec<ObjetivoInstitucional>,
    /// The final goods and services the service delivers.
    pub productos: Vec<Producto>,
    /// Line of the title (`FICHA DE IDENTIFICACIÓN AÑO …`).
    #[serde(skip)]
    pub line: usize,
}

/// A ministry as a budget *partida*.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partida {
    /// Budget code, e.g. `20`. A string: `01` is not `1`.
    pub codigo: String,
    /// Name as printed in the ficha.
    pub nombre: String,
}

/// A public service as a budget *capítulo* of its partida.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Servicio {
    /// Budget code within the partida, e.g. `01`. A string: `01` is not `1`.
    pub capitulo: String,
    /// Name as printed in the ficha.
    pub nombre: String,
}

/// A planning period: `2024-2026`, or a single year in older fichas
/// (`desde == hasta`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Periodo {
    /// First year covered.
    pub desde: i32,
    /// Last year covered (equal to `desde` for a single year).
    pub hasta: i32,
}

impl std::fmt::Display for Periodo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.desde == self.hasta {
            write!(f, "{}", self.desde)
        } else {
            write!(f, "{}-{}", self.desde, self.hasta)
        }
    }
}

/// The kind of an objective, as the *Tipo de Objetivo* column says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum TipoObjetivo {
    /// `Estratégico`: an objective about the service's mission.
    #[serde(rename = "Estratégico")]
    Estrategico,
    /// `Gestión Institucional`: an objective about running the institution.
    #[serde(rename = "Gestión Institucional")]
    GestionInstitucional,
}

impl TipoObjetivo {
    /// The words the fichas print for this tipo.
    pub fn as_published(self) -> &'static str {
        match self {
            TipoObjetivo::Estrategico => "Estratégico",
            TipoObjetivo::GestionInstitucional => "Gestión Institucional",
        }
    }
}

/// An objective of the ministry (*Objetivos Estratégicos del Ministerio*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjetivoMinisterial {
    /// Its number in the ministry's list; institutional objectives refer to it.
    pub prioridad: u32,
    /// Estratégico or Gestión Institucional.
    pub tipo: TipoObjetivo,
    /// What the objective says.
    pub descripcion: String,
    /// Source line of the row.
    #[serde(skip)]
    pub line: usize,
}

/// An objective of the service itself (*Objetivos Estratégicos Institucionales*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjetivoInstitucional {
    /// Its number in the service's list; productos refer to it.
    pub prioridad: u32,
    /// Estratégico or Gestión Institucional.
    pub tipo: TipoObjetivo,
    /// What the objective says.
    pub descripcion: String,
    /// The *Enfoque de Género* attribute.
    pub enfoque_genero: bool,
    /// The *Cambio Climático* attribute.
    pub cambio_climatico: bool,
    /// Prioridades of the ministry objectives it serves, ascending.
    pub objetivos_ministeriales: Vec<u32>,
    /// Source line of the row (its first line when continued after a page break).
    #[serde(skip)]
    pub line: usize,
}

/// A final good or service (*Bien / Servicio Final*, older *Producto Estratégico*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Producto {
    /// Its number in the service's list.
    pub numero: u32,
    /// Its name.
    pub nombre: String,
    /// Prioridades of the institutional objectives it serves, ascending.
    pub objetivos: Vec<u32>,
    /// Source line of the row (its first line when continued after a page break).
    #[serde(skip)]
    pub line: usize,
}

impl Ficha {
    /// The file name the ficha is written under, in the bundled fichas'
    /// style: `2024-2026_20_01_secretaria-general-de-gobierno.txt`.
    pub fn file_name(&self) -> String {
        format!(
            "{}_{}_{}_{}.txt",
            self.periodo,
            text::slug(&self.partida.codigo),
            text::slug(&self.servicio.capitulo),
            text::slug(&self.servicio.nombre)
        )
    }

    /// The same ficha with every source line set to 0: what it says, not
    /// where it said it.
    pub fn without_lines(&self) -> Ficha {
        let mut ficha = self.clone();
        ficha.line = 0;
        ficha
            .objetivos_ministeriales
            .iter_mut()
            .for_each(|o| o.line = 0);
        ficha
            .objetivos_institucionales
            .iter_mut()
            .for_each(|o| o.line = 0);
        ficha.productos.iter_mut().for_each(|p| p.line = 0);
        ficha
    }
}
