//! Lists, paged: each parent's page of a list, for every parent of a level
//! in one statement over the entity's source ([`Listed::source`]), its rows
//! handed over as one JSON value on SQLite and as plain rows on PostgreSQL,
//! read by position with serde ([`fetch`]). A nested level's lists are read whole and
//! numbered and paged per parent here; a top-level list is numbered by the
//! database (`ORDER BY … LIMIT` read forwards, a window function from the
//! end; [`top_level`]). Cursors are those numbers: a row's position in its
//! list.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::sea_query::{Expr, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DatabaseBackend, EntityTrait, Iterable, QueryResult};
use serde::de::DeserializeOwned;

use super::filter::{Filtro, Ids, Window};
use super::order::{Campo, FICHA_PLACE, Orden, descending, sort_key, varying};
use super::{Db, LoadError};

mod fetch;
mod top_level;

use fetch::{Group, fetch, json_rows};
use top_level::top_level;
pub use top_level::top_level_with_servicios;

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
    /// The row type, read from the JSON array of its columns (see
    /// [`pages`]).
    type Model: DeserializeOwned + Clone + Send + Sync + 'static;
    /// The parents a list of this entity hangs from.
    type Rel: Copy + Hash + Eq + std::fmt::Debug + Send + Sync + 'static;
    /// The columns its lists usually sort by, in order (`table alias`,
    /// column); the row id breaks ties.
    const SORT: &'static [(&'static str, &'static str)];
    /// Its rows belong to a ficha (a `ficha_id` column), so a top-level
    /// page can bring each row's servicio ([`top_level_with_servicios`]).
    const OF_FICHA: bool = false;
    /// Its long text columns, each shown by the row's GraphQL field of the
    /// same name (`descripcion`, `nombre`) and read by nothing else of a
    /// page: a list reads one only when the field is asked for
    /// ([`Columns`]). At most eight.
    const LONG: &'static [&'static str] = &[];
    /// Whether a list under `rel` spans fichas (or, for ministry
    /// objectives, partidas), so that the keys of its usual order that
    /// place a row's ficha differ between its rows (`super::order::keys`);
    /// a list that hangs from one ficha sorts them as 0.
    fn spans(_rel: Self::Rel, _filter: &Filtro, _order: Option<&[(Campo, bool)]>) -> bool {
        true
    }
    /// The total of a top-level list under `rel` when an index of
    /// `backend` answers it without reading the rows (SQLite's trigram
    /// index, for a search and nothing else: `condition::search_count`);
    /// `None` to count the rows of [`Listed::source`].
    fn indexed_count(
        _backend: DatabaseBackend,
        _rel: Self::Rel,
        _filter: &Filtro,
    ) -> Option<SelectStatement> {
        None
    }
    /// The keys of an `orderBy` field, each with whether it is text (see
    /// `super::order`); none for a field the list does not offer.
    fn order_keys(campo: Campo) -> Vec<(Expr, bool)>;
    /// Rows of the list under `rel`, filtered, with `parent_key` (the
    /// parent's id, or 0 for a top-level list) and the sort keys of
    /// `order` (`super::order::select_keys`); only for `parents` when given.
    /// Without an order the rows are only counted: no sort keys, and the
    /// ficha, servicio and partida of a row are joined only when the filter
    /// reads them (a search counted over the objectives alone, not over
    /// four tables).
    fn source(
        rel: Self::Rel,
        filter: &Filtro,
        order: Option<&[(Campo, bool)]>,
        parents: Option<Ids<'_>>,
    ) -> SelectStatement;
}

/// The filter, order and window shared by the keys of one list field.
pub type ListArgs = Arc<(Filtro, Orden, Window)>;

/// Which of a list's long text columns ([`Listed::LONG`]) a statement
/// reads, a bit each: those the rows' fields ask for. The others come back
/// blank, the way `search_text` always does ([`unshown`]). A deep walk
/// that shows only numbers no longer carries every objective's text from
/// the database and through serde (on SQLite, 8 % of the deep query's
/// instructions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Columns(u8);

impl Columns {
    /// Every column: for pages read for more than one field's rows.
    pub const ALL: Columns = Columns(u8::MAX);

