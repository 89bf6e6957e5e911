//! What the cost walk (`super::cost`) needs to know of the schema: the
//! type each field returns, whether it is a list or a connection, and for
//! every list, the link of the data it follows (`crate::loaders::Link`),
//! whose maxima bound its items.
//!
//! The field types are read from the schema's own SDL
//! (`crate::graphql::sdl`), once, so they cannot drift from the code; the
//! links are the small table [`LINKS`], which a test checks covers every
//! list field of the schema.

use std::collections::HashMap;
use std::sync::OnceLock;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};

use crate::loaders::Link;

/// How many items a list holds at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Items {
    /// Every row the link has (a top-level list): at most its pairs.
    Every(Link),
    /// A parent's children: at most the most children one parent has.
    Each(Link),
}

impl Items {
    /// The link counted.
    pub fn link(self) -> Link {
        match self {
            Items::Every(link) | Items::Each(link) => link,
        }
    }
}

/// Each list field of the schema, by its type and name, and what bounds
/// its items.
pub const LINKS: &[(&str, &str, Items)] = &[
    ("Query", "partidas", Items::Every(Link::Partidas)),
    ("Query", "servicios", Items::Every(Link::PartidaServicios)),
    ("Query", "fichas", Items::Every(Link::ServicioFichas)),
    (
        "Query",
        "objetivosMinisteriales",
        Items::Every(Link::PartidaObjetivosMinisteriales),
    ),
    (
        "Query",
        "objetivosInstitucionales",
        Items::Every(Link::FichaObjetivosInstitucionales),
    ),
    ("Query", "productos", Items::Every(Link::FichaProductos)),
    ("Partida", "servicios", Items::Each(Link::PartidaServicios)),
    (
        "Partida",
        "objetivosMinisteriales",
        Items::Each(Link::PartidaObjetivosMinisteriales),
    ),
    ("Servicio", "fichas", Items::Each(Link::ServicioFichas)),
    (
        "Ficha",
        "objetivosInstitucionales",
        Items::Each(Link::FichaObjetivosInstitucionales),
    ),
    ("Ficha", "productos", Items::Each(Link::FichaProductos)),
    (
        "ObjetivoInstitucional",
        "objetivosMinisteriales",
        Items::Each(Link::InstitucionalMinisteriales),
    ),
    (
        "ObjetivoInstitucional",
        "productos",
        Items::Each(Link::InstitucionalProductos),
    ),
    (
        "ObjetivoMinisterial",
        "objetivosInstitucionales",
        Items::Each(Link::MinisterialInstitucionales),
    ),
    (
        "Producto",
        "objetivosInstitucionales",
        Items::Each(Link::ProductoInstitucionales),
    ),
    (
        "Producto",
        "objetivosMinisteriales",
        Items::Each(Link::ProductoMinisteriales),
    ),
    // A comparison's lists hold some of one ficha's objectives or productos.
    (
        "CambiosObjetivos",
        "agregados",
        Items::Each(Link::FichaObjetivosInstitucionales),
    ),
    (
        "CambiosObjetivos",
        "eliminados",
        Items::Each(Link::FichaObjetivosInstitucionales),
    ),
    (
        "CambiosObjetivos",
        "mantenidos",
        Items::Each(Link::FichaObjetivosInstitucionales),
    ),
    (
        "CambiosProductos",
        "agregados",
        Items::Each(Link::FichaProductos),
    ),
    (
        "CambiosProductos",
        "eliminados",
        Items::Each(Link::FichaProductos),
    ),
    (
        "CambiosProductos",
        "mantenidos",
        Items::Each(Link::FichaProductos),
    ),
    ("Estadisticas", "porPartida", Items::Every(Link::Partidas)),
    ("Estadisticas", "porPeriodo", Items::Every(Link::Periodos)),
    // A group holds at least one objective, or (grouped by partida,
    // servicio or período only) at least one ficha, which holds objectives.
    (
        "Estadisticas",
        "grupos",
        Items::Every(Link::FichaObjetivosInstitucionales),
    ),
];

/// Fields that hold one object, whose distinct parents always hold
/// distinct objects: a servicio's ficha is its own. (A ficha's servicio is
/// not: two fichas can share one.)
pub const ONE_EACH: &[(&str, &str)] = &[("Servicio", "ficha")];

/// What a field returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returns {
    /// The named type (`Partida`, `PartidaConnection`, `String`).
    pub named: String,
    /// Whether it is a list of that type.
    pub list: bool,
}

