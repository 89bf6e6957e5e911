//! What a document selects, walked as it will run (fragments inlined): how
//! deep its data fields nest, and whether its introspection stays in good
//! faith.
//!
//! The depth limit is for data. graphql-js's standard introspection query
//! (what GraphiQL, codegen tools and IDE plugins send first) nests `ofType`
//! nine times under `__schema { types { fields { args { type … } } } }`,
//! fifteen fields deep, so the two introspection fields, `__schema` and
//! `__type`, and everything beneath them do not count toward it. They are
//! bounded their own way instead, after graphql-java's "good faith
//! introspection":
//!
//! - one `__schema` and one `__type` per operation;
//! - `fields`, `inputFields`, `interfaces` and `possibleTypes` at most once
//!   on a path, so a selection cannot walk the type graph in circles;
//! - at most [`MAX_OF_TYPE`] `ofType` on a path, at most
//!   [`MAX_INTROSPECTION_DEPTH`] fields deep and [`MAX_INTROSPECTION_FIELDS`]
//!   fields in all.
//!
//! Only those two *fields*, found by their name (never their alias) at the
//! root of a query, are exempt: an operation, a fragment or an alias called
//! `__schema` is walked like any other selection. (GraphQL Armor's depth
//! limit was escaped twice through such names.)
//!
//! A field's arguments nest too: a `filter` of input objects within input
//! objects (`and`, `or`, a link's predicate) is work for the server the way
//! a deep selection is. Each field's depth is therefore the deeper of its
//! selection and its arguments' values (input objects and lists, variables
//! read from the request or their defaults), so a deeply nested filter is
//! refused by the depth limit like a deep selection, before validation.
//!
//! The walk also counts the data fields a document selects once its
//! fragments are inlined. A few hundred tokens can spread fragments into
//! billions of fields, and validation walks them inlined; that count is
//! limited before anything else sees the document.
//!
//! The walk runs before validation, so it must survive documents that
//! validation will refuse: a fragment that spreads itself is not followed
//! twice on one path, and a fragment's size is computed once however often
//! it is spread.

use async_graphql::parser::types::{
    ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned, Value, Variables};

use super::spreads::{Fragments, Spreads};

/// The fields that answer introspection.
pub const INTROSPECTION_FIELDS: [&str; 2] = ["__schema", "__type"];

/// Fields that walk from a type to other types: each at most once on a path.
pub const ONCE_PER_PATH: [&str; 4] = ["fields", "inputFields", "interfaces", "possibleTypes"];

/// Most `ofType` on one path. A type in our schema wraps its named type at
/// most three times (`[Producto!]!`); graphql-js asks for nine, other
/// clients for fewer.
pub const MAX_OF_TYPE: usize = 10;

/// Deepest nesting of an introspection selection, `__schema` or `__type`
/// counting as 1 (graphql-js's full query is 15 deep).
pub const MAX_INTROSPECTION_DEPTH: usize = 20;

/// Most fields an operation's introspection may select, fragments inlined
/// (graphql-js's full query selects about 300 over our schema's types).
pub const MAX_INTROSPECTION_FIELDS: usize = 500;

/// What a document asks for, measured.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// The deepest nesting of data fields (every field counts 1, leaves
    /// too; introspection aside).
    pub depth: usize,
    /// How many data fields the operations select, fragments inlined: the
    /// work validating and ordering the answer will take.
    pub fields: usize,
    /// Whether any operation asks for `__schema` or `__type`.
    pub introspects: bool,
}

/// Introspection that is not in good faith.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unbounded {
    /// A second `__schema` or `__type` in one operation.
    #[error("an operation may ask for `{0}` once; this one asks {1} times")]
    Repeated(&'static str, usize),
    /// `fields` (or another type-walking field) beneath itself.
    #[error(
        "introspection selects `{0}` inside `{0}`; each of `fields`, `inputFields`, `interfaces` and `possibleTypes` may appear once on a path"
    )]
    Cycle(String),
    /// Too many `ofType` on one path.
    #[error("introspection nests `ofType` more than {MAX_OF_TYPE} times; no type wraps that deep")]
    OfType,
    /// Too deep.
    #[error("introspection nests fields more than {MAX_INTROSPECTION_DEPTH} levels deep")]
    Depth,
    /// Too many fields.
    #[error("introspection selects more than {MAX_INTROSPECTION_FIELDS} fields")]
    Fields,
}

