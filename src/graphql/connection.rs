//! Relay connections: paging arguments, cursors and the connection types
//! every list of the API returns.
//!
//! A cursor is a row's position in its (filtered, ordered) list. Pages are
//! fetched by `crate::loaders`; this module validates what the client asks
//! and shapes what it gets back. `totalCount` costs nothing when the page
//! query already told it, and one batched count otherwise.

use std::sync::Arc;

use async_graphql::{Context, Result, SimpleObject};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sea_orm::DatabaseConnection;

use super::error::bad_input;
use super::filters::ListFilter;
use super::list_fields::FieldArgs;
use super::order::{OrderBy, orden};
use crate::loaders::{
    self, Columns, CountKey, Db, Filtro, ListArgs, Listed, LoadError, Orden, Page, PageKey,
    RequestLoader, ServicioDeFicha, Window,
};

/// Items per page when the query says neither `first` nor `last`.
pub const DEFAULT_PAGE: i64 = 50;
/// The most items a page may hold; asking more is an error, not a silent cap.
pub const MAX_PAGE: i64 = 500;

/// The paging arguments of a list field, as the client sent them.
#[derive(Debug, Default, Clone)]
pub struct PageArgs {
    /// `first`.
    pub first: Option<i32>,
    /// `after`.
    pub after: Option<String>,
    /// `last`.
    pub last: Option<i32>,
    /// `before`.
    pub before: Option<String>,
}

impl PageArgs {
    /// Validate into a window of row positions.
    pub fn window(&self) -> Result<Window> {
        if self.first.is_some() && self.last.is_some() {
            return Err(bad_input(
                "pass `first` or `last`, not both: page forward with first/after, backward with last/before",
            ));
        }
        let size = |name: &str, value: Option<i32>| -> Result<Option<i64>> {
            match value {
                Some(n) if n < 0 => {
                    Err(bad_input(format!("`{name}` must not be negative, got {n}")))
                }
                Some(n) if i64::from(n) > MAX_PAGE => Err(bad_input(format!(
                    "`{name}` may be at most {MAX_PAGE} items per page, got {n}; page with `after` for more"
                ))),
                other => Ok(other.map(i64::from)),
            }
        };
        let mut first = size("first", self.first)?;
        let last = size("last", self.last)?;
        if first.is_none() && last.is_none() {
            first = Some(DEFAULT_PAGE);
        }
        Ok(Window {
            after: self
                .after
                .as_deref()
                .map(|c| decode_cursor("after", c))
                .transpose()?,
            before: self
                .before
                .as_deref()
                .map(|c| decode_cursor("before", c))
                .transpose()?,
            first,
            last,
        })
    }
}

/// The cursor of the row at `position`.
pub fn encode_cursor(position: i64) -> String {
    STANDARD.encode(format!("cursor:{position}"))
}

fn decode_cursor(argument: &str, cursor: &str) -> Result<i64> {
    STANDARD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("cursor:")?.parse::<i64>().ok())
        .filter(|&position| position >= 0)
        .ok_or_else(|| {
            bad_input(format!(
                "`{argument}` is not a cursor this API handed out: {cursor:?}"
            ))
        })
}

/// Whether the selection of a list field asks for its rows' field `name`
/// (under `nodes` or `edges { node }`, through fragments and aliases).
fn asks_rows_for(ctx: &Context<'_>, name: &str) -> bool {
    let look = ctx.look_ahead();
    look.field("nodes").field(name).exists()
        || look.field("edges").field("node").field(name).exists()
}

/// The long columns of `L` the selection of a list field shows.
pub(super) fn shown_columns<L: Listed>(ctx: &Context<'_>) -> Columns {
    Columns::asked::<L>(|name| asks_rows_for(ctx, name))
}

/// Where a list hangs from.
#[derive(Debug, Clone, Copy)]
pub enum Parent<R> {
    /// A top-level list of `Query`.
    Root(R),
    /// A list under a parent row.
    Of(R, i32),
}

/// One page of a list, and how to count the whole list.
pub struct Paged<L: Listed> {
    page: Arc<Page<L::Model>>,
    rel: L::Rel,
    parent: Option<i32>,
    filter: Arc<Filtro>,
}

