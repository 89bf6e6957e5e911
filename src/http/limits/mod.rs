//! Query limits: abusive queries are refused before they touch the
//! database, each with its own `extensions.code` and the limit named in the
//! message.
//!
//! The text is measured before it is parsed (size, tokens, bracket
//! nesting — so a hostile document cannot exhaust the parser), the parsed
//! document is counted (aliases, directives) and measured (the depth and
//! number of its data fields, fragments inlined, the nesting of a field's
//! arguments (a `filter`) counted in its depth; its introspection held to
//! good faith, see
//! [`shape`]), and then costed: the objects its answer can hold at most,
//! from its pages and the data as it is ([`cost`], [`links`]), within
//! `--max-cost` ([`check_cost`]). Limits on the HTTP exchange itself (body
//! size, batch size, time) are enforced by `super::endpoint`, which also
//! weighs each request by its cost for admission control
//! (`super::admission`) and reports it in every answer's
//! `extensions.cost`.

pub mod cost;
pub mod links;
pub mod shape;
mod spreads;

use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, ServerError};

/// The limits, each configurable (`definiciones serve --help`).
#[derive(Debug, Clone, clap::Args)]
pub struct Limits {
    /// Deepest nesting of data fields a query may have (introspection,
    /// `__schema` and `__type`, is bounded on its own).
    #[arg(
        long = "max-depth",
        env = "DEFINICIONES_MAX_DEPTH",
        default_value_t = Limits::DEFAULT.depth
    )]
    pub depth: usize,
    /// Most objects a query's answer may hold, as estimated before it
    /// runs: each list counts as many items as its page and the data allow
    /// (every answer shows its estimate in `extensions.cost`).
    #[arg(
        long = "max-cost",
        env = "DEFINICIONES_MAX_COST",
        default_value_t = Limits::DEFAULT.cost
    )]
    pub cost: u64,
    /// Retired: the cost of a query is now a number of objects, limited by
    /// `--max-cost`. Setting this is refused, so that a deployment does not
    /// silently lose the limit it asked for.
    #[arg(
        long = "max-complexity",
        env = "DEFINICIONES_MAX_COMPLEXITY",
        hide = true,
        value_parser = retired_complexity
    )]
    pub retired_complexity: Option<u64>,
    /// Most data fields a query may select once its fragments are inlined
    /// (a fragment spread twice counts twice).
    #[arg(
        long = "max-fields",
        env = "DEFINICIONES_MAX_FIELDS",
        default_value_t = Limits::DEFAULT.fields
    )]
    pub fields: usize,
    /// Most aliases a query may use.
    #[arg(
        long = "max-aliases",
        env = "DEFINICIONES_MAX_ALIASES",
        default_value_t = Limits::DEFAULT.aliases
    )]
    pub aliases: usize,
    /// Most directives a query may use.
    #[arg(
        long = "max-directives",
        env = "DEFINICIONES_MAX_DIRECTIVES",
        default_value_t = Limits::DEFAULT.directives
    )]
    pub directives: usize,
    /// Deepest nesting of brackets ({, (, [) the query text may have.
    #[arg(
        long = "max-recursion",
        env = "DEFINICIONES_MAX_RECURSION",
        default_value_t = Limits::DEFAULT.recursion
    )]
    pub recursion: usize,
    /// Longest query text, in characters.
    #[arg(
        long = "max-query-chars",
        env = "DEFINICIONES_MAX_QUERY_CHARS",
        default_value_t = Limits::DEFAULT.query_chars
    )]
    pub query_chars: usize,
    /// Most tokens (names, punctuation, values) a query text may have.
    #[arg(
        long = "max-query-tokens",
        env = "DEFINICIONES_MAX_QUERY_TOKENS",
        default_value_t = Limits::DEFAULT.query_tokens
    )]
    pub query_tokens: usize,
    /// Largest request body, in bytes (larger ones get 413).
    #[arg(long = "max-body-bytes", env = "DEFINICIONES_MAX_BODY_BYTES", default_value_t = Limits::DEFAULT.body_bytes)]
    pub body_bytes: usize,
    /// Most operations in one batched request (a JSON array).
    #[arg(
        long = "max-batch",
        env = "DEFINICIONES_MAX_BATCH",
        default_value_t = Limits::DEFAULT.batch
    )]
    pub batch: usize,
    /// Longest a request may run, in milliseconds; then it is stopped.
    #[arg(
        long = "request-timeout-ms",
        env = "DEFINICIONES_REQUEST_TIMEOUT_MS",
        default_value_t = Limits::DEFAULT.timeout_ms
    )]
    pub timeout_ms: u64,
    /// Refuse introspection (`__schema`, `__type`): for public servers whose
    /// clients know the schema. GraphiQL and code generators need it on.
    #[arg(
        long = "disable-introspection",
        env = "DEFINICIONES_DISABLE_INTROSPECTION"
    )]
    pub disable_introspection: bool,
}

