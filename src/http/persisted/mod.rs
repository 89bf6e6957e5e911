//! Persisted queries: GraphQL documents stored once, in the database, and
//! named afterwards by the SHA-256 of their text, so that a dashboard sends
//! a short hash instead of its queries and a GET carrying only that hash is
//! a URL caches and CDNs can keep.
//!
//! The protocol is Apollo's *Automatic Persisted Queries*: a request's
//! `extensions.persistedQuery` holds `{ "version": 1, "sha256Hash": … }`.
//!
//! - A hash alone runs the document stored under it, or is answered
//!   `PersistedQueryNotFound` (code `PERSISTED_QUERY_NOT_FOUND`), and the
//!   client sends the hash again with its query.
//! - A hash with its query registers the document — after checking the
//!   hash is the query's, and once it has run (a document that does not
//!   parse, validate or pass the limits is never stored).
//! - With `--persisted-only` ([`PersistedSettings`]) the server runs only
//!   the documents an operator loaded with `definiciones persist` (the
//!   *trusted* ones): an allow-list. Clients cannot register; a document
//!   sent in full runs when it is the exact text of a trusted one;
//!   anything else is refused `PERSISTED_QUERY_ONLY`, introspection
//!   included.
//!
//! Where documents are kept and looked up is [`documents`]; checking a
//! document against the schema before an operator stores it is
//! [`validate`]. Reading the extension off the request is done here for
//! `super::request`; limits, the response cache and execution treat a
//! stored document exactly as one sent in full (`super::endpoint`).

pub mod documents;
pub mod validate;

use async_graphql::{BatchRequest, BatchResponse, ServerError};
use sha2::{Digest, Sha256};

pub use documents::{Documents, Persisted, persist};

/// The request extension that names a persisted query.
pub const EXTENSION: &str = "persistedQuery";

/// The one version of the protocol.
pub const VERSION: u64 = 1;

/// A hash no document is stored under (or, on a locked server, no trusted
/// one). Apollo's clients retry with the query on this code or message.
pub const NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";

/// The message Apollo's clients look for, as Apollo Server words it.
pub const NOT_FOUND_MESSAGE: &str = "PersistedQueryNotFound";

/// A hash that is not the SHA-256 of the query sent with it.
pub const HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";

/// A document that is not on a locked server's allow-list.
pub const ONLY: &str = "PERSISTED_QUERY_ONLY";

/// The codes of this module's refusals: nothing ran.
pub const CODES: [&str; 3] = [NOT_FOUND, HASH_MISMATCH, ONLY];

/// How the server treats persisted queries (`definiciones serve --help`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct PersistedSettings {
    /// Run only the documents stored with `definiciones persist`, by their
    /// hash or in full: an allow-list for public servers. Clients cannot
    /// store documents, and anything else (introspection too) is refused
    /// with PERSISTED_QUERY_ONLY.
    #[arg(long = "persisted-only", env = "DEFINICIONES_PERSISTED_ONLY")]
    pub persisted_only: bool,
}

/// The hash a document is stored under: the SHA-256 of its exact text, in
/// lowercase hex.
pub fn hash(document: &str) -> String {
    hex::encode(Sha256::digest(document.as_bytes()))
}

/// The hash named by an `extensions.persistedQuery` value, in lowercase;
/// what is wrong with it otherwise.
pub fn read_extension(value: &serde_json::Value) -> Result<String, String> {
    let version = value.get("version").and_then(serde_json::Value::as_u64);
    if version != Some(VERSION) {
        return Err(format!(
            "`extensions.{EXTENSION}.version` must be {VERSION}, the only version of persisted queries"
        ));
    }
    match value.get("sha256Hash").and_then(serde_json::Value::as_str) {
        Some(hash) if hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(hash.to_ascii_lowercase())
        }
        _ => Err(format!(
            "`extensions.{EXTENSION}.sha256Hash` must be the SHA-256 of the query as 64 hexadecimal digits"
        )),
    }
}

/// Mark `request` as naming the persisted query `hash` (read by
/// [`Documents::resolve`]).
pub fn name(request: &mut async_graphql::Request, hash: String) {
    request
        .extensions
        .insert(EXTENSION.to_owned(), async_graphql::Value::String(hash));
}

/// The hash `request` names, as [`name`] left it.
fn named(request: &async_graphql::Request) -> Option<String> {
    match request.extensions.get(EXTENSION)? {
        async_graphql::Value::String(hash) => Some(hash.clone()),
        _ => None,
    }
}

