//! Resolving the graph's own objects without a future for every field.
//!
//! async-graphql answers an object by boxing one future per selected field
//! and driving them through a `FuturesUnordered`, however plain the field.
//! A deep answer holds some twelve thousand objects, nearly all of them a
//! column or two and a list, and that machinery (an allocation and a move
//! per field, a task per future, its wake-ups) was the largest share of the
//! server's CPU. [`Lean`] answers the same objects in one pass: a field that
//! is a value of the row ([`PlainFields`]) is written at once; only the
//! fields that wait on the request's loader become futures, polled together
//! as before, so a level still batches into one statement.
//!
//! The value is the one async-graphql would give: the same resolvers
//! answer, the same keys in the order the query asks, a failed field
//! reported and left out. A selection this pass does not take — a fragment,
//! a directive, a key selected twice — goes the library's way whole.
//!
//! The schema has no extensions; their per-field hooks would not see the
//! fields answered here.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{Field, Selection};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{Context, ContextSelectionSet, OutputType, Positioned, ServerResult, Value};
use futures_util::FutureExt;
use futures_util::future::{join_all, try_join_all};

/// The fields of an object type that are a value it holds: nothing to wait
/// for, nothing to look up.
pub trait PlainFields: ContainerType {
    /// The value of the field `ctx` selects, when it is one of these; `None`
    /// for any other, which its resolver answers.
    fn plain_field(&self, _ctx: &Context<'_>) -> Option<ServerResult<Value>> {
        None
    }
}

impl<T: PlainFields> PlainFields for &T {
    fn plain_field(&self, ctx: &Context<'_>) -> Option<ServerResult<Value>> {
        T::plain_field(self, ctx)
    }
}

/// `value` answered as the field `ctx` selects, when that takes no waiting
/// (a scalar, an enum, an object of such).
pub fn plain<T: OutputType + ?Sized>(value: &T, ctx: &Context<'_>) -> Option<ServerResult<Value>> {
    let selection = ctx.with_selection_set(&ctx.item.node.selection_set);
    value.resolve(&selection, ctx.item).now_or_never()
}

/// Whether `name`, a field's name in the schema, is the resolver `method`:
/// the schema spells `enfoque_genero` as `enfoqueGenero`.
pub fn is_field(name: &str, method: &str) -> bool {
    let mut name = name.bytes();
    let mut upper = false;
    for byte in method.bytes() {
        if byte == b'_' {
            upper = true;
            continue;
        }
        let expected = if upper {
            byte.to_ascii_uppercase()
        } else {
            byte
        };
        upper = false;
        if name.next() != Some(expected) {
            return false;
        }
    }
    name.next().is_none()
}

/// What a wrapper is to the schema: the type it wraps, so that `Lean<T>`
/// is `T` in the SDL and in introspection.
macro_rules! schema_type {
    ($wrapped:ty) => {
        fn type_name() -> Cow<'static, str> {
            <$wrapped as OutputType>::type_name()
        }

        fn qualified_type_name() -> String {
            <$wrapped as OutputType>::qualified_type_name()
        }

        fn create_type_info(registry: &mut Registry) -> String {
            <$wrapped as OutputType>::create_type_info(registry)
        }
    };
}

/// An object answered in one pass (see the module's overview); to the
/// schema it is `T`. Its answer is one allocation: the graph's links come
/// back to the types they leave (a ficha's servicio has a ficha), and a
/// future cannot hold itself.
pub struct Lean<T>(pub T);

impl<T: PlainFields> OutputType for Lean<T> {
    schema_type!(T);

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let answer: Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + '_>> =
            Box::pin(object(ctx, &self.0));
        answer.await
    }
}

/// A connection answered in one pass, like [`Lean`] but without its
/// allocation: a connection's own fields lead back to it only through its
/// lists ([`LeanList`]), which allocate once for all their items.
pub struct LeanConnection<T>(pub T);

impl<T: PlainFields> OutputType for LeanConnection<T> {
    schema_type!(T);

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        object(ctx, &self.0).await
    }
}

/// A list of objects, each answered in one pass; to the schema it is
/// `[T!]!`.
pub struct LeanList<T>(pub Vec<T>);