impl Limits {
    /// Every limit's default, as `definiciones serve --help` shows it.
    pub const DEFAULT: Limits = Limits {
        depth: 12,
        cost: 100_000,
        retired_complexity: None,
        fields: 10_000,
        aliases: 30,
        directives: 50,
        recursion: 32,
        query_chars: 100_000,
        query_tokens: 5_000,
        body_bytes: 1024 * 1024,
        batch: 10,
        timeout_ms: 10_000,
        disable_introspection: false,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// `--max-complexity` (and `DEFINICIONES_MAX_COMPLEXITY`): always refused,
/// saying what replaced it.
fn retired_complexity(_: &str) -> Result<u64, String> {
    Err(format!(
        "`--max-complexity` (DEFINICIONES_MAX_COMPLEXITY) is retired: the limit is now the objects an answer may hold, `--max-cost` (DEFINICIONES_MAX_COST, {} by default); set that instead",
        Limits::DEFAULT.cost
    ))
}

impl Limits {
    /// The request timeout.
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// What a limit counts; each has its code and says what was found.
#[derive(Debug, Clone, Copy)]
enum Counted {
    Chars,
    Tokens,
    Nesting,
    Aliases,
    Directives,
    Fields,
    Depth,
}

impl Counted {
    /// The limit on this count.
    fn limit(self, limits: &Limits) -> usize {
        match self {
            Counted::Chars => limits.query_chars,
            Counted::Tokens => limits.query_tokens,
            Counted::Nesting => limits.recursion,
            Counted::Aliases => limits.aliases,
            Counted::Directives => limits.directives,
            Counted::Fields => limits.fields,
            Counted::Depth => limits.depth,
        }
    }

    /// The code of a refusal.
    fn code(self) -> &'static str {
        match self {
            Counted::Chars => "QUERY_TOO_LARGE",
            Counted::Tokens => "TOKEN_LIMIT_EXCEEDED",
            Counted::Nesting => "RECURSION_LIMIT_EXCEEDED",
            Counted::Aliases => "ALIAS_LIMIT_EXCEEDED",
            Counted::Directives => "DIRECTIVE_LIMIT_EXCEEDED",
            Counted::Fields => "FIELD_LIMIT_EXCEEDED",
            Counted::Depth => "DEPTH_LIMIT_EXCEEDED",
        }
    }

    /// What a query with `n` of this has.
    fn found(self, n: usize) -> String {
        match self {
            Counted::Chars => format!("the query is {n} characters long"),
            Counted::Tokens => format!("the query has {n} tokens"),
            Counted::Nesting => format!("the query nests brackets {n} levels deep"),
            Counted::Aliases => format!("the query uses {n} aliases"),
            Counted::Directives => format!("the query uses {n} directives"),
            Counted::Fields => {
                format!("the query selects {n} fields once its fragments are inlined")
            }
            Counted::Depth => format!("the query nests fields {n} levels deep"),
        }
    }
}

/// Refuse when a query has `found` of `what`, more than its limit allows,
/// saying what was found and the limit.
fn within(what: Counted, found: usize, limits: &Limits) -> Result<(), ServerError> {
    let limit = what.limit(limits);
    if found > limit {
        return Err(refused(
            what.code(),
            format!("{}; at most {limit} are allowed", what.found(found)),
        ));
    }
    Ok(())
}

/// A refusal with its code.
pub fn refused(code: &'static str, message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// Check a request's text and document before it runs: size, tokens and
/// bracket nesting before parsing, then the parsed document's aliases,
/// directives, depth and introspection (the document is kept in the
/// request, so it is parsed once). Its cost needs the data, and is
/// checked apart ([`check_cost`]).
///
/// These checks run outside the schema on purpose: an async-graphql
/// extension would wrap the resolution of every field of every answer.
pub fn check(request: &mut async_graphql::Request, limits: &Limits) -> Result<(), ServerError> {
    check_text(&request.query, limits)?;
    // The document borrows the request: lend the walk its variables.
    let variables = std::mem::take(&mut request.variables);
    let checked = check_document(request, &variables, limits);
    request.variables = variables;
    checked
}

/// Check the parsed document of a request whose variables are `variables`.
fn check_document(
    request: &mut async_graphql::Request,
    variables: &async_graphql::Variables,
    limits: &Limits,
) -> Result<(), ServerError> {
    // A document that does not parse is left to the schema, which reports
    // it as any other parse error.
    let Ok(document) = request.parsed_query() else {
        return Ok(());
    };
    let counts = count(document);
    within(Counted::Aliases, counts.aliases, limits)?;
    within(Counted::Directives, counts.directives, limits)?;
    let shape = shape::of(document, variables).map_err(|unbounded| {
        refused(
            "INTROSPECTION_LIMIT_EXCEEDED",
            format!("{unbounded}; ask for the schema as graphql-js's introspection query does"),
        )
    })?;
    if shape.introspects && limits.disable_introspection {
        return Err(refused(
            "INTROSPECTION_DISABLED",
            "introspection (`__schema`, `__type`) is turned off on this server; ask its operators for the schema, or run `definiciones schema` on a copy of your own"
                .to_owned(),
        ));
    }
    within(Counted::Fields, shape.fields, limits)?;
    within(Counted::Depth, shape.depth, limits)?;
    Ok(())
}

/// Check a query's text before anything parses it: its length, tokens
/// and bracket nesting (a deeply nested document could exhaust the parser).
pub fn check_text(query: &str, limits: &Limits) -> Result<(), ServerError> {
    let chars = query.chars().count();
    within(Counted::Chars, chars, limits)?;
    let measure = measure(query);
    within(Counted::Tokens, measure.tokens, limits)?;
    within(Counted::Nesting, measure.nesting, limits)?;
    Ok(())
}

/// Refuse a query whose answer may hold more objects than `--max-cost`
/// allows, naming the estimate, the limit and the list that holds the
/// most, and saying how to ask for less.
pub fn check_cost(estimate: &cost::Estimate, limits: &Limits) -> Result<(), ServerError> {
    if estimate.objects <= limits.cost {
        return Ok(());
    }
    let heaviest = match &estimate.heaviest {
        Some(h) => format!("; the most come from `{}`, up to {} items", h.path, h.items),
        None => String::new(),
    };
    Err(refused(
        "COST_LIMIT_EXCEEDED",
        format!(
            "the answer may hold up to {} objects, more than the {} allowed{heaviest}. Each list counts as many items as its page (`first`, 50 when not given) and the data allow, for each object above it: ask for smaller pages, fewer nested lists or fewer aliases, or split the query. `extensions.cost` in an answer shows what a query is estimated at",
            estimate.objects, limits.cost
        ),
    ))
}

/// What the raw text holds.
#[derive(Debug, Default, PartialEq, Eq)]
struct Measure {
    tokens: usize,
    nesting: usize,
}

/// Count GraphQL tokens and the deepest bracket nesting, skipping
/// whitespace, commas, comments and the insides of strings.
fn measure(query: &str) -> Measure {
    let bytes = query.as_bytes();
    let mut m = Measure::default();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => i += 1,
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                m.tokens += 1;
                if bytes[i..].starts_with(b"\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
            }
            b'{' | b'(' | b'[' => {
                m.tokens += 1;
                depth += 1;
                m.nesting = m.nesting.max(depth);
                i += 1;
            }
            b'}' | b')' | b']' => {
                m.tokens += 1;
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'.' if bytes[i..].starts_with(b"...") => {
                m.tokens += 1;
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b == b'_' || b == b'-' => {
                m.tokens += 1;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric()
                        || matches!(bytes[i], b'_' | b'.' | b'-' | b'+'))
                {
                    i += 1;
                }
            }
            _ => {
                m.tokens += 1;
                i += 1;
            }
        }
    }
    m
}

/// Aliases and directives in a document, counting each fragment once.
#[derive(Debug, Default)]
struct Counts {
    aliases: usize,
    directives: usize,
}

fn count(document: &ExecutableDocument) -> Counts {
    fn selection_set(set: &Positioned<SelectionSet>, counts: &mut Counts) {
        for selection in &set.node.items {
            match &selection.node {
                Selection::Field(field) => {
                    counts.aliases += usize::from(field.node.alias.is_some());
                    counts.directives += field.node.directives.len();
                    selection_set(&field.node.selection_set, counts);
                }
                Selection::FragmentSpread(spread) => {
                    counts.directives += spread.node.directives.len();
                }
                Selection::InlineFragment(fragment) => {
                    counts.directives += fragment.node.directives.len();
                    selection_set(&fragment.node.selection_set, counts);
                }
            }
        }
    }
    let mut counts = Counts::default();
    for (_, operation) in document.operations.iter() {
        counts.directives += operation.node.directives.len();
        selection_set(&operation.node.selection_set, &mut counts);
    }
    for fragment in document.fragments.values() {
        counts.directives += fragment.node.directives.len();
        selection_set(&fragment.node.selection_set, &mut counts);
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measure_counts_tokens_and_nesting_outside_strings_and_comments() {
        let m = measure("query Q($a: Int = 5) { a(x: \"{{{ \\\" }\") { b } } # {{{{");
        assert_eq!(m.nesting, 2);
        assert_eq!(m.tokens, 21);
        assert_eq!(measure("\"\"\"block { \"\"\" { x }").nesting, 1);
        assert_eq!(measure("{ ...F }").tokens, 4);
    }
}
