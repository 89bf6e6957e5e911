//! A top-level list's page, numbered and counted by the database, and the
//! variant that brings each row's servicio along (see [`super`]).

use std::collections::HashMap;

use entity::{ficha, servicio};
use sea_orm::sea_query::{
    Alias, Asterisk, CommonTableExpression, Expr, ExprTrait, Query, SelectStatement, WithClause,
};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, Iterable};

use super::{Columns, Group, Listed, Page, fetch, model_columns, trim, unshown};
use crate::loaders::LoadError;
use crate::loaders::filter::{AsAlias, Filtro, Window, col, select_prefixed};
use crate::loaders::order::{Campo, order_by, sort_key, window_order};

/// The statement of a top-level list's page: `parent_key`, `rn` (the
/// row's position), `cnt` (the list's total) and the row's columns.
///
/// Built apart from [`top_level`], in a plain function's frame: unoptimised
/// builds give every temporary of an async fn its own slot in the frame
/// that polls it, a deep query polls it far down the stack, and the
/// recursion limit's test overflowed its stack when these statements were
/// built inline.
fn top_level_query<L: Listed>(
    backend: DatabaseBackend,
    rel: L::Rel,
    filter: &Filtro,
    orden: &[(Campo, bool)],
    window: &Window,
    servicios: bool,
) -> SelectStatement {
    let order = order_by::<L>("src", orden, backend);
    // Rank narrow rows (id, parent, sort keys), then fetch the whole rows
    // of the page only: sorting every match's text is what a search over
    // thousands of rows would spend its time on. The rows are numbered
    // (`rn`) and counted (`cnt`) from `rows`.
    let mut matched = None;
    let (rn, cnt, rows) = match (window.first, window.last) {
        // Read forwards: the database keeps the top rows as it sorts
        // (`ORDER BY … LIMIT`) instead of numbering every row.
        (Some(first), None) => {
            let after = window.after.unwrap_or(0);
            let source = L::source(rel, filter, Some(orden), None);
            let (top, total) = if backend == DatabaseBackend::Postgres {
                // PostgreSQL reads the list once, into `matched` (its rows'
                // ids, parents and sort keys), and takes both the top rows
                // and the total from there: a count of its own read the
                // table twice, a search's `LIKE` over every row each time.
                // SQLite answered that shape a sixth slower.
                let mut narrow = Query::select();
                narrow.column(("src", "id")).column(("src", "parent_key"));
                // Every sort key: the last term of `order` is the id.
                for i in 0..order.len() - 1 {
                    narrow.column(("src", Alias::new(sort_key(i))));
                }
                narrow.from_subquery(source, "src");
                matched = Some(
                    WithClause::new()
                        .cte(
                            CommonTableExpression::new()
                                .query(narrow)
                                .table_name("matched")
                                .materialized(true)
                                .to_owned(),
                        )
                        .to_owned(),
                );
                (
                    Query::select()
                        .column(Asterisk)
                        .from_as("matched", "src")
                        .to_owned(),
                    Query::select()
                        .expr(Expr::cust("COUNT(*)"))
                        .from("matched")
                        .to_owned(),
                )
            } else {
                (
                    Query::select()
                        .column(Asterisk)
                        .from_subquery(source, "src")
                        .to_owned(),
                    L::indexed_count(backend, rel, filter).unwrap_or_else(|| {
                        Query::select()
                            .expr(Expr::cust("COUNT(*)"))
                            .from_subquery(L::source(rel, filter, None, None), "src")
                            .to_owned()
                    }),
                )
            };
            let mut top = top;
            top.order_by_customs(order.iter().cloned())
                .limit(Ord::max(first + 1, 0) as u64)
                .offset(Ord::max(after, 0) as u64);
            (
                Expr::cust(format!(
                    "ROW_NUMBER() OVER (ORDER BY {}) + {after}",
                    window_order(&order)
                )),
                Expr::SubQuery(None, Box::new(total.into())),
                top,
            )
        }
        _ => (
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY src.parent_key ORDER BY {})",
                window_order(&order)
            )),
            Expr::cust("COUNT(*) OVER (PARTITION BY src.parent_key)"),
            L::source(rel, filter, Some(orden), None),
        ),
    };
    let mut ranked = Query::select();
    ranked
        .column(("src", "id"))
        .column(("src", "parent_key"))
        .expr_as(rn, "rn")
        .expr_as(cnt, "cnt")
        .from_subquery(rows, "src");
    if let Some(matched) = matched {
        ranked.with_cte(matched);
    }
    let rn = || Expr::col(("w", "rn"));
    let mut query = Query::select();
    query
        .column(("w", "parent_key"))
        .column(("w", "rn"))
        .column(("w", "cnt"));
    for column in <L::Entity as EntityTrait>::Column::iter() {
        let name = sea_orm::IdenStatic::as_str(&column);
        if unshown(name).is_none() {
            query.expr_as(col("t", name), name);
        }
    }
    query.from_subquery(ranked, "w").inner_join(
        L::Entity::default().aliased("t"),
        col("t", "id").equals(("w", "id")),
    );
    if servicios {
        // Each row's servicio, through its ficha: the page's rows only.
        query.expr_as(col("t", "ficha_id"), "ficha_key");
        select_prefixed::<servicio::Entity>(&mut query, "ss", "s_");
        query
            .inner_join(
                ficha::Entity.aliased("ff"),
                col("ff", "id").equals(("t", "ficha_id")),
            )
            .inner_join(
                servicio::Entity.aliased("ss"),
                col("ss", "id").equals(("ff", "servicio_id")),
            );
    }
    if let Some(after) = window.after {
        query.and_where(rn().gt(after));
    }
    if let Some(before) = window.before {
        query.and_where(rn().lt(before));
    }
    // One row more than asked on the open side tells whether more exist.
    match (window.first, window.last) {
        (Some(first), _) => {
            query.and_where(rn().lte(window.after.unwrap_or(0) + first + 1));
        }
        (None, Some(last)) => match window.before {
            Some(before) => {
                query.and_where(rn().gte(before - last - 1));
            }
            None => {
                query.and_where(rn().gte(Expr::col(("w", "cnt")).sub(last)));
            }
        },
        (None, None) => {}
    }
    query
}

