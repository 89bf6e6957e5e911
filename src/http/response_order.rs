//! Answers with their fields in the order the query asked for them.
//!
//! GraphQL orders a response's fields as the query selects them.
//! async-graphql 7.2 resolves sibling fields concurrently and keeps them in
//! the order they *finished*, so the same query over the same data could
//! be written with its keys in another order — a different body, a
//! different `ETag`, a spurious 200 where a 304 was due. [`Order`] is the
//! field order of an operation (aliases, fragments and inline fragments
//! included), taken from the parsed query before it runs; [`Order::apply`]
//! puts an answer's objects in that order afterwards.

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// The order of the response keys of one selection, and of each key's own
/// selection.
#[derive(Debug, Default)]
pub struct Order(IndexMap<Name, Order>);

impl Order {
    /// The field order of the operation `operation` (the only one when
    /// `None`) of `document`; `None` when there is no such operation.
    pub fn of(document: &ExecutableDocument, operation: Option<&str>) -> Option<Order> {
        let operation = match (&document.operations, operation) {
            (DocumentOperations::Single(op), _) => op,
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name)?,
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next()?,
            (DocumentOperations::Multiple(_), None) => return None,
        };
        let mut order = Order::default();
        order.collect(
            document,
            &operation.node.selection_set.node,
            &mut Vec::new(),
        );
        Some(order)
    }

    /// Add a selection's keys in document order, first occurrence first,
    /// entering fragments (`spreading`: the fragments being entered, so a
    /// cycle — refused by validation anyway — cannot recurse forever).
    fn collect<'a>(
        &mut self,
        document: &'a ExecutableDocument,
        set: &'a SelectionSet,
        spreading: &mut Vec<&'a Name>,
    ) {
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => {
                    let key = field.node.response_key().node.clone();
                    self.0.entry(key).or_default().collect(
                        document,
                        &field.node.selection_set.node,
                        spreading,
                    );
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if spreading.contains(&name) {
                        continue;
                    }
                    if let Some(fragment) = document.fragments.get(name) {
                        spreading.push(name);
                        self.collect(document, &fragment.node.selection_set.node, spreading);
                        spreading.pop();
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.collect(document, &inline.node.selection_set.node, spreading);
                }
            }
        }
    }

    /// The response keys of this selection in order, each with its own
    /// selection (empty for a scalar).
    pub fn fields(&self) -> impl Iterator<Item = (&Name, &Order)> {
        self.0.iter()
    }

    /// Whether the keys of `map` come in this order.
    fn holds(&self, map: &IndexMap<Name, Value>) -> bool {
        let mut names = self.0.keys();
        map.keys().all(|key| names.any(|name| name == key))
    }

    /// Put every object of `value` in this order (lists element by element).
    ///
    /// Most objects come back in order already (their fields resolved in
    /// the order asked): they are checked and walked beside the order, key
    /// by key, without a lookup; only the others are sorted.
    pub fn apply(&self, value: &mut Value) {
        match value {
            Value::Object(map) => {
                if !self.holds(map) {
                    map.sort_by_cached_key(|key, _| self.0.get_index_of(key).unwrap_or(usize::MAX));
                }
                // In order now, keys the order lacks (none, in practice)
                // last: each key's own order is further along the order.
                let mut orders = self.0.iter();
                for (key, value) in map.iter_mut() {
                    if let Some((_, order)) = orders.by_ref().find(|(name, _)| *name == key) {
                        order.apply(value);
                    }
                }
            }
            Value::List(items) => {
                for item in items {
                    self.apply(item);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn objects_take_the_order_of_the_query_through_aliases_and_fragments() {
        let document = parse_query(
            "query Q { b: partida { ...P nombre } a: fichas { nodes { id mision } } }
             fragment P on Partida { codigo ... on Partida { servicios { nodes { nombre capitulo } } } }",
        )
        .expect("parses");
        let order = Order::of(&document, Some("Q")).expect("an operation");
        let mut value = Value::from_json(serde_json::json!({
            "a": { "nodes": [ { "mision": "m", "id": "1" }, { "mision": "n", "id": "2" } ] },
            "b": {
                "nombre": "N",
                "servicios": { "nodes": [ { "capitulo": "01", "nombre": "S" } ] },
                "codigo": "20"
            }
        }))
        .expect("a value");
        order.apply(&mut value);
        assert_eq!(keys(&value), ["b", "a"]);
        let Value::Object(root) = &value else {
            unreachable!()
        };
        assert_eq!(keys(&root["b"]), ["codigo", "servicios", "nombre"]);
        let Value::Object(fichas) = &root["a"] else {
            unreachable!()
        };
        let Value::List(nodes) = &fichas["nodes"] else {
            unreachable!()
        };
        assert!(nodes.iter().all(|n| keys(n) == ["id", "mision"]));
    }

    #[test]
    fn an_object_in_order_already_has_its_own_fields_ordered_even_with_one_skipped() {
        let document = parse_query(
            "{ partida { codigo nombre @skip(if: true) servicios { nodes { nombre capitulo } } } }",
        )
        .expect("parses");
        let order = Order::of(&document, None).expect("an operation");
        let mut value = Value::from_json(serde_json::json!({
            "partida": {
                "codigo": "20",
                "servicios": { "nodes": [ { "capitulo": "01", "nombre": "S" } ] }
            }
        }))
        .expect("a value");
        order.apply(&mut value);
        let Value::Object(root) = &value else {
            unreachable!()
        };
        assert_eq!(keys(&root["partida"]), ["codigo", "servicios"]);
        let Value::Object(partida) = &root["partida"] else {
            unreachable!()
        };
        let Value::Object(servicios) = &partida["servicios"] else {
            unreachable!()
        };
        let Value::List(nodes) = &servicios["nodes"] else {
            unreachable!()
        };
        assert_eq!(keys(&nodes[0]), ["nombre", "capitulo"]);
    }

    #[test]
    fn an_unknown_operation_has_no_order() {
        let document = parse_query("query A { x } query B { y }").expect("parses");
        assert!(Order::of(&document, None).is_none());
        assert!(Order::of(&document, Some("C")).is_none());
        assert!(Order::of(&document, Some("B")).is_some());
    }
}