impl<L: Listed> Paged<L>
where
    Db: async_graphql::dataloader::Loader<
            PageKey<L>,
            Value = Arc<Page<L::Model>>,
            Error = crate::loaders::LoadError,
        > + async_graphql::dataloader::Loader<
            CountKey<L>,
            Value = i64,
            Error = crate::loaders::LoadError,
        >,
{
    /// Fetch the page a list field asks for: directly for a top-level
    /// list, through the request's data loader (batched with its siblings)
    /// for a nested one. `arguments` reads the field's filter, order and
    /// window; a nested field's are read for its first parent row only.
    pub async fn fetch(
        ctx: &Context<'_>,
        parent: Parent<L::Rel>,
        arguments: impl FnOnce() -> Result<(Filtro, Orden, PageArgs)>,
    ) -> Result<Self> {
        match parent {
            Parent::Root(rel) => {
                let (filter, order, args) = arguments()?;
                let window = args.window()?;
                // Boxed: its statement's future is large, and once a request
                // it costs nothing; unboxed it would size every nested list's.
                Box::pin(Self::top_level(ctx, rel, Arc::new(filter), order, window)).await
            }
            Parent::Of(rel, id) => {
                let fields = ctx.data_opt::<FieldArgs>();
                let (filter, args, columns) = FieldArgs::of::<L>(fields, ctx, arguments)?;
                let page = match fields.and_then(|fields| fields.read_ahead::<L>(rel, id, &args)) {
                    Some(page) => page,
                    None => Self::nested(ctx, rel, id, args, columns).await?,
                };
                Ok(Paged {
                    page,
                    rel,
                    parent: Some(id),
                    filter,
                })
            }
        }
    }

    /// The page of the list under the parent `id`, through the request's
    /// data loader (batched with its siblings).
    async fn nested(
        ctx: &Context<'_>,
        rel: L::Rel,
        id: i32,
        args: ListArgs,
        columns: Columns,
    ) -> Result<Arc<Page<L::Model>>> {
        let loader = ctx.data::<Arc<RequestLoader>>()?;
        let window = args.2;
        let key = PageKey {
            rel,
            parent: id,
            args,
            columns,
        };
        Ok(loader
            .load_one(key)
            .await?
            .unwrap_or_else(|| Arc::new(Page::empty(&window))))
    }

    /// A top-level list's page, read directly.
    async fn top_level(
        ctx: &Context<'_>,
        rel: L::Rel,
        filter: Arc<Filtro>,
        order: Orden,
        window: Window,
    ) -> Result<Self> {
        let db = ctx.data::<DatabaseConnection>()?;
        let columns = shown_columns::<L>(ctx);
        let mut pages = if L::OF_FICHA && asks_rows_for(ctx, "servicio") {
            // The rows' servicios come with the page, for the request's
            // loader to hand to `servicio`.
            let (pages, servicios) =
                loaders::top_level_with_servicios::<L>(db, rel, &filter, &order, &window, columns)
                    .await?;
            let loader = ctx.data::<Arc<RequestLoader>>()?;
            loader
                .feed_many(
                    servicios
                        .into_iter()
                        .map(|(ficha, servicio)| (ServicioDeFicha(ficha), servicio)),
                )
                .await;
            pages
        } else {
            loaders::pages::<L>(db, rel, &filter, &order, &window, None, columns).await?
        };
        let page = pages.remove(&0).unwrap_or_else(|| Page::empty(&window));
        Ok(Paged {
            page: Arc::new(page),
            rel,
            parent: None,
            filter,
        })
    }

    /// How many items the whole list has.
    pub async fn total_count(&self, ctx: &Context<'_>) -> Result<i64> {
        if let Some(total) = self.page.total {
            return Ok(total);
        }
        match self.parent {
            None => {
                // Boxed, as `top_level` is.
                let db = ctx.data::<DatabaseConnection>()?;
                let counts =
                    Box::pin(loaders::counts::<L>(db, self.rel, &self.filter, None)).await?;
                Ok(counts.get(&0).copied().unwrap_or(0))
            }
            Some(parent) => {
                let loader = ctx.data::<Arc<RequestLoader>>()?;
                let key = CountKey {
                    rel: self.rel,
                    parent,
                    filter: self.filter.clone(),
                };
                Ok(loader.load_one(key).await?.unwrap_or(0))
            }
        }
    }

    /// Where the page sits in the list.
    pub fn page_info(&self) -> PageInfo {
        PageInfo {
            has_previous_page: self.page.has_previous,
            has_next_page: self.page.has_next,
            start_cursor: self.page.rows.first().map(|(p, _)| encode_cursor(*p)),
            end_cursor: self.page.rows.last().map(|(p, _)| encode_cursor(*p)),
        }
    }

    /// The rows with their cursors.
    pub fn rows(&self) -> impl Iterator<Item = (String, &L::Model)> {
        self.page.rows.iter().map(|(p, m)| (encode_cursor(*p), m))
    }
}

