//! A ficha in the graph, and its links.

use entity::{ficha, servicio};

use super::*;

/// A *Ficha de Identificación — Definiciones Estratégicas*: what one
/// servicio declared for one planning período.
#[derive(Clone)]
pub struct Ficha(pub ficha::Model);

graph_object! {
    #[Object]
    impl Ficha
    {
        /// Global identifier.
        pub field id(&self) -> ID = global_id("Ficha", self.0.id);

        /// The planning período the ficha covers.
        async fn periodo(&self) -> Periodo {
            Periodo {
                desde: self.0.desde,
                hasta: self.0.hasta,
            }
        }

        /// The law or decree the servicio is governed by (*Ley orgánica o
        /// Decreto que la rige*).
        field ley_organica(&self) -> &str = &self.0.ley_organica;

        /// The servicio's mission (*Misión Institucional*).
        field mision(&self) -> &str = &self.0.mision;

        /// The ministry's name as printed in this ficha.
        field partida_nombre(&self) -> &str = &self.0.partida_nombre;

        /// The servicio's name as printed in this ficha.
        field servicio_nombre(&self) -> &str = &self.0.servicio_nombre;

        /// The servicio that filed the ficha.
        async fn servicio(&self, ctx: &Context<'_>) -> Result<Lean<Servicio>> {
            load::<servicio::Entity>(ctx, self.0.servicio_id)
                .await
                .map(|row| Lean(Servicio(row)))
        }

        /// The servicio's own objectives in this ficha, by prioridad.
        list objetivos_institucionales(this, ObjetivoInstitucionalFilter, ObjetivoInstitucionalOrderBy) -> ObjetivoInstitucionalConnection = Parent::Of(ObjetivosInstitucionalesDe::Ficha, this.0.id);

        /// The final goods and services (*Bienes / Servicios Finales*) of this
        /// ficha, by número.
        list productos(this, ProductoFilter, ProductoOrderBy) -> ProductoConnection = Parent::Of(ProductosDe::Ficha, this.0.id);

        /// The file the ficha was imported from; `linea` is its title's line.
        field fuente(&self) -> Fuente = fuente(&self.0, self.0.line);
    }
}

impl Ficha {
    /// The lists of `ficha`'s selection that can be read with the ficha's
    /// own statement, whose row holds its id in `outer`: its objectives
    /// and productos, read with the filter and order their fields above
    /// read. A field takes its page from there when its arguments match
    /// (`crate::graphql::list_fields::FieldArgs`), and loads its own
    /// otherwise.
    pub fn lists_ahead(
        ficha: &async_graphql::SelectionField<'_>,
        backend: sea_orm::DatabaseBackend,
        outer: (&'static str, &'static str),
    ) -> Vec<ListAhead> {
        ficha
            .selection_set()
            .filter_map(|field| match field.name() {
                "objetivosInstitucionales" => {
                    ListAhead::of::<
                        ObjetivosInstitucionales,
                        ObjetivoInstitucionalFilter,
                        ObjetivoInstitucionalOrderBy,
                    >(&field, ObjetivosInstitucionalesDe::Ficha, backend, outer)
                }
                "productos" => ListAhead::of::<Productos, ProductoFilter, ProductoOrderBy>(
                    &field,
                    ProductosDe::Ficha,
                    backend,
                    outer,
                ),
                _ => None,
            })
            .collect()
    }
}