    /// The long columns of `L` that `asked` says a field shows.
    pub fn asked<L: Listed>(asked: impl Fn(&str) -> bool) -> Self {
        Columns(
            L::LONG
                .iter()
                .enumerate()
                .filter(|(_, column)| asked(column))
                .fold(0, |bits, (i, _)| bits | 1 << i),
        )
    }

    /// Whether `column` of `L` is read: a column that is not long always is.
    fn reads<L: Listed>(self, column: &str) -> bool {
        L::LONG
            .iter()
            .position(|long| *long == column)
            .is_none_or(|i| self.0 & 1 << i != 0)
    }
}

/// The page of one parent's list the API asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageKey<L: Listed> {
    /// Which relation.
    pub rel: L::Rel,
    /// The parent's id (0 for a top-level list).
    pub parent: i32,
    /// Filter and window, shared by the keys of one field.
    pub args: ListArgs,
    /// The long columns the field's rows show.
    pub columns: Columns,
}

/// The size of one parent's list, when its page did not tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountKey<L: Listed> {
    /// Which relation.
    pub rel: L::Rel,
    /// The parent's id.
    pub parent: i32,
    /// The filter.
    pub filter: Arc<Filtro>,
}

// A key hashes by its relation and parent only: the data loader hashes
// every key of a level several times, and keys that differ only in their
// filter (two fields under one parent) are rare and told apart by `Eq`.
impl<L: Listed> Hash for PageKey<L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.rel, self.parent).hash(state);
    }
}

impl<L: Listed> Hash for CountKey<L> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (self.rel, self.parent).hash(state);
    }
}

impl<L: Listed> Loader<PageKey<L>> for Db {
    type Value = Arc<Page<L::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PageKey<L>],
    ) -> Result<HashMap<PageKey<L>, Self::Value>, LoadError> {
        let mut out = HashMap::with_capacity(keys.len());
        for ((rel, args), members) in grouped(keys, |key| (key.rel, &key.args)) {
            let (filter, order, window) = &**args;
            // Fields that differ only in the columns they show share the
            // statement, which reads what any of them shows.
            let columns = Columns(members.iter().fold(0, |bits, key| bits | key.columns.0));
            let parents: Vec<i32> = members.iter().map(|key| key.parent).collect();
            let pages = pages::<L>(
                &self.db,
                rel,
                filter,
                order,
                window,
                Some(&parents),
                columns,
            )
            .await?;
            let mut pages: HashMap<i32, Arc<Page<L::Model>>> = pages
                .into_iter()
                .map(|(parent, page)| (parent, Arc::new(page)))
                .collect();
            for key in members {
                let page = pages
                    .entry(key.parent)
                    .or_insert_with(|| Arc::new(Page::empty(window)))
                    .clone();
                out.insert(key.clone(), page);
            }
        }
        Ok(out)
    }
}

