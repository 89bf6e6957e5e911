//! The largest number of children each link has (`link_maxima`, see
//! `migration`'s `link_maxima`), kept in the ficha's transaction: the
//! server costs a query against them (`crate::http::limits::cost`).
//!
//! A new ficha can only add children, so the maxima are raised by what it
//! added, read from its own partida, servicio and rows (two statements,
//! a few milliseconds). A ficha that replaces another may have removed
//! the rows that held a maximum: then every link is counted again (tens of
//! milliseconds at national scale; replacements are rare).

use migration::{LINK_MAXIMA, LINKS, link_counts_after_ficha, link_maxima, link_maxima_update};
use sea_orm::{ConnectionTrait, DbErr, Statement};

use super::Outcome;

/// Bring the maxima up to date after `ficha` (of `servicio`, of
/// `partida`) was stored with this `outcome`.
pub(super) async fn refresh(
    txn: &impl ConnectionTrait,
    outcome: Outcome,
    partida: i32,
    servicio: i32,
    ficha: i32,
) -> Result<(), DbErr> {
    match outcome {
        Outcome::Imported => {
            let backend = txn.get_database_backend();
            let select = link_counts_after_ficha(partida, servicio, ficha);
            let row = txn
                .query_one_raw(Statement::from_string(backend, select))
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("the links' counts".to_owned()))?;
            let mut counts = Vec::with_capacity(LINKS.len());
            for link in 0..LINKS.len() {
                counts.push((
                    row.try_get_by_index::<i64>(2 * link)?,
                    row.try_get_by_index::<i64>(2 * link + 1)?,
                ));
            }
            txn.execute_unprepared(&link_maxima_update(&counts)).await?;
        }
        Outcome::Replaced => {
            txn.execute_unprepared(&format!("DELETE FROM {LINK_MAXIMA}"))
                .await?;
            txn.execute_unprepared(&format!(
                "INSERT INTO {LINK_MAXIMA} (link, most, total) {}",
                link_maxima()
            ))
            .await?;
        }
        Outcome::Unchanged => {}
    }
    Ok(())
}
