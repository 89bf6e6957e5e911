//! `/graphql` as the GraphQL-over-HTTP specification has it.
//!
//! The protocol (media types, statuses, caching headers) is
//! `super::protocol`; reading the request, `super::request`; answers as
//! CSV tables, `super::csv`.
//!
//! An answer kept by `super::cache` for the same request at the same data
//! version is sent again without running anything else.
//!
//! A persisted query's hash is replaced by its document, and a locked
//! server's allow-list applied, by `super::persisted`, before the limits.
//!
//! What a request may ask is limited by `super::limits`, its cost
//! (`super::limits::cost`) against the links' maxima read with the data
//! version, and every answer tells its cost in `extensions.cost`; how much
//! runs at once, by `super::admission`: a request that passed the limits
//! waits for room to run (after the cache, just before executing, weighed
//! by its cost) and holds it until its answer's body is built.
//! Executing it is the schema's job; the request's data loader and
//! statement count are set up here.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use async_graphql::parser::types::DocumentOperations;
use async_graphql::{BatchResponse, ServerError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Extension, OriginalUri, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::cache::{Entry, Key};
use super::csv::Table;
use super::limits::Limits;
use super::limits::cost::Estimate;
use super::metrics::OperationSlot;
use super::parsed::Parsed;
use super::protocol::{
    GRAPHQL_RESPONSE_JSON, Media, answer, etag_of, finish, negotiate, refuse, wants_html,
};
use super::request::{GetParams, get_request, json_content_type, post_request};
use super::response_order::Order;
use super::state::AppState;
use crate::loaders::{self, Maxima};

/// `GET` and `POST /graphql`.
pub async fn graphql(
    State(state): State<AppState>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    slot: Option<Extension<OperationSlot>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let slot = slot.map(|Extension(slot)| slot).unwrap_or_default();
    let params = (method == Method::GET).then(|| Query::<GetParams>::try_from_uri(&uri));
    if matches!(
        &params,
        Some(Ok(Query(GetParams {
            query: None,
            extensions: None,
            ..
        })))
    ) && wants_html(&headers)
    {
        return super::graphiql::page().await.into_response();
    }
    // A GET names its operation before anything is parsed, so even an
    // answer kept in the cache is logged with it.
    if let Some(Ok(Query(GetParams {
        operation_name: Some(name),
        ..
    }))) = &params
    {
        tracing::Span::current().record("operation", name.as_str());
        slot.set(name);
    }
    // A GET link may ask for CSV itself: spreadsheets cannot set `Accept`.
    let in_url = match &params {
        Some(_) => super::csv::asked_in_url(uri.query()),
        None => Ok(None),
    };
    let media = match in_url {
        Ok(Some(media)) => media,
        Ok(None) => match negotiate(&headers) {
            Some(media) => media,
            None => {
                return refuse(
                    StatusCode::NOT_ACCEPTABLE,
                    Media::Json,
                    "NOT_ACCEPTABLE",
                    format!(
                        "this endpoint answers {GRAPHQL_RESPONSE_JSON}, application/json or text/csv; adjust the Accept header"
                    ),
                );
            }
        },
        Err((status, code, message)) => return refuse(status, Media::Json, code, message),
    };
    // An answer kept for this very request at the current data version is
    // sent again as it is.
    let mut statements = 0;
    let mut key = None;
    let mut snapshot = None;
    if let Some(cache) = &state.cache {
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
            let read = match state.versions.current().await {
                Ok(read) => read,
                Err(error) => return unavailable(error, media, statements),
            };
            let wanted = Key {
                version: read.version,
                get: params.is_some(),
                media: media.name(),
                request,
            };
            snapshot = Some(read);
            let kept = cache.get(&wanted);
            metrics::counter!(if kept.is_some() {
                super::metrics::CACHE_HITS
            } else {
                super::metrics::CACHE_MISSES
            })
            .increment(1);
            if let Some(kept) = kept {
                let revalidate = wanted.get.then_some((&headers, kept.etag));
                let response = finish(kept.status, kept.body, statements, media, revalidate);
                return super::csv::disposed(response, kept.disposition);
            }
            key = Some(wanted);
        }
    }

    let parsed = match params {
        Some(params) => get_request(params, &state.limits),
        None => post_request(&state.limits, &headers, body),
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
    // A persisted query's hash becomes its document; a locked server
    // refuses what is not on its allow-list.
    let mut persisted = state.persisted.resolve(request).await;
    statements += persisted.statements;
    let missing = persisted.missing;
    // What the request is costed against: the links' maxima at the data
    // version (read above with the cache's key, or now).
    let snapshot = match snapshot {
        Some(snapshot) => snapshot,
        None => {
            statements += 1;
            match state.versions.current().await {
                Ok(read) => read,
                Err(error) => return unavailable(error, media, statements),
            }
        }
    };
    let mut checked = Checked::new(
        persisted.batch,
        std::mem::take(&mut persisted.operations),
        &state.limits,
        &snapshot.maxima,
        &state.parsed,
    );
    // A CSV answer is one operation's table, laid out from its selection.
    let table = match media {
        Media::Csv { .. } if checked.batch => {
            let (status, code, message) = super::csv::batch_refused();
            return refuse(status, media, code, message);
        }
        Media::Csv { bom } => {
            let one = checked
                .operations
                .first_mut()
                .and_then(|(one, _)| one.as_mut().ok());
            Some(Table::of(one, bom))
        }
        _ => None,
    };
    // Room to run, for what the answer may hold; a kept answer above took
    // none. Refused at once (503) when there is none to wait for.
    let admitted = match &state.budget {
        Some(budget) if checked.runs => match budget.admit(checked.objects).await {
            Ok(admitted) => Some(admitted),
            Err(overloaded) => return overloaded.response(media, budget.retry_after()),
        },
        _ => None,
    };
    let computing = super::memory::Computing::start();
    let timeout = state.limits.timeout();
    let deadline = Instant::now() + timeout;
    let Ok(Ok((response, executed))) =
        tokio::time::timeout(timeout, execute(&state, checked, &slot, deadline)).await
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
    statements += persisted.register(&state.persisted, &response).await;
    let (status, bytes, complete, disposition) = match &table {
        Some(table) => table.answer(response),
        None => {
            let (status, bytes, complete) = answer(response, media);
            (status, bytes, complete, None)
        }
    };
    // The answer is bytes now: what it held is freed.
    drop(admitted);
    drop(computing);
    let etag = cacheable.then(|| etag_of(&bytes)).flatten();
    if let (Some(cache), Some(key), true) = (&state.cache, key, complete) {
        cache.insert(
            key,
            Entry {
                status,
                body: bytes.clone(),
                etag: etag.clone(),
                disposition: disposition.clone(),
            },
        );
    }
    let mut response = finish(
        status,
        bytes,
        statements,
        media,
        cacheable.then_some((&headers, etag)),
    );
    if missing {
        // Not found now, perhaps stored a moment later: no cache may keep it.
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    super::csv::disposed(response, disposition)
}

/// The answer when the data version cannot be read: the database's error,
/// with no place in the document to point at (no `locations`).
fn unavailable(error: async_graphql::Error, media: Media, statements: usize) -> Response {
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    let response = async_graphql::Response::from_errors(vec![server_error]);
    let (status, bytes, _) = answer(BatchResponse::Single(response), media);
    finish(status, bytes, statements, media, None)
}

/// A request's operations, each checked against the limits before anything
/// runs (a refusal is that operation's answer), and the objects the
/// answers of the others may hold.
struct Checked {
    batch: bool,
    /// Each operation, or its refusal, with what its answer was costed at
    /// (`None` when it was refused before it could be costed, or does not
    /// parse).
    operations: Vec<(Result<async_graphql::Request, ServerError>, Option<u64>)>,
    /// What the operations that passed may hold (`super::limits::cost`).
    objects: u64,
    /// Whether any operation will run: one that passed the limits and
    /// parses (one that does not parse is refused by the schema at once).
    runs: bool,
}

impl Checked {
    fn new(
        batch: bool,
        all: Vec<Result<async_graphql::Request, ServerError>>,
        limits: &Limits,
        maxima: &Maxima,
        parsed: &Parsed,
    ) -> Checked {
        let (mut objects, mut runs) = (0u64, false);
        let operations = all
            .into_iter()
            .map(|one| {
                let mut one = match one {
                    Ok(one) => one,
                    Err(refusal) => return (Err(refusal), None),
                };
                // A text parsed before lends its document; a new one that
                // passes the limits is kept for the next request.
                let lent = parsed.lend(&mut one);
                if let Err(refusal) = super::limits::check(&mut one, limits) {
                    return (Err(refusal), None);
                }
                if !lent {
                    parsed.keep(&mut one);
                }
                let Some(estimate) = estimate(&mut one, maxima) else {
                    return (Ok(one), None);
                };
                let cost = Some(estimate.objects);
                if let Err(refusal) = super::limits::check_cost(&estimate, limits) {
                    return (Err(refusal), cost);
                }
                objects = objects.saturating_add(estimate.objects);
                runs = true;
                (Ok(one), cost)
            })
            .collect();
        Checked {
            batch,
            operations,
            objects,
            runs,
        }
    }
}

/// What an operation's answer may hold; `None` when it does not parse.
fn estimate(one: &mut async_graphql::Request, maxima: &Maxima) -> Option<Estimate> {
    // The document borrows the request: lend it its variables and name.
    let variables = std::mem::take(&mut one.variables);
    let operation = one.operation_name.take();
    let estimate = one.parsed_query().ok().map(|document| {
        super::limits::cost::estimate(document, operation.as_deref(), &variables, maxima)
    });
    one.variables = variables;
    one.operation_name = operation;
    estimate
}

/// Run a GraphQL request with its own data loader, counting its statements.
async fn execute(
    state: &AppState,
    request: Checked,
    slot: &OperationSlot,
    deadline: Instant,
) -> Result<(BatchResponse, usize), loaders::Overdue> {
    let statements = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let limits = &state.limits;
    let run_one = |(one, cost): (Result<async_graphql::Request, ServerError>, Option<u64>)| async move {
        let mut one = match one {
            Ok(one) => one,
            Err(refusal) => {
                let mut response = async_graphql::Response::from_errors(vec![refusal]);
                report_cost(&mut response, cost, limits);
                return Ok(response);
            }
        };
        // The limits parsed the document when it parses at all.
        let parses = one.parsed_query().is_ok();
        // The query's field order, from the document the limits parsed.
        let operation = one.operation_name.clone();
        let document = one.parsed_query().ok();
        let order = document.and_then(|d| Order::of(d, operation.as_deref()));
        // The operation's name for the log and the metrics: the one asked
        // for, or the document's only operation's.
        let name = operation.or_else(|| match &document?.operations {
            DocumentOperations::Multiple(named) if named.len() == 1 => {
                named.keys().next().map(|n| n.to_string())
            }
            _ => None,
        });
        if let Some(name) = &name {
            tracing::Span::current().record("operation", name.as_str());
            slot.set(name);
        }
        // Each operation its own loader: its batches run on this task.
        let (loader, batches) = loaders::data_loader(state.db.clone());
        let one = one
            .data(Arc::new(loader))
            .data(crate::graphql::list_fields::FieldArgs::default());
        let mut response = batches.drive(state.schema.execute(one), deadline).await?;
        if let Some(order) = order {
            order.apply(&mut response.data);
        }
        codify(&mut response, parses);
        report_cost(&mut response, cost, limits);
        Ok(response)
    };
    let response = loaders::count_statements(statements.clone(), async {
        let mut answers = Vec::with_capacity(request.operations.len());
        for one in request.operations {
            answers.push(run_one(one).await?);
        }
        Ok(match (request.batch, answers.pop()) {
            (false, Some(one)) => BatchResponse::Single(one),
            (_, last) => {
                answers.extend(last);
                BatchResponse::Batch(answers)
            }
        })
    })
    .await?;
    let count = statements.load(Ordering::Relaxed);

    tracing::debug!(
        sql_statements = count,
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        "executed"
    );
    Ok((response, count))
}

/// Tell the client what its operation was costed at, and the most it may
/// cost: `extensions.cost { estimated limit }` (objects), as GitHub's
/// `rateLimit` does, so a dashboard's author sees the headroom.
fn report_cost(response: &mut async_graphql::Response, cost: Option<u64>, limits: &Limits) {
    if let Some(estimated) = cost {
        response.extensions.insert(
            "cost".to_owned(),
            async_graphql::value!({ "estimated": estimated, "limit": limits.cost }),
        );
    }
}

/// Give every error an `extensions.code` (async-graphql's own parse and
/// validation errors come without one), and report each error once (two of
/// its validation rules can report the same fault).
fn codify(response: &mut async_graphql::Response, parses: bool) {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        let code = if !error.path.is_empty() {
            "INTERNAL"
        } else if !parses {
            "GRAPHQL_PARSE_FAILED"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        extensions.set("code", code);
    }
    let mut seen = std::collections::HashSet::new();
    response.errors.retain(|e| {
        seen.insert((
            e.message.clone(),
            e.locations.clone(),
            format!("{:?}", e.path),
        ))
    });
}
