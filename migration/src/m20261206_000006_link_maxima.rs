//! For every link the API follows (partida → servicios, ficha →
//! objectives, objective → productos, …), the most children one parent
//! has and how many (parent, child) pairs there are, kept by the importer:
//! the server costs a query against the data as it is
//! (`crate`'s users: `definiciones`' `http::limits::cost`), so a list's
//! page counts as many items as the data can really hold.
//!
//! [`link_maxima`] counts every link over all the data (this migration's
//! backfill, and the importer after a ficha replaces another, whose old
//! rows may have held a maximum); [`link_counts_after_ficha`] reads what a
//! new ficha added, from only that ficha's partida, servicio and rows, and
//! [`link_maxima_update`] raises the maxima by it, so an import does not
//! recount the whole database per ficha.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The table: `link` (its name, one of [`LINKS`]), `most` (the most
/// children one parent has) and `total` (the (parent, child) pairs).
pub const LINK_MAXIMA: &str = "link_maxima";

/// Every link kept, by the name stored in [`LINK_MAXIMA`].
pub const LINKS: [&str; 12] = [
    "partidas",
    "partida.servicios",
    "partida.objetivos_ministeriales",
    "servicio.fichas",
    "ficha.objetivos_institucionales",
    "ficha.productos",
    "objetivo_institucional.objetivos_ministeriales",
    "objetivo_ministerial.objetivos_institucionales",
    "objetivo_institucional.productos",
    "producto.objetivos_institucionales",
    "producto.objetivos_ministeriales",
    "periodos",
];

/// How one link is counted.
struct Counting {
    link: &'static str,
    /// `SELECT … AS n … WHERE {where} GROUP BY parent`: the children of
    /// each parent the condition keeps; `None` for a count of rows
    /// (`partidas`, `periodos`), whose `most` is its `total`.
    per_parent: Option<&'static str>,
    /// After a new ficha: the condition keeping the parents whose children
    /// it may have added (`{p}`, `{s}`, `{f}`: its partida, servicio and
    /// ficha ids).
    touched: &'static str,
    /// After a new ficha: the condition keeping the pairs it added, or
    /// `None` to count the pairs again (small tables).
    added: Option<&'static str>,
}

const COUNTINGS: [Counting; 12] = [
    Counting {
        link: "partidas",
        per_parent: None,
        touched: "",
        added: None,
    },
    Counting {
        link: "partida.servicios",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM servicios s WHERE {where} GROUP BY s.partida_id",
        ),
        touched: "s.partida_id = {p}",
        added: None,
    },
    Counting {
        link: "partida.objetivos_ministeriales",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM objetivos_ministeriales m WHERE {where} GROUP BY m.partida_id",
        ),
        touched: "m.partida_id = {p}",
        added: None,
    },
    Counting {
        link: "servicio.fichas",
        per_parent: Some("SELECT COUNT(*) AS n FROM fichas f WHERE {where} GROUP BY f.servicio_id"),
        touched: "f.servicio_id = {s}",
        added: None,
    },
    Counting {
        link: "ficha.objetivos_institucionales",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM objetivos_institucionales o WHERE {where} GROUP BY o.ficha_id",
        ),
        touched: "o.ficha_id = {f}",
        added: Some("o.ficha_id = {f}"),
    },
    Counting {
        link: "ficha.productos",
        per_parent: Some("SELECT COUNT(*) AS n FROM productos p WHERE {where} GROUP BY p.ficha_id"),
        touched: "p.ficha_id = {f}",
        added: Some("p.ficha_id = {f}"),
    },
    Counting {
        link: "objetivo_institucional.objetivos_ministeriales",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM objetivo_institucional_ministerial l \
             INNER JOIN objetivos_institucionales o ON o.id = l.objetivo_institucional_id \
             WHERE {where} GROUP BY l.objetivo_institucional_id",
        ),
        touched: "o.ficha_id = {f}",
        added: Some("o.ficha_id = {f}"),
    },
    Counting {
        link: "objetivo_ministerial.objetivos_institucionales",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM objetivo_institucional_ministerial l \
             INNER JOIN objetivos_ministeriales m ON m.id = l.objetivo_ministerial_id \
             WHERE {where} GROUP BY l.objetivo_ministerial_id",
        ),
        touched: "m.partida_id = {p}",
        added: Some(
            "l.objetivo_institucional_id IN (SELECT id FROM objetivos_institucionales WHERE ficha_id = {f})",
        ),
    },
    Counting {
        link: "objetivo_institucional.productos",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM producto_objetivo_institucional l \
             INNER JOIN objetivos_institucionales o ON o.id = l.objetivo_institucional_id \
             WHERE {where} GROUP BY l.objetivo_institucional_id",
        ),
        touched: "o.ficha_id = {f}",
        added: Some("o.ficha_id = {f}"),
    },
    Counting {
        link: "producto.objetivos_institucionales",
        per_parent: Some(
            "SELECT COUNT(*) AS n FROM producto_objetivo_institucional l \
             INNER JOIN productos p ON p.id = l.producto_id \
             WHERE {where} GROUP BY l.producto_id",
        ),
        touched: "p.ficha_id = {f}",
        added: Some("p.ficha_id = {f}"),
    },
    Counting {
        // Through the institutional objectives it serves, each ministry
        // objective once.
        link: "producto.objetivos_ministeriales",
        per_parent: Some(
            "SELECT COUNT(DISTINCT m.objetivo_ministerial_id) AS n \
             FROM producto_objetivo_institucional l \
             INNER JOIN productos p ON p.id = l.producto_id \
             INNER JOIN objetivo_institucional_ministerial m \
             ON m.objetivo_institucional_id = l.objetivo_institucional_id \
             WHERE {where} GROUP BY l.producto_id",
        ),
        touched: "p.ficha_id = {f}",
        added: Some("p.ficha_id = {f}"),
    },
    Counting {
        link: "periodos",
        per_parent: None,
        touched: "",
        added: None,
    },
];

