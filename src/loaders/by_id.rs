//! Single rows: by their id (the links that point to one row, `node(id)`),
//! a ficha's servicio, and a servicio's ficha for a período.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;

use async_graphql::dataloader::Loader;
use entity::{ficha, objetivo_institucional, objetivo_ministerial, partida, producto, servicio};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Iterable};

use super::filter::{AsAlias, Ids, PeriodoFiltro, col, periodo, select_entity, select_prefixed};
use super::{Db, LoadError};

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
    ($($module:ident),*) => {
        $(
            impl HasId for $module::Entity {
                fn id_column() -> Self::Column {
                    $module::Column::Id
                }
            }
        )*

        /// Whether `key` is the type of a key that reads one row by an id
        /// (what a request's loader keeps, `super::batch`): a [`ById`] of
        /// one of these entities, a [`ServicioDeFicha`] or a
        /// [`FichaDeServicio`].
        pub(super) fn is_by_id(key: std::any::TypeId) -> bool {
            $(key == std::any::TypeId::of::<ById<$module::Entity>>())||*
                || key == std::any::TypeId::of::<ServicioDeFicha>()
                || key == std::any::TypeId::of::<FichaDeServicio>()
        }
    };
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
    type Error = LoadError;

    async fn load(&self, keys: &[ById<E>]) -> Result<HashMap<ById<E>, E::Model>, LoadError> {
        use sea_orm::QueryFilter;
        let ids: Vec<i32> = keys.iter().map(|k| k.0).collect();
        let ids = Ids::new(&ids, self.db.get_database_backend());
        let rows = E::find()
            .filter(ids.contain(Expr::col(E::id_column())))
            .all(&self.db)
            .await?;
        let id_of = |model: &E::Model| -> Result<i32, LoadError> {
            use sea_orm::ModelTrait;
            match model.get(E::id_column()) {
                sea_orm::Value::Int(Some(id)) => Ok(id),
                other => Err(DbErr::Type(format!("id {other:?}")).into()),
            }
        };
        rows.into_iter()
            .map(|model| Ok((ById::new(id_of(&model)?), model)))
            .collect()
    }
}

/// The servicio that filed ficha `.0`, read in one statement with the link
/// between them: an objective's or producto's servicio, without reading
/// its ficha first (a search's page and its servicios are two statements,
/// not three).
#[derive(Debug, Clone, Copy, Hash, PartialEq, Eq)]
pub struct ServicioDeFicha(pub i32);

