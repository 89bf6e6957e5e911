//! Batched reads: every list and every link the API follows is fetched for
//! a whole level of a response in one SQL statement.
//!
//! A list (top-level or nested) is a *source* query per entity — the rows,
//! filtered, each tagged with the parent it hangs from (`parent_key`) and
//! its sort keys — wrapped in a window query that numbers each parent's rows
//! (`ROW_NUMBER() OVER (PARTITION BY parent_key …)`) and keeps the requested
//! page of every parent at once. Cursors are those row numbers. The
//! async-graphql [`DataLoader`] collects the keys one level of a response
//! asks for and hands them here together, so the statements a request runs
//! depend on its depth, never on how many rows it returns.
//!
//! The GraphQL types (`crate::graphql`) decide what to ask; this module only
//! knows tables.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use entity::tipo_objetivo::TipoObjetivo;
use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, LikeExpr, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, FromQueryResult, Iterable, QueryResult,
};

use async_graphql::Error;

use crate::graphql::error::database;

/// The most keys one statement serves. Far above any page a request may
/// ask for, and under the bind-parameter limits of SQLite and PostgreSQL.
const MAX_BATCH: usize = 20_000;

/// A request's data loader, and the batches it starts.
///
/// The batches do not run as tasks of their own: they are handed to
/// [`Batches`], which the request drives on its own task, beside the
/// execution. So a batch can only start once the execution has yielded —
/// after every sibling field of a level has asked for its key — however
/// long that level takes to resolve and whatever the runtime's threads do.
/// One level is one batch, deterministically, without waiting on a timer.
pub fn data_loader(db: DatabaseConnection) -> (DataLoader<Db>, Batches) {
    let (sender, receiver) = tokio::sync::mpsc::unbounded_channel();
    let loader = DataLoader::new(Db { db }, move |batch| {
        // The receiver lives as long as the request; a send can only fail
        // once the request is over, when nobody waits for the batch.
        let _ = sender.send(batch);
    })
    .max_batch_size(MAX_BATCH)
    .delay(std::time::Duration::ZERO);
    (loader, Batches { receiver })
}

/// The batches of a request's data loader, run by [`Batches::drive`].
pub struct Batches {
    receiver: tokio::sync::mpsc::UnboundedReceiver<futures_util::future::BoxFuture<'static, ()>>,
}

impl Batches {
    /// Run `work` (the request's execution), running the batches it starts
    /// on the same task — each only once `work` is waiting on loads, not
    /// while it is still walking a level (a long list yields to the
    /// executor midway, and a batch started then would miss the rest).
    pub async fn drive<T>(mut self, work: impl std::future::Future<Output = T>) -> T {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::task::{Context, Poll};

        use futures_util::StreamExt;
        use futures_util::task::{ArcWake, AtomicWaker};

        /// Wakes the request's task, noting that `work` asked to be polled.
        #[derive(Default)]
        struct Flag {
            woken: AtomicBool,
            task: AtomicWaker,
        }
        impl ArcWake for Flag {
            fn wake_by_ref(flag: &Arc<Self>) {
                flag.woken.store(true, Ordering::SeqCst);
                flag.task.wake();
            }
        }

        let mut work = std::pin::pin!(work);
        let mut running = futures_util::stream::FuturesUnordered::new();
        let flag = Arc::new(Flag::default());
        let waker = futures_util::task::waker(flag.clone());
        std::future::poll_fn(move |cx| {
            flag.task.register(cx.waker());
            loop {
                flag.woken.store(false, Ordering::SeqCst);
                if let Poll::Ready(output) = work.as_mut().poll(&mut Context::from_waker(&waker)) {
                    return Poll::Ready(output);
                }
                if flag.woken.load(Ordering::SeqCst) {
                    // `work` yielded with more to do: let it finish the level.
                    continue;
                }
                while let Ok(batch) = self.receiver.try_recv() {
                    running.push(batch);
                }
                match running.poll_next_unpin(cx) {
                    // A batch finished: the fields waiting on it go on.
                    Poll::Ready(Some(())) => continue,
                    _ if flag.woken.load(Ordering::SeqCst) => continue,
                    _ => return Poll::Pending,
                }
            }
        })
        .await
    }
}

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

