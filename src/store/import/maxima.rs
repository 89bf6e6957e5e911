//! The largest number of children each link has, and its pairs
//! (`link_maxima`, counted in full by `migration`'s `link_maxima`), kept in
//! the ficha's transaction: the server costs a query against them
//! (`crate::http::limits::cost`).
//!
//! A new ficha can only add children, so the maxima are raised by what it
//! added, in one `UPDATE`: the links whose parents are the ficha's own rows
//! (its objectives, productos and their links) are counted here from what
//! was written; those whose parents it shares (its partida, servicio,
//! ministry objectives) by a few indexed counts of those parents alone. A
//! ficha that replaces another may have removed the rows that held a
//! maximum: then every link is counted again (tens of milliseconds at
//! national scale; replacements are rare). The integration tests check
//! that both agree with a full count.

use std::collections::{HashMap, HashSet};

use migration::{LINK_MAXIMA, link_maxima};
use sea_orm::{ConnectionTrait, DbErr};

use super::Outcome;
use crate::ficha::Ficha;

/// The rows a ficha was stored as, by their ids.
pub(super) struct Stored<'a> {
    pub(super) partida: i32,
    pub(super) servicio: i32,
    pub(super) ficha: i32,
    /// Its partida and período's ministry objectives: prioridad → id.
    pub(super) ministeriales: &'a HashMap<u32, i32>,
}

