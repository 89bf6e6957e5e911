//! The data version and, when it has moved, the links' maxima
//! (`link_maxima`: for each link the API follows, the most children one
//! parent has and how many pairs there are; the importer keeps them in the
//! transaction that changes the data, beside the version).
//!
//! Both come in one statement: the maxima's rows join the version's only
//! when the version is not the one the caller already holds maxima for, so
//! a request reads one small row while the data stays as it is, and the
//! maxima always belong to the version read with them.

use std::sync::Arc;

use migration::{LINK_MAXIMA, LINKS};
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::LoadError;

/// A link the API follows, as the importer counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Link {
    /// Every partida (a count of rows).
    Partidas,
    /// A partida's servicios.
    PartidaServicios,
    /// A partida's ministry objectives.
    PartidaObjetivosMinisteriales,
    /// A servicio's fichas.
    ServicioFichas,
    /// A ficha's institutional objectives.
    FichaObjetivosInstitucionales,
    /// A ficha's productos.
    FichaProductos,
    /// The ministry objectives an institutional objective serves.
    InstitucionalMinisteriales,
    /// The institutional objectives that serve a ministry objective,
    /// across every servicio.
    MinisterialInstitucionales,
    /// The productos that serve an institutional objective.
    InstitucionalProductos,
    /// The institutional objectives a producto serves.
    ProductoInstitucionales,
    /// The ministry objectives a producto serves, through its
    /// institutional objectives.
    ProductoMinisteriales,
    /// Every período of a ficha or a ministry objective (a count of rows).
    Periodos,
}

impl Link {
    /// Every link, in the order of `migration::LINKS`.
    pub const ALL: [Link; 12] = [
        Link::Partidas,
        Link::PartidaServicios,
        Link::PartidaObjetivosMinisteriales,
        Link::ServicioFichas,
        Link::FichaObjetivosInstitucionales,
        Link::FichaProductos,
        Link::InstitucionalMinisteriales,
        Link::MinisterialInstitucionales,
        Link::InstitucionalProductos,
        Link::ProductoInstitucionales,
        Link::ProductoMinisteriales,
        Link::Periodos,
    ];

    /// Its name in `link_maxima`.
    pub fn name(self) -> &'static str {
        LINKS[self as usize]
    }

    /// Whether each child has one parent by this link (a partida's
    /// servicios), so distinct parents have distinct children; not so for
    /// the links between objectives and productos, where a child can hang
    /// from several parents.
    pub fn one_parent(self) -> bool {
        matches!(
            self,
            Link::Partidas
                | Link::PartidaServicios
                | Link::PartidaObjetivosMinisteriales
                | Link::ServicioFichas
                | Link::FichaObjetivosInstitucionales
                | Link::FichaProductos
                | Link::Periodos
        )
    }
}

/// How many children each link has, as counted at one data version.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Maxima {
    /// (most children of one parent, pairs) per link of [`Link::ALL`];
    /// `None` where unknown (then the page alone bounds a list).
    counts: [Option<(u64, u64)>; 12],
}

impl Maxima {
    /// Nothing known: every list as large as its page.
    pub fn unknown() -> Maxima {
        Maxima::default()
    }

    /// Maxima as given, for tests and tools: `(link, most, total)`.
    pub fn of(counts: &[(Link, u64, u64)]) -> Maxima {
        let mut maxima = Maxima::unknown();
        for &(link, most, total) in counts {
            maxima.counts[link as usize] = Some((most, total));
        }
        maxima
    }

    /// The most children one parent has by `link`.
    pub fn most(&self, link: Link) -> Option<u64> {
        self.counts[link as usize].map(|(most, _)| most)
    }

    /// How many (parent, child) pairs `link` has: all its parents'
    /// children together.
    pub fn total(&self, link: Link) -> Option<u64> {
        self.counts[link as usize].map(|(_, total)| total)
    }
}

/// The data version, with the maxima read at it unless the version is
/// `known` (then `None`: the caller's maxima still hold).
pub async fn version_and_maxima(
    db: &impl ConnectionTrait,
    known: Option<i64>,
) -> Result<(i64, Option<Arc<Maxima>>), LoadError> {
    let backend = db.get_database_backend();
    let join = match known {
        Some(known) => format!("d.version <> {known}"),
        None => "1 = 1".to_owned(),
    };
    let sql = format!(
        "SELECT d.version, m.link, m.most, m.total FROM data_version d \
         LEFT JOIN {LINK_MAXIMA} m ON {join} WHERE d.id = 1"
    );
    let rows = db
        .query_all_raw(Statement::from_string(backend, sql))
        .await?;
    let first = rows
        .first()
        .ok_or_else(|| DbErr::RecordNotFound("the data_version row".to_owned()))?;
    let version: i64 = first.try_get("", "version")?;
    if known == Some(version) {
        return Ok((version, None));
    }
    let mut maxima = Maxima::unknown();
    for row in &rows {
        let Some(name) = row.try_get::<Option<String>>("", "link")? else {
            continue;
        };
        let Some(link) = Link::ALL.into_iter().find(|l| l.name() == name) else {
            continue;
        };
        let most: i64 = row.try_get("", "most")?;
        let total: i64 = row.try_get("", "total")?;
        maxima.counts[link as usize] = Some((
            u64::try_from(most).unwrap_or(0),
            u64::try_from(total).unwrap_or(0),
        ));
    }
    Ok((version, Some(Arc::new(maxima))))
}

/// The maxima now, read on their own (tools and tests; the server reads
/// them with the data version).
pub async fn maxima(db: &impl ConnectionTrait) -> Result<Maxima, LoadError> {
    let (_, maxima) = version_and_maxima(db, None).await?;
    Ok(maxima.map(Arc::unwrap_or_clone).unwrap_or_default())
}