// ---------------------------------------------------------------------------
// Filters and windows

/// A período condition: a year inside the período, or the exact período.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum PeriodoFiltro {
    /// Fichas whose período includes this year.
    Year(i32),
    /// Fichas of exactly this período.
    Exact(i32, i32),
}

/// Every condition a list can be filtered by. Each list reads the ones
/// that apply to it; the GraphQL inputs only offer those.
#[derive(Debug, Clone, Default, Hash, PartialEq, Eq)]
pub struct Filtro {
    /// Partida codes (any of).
    pub partidas: Option<Vec<String>>,
    /// Capítulo code.
    pub capitulo: Option<String>,
    /// Período.
    pub periodo: Option<PeriodoFiltro>,
    /// Tipo de objetivo.
    pub tipo: Option<TipoObjetivo>,
    /// Enfoque de género.
    pub enfoque_genero: Option<bool>,
    /// Cambio climático.
    pub cambio_climatico: Option<bool>,
    /// Institutional objectives that no producto serves (or, when false,
    /// that some producto serves).
    pub sin_productos: Option<bool>,
    /// Productos that serve no objective; ministry objectives that no
    /// institutional objective serves.
    pub sin_objetivos: Option<bool>,
    /// Folded search text (see `crate::ficha::text::fold`).
    pub search: Option<String>,
}

/// Which rows of each parent's list to return, in row numbers (1-based
/// positions in the parent's ordered, filtered list). Validated by the API.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Window {
    /// Only rows after this position.
    pub after: Option<i64>,
    /// Only rows before this position.
    pub before: Option<i64>,
    /// The first `n` rows of what remains (exclusive with `last`).
    pub first: Option<i64>,
    /// The last `n` rows of what remains (exclusive with `first`).
    pub last: Option<i64>,
}

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

// ---------------------------------------------------------------------------
// Lists