/// The schema's object and interface types: their fields' types, and
/// which of them are connections (they have `nodes`, `edges` and
/// `pageInfo`).
#[derive(Debug, Default)]
pub struct Types {
    fields: HashMap<(String, String), Returns>,
}

impl Types {
    /// The API's schema, read from its SDL once.
    pub fn api() -> &'static Types {
        static TYPES: OnceLock<Types> = OnceLock::new();
        TYPES.get_or_init(|| Types::from_sdl(&crate::graphql::sdl()))
    }

    /// Read an SDL. A text that does not parse gives no types (every field
    /// is then costed as one object: the schema's own SDL always parses,
    /// which a test checks).
    pub fn from_sdl(sdl: &str) -> Types {
        let mut types = Types::default();
        let Ok(document) = async_graphql::parser::parse_schema(sdl) else {
            return types;
        };
        for definition in document.definitions {
            let TypeSystemDefinition::Type(ty) = definition else {
                continue;
            };
            let ty = ty.node;
            let fields = match ty.kind {
                TypeKind::Object(object) => object.fields,
                TypeKind::Interface(interface) => interface.fields,
                _ => continue,
            };
            for field in fields {
                let field = field.node;
                types.fields.insert(
                    (ty.name.node.to_string(), field.name.node.to_string()),
                    returns(&field.ty.node),
                );
            }
        }
        types
    }

    /// What `field` of `ty` returns, if the schema has it.
    pub fn field(&self, ty: &str, field: &str) -> Option<&Returns> {
        self.fields.get(&(ty.to_owned(), field.to_owned()))
    }

    /// Whether `ty` is a connection: a page of items with `nodes`,
    /// `edges` and `pageInfo`.
    pub fn is_connection(&self, ty: &str) -> bool {
        ["nodes", "edges", "pageInfo"]
            .iter()
            .all(|f| self.fields.contains_key(&(ty.to_owned(), (*f).to_owned())))
    }

    /// Every field that returns a list or a connection, but a
    /// connection's own `nodes` and `edges`.
    pub fn lists(&self) -> Vec<(&str, &str)> {
        let mut lists: Vec<(&str, &str)> = self
            .fields
            .iter()
            .filter(|((ty, name), returns)| {
                let own = self.is_connection(ty) && (name == "nodes" || name == "edges");
                !own && (returns.list || self.is_connection(&returns.named))
            })
            .map(|((ty, name), _)| (ty.as_str(), name.as_str()))
            .collect();
        lists.sort();
        lists
    }
}

fn returns(ty: &Type) -> Returns {
    match &ty.base {
        BaseType::Named(name) => Returns {
            named: name.to_string(),
            list: false,
        },
        BaseType::List(inner) => Returns {
            named: returns(inner).named,
            list: true,
        },
    }
}

/// What bounds the items of list field `field` of `ty`.
pub fn items(ty: &str, field: &str) -> Option<Items> {
    LINKS
        .iter()
        .find(|(t, f, _)| *t == ty && *f == field)
        .map(|(_, _, items)| *items)
}

/// Whether field `field` of `ty`, holding one object, gives distinct
/// parents distinct objects.
pub fn one_each(ty: &str, field: &str) -> bool {
    ONE_EACH.iter().any(|(t, f)| *t == ty && *f == field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_of_the_schema_has_its_link() {
        let types = Types::api();
        let lists = types.lists();
        assert!(lists.len() > 20, "the SDL was read: {lists:?}");
        for (ty, field) in &lists {
            assert!(
                items(ty, field).is_some(),
                "{ty}.{field} is a list: add it to `LINKS` with the link that bounds its items"
            );
        }
        for (ty, field, _) in LINKS {
            assert!(
                lists.contains(&(ty, field)),
                "{ty}.{field} is in `LINKS` but is no list of the schema"
            );
        }
        for (ty, field) in ONE_EACH {
            let returns = types.field(ty, field).expect("a field of the schema");
            assert!(!returns.list, "{ty}.{field} holds one object");
        }
    }

    #[test]
    fn connections_are_told_by_their_fields() {
        let types = Types::api();
        assert!(types.is_connection("PartidaConnection"));
        assert!(!types.is_connection("Partida"));
        assert_eq!(
            types.field("Partida", "servicios"),
            Some(&Returns {
                named: "ServicioConnection".into(),
                list: false
            })
        );
        assert_eq!(
            types.field("CambiosProductos", "agregados"),
            Some(&Returns {
                named: "Producto".into(),
                list: true
            })
        );
    }
}
