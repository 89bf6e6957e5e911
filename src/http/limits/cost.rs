//! What a request will cost in memory, estimated from its parsed document
//! before it runs: the objects its answer can hold at most. Admission
//! control (`crate::http::admission`) weighs each request by it, so only
//! as much work runs at once as the memory budget allows.
//!
//! An object is every object of the answer: each item of a list, and each
//! object a field holds (a connection, its `pageInfo`, a `fuente`, a
//! `servicio`). A field that selects `nodes` or `edges` is one of our
//! connections: its items number `first` or `last` (a literal, or a
//! variable of the request, or the variable's default), else the default
//! page ([`DEFAULT_PAGE`]), never more than [`MAX_PAGE`] (more is refused
//! when the field runs). So the objects are the sum, over the selection
//! tree, of the product of the pages above each object. Scalars cost
//! nothing of their own: an object's memory is its row and its map, not
//! its leaves. `__schema` and `__type` answer from the schema, a bounded
//! size: each counts [`INTROSPECTION_OBJECTS`].
//!
//! It is an upper bound from the document alone: the data may hold fewer
//! items than a page, and lists that are not connections (`porPartida`,
//! a `comparacion`'s lists) count as one object.
//!
//! Fragments are inlined, but each fragment is walked once per page it is
//! spread under (its cost scales with the multiplier above it), so a few
//! hundred tokens that spread into billions of fields are costed at once,
//! and a fragment that spreads itself (refused by validation) ends the
//! walk.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value, Variables};

use super::shape::INTROSPECTION_FIELDS;
use super::spreads::Spreads;
use crate::graphql::connection::{DEFAULT_PAGE, MAX_PAGE};

/// What `__schema` or `__type` counts: graphql-js's full introspection of
/// our schema answers about 1,000 objects (types, their fields, arguments
/// and type references) in 92 kB, long descriptions included, twice what as
/// many data objects take; good faith bounds the rest (see `super::shape`).
pub const INTROSPECTION_OBJECTS: u64 = 2_000;

/// The fields of a connection that hold its items.
const ITEMS: [&str; 2] = ["nodes", "edges"];

/// The most objects the answer to `operation` of `document` can hold (the
/// document's only operation when `None`), its pages read from the
/// literals and from `variables`. 0 when the document names no such
/// operation: that request is refused without running.
pub fn estimate(
    document: &ExecutableDocument,
    operation: Option<&str>,
    variables: &Variables,
) -> u64 {
    let operation = match (&document.operations, operation) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return 0,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return 0,
        },
        (DocumentOperations::Multiple(_), None) => return 0,
    };
    let costs = Spreads::new(&document.fragments);
    Walk {
        variables,
        operation: &operation.node,
        lists: Spreads::beside(&costs),
        costs,
    }
    .set(&operation.node.selection_set, None)
}

struct Walk<'a> {
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    /// A fragment's objects, once per page it is spread under.
    costs: Spreads<'a, (&'a Name, Option<u64>), u64>,
    /// Whether a fragment selects a connection's items.
    lists: Spreads<'a, &'a Name, bool>,
}

