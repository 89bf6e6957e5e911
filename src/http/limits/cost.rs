//! What a request will cost: the objects its answer can hold at most,
//! estimated from its parsed document and the data as it is, before it
//! runs. A request that may hold more than `--max-cost` objects is refused
//! (`super::check_cost`); admission control (`crate::http::admission`)
//! weighs the others by it; every answer reports it in `extensions.cost`.
//!
//! An object is every object of the answer: each item of a list, and each
//! object a field holds (a connection, its `pageInfo`, a `fuente`, a
//! `servicio`). Scalars cost nothing of their own: an object's memory is
//! its row and its map, not its leaves. `__schema` and `__type` answer
//! from the schema, a bounded size: each counts [`INTROSPECTION_OBJECTS`].
//!
//! A list's items, for each object it hangs from, are at most its page
//! (`first` or `last`, a literal or a variable of the request or its
//! default; else the default page, [`DEFAULT_PAGE`]; never more than
//! [`MAX_PAGE`], more is refused when the field runs) and at most the
//! most children any one parent has by that link in the data now
//! ([`Maxima`], kept by the importer; `super::links` says which link each
//! list follows). A top-level list holds at most every row. So the objects
//! are the sum, over the selection tree, of the items of each level, each
//! level holding its parents' count times its own page.
//!
//! One more bound keeps deep trees honest: when the parents of a list are
//! *distinct* objects, their children together are at most the link's
//! pairs, however many parents there are (every partida's servicios
//! together are the servicios). Parents are distinct when they are one
//! object, or the items of a list whose link gives each child one parent
//! (partida → servicios → their fichas → their objectives), or the one
//! object a distinct parent holds by a field that gives each its own (a
//! servicio's `ficha`). Items of a link where a child has several parents
//! (objective ↔ producto) are not distinct: a ministry objective reached
//! from two institutional objectives is counted twice below, as the
//! answer will hold it twice. With the maxima of the data, the estimate is
//! a true upper bound on the answer; with none known ([`Maxima::unknown`])
//! it is the pages' bound alone, and a list that is not paged counts as
//! [`DEFAULT_PAGE`].
//!
//! Fragments are inlined, but each fragment is walked once per place it
//! is spread into (the same type, parents and page), so a few hundred
//! tokens that spread into billions of fields are costed at once, and a
//! fragment that spreads itself (refused by validation) ends the walk.

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned, Value, Variables};

use super::links::{self, Items, Types};
use super::shape::INTROSPECTION_FIELDS;
use super::spreads::{Fragments, Spreads};
use crate::graphql::connection::{DEFAULT_PAGE, MAX_PAGE};
use crate::loaders::Maxima;

/// What `__schema` or `__type` counts: graphql-js's full introspection of
/// our schema answers about 1,000 objects (types, their fields, arguments
/// and type references) in 92 kB, long descriptions included, twice what as
/// many data objects take; good faith bounds the rest (see `super::shape`).
pub const INTROSPECTION_OBJECTS: u64 = 2_000;

/// The fields of a connection that hold its items.
const ITEMS: [&str; 2] = ["nodes", "edges"];

/// What a request's answer may hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estimate {
    /// The most objects the answer can hold.
    pub objects: u64,
    /// The list that holds the most items, if any.
    pub heaviest: Option<Heaviest>,
}

/// A list of a query, and the most items it can hold in all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Heaviest {
    /// Its place in the answer: response keys (aliases where given) from
    /// the root, `.`-separated (`partidas.nodes.servicios`).
    pub path: String,
    /// Its items, over every object it hangs from.
    pub items: u64,
}

