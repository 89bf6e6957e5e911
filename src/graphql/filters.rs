//! The `filter` inputs of every list, and their translation into the one
//! [`Filtro`] the loaders understand. Each input offers only the conditions
//! that make sense for its list.

use async_graphql::{InputObject, Result};

use super::error::bad_input;
use super::values::TipoObjetivo;
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

/// A list's `filter` input.
pub trait ListFilter {
    /// The loaders' filter.
    fn filtro(&self) -> Result<Filtro>;
}

/// [`ListFilter`] for an input, from the conditions it offers: the partida
/// codes (its names for one and for many), then its other fields, each of
/// which says by its name how it becomes part of the loaders' [`Filtro`].
macro_rules! list_filter {
    ($input:ident: partidas($one:ident, $many:ident) $($field:ident)*) => {
        impl ListFilter for $input {
            fn filtro(&self) -> Result<Filtro> {
                let mut filtro = Filtro {
                    partidas: partidas(self.$one.as_ref(), self.$many.as_ref()),
                    ..Filtro::default()
                };
                $(condition!(filtro, self, $field);)*
                Ok(filtro)
            }
        }
    };
}

/// One field of a `filter` input into the loaders' [`Filtro`].
macro_rules! condition {
    ($filtro:ident, $input:ident, capitulo) => {
        $filtro.capitulo = $input.capitulo.clone();
    };
    ($filtro:ident, $input:ident, periodo) => {
        $filtro.periodo = $input.periodo.as_deref().map(periodo).transpose()?;
    };
    ($filtro:ident, $input:ident, tipo) => {
        $filtro.tipo = $input.tipo.map(Into::into);
    };
    ($filtro:ident, $input:ident, search) => {
        $filtro.search = search($input.search.as_ref());
    };
    // The yes/no conditions: enfoqueGenero, cambioClimatico, sinProductos, sinObjetivos.
    ($filtro:ident, $input:ident, $flag:ident) => {
        $filtro.$flag = $input.$flag;
    };
}

list_filter!(PartidaFilter: partidas(codigo, codigos) periodo search);
list_filter!(ServicioFilter: partidas(partida, partidas) capitulo periodo search);
list_filter!(FichaFilter: partidas(partida, partidas) capitulo periodo search);
list_filter!(ObjetivoMinisterialFilter: partidas(partida, partidas) periodo tipo sin_objetivos search);
list_filter!(ObjetivoInstitucionalFilter: partidas(partida, partidas) capitulo periodo tipo enfoque_genero cambio_climatico sin_productos search);
list_filter!(ProductoFilter: partidas(partida, partidas) capitulo periodo sin_objetivos search);

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
