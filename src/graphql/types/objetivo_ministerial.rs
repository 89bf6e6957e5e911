//! A ministry objective in the graph, and its links.

use entity::{ficha, objetivo_ministerial, partida};

use super::*;

/// An objective of a ministry for a período (*Objetivos Estratégicos del
/// Ministerio*), repeated in every ficha of the ministry.
#[derive(Clone)]
pub struct ObjetivoMinisterial(pub objetivo_ministerial::Model);

graph_object! {
    #[Object]
    impl ObjetivoMinisterial
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("ObjetivoMinisterial", self.0.id);

        /// Its number in the ministry's list (*Prioridad*); the institutional
        /// objectives cite it by this number.
        field prioridad(&self) -> i32 = self.0.prioridad;

        /// Strategic or institutional management.
        field tipo(&self) -> TipoObjetivo = self.0.tipo.into();

        /// What the objective says.
        field descripcion(&self) -> &str = &self.0.descripcion;

        /// The planning período of the objective.
        async fn periodo(&self) -> Periodo {
            Periodo {
                desde: self.0.desde,
                hasta: self.0.hasta,
            }
        }

        /// The ministry.
        async fn partida(&self, ctx: &Context<'_>) -> Result<Lean<Partida>> {
            load::<partida::Entity>(ctx, self.0.partida_id)
                .await
                .map(|row| Lean(Partida(row)))
        }

        /// The institutional objectives that serve it, across every servicio of
        /// the ministry.
        list objetivos_institucionales(this, ObjetivoInstitucionalFilter, ObjetivoInstitucionalOrderBy) -> ObjetivoInstitucionalConnection = Parent::Of(ObjetivosInstitucionalesDe::Ministerial, this.0.id);

        /// The ficha and line the objective was read from (the first ficha of
        /// the ministry and período imported); null if that ficha is gone.
        async fn fuente(&self, ctx: &Context<'_>) -> Result<Option<Fuente>> {
            let Some(id) = self.0.source_ficha_id else {
                return Ok(None);
            };
            let ficha = load::<ficha::Entity>(ctx, id).await?;
            Ok(Some(fuente(&ficha, self.0.line)))
        }
    }
}