/// The most objects the answer to `operation` of `document` can hold (the
/// document's only operation when `None`), its pages read from the
/// literals and from `variables`, its lists bounded by `maxima`. 0 when
/// the document names no such operation: that request is refused without
/// running.
pub fn estimate(
    document: &ExecutableDocument,
    operation: Option<&str>,
    variables: &Variables,
    maxima: &Maxima,
) -> Estimate {
    let operation = match (&document.operations, operation) {
        (DocumentOperations::Single(op), _) => op,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => op,
            None => return Estimate::default(),
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => op,
            None => return Estimate::default(),
        },
        (DocumentOperations::Multiple(_), None) => return Estimate::default(),
    };
    let root = match operation.node.ty {
        OperationType::Query => "Query",
        // Not in the schema: refused by validation.
        OperationType::Mutation | OperationType::Subscription => "",
    };
    let mut walk = Walk {
        variables,
        operation: &operation.node,
        types: Types::api(),
        maxima,
        fragments: &document.fragments,
        costs: Spreads::new(&document.fragments),
        path: Vec::new(),
        heaviest: None,
    };
    let at = At {
        ty: root,
        instances: 1,
        distinct: true,
        page: None,
    };
    let objects = walk.set(&operation.node.selection_set, at);
    Estimate {
        objects,
        heaviest: walk.heaviest,
    }
}

/// Where a selection set is walked: the type it selects from, how many
/// objects of it the answer holds, whether they are distinct (see the
/// module's doc) and, for a connection, its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct At<'a> {
    ty: &'a str,
    instances: u64,
    distinct: bool,
    page: Option<Page>,
}

/// A connection's items, over every connection object, and whether they
/// are distinct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Page {
    items: u64,
    distinct: bool,
}

struct Walk<'a> {
    variables: &'a Variables,
    operation: &'a OperationDefinition,
    types: &'a Types,
    maxima: &'a Maxima,
    fragments: &'a Fragments,
    /// A fragment's objects, once per place it is spread into.
    costs: Spreads<'a, (&'a Name, At<'a>), u64>,
    /// The response keys from the root to the field being walked.
    path: Vec<&'a str>,
    heaviest: Option<Heaviest>,
}

impl<'a> Walk<'a> {
    /// The objects of `set`, over every one of its `at.instances`.
    fn set(&mut self, set: &'a Positioned<SelectionSet>, at: At<'a>) -> u64 {
        let mut objects = 0u64;
        for selection in &set.node.items {
            let item = match &selection.node {
                Selection::Field(field) => self.field(&field.node, at),
                Selection::InlineFragment(fragment) => {
                    let ty = fragment
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(at.ty, |on| on.node.on.node.as_str());
                    self.set(&fragment.node.selection_set, At { ty, ..at })
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(&spread.node.fragment_name.node, at)
                }
            };
            objects = objects.saturating_add(item);
        }
        objects
    }

    fn field(&mut self, field: &'a Field, at: At<'a>) -> u64 {
        let name = field.name.node.as_str();
        if INTROSPECTION_FIELDS.contains(&name) {
            return INTROSPECTION_OBJECTS.saturating_mul(at.instances);
        }
        if field.selection_set.node.items.is_empty() {
            return 0;
        }
        let key = field.alias.as_ref().unwrap_or(&field.name).node.as_str();
        self.path.push(key);
        let returns = self.types.field(at.ty, name);
        let named = returns.map_or("", |r| r.named.as_str());
        let objects = match (at.page, returns) {
            // A connection's items.
            (Some(page), _) if ITEMS.contains(&name) => self.each(field, named, page),
            (_, Some(r)) if self.types.is_connection(&r.named) => {
                let page = self.items(field, at, true);
                let connection = At {
                    ty: named,
                    page: Some(page),
                    ..at
                };
                at.instances
                    .saturating_add(self.set(&field.selection_set, connection))
            }
            (_, Some(r)) if r.list => {
                let page = self.items(field, at, false);
                self.each(field, named, page)
            }
            // One object each (or none: a field validation will refuse).
            _ => {
                let own =
                    links::one_each(at.ty, name) || (name == "node" && at.ty.ends_with("Edge"));
                let one = At {
                    ty: named,
                    distinct: at.instances <= 1 || (at.distinct && own),
                    page: None,
                    ..at
                };
                at.instances
                    .saturating_add(self.set(&field.selection_set, one))
            }
        };
        self.path.pop();
        objects
    }

