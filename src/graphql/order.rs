//! The `orderBy` argument of every list: one enum per list, its values
//! named as PostGraphile names them (`<FIELD>_ASC`, `<FIELD>_DESC`), read
//! into the loaders' [`Orden`]. The first value decides most; ties fall
//! back to the list's usual order, so cursors stay valid within an order.

use crate::loaders::{Campo, Orden};

/// An `orderBy` enum.
pub trait OrderBy: Copy {
    /// The field and whether it sorts largest first.
    fn campo(self) -> (Campo, bool);
}

/// The loaders' order for an `orderBy` argument. A field asked for twice
/// sorts as it was asked first: once rows tie on it, it cannot tell them
/// apart again.
pub fn orden<O: OrderBy>(order_by: Option<&[O]>) -> Orden {
    let mut orden: Orden = Vec::new();
    for (campo, desc) in order_by.unwrap_or_default().iter().map(|o| o.campo()) {
        if orden.iter().all(|(seen, _)| *seen != campo) {
            orden.push((campo, desc));
        }
    }
    orden
}

/// An `orderBy` enum: each field as `Asc` and `Desc` variants, with what
/// it orders by in words.
macro_rules! order_by {
    ($(#[$doc:meta])* $name:ident { $($asc:ident, $desc:ident => $campo:ident: $what:literal,)* }) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name {
            $(
                #[doc = concat!("By ", $what, ", smallest first.")]
                $asc,
                #[doc = concat!("By ", $what, ", largest first.")]
                $desc,
            )*
        }

        impl OrderBy for $name {
            fn campo(self) -> (Campo, bool) {
                match self {
                    $(
                        $name::$asc => (Campo::$campo, false),
                        $name::$desc => (Campo::$campo, true),
                    )*
                }
            }
        }
    };
}

order_by! {
    /// How to order partidas.
    PartidaOrderBy {
        CodigoAsc, CodigoDesc => Codigo: "budget code",
        NombreAsc, NombreDesc => Nombre: "name (ignoring case and accents)",
        ServiciosAsc, ServiciosDesc => Servicios: "how many servicios it has",
    }
}

order_by! {
    /// How to order servicios.
    ServicioOrderBy {
        CodigoAsc, CodigoDesc => Codigo: "partida code, then capítulo",
        NombreAsc, NombreDesc => Nombre: "name (ignoring case and accents)",
        ObjetivosAsc, ObjetivosDesc => Objetivos: "how many institutional objectives its latest ficha lists",
        ObjetivosSinProductosAsc, ObjetivosSinProductosDesc => ObjetivosSinProductos: "how many objectives of its latest ficha no producto serves",
        ProductosAsc, ProductosDesc => Productos: "how many productos its latest ficha lists",
    }
}

order_by! {
    /// How to order fichas.
    FichaOrderBy {
        PeriodoAsc, PeriodoDesc => Periodo: "período (first year, then last)",
        ObjetivosAsc, ObjetivosDesc => Objetivos: "how many institutional objectives it lists",
        ObjetivosSinProductosAsc, ObjetivosSinProductosDesc => ObjetivosSinProductos: "how many of its objectives no producto serves",
        ProductosAsc, ProductosDesc => Productos: "how many productos it lists",
    }
}

order_by! {
    /// How to order ministry objectives.
    ObjetivoMinisterialOrderBy {
        PrioridadAsc, PrioridadDesc => Prioridad: "prioridad",
        ServiciosAsc, ServiciosDesc => Servicios: "how many servicios serve it",
    }
}

order_by! {
    /// How to order institutional objectives.
    ObjetivoInstitucionalOrderBy {
        PrioridadAsc, PrioridadDesc => Prioridad: "prioridad",
        TipoAsc, TipoDesc => Tipo: "tipo (strategic before institutional management)",
        ProductosAsc, ProductosDesc => Productos: "how many productos serve it",
    }
}

order_by! {
    /// How to order productos.
    ProductoOrderBy {
        NumeroAsc, NumeroDesc => Numero: "número",
        NombreAsc, NombreDesc => Nombre: "name (ignoring case and accents)",
        ObjetivosAsc, ObjetivosDesc => Objetivos: "how many institutional objectives it serves",
    }
}