impl<L: Listed> Loader<CountKey<L>> for Db {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[CountKey<L>]) -> Result<HashMap<CountKey<L>, i64>, LoadError> {
        let mut out = HashMap::with_capacity(keys.len());
        for ((rel, filter), members) in grouped(keys, |key| (key.rel, &key.filter)) {
            let parents: Vec<i32> = members.iter().map(|key| key.parent).collect();
            let counts = counts::<L>(&self.db, rel, filter, Some(&parents)).await?;
            for key in members {
                out.insert(key.clone(), counts.get(&key.parent).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// The keys of a batch in groups that share `by`, each group one statement.
///
/// Compared with `==`, not hashed: a batch holds one group or a few, and
/// hashing the whole filter, order and window of each of a level's keys
/// (SipHash, `HashMap`) cost the deep query more instructions than the
/// rest of the batch's bookkeeping.
fn grouped<'k, K, G: PartialEq>(keys: &'k [K], by: impl Fn(&'k K) -> G) -> Vec<(G, Vec<&'k K>)> {
    let mut groups: Vec<(G, Vec<&'k K>)> = Vec::new();
    for key in keys {
        let group = by(key);
        match groups.iter_mut().find(|(shared, _)| *shared == group) {
            Some((_, members)) => members.push(key),
            None => groups.push((group, vec![key])),
        }
    }
    groups
}

/// The requested page of every parent's list, in one statement.
///
/// The rows are read by position with serde, never by column name
/// ([`fetch`]). Columns the API never shows are left out ([`unshown`]), and
/// long ones the fields do not show (`columns`).
///
/// A nested level (`parents` given) reads every row of its parents' lists
/// and pages them here ([`nested`]); a top-level list is numbered and
/// paged by the database ([`top_level`]).
pub async fn pages<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    order: &[(Campo, bool)],
    window: &Window,
    parents: Option<&[i32]>,
    columns: Columns,
) -> Result<HashMap<i32, Page<L::Model>>, LoadError> {
    match parents {
        Some(parents) => nested::<L>(db, rel, filter, order, window, parents, columns).await,
        None => top_level::<L>(db, rel, filter, order, window, columns).await,
    }
}

/// A sort key's value: the sort keys are codes, years and numbers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(untagged)]
enum Key {
    Number(i64),
    Text(String),
}

/// A row with its sort keys.
type Keyed<M> = (Vec<Key>, M);

/// The pages of a nested level: every row of the parents' lists, as
/// `[parent_key, [sort keys…, id], [columns…]]`, sorted and paged per
/// parent here. The lists under one parent are short (a ficha's
/// objectives, an objective's productos), and numbering them in the
/// database — a window over every row, then a join back for the columns —
/// cost more than reading the rows past a page: on SQLite the window
/// alone was most of the statement.
async fn nested<L: Listed>(
    db: &impl ConnectionTrait,
    rel: L::Rel,
    filter: &Filtro,
    order: &[(Campo, bool)],
    window: &Window,
    parents: &[i32],
    columns: Columns,
) -> Result<HashMap<i32, Page<L::Model>>, LoadError> {
    // Keys the same on every row of a parent's list are not read.
    let keys = varying::<L>(order, L::spans(rel, filter, Some(order)));
    let desc: Vec<bool> = keys.iter().map(|&(_, desc)| desc).collect();
    let rows = fetch(
        db,
        &nested_element::<L>(&keys, columns),
        L::source(
            rel,
            filter,
            Some(order),
            Some(Ids::new(parents, db.get_database_backend())),
        ),
    )
    .await?;
    Ok(paged(rows, &desc, window, parents.len()))
}

/// One parent's whole list as a column of another statement, whose row
/// holds the parent's id in `outer` (`table`, `column`; an alias no
/// list's own statement uses): a JSON text of the rows [`nested`] reads,
/// which [`page_within`] pages. A list read this way costs its parent's
/// statement a subquery instead of a statement of its own.
pub fn within<L: Listed>(
    backend: DatabaseBackend,
    rel: L::Rel,
    filter: &Filtro,
    order: &[(Campo, bool)],
    outer: (&'static str, &'static str),
) -> Expr {
    // Every key, as `page_within` sorts by them.
    let keys: Vec<(usize, bool)> = descending::<L>(order).into_iter().enumerate().collect();
    let rows = L::source(
        rel,
        filter,
        Some(order),
        Some(Ids::outer(outer.0, outer.1, backend)),
    );
    let query = json_rows(backend, &nested_element::<L>(&keys, Columns::ALL), rows);
    Expr::SubQuery(None, Box::new(query.into()))
}

/// The page `window` keeps of a list read by [`within`], from its JSON
/// text.
pub fn page_within<L: Listed>(
    text: &str,
    order: &[(Campo, bool)],
    window: &Window,
) -> Result<Page<L::Model>, LoadError> {
    let desc = descending::<L>(order);
    let rows: Vec<(i32, Vec<Key>, L::Model)> =
        serde_json::from_str(text).map_err(LoadError::json)?;
    Ok(paged(rows, &desc, window, 1)
        .into_values()
        .next()
        .unwrap_or_else(|| Page::empty(window)))
}

/// The element a nested level's row is read as: `[parent_key, [sort keys…,
/// id], [columns…]]`, with the sort keys at the places `keys` gives, the
/// long columns not in `columns` blank.
fn nested_element<L: Listed>(keys: &[(usize, bool)], columns: Columns) -> [Group; 3] {
    let keys = keys
        .iter()
        .map(|&(i, _)| format!("x.{}", sort_key(i)))
        .chain(["x.id".to_owned()])
        .collect();
    [
        Group::One("x.parent_key".to_owned()),
        Group::Many(keys),
        Group::Many(model_columns::<L>("x.", columns)),
    ]
}

/// Each parent's rows sorted by their keys (`desc` says which keys sort
/// largest first), numbered, and paged by `window`.
fn paged<M>(
    rows: Vec<(i32, Vec<Key>, M)>,
    desc: &[bool],
    window: &Window,
    parents: usize,
) -> HashMap<i32, Page<M>> {
    let mut lists: HashMap<i32, Vec<Keyed<M>>> = HashMap::with_capacity(parents);
    for (parent, keys, model) in rows {
        lists.entry(parent).or_default().push((keys, model));
    }
    let mut pages = HashMap::with_capacity(lists.len());
    for (parent, mut list) in lists {
        list.sort_unstable_by(|a, b| compare(&a.0, &b.0, desc));
        let total = list.len() as i64;
        // The rows the window keeps, with one more on its open side, as
        // the database's numbering would hand them to `trim`.
        let rows = list
            .into_iter()
            .zip(1i64..)
            .filter(|(_, position)| window.holds(*position, total))
            .map(|((_, model), position)| (position, model))
            .collect();
        let mut page = Page {
            rows,
            total: Some(total),
            has_previous: false,
            has_next: false,
        };
        trim(&mut page, window);
        pages.insert(parent, page);
    }
    pages
}

/// Two rows' sort keys compared, each key largest first where `desc` says
/// so (the id, last, always ascending).
fn compare(a: &[Key], b: &[Key], desc: &[bool]) -> std::cmp::Ordering {
    for (i, (a, b)) in a.iter().zip(b).enumerate() {
        let ordering = match desc.get(i) {
            Some(true) => b.cmp(a),
            _ => a.cmp(b),
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    std::cmp::Ordering::Equal
}

/// The model's columns in the order it reads them; those the API never
/// shows are not read ([`unshown`]), nor long ones not in `columns`
/// (blank in their place).
fn model_columns<L: Listed>(prefix: &str, columns: Columns) -> Vec<String> {
    <L::Entity as EntityTrait>::Column::iter()
        .filter_map(|column| {
            let name = sea_orm::IdenStatic::as_str(&column);
            match unshown(name) {
                Some(Unshown::Blank(blank)) => Some(blank.to_owned()),
                Some(Unshown::Left) => None,
                None if !columns.reads::<L>(name) => Some("''".to_owned()),
                None => Some(format!("{prefix}{name}")),
            }
        })
        .collect()
}

/// How a list reads a column the API never shows.
enum Unshown {
    /// A blank in its place: the folded text searches and orders read
    /// (`search_text`), amid the model's fields.
    Blank(&'static str),
    /// Nothing: the ficha's place kept on the row for ordering
    /// ([`FICHA_PLACE`]), the model's last fields, which default.
    Left,
}

/// How a list reads `column`, when the API never shows it.
fn unshown(column: &str) -> Option<Unshown> {
    match column {
        "search_text" => Some(Unshown::Blank("''")),
        name if FICHA_PLACE.contains(&name) => Some(Unshown::Left),
        _ => None,
    }
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
    let indexed = parents
        .is_none()
        .then(|| L::indexed_count(db.get_database_backend(), rel, filter))
        .flatten();
    let query = match indexed {
        // A top-level list: one parent, 0.
        Some(count) => Query::select()
            .expr_as(Expr::val(0), "parent_key")
            .expr_as(Expr::SubQuery(None, Box::new(count.into())), "cnt")
            .to_owned(),
        None => Query::select()
            .column(("src", "parent_key"))
            .expr_as(Expr::cust("COUNT(*)"), "cnt")
            .from_subquery(
                L::source(
                    rel,
                    filter,
                    None,
                    parents.map(|ids| Ids::new(ids, db.get_database_backend())),
                ),
                "src",
            )
            .group_by_col(("src", "parent_key"))
            .to_owned(),
    };
    let rows = db.query_all(&query).await?;
    rows.iter()
        .map(|row| Ok((get(row, "parent_key")?, get(row, "cnt")?)))
        .collect()
}

/// A column of a row.
pub(super) fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, LoadError> {
    Ok(row.try_get("", column)?)
}