    /// The items of list `field` under `at`, over all its parents: as many
    /// per parent as its page (`paged`) and the link's data allow, and no
    /// more than the link's pairs when the parents are distinct. Keeps the
    /// list with the most.
    /// The objects of the items of a list, or of a connection's `nodes`
    /// or `edges`, of type `ty`: each item and what it selects.
    fn each(&mut self, field: &'a Field, ty: &'a str, page: Page) -> u64 {
        let items = At {
            ty,
            instances: page.items,
            distinct: page.distinct,
            page: None,
        };
        page.items
            .saturating_add(self.set(&field.selection_set, items))
    }

    fn items(&mut self, field: &'a Field, at: At<'a>, paged: bool) -> Page {
        let page = if paged {
            self.page(field)
        } else {
            DEFAULT_PAGE as u64
        };
        let name = field.name.node.as_str();
        let (each, cap, distinct) = match links::items(at.ty, name) {
            Some(Items::Every(link)) => {
                let rows = self.maxima.total(link);
                let each = rows.map_or(page, |rows| if paged { page.min(rows) } else { rows });
                (each, None, at.instances <= 1)
            }
            Some(Items::Each(link)) => {
                let most = self.maxima.most(link);
                let each = most.map_or(page, |most| if paged { page.min(most) } else { most });
                let cap = self.maxima.total(link).filter(|_| at.distinct);
                (each, cap, at.distinct && link.one_parent())
            }
            None => (page, None, false),
        };
        let mut items = at.instances.saturating_mul(each);
        if let Some(cap) = cap {
            items = items.min(cap);
        }
        if self.heaviest.as_ref().is_none_or(|h| items > h.items) {
            self.heaviest = Some(Heaviest {
                path: self.path.join("."),
                items,
            });
        }
        Page { items, distinct }
    }

    fn fragment(&mut self, name: &'a Name, at: At<'a>) -> u64 {
        let ty = self
            .fragments
            .get(name)
            .map_or(at.ty, |f| f.node.type_condition.node.on.node.as_str());
        let at = At { ty, ..at };
        Spreads::measure(
            self,
            |w| &mut w.costs,
            name,
            (name, at),
            |w, set| w.set(set, at),
        )
    }