/// Measure a parsed document, its variables set as `variables`.
pub fn of(document: &ExecutableDocument, variables: &Variables) -> Result<Shape, Unbounded> {
    let sizes = Spreads::new(&document.fragments);
    let mut walk = Walk {
        roots: Spreads::beside(&sizes),
        sizes,
        document,
        variables,
    };
    let mut shape = Shape::default();
    for (_, operation) in document.operations.iter() {
        let set = &operation.node.selection_set;
        let size = if operation.node.ty == OperationType::Query {
            let mut roots = Vec::new();
            let size = walk.root(set, &mut roots);
            for name in INTROSPECTION_FIELDS {
                let asked = roots
                    .iter()
                    .filter(|f| f.node.name.node.as_str() == name)
                    .count();
                if asked > 1 {
                    return Err(Unbounded::Repeated(name, asked));
                }
            }
            let mut introspection = Introspection {
                fragments: &document.fragments,
                fields: 0,
                path: Vec::new(),
                spreading: Vec::new(),
            };
            for field in &roots {
                introspection.field(field, 0)?;
            }
            shape.introspects |= !roots.is_empty();
            size
        } else {
            walk.set(set)
        };
        shape.depth = shape.depth.max(size.depth);
        shape.fields = shape.fields.saturating_add(size.fields);
    }
    Ok(shape)
}

type FieldNode = Positioned<Field>;

/// The depth and field count of a selection, fragments inlined.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    depth: usize,
    fields: usize,
}

impl Size {
    /// Two selections side by side.
    fn beside(self, other: Size) -> Size {
        Size {
            depth: self.depth.max(other.depth),
            fields: self.fields.saturating_add(other.fields),
        }
    }

    /// A field holding this selection, its arguments' values nesting
    /// `arguments` levels deep.
    fn under_a_field(self, arguments: usize) -> Size {
        Size {
            depth: self.depth.max(arguments) + 1,
            fields: self.fields.saturating_add(1),
        }
    }
}

/// The data walk, each fragment measured once ([`Spreads`]).
struct Walk<'a> {
    sizes: Spreads<'a, &'a Name, Size>,
    /// Fragments spread at a query's root: their size and the introspection
    /// fields they hold.
    roots: Spreads<'a, &'a Name, (Size, Vec<&'a FieldNode>)>,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
}

impl<'a> Walk<'a> {
    /// The size of a query's root selection, setting the introspection
    /// fields found there (through fragments too) aside in `roots`.
    fn root(&mut self, set: &'a Positioned<SelectionSet>, roots: &mut Vec<&'a FieldNode>) -> Size {
        let mut size = Size::default();
        for selection in &set.node.items {
            let item = match &selection.node {
                Selection::Field(field)
                    if INTROSPECTION_FIELDS.contains(&field.node.name.node.as_str()) =>
                {
                    roots.push(field);
                    Size::default()
                }
                Selection::Field(field) => self.field(field),
                Selection::InlineFragment(fragment) => {
                    self.root(&fragment.node.selection_set, roots)
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    let (size, found) = Spreads::measure(
                        self,
                        |w| &mut w.roots,
                        name,
                        name,
                        |w, set| {
                            let mut found = Vec::new();
                            (w.root(set, &mut found), found)
                        },
                    );
                    roots.extend(found);
                    size
                }
            };
            size = size.beside(item);
        }
        size
    }

    /// The size of a selection set: depth 0 and no fields when empty.
    fn set(&mut self, set: &'a Positioned<SelectionSet>) -> Size {
        let mut size = Size::default();
        for selection in &set.node.items {
            let item = match &selection.node {
                Selection::Field(field) => self.field(field),
                Selection::InlineFragment(fragment) => self.set(&fragment.node.selection_set),
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node),
            };
            size = size.beside(item);
        }
        size
    }

    fn fragment(&mut self, name: &'a Name) -> Size {
        Spreads::measure(self, |w| &mut w.sizes, name, name, |w, set| w.set(set))
    }

    /// The size of a field: its selection's, and its arguments' nesting.
    fn field(&mut self, field: &'a FieldNode) -> Size {
        let arguments = field
            .node
            .arguments
            .iter()
            .map(|(_, value)| {
                // Variables as the request sets them (or their defaults);
                // one that is unset nests nothing.
                let value = value.node.clone().into_const_with(|name| {
                    Ok::<_, ()>(self.variable(&name).cloned().unwrap_or(Value::Null))
                });
                value.as_ref().map_or(0, nesting)
            })
            .max()
            .unwrap_or(0);
        self.set(&field.node.selection_set).under_a_field(arguments)
    }

    /// A variable as the request sets it, or as an operation defaults it.
    fn variable(&self, name: &Name) -> Option<&'a Value> {
        if let Some(value) = self.variables.get(name) {
            return Some(value);
        }
        self.document.operations.iter().find_map(|(_, operation)| {
            let definition = operation
                .node
                .variable_definitions
                .iter()
                .find(|d| d.node.name.node == *name)?;
            Some(&definition.node.default_value.as_ref()?.node)
        })
    }
}