/// An entity the API lists, and the relations it is listed under.
pub trait Listed: Clone + Copy + Hash + Eq + std::fmt::Debug + Send + Sync + 'static {
    /// The table listed.
    type Entity: EntityTrait<Model = Self::Model>;
    /// The row type.
    type Model: FromQueryResult + Clone + Send + Sync + 'static;
    /// The parents a list of this entity hangs from.
    type Rel: Copy + Hash + Eq + std::fmt::Debug + Send + Sync + 'static;
    /// Sort key aliases of the source, in order (the row id breaks ties).
    const SORT: &'static [&'static str];
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
    type Error = Error;

    async fn load(&self, keys: &[PageKey<L>]) -> Result<HashMap<PageKey<L>, Self::Value>, Error> {
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
    type Error = Error;

    async fn load(&self, keys: &[CountKey<L>]) -> Result<HashMap<CountKey<L>, i64>, Error> {
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
) -> Result<HashMap<i32, Page<L::Model>>, Error> {
    let order: Vec<String> = L::SORT
        .iter()
        .map(|s| format!("src.{s}"))
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

    let rows = db.query_all(&query).await.map_err(database)?;
    let mut pages: HashMap<i32, Page<L::Model>> = HashMap::new();
    for row in rows {
        let parent: i32 = get(&row, "parent_key")?;
        let position: i64 = get(&row, "rn")?;
        let total: i64 = get(&row, "cnt")?;
        let model = L::Model::from_query_result(&row, "").map_err(database)?;
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
) -> Result<HashMap<i32, i64>, Error> {
    let query = Query::select()
        .column(("src", "parent_key"))
        .expr_as(Expr::cust("COUNT(*)"), "cnt")
        .from_subquery(L::source(rel, filter, parents), "src")
        .group_by_col(("src", "parent_key"))
        .to_owned();
    let rows = db.query_all(&query).await.map_err(database)?;
    rows.iter()
        .map(|row| Ok((get(row, "parent_key")?, get(row, "cnt")?)))
        .collect()
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> Result<T, Error> {
    row.try_get("", column).map_err(database)
}

// ---------------------------------------------------------------------------
// Sources

/// The start of a source: the entity's columns from `table AS alias`.
pub(crate) fn select_entity<E: EntityTrait>(alias: &'static str) -> SelectStatement {
    let mut query = Query::select();
    for column in E::Column::iter() {
        query.column((alias, column));
    }
    query.from_as(E::default(), alias);
    query
}

pub(crate) fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((table, column))
}

/// `parent_key`: the parent's id, or 0 for a top-level list.
fn parent_key(
    query: &mut SelectStatement,
    parent: Option<(&'static str, &'static str)>,
    parents: Option<&[i32]>,
) {
    match parent {
        Some((table, column)) => {
            query.expr_as(col(table, column), "parent_key");
            if let Some(parents) = parents {
                query.and_where(col(table, column).is_in(parents.iter().copied()));
            }
        }
        None => {
            query.expr_as(Expr::val(0i32), "parent_key");
        }
    }
}

/// The sort keys `sort_0`, `sort_1`, …. Keys from the partida, servicio
/// or ficha (`p`, `s`, `f`) are constant within a list that hangs from one
/// ficha; when those tables are not joined (`context` false) they sort as 0.
fn sort_keys(query: &mut SelectStatement, keys: &[(&'static str, &'static str)], context: bool) {
    for (i, (table, column)) in keys.iter().enumerate() {
        let key = if context || !matches!(*table, "p" | "s" | "f") {
            col(table, column)
        } else {
            Expr::val(0)
        };
        query.expr_as(key, Alias::new(format!("sort_{i}")));
    }
}

/// A substring match on a folded `search_text` column; `%` and `_` in the
/// term match themselves.
fn search(table: &'static str, term: &str) -> SimpleExpr {
    let escaped = term
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    col(table, "search_text").like(LikeExpr::new(format!("%{escaped}%")).escape('\\'))
}

pub(crate) fn periodo(
    query: &mut SelectStatement,
    table: &'static str,
    periodo: Option<PeriodoFiltro>,
) {
    match periodo {
        Some(PeriodoFiltro::Year(year)) => {
            query
                .and_where(col(table, "desde").lte(year))
                .and_where(col(table, "hasta").gte(year));
        }
        Some(PeriodoFiltro::Exact(desde, hasta)) => {
            query
                .and_where(col(table, "desde").eq(desde))
                .and_where(col(table, "hasta").eq(hasta));
        }
        None => {}
    }
}

impl Filtro {
    /// Whether a condition reads the partida, servicio or ficha of a row.
    fn needs_context(&self) -> bool {
        self.partidas.is_some() || self.capitulo.is_some() || self.periodo.is_some()
    }
}

/// Joins `fichas f`, `servicios s`, `partidas p` to a table with a
/// `ficha_id`, when the list spans fichas (`across`: its order reads them)
/// or the filter needs them, and applies the partida, capítulo and período
/// conditions. Returns whether it joined: a list under one ficha needs
/// none of it, and skipping the joins is most of its cost.
pub(crate) fn within_fichas(
    query: &mut SelectStatement,
    table: &'static str,
    filter: &Filtro,
    across: bool,
) -> bool {
    if !across && !filter.needs_context() {
        return false;
    }
    join_fichas(query, table, filter);
    true
}

/// Always join the ficha, servicio and partida of the rows (see [`within_fichas`]).
fn join_fichas(query: &mut SelectStatement, table: &'static str, filter: &Filtro) {
    query
        .inner_join(
            ficha::Entity.aliased("f"),
            col("f", "id").equals((table, "ficha_id")),
        )
        .inner_join(
            servicio::Entity.aliased("s"),
            col("s", "id").equals(("f", "servicio_id")),
        )
        .inner_join(
            partida::Entity.aliased("p"),
            col("p", "id").equals(("s", "partida_id")),
        );
    codes(query, filter);
    periodo(query, "f", filter.periodo);
}

pub(crate) fn codes(query: &mut SelectStatement, filter: &Filtro) {
    if let Some(partidas) = &filter.partidas {
        query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
    }
    if let Some(capitulo) = &filter.capitulo {
        query.and_where(col("s", "capitulo").eq(capitulo.clone()));
    }
}

/// Table alias helper: `FROM table AS alias` for sea-query joins.
pub(crate) trait AsAlias {
    fn aliased(self, alias: &'static str) -> sea_orm::sea_query::TableRef;
}

impl<T: sea_orm::sea_query::IntoTableRef> AsAlias for T {
    fn aliased(self, alias: &'static str) -> sea_orm::sea_query::TableRef {
        self.into_table_ref().alias(alias)
    }
}

fn flag(
    query: &mut SelectStatement,
    table: &'static str,
    column: &'static str,
    value: Option<bool>,
) {
    if let Some(value) = value {
        query.and_where(col(table, column).eq(value));
    }
}

/// `EXISTS` (or `NOT EXISTS` when `absent`) a link row in `link` whose
/// `column` is the row's id.
fn linked(
    query: &mut SelectStatement,
    link: &'static str,
    column: &'static str,
    row: (&'static str, &'static str),
    absent: Option<bool>,
) {
    let Some(absent) = absent else { return };
    let exists = Query::select()
        .expr(Expr::val(1))
        .from_as(Alias::new(link), "x")
        .and_where(col("x", column).equals(row))
        .to_owned();
    query.and_where(if absent {
        Expr::exists(exists).not()
    } else {
        Expr::exists(exists)
    });
}

/// Lists of partidas.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Partidas;

/// The parents a list of partidas hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum PartidasDe {
    /// `Query.partidas`.
    Todas,
}

impl Listed for Partidas {
    type Entity = partida::Entity;
    type Model = partida::Model;
    type Rel = PartidasDe;
    const SORT: &'static [&'static str] = &["sort_0"];

    fn source(_: PartidasDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<partida::Entity>("p");
        parent_key(&mut query, None, parents);
        sort_keys(&mut query, &[("p", "codigo")], true);
        if let Some(partidas) = &filter.partidas {
            query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
        }
        if let Some(term) = &filter.search {
            query.and_where(search("p", term));
        }
        if filter.periodo.is_some() {
            // Partidas with a ficha in the período.
            let mut fichas = Query::select();
            fichas
                .expr(Expr::val(1))
                .from_as(ficha::Entity, "f")
                .inner_join(
                    servicio::Entity.aliased("s"),
                    col("s", "id").equals(("f", "servicio_id")),
                )
                .and_where(col("s", "partida_id").equals(("p", "id")));
            periodo(&mut fichas, "f", filter.periodo);
            query.and_where(Expr::exists(fichas));
        }
        query
    }
}

/// Lists of servicios.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Servicios;

/// The parents a list of servicios hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ServiciosDe {
    /// `Query.servicios`.
    Todos,
    /// `Partida.servicios`.
    Partida,
}

