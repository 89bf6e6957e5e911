//! The GraphQL-over-HTTP side of `/graphql`: which media type an answer
//! takes (`Accept`), what status a GraphQL response gets under it, and the
//! response itself with its caching headers.
//!
//! With `application/graphql-response+json` a request that could not start
//! — bad JSON, a document that does not parse or validate, a refused limit
//! — gets 400 and no `data` (404 for a persisted query's unknown hash, 403
//! for a document a locked server refuses), and a database that cannot be
//! reached gets 503; with `application/json` every GraphQL answer is 200;
//! a client that takes none of them gets 406. With `text/csv` an answer is
//! a table (`super::csv`), and anything else — an error of any kind — is
//! answered as `application/graphql-response+json` with an error status.
//! Answers to GET carry an `ETag` (their hash) and `Cache-Control`, and a
//! revalidation of an unchanged answer gets 304.

use async_graphql::BatchResponse;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Response header with the number of SQL statements a request ran.
pub const SQL_STATEMENTS_HEADER: &str = "x-sql-statements";

/// `application/graphql-response+json`, the GraphQL-over-HTTP media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Error codes of requests refused before execution: with
/// `application/graphql-response+json` they answer 400 without `data`.
pub(super) const REQUEST_ERRORS: [&str; 12] = [
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_LARGE",
    "TOKEN_LIMIT_EXCEEDED",
    "RECURSION_LIMIT_EXCEEDED",
    "ALIAS_LIMIT_EXCEEDED",
    "DIRECTIVE_LIMIT_EXCEEDED",
    "DEPTH_LIMIT_EXCEEDED",
    "FIELD_LIMIT_EXCEEDED",
    "INTROSPECTION_LIMIT_EXCEEDED",
    "INTROSPECTION_DISABLED",
    "COST_LIMIT_EXCEEDED",
];

/// The media type of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    GraphqlResponseJson,
    Json,
    /// A table (`super::csv`), starting with a byte order mark when `bom`
    /// (asked for only in a GET link's query string, which the response
    /// cache keys on, so one media name serves both).
    Csv {
        bom: bool,
    },
}

impl Media {
    pub fn name(self) -> &'static str {
        match self {
            Media::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
            Media::Csv { .. } => "text/csv; charset=utf-8",
        }
    }

    /// The media type errors are written in: a CSV's are JSON.
    pub fn for_errors(self) -> Media {
        match self {
            Media::Csv { .. } => Media::GraphqlResponseJson,
            json => json,
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(self.name())
    }
}

/// Pick the answer's media type from `Accept`; `None` when the client
/// takes neither JSON type nor CSV. No `Accept` at all means
/// `application/json`; CSV only when `text/csv` is named with a higher
/// quality than any JSON type named beside it (a tie stays JSON).
pub fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    let ranges: Vec<(String, f32)> = accept
        .split(',')
        .map(|range| {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (media, q)
        })
        .filter(|(media, q)| !media.is_empty() && *q > 0.0)
        .collect();
    if ranges.is_empty() {
        return Some(Media::Json);
    }
    let takes = |media: &str| ranges.iter().any(|(m, _)| m == media);
    let quality = |media: &str| {
        ranges
            .iter()
            .filter(|(m, _)| m == media)
            .map(|(_, q)| *q)
            .reduce(f32::max)
    };
    if let Some(csv) = quality(super::csv::TEXT_CSV)
        && [GRAPHQL_RESPONSE_JSON, "application/json"]
            .iter()
            .all(|json| quality(json).is_none_or(|q| q < csv))
    {
        return Some(Media::Csv { bom: false });
    }
    if takes(GRAPHQL_RESPONSE_JSON) {
        Some(Media::GraphqlResponseJson)
    } else if takes("application/json") || takes("application/*") || takes("*/*") {
        Some(Media::Json)
    } else {
        None
    }
}

/// A request refused before execution: an HTTP status and a GraphQL error.
pub fn refuse(
    status: StatusCode,
    media: Media,
    code: &str,
    message: impl Into<String>,
) -> Response {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.for_errors().content_type());
    response
}

/// Whether a browser asks (a page, not an answer).
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

fn codes(response: &async_graphql::Response) -> impl Iterator<Item = String> + '_ {
    response
        .errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        })
}

/// One answer as sent: the whole response, or only its errors when the
/// request never ran and the client takes graphql-response+json (then there
/// is no `data`, not even null). Serialised straight from the response, so
/// fields keep the order of the query.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Answer {
    Full(async_graphql::Response),
    ErrorsOnly {
        errors: Vec<async_graphql::ServerError>,
    },
}

/// Whether a response answers a request that never ran: no data, and every
/// error a refusal before execution.
pub(super) fn never_ran(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && codes(response).all(|c| {
            REQUEST_ERRORS.contains(&c.as_str()) || super::persisted::CODES.contains(&c.as_str())
        })
}