    /// The items a connection field asks for: `first` or `last` (the larger
    /// when both, which is refused anyway), else the default page; within
    /// 0 and the largest page. A value that is not an integer (null, or of
    /// the wrong type: refused when the field runs) is as if not given.
    fn page(&self, field: &Field) -> u64 {
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
    use crate::loaders::Link;

    fn objects(query: &str) -> u64 {
        with(query, serde_json::json!({}))
    }

    fn with(query: &str, variables: serde_json::Value) -> u64 {
        costed(query, variables, &Maxima::unknown()).objects
    }

    fn costed(query: &str, variables: serde_json::Value, maxima: &Maxima) -> Estimate {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        estimate(&document, None, &Variables::from_json(variables), maxima)
    }

    /// A small country: 3 partidas of at most 4 servicios (10 in all), one
    /// ficha each of at most 9 objectives (80 in all) and 12 productos
    /// (100 in all); an objective serves at most 3 ministry objectives and
    /// has at most 5 productos, a ministry objective is served by at most
    /// 20 objectives.
    fn country() -> Maxima {
        Maxima::of(&[
            (Link::Partidas, 3, 3),
            (Link::PartidaServicios, 4, 10),
            (Link::PartidaObjetivosMinisteriales, 6, 15),
            (Link::ServicioFichas, 1, 10),
            (Link::FichaObjetivosInstitucionales, 9, 80),
            (Link::FichaProductos, 12, 100),
            (Link::InstitucionalMinisteriales, 3, 120),
            (Link::MinisterialInstitucionales, 20, 120),
            (Link::InstitucionalProductos, 5, 150),
            (Link::ProductoInstitucionales, 2, 150),
            (Link::ProductoMinisteriales, 4, 200),
            (Link::Periodos, 2, 2),
        ])
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
        let unknown = Maxima::unknown();
        let objects = |name| estimate(&document, name, &none, &unknown).objects;
        assert_eq!(objects(Some("B")), 10);
        assert_eq!(objects(Some("A")), 3);
        assert_eq!(objects(Some("C")), 0);
        assert_eq!(objects(None), 0);
    }

    #[test]
    fn a_page_holds_no_more_than_the_data_has() {
        let country = country();
        let cost = |query: &str| costed(query, serde_json::json!({}), &country).objects;
        // Every partida: 3 of them, however large the page.
        assert_eq!(cost("{ partidas(first: 500) { nodes { codigo } } }"), 1 + 3);
        // One partida's servicios: at most 4, the most any partida has.
        assert_eq!(
            cost("{ partida(codigo: \"20\") { servicios { nodes { capitulo } } } }"),
            1 + 1 + 4
        );
        // A page smaller than the data is the bound.
        assert_eq!(
            cost("{ partida(codigo: \"20\") { servicios(first: 2) { nodes { capitulo } } } }"),
            1 + 1 + 2
        );
    }

    #[test]
    fn distinct_parents_hold_no_more_children_than_the_link_has() {
        let country = country();
        // 3 partidas × 4 servicios is 12, but there are 10 servicios; their
        // fichas, one each, hold 9 objectives each: 90, but there are 80.
        let query = "{ partidas { nodes { servicios { nodes { ficha { objetivosInstitucionales { nodes { prioridad } } } } } } } }";
        let estimate = costed(query, serde_json::json!({}), &country);
        assert_eq!(estimate.objects, 1 + 3 + 3 + 10 + 10 + 10 + 80);
        assert_eq!(
            estimate.heaviest,
            Some(Heaviest {
                path: "partidas.nodes.servicios.nodes.ficha.objetivosInstitucionales".into(),
                items: 80
            })
        );
        // Objectives reached through ministry objectives repeat: 15
        // ministry objectives × 20 objectives each, not capped at 80.
        let many = "{ objetivosMinisteriales { nodes { objetivosInstitucionales { nodes { prioridad } } } } }";
        let estimate = costed(many, serde_json::json!({}), &country);
        assert_eq!(estimate.objects, 1 + 15 + 15 + 120);
        let repeated = "{ objetivosMinisteriales { nodes { objetivosInstitucionales { nodes { productos { nodes { numero } } } } } } }";
        let estimate = costed(repeated, serde_json::json!({}), &country);
        // 120 objectives, not distinct: 120 × 5 productos, no cap.
        assert_eq!(estimate.objects, 1 + 15 + 15 + 120 + 120 + 600);
        // A ficha's servicio is shared: its fichas are not capped either.
        let up = "{ fichas { nodes { servicio { fichas { nodes { id } } } } } }";
        let estimate = costed(up, serde_json::json!({}), &country);
        assert_eq!(estimate.objects, 1 + 10 + 10 + 10 + 10);
    }

    #[test]
    fn plain_lists_hold_what_their_link_allows() {
        let country = country();
        let query = "{ servicio(partida: \"20\", capitulo: \"01\") { comparacion(desde: \"2021\", hasta: \"2024\") { productos { agregados { numero } mantenidos { antes { numero } despues { numero } } } } } estadisticas { porPartida { codigo } porPeriodo { fichas } } }";
        let estimate = costed(query, serde_json::json!({}), &country);
        // servicio, comparacion, its productos: 3; 12 agregados; 12
        // mantenidos with 2 each; estadisticas, 3 partidas, 2 períodos.
        assert_eq!(estimate.objects, 3 + 12 + 12 * 3 + 1 + 3 + 2);
    }
}
