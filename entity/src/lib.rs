//! SeaORM entities for the *Definiciones Estratégicas* database.
//!
//! This crate owns the Rust view of every table: one module per table with
//! its `Model`, its relations and the `Related` impls that let callers walk
//! the graph producto → objetivo institucional → objetivo ministerial →
//! partida (and back) with `find_related` / `find_with_related`. The tables
//! themselves (types, constraints, indexes) are created by the `migration`
//! crate, which is the authority on the schema; importing, querying and
//! serving the data are left to the application.
//!
//! # Layout
//!
//! - [`partida`], [`servicio`]: the budget structure (ministry and service).
//! - [`ficha`]: one service's *Ficha de Identificación* for a period.
//! - [`objetivo_ministerial`], [`objetivo_institucional`], [`producto`]: the
//!   contents of a ficha.
//! - [`objetivo_institucional_ministerial`], [`producto_objetivo_institucional`]:
//!   the many-to-many links between them.
//! - [`tipo_objetivo`]: the `Tipo de Objetivo` column shared by both kinds of
//!   objetivo.
//! - [`json`]: reading rows the database handed over as JSON.
//! - [`prelude`]: every entity under its domain name, for glob import.

pub mod ficha;
pub mod json;
pub mod objetivo_institucional;
pub mod objetivo_institucional_ministerial;
pub mod objetivo_ministerial;
pub mod partida;
pub mod prelude;
pub mod producto;
pub mod producto_objetivo_institucional;
pub mod servicio;
pub mod tipo_objetivo;
