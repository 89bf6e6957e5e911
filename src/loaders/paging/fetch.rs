//! How a page's rows cross from the database: each row an element of a
//! fixed shape (`[parent, [keys…], [columns…]]` and the like), read by
//! position with serde, never by column name. On SQLite a statement's rows
//! come back as one JSON array; on PostgreSQL as plain rows.

use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr};
use serde::de::DeserializeOwned;

use super::get;
use crate::loaders::LoadError;
use crate::loaders::rows::{self, Part};

/// A part of a row's element: one column, or an array of several.
pub(super) enum Group {
    One(String),
    Many(Vec<String>),
}

impl Group {
    /// Its columns, in order.
    fn columns(&self) -> &[String] {
        match self {
            Group::One(column) => std::slice::from_ref(column),
            Group::Many(columns) => columns,
        }
    }

    /// How a PostgreSQL row's columns group into it.
    fn part(&self) -> Part {
        match self {
            Group::One(_) => Part::One,
            Group::Many(columns) => Part::Many(columns.len()),
        }
    }
}

/// `rows` read as `T`s, each from an element of `element`'s shape
/// (`[parent, [keys…], [columns…]]`).
///
/// On SQLite the rows come back as one JSON array (`json_group_array`),
/// read with serde: sqlx hands SQLite rows from the database's thread to
/// the runtime one at a time, each a wake-up. On PostgreSQL they come back
/// as plain rows, which its `json_agg` cost more to build than they cost to
/// send, read by position with the same serde impls (`super::rows`).
pub(super) async fn fetch<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    element: &[Group],
    rows: SelectStatement,
) -> Result<Vec<T>, LoadError> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        let mut query = Query::select();
        for column in element.iter().flat_map(Group::columns) {
            query.expr(Expr::cust(column.clone()));
        }
        query.from_subquery(rows, "x");
        let layout: Vec<Part> = element.iter().map(Group::part).collect();
        let found = db.query_all(&query).await?;
        return found
            .iter()
            .map(|row| {
                let row = row.try_as_pg_row().ok_or_else(|| {
                    LoadError::from(DbErr::Type("a PostgreSQL row expected".to_owned()))
                })?;
                rows::read(row, &layout).map_err(LoadError::row)
            })
            .collect();
    }
    let query = json_rows(DatabaseBackend::Sqlite, element, rows);
    let text: String = match db.query_one(&query).await? {
        Some(row) => get(&row, "page")?,
        None => return Ok(Vec::new()),
    };
    serde_json::from_str(&text).map_err(LoadError::json)
}

/// `rows` as one JSON text, `page`: an array of elements of `element`'s
/// shape, `[]` when there are none.
pub(super) fn json_rows(
    backend: DatabaseBackend,
    element: &[Group],
    rows: SelectStatement,
) -> SelectStatement {
    let array = match backend {
        DatabaseBackend::Postgres => "json_build_array",
        _ => "json_array",
    };
    let parts = element
        .iter()
        .map(|group| match group {
            Group::One(column) => column.clone(),
            Group::Many(columns) => format!("{array}({})", columns.join(", ")),
        })
        .collect::<Vec<_>>()
        .join(", ");
    let row = format!("{array}({parts})");
    let page = match backend {
        DatabaseBackend::Postgres => format!("COALESCE(json_agg({row}), '[]')::text"),
        _ => format!("json_group_array({row})"),
    };
    Query::select()
        .expr_as(Expr::cust(page), "page")
        .from_subquery(rows, "x")
        .to_owned()
}
