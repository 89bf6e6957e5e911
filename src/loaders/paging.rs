//! Lists, paged: each parent's page of a list, for every parent of a level
//! in one statement — a window query that numbers each parent's rows
//! (`ROW_NUMBER() OVER (PARTITION BY parent_key …)`) over the entity's
//! source ([`Listed::source`]) and keeps the requested rows. Cursors are
//! those row numbers.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::sea_query::{Asterisk, Expr, ExprTrait, Order, Query, SelectStatement};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, QueryResult};

use super::filter::{AsAlias, Filtro, Window, col, sort_key};
use super::{Db, LoadError};

/// One parent's page of a list.
#[derive(Debug, Clone)]
pub struct Page<M> {
    /// The rows with their positions.
    pub rows: Vec<(i64, M)>,
    /// How many rows the parent's whole list has, when this query told.
    pub total: Option<i64>,
    /// Rows exist before the page.
    pub has_previous: bool,
    /// Rows exist after the page.
    pub has_next: bool,
}

impl<M> Page<M> {
    /// The page of a parent with no rows in the window.
    pub fn empty(window: &Window) -> Self {
        Page {
            rows: Vec::new(),
            // Without cursors, no row at all means an empty list.
            total: (window.after.is_none() && window.before.is_none()).then_some(0),
            has_previous: window.after.is_some_and(|a| a > 0) && window.last.is_none(),
            has_next: false,
        }
    }
}

/// An entity the API lists, and the relations it is listed under.
pub trait Listed: Clone + Copy + Hash + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// The table listed.
    type Entity: EntityTrait<Model = Self::Model>;
    /// The row type.
    type Model: FromQueryResult + Clone + Send + Sync + 'static;
    /// The parents a list of this entity hangs from.
    type Rel: Copy + Hash + Eq + std::fmt::Debug + Send + Sync + 'static;
    /// The columns its lists sort by, in order (`table alias`, column); the
    /// row id breaks ties. The source selects them (`filter::sort_keys`).
    const SORT: &'static [(&'static str, &'static str)];
    /// Rows of the list under `rel`, filtered, with `parent_key` (the
    /// parent's id, or 0 for a top-level list) and the sort keys; only for
    /// `parents` when given.
    fn source(rel: Self::Rel, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement;
}

/// The filter and window shared by the keys of one list field.
pub type ListArgs = Arc<(Filtro, Window)>;

/// The page of one parent's list the API asks for.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct PageKey<L: Listed> {
    /// Which relation.
    pub rel: L::Rel,
    /// The parent's id (0 for a top-level list).
    pub parent: i32,
    /// Filter and window, shared by the keys of one field.
    pub args: ListArgs,
}

/// The size of one parent's list, when its page did not tell.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct CountKey<L: Listed> {
    /// Which relation.
    pub rel: L::Rel,
    /// The parent's id.
    pub parent: i32,
    /// The filter.
    pub filter: Arc<Filtro>,
}

impl<L: Listed> Loader<PageKey<L>> for Db {
    type Value = Arc<Page<L::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PageKey<L>],
    ) -> Result<HashMap<PageKey<L>, Self::Value>, LoadError> {
        let mut groups: HashMap<(L::Rel, ListArgs), Vec<i32>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.rel, key.args.clone()))
                .or_default()
                .push(key.parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((rel, args), parents) in groups {
            let (filter, window) = &*args;
            let mut pages = pages::<L>(&self.db, rel, filter, window, Some(&parents)).await?;
            for parent in parents {
                let page = pages.remove(&parent).unwrap_or_else(|| Page::empty(window));
                let key = PageKey {
                    rel,
                    parent,
                    args: args.clone(),
                };
                out.insert(key, Arc::new(page));
            }
        }
        Ok(out)
    }
}