impl Listed for Servicios {
    type Entity = servicio::Entity;
    type Model = servicio::Model;
    type Rel = ServiciosDe;
    const SORT: &'static [&'static str] = &["sort_0", "sort_1"];

    fn source(rel: ServiciosDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<servicio::Entity>("s");
        query.inner_join(
            partida::Entity.aliased("p"),
            col("p", "id").equals(("s", "partida_id")),
        );
        let parent = match rel {
            ServiciosDe::Todos => None,
            ServiciosDe::Partida => Some(("s", "partida_id")),
        };
        parent_key(&mut query, parent, parents);
        sort_keys(&mut query, &[("p", "codigo"), ("s", "capitulo")], true);
        codes(&mut query, filter);
        if let Some(term) = &filter.search {
            query.and_where(search("s", term));
        }
        if filter.periodo.is_some() {
            let mut fichas = Query::select();
            fichas
                .expr(Expr::val(1))
                .from_as(ficha::Entity, "f")
                .and_where(col("f", "servicio_id").equals(("s", "id")));
            periodo(&mut fichas, "f", filter.periodo);
            query.and_where(Expr::exists(fichas));
        }
        query
    }
}

/// Lists of fichas.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Fichas;

/// The parents a list of fichas hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum FichasDe {
    /// `Query.fichas`.
    Todas,
    /// `Servicio.fichas`.
    Servicio,
}

