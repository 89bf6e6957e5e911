//! A document's fragments as a walk of it enters them: the limits' walks
//! (`super::shape`, `super::cost`) inline fragments without expanding
//! them.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hash;
use std::rc::Rc;

use async_graphql::parser::types::{FragmentDefinition, SelectionSet};
use async_graphql::{Name, Positioned};

/// A document's fragments, by name.
pub type Fragments = HashMap<Name, Positioned<FragmentDefinition>>;

/// The fragments a walk is inside, and what it measured of each. A
/// fragment is walked once per key however often it is spread: a document
/// that spreads each fragment twice into the next inlines to billions of
/// fields, and must be measured without inlining it. A fragment that
/// spreads itself, or an unknown one, is not entered (validation refuses
/// both): it measures as `T::default()`. Spreads made [`beside`] one
/// another share the fragments being entered.
///
/// [`beside`]: Spreads::beside
pub struct Spreads<'a, K, T> {
    fragments: &'a Fragments,
    spreading: Rc<RefCell<Vec<&'a Name>>>,
    kept: HashMap<K, T>,
}

impl<'a, K: Hash + Eq, T: Clone + Default> Spreads<'a, K, T> {
    pub fn new(fragments: &'a Fragments) -> Self {
        Spreads {
            fragments,
            spreading: Rc::default(),
            kept: HashMap::new(),
        }
    }

    /// Spreads that keep another measure, inside the same fragments as
    /// `other`: a fragment entered by one is not entered again by the other.
    pub fn beside<K2, T2>(other: &Spreads<'a, K2, T2>) -> Self {
        Spreads {
            fragments: other.fragments,
            spreading: other.spreading.clone(),
            kept: HashMap::new(),
        }
    }

    /// What `walk` measures of the selection of fragment `name`, kept under
    /// `key`; `spreads` finds these spreads in `walker`.
    pub fn measure<W>(
        walker: &mut W,
        spreads: fn(&mut W) -> &mut Self,
        name: &'a Name,
        key: K,
        walk: impl FnOnce(&mut W, &'a Positioned<SelectionSet>) -> T,
    ) -> T {
        let this = spreads(walker);
        if let Some(kept) = this.kept.get(&key) {
            return kept.clone();
        }
        let fragments = this.fragments;
        let Some(fragment) = fragments.get(name) else {
            return T::default();
        };
        if this.spreading.borrow().contains(&name) {
            return T::default();
        }
        this.spreading.borrow_mut().push(name);
        let measured = walk(walker, &fragment.node.selection_set);
        let this = spreads(walker);
        this.spreading.borrow_mut().pop();
        this.kept.insert(key, measured.clone());
        measured
    }
}