/// Where a page sits in its list (Relay's `PageInfo`).
#[derive(SimpleObject)]
pub struct PageInfo {
    /// Items exist before this page (`last`/`before` to reach them).
    pub has_previous_page: bool,
    /// Items exist after this page (`first`/`after` to reach them).
    pub has_next_page: bool,
    /// Cursor of the first item of the page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item of the page; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// Define a connection type and its edge type over a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ident, $listed:ty, $what:literal) => {
        #[doc = concat!("A page of ", $what, ", with the total and the cursors to page on.")]
        pub struct $connection(pub crate::graphql::connection::Paged<$listed>);

        #[async_graphql::Object]
        impl $connection {
            #[doc = concat!("How many ", $what, " match, across every page.")]
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<i64> {
                self.0.total_count(ctx).await
            }

            /// Where this page sits: whether more pages exist, and their cursors.
            async fn page_info(&self) -> crate::graphql::connection::PageInfo {
                self.0.page_info()
            }

            #[doc = concat!("The ", $what, " of this page, each with its cursor.")]
            async fn edges(&self) -> crate::graphql::lean::LeanList<$edge> {
                crate::graphql::lean::LeanList(
                    self.0
                        .rows()
                        .map(|(cursor, model)| $edge {
                            cursor,
                            node: $node(model.clone()),
                        })
                        .collect(),
                )
            }

            #[doc = concat!("The ", $what, " of this page (the edges' nodes, without cursors).")]
            async fn nodes(&self) -> crate::graphql::lean::LeanList<$node> {
                crate::graphql::lean::LeanList(
                    self.0
                        .rows()
                        .map(|(_, model)| $node(model.clone()))
                        .collect(),
                )
            }
        }

        #[doc = concat!("One of ", $what, " in a page, with its cursor.")]
        pub struct $edge {
            cursor: String,
            node: $node,
        }

        #[async_graphql::Object]
        impl $edge {
            /// Pass as `after` (or `before`) to page from this item.
            async fn cursor(&self) -> &str {
                &self.cursor
            }

            /// The item.
            async fn node(&self) -> crate::graphql::lean::Lean<&$node> {
                crate::graphql::lean::Lean(&self.node)
            }
        }

        impl crate::graphql::lean::PlainFields for $connection {}

        impl crate::graphql::lean::PlainFields for $edge {
            fn plain_field(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Option<async_graphql::ServerResult<async_graphql::Value>> {
                (ctx.item.node.name.node == "cursor")
                    .then(|| crate::graphql::lean::plain(self.cursor.as_str(), ctx))
                    .flatten()
            }
        }
    };
}

pub(crate) use connection;

/// A list field's page: its filter and order read, the page fetched under
/// `parent`.
pub async fn list<L, F, O>(
    ctx: &Context<'_>,
    parent: Parent<L::Rel>,
    filter: Option<F>,
    order_by: Option<Vec<O>>,
    args: PageArgs,
) -> Result<Paged<L>>
where
    L: Listed,
    F: ListFilter + Default,
    O: OrderBy,
    Db: async_graphql::dataloader::Loader<
            PageKey<L>,
            Value = Arc<Page<L::Model>>,
            Error = LoadError,
        > + async_graphql::dataloader::Loader<CountKey<L>, Value = i64, Error = LoadError>,
{
    Paged::fetch(ctx, parent, || read_arguments(filter, order_by, args)).await
}

/// A list field's filter and order, as the loaders take them, and its
/// paging arguments.
pub(super) fn read_arguments<F: ListFilter + Default, O: OrderBy>(
    filter: Option<F>,
    order_by: Option<Vec<O>>,
    args: PageArgs,
) -> Result<(Filtro, Orden, PageArgs)> {
    let filtro = filter.unwrap_or_default().filtro()?;
    Ok((filtro, orden(order_by.as_deref()), args))
}