impl<T: PlainFields> OutputType for LeanList<T> {
    schema_type!(Vec<T>);

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        let items = self.0.iter().enumerate().map(|(index, item)| {
            let ctx = ctx.with_index(index);
            async move {
                object(&ctx, item)
                    .await
                    .map_err(|error| ctx.set_error_path(error))
            }
        });
        // One allocation for the whole list. It also ends the recursion of
        // the types: a node's list holds nodes whose lists hold nodes.
        let items: Pin<Box<dyn Future<Output = ServerResult<Vec<Value>>> + Send + '_>> =
            Box::pin(try_join_all(items));
        Ok(Value::List(items.await?))
    }
}

/// The fields of a selection this pass takes: every one a field, with no
/// directive, under a key of its own.
fn fields<'a>(
    ctx: &ContextSelectionSet<'a>,
) -> Option<impl Iterator<Item = &'a Positioned<Field>>> {
    let items = &ctx.item.node.items;
    let field = |selection: &'a Positioned<Selection>| match &selection.node {
        Selection::Field(field) if field.node.directives.is_empty() => Some(field),
        _ => None,
    };
    for (at, selection) in items.iter().enumerate() {
        let key = &field(selection)?.node.response_key().node;
        let repeated = items[..at]
            .iter()
            .filter_map(field)
            .any(|earlier| earlier.node.response_key().node == *key);
        if repeated {
            return None;
        }
    }
    Some(items.iter().filter_map(field))
}

