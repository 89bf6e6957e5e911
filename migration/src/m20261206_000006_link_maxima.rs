//! For every link the API follows (partida → servicios, ficha →
//! objectives, objective → productos, …), the most children one parent
//! has and how many (parent, child) pairs there are, kept by the importer:
//! the server costs a query against the data as it is
//! (`crate`'s users: `definiciones`' `http::limits::cost`), so a list's
//! page counts as many items as the data can really hold.
//!
//! [`link_maxima`] counts every link over all the data: this migration's
//! backfill, and the importer's after a ficha replaces another (whose old
//! rows may have held a maximum). A new ficha only raises them, by what it
//! added (the importer's `store::import::maxima`), so an import does not
//! count the whole database again per ficha.

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

/// How one link is counted: its children per parent, a `SELECT` of one
/// row `n` per parent; `None` for a count of rows (`partidas`, `periodos`),
/// whose `most` is its `total`.
const COUNTINGS: [(&str, Option<&str>); 12] = [
    ("partidas", None),
    (
        "partida.servicios",
        Some("SELECT COUNT(*) AS n FROM servicios GROUP BY partida_id"),
    ),
    (
        "partida.objetivos_ministeriales",
        Some("SELECT COUNT(*) AS n FROM objetivos_ministeriales GROUP BY partida_id"),
    ),
    (
        "servicio.fichas",
        Some("SELECT COUNT(*) AS n FROM fichas GROUP BY servicio_id"),
    ),
    (
        "ficha.objetivos_institucionales",
        Some("SELECT COUNT(*) AS n FROM objetivos_institucionales GROUP BY ficha_id"),
    ),
    (
        "ficha.productos",
        Some("SELECT COUNT(*) AS n FROM productos GROUP BY ficha_id"),
    ),
    (
        "objetivo_institucional.objetivos_ministeriales",
        Some(
            "SELECT COUNT(*) AS n FROM objetivo_institucional_ministerial \
             GROUP BY objetivo_institucional_id",
        ),
    ),
    (
        "objetivo_ministerial.objetivos_institucionales",
        Some(
            "SELECT COUNT(*) AS n FROM objetivo_institucional_ministerial \
             GROUP BY objetivo_ministerial_id",
        ),
    ),
    (
        "objetivo_institucional.productos",
        Some(
            "SELECT COUNT(*) AS n FROM producto_objetivo_institucional \
             GROUP BY objetivo_institucional_id",
        ),
    ),
    (
        "producto.objetivos_institucionales",
        Some("SELECT COUNT(*) AS n FROM producto_objetivo_institucional GROUP BY producto_id"),
    ),
    (
        // Through the institutional objectives it serves, each ministry
        // objective once.
        "producto.objetivos_ministeriales",
        Some(
            "SELECT COUNT(DISTINCT m.objetivo_ministerial_id) AS n \
             FROM producto_objetivo_institucional l \
             INNER JOIN objetivo_institucional_ministerial m \
             ON m.objetivo_institucional_id = l.objetivo_institucional_id \
             GROUP BY l.producto_id",
        ),
    ),
    // Every período of a ficha or of a ministry objective.
    ("periodos", None),
];

/// The rows of a count of rows: every partida, every período.
fn rows(link: &str) -> &'static str {
    if link == "partidas" {
        "SELECT id FROM partidas"
    } else {
        "SELECT desde, hasta FROM fichas UNION SELECT desde, hasta FROM objetivos_ministeriales"
    }
}

/// The rows of [`LINK_MAXIMA`] over all the data: `link, most, total`.
pub fn link_maxima() -> String {
    let rows: Vec<String> = COUNTINGS
        .iter()
        .map(|(link, per_parent)| match per_parent {
            Some(per_parent) => format!(
                "SELECT '{link}', CAST(COALESCE(MAX(t.n), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(t.n), 0) AS BIGINT) FROM ({per_parent}) t"
            ),
            None => format!(
                "SELECT '{link}', CAST(COUNT(*) AS BIGINT), CAST(COUNT(*) AS BIGINT) FROM ({}) t",
                rows(link)
            ),
        })
        .collect();
    rows.join(" UNION ALL ")
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
        let counted: Vec<&str> = COUNTINGS.iter().map(|(link, _)| *link).collect();
        assert_eq!(counted, LINKS);
    }
}
