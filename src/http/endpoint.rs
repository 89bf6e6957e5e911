//! `/graphql` as the GraphQL-over-HTTP specification has it.
//!
//! The response's media type follows `Accept`: `application/graphql-response+json`
//! when the client takes it (then a request that could not start — bad JSON,
//! a document that does not parse or validate, a refused limit — gets 400
//! and no `data`), `application/json` otherwise (then every GraphQL answer
//! is 200), 406 when the client takes neither. POST needs a JSON body
//! (415 otherwise, 413 over the size limit); GET carries the parameters in
//! the query string, refuses mutations (405) and answers with an `ETag`
//! and `Cache-Control` so caches can revalidate (304 when unchanged).
//!
//! An answer kept by `super::cache` for the same request at the same data
//! version is sent again without running anything else.
//!
//! What a request may ask is limited by `super::limits`; executing it is
//! the schema's job; the request's data loader and statement count are set
//! up here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse, Variables};
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{OriginalUri, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::http::AppState;
use crate::http::cache::{Entry, Key};
use crate::http::response_order::Order;
use crate::loaders;
use crate::store as db;

/// Response header with the number of SQL statements a request ran.
pub const SQL_STATEMENTS_HEADER: &str = "x-sql-statements";

/// `application/graphql-response+json`, the GraphQL-over-HTTP media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Error codes of requests refused before execution: with
/// `application/graphql-response+json` they answer 400 without `data`.
const REQUEST_ERRORS: [&str; 12] = [
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
    "COMPLEXITY_LIMIT_EXCEEDED",
];

/// The media type of the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponseJson,
    Json,
}

impl Media {
    fn name(self) -> &'static str {
        match self {
            Media::GraphqlResponseJson => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(self.name())
    }
}

/// Pick the answer's media type from `Accept`; `None` when the client
/// takes neither JSON type. No `Accept` at all means `application/json`.
fn negotiate(headers: &HeaderMap) -> Option<Media> {
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
    if takes(GRAPHQL_RESPONSE_JSON) {
        Some(Media::GraphqlResponseJson)
    } else if takes("application/json") || takes("application/*") || takes("*/*") {
        Some(Media::Json)
    } else {
        None
    }
}

/// A request refused before execution: an HTTP status and a GraphQL error.
fn refuse(status: StatusCode, media: Media, code: &str, message: impl Into<String>) -> Response {
    let body = json!({ "errors": [{ "message": message.into(), "extensions": { "code": code } }] });
    let mut response = (status, body.to_string()).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// The query string of `GET /graphql`.
#[derive(Debug, Deserialize)]
struct GetParams {
    query: Option<String>,
    variables: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    extensions: Option<String>,
}

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// `GET` and `POST /graphql`.
pub async fn graphql(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params = (method == Method::GET).then(|| Query::<GetParams>::try_from_uri(&uri));
    if matches!(&params, Some(Ok(Query(GetParams { query: None, .. })))) && wants_html(&headers) {
        return crate::http::graphiql_page().into_response();
    }
    let Some(media) = negotiate(&headers) else {
        return refuse(
            StatusCode::NOT_ACCEPTABLE,
            Media::Json,
            "NOT_ACCEPTABLE",
            format!(
                "this endpoint answers {GRAPHQL_RESPONSE_JSON} or application/json; adjust the Accept header"
            ),
        );
    };
    // An answer kept for this very request at the current data version is
    // sent again as it is.
    let mut statements = 0;
    let mut key = None;
    if let Some((cache, versions)) = &state.cache {
        let request = match &params {
            Some(_) => Some(Bytes::copy_from_slice(uri.query().unwrap_or("").as_bytes())),
            None => body
                .as_ref()
                .ok()
                .filter(|_| json_content_type(&headers).is_ok())
                .cloned(),
        };
        if let Some(request) = request {
            statements += 1;
            let version = match versions.current().await {
                Ok(version) => version,
                Err(error) => {
                    let error = error.into_server_error(async_graphql::Pos::default());
                    let response = async_graphql::Response::from_errors(vec![error]);
                    let (status, bytes, _) = answer(BatchResponse::Single(response), media);
                    return finish(status, bytes, statements, media, None);
                }
            };
            let wanted = Key {
                version,
                get: params.is_some(),
                media: media.name(),
                request,
            };
            if let Some(kept) = cache.get(&wanted) {
                let revalidate = wanted.get.then_some((&headers, kept.etag));
                return finish(kept.status, kept.body, statements, media, revalidate);
            }
            key = Some(wanted);
        }
    }

    let parsed = match params {
        Some(params) => get_request(params, &state.limits),
        None => post_request(&state, &headers, body),
    };
    let (request, cacheable) = match parsed {
        Ok(request) => (request, method == Method::GET),
        Err((status, code, message)) => {
            let mut response = refuse(status, media, code, message);
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            return response;
        }
    };
    if let BatchRequest::Batch(all) = &request
        && all.len() > state.limits.batch
    {
        return refuse(
            StatusCode::BAD_REQUEST,
            media,
            "BATCH_LIMIT_EXCEEDED",
            format!(
                "a batch may hold at most {} operations; this one holds {}",
                state.limits.batch,
                all.len()
            ),
        );
    }

    let timeout = state.limits.timeout();
    let Ok((response, executed)) = tokio::time::timeout(timeout, execute(&state, request)).await
    else {
        tracing::warn!(
            timeout_ms = state.limits.timeout_ms,
            "graphql request stopped at the timeout"
        );
        return refuse(
            StatusCode::GATEWAY_TIMEOUT,
            media,
            "TIMEOUT",
            format!(
                "the request took longer than {} ms and was stopped; ask for less (smaller pages, fewer fields)",
                state.limits.timeout_ms
            ),
        );
    };
    statements += executed;
    let (status, bytes, complete) = answer(response, media);
    let etag = cacheable.then(|| etag_of(&bytes)).flatten();
    if let (Some((cache, _)), Some(key), true) = (&state.cache, key, complete) {
        cache.insert(
            key,
            Entry {
                status,
                body: bytes.clone(),
                etag: etag.clone(),
            },
        );
    }
    finish(
        status,
        bytes,
        statements,
        media,
        cacheable.then_some((&headers, etag)),
    )
}

type Refusal = (StatusCode, &'static str, String);

fn bad(message: impl Into<String>) -> Refusal {
    (StatusCode::BAD_REQUEST, "BAD_REQUEST", message.into())
}

/// A JSON-encoded map parameter: absent, `null` or an object.
fn map_param(name: &str, value: Option<Value>) -> Result<Option<Map<String, Value>>, Refusal> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(bad(format!(
            "`{name}` must be a map (a JSON object) or null"
        ))),
    }
}

