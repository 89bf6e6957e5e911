//! definiciones: Chile's *Definiciones Estratégicas* — every ministry's and
//! public service's mission, objectives and productos — as a queryable graph.
//!
//! # Layout
//!
//! A folder per flow; dependencies run one way, `cli → http → graphql →
//! loaders → entity` and `cli → store → ficha`:
//!
//! - [`cli`]: the command line (every option with its default) and what each
//!   command does.
//! - [`ficha`]: the ficha as a value; parse published text, render it back,
//!   the section titles and headers, synthetic fichas, the bundled ones.
//! - [`store`]: open and migrate the database under the one write lock;
//!   import fichas in a transaction each; export them back.
//! - [`loaders`]: the batched reads, one statement per level of a response.
//! - [`graphql`]: the schema: types, connections, filters, aggregates.
//! - [`http`]: `/graphql` per the GraphQL-over-HTTP spec, the response
//!   cache, the query limits and cost estimate, admission control,
//!   GraphiQL, the SDL, health.
//!
//! Data flows one way: ficha text → parser → model → database; request →
//! GraphQL → data loaders → database.

pub mod cli;
pub mod ficha;
pub mod graphql;
pub mod http;
pub mod loaders;
pub mod store;
