//! What every handler can reach.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use super::admission::Budget;
use super::cache::{ResponseCache, Versions};
use super::limits::Limits;
use super::parsed::Parsed;
use super::persisted::Documents;
use crate::graphql::AppSchema;

/// State every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool.
    pub db: DatabaseConnection,
    /// The GraphQL schema.
    pub schema: AppSchema,
    /// The query limits.
    pub limits: Arc<Limits>,
    /// Answers kept between imports; `None` when turned off.
    pub cache: Option<Arc<ResponseCache>>,
    /// Reads of the data version (what kept answers are kept under) and
    /// of the links' maxima at it (what queries are costed against).
    pub versions: Arc<Versions>,
    /// The objects computed answers may hold at once, and the requests
    /// waiting for room; `None` when admission control is off.
    pub budget: Option<Arc<Budget>>,
    /// The persisted queries, and whether only they run.
    pub persisted: Arc<Documents>,
    /// The documents parsed so far, lent to requests with the same text.
    pub parsed: Arc<Parsed>,
}