impl Counting {
    /// The children of each parent `condition` keeps, one row `n` each
    /// (one row, of every row, for a count of rows).
    fn per_parent(&self, condition: &str) -> String {
        match self.per_parent {
            Some(per_parent) => per_parent.replace("{where}", condition),
            None if self.link == "partidas" => "SELECT COUNT(*) AS n FROM partidas".to_owned(),
            // Every período of a ficha or of a ministry objective.
            None => "SELECT COUNT(*) AS n FROM (SELECT desde, hasta FROM fichas \
                     UNION SELECT desde, hasta FROM objetivos_ministeriales) r"
                .to_owned(),
        }
    }

    /// `aggregate` (`MAX` or `SUM`) of the children per parent that
    /// `condition` keeps, 0 when it keeps none: a scalar subquery.
    fn of(&self, aggregate: &str, condition: &str) -> String {
        format!(
            "(SELECT CAST(COALESCE({aggregate}(t.n), 0) AS BIGINT) FROM ({}) t)",
            self.per_parent(condition)
        )
    }
}

/// The rows of [`LINK_MAXIMA`] over all the data: `link, most, total`.
pub fn link_maxima() -> String {
    let rows: Vec<String> = COUNTINGS
        .iter()
        .map(|c| {
            let most = if c.per_parent.is_some() { "MAX" } else { "SUM" };
            format!(
                "SELECT '{}', {}, {}",
                c.link,
                c.of(most, "1 = 1"),
                c.of("SUM", "1 = 1")
            )
        })
        .collect();
    rows.join(" UNION ALL ")
}

/// After the ficha `ficha` (of servicio `servicio` and partida `partida`)
/// was stored in this transaction for a servicio and período that had
/// none: a `SELECT` of one row, two columns per link of [`LINKS`] in
/// order: the most children among the parents the ficha touched, and the
/// pairs it added (or every pair, counted again where the table is small).
/// [`link_maxima_update`] writes them.
pub fn link_counts_after_ficha(partida: i32, servicio: i32, ficha: i32) -> String {
    let ids = |condition: &str| {
        condition
            .replace("{p}", &partida.to_string())
            .replace("{s}", &servicio.to_string())
            .replace("{f}", &ficha.to_string())
    };
    let columns: Vec<String> = COUNTINGS
        .iter()
        .map(|c| {
            let (most, total) = match (c.per_parent, c.added) {
                (None, _) => (c.of("SUM", "1 = 1"), c.of("SUM", "1 = 1")),
                (Some(_), Some(added)) => (c.of("MAX", &ids(c.touched)), c.of("SUM", &ids(added))),
                (Some(_), None) => (c.of("MAX", &ids(c.touched)), c.of("SUM", "1 = 1")),
            };
            format!("{most}, {total}")
        })
        .collect();
    format!("SELECT {}", columns.join(", "))
}

/// The statement that raises [`LINK_MAXIMA`] by `counts`, the row of
/// [`link_counts_after_ficha`] as (most, total) per link: each `most` to
/// the larger, each `total` by the pairs added or to the pairs counted.
pub fn link_maxima_update(counts: &[(i64, i64)]) -> String {
    let mut most = String::new();
    let mut total = String::new();
    for (c, (touched, pairs)) in COUNTINGS.iter().zip(counts) {
        let link = c.link;
        most +=
            &format!(" WHEN '{link}' THEN CASE WHEN most < {touched} THEN {touched} ELSE most END");
        total += &match (c.per_parent, c.added) {
            (Some(_), Some(_)) => format!(" WHEN '{link}' THEN total + {pairs}"),
            _ => format!(" WHEN '{link}' THEN {pairs}"),
        };
    }
    format!(
        "UPDATE {LINK_MAXIMA} SET most = CASE link{most} ELSE most END, \
         total = CASE link{total} ELSE total END"
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new(LINK_MAXIMA))
                    .col(
                        ColumnDef::new(Alias::new("link"))
                            .string()
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Alias::new("most")).big_integer().not_null())
                    .col(ColumnDef::new(Alias::new("total")).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        // Every link, over the fichas imported before this migration.
        manager
            .get_connection()
            .execute_unprepared(&format!(
                "INSERT INTO {LINK_MAXIMA} (link, most, total) {}",
                link_maxima()
            ))
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Alias::new(LINK_MAXIMA)).to_owned())
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_link_is_counted_once() {
        let counted: Vec<&str> = COUNTINGS.iter().map(|c| c.link).collect();
        assert_eq!(counted, LINKS);
    }
}