impl Listed for Fichas {
    type Entity = ficha::Entity;
    type Model = ficha::Model;
    type Rel = FichasDe;
    const SORT: &'static [&'static str] = &["sort_0", "sort_1", "sort_2"];

    fn source(rel: FichasDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<ficha::Entity>("f");
        query
            .inner_join(
                servicio::Entity.aliased("s"),
                col("s", "id").equals(("f", "servicio_id")),
            )
            .inner_join(
                partida::Entity.aliased("p"),
                col("p", "id").equals(("s", "partida_id")),
            );
        let parent = match rel {
            FichasDe::Todas => None,
            FichasDe::Servicio => Some(("f", "servicio_id")),
        };
        parent_key(&mut query, parent, parents);
        sort_keys(
            &mut query,
            &[("p", "codigo"), ("s", "capitulo"), ("f", "desde")],
            true,
        );
        codes(&mut query, filter);
        periodo(&mut query, "f", filter.periodo);
        if let Some(term) = &filter.search {
            query.and_where(search("f", term));
        }
        query
    }
}

/// Lists of ministry objectives.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct ObjetivosMinisteriales;

/// The parents a list of ministry objectives hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ObjetivosMinisterialesDe {
    /// `Query.objetivosMinisteriales`.
    Todos,
    /// `Partida.objetivosMinisteriales`.
    Partida,
    /// `ObjetivoInstitucional.objetivosMinisteriales`: those it serves.
    Institucional,
    /// `Producto.objetivosMinisteriales`: those it ultimately serves.
    Producto,
}

impl Listed for ObjetivosMinisteriales {
    type Entity = objetivo_ministerial::Entity;
    type Model = objetivo_ministerial::Model;
    type Rel = ObjetivosMinisterialesDe;
    const SORT: &'static [&'static str] = &["sort_0", "sort_1", "sort_2"];

    fn source(
        rel: ObjetivosMinisterialesDe,
        filter: &Filtro,
        parents: Option<&[i32]>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_ministerial::Entity>("om");
        // Only a top-level list spans partidas: the others sort by prioridad.
        let context = rel == ObjetivosMinisterialesDe::Todos || filter.partidas.is_some();
        if context {
            query.inner_join(
                partida::Entity.aliased("p"),
                col("p", "id").equals(("om", "partida_id")),
            );
        }
        let parent = match rel {
            ObjetivosMinisterialesDe::Todos => None,
            ObjetivosMinisterialesDe::Partida => Some(("om", "partida_id")),
            ObjetivosMinisterialesDe::Institucional => {
                query.inner_join(
                    Alias::new("objetivo_institucional_ministerial").aliased("l"),
                    col("l", "objetivo_ministerial_id").equals(("om", "id")),
                );
                Some(("l", "objetivo_institucional_id"))
            }
            ObjetivosMinisterialesDe::Producto => {
                // Through the institutional objectives the producto serves;
                // each ministry objective once per producto.
                let served = Query::select()
                    .distinct()
                    .expr_as(col("pl", "producto_id"), "producto_id")
                    .expr_as(
                        col("ml", "objetivo_ministerial_id"),
                        "objetivo_ministerial_id",
                    )
                    .from_as(Alias::new("producto_objetivo_institucional"), "pl")
                    .inner_join(
                        Alias::new("objetivo_institucional_ministerial").aliased("ml"),
                        col("ml", "objetivo_institucional_id")
                            .equals(("pl", "objetivo_institucional_id")),
                    )
                    .to_owned();
                query.join_subquery(
                    sea_orm::sea_query::JoinType::InnerJoin,
                    served,
                    "l",
                    col("l", "objetivo_ministerial_id").equals(("om", "id")),
                );
                Some(("l", "producto_id"))
            }
        };
        parent_key(&mut query, parent, parents);
        sort_keys(
            &mut query,
            &[("p", "codigo"), ("om", "desde"), ("om", "prioridad")],
            context,
        );
        if let Some(partidas) = &filter.partidas {
            query.and_where(col("p", "codigo").is_in(partidas.iter().cloned()));
        }
        periodo(&mut query, "om", filter.periodo);
        if let Some(tipo) = filter.tipo {
            query.and_where(col("om", "tipo").eq(tipo_value(tipo)));
        }
        if let Some(term) = &filter.search {
            query.and_where(search("om", term));
        }
        linked(
            &mut query,
            "objetivo_institucional_ministerial",
            "objetivo_ministerial_id",
            ("om", "id"),
            filter.sin_objetivos,
        );
        query
    }
}