/// How deep `value` nests input objects and lists: 0 for a scalar.
fn nesting(value: &Value) -> usize {
    match value {
        Value::List(items) => 1 + items.iter().map(nesting).max().unwrap_or(0),
        Value::Object(fields) => 1 + fields.values().map(nesting).max().unwrap_or(0),
        _ => 0,
    }
}

/// The introspection walk: along every path, fragments inlined, stopping at
/// the first bound crossed (so its work is bounded by the bounds).
struct Introspection<'a> {
    fragments: &'a Fragments,
    fields: usize,
    /// The fields on the current path.
    path: Vec<&'a str>,
    spreading: Vec<&'a Name>,
}

impl<'a> Introspection<'a> {
    fn field(&mut self, field: &'a FieldNode, depth: usize) -> Result<(), Unbounded> {
        let name = field.node.name.node.as_str();
        self.fields += 1;
        if self.fields > MAX_INTROSPECTION_FIELDS {
            return Err(Unbounded::Fields);
        }
        if depth + 1 > MAX_INTROSPECTION_DEPTH {
            return Err(Unbounded::Depth);
        }
        if ONCE_PER_PATH.contains(&name) && self.path.contains(&name) {
            return Err(Unbounded::Cycle(name.to_owned()));
        }
        if name == "ofType" && self.path.iter().filter(|n| **n == "ofType").count() >= MAX_OF_TYPE {
            return Err(Unbounded::OfType);
        }
        self.path.push(name);
        let walked = self.set(&field.node.selection_set, depth + 1);
        self.path.pop();
        walked
    }

