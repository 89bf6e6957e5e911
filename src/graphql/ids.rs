//! Relay global ids: `base64("Tipo:id")`, opaque to clients and stable
//! while the row exists (a replaced ficha keeps its id).

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The global id of row `id` of a type.
pub fn global_id(type_name: &str, id: i32) -> ID {
    ID(STANDARD.encode(format!("{type_name}:{id}")))
}

/// The type name and row id of a global id, if it is one.
pub fn parse_global_id(id: &str) -> Option<(String, i32)> {
    let text = String::from_utf8(STANDARD.decode(id).ok()?).ok()?;
    let (type_name, row) = text.split_once(':')?;
    Some((type_name.to_owned(), row.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip() {
        let id = global_id("Producto", 42);
        assert_eq!(parse_global_id(&id), Some(("Producto".to_owned(), 42)));
        assert_eq!(parse_global_id("not base64!"), None);
        assert_eq!(parse_global_id(&STANDARD.encode("Producto")), None);
    }
}