/// `root` answered for the selection `ctx`: the value `resolve_container`
/// gives, without a future for each field.
async fn object<T: PlainFields + ?Sized>(
    ctx: &ContextSelectionSet<'_>,
    root: &T,
) -> ServerResult<Value> {
    let Some(fields) = fields(ctx) else {
        return resolve_container(ctx, root).await;
    };
    let mut answer = IndexMap::with_capacity(ctx.item.node.items.len());
    // The fields that wait, with their place in the answer.
    let mut waiting = Vec::new();
    for field in fields {
        let key = field.node.response_key().node.clone();
        if field.node.name.node == "__typename" {
            let name = root.introspection_type_name().into_owned();
            answer.insert(key, Value::String(name));
            continue;
        }
        let ctx = ctx.with_field(field);
        match root.plain_field(&ctx) {
            Some(Ok(value)) => {
                answer.insert(key, value);
            }
            Some(Err(error)) => ctx.add_error(error),
            None => {
                waiting.push((answer.len(), ctx));
                answer.insert(key, Value::Null);
            }
        }
    }
    let mut failed = Vec::new();
    let mut settle = |at: usize, result: ServerResult<Option<Value>>| match result {
        Ok(value) => answer[at] = value.unwrap_or_default(),
        Err(error) => {
            ctx.add_error(error);
            failed.push(at);
        }
    };
    match waiting.as_slice() {
        [] => {}
        [(at, field)] => settle(*at, root.resolve_field(field).await),
        _ => {
            let results =
                join_all(waiting.iter().map(|(_, field)| root.resolve_field(field))).await;
            for ((at, _), result) in waiting.iter().zip(results) {
                settle(*at, result);
            }
        }
    }
    for at in failed.into_iter().rev() {
        answer.shift_remove_index(at);
    }
    Ok(if answer.is_empty() {
        Value::Null
    } else {
        Value::Object(answer)
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Result, Schema};

    use super::*;
    use crate::graphql::connection::graph_object;

    /// An object with every kind of field: plain values, a field that
    /// waits, fields that fail, and links to more of itself.
    struct Thing {
        n: i32,
        name: &'static str,
    }

    graph_object! {
        #[Object]
        impl Thing {
            field n(&self) -> i32 = self.n;
            field display_name(&self) -> &str = self.name;
            async fn later(&self) -> i32 {
                tokio::task::yield_now().await;
                self.n * 10
            }
            async fn fails(&self) -> Result<i32> {
                Err("fails always".into())
            }
            async fn maybe(&self) -> Result<Option<i32>> {
                Err("maybe not".into())
            }
            async fn child(&self) -> Lean<Thing> {
                Lean(Thing { n: self.n + 1, name: "child" })
            }
            async fn children(&self) -> LeanList<Thing> {
                LeanList((1..=3).map(|n| Thing { n: self.n * 100 + n, name: "kid" }).collect())
            }
        }
    }

    struct Root;

    #[Object]
    impl Root {
        /// The object as async-graphql answers it.
        async fn library(&self) -> Vec<Thing> {
            vec![Thing { n: 1, name: "one" }, Thing { n: 2, name: "two" }]
        }
        /// The same object answered in one pass.
        async fn lean(&self) -> LeanList<Thing> {
            LeanList(vec![
                Thing { n: 1, name: "one" },
                Thing { n: 2, name: "two" },
            ])
        }
    }

    fn keys(value: &Value) -> Vec<&str> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    #[tokio::test]
    async fn one_pass_answers_what_the_library_answers() {
        let schema = Schema::new(Root, EmptyMutation, EmptySubscription);
        // Each selection, with the keys the one-pass answer gives in order;
        // none for those it leaves to the library, which orders keys as
        // they finish (the server puts them in order afterwards).
        let selections = [
            ("n displayName", Some(vec!["n", "displayName"])),
            (
                "b: displayName a: n __typename",
                Some(vec!["b", "a", "__typename"]),
            ),
            ("later n", Some(vec!["later", "n"])),
            // A failed field is left out, null or not, as the library does.
            ("n fails maybe displayName", Some(vec!["n", "displayName"])),
            (
                "child { later n } children { displayName later __typename }",
                Some(vec!["child", "children"]),
            ),
            ("...F n", None),
            ("... on Thing { later } n", None),
            ("n n displayName", None),
            ("displayName @include(if: true) n", None),
            ("children { n } children { later }", None),
        ];
        for (selection, order) in selections {
            let run = |field: &str| {
                let fragment = if selection.contains("...F") {
                    "fragment F on Thing { displayName }"
                } else {
                    ""
                };
                let query = format!("{{ {field} {{ {selection} }} }} {fragment}");
                schema.execute(query)
            };
            let library = run("library").await;
            let lean = run("lean").await;
            let (Value::Object(library_data), Value::Object(lean_data)) =
                (&library.data, &lean.data)
            else {
                panic!(
                    "{selection}: no data: {:?} / {:?}",
                    library.errors, lean.errors
                );
            };
            // Values compare as maps, whatever their keys' order.
            assert_eq!(library_data["library"], lean_data["lean"], "{selection}");
            let messages = |response: &async_graphql::Response| {
                let mut errors: Vec<_> = response
                    .errors
                    .iter()
                    .map(|e| (e.message.clone(), format!("{:?}", e.path)))
                    .map(|(message, path)| (message, path.replace("library", "lean")))
                    .collect();
                errors.sort();
                errors
            };
            assert_eq!(messages(&library), messages(&lean), "{selection}");
            // And the one-pass answer is in the order the query asks.
            let Value::List(items) = &lean_data["lean"] else {
                panic!("{selection}: not a list");
            };
            for item in items.iter().filter(|_| order.is_some()) {
                assert_eq!(order.as_deref(), Some(keys(item).as_slice()), "{selection}");
            }
        }
    }

    #[test]
    fn the_schema_sees_the_types_it_wraps() {
        let library = Schema::new(Root, EmptyMutation, EmptySubscription).sdl();
        assert!(library.contains("library: [Thing!]!"), "{library}");
        assert!(library.contains("lean: [Thing!]!"), "{library}");
        assert!(library.contains("child: Thing!"), "{library}");
        assert!(library.contains("children: [Thing!]!"), "{library}");
    }

    #[test]
    fn a_method_is_the_field_the_schema_spells_in_camel_case() {
        assert!(is_field("enfoqueGenero", "enfoque_genero"));
        assert!(is_field("codigo", "codigo"));
        assert!(is_field("sha256", "sha256"));
        assert!(!is_field("enfoque", "enfoque_genero"));
        assert!(!is_field("enfoqueGeneroX", "enfoque_genero"));
        assert!(!is_field("enfoquegenero", "enfoque_genero"));
        assert!(!is_field("nombre", "codigo"));
    }
}