    fn set(&mut self, set: &'a Positioned<SelectionSet>, depth: usize) -> Result<(), Unbounded> {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => self.field(field, depth)?,
                Selection::InlineFragment(fragment) => {
                    self.set(&fragment.node.selection_set, depth)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(fragment) = self.fragments.get(name)
                        && !self.spreading.contains(&name)
                    {
                        self.spreading.push(name);
                        self.set(&fragment.node.selection_set, depth)?;
                        self.spreading.pop();
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(query: &str) -> Result<Shape, Unbounded> {
        with(query, serde_json::json!({}))
    }

    fn with(query: &str, variables: serde_json::Value) -> Result<Shape, Unbounded> {
        let document = async_graphql::parser::parse_query(query).expect("parses");
        of(&document, &Variables::from_json(variables))
    }

    fn of_types(n: usize) -> String {
        let mut s = String::from("name");
        for _ in 0..n {
            s = format!("name ofType {{ {s} }}");
        }
        s
    }

    #[test]
    fn data_depth_counts_every_field_with_fragments_inlined() {
        assert_eq!(shape("{ a }").unwrap().depth, 1);
        assert_eq!(shape("{ a { b { c } } d }").unwrap().depth, 3);
        let spread = "query { a { ...F } } fragment F on T { b { ... on T { c { d } } } }";
        assert_eq!(shape(spread).unwrap().depth, 4);
    }

    #[test]
    fn arguments_nest_toward_the_depth_like_selections() {
        // A flat filter nests one level: no deeper than its selection.
        assert_eq!(
            shape("{ partidas(filter: { codigo: \"20\" }) { totalCount } }")
                .unwrap()
                .depth,
            2
        );
        // An input object holding a list of input objects holding one:
        // four levels under the field.
        let nested = "{ partidas(filter: { and: [{ or: { codigo: \"20\" } }] }) { totalCount } }";
        assert_eq!(shape(nested).unwrap().depth, 5);
        // From a variable, or its default; in a fragment too.
        let variable = "query Q($f: PartidaFilter) { partidas(filter: $f) { totalCount } }";
        let deep = serde_json::json!({ "f": { "a": { "b": { "c": { "d": 1 } } } } });
        assert_eq!(with(variable, deep).unwrap().depth, 5);
        assert_eq!(shape(variable).unwrap().depth, 2);
        let defaulted = "query Q($f: PartidaFilter = { codigos: [\"20\"] }) { ...F } fragment F on Query { partidas(filter: $f) { totalCount } }";
        assert_eq!(shape(defaulted).unwrap().depth, 3);
    }

    #[test]
    fn introspection_does_not_count_toward_the_data_depth() {
        let query = format!(
            "{{ __schema {{ types {{ fields {{ type {{ {} }} }} }} }} a {{ b }} }}",
            of_types(9)
        );
        let shape = shape(&query).unwrap();
        assert_eq!(shape.depth, 2);
        assert!(shape.introspects);
    }

    #[test]
    fn only_the_introspection_fields_are_exempt_never_a_name() {
        let deep = "a { b { c { d { e } } } }";
        // An alias, an operation and a fragment called __schema.
        assert_eq!(shape(&format!("{{ __schema: {deep} }}")).unwrap().depth, 5);
        assert_eq!(
            shape(&format!("query __schema {{ {deep} }}"))
                .unwrap()
                .depth,
            5
        );
        let fragment = format!("{{ ...__schema }} fragment __schema on Query {{ {deep} }}");
        assert_eq!(
            shape(&fragment).unwrap(),
            Shape {
                depth: 5,
                fields: 5,
                introspects: false
            }
        );
        // __schema anywhere but at a query's root is data (and invalid).
        assert_eq!(shape("{ a { __schema { b { c } } } }").unwrap().depth, 4);
        assert_eq!(shape("mutation { __schema { b { c } } }").unwrap().depth, 3);
    }

    #[test]
    fn introspection_through_root_fragments_is_still_introspection() {
        let query =
            "{ ...I } fragment I on Query { ... on Query { __type(name: \"X\") { name } } }";
        assert_eq!(
            shape(query).unwrap(),
            Shape {
                depth: 0,
                fields: 0,
                introspects: true
            }
        );
    }

    #[test]
    fn introspection_is_held_to_good_faith() {
        assert_eq!(
            shape("{ a: __schema { description } b: __schema { description } }"),
            Err(Unbounded::Repeated("__schema", 2))
        );
        assert_eq!(
            shape("{ __type(name: \"A\") { fields { type { fields { name } } } } }"),
            Err(Unbounded::Cycle("fields".into()))
        );
        let cyclic = "{ __schema { types { ...T } } } fragment T on __Type { interfaces { possibleTypes { interfaces { name } } } }";
        assert_eq!(shape(cyclic), Err(Unbounded::Cycle("interfaces".into())));
        let of_type = format!(
            "{{ __type(name: \"A\") {{ {} }} }}",
            of_types(MAX_OF_TYPE + 1)
        );
        assert_eq!(shape(&of_type), Err(Unbounded::OfType));
        let many = format!(
            "{{ __schema {{ types {{ {} }} }} }}",
            "name ".repeat(MAX_INTROSPECTION_FIELDS)
        );
        assert_eq!(shape(&many), Err(Unbounded::Fields));
        // The same fields spread twice under one another are not a cycle.
        let siblings = "{ __schema { types { fields { name } inputFields { name } } } }";
        assert!(shape(siblings).is_ok());
    }

    #[test]
    fn fields_are_counted_inlined_without_inlining() {
        assert_eq!(shape("{ a { b c } d }").unwrap().fields, 4);
        // Each fragment spreads the next twice: 2^60 fields, counted at once.
        let mut bomb = String::from("{ ...F0 }");
        for i in 0..60 {
            bomb += &format!(" fragment F{i} on Query {{ ...F{n} ...F{n} }}", n = i + 1);
        }
        bomb += " fragment F60 on Query { a }";
        assert_eq!(shape(&bomb).unwrap().fields, 1 << 60);
        let nested = bomb
            .replace("{ ...F0 }", "{ x { ...F0 } }")
            .replace("on Query", "on X");
        assert_eq!(shape(&nested).unwrap().fields, (1 << 60) + 1);
    }

    #[test]
    fn a_self_spreading_fragment_ends_the_walk() {
        let query = "{ ...F } fragment F on Query { a { ...F } }";
        assert_eq!(shape(query).unwrap().depth, 1);
        let introspection = "{ __schema { ...S } } fragment S on __Schema { types { name } ...S }";
        assert!(shape(introspection).is_ok());
    }
}
