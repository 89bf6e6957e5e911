//! A producto in the graph, and its links.

use entity::producto;

use super::*;

/// A final good or service a servicio delivers (*Bien / Servicio Final*;
/// *Producto Estratégico* in older fichas).
#[derive(Clone)]
pub struct Producto(pub producto::Model);

graph_object! {
    #[Object]
    impl Producto
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("Producto", self.0.id);

        /// Its number in the ficha's list (*Número*).
        field numero(&self) -> i32 = self.0.numero;

        /// Its name.
        field nombre(&self) -> &str = &self.0.nombre;

        /// The ficha that lists it.
        async fn ficha(&self, ctx: &Context<'_>) -> Result<Lean<Ficha>> {
            ficha_of(ctx, self.0.ficha_id).await
        }

        /// The servicio that delivers it.
        async fn servicio(&self, ctx: &Context<'_>) -> Result<Lean<Servicio>> {
            servicio_of(ctx, self.0.ficha_id).await
        }

        /// The institutional objectives it serves (*N° Objetivo Estratégico Relacionado*).
        list objetivos_institucionales(this, ObjetivoInstitucionalFilter, ObjetivoInstitucionalOrderBy) -> ObjetivoInstitucionalConnection = Parent::Of(ObjetivosInstitucionalesDe::Producto, this.0.id);

        /// The ministry objectives it ultimately serves, through the
        /// institutional objectives it serves (each once).
        list objetivos_ministeriales(this, ObjetivoMinisterialFilter, ObjetivoMinisterialOrderBy) -> ObjetivoMinisterialConnection = Parent::Of(ObjetivosMinisterialesDe::Producto, this.0.id);

        /// The ficha file and line the producto was read from.
        async fn fuente(&self, ctx: &Context<'_>) -> Result<Fuente> {
            fuente_in(ctx, self.0.ficha_id, self.0.line).await
        }
    }
}