/// An `#[Object]` impl whose list fields are written as one line each:
///
/// ```text
/// graph_object! {
///     #[Object]
///     impl Partida {
///         /// Doc comment, as for any field.
///         list servicios(this, ServicioFilter, ServicioOrderBy) -> ServicioConnection = Parent::Of(ServiciosDe::Partida, this.0.id);
///         /// A plain column.
///         field codigo(&self) -> &str = &self.0.codigo;
///         async fn ficha(&self, ctx: &Context<'_>) -> Result<Ficha> { … }
///     }
/// }
/// ```
///
/// Every list field has the same arguments (`filter`, `orderBy`, `first`,
/// `after`, `last`, `before`), the same cost (`crate::http::limits::cost`
/// counts its items against the link it follows) and the same
/// body ([`list`]); only its filter, order, connection and parent differ. A `field`
/// is a plain value read from `self` in one line (`pub field` for one an
/// interface reads); other fields are written as usual (`async fn …`). All
/// stand in the order the schema shows them.
///
/// The type answers its `field`s without a future each
/// ([`crate::graphql::lean::PlainFields`]), and its lists come back as
/// connections answered in one pass ([`crate::graphql::lean`]).
macro_rules! graph_object {
    ($pound:tt $attr:tt impl $ty:ident { $($items:tt)* }) => {
        $crate::graphql::connection::graph_object!(@fields [$pound $attr $ty] [] [] $($items)*);
    };
    (@fields $head:tt [$($done:tt)*] $plain:tt
        $(#[$doc:meta])*
        list $name:ident($this:ident, $filter:ty, $order:ty) -> $connection:ident = $parent:expr;
        $($rest:tt)*
    ) => {
        $crate::graphql::connection::graph_object!(@fields $head [$($done)*
            $(#[$doc])*
            #[allow(clippy::too_many_arguments)]
            async fn $name(
                &self,
                ctx: &async_graphql::Context<'_>,
                filter: Option<$filter>,
                order_by: Option<Vec<$order>>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
            ) -> async_graphql::Result<$crate::graphql::lean::LeanConnection<$connection>> {
                let $this = self;
                let args = $crate::graphql::connection::PageArgs {
                    first,
                    after,
                    last,
                    before,
                };
                $crate::graphql::connection::list(ctx, $parent, filter, order_by, args)
                    .await
                    .map(|page| $crate::graphql::lean::LeanConnection($connection(page)))
            }
        ] $plain $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*] [$($plain:ident)*]
        $(#[$doc:meta])*
        $vis:vis field $name:ident(&$this:ident) -> $ret:ty = $value:expr;
        $($rest:tt)*
    ) => {
        $crate::graphql::connection::graph_object!(@fields $head [$($done)*
            $(#[$doc])* $vis async fn $name(&$this) -> $ret { $value }
        ] [$($plain)* $name] $($rest)*);
    };
    (@fields $head:tt [$($done:tt)*] $plain:tt
        $(#[$doc:meta])*
        $vis:vis async fn $name:ident $args:tt -> $ret:ty $body:block
        $($rest:tt)*
    ) => {
        $crate::graphql::connection::graph_object!(@fields $head [$($done)*
            $(#[$doc])* $vis async fn $name $args -> $ret $body
        ] $plain $($rest)*);
    };
    (@fields [$pound:tt $attr:tt $ty:ident] [$($done:tt)*] [$($plain:ident)*]) => {
        $pound $attr
        impl $ty {
            $($done)*
        }

        impl $crate::graphql::lean::PlainFields for $ty {
            #[allow(unused_variables)]
            fn plain_field(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> Option<async_graphql::ServerResult<async_graphql::Value>> {
                let name = ctx.item.node.name.node.as_str();
                $(
                    if $crate::graphql::lean::is_field(name, stringify!($plain)) {
                        let value = futures_util::FutureExt::now_or_never(Self::$plain(self, ctx))?;
                        return $crate::graphql::lean::plain(&value, ctx);
                    }
                )*
                None
            }
        }
    };
}

pub(crate) use graph_object;
