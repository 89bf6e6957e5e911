//! Reading a GraphQL request from HTTP: the parameters of a GET's query
//! string, or a POST's JSON body (one request or a batch), each checked as
//! GraphQL-over-HTTP asks, with the hash of a persisted query standing for
//! the document when the request names one (`super::persisted`). A request that cannot be read is refused with a
//! status, a code and a message ([`Refusal`]).

use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, Variables};
use axum::body::Bytes;
use axum::extract::Query;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::limits::Limits;
use super::persisted;

/// The query string of `GET /graphql`.
#[derive(Debug, Deserialize)]
pub struct GetParams {
    /// `query`.
    pub query: Option<String>,
    variables: Option<String>,
    /// `operationName`.
    #[serde(rename = "operationName")]
    pub operation_name: Option<String>,
    /// `extensions`, where a persisted query's hash comes.
    pub extensions: Option<String>,
}

/// A request refused before it runs: its status, code and message.
pub type Refusal = (StatusCode, &'static str, String);

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
    let extensions = map_param("extensions", extensions)?;
    // A persisted query's hash may stand for the document.
    let persisted = extensions
        .as_ref()
        .and_then(|e| e.get(persisted::EXTENSION))
        .filter(|v| !v.is_null())
        .map(persisted::read_extension)
        .transpose()
        .map_err(bad)?;
    let query = match (query, &persisted) {
        (Value::String(query), _) => query,
        (Value::Null, Some(_)) => String::new(),
        _ => {
            return Err(bad(
                "`query` must be a string holding a GraphQL document (or absent, when \
                 `extensions.persistedQuery` names a stored one)",
            ));
        }
    };
    let variables = map_param("variables", variables)?;
    let operation_name = match operation_name {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => return Err(bad("`operationName` must be a string or null")),
    };
    let mut request = async_graphql::Request::new(query);
    if let Some(hash) = persisted {
        persisted::name(&mut request, hash);
    }
    if let Some(variables) = variables {
        request = request.variables(Variables::from_json(Value::Object(variables)));
    }
    if let Some(name) = operation_name {
        request = request.operation_name(name);
    }
    Ok(request)
}

pub fn get_request(
    params: Result<Query<GetParams>, QueryRejection>,
    limits: &Limits,
) -> Result<BatchRequest, Refusal> {
    let Query(params) = params.map_err(|e| bad(format!("the query string cannot be read: {e}")))?;
    // Without a query, the hash of a persisted one (read with the other
    // extensions below).
    if params.query.is_none() && params.extensions.is_none() {
        return Err(bad(
            "missing the `query` parameter (or `extensions` naming a persisted query)",
        ));
    }
    let query = params.query;
    // GET is for reading: a mutation must come by POST. Only a text within
    // the limits is parsed (the others are refused when they run), and the
    // document is kept so it is parsed once.
    let document = query.as_deref().and_then(|query| {
        super::limits::check_text(query, limits)
            .ok()
            .and_then(|()| async_graphql::parser::parse_query(query).ok())
    });
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
        query.map_or(Value::Null, Value::String),
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
pub fn json_content_type(headers: &HeaderMap) -> Result<(), Refusal> {
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

/// Whether reading the body stopped at the body timeout
/// (`super::server::Connections::body_timeout_ms`).
fn timed_out(rejection: &BytesRejection) -> bool {
    let mut error: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(e) = error {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        error = e.source();
    }
    false
}

pub fn post_request(
    limits: &Limits,
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
                limits.body_bytes
            ),
        ),
        _ if timed_out(&rejection) => (
            StatusCode::REQUEST_TIMEOUT,
            "BODY_TIMEOUT",
            "the request body did not arrive in time; send it whole, without pauses".to_owned(),
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
        Value::Array(all) if all.len() > limits.batch => Err((
            StatusCode::BAD_REQUEST,
            "BATCH_LIMIT_EXCEEDED",
            format!(
                "a batch may hold at most {} operations; this one holds {}",
                limits.batch,
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
