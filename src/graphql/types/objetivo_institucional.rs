//! An institutional objective in the graph, and its links.

use entity::objetivo_institucional;

use super::*;

/// An objective of a servicio itself (*Objetivos Estratégicos
/// Institucionales*), declared in one ficha.
#[derive(Clone)]
pub struct ObjetivoInstitucional(pub objetivo_institucional::Model);

graph_object! {
    #[Object]
    impl ObjetivoInstitucional
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("ObjetivoInstitucional", self.0.id);

        /// Its number in the servicio's list (*Prioridad*); productos cite it by
        /// this number.
        field prioridad(&self) -> i32 = self.0.prioridad;

        /// Strategic or institutional management.
        field tipo(&self) -> TipoObjetivo = self.0.tipo.into();

        /// What the objective says.
        field descripcion(&self) -> &str = &self.0.descripcion;

        /// Whether the ficha marks it with a gender focus (*Enfoque de Género*).
        field enfoque_genero(&self) -> bool = self.0.enfoque_genero;

        /// Whether the ficha marks it as addressing climate change (*Cambio Climático*).
        field cambio_climatico(&self) -> bool = self.0.cambio_climatico;

        /// The ficha that declares it.
        async fn ficha(&self, ctx: &Context<'_>) -> Result<Lean<Ficha>> {
            ficha_of(ctx, self.0.ficha_id).await
        }

        /// The servicio whose objective it is.
        async fn servicio(&self, ctx: &Context<'_>) -> Result<Lean<Servicio>> {
            servicio_of(ctx, self.0.ficha_id).await
        }

        /// The ministry objectives it serves (*Objetivos del Ministerio Relacionados*).
        list objetivos_ministeriales(this, ObjetivoMinisterialFilter, ObjetivoMinisterialOrderBy) -> ObjetivoMinisterialConnection = Parent::Of(ObjetivosMinisterialesDe::Institucional, this.0.id);

        /// The productos that serve it.
        list productos(this, ProductoFilter, ProductoOrderBy) -> ProductoConnection = Parent::Of(ProductosDe::Institucional, this.0.id);

        /// The ficha file and line the objective was read from.
        async fn fuente(&self, ctx: &Context<'_>) -> Result<Fuente> {
            fuente_in(ctx, self.0.ficha_id, self.0.line).await
        }
    }
}
