//! A servicio in the graph, and its links.

use entity::{partida, servicio};

use super::*;

/// A public service, as a budget *capítulo* of its partida (e.g. `01`).
/// It files one ficha per planning período.
#[derive(Clone)]
pub struct Servicio(pub servicio::Model);

graph_object! {
    #[Object]
    impl Servicio
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("Servicio", self.0.id);

        /// Budget code of the servicio within its partida (`"01"`).
        field capitulo(&self) -> &str = &self.0.capitulo;

        /// Name of the servicio, as printed in its latest ficha.
        field nombre(&self) -> &str = &self.0.nombre;

        /// The ministry the servicio belongs to.
        async fn partida(&self, ctx: &Context<'_>) -> Result<Lean<Partida>> {
            load::<partida::Entity>(ctx, self.0.partida_id)
                .await
                .map(|row| Lean(Partida(row)))
        }

        /// Every ficha the servicio filed, oldest período first.
        list fichas(this, FichaFilter, FichaOrderBy) -> FichaConnection = Parent::Of(FichasDe::Servicio, this.0.id);

        /// The ficha for a período — a year inside it (`"2025"`) or the exact
        /// período (`"2024-2026"`) — or the latest when omitted. Null when there
        /// is none.
        async fn ficha(&self, ctx: &Context<'_>, periodo: Option<String>) -> Result<Option<Lean<Ficha>>> {
            let key = FichaDeServicio {
                servicio: self.0.id,
                periodo: periodo.as_deref().map(self::periodo).transpose()?,
            };
            Ok(loader(ctx)?.load_one(key).await?.map(|row| Lean(Ficha(row))))
        }

        /// What changed between two of the servicio's fichas: objectives and
        /// productos added, removed and kept (matched by their text, ignoring
        /// case and accents). `desde` and `hasta` name períodos as in `ficha`.
        async fn comparacion(
            &self,
            ctx: &Context<'_>,
            desde: String,
            hasta: String,
        ) -> Result<Option<Comparacion>> {
            Comparacion::load(ctx, self.0.id, periodo(&desde)?, periodo(&hasta)?).await
        }
    }
}
