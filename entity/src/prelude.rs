//! Every entity under its domain name, plus [`TipoObjetivo`], so callers can
//! `use entity::prelude::*` and write `Partida::find()`. Models, columns and
//! active models stay in their own modules (`entity::partida::Model`, ...).

pub use crate::ficha::Entity as Ficha;
pub use crate::objetivo_institucional::Entity as ObjetivoInstitucional;
pub use crate::objetivo_institucional_ministerial::Entity as ObjetivoInstitucionalMinisterial;
pub use crate::objetivo_ministerial::Entity as ObjetivoMinisterial;
pub use crate::partida::Entity as Partida;
pub use crate::producto::Entity as Producto;
pub use crate::producto_objetivo_institucional::Entity as ProductoObjetivoInstitucional;
pub use crate::servicio::Entity as Servicio;
pub use crate::tipo_objetivo::TipoObjetivo;
