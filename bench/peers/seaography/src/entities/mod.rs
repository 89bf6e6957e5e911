//! SeaORM 2.0 entities for the definiciones tables, written by hand in the
//! shape `sea-orm-cli generate entity --seaography` produces: each module has
//! its `Model`, its `Relation` enum, the `Related` impls (the many-to-many
//! ones go through the link tables with `via`) and a `RelatedEntity` enum,
//! which is what seaography turns into nested GraphQL fields (a variant's
//! name, lowerCamelCased, is the field's name).

pub mod fichas;
pub mod objetivo_institucional_ministerial;
pub mod objetivos_institucionales;
pub mod objetivos_ministeriales;
pub mod partidas;
pub mod producto_objetivo_institucional;
pub mod productos;
pub mod sea_orm_active_enums;
pub mod servicios;