/// Lists of institutional objectives.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct ObjetivosInstitucionales;

/// The parents a list of institutional objectives hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ObjetivosInstitucionalesDe {
    /// `Query.objetivosInstitucionales`.
    Todos,
    /// `Ficha.objetivosInstitucionales`.
    Ficha,
    /// `ObjetivoMinisterial.objetivosInstitucionales`: those serving it.
    Ministerial,
    /// `Producto.objetivosInstitucionales`: those it serves.
    Producto,
}

impl Listed for ObjetivosInstitucionales {
    type Entity = objetivo_institucional::Entity;
    type Model = objetivo_institucional::Model;
    type Rel = ObjetivosInstitucionalesDe;
    const SORT: &'static [&'static str] = &["sort_0", "sort_1", "sort_2", "sort_3"];

    fn source(
        rel: ObjetivosInstitucionalesDe,
        filter: &Filtro,
        parents: Option<&[i32]>,
    ) -> SelectStatement {
        let mut query = select_entity::<objetivo_institucional::Entity>("oi");
        let across = matches!(
            rel,
            ObjetivosInstitucionalesDe::Todos | ObjetivosInstitucionalesDe::Ministerial
        );
        let context = within_fichas(&mut query, "oi", filter, across);
        let parent = match rel {
            ObjetivosInstitucionalesDe::Todos => None,
            ObjetivosInstitucionalesDe::Ficha => Some(("oi", "ficha_id")),
            ObjetivosInstitucionalesDe::Ministerial => {
                query.inner_join(
                    Alias::new("objetivo_institucional_ministerial").aliased("l"),
                    col("l", "objetivo_institucional_id").equals(("oi", "id")),
                );
                Some(("l", "objetivo_ministerial_id"))
            }
            ObjetivosInstitucionalesDe::Producto => {
                query.inner_join(
                    Alias::new("producto_objetivo_institucional").aliased("l"),
                    col("l", "objetivo_institucional_id").equals(("oi", "id")),
                );
                Some(("l", "producto_id"))
            }
        };
        parent_key(&mut query, parent, parents);
        sort_keys(
            &mut query,
            &[
                ("p", "codigo"),
                ("s", "capitulo"),
                ("f", "desde"),
                ("oi", "prioridad"),
            ],
            context,
        );
        if let Some(tipo) = filter.tipo {
            query.and_where(col("oi", "tipo").eq(tipo_value(tipo)));
        }
        flag(&mut query, "oi", "enfoque_genero", filter.enfoque_genero);
        flag(
            &mut query,
            "oi",
            "cambio_climatico",
            filter.cambio_climatico,
        );
        if let Some(term) = &filter.search {
            query.and_where(search("oi", term));
        }
        linked(
            &mut query,
            "producto_objetivo_institucional",
            "objetivo_institucional_id",
            ("oi", "id"),
            filter.sin_productos,
        );
        query
    }
}

/// Lists of productos.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct Productos;

/// The parents a list of productos hangs from.
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub enum ProductosDe {
    /// `Query.productos`.
    Todos,
    /// `Ficha.productos`.
    Ficha,
    /// `ObjetivoInstitucional.productos`: those serving it.
    Institucional,
}

impl Listed for Productos {
    type Entity = producto::Entity;
    type Model = producto::Model;
    type Rel = ProductosDe;
    const SORT: &'static [&'static str] = &["sort_0", "sort_1", "sort_2", "sort_3"];

    fn source(rel: ProductosDe, filter: &Filtro, parents: Option<&[i32]>) -> SelectStatement {
        let mut query = select_entity::<producto::Entity>("pr");
        let context = within_fichas(&mut query, "pr", filter, rel == ProductosDe::Todos);
        let parent = match rel {
            ProductosDe::Todos => None,
            ProductosDe::Ficha => Some(("pr", "ficha_id")),
            ProductosDe::Institucional => {
                query.inner_join(
                    Alias::new("producto_objetivo_institucional").aliased("l"),
                    col("l", "producto_id").equals(("pr", "id")),
                );
                Some(("l", "objetivo_institucional_id"))
            }
        };
        parent_key(&mut query, parent, parents);
        sort_keys(
            &mut query,
            &[
                ("p", "codigo"),
                ("s", "capitulo"),
                ("f", "desde"),
                ("pr", "numero"),
            ],
            context,
        );
        if let Some(term) = &filter.search {
            query.and_where(search("pr", term));
        }
        linked(
            &mut query,
            "producto_objetivo_institucional",
            "producto_id",
            ("pr", "id"),
            filter.sin_objetivos,
        );
        query
    }
}