/// Bring the maxima up to date after `ficha` was stored as `stored` with
/// this `outcome`.
pub(super) async fn refresh(
    txn: &impl ConnectionTrait,
    outcome: Outcome,
    ficha: &Ficha,
    stored: &Stored<'_>,
) -> Result<(), DbErr> {
    match outcome {
        Outcome::Imported => {
            txn.execute_unprepared(&raise(ficha, stored)).await?;
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

/// How a link changes: its `most` raised to at least a value, and its
/// `total` raised by some pairs or set to a count (SQL expressions).
struct Raise {
    link: &'static str,
    most: String,
    total: Total,
}

enum Total {
    Add(String),
    Set(String),
}

/// The largest of `counts` and the number of pairs they sum to.
fn most_and_sum(counts: impl IntoIterator<Item = usize>) -> (String, String) {
    let (most, sum) = counts
        .into_iter()
        .fold((0, 0), |(most, sum), n| (most.max(n), sum + n));
    (most.to_string(), sum.to_string())
}

/// The `UPDATE` that raises every link by what the new ficha added.
fn raise(ficha: &Ficha, stored: &Stored<'_>) -> String {
    let Stored {
        partida,
        servicio,
        ficha: id,
        ministeriales,
    } = *stored;
    let (desde, hasta) = (ficha.periodo.desde, ficha.periodo.hasta);
    // Its links as the writer stores them: each once, only to objectives
    // that exist.
    let objetivos: HashSet<u32> = ficha
        .objetivos_institucionales
        .iter()
        .map(|o| o.prioridad)
        .collect();
    let ministeriales_de: HashMap<u32, HashSet<u32>> = ficha
        .objetivos_institucionales
        .iter()
        .map(|o| {
            let served = o
                .objetivos_ministeriales
                .iter()
                .filter(|m| ministeriales.contains_key(m))
                .copied()
                .collect();
            (o.prioridad, served)
        })
        .collect();
    let institucionales_de: Vec<HashSet<u32>> = ficha
        .productos
        .iter()
        .map(|p| {
            p.objetivos
                .iter()
                .filter(|o| objetivos.contains(o))
                .copied()
                .collect()
        })
        .collect();
    let productos_de = objetivos.iter().map(|o| {
        institucionales_de
            .iter()
            .filter(|served| served.contains(o))
            .count()
    });
    let ministeriales_de_producto = institucionales_de.iter().map(|served| {
        served
            .iter()
            .flat_map(|o| ministeriales_de.get(o).into_iter().flatten())
            .collect::<HashSet<_>>()
            .len()
    });
    let linked: HashSet<i32> = ministeriales_de
        .values()
        .flatten()
        .filter_map(|m| ministeriales.get(m).copied())
        .collect();

    let (oi_om_most, oi_om_added) = most_and_sum(ministeriales_de.values().map(HashSet::len));
    let (p_oi_most, p_oi_added) = most_and_sum(institucionales_de.iter().map(HashSet::len));
    let (oi_p_most, _) = most_and_sum(productos_de);
    let (p_om_most, p_om_added) = most_and_sum(ministeriales_de_producto);
    // The most objectives any of the ministry objectives it links to has,
    // across every servicio (its own links included).
    let om_oi_most = if linked.is_empty() {
        "0".to_owned()
    } else {
        let ids: Vec<String> = linked.iter().map(i32::to_string).collect();
        format!(
            "(SELECT COALESCE(MAX(t.n), 0) FROM (SELECT COUNT(*) AS n \
             FROM objetivo_institucional_ministerial \
             WHERE objetivo_ministerial_id IN ({}) GROUP BY objetivo_ministerial_id) t)",
            ids.join(", ")
        )
    };
    let count = |from: &str| format!("(SELECT COUNT(*) FROM {from})");
    // One more período when no other ficha has its own.
    let new_periodo = format!(
        "(CASE WHEN EXISTS (SELECT 1 FROM fichas WHERE desde = {desde} \
         AND hasta = {hasta} AND id <> {id}) THEN 0 ELSE 1 END)"
    );
    let raises = [
        Raise {
            link: "partidas",
            most: count("partidas"),
            total: Total::Set(count("partidas")),
        },
        Raise {
            link: "partida.servicios",
            most: count(&format!("servicios WHERE partida_id = {partida}")),
            total: Total::Set(count("servicios")),
        },
        Raise {
            link: "partida.objetivos_ministeriales",
            most: count(&format!(
                "objetivos_ministeriales WHERE partida_id = {partida}"
            )),
            // Those this ficha stored first for its partida and período.
            total: Total::Add(count(&format!(
                "objetivos_ministeriales WHERE source_ficha_id = {id}"
            ))),
        },
        Raise {
            link: "servicio.fichas",
            most: count(&format!("fichas WHERE servicio_id = {servicio}")),
            total: Total::Add("1".to_owned()),
        },
        Raise {
            link: "ficha.objetivos_institucionales",
            most: objetivos.len().to_string(),
            total: Total::Add(objetivos.len().to_string()),
        },
        Raise {
            link: "ficha.productos",
            most: ficha.productos.len().to_string(),
            total: Total::Add(ficha.productos.len().to_string()),
        },
        Raise {
            link: "objetivo_institucional.objetivos_ministeriales",
            most: oi_om_most,
            total: Total::Add(oi_om_added.clone()),
        },
        Raise {
            link: "objetivo_ministerial.objetivos_institucionales",
            most: om_oi_most,
            total: Total::Add(oi_om_added),
        },
        Raise {
            link: "objetivo_institucional.productos",
            most: oi_p_most,
            total: Total::Add(p_oi_added.clone()),
        },
        Raise {
            link: "producto.objetivos_institucionales",
            most: p_oi_most,
            total: Total::Add(p_oi_added),
        },
        Raise {
            link: "producto.objetivos_ministeriales",
            most: p_om_most,
            total: Total::Add(p_om_added),
        },
        Raise {
            link: "periodos",
            most: format!("total + {new_periodo}"),
            total: Total::Add(new_periodo),
        },
    ];
    let mut most = String::new();
    let mut total = String::new();
    for Raise {
        link,
        most: at_least,
        total: pairs,
    } in &raises
    {
        most += &format!(
            " WHEN '{link}' THEN CASE WHEN most < {at_least} THEN {at_least} ELSE most END"
        );
        total += &match pairs {
            Total::Add(added) => format!(" WHEN '{link}' THEN total + {added}"),
            Total::Set(count) => format!(" WHEN '{link}' THEN {count}"),
        };
    }
    format!(
        "UPDATE {LINK_MAXIMA} SET most = CASE link{most} ELSE most END, \
         total = CASE link{total} ELSE total END"
    )
}