fn request_of(
    query: Value,
    variables: Option<Value>,
    operation_name: Option<Value>,
    extensions: Option<Value>,
) -> Result<async_graphql::Request, Refusal> {
    let Value::String(query) = query else {
        return Err(bad("`query` must be a string holding a GraphQL document"));
    };
    let variables = map_param("variables", variables)?;
    map_param("extensions", extensions)?;
    let operation_name = match operation_name {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(bad("`operationName` must be a string or null")),
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(variables) = variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    Ok(request)
}

fn get_request(
    params: Result<Query<GetParams>, QueryRejection>,
    limits: &crate::http::limits::Limits,
) -> Result<BatchRequest, Refusal> {
    let Query(params) = params.map_err(|e| bad(format!("the query string cannot be read: {e}")))?;
    let query = params
        .query
        .ok_or_else(|| bad("missing the `query` parameter"))?;
    // GET is for reading: a mutation must come by POST. Only a text within
    // the limits is parsed (the others are refused when they run), and the
    // document is kept so it is parsed once.
    let document = crate::http::limits::check_text(&query, limits)
        .ok()
        .and_then(|()| async_graphql::parser::parse_query(&query).ok());
    if let Some(document) = &document {
        let operation = match (&document.operations, params.operation_name.as_deref()) {
            (DocumentOperations::Single(op), _) => Some(op.node.ty),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
            (DocumentOperations::Multiple(_), None) => None,
        };
        if operation == Some(OperationType::Mutation) {
            return Err((
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations are accepted over POST only".to_owned(),
            ));
        }
    }
    let json_param = |name: &str, text: Option<String>| -> Result<Option<Value>, Refusal> {
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| bad(format!("`{name}` is not JSON: {e}")))
        })
        .transpose()
    };
    let variables = json_param("variables", params.variables)?;
    let extensions = json_param("extensions", params.extensions)?;
    let mut request = request_of(
        Value::String(query),
        variables,
        params.operation_name.map(Value::String),
        extensions,
    )?;
    if let Some(document) = document {
        request.set_parsed_query(document);
    }
    Ok(BatchRequest::Single(request))
}

/// A POST body must be JSON (in UTF-8).
fn json_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut parts = content_type.split(';').map(str::trim);
    let media = parts.next().unwrap_or("").to_ascii_lowercase();
    let charset_ok = parts
        .filter_map(|p| {
            p.to_ascii_lowercase()
                .strip_prefix("charset=")
                .map(str::to_owned)
        })
        .all(|c| c.trim_matches('"') == "utf-8");
    if media != "application/json" || !charset_ok {
        return Err((
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            format!(
                "send the request as JSON with `Content-Type: application/json` (got {content_type:?})"
            ),
        ));
    }
    Ok(())
}

fn post_request(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<BatchRequest, Refusal> {
    json_content_type(headers)?;
    let body = body.map_err(|rejection| match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!(
                "the request body is larger than {} bytes",
                state.limits.body_bytes
            ),
        ),
        status => (status, "BAD_REQUEST", rejection.body_text()),
    })?;
    let value: Value = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("the body is not valid JSON: {e}")))?;
    let one = |value: Value| match value {
        Value::Object(mut map) => request_of(
            map.remove("query").unwrap_or(Value::Null),
            map.remove("variables"),
            map.remove("operationName"),
            map.remove("extensions"),
        ),
        _ => Err(bad("each request must be a JSON object with a `query`")),
    };
    match value {
        Value::Array(all) if all.is_empty() => Err(bad("an empty batch holds nothing to run")),
        Value::Array(all) if all.len() > state.limits.batch => Err((
            StatusCode::BAD_REQUEST,
            "BATCH_LIMIT_EXCEEDED",
            format!(
                "a batch may hold at most {} operations; this one holds {}",
                state.limits.batch,
                all.len()
            ),
        )),
        Value::Array(all) => all
            .into_iter()
            .map(one)
            .collect::<Result<Vec<_>, _>>()
            .map(BatchRequest::Batch),
        value => one(value).map(BatchRequest::Single),
    }
}