impl<L: Listed> Loader<CountKey<L>> for Db {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[CountKey<L>]) -> Result<HashMap<CountKey<L>, i64>, LoadError> {
        let mut groups: HashMap<(L::Rel, Arc<Filtro>), Vec<i32>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.rel, key.filter.clone()))
                .or_default()
                .push(key.parent);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((rel, filter), parents) in groups {
            let counts = counts::<L>(&self.db, rel, &filter, Some(&parents)).await?;
            for parent in parents {
                let key = CountKey {
                    rel,
                    parent,
                    filter: filter.clone(),
                };
                out.insert(key, counts.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// The requested page of every parent's list, in one statement.
pub async fn pages<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    window: &Window,
    parents: Option<&[i32]>,
) -> Result<HashMap<i32, Page<L::Model>>, LoadError> {
    let order: Vec<String> = (0..L::SORT.len())
        .map(|i| format!("src.{}", sort_key(i)))
        .chain(["src.id".to_owned()])
        .collect();
    // Rank narrow rows (id, parent, sort keys), then fetch the whole rows
    // of the page only: sorting every match's text is what a search over
    // thousands of rows would spend its time on.
    let ranked = Query::select()
        .column(("src", "id"))
        .column(("src", "parent_key"))
        .expr_as(
            Expr::cust(format!(
                "ROW_NUMBER() OVER (PARTITION BY src.parent_key ORDER BY {})",
                order.join(", ")
            )),
            "rn",
        )
        .expr_as(
            Expr::cust("COUNT(*) OVER (PARTITION BY src.parent_key)"),
            "cnt",
        )
        .from_subquery(L::source(rel, filter, parents), "src")
        .to_owned();
    let rn = || Expr::col(("w", "rn"));
    let mut query = Query::select();
    query
        .column(("t", Asterisk))
        .column(("w", "parent_key"))
        .column(("w", "rn"))
        .column(("w", "cnt"))
        .from_subquery(ranked, "w")
        .inner_join(
            L::Entity::default().aliased("t"),
            col("t", "id").equals(("w", "id")),
        );
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
        .order_by(("w", "parent_key"), Order::Asc)
        .order_by(("w", "rn"), Order::Asc);

    let rows = db.query_all(&query).await?;
    let mut pages: HashMap<i32, Page<L::Model>> = HashMap::new();
    for row in rows {
        let parent: i32 = get(&row, "parent_key")?;
        let position: i64 = get(&row, "rn")?;
        let total: i64 = get(&row, "cnt")?;
        let model = L::Model::from_query_result(&row, "")?;
        let page = pages.entry(parent).or_insert_with(|| Page {
            rows: Vec::new(),
            total: Some(total),
            has_previous: false,
            has_next: false,
        });
        page.rows.push((position, model));
    }
    for page in pages.values_mut() {
        trim(page, window);
    }
    Ok(pages)
}

/// Drop the extra row fetched on the open side, noting that it exists.
fn trim<M>(page: &mut Page<M>, window: &Window) {
    let total = page.total.unwrap_or(0);
    match (window.first, window.last) {
        (Some(first), _) => {
            let limit = window.after.unwrap_or(0) + first;
            page.has_next = page.rows.last().is_some_and(|(rn, _)| *rn > limit);
            page.rows.retain(|(rn, _)| *rn <= limit);
            page.has_previous = window.after.is_some_and(|a| a > 0);
        }
        (None, Some(last)) => {
            let end = window.before.unwrap_or(total + 1);
            let start = end - last;
            page.has_previous = page.rows.first().is_some_and(|(rn, _)| *rn < start);
            page.rows.retain(|(rn, _)| *rn >= start);
            page.has_next = window.before.is_some_and(|b| b <= total);
        }
        (None, None) => {}
    }
}

/// How many rows each parent's list has, in one statement.
pub async fn counts<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    parents: Option<&[i32]>,
) -> Result<HashMap<i32, i64>, LoadError> {
    let query = Query::select()
        .column(("src", "parent_key"))
        .expr_as(Expr::cust("COUNT(*)"), "cnt")
        .from_subquery(L::source(rel, filter, parents), "src")
        .group_by_col(("src", "parent_key"))
        .to_owned();
    let rows = db.query_all(&query).await?;
    rows.iter()
        .map(|row| Ok((get(row, "parent_key")?, get(row, "cnt")?)))
        .collect()
}

/// A column of a row.
pub(super) fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, LoadError> {
    Ok(row.try_get("", column)?)
}
