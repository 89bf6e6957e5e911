//! What the nested list fields of one operation share ([`FieldArgs`]):
//! each field's filter, order and window, read once for all its parent
//! rows, and the pages a parent's own statement read ahead for them
//! ([`ListAhead`]).

use std::sync::Arc;

use async_graphql::Result;

use super::connection::{PageArgs, read_arguments, shown_columns};
use super::filters::ListFilter;
use super::order::OrderBy;
use crate::loaders::{self, Columns, Filtro, ListArgs, Listed, LoadError, Orden, Page};

/// A nested list read ahead, inside the statement of its parent's row
/// (`Query.servicio` reads its latest ficha's lists with it): the column
/// that statement selects, and what keeps the page for the field to find
/// ([`FieldArgs::read_ahead`]).
pub struct ListAhead {
    /// The list, as a column of the parent's statement
    /// ([`loaders::within`]).
    pub column: sea_orm::sea_query::Expr,
    /// Keeps the page read from that column's text for parent `id`.
    pub keep: KeepAhead,
}

/// Keeps the page of a [`ListAhead`] for the parent `id`, read from the
/// text of its column.
pub type KeepAhead = Box<dyn FnOnce(&FieldArgs, i32, &str) -> Result<(), LoadError> + Send>;

impl ListAhead {
    /// The list field `field` of a row of `outer` (`table`, `column`: the
    /// parent's id in its statement), under the relation `rel`, read with
    /// the filter `F` and order `O` its resolver reads. `None` when its
    /// arguments do not read (its resolver will say why).
    pub fn of<L, F, O>(
        field: &async_graphql::SelectionField<'_>,
        rel: L::Rel,
        backend: sea_orm::DatabaseBackend,
        outer: (&'static str, &'static str),
    ) -> Option<Self>
    where
        L: Listed,
        F: ListFilter + Default + async_graphql::InputType,
        O: OrderBy + async_graphql::InputType,
    {
        let given = field.arguments().ok()?;
        fn argument<T: async_graphql::InputType>(
            given: &[(async_graphql::Name, async_graphql::Value)],
            name: &str,
        ) -> Option<T> {
            let value = given.iter().find(|(n, _)| n.as_str() == name);
            T::parse(value.map(|(_, value)| value.clone())).ok()
        }
        let args = PageArgs {
            first: argument(&given, "first")?,
            after: argument(&given, "after")?,
            last: argument(&given, "last")?,
            before: argument(&given, "before")?,
        };
        let (filter, order, args) = read_arguments::<F, O>(
            argument(&given, "filter")?,
            argument(&given, "orderBy")?,
            args,
        )
        .ok()?;
        let window = args.window().ok()?;
        let column = loaders::within::<L>(backend, rel, &filter, &order, outer);
        let args: ListArgs = Arc::new((filter, order, window));
        Some(ListAhead {
            column,
            keep: Box::new(move |fields, parent, text| {
                let page = loaders::page_within::<L>(text, &args.1, &args.2)?;
                fields.keep_ahead(ReadAhead::<L> {
                    rel,
                    parent,
                    args,
                    page: Arc::new(page),
                });
                Ok(())
            }),
        })
    }
}

/// A list field's arguments as its loader keys take them, and the long
/// columns its rows show.
type FieldRead = (Arc<Filtro>, ListArgs, Columns);

/// A page read ahead ([`ListAhead`]), for the field that asks for it.
struct ReadAhead<L: Listed> {
    rel: L::Rel,
    parent: i32,
    args: ListArgs,
    page: Arc<Page<L::Model>>,
}

/// What the nested list fields of one operation share.
///
/// Each field's filter, order and window, and the long columns its rows
/// show, read for its first parent row and shared by the others (their
/// loader keys then compare by pointer): keyed by the field's place in the
/// operation's document, since the field's arguments, its selection and
/// the operation's variables fix them.
///
/// And the pages read ahead, with their parent's statement
/// ([`ListAhead`]): a field whose parent and arguments match one takes it
/// instead of loading its own.
///
/// The endpoint gives each operation its own (beside its data loader);
/// without one, each parent reads its arguments again, and nothing is
/// read ahead.
#[derive(Default)]
pub struct FieldArgs {
    fields: std::sync::Mutex<std::collections::HashMap<usize, FieldRead>>,
    ahead: std::sync::Mutex<Vec<Box<dyn std::any::Any + Send>>>,
    /// Whether `ahead` holds any: most operations read nothing ahead, and
    /// their fields do not take the lock to find that out.
    any_ahead: std::sync::atomic::AtomicBool,
}

impl FieldArgs {
    /// The arguments of the list field of `L` that `ctx` answers, and the
    /// long columns its rows show: kept in `fields`, or read (`arguments`,
    /// the field's selection) and kept.
    pub(super) fn of<L: Listed>(
        fields: Option<&FieldArgs>,
        ctx: &async_graphql::Context<'_>,
        arguments: impl FnOnce() -> Result<(Filtro, Orden, PageArgs)>,
    ) -> Result<FieldRead> {
        let field = std::ptr::from_ref(ctx.item) as usize;
        if let Some(known) = fields.and_then(|fields| lock(&fields.fields).get(&field).cloned()) {
            return Ok(known);
        }
        let (filter, order, args) = arguments()?;
        let window = args.window()?;
        let filter = Arc::new(filter);
        let read = (
            filter.clone(),
            Arc::new(((*filter).clone(), order, window)),
            shown_columns::<L>(ctx),
        );
        if let Some(fields) = fields {
            lock(&fields.fields).insert(field, read.clone());
        }
        Ok(read)
    }

    /// Keep a page read ahead.
    fn keep_ahead<L: Listed>(&self, page: ReadAhead<L>) {
        lock(&self.ahead).push(Box::new(page));
        self.any_ahead
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// The page read ahead of the list `rel` under `parent` with `args`.
    pub(super) fn read_ahead<L: Listed>(
        &self,
        rel: L::Rel,
        parent: i32,
        args: &ListArgs,
    ) -> Option<Arc<Page<L::Model>>> {
        if !self.any_ahead.load(std::sync::atomic::Ordering::Acquire) {
            return None;
        }
        lock(&self.ahead).iter().find_map(|kept| {
            let kept = kept.downcast_ref::<ReadAhead<L>>()?;
            (kept.rel == rel && kept.parent == parent && kept.args == *args)
                .then(|| kept.page.clone())
        })
    }
}

/// The value behind `mutex`, also after a panic elsewhere.
fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