/// Run a GraphQL request with its own data loader, counting its statements.
async fn execute(state: &AppState, request: BatchRequest) -> (BatchResponse, usize) {
    let statements = Arc::new(AtomicUsize::new(0));
    let operation = request
        .iter()
        .map(|r| r.operation_name.as_deref().unwrap_or("-"))
        .collect::<Vec<_>>()
        .join(",");
    let queries: Vec<String> = request.iter().map(|r| r.query.clone()).collect();
    let started = Instant::now();
    let limits = &state.limits;
    let run_one = |mut one: async_graphql::Request| async move {
        if let Err(refusal) = crate::http::limits::check(&mut one, limits) {
            return async_graphql::Response::from_errors(vec![refusal]);
        }
        // The query's field order, from the document the limits parsed.
        let operation = one.operation_name.clone();
        let order = one
            .parsed_query()
            .ok()
            .and_then(|document| Order::of(document, operation.as_deref()));
        // Each operation its own loader: its batches run on this task.
        let (loader, batches) = loaders::data_loader(state.db.clone());
        let one = one.data(Arc::new(loader));
        let mut response = batches.drive(state.schema.execute(one)).await;
        if let Some(order) = order {
            order.apply(&mut response.data);
        }
        response
    };
    let mut response = db::count_statements(statements.clone(), async {
        match request {
            BatchRequest::Single(one) => BatchResponse::Single(run_one(one).await),
            BatchRequest::Batch(all) => {
                let mut answers = Vec::with_capacity(all.len());
                for one in all {
                    answers.push(run_one(one).await);
                }
                BatchResponse::Batch(answers)
            }
        }
    })
    .await;
    match &mut response {
        BatchResponse::Single(one) => {
            codify(one, queries.first().map_or("", String::as_str), limits)
        }
        BatchResponse::Batch(all) => {
            for (one, query) in all.iter_mut().zip(&queries) {
                codify(one, query, limits);
            }
        }
    }
    let count = statements.load(Ordering::Relaxed);
    tracing::info!(
        operation,
        sql_statements = count,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "graphql"
    );
    (response, count)
}

/// Give every error an `extensions.code`: async-graphql's own parse and
/// validation errors come without one.
fn codify(
    response: &mut async_graphql::Response,
    query: &str,
    limits: &crate::http::limits::Limits,
) {
    for error in &mut response.errors {
        if crate::http::limits::explain(error, limits) {
            continue;
        }
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        let code = if !error.path.is_empty() {
            "INTERNAL"
        } else if async_graphql::parser::parse_query(query).is_err() {
            "GRAPHQL_PARSE_FAILED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        extensions.set("code", code);
    }
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

/// The status and body of one GraphQL response.
fn shape(response: async_graphql::Response, media: Media) -> (StatusCode, Answer) {
    let data_null = response.data == async_graphql::Value::Null;
    let request_error = data_null
        && !response.errors.is_empty()
        && codes(&response).all(|c| REQUEST_ERRORS.contains(&c.as_str()));
    let unavailable = data_null && codes(&response).any(|c| c == "DATABASE_UNAVAILABLE");
    match media {
        Media::Json => (StatusCode::OK, Answer::Full(response)),
        Media::GraphqlResponseJson if request_error => (
            StatusCode::BAD_REQUEST,
            Answer::ErrorsOnly {
                errors: response.errors,
            },
        ),
        Media::GraphqlResponseJson if unavailable => {
            (StatusCode::SERVICE_UNAVAILABLE, Answer::Full(response))
        }
        Media::GraphqlResponseJson => (StatusCode::OK, Answer::Full(response)),
    }
}

/// The status and bytes of a response, and whether it is complete (no
/// errors anywhere), so worth keeping.
fn answer(response: BatchResponse, media: Media) -> (StatusCode, Bytes, bool) {
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
fn etag_of(bytes: &[u8]) -> Option<HeaderValue> {
    let digest = Sha256::digest(bytes);
    HeaderValue::from_str(&format!("\"{}\"", hex::encode(&digest[..16]))).ok()
}

/// The HTTP response. Answers to GET carry their tag and are cacheable by
/// revalidation (`revalidate`: the request's headers and the tag): 304 when
/// the client already holds this answer.
fn finish(
    status: StatusCode,
    bytes: Bytes,
    statements: usize,
    media: Media,
    revalidate: Option<(&HeaderMap, Option<HeaderValue>)>,
) -> Response {
    let mut response = Response::builder().status(status);
    if let Some(headers) = response.headers_mut() {
        headers.insert(header::CONTENT_TYPE, media.content_type());
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
