//! A partida in the graph, and its links.

use entity::partida;

use super::*;

/// A ministry, as a budget *partida* (e.g. `20`, Ministerio Secretaría
/// General de Gobierno). Its servicios file fichas; its objectives are
/// shared by all of them.
#[derive(Clone)]
pub struct Partida(pub partida::Model);

graph_object! {
    #[Object]
    impl Partida
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("Partida", self.0.id);

        /// Budget code of the partida, as printed (`"20"`). Text: `"07"` is not `"7"`.
        field codigo(&self) -> &str = &self.0.codigo;

        /// Name of the ministry, as printed in its latest ficha.
        field nombre(&self) -> &str = &self.0.nombre;

        /// The ministry's public services (its capítulos), by capítulo.
        list servicios(this, ServicioFilter, ServicioOrderBy) -> ServicioConnection = Parent::Of(ServiciosDe::Partida, this.0.id);

        /// The ministry's objectives, by período and prioridad. `periodo`: a
        /// year (`"2025"`) or a período (`"2024-2026"`); all períodos when omitted.
        #[allow(clippy::too_many_arguments)]
        async fn objetivos_ministeriales(
            &self,
            ctx: &Context<'_>,
            periodo: Option<String>,
            filter: Option<ObjetivoMinisterialFilter>,
            order_by: Option<Vec<ObjetivoMinisterialOrderBy>>,
            first: Option<i32>,
            after: Option<String>,
            last: Option<i32>,
            before: Option<String>,
        ) -> Result<ObjetivoMinisterialConnection> {
            let parent = Parent::Of(ObjetivosMinisterialesDe::Partida, self.0.id);
            Paged::fetch(ctx, parent, || {
                let mut filtro = filter.unwrap_or_default().filtro()?;
                if let Some(text) = periodo {
                    filtro.periodo = Some(self::periodo(&text)?);
                }
                Ok((filtro, orden(order_by.as_deref()), args(first, after, last, before)))
            })
            .await
            .map(ObjetivoMinisterialConnection)
        }

        /// Counts over this partida — servicios, fichas, objectives, productos,
        /// links — for a período (a year or `"2024-2026"`) or all of them.
        async fn estadisticas(
            &self,
            ctx: &Context<'_>,
            periodo: Option<String>,
        ) -> Result<Arc<EstadisticasDePartida>> {
            let key = EstadisticasKey {
                partida: self.0.id,
                periodo: periodo.as_deref().map(self::periodo).transpose()?,
            };
            loader(ctx)?
                .load_one(key)
                .await?
                .ok_or_else(|| crate::graphql::error::ApiError::Internal.extend())
        }
    }
}

/// The partida an `EstadisticasDePartida` counts.
#[async_graphql::ComplexObject]
impl EstadisticasDePartida {
    /// The partida itself.
    async fn partida(&self, ctx: &Context<'_>) -> Result<Partida> {
        load::<partida::Entity>(ctx, self.partida_id)
            .await
            .map(Partida)
    }
}
