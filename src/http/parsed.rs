//! The GraphQL documents the server has parsed, kept by their text.
//!
//! Parsing is the dearest step of checking a request: about 360,000
//! instructions for the README's servicio query, a fifth of answering it
//! from the database. Dashboards and clients send the same few documents
//! again and again, with other variables, so the server keeps what it
//! parsed and lends a copy to the next request with the same text (a copy
//! costs a small part of a parse). Only the parse is saved: the limits,
//! the validation and the execution run on every request as before.
//!
//! The cache is bounded (8 MiB): a document is weighed at seventeen times
//! its text, the text and a generous allowance for its parsed form, and
//! the least used go first.

use async_graphql::parser::types::ExecutableDocument;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// The memory the kept documents are weighed against.
const BYTES: u64 = 8 << 20;

/// What a kept document is weighed at: its text, sixteen times its text
/// for its parsed form, and the bookkeeping of an entry.
#[derive(Clone)]
struct Size;

impl Weighter<String, ExecutableDocument> for Size {
    fn weight(&self, text: &String, _: &ExecutableDocument) -> u64 {
        (text.len() as u64 * 17) + 256
    }
}

/// The documents one server has parsed.
pub struct Parsed {
    documents: Cache<String, ExecutableDocument, Size>,
}

impl Default for Parsed {
    fn default() -> Self {
        Parsed {
            documents: Cache::with_weighter(1024, BYTES, Size),
        }
    }
}

impl Parsed {
    /// Give `request` the document parsed before from the same text, if
    /// one is kept. Returns whether it did.
    pub fn lend(&self, request: &mut async_graphql::Request) -> bool {
        match self.documents.get(request.query.as_str()) {
            Some(document) => {
                request.set_parsed_query(document);
                true
            }
            None => false,
        }
    }

    /// Keep the document `request` was parsed into, for the next request
    /// with the same text. A text that does not parse is not kept.
    pub fn keep(&self, request: &mut async_graphql::Request) {
        if let Ok(document) = request.parsed_query() {
            let document = document.clone();
            self.documents.insert(request.query.clone(), document);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Parsed;

    #[test]
    fn a_text_parsed_once_is_lent_to_the_next_request_and_a_broken_one_is_not_kept() {
        let parsed = Parsed::default();
        let text = "query Q($c: String!) { servicio(partida: \"07\", capitulo: $c) { nombre } }";
        let mut first = async_graphql::Request::new(text);
        assert!(!parsed.lend(&mut first), "nothing kept yet");
        parsed.keep(&mut first);
        let mut again = async_graphql::Request::new(text);
        assert!(parsed.lend(&mut again));
        let lent = format!("{:?}", again.parsed_query().expect("lent"));
        let fresh = format!(
            "{:?}",
            async_graphql::parser::parse_query(text).expect("parses")
        );
        assert_eq!(lent, fresh, "the same document as a parse gives");

        let mut broken = async_graphql::Request::new("{ servicio(");
        parsed.keep(&mut broken);
        assert!(!parsed.lend(&mut async_graphql::Request::new("{ servicio(")));
        assert!(!parsed.lend(&mut async_graphql::Request::new("{ servicio { nombre } }")));
    }
}
