//! definiciones: Chile's *Definiciones Estratégicas* — every ministry's and
//! public service's mission, objectives and productos — as a queryable graph.
//!
//! # Layout
//!
//! - [`ficha`]: the ficha as a value; parse published text, render it back.
//! - [`import`]: store a ficha in one transaction; [`export`]: read them back.
//! - [`db`]: open the database (SQLite or PostgreSQL) and migrate it.
//! - [`bundled`]: the real fichas shipped inside the binary; [`generate`]:
//!   synthetic ones at national scale.
//! - [`graphql`]: the schema; [`loaders`]: the batched reads behind it.
//! - [`graphql_http`]: `/graphql` per the GraphQL-over-HTTP spec;
//!   [`limits`]: what a query may ask.
//! - [`graphiql`]: the GraphiQL page and its embedded assets.
//! - [`http`]: the routes; [`app`]: what each command does; [`config`]: the
//!   command line.
//!
//! Data flows one way: ficha text → parser → model → database; request →
//! GraphQL → data loaders → database.

pub mod app;
pub mod bundled;
pub mod cache;
pub mod config;
pub mod db;
pub mod export;
pub mod ficha;
pub mod generate;
pub mod graphiql;
pub mod graphql;
pub mod graphql_http;
pub mod http;
pub mod import;
pub mod limits;
pub mod loaders;
pub mod response_order;
