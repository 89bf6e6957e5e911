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
/// The range of años and `and`, `or`, `not` every input has.
macro_rules! list_filter {
    ($input:ident: partidas($one:ident, $many:ident) $($field:ident)*) => {
        impl ListFilter for $input {
            fn filtro(&self) -> Result<Filtro> {
                let mut filtro = Filtro {
                    partidas: partidas(self.$one.as_ref(), self.$many.as_ref()),
                    desde: self.periodo_desde,
                    hasta: self.periodo_hasta,
                    and: each(self.and.as_deref())?,
                    or: each(self.or.as_deref())?,
                    not: self.not.as_deref().map(ListFilter::filtro).transpose()?.map(Box::new),
                    ..Filtro::default()
                };
                if let (Some(desde), Some(hasta)) = (self.periodo_desde, self.periodo_hasta) {
                    if desde > hasta {
                        return Err(bad_input(format!(
                            "`periodoDesde` ({desde}) is after `periodoHasta` ({hasta}): no período can be in that range"
                        )));
                    }
                }
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
    // The link predicates: at least one linked item matches.
    ($filtro:ident, $input:ident, objetivos_ministeriales) => {
        $filtro.objetivos_ministeriales = linked($input.objetivos_ministeriales.as_deref())?;
    };
    ($filtro:ident, $input:ident, objetivos_institucionales) => {
        $filtro.objetivos_institucionales = linked($input.objetivos_institucionales.as_deref())?;
    };
    ($filtro:ident, $input:ident, productos) => {
        $filtro.productos = linked($input.productos.as_deref())?;
    };
    // The yes/no conditions: enfoqueGenero, cambioClimatico, sinProductos, sinObjetivos.
    ($filtro:ident, $input:ident, $flag:ident) => {
        $filtro.$flag = $input.$flag;
    };
}

list_filter!(PartidaFilter: partidas(codigo, codigos) periodo search);
list_filter!(ServicioFilter: partidas(partida, partidas) capitulo periodo search);
list_filter!(FichaFilter: partidas(partida, partidas) capitulo periodo search);
list_filter!(ObjetivoMinisterialFilter: partidas(partida, partidas) periodo tipo sin_objetivos search objetivos_institucionales);
list_filter!(ObjetivoInstitucionalFilter: partidas(partida, partidas) capitulo periodo tipo enfoque_genero cambio_climatico sin_productos search objetivos_ministeriales productos);
list_filter!(ProductoFilter: partidas(partida, partidas) capitulo periodo sin_objetivos search objetivos_institucionales);

/// A link predicate's filter.
fn linked<F: ListFilter>(filter: Option<&F>) -> Result<Option<Box<Filtro>>> {
    Ok(filter.map(ListFilter::filtro).transpose()?.map(Box::new))
}

/// The filters of an `and` or `or` list.
fn each<F: ListFilter>(filters: Option<&[F]>) -> Result<Vec<Filtro>> {
    filters
        .unwrap_or_default()
        .iter()
        .map(ListFilter::filtro)
        .collect()
}

fn search(term: Option<&String>) -> Option<String> {
    term.map(|t| fold(t)).filter(|t| !t.is_empty())
}

/// The partida codes a filter names, by one code and by several (sorted,
/// each once); `None` when it names none.
pub fn partidas(one: Option<&String>, many: Option<&Vec<String>>) -> Option<Vec<String>> {
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

/// A `filter` input: the fields it offers, then the range of años and
/// `and`, `or`, `not`, which every input has.
macro_rules! filter_input {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$doc])*
        #[derive(InputObject, Default, Debug, Clone)]
        pub struct $name {
            $($(#[$field_doc])* pub $field: $ty,)*
            /// Only items of a período that reaches this year or later; with
            /// `periodoHasta`, a range of años.
            pub periodo_desde: Option<i32>,
            /// Only items of a período that starts in this year or earlier.
            pub periodo_hasta: Option<i32>,
            /// Only items that every one of these filters keeps.
            pub and: Option<Vec<$name>>,
            /// Only items that at least one of these filters keeps (an empty
            /// list sets no condition).
            pub or: Option<Vec<$name>>,
            /// Only items this filter does not keep.
            pub not: Option<Box<$name>>,
        }
    };
}

filter_input! {
    /// Which partidas to list.
    PartidaFilter {
        /// The partida with this budget code (e.g. `"20"`).
        codigo: Option<String>,
        /// Any of these budget codes.
        codigos: Option<Vec<String>>,
        /// Partidas with a ficha in this período: a year (`"2025"`) or an exact
        /// período (`"2024-2026"`).
        periodo: Option<String>,
        /// Text in the name, ignoring case and accents.
        search: Option<String>,
    }
}

filter_input! {
    /// Which servicios to list.
    ServicioFilter {
        /// Servicios of the partida with this code.
        partida: Option<String>,
        /// Servicios of any of these partidas.
        partidas: Option<Vec<String>>,
        /// Servicios with this capítulo code (e.g. `"01"`).
        capitulo: Option<String>,
        /// Servicios with a ficha in this período: a year or an exact período.
        periodo: Option<String>,
        /// Text in the name, ignoring case and accents.
        search: Option<String>,
    }
}

filter_input! {
    /// Which fichas to list.
    FichaFilter {
        /// Fichas of servicios of the partida with this code.
        partida: Option<String>,
        /// Fichas of servicios of any of these partidas.
        partidas: Option<Vec<String>>,
        /// Fichas of servicios with this capítulo code.
        capitulo: Option<String>,
        /// Fichas of this período: a year inside it or the exact período.
        periodo: Option<String>,
        /// Text in the misión, ignoring case and accents.
        search: Option<String>,
    }
}

filter_input! {
    /// Which ministry objectives to list.
    ObjetivoMinisterialFilter {
        /// Objectives of the partida with this code.
        partida: Option<String>,
        /// Objectives of any of these partidas.
        partidas: Option<Vec<String>>,
        /// Objectives of this período: a year inside it or the exact período.
        periodo: Option<String>,
        /// Only strategic, or only institutional-management, objectives.
        tipo: Option<TipoObjetivo>,
        /// `true`: only objectives no institutional objective serves (an
        /// alignment gap); `false`: only objectives some service serves.
        sin_objetivos: Option<bool>,
        /// Text in the description, ignoring case and accents.
        search: Option<String>,
        /// Only objectives that at least one institutional objective this
        /// filter keeps serves.
        objetivos_institucionales: Option<Box<ObjetivoInstitucionalFilter>>,
    }
}

filter_input! {
    /// Which institutional objectives to list.
    ObjetivoInstitucionalFilter {
        /// Objectives of servicios of the partida with this code.
        partida: Option<String>,
        /// Objectives of servicios of any of these partidas.
        partidas: Option<Vec<String>>,
        /// Objectives of servicios with this capítulo code.
        capitulo: Option<String>,
        /// Objectives of fichas of this período: a year inside it or the exact período.
        periodo: Option<String>,
        /// Only strategic, or only institutional-management, objectives.
        tipo: Option<TipoObjetivo>,
        /// Only objectives with (`true`) or without (`false`) a gender focus.
        enfoque_genero: Option<bool>,
        /// Only objectives that do (`true`) or do not (`false`) address climate change.
        cambio_climatico: Option<bool>,
        /// `true`: only objectives no producto serves (an alignment gap);
        /// `false`: only objectives some producto serves.
        sin_productos: Option<bool>,
        /// Text in the description, ignoring case and accents.
        search: Option<String>,
        /// Only objectives that serve at least one ministry objective this
        /// filter keeps.
        objetivos_ministeriales: Option<Box<ObjetivoMinisterialFilter>>,
        /// Only objectives that at least one producto this filter keeps serves.
        productos: Option<Box<ProductoFilter>>,
    }
}

filter_input! {
    /// Which productos to list.
    ProductoFilter {
        /// Productos of servicios of the partida with this code.
        partida: Option<String>,
        /// Productos of servicios of any of these partidas.
        partidas: Option<Vec<String>>,
        /// Productos of servicios with this capítulo code.
        capitulo: Option<String>,
        /// Productos of fichas of this período: a year inside it or the exact período.
        periodo: Option<String>,
        /// `true`: only productos that serve no objective (an alignment gap);
        /// `false`: only productos that serve some objective.
        sin_objetivos: Option<bool>,
        /// Text in the name, ignoring case and accents.
        search: Option<String>,
        /// Only productos that serve at least one institutional objective
        /// this filter keeps.
        objetivos_institucionales: Option<Box<ObjetivoInstitucionalFilter>>,
    }
}