/// A GraphQL error with a code and no place in the document.
fn refusal(code: &'static str, message: impl Into<String>) -> ServerError {
    super::limits::refused(code, message.into())
}

/// A request's operations with every hash replaced by its document, each
/// one that cannot run replaced by its refusal.
pub struct Resolved {
    /// Whether the request was a batch (a JSON array).
    pub batch: bool,
    /// The operations, in order.
    pub operations: Vec<Result<async_graphql::Request, ServerError>>,
    /// SQL statements the lookups ran (none once the documents are in
    /// memory).
    pub statements: usize,
    /// Whether a hash was not found: the answer says so, and no cache
    /// should keep it (the document may be stored a moment later).
    pub missing: bool,
    /// Documents clients sent with their hash, to be stored once they have
    /// run: the operation's place, the hash and the text.
    registrations: Vec<(usize, String, String)>,
}

impl Resolved {
    /// Store the documents clients sent with their hash whose operations
    /// ran (parsed, validated and passed the limits); returns the SQL
    /// statements that took.
    pub async fn register(self, documents: &Documents, response: &BatchResponse) -> usize {
        let answers: Vec<&async_graphql::Response> = match response {
            BatchResponse::Single(one) => vec![one],
            BatchResponse::Batch(all) => all.iter().collect(),
        };
        let mut statements = 0;
        for (at, hash, text) in self.registrations {
            if answers
                .get(at)
                .is_some_and(|answer| !super::protocol::never_ran(answer))
            {
                statements += documents.register(&hash, &text).await;
            }
        }
        statements
    }
}

impl Documents {
    /// Replace each hash `request` names by its document, check each hash
    /// sent with a query, and on a locked server refuse what is not on the
    /// allow-list.
    pub async fn resolve(&self, request: BatchRequest) -> Resolved {
        let (batch, all) = match request {
            BatchRequest::Single(one) => (false, vec![one]),
            BatchRequest::Batch(all) => (true, all),
        };
        let mut resolved = Resolved {
            batch,
            operations: Vec::with_capacity(all.len()),
            statements: 0,
            missing: false,
            registrations: Vec::new(),
        };
        for (at, one) in all.into_iter().enumerate() {
            let outcome = self.resolve_one(one, at, &mut resolved).await;
            resolved.operations.push(outcome);
        }
        resolved
    }

    async fn resolve_one(
        &self,
        mut one: async_graphql::Request,
        at: usize,
        resolved: &mut Resolved,
    ) -> Result<async_graphql::Request, ServerError> {
        let named = named(&one);
        // A hash alone: the document is the stored one.
        let by_hash = named.is_some() && one.query.is_empty();
        let hash = match named {
            None if !self.locked() => return Ok(one),
            None => hash(&one.query),
            Some(hash) if by_hash => hash,
            Some(hash) => {
                let actual = self::hash(&one.query);
                if hash != actual {
                    metrics::counter!(super::metrics::PERSISTED_REFUSED).increment(1);
                    return Err(refusal(
                        HASH_MISMATCH,
                        format!(
                            "the query's SHA-256 is {actual}, not the `sha256Hash` sent with it ({hash}): \
                             send the hash of the query's exact text"
                        ),
                    ));
                }
                hash
            }
        };
        let (found, statements) = self.find(&hash).await;
        resolved.statements += statements;
        let found = found.map_err(|error| {
            let mut refusal = ServerError::new(error.message, None);
            refusal.extensions = error.extensions;
            refusal
        })?;
        match found {
            Some(document) if by_hash => {
                one.query = document.to_string();
                Ok(one)
            }
            // Sent in full, and the very text stored.
            Some(_) => Ok(one),
            None if by_hash => {
                resolved.missing = true;
                Err(refusal(NOT_FOUND, NOT_FOUND_MESSAGE))
            }
            None if self.locked() => {
                metrics::counter!(super::metrics::PERSISTED_REFUSED).increment(1);
                Err(refusal(
                    ONLY,
                    "this server runs only the queries its operators stored (--persisted-only): \
                     send the `sha256Hash` of a document stored with `definiciones persist`, \
                     or that document's exact text",
                ))
            }
            None => {
                resolved.registrations.push((at, hash, one.query.clone()));
                Ok(one)
            }
        }
    }
}