/// The pages of a top-level list, numbered by the database.
pub(super) async fn top_level<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    orden: &[(Campo, bool)],
    window: &Window,
    columns: Columns,
) -> Result<HashMap<i32, Page<L::Model>>, LoadError> {
    let query = top_level_query::<L>(db.get_database_backend(), rel, filter, orden, window, false);
    let element = page_element::<L>(columns);
    let rows: Vec<(i32, i64, i64, L::Model)> = fetch(db, &element, query).await?;
    Ok(paged(rows, window))
}

/// A top-level list's pages, as [`top_level`] reads them, of a list whose
/// rows belong to fichas ([`Listed::OF_FICHA`]), with each row's servicio
/// by its ficha's id, in the page's own statement: what a search's
/// `servicio { nombre }` would otherwise read in a statement of its own.
pub async fn top_level_with_servicios<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    orden: &[(Campo, bool)],
    window: &Window,
    columns: Columns,
) -> Result<(HashMap<i32, Page<L::Model>>, Vec<(i32, servicio::Model)>), LoadError> {
    debug_assert!(L::OF_FICHA, "only rows of a ficha have its servicio");
    let query = top_level_query::<L>(db.get_database_backend(), rel, filter, orden, window, true);
    let mut element = Vec::from(page_element::<L>(columns));
    element.push(Group::One("x.ficha_key".to_owned()));
    element.push(Group::Many(
        <servicio::Entity as EntityTrait>::Column::iter()
            .map(|column| format!("x.s_{}", sea_orm::IdenStatic::as_str(&column)))
            .collect(),
    ));
    let rows: Vec<(i32, i64, i64, L::Model, i32, servicio::Model)> =
        fetch(db, &element, query).await?;
    let mut servicios = Vec::with_capacity(rows.len());
    let rows = rows
        .into_iter()
        .map(|(parent, position, total, model, ficha, servicio)| {
            servicios.push((ficha, servicio));
            (parent, position, total, model)
        })
        .collect();
    Ok((paged(rows, window), servicios))
}

/// How a top-level page's rows are read: `[parent, rn, cnt, [columns…]]`,
/// the long columns not in `columns` blank.
fn page_element<L: Listed>(columns: Columns) -> [Group; 4] {
    [
        Group::One("x.parent_key".to_owned()),
        Group::One("x.rn".to_owned()),
        Group::One("x.cnt".to_owned()),
        Group::Many(model_columns::<L>("x.", columns)),
    ]
}

/// A top-level list's rows (`parent`, position, total, row) as pages.
fn paged<M>(rows: Vec<(i32, i64, i64, M)>, window: &Window) -> HashMap<i32, Page<M>> {
    let mut pages: HashMap<i32, Page<M>> = HashMap::new();
    for (parent, position, total, model) in rows {
        let page = pages.entry(parent).or_insert_with(|| Page {
            rows: Vec::new(),
            total: Some(total),
            has_previous: false,
            has_next: false,
        });
        page.rows.push((position, model));
    }
    for page in pages.values_mut() {
        // An aggregate keeps no order of its own.
        page.rows.sort_unstable_by_key(|(position, _)| *position);
        trim(page, window);
    }
    pages
}
