//! The data version: a number every import that changes the data raises in
//! its own transaction (`data_version`, one row; `crate::store` raises it).
//! Equal numbers mean equal data, so answers computed at one version can be
//! served again while it holds.

use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::LoadError;

/// The current data version.
pub async fn data_version(db: &impl ConnectionTrait) -> Result<i64, LoadError> {
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT version FROM data_version WHERE id = 1",
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the data_version row".to_owned()))?;
    Ok(row.try_get("", "version")?)
}