impl Loader<ServicioDeFicha> for Db {
    type Value = servicio::Model;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ServicioDeFicha],
    ) -> Result<HashMap<ServicioDeFicha, servicio::Model>, LoadError> {
        let fichas: Vec<i32> = keys.iter().map(|key| key.0).collect();
        let mut query = select_entity::<servicio::Entity>("s");
        query
            .expr_as(col("f", "id"), "ficha_key")
            .inner_join(
                ficha::Entity.aliased("f"),
                col("f", "servicio_id").equals(("s", "id")),
            )
            .and_where(Ids::new(&fichas, self.db.get_database_backend()).contain(col("f", "id")));
        let rows = self.db.query_all(&query).await?;
        rows.iter()
            .map(|row| {
                let ficha: i32 = row.try_get("", "ficha_key")?;
                Ok((
                    ServicioDeFicha(ficha),
                    servicio::Model::from_query_result(row, "")?,
                ))
            })
            .collect()
    }
}

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
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[FichaDeServicio],
    ) -> Result<HashMap<FichaDeServicio, ficha::Model>, LoadError> {
        let mut groups: HashMap<Option<PeriodoFiltro>, Vec<i32>> = HashMap::new();
        for key in keys {
            groups.entry(key.periodo).or_default().push(key.servicio);
        }
        let mut out = HashMap::new();
        for (periodo_filtro, servicios) in groups {
            let mut query = ficha_columns();
            query.from_as(ficha::Entity, "f");
            let servicios = Ids::new(&servicios, self.db.get_database_backend());
            query.and_where(servicios.contain(col("f", "servicio_id")));
            match periodo_filtro {
                Some(_) => periodo(&mut query, "f", periodo_filtro),
                // Only each servicio's latest: reading every ficha of the
                // servicios to keep one each carried three rows for one,
                // each a kilobyte of text, on the generated data.
                None => {
                    query.and_where(
                        col("f", "id").eq(super::sources::latest_of(("f", "servicio_id"), "id")),
                    );
                }
            }
            // Latest first: the first row of each servicio wins.
            query
                .order_by(("f", "desde"), Order::Desc)
                .order_by(("f", "hasta"), Order::Desc);
            let rows = self.db.query_all(&query).await?;
            for row in rows {
                let model = ficha::Model::from_query_result(&row, "")?;
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

/// A ficha's columns from `f`, as its model reads them by name, but for
/// `search_text` (the folded text searches read in SQL), which no answer
/// shows: blank.
fn ficha_columns() -> sea_orm::sea_query::SelectStatement {
    let mut query = sea_orm::sea_query::Query::select();
    for column in <ficha::Entity as EntityTrait>::Column::iter() {
        let name = sea_orm::IdenStatic::as_str(&column);
        match name {
            "search_text" => query.expr_as(Expr::val(""), "search_text"),
            _ => query.column(("f", column)),
        };
    }
    query
}

/// A servicio found by its partida's and its own code, with its partida
/// and, when asked for, its latest ficha and lists of that ficha.
pub struct ServicioHallado {
    /// The servicio.
    pub servicio: servicio::Model,
    /// Its partida.
    pub partida: partida::Model,
    /// Its latest ficha: `None` when not asked for, or when it has none.
    pub ficha: Option<ficha::Model>,
    /// The lists read with the latest ficha, in the order asked: the JSON
    /// text of each (`super::paging::within`), empty when there is no
    /// ficha.
    pub lists: Vec<String>,
}

/// What `Query.servicio` reads with the servicio, beyond its partida.
#[derive(Default)]
pub struct Ahead {
    /// Its latest ficha.
    pub latest: bool,
    /// Lists of that ficha, each a column built by
    /// `super::paging::within` over [`LATEST`]'s id.
    pub lists: Vec<Expr>,
}

/// The alias of the latest ficha in `Query.servicio`'s statement, which
/// the lists read with it refer to.
pub const LATEST: &str = "lf";

/// `Query.servicio(partida, capitulo)`: the servicio, its partida and (as
/// `ahead` asks) its latest ficha and lists of it in one statement, the
/// same ficha [`FichaDeServicio`] reads without a período.
pub async fn servicio_por_codigos(
    db: &impl ConnectionTrait,
    partida_codigo: &str,
    capitulo: &str,
    ahead: Ahead,
) -> Result<Option<ServicioHallado>, LoadError> {
    let mut query = sea_orm::sea_query::Query::select();
    select_prefixed::<servicio::Entity>(&mut query, "s", "s_");
    select_prefixed::<partida::Entity>(&mut query, "p", "p_");
    query
        .from_as(servicio::Entity, "s")
        .inner_join(
            partida::Entity.aliased("p"),
            col("p", "id").equals(("s", "partida_id")),
        )
        .and_where(col("p", "codigo").eq(partida_codigo))
        .and_where(col("s", "capitulo").eq(capitulo));
    let latest = ahead.latest || !ahead.lists.is_empty();
    if latest {
        select_prefixed::<ficha::Entity>(&mut query, LATEST, "f_");
        // No ficha: 0, which no ficha has, and the join finds nothing.
        query.left_join(
            ficha::Entity.aliased(LATEST),
            col(LATEST, "id").eq(super::sources::latest("id")),
        );
    }
    let lists = ahead.lists.len();
    for (i, list) in ahead.lists.into_iter().enumerate() {
        query.expr_as(list, format!("list_{i}"));
    }
    let Some(row) = db.query_one(&query).await? else {
        return Ok(None);
    };
    let ficha = if latest {
        ficha::Model::from_query_result_optional(&row, "f_")?
    } else {
        None
    };
    let lists = match ficha {
        Some(_) => (0..lists)
            .map(|i| Ok(row.try_get::<String>("", &format!("list_{i}"))?))
            .collect::<Result<_, LoadError>>()?,
        None => Vec::new(),
    };
    Ok(Some(ServicioHallado {
        servicio: servicio::Model::from_query_result(&row, "s_")?,
        partida: partida::Model::from_query_result(&row, "p_")?,
        ficha,
        lists,
    }))
}
