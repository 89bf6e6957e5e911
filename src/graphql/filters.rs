//! The `filter` inputs of every list, and their translation into the one
//! [`Filtro`] the loaders understand. Each input offers only the conditions
//! that make sense for its list.

use async_graphql::{InputObject, Result};

use super::error::bad_input;
use super::types::TipoObjetivo;
use crate::ficha::text::fold;
use crate::loaders::{Filtro, PeriodoFiltro};

/// Read a período argument: a year (`"2025"`, every período that includes
/// it) or an exact período (`"2024-2026"`).
pub fn periodo(text: &str) -> Result<PeriodoFiltro> {
    let year = |s: &str| {
        let s = s.trim();
        (s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i32>().ok())
            .flatten()
    };
    let parsed = match text.split_once('-') {
        None => year(text).map(PeriodoFiltro::Year),
        Some((desde, hasta)) => match (year(desde), year(hasta)) {
            (Some(desde), Some(hasta)) if desde <= hasta => {
                Some(PeriodoFiltro::Exact(desde, hasta))
            }
            _ => None,
        },
    };
    parsed.ok_or_else(|| {
        bad_input(format!(
            "`periodo` must be a year such as \"2025\" or a período such as \"2024-2026\", got {text:?}"
        ))
    })
}

fn search(term: Option<&String>) -> Option<String> {
    term.map(|t| fold(t)).filter(|t| !t.is_empty())
}

fn partidas(one: Option<&String>, many: Option<&Vec<String>>) -> Option<Vec<String>> {
    let mut codes: Vec<String> = one
        .into_iter()
        .chain(many.into_iter().flatten())
        .cloned()
        .collect();
    if one.is_none() && many.is_none() {
        return None;
    }
    codes.sort();
    codes.dedup();
    Some(codes)
}

/// Which partidas to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct PartidaFilter {
    /// The partida with this budget code (e.g. `"20"`).
    pub codigo: Option<String>,
    /// Any of these budget codes.
    pub codigos: Option<Vec<String>>,
    /// Partidas with a ficha in this período: a year (`"2025"`) or an exact
    /// período (`"2024-2026"`).
    pub periodo: Option<String>,
    /// Text in the name, ignoring case and accents.
    pub search: Option<String>,
}

impl PartidaFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.codigo.as_ref(), self.codigos.as_ref()),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}

/// Which servicios to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct ServicioFilter {
    /// Servicios of the partida with this code.
    pub partida: Option<String>,
    /// Servicios of any of these partidas.
    pub partidas: Option<Vec<String>>,
    /// Servicios with this capítulo code (e.g. `"01"`).
    pub capitulo: Option<String>,
    /// Servicios with a ficha in this período: a year or an exact período.
    pub periodo: Option<String>,
    /// Text in the name, ignoring case and accents.
    pub search: Option<String>,
}

impl ServicioFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.partida.as_ref(), self.partidas.as_ref()),
            capitulo: self.capitulo.clone(),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}

/// Which fichas to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct FichaFilter {
    /// Fichas of servicios of the partida with this code.
    pub partida: Option<String>,
    /// Fichas of servicios of any of these partidas.
    pub partidas: Option<Vec<String>>,
    /// Fichas of servicios with this capítulo code.
    pub capitulo: Option<String>,
    /// Fichas of this período: a year inside it or the exact período.
    pub periodo: Option<String>,
    /// Text in the misión, ignoring case and accents.
    pub search: Option<String>,
}

impl FichaFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.partida.as_ref(), self.partidas.as_ref()),
            capitulo: self.capitulo.clone(),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}

/// Which ministry objectives to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct ObjetivoMinisterialFilter {
    /// Objectives of the partida with this code.
    pub partida: Option<String>,
    /// Objectives of any of these partidas.
    pub partidas: Option<Vec<String>>,
    /// Objectives of this período: a year inside it or the exact período.
    pub periodo: Option<String>,
    /// Only strategic, or only institutional-management, objectives.
    pub tipo: Option<TipoObjetivo>,
    /// `true`: only objectives no institutional objective serves (an
    /// alignment gap); `false`: only objectives some service serves.
    pub sin_objetivos: Option<bool>,
    /// Text in the description, ignoring case and accents.
    pub search: Option<String>,
}

impl ObjetivoMinisterialFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.partida.as_ref(), self.partidas.as_ref()),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            tipo: self.tipo.map(Into::into),
            sin_objetivos: self.sin_objetivos,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}

/// Which institutional objectives to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct ObjetivoInstitucionalFilter {
    /// Objectives of servicios of the partida with this code.
    pub partida: Option<String>,
    /// Objectives of servicios of any of these partidas.
    pub partidas: Option<Vec<String>>,
    /// Objectives of servicios with this capítulo code.
    pub capitulo: Option<String>,
    /// Objectives of fichas of this período: a year inside it or the exact período.
    pub periodo: Option<String>,
    /// Only strategic, or only institutional-management, objectives.
    pub tipo: Option<TipoObjetivo>,
    /// Only objectives with (`true`) or without (`false`) a gender focus.
    pub enfoque_genero: Option<bool>,
    /// Only objectives that do (`true`) or do not (`false`) address climate change.
    pub cambio_climatico: Option<bool>,
    /// `true`: only objectives no producto serves (an alignment gap);
    /// `false`: only objectives some producto serves.
    pub sin_productos: Option<bool>,
    /// Text in the description, ignoring case and accents.
    pub search: Option<String>,
}

impl ObjetivoInstitucionalFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.partida.as_ref(), self.partidas.as_ref()),
            capitulo: self.capitulo.clone(),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            tipo: self.tipo.map(Into::into),
            enfoque_genero: self.enfoque_genero,
            cambio_climatico: self.cambio_climatico,
            sin_productos: self.sin_productos,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}

/// Which productos to list.
#[derive(InputObject, Default, Debug, Clone)]
pub struct ProductoFilter {
    /// Productos of servicios of the partida with this code.
    pub partida: Option<String>,
    /// Productos of servicios of any of these partidas.
    pub partidas: Option<Vec<String>>,
    /// Productos of servicios with this capítulo code.
    pub capitulo: Option<String>,
    /// Productos of fichas of this período: a year inside it or the exact período.
    pub periodo: Option<String>,
    /// `true`: only productos that serve no objective (an alignment gap);
    /// `false`: only productos that serve some objective.
    pub sin_objetivos: Option<bool>,
    /// Text in the name, ignoring case and accents.
    pub search: Option<String>,
}

impl ProductoFilter {
    /// The loaders' filter.
    pub fn filtro(&self) -> Result<Filtro> {
        Ok(Filtro {
            partidas: partidas(self.partida.as_ref(), self.partidas.as_ref()),
            capitulo: self.capitulo.clone(),
            periodo: self.periodo.as_deref().map(periodo).transpose()?,
            sin_objetivos: self.sin_objetivos,
            search: search(self.search.as_ref()),
            ..Filtro::default()
        })
    }
}
