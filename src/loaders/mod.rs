//! Batched reads: every list and every link the API follows is fetched for
//! a whole level of a response in one SQL statement.
//!
//! A list (top-level or nested) is a *source* query per entity — the rows,
//! filtered, each tagged with the parent it hangs from (`parent_key`) and
//! its sort keys — read for every parent of a level at once (on SQLite as
//! one JSON value, on PostgreSQL as rows read by position, `rows`; the
//! parents' ids bound as one array on both, `filter::Ids`), and
//! paged per parent (`paging`), its long texts read only when a field
//! shows them (`Columns`). Cursors are positions in a list. The
//! async-graphql `DataLoader` collects the keys one level of a response
//! asks for and hands them here together, so the statements a request runs
//! depend on its depth, never on how many rows it returns.
//!
//! The rooms: `batch` drives a request's batches; `paging` pages a list
//! for every parent at once, over each entity's `sources`, built from the
//! pieces of `filter`, filtered by a `condition` and ordered by `order`;
//! `by_id` loads single rows; [`estadisticas`] counts, and [`grupos`]
//! counts by group; `version` reads the data version, `maxima` it and the
//! links' maxima; `statements` counts a request's SQL.
//! Errors are [`LoadError`], logged where they happen.
//!
//! The GraphQL types (`crate::graphql`) decide what to ask; this module only
//! knows tables.

mod batch;
mod by_id;
mod condition;
mod error;
pub mod estadisticas;
mod filter;
pub mod grupos;
mod maxima;
mod order;
mod paging;
mod rows;
mod sources;
mod statements;
mod version;

use sea_orm::DatabaseConnection;

pub use batch::{Batches, Overdue, RequestLoader, RowsById, data_loader};
pub use by_id::{
    Ahead, ById, FichaDeServicio, HasId, LATEST, ServicioDeFicha, ServicioHallado,
    servicio_por_codigos,
};
pub use error::LoadError;
pub use filter::{Filtro, PeriodoFiltro, Window, codes, periodo};
pub use maxima::{Link, Maxima, maxima, version_and_maxima};
pub use order::{Campo, Orden};
pub use paging::{
    Columns, CountKey, ListArgs, Listed, Page, PageKey, counts, page_within, pages,
    top_level_with_servicios, within,
};
pub use sources::*;
pub use statements::{count_statements, counted};
pub use version::data_version;

/// What the loaders read from.
pub struct Db {
    db: DatabaseConnection,
}

impl Db {
    /// The connection, for loaders defined beside their GraphQL types.
    pub(crate) fn connection(&self) -> &DatabaseConnection {
        &self.db
    }
}