impl<'a> Walk<'a> {
    /// The objects of one instance of `set`; `page`: the items of the
    /// connection `set` belongs to, if it is one.
    fn set(&mut self, set: &'a Positioned<SelectionSet>, page: Option<u64>) -> u64 {
        let mut objects = 0u64;
        for selection in &set.node.items {
            let item = match &selection.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let name = field.name.node.as_str();
                    if INTROSPECTION_FIELDS.contains(&name) {
                        INTROSPECTION_OBJECTS
                    } else if field.selection_set.node.items.is_empty() {
                        0
                    } else if let (Some(items), true) = (page, ITEMS.contains(&name)) {
                        items.saturating_mul(1 + self.set(&field.selection_set, None))
                    } else if self.lists(&field.selection_set) {
                        let items = self.page(field);
                        1u64.saturating_add(self.set(&field.selection_set, Some(items)))
                    } else {
                        1u64.saturating_add(self.set(&field.selection_set, None))
                    }
                }
                Selection::InlineFragment(fragment) => self.set(&fragment.node.selection_set, page),
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, page)
                }
            };
            objects = objects.saturating_add(item);
        }
        objects
    }

    fn fragment(&mut self, name: &'a Name, page: Option<u64>) -> u64 {
        Spreads::measure(
            self,
            |w| &mut w.costs,
            name,
            (name, page),
            |w, set| w.set(set, page),
        )
    }

    /// Whether `set` selects a connection's items (`nodes` or `edges`),
    /// through its fragments too.
    fn lists(&mut self, set: &'a Positioned<SelectionSet>) -> bool {
        set.node
            .items
            .iter()
            .any(|selection| match &selection.node {
                Selection::Field(field) => ITEMS.contains(&field.node.name.node.as_str()),
                Selection::InlineFragment(fragment) => self.lists(&fragment.node.selection_set),
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    Spreads::measure(self, |w| &mut w.lists, name, name, |w, set| w.lists(set))
                }
            })
    }

    /// The items a connection field asks for: `first` or `last` (the larger
    /// when both, which is refused anyway), else the default page; within
    /// 0 and the largest page. A value that is not an integer (null, or of
    /// the wrong type: refused when the field runs) is as if not given.
    fn page(&self, field: &async_graphql::parser::types::Field) -> u64 {
        let asked = ["first", "last"]
            .into_iter()
            .filter_map(|argument| {
                let value = field.get_argument(argument)?.node.clone();
                match value.into_const_with(|name| self.variable(&name).ok_or(())) {
                    Ok(Value::Number(n)) => n.as_i64(),
                    _ => None,
                }
            })
            .max();
        let items = asked.unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE);
        u64::try_from(items).unwrap_or(0)
    }

    /// A variable as the request sets it, or as the operation defaults it.
    fn variable(&self, name: &Name) -> Option<Value> {
        if let Some(value) = self.variables.get(name) {
            return Some(value.clone());
        }
        let definition = self
            .operation
            .variable_definitions
            .iter()
            .find(|definition| definition.node.name.node == *name)?;
        Some(definition.node.default_value.as_ref()?.node.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(query: &str) -> u64 {
        with(query, serde_json::json!({}))
    }

    fn with(query: &str, variables: serde_json::Value) -> u64 {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        estimate(&document, None, &Variables::from_json(variables))
    }

    #[test]
    fn a_connection_counts_itself_and_its_page_of_items() {
        assert_eq!(objects("{ partidas(first: 10) { nodes { codigo } } }"), 11);
        assert_eq!(objects("{ partidas(last: 3) { nodes { codigo } } }"), 4);
        // Without first or last, the default page.
        assert_eq!(objects("{ partidas { nodes { codigo } } }"), 1 + 50);
        // A connection asked only for its count holds no items.
        assert_eq!(objects("{ partidas { totalCount } }"), 1);
        // Edges hold the edge and its node; pageInfo is one object.
        assert_eq!(
            objects(
                "{ partidas(first: 2) { pageInfo { hasNextPage } edges { cursor node { codigo } } } }"
            ),
            1 + 1 + 2 * 2
        );
        // Scalars alone cost nothing of their own.
        assert_eq!(objects("{ __typename }"), 0);
    }

    #[test]
    fn nested_pages_multiply() {
        let query = "{ partidas(first: 10) { nodes { servicios(first: 8) { nodes { ficha { productos(first: 5) { nodes { numero } } } } } } } }";
        // 1 + 10 partidas + 10 × (1 + 8 servicios + 8 × (1 ficha + 1 + 5 productos)).
        assert_eq!(objects(query), 1 + 10 + 10 * (1 + 8 + 8 * (1 + 1 + 5)));
    }

    #[test]
    fn the_bench_deep_query_is_costed_as_every_page_full() {
        let deep = include_str!("../../../bench/queries/deep.graphql");
        // 10 partidas, 80 servicios and fichas, 800 objectives with 2,400
        // ministry objectives and 4,000 productos holding 12,000 objectives,
        // and a connection object above each page.
        let pages = 10 + 80 + 80 + 800 + 2_400 + 4_000 + 12_000;
        let connections = 1 + 10 + 80 + 800 + 800 + 4_000;
        assert_eq!(objects(deep), pages + connections);
    }

    #[test]
    fn pages_come_from_variables_and_their_defaults_within_the_largest_page() {
        let query = "query Q($n: Int, $m: Int = 7) { a: partidas(first: $n) { nodes { codigo } } b: servicios(first: $m) { nodes { capitulo } } }";
        assert_eq!(
            with(query, serde_json::json!({ "n": 3 })),
            (1 + 3) + (1 + 7)
        );
        assert_eq!(
            with(query, serde_json::json!({ "n": 4, "m": 2 })),
            (1 + 4) + (1 + 2)
        );
        // Unset without a default, or null: the default page.
        assert_eq!(with(query, serde_json::json!({})), (1 + 50) + (1 + 7));
        assert_eq!(
            with(query, serde_json::json!({ "n": null })),
            (1 + 50) + (1 + 7)
        );
        // Past the largest page (refused when it runs) or negative.
        assert_eq!(
            objects("{ partidas(first: 100000) { nodes { codigo } } }"),
            501
        );
        assert_eq!(objects("{ partidas(first: -5) { nodes { codigo } } }"), 1);
    }

    #[test]
    fn fragments_are_inlined_where_they_are_spread() {
        let query = "{ partidas(first: 4) { ...Page } } fragment Page on PartidaConnection { nodes { ...P } } fragment P on Partida { servicios(first: 3) { ... on ServicioConnection { nodes { capitulo } } } }";
        assert_eq!(objects(query), 1 + 4 * (1 + 1 + 3));
        // The same fragment under two pages costs as each page says.
        let twice = "{ a: partidas(first: 2) { ...N } b: partidas(first: 5) { ...N } } fragment N on PartidaConnection { nodes { codigo } }";
        assert_eq!(objects(twice), (1 + 2) + (1 + 5));
    }

    #[test]
    fn a_fragment_bomb_is_costed_without_inlining_it() {
        let mut bomb = String::from("{ partidas(first: 1) { nodes { ...F0 } } }");
        for i in 0..60 {
            bomb += &format!(" fragment F{i} on Partida {{ ...F{n} ...F{n} }}", n = i + 1);
        }
        bomb += " fragment F60 on Partida { fuente { linea } }";
        assert_eq!(objects(&bomb), 1 + 1 + (1 << 60));
        let self_spread = "{ ...F } fragment F on Query { partidas { ...F nodes { codigo } } }";
        assert_eq!(objects(self_spread), 51);
    }

    #[test]
    fn introspection_counts_a_constant() {
        let query = "{ __schema { types { name fields { name type { name ofType { name } } } } } }";
        assert_eq!(objects(query), INTROSPECTION_OBJECTS);
        assert_eq!(
            objects(
                "{ __type(name: \"Partida\") { name } partidas(first: 1) { nodes { codigo } } }"
            ),
            INTROSPECTION_OBJECTS + 2
        );
    }

    #[test]
    fn the_operation_asked_for_is_costed() {
        let document = async_graphql::parser::parse_query(
            "query A { partidas(first: 2) { nodes { codigo } } } query B { partidas(first: 9) { nodes { codigo } } }",
        )
        .expect("parses");
        let none = Variables::default();
        assert_eq!(estimate(&document, Some("B"), &none), 10);
        assert_eq!(estimate(&document, Some("A"), &none), 3);
        assert_eq!(estimate(&document, Some("C"), &none), 0);
        assert_eq!(estimate(&document, None, &none), 0);
    }
}