fn tipo_value(tipo: TipoObjetivo) -> String {
    use sea_orm::ActiveEnum;
    tipo.to_value()
}

// ---------------------------------------------------------------------------
// Rows by id

/// A row by its id, for the links that point to one row (a ficha's
/// servicio, an objective's ficha, `node(id)`).
#[derive(Debug)]
pub struct ById<E>(pub i32, PhantomData<E>);

impl<E> ById<E> {
    /// The key for row `id`.
    pub fn new(id: i32) -> Self {
        ById(id, PhantomData)
    }
}

impl<E> Clone for ById<E> {
    fn clone(&self) -> Self {
        ById(self.0, PhantomData)
    }
}

impl<E> PartialEq for ById<E> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<E> Eq for ById<E> {}

impl<E> Hash for ById<E> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// Entities whose rows load by an `i32` primary key `id`.
pub trait HasId: EntityTrait {
    /// The `id` column.
    fn id_column() -> Self::Column;
}

macro_rules! has_id {
    ($($module:ident),*) => {$(
        impl HasId for $module::Entity {
            fn id_column() -> Self::Column {
                $module::Column::Id
            }
        }
    )*};
}

has_id!(
    partida,
    servicio,
    ficha,
    objetivo_ministerial,
    objetivo_institucional,
    producto
);

impl<E> Loader<ById<E>> for Db
where
    E: HasId + Send + Sync + 'static,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = Error;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, E::Model>, Error> {
        use sea_orm::{ColumnTrait, QueryFilter};
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let rows = E::find()
            .filter(E::id_column().is_in(ids))
            .all(&self.db)
            .await
            .map_err(database)?;
        let id_of = |model: &E::Model| -> Result<i32, Error> {
            use sea_orm::ModelTrait;
            match model.get(E::id_column()) {
                sea_orm::Value::Int(Some(id)) => Ok(id),
                other => Err(database(DbErr::Type(format!("id {other:?}")))),
            }
        };
        rows.into_iter()
            .map(|model| Ok((ById::new(id_of(&model)?), model)))
            .collect()
    }
}

// ---------------------------------------------------------------------------
// A servicio's ficha for a período

/// `Servicio.ficha(periodo)`: the servicio's ficha for the período, or its
/// latest when no período is given.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
pub struct FichaDeServicio {
    /// The servicio.
    pub servicio: i32,
    /// The período, or `None` for the latest.
    pub periodo: Option<PeriodoFiltro>,
}

impl Loader<FichaDeServicio> for Db {
    type Value = ficha::Model;
    type Error = Error;

    async fn load(
        &self,
        keys: &[FichaDeServicio],
    ) -> Result<HashMap<FichaDeServicio, ficha::Model>, Error> {
        let mut groups: HashMap<Option<PeriodoFiltro>, Vec<i32>> = HashMap::new();
        for key in keys {
            groups.entry(key.periodo).or_default().push(key.servicio);
        }
        let mut out = HashMap::new();
        for (periodo_filtro, servicios) in groups {
            let mut query = select_entity::<ficha::Entity>("f");
            query.and_where(col("f", "servicio_id").is_in(servicios.iter().copied()));
            periodo(&mut query, "f", periodo_filtro);
            // Latest first: the first row of each servicio wins.
            query
                .order_by(("f", "desde"), Order::Desc)
                .order_by(("f", "hasta"), Order::Desc);
            let rows = self.db.query_all(&query).await.map_err(database)?;
            for row in rows {
                let model = ficha::Model::from_query_result(&row, "").map_err(database)?;
                let key = FichaDeServicio {
                    servicio: model.servicio_id,
                    periodo: periodo_filtro,
                };
                out.entry(key).or_insert(model);
            }
        }
        Ok(out)
    }
}