/// The status of a request that never ran: 400, but 404 for a persisted
/// query's unknown hash and 403 for a document a locked server refuses.
fn refused_status(response: &async_graphql::Response) -> StatusCode {
    if codes(response).any(|c| c == super::persisted::NOT_FOUND) {
        StatusCode::NOT_FOUND
    } else if codes(response).any(|c| c == super::persisted::ONLY) {
        StatusCode::FORBIDDEN
    } else {
        StatusCode::BAD_REQUEST
    }
}

/// The status and body of one GraphQL response. Under CSV it is the
/// errors of one (`super::csv` writes the tables): as
/// graphql-response+json, and never 200 — 500 when something failed
/// inside, 400 otherwise.
fn shape(response: async_graphql::Response, media: Media) -> (StatusCode, Answer) {
    if let Media::Csv { .. } = media {
        let internal = codes(&response).any(|c| c == "INTERNAL");
        return match shape(response, Media::GraphqlResponseJson) {
            (StatusCode::OK, answer) if internal => (StatusCode::INTERNAL_SERVER_ERROR, answer),
            (StatusCode::OK, answer) => (StatusCode::BAD_REQUEST, answer),
            refused => refused,
        };
    }
    let data_null = response.data == async_graphql::Value::Null;
    let request_error = never_ran(&response);
    let unavailable = data_null && codes(&response).any(|c| c == "DATABASE_UNAVAILABLE");
    match media {
        Media::Json => (StatusCode::OK, Answer::Full(response)),
        Media::GraphqlResponseJson if request_error => (
            refused_status(&response),
            Answer::ErrorsOnly {
                errors: response.errors,
            },
        ),
        Media::GraphqlResponseJson if unavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, Answer::Full(response))
        }
        Media::GraphqlResponseJson | Media::Csv { .. } => (StatusCode::OK, Answer::Full(response)),
    }
}

/// The status and bytes of a response, and whether it is complete (no
/// errors anywhere), so worth keeping.
pub fn answer(response: BatchResponse, media: Media) -> (StatusCode, Bytes, bool) {
    let complete = match &response {
        BatchResponse::Single(one) => one.errors.is_empty(),
        BatchResponse::Batch(all) => all.iter().all(|one| one.errors.is_empty()),
    };
    let (status, body) = match response {
        BatchResponse::Single(one) => {
            let (status, answer) = shape(one, media);
            (status, serde_json::to_vec(&answer))
        }
        BatchResponse::Batch(all) => {
            let answers: Vec<Answer> = all.into_iter().map(|one| shape(one, media).1).collect();
            (StatusCode::OK, serde_json::to_vec(&answers))
        }
    };
    match body {
        Ok(bytes) => (
            status,
            Bytes::from(bytes),
            complete && status == StatusCode::OK,
        ),
        Err(error) => {
            tracing::error!(%error, "cannot serialise a GraphQL response");
            let internal =
                br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                Bytes::from_static(internal),
                false,
            )
        }
    }
}

/// The tag of an answer: its own hash, so an import that changes the answer
/// changes the tag.
pub fn etag_of(bytes: &[u8]) -> Option<HeaderValue> {
    let digest = Sha256::digest(bytes);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16]))).ok()
}

/// The HTTP response. Answers to GET carry their tag and are cacheable by
/// revalidation (`revalidate`: the request's headers and the tag): 304 when
/// the client already holds this answer.
pub fn finish(
    status: StatusCode,
    bytes: Bytes,
    statements: usize,
    media: Media,
    revalidate: Option<(&HeaderMap, Option<HeaderValue>)>,
) -> Response {
    // The request's log line carries every statement it ran.
    tracing::Span::current().record("sql_statements", statements);
    metrics::counter!(super::metrics::STATEMENTS).increment(statements as u64);
    let mut response = Response::builder().status(status);
    // Only a success is in the media asked for; errors are JSON.
    let written = match status {
        StatusCode::OK | StatusCode::NOT_MODIFIED => media,
        _ => media.for_errors(),
    };
    if let Some(headers) = response.headers_mut() {
        headers.insert(header::CONTENT_TYPE, written.content_type());
        headers.insert(SQL_STATEMENTS_HEADER, HeaderValue::from(statements));
        headers.insert(header::VARY, HeaderValue::from_static("accept"));
    }
    if let Some((request_headers, Some(etag))) = revalidate.filter(|_| status == StatusCode::OK) {
        let tag = etag.to_str().unwrap_or_default();
        let unchanged = request_headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|tags| {
                tags.split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == tag || t.trim() == "*")
            });
        if let Some(headers) = response.headers_mut() {
            headers.insert(header::ETAG, etag.clone());
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, no-cache"),
            );
        }
        if unchanged {
            return response
                .status(StatusCode::NOT_MODIFIED)
                .body(Body::empty())
                .unwrap_or_else(|_| StatusCode::NOT_MODIFIED.into_response());
        }
    }
    response
        .body(Body::from(bytes))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}
