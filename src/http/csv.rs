//! Answers as CSV, for spreadsheets and BI tools.
//!
//! An analyst pastes a link into `=IMPORTDATA(url)`, Excel's or Power BI's
//! "From Web", or `pandas.read_csv(url)`, and gets a table. With
//! `Accept: text/csv` — or `format=csv` in a GET link, for tools that
//! cannot set headers — `/graphql` answers the list of the query's first
//! field as RFC 4180 CSV (UTF-8, CRLF line ends, quoted only where needed):
//!
//! - the rows are the first top-level field when it is a list, or else its
//!   first field that is one (a connection's `nodes` or `edges`);
//! - the columns are the scalars selected under an item, in the order of
//!   the selection, named by their dot path from the item
//!   (`servicio.partida.codigo`); a connection's `nodes`, `edges` and an
//!   edge's `node` are left out of the names (`productos.numero`);
//! - a nested list gives one row per item of it, each repeating its
//!   parent's columns, and a parent whose list is empty keeps one row with
//!   those columns empty, so no item of the first list is lost. Two lists
//!   side by side in one row would multiply into every pairing: refused;
//! - null is an empty cell, booleans `true`/`false`, numbers as in JSON,
//!   enums by name; a list of scalars is one cell joined with `"; "`.
//!
//! The columns come from the query, not the data, so an empty list still
//! answers its header row and a null object its empty cells.
//!
//! Anything but a whole table is a JSON GraphQL answer with an error
//! status, never half a CSV: errors in the data (400, or 500 for an
//! internal one), a query with no list (400 `CSV_NEEDS_A_LIST`), lists side
//! by side (400 `CSV_SIBLING_LISTS`), a batch (400 `CSV_BATCH_UNSUPPORTED`).
//! Caching, tags and limits are `super::endpoint`'s, as for JSON.

use async_graphql::parser::types::DocumentOperations;
use async_graphql::{BatchResponse, Name, ServerError, Value};
use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::protocol::{Media, answer};
use super::request::Refusal;
use super::response_order::Order;

/// The media type of a CSV answer.
pub const TEXT_CSV: &str = "text/csv";

/// The UTF-8 byte order mark: Excel reads a downloaded file as UTF-8 only
/// when it starts with one.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// The CSV a GET link asks for in its query string: `format=csv`, with
/// `bom=true` for a file to open in Excel. `None` when it asks for none.
pub fn asked_in_url(query: Option<&str>) -> Result<Option<Media>, Refusal> {
    let bad = |message: &str| (StatusCode::BAD_REQUEST, "BAD_REQUEST", message.to_owned());
    let (mut format, mut bom) = (None, None);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match &*key {
            "format" => format = Some(value),
            "bom" => bom = Some(value),
            _ => {}
        }
    }
    let bom = match bom.as_deref() {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return Err(bad("`bom` takes `true` or `false`")),
    };
    match format.as_deref() {
        None if bom => Err(bad("`bom=true` goes with `format=csv`")),
        None => Ok(None),
        Some("csv") => Ok(Some(Media::Csv { bom })),
        Some(_) => Err(bad(
            "`format` takes `csv` (leave it out for JSON, or send an Accept header)",
        )),
    }
}

/// A batch cannot be one table.
pub fn batch_refused() -> Refusal {
    (
        StatusCode::BAD_REQUEST,
        "CSV_BATCH_UNSUPPORTED",
        format!("a {TEXT_CSV} answer is one table: send one operation, not a list of them"),
    )
}

/// `response` with the file name of the CSV it carries, when it carries
/// one (`Table::answer`, or the response cache).
pub fn disposed(mut response: Response, disposition: Option<HeaderValue>) -> Response {
    if let Some(disposition) = disposition {
        response
            .headers_mut()
            .insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

/// What a CSV answer needs of its operation, read before it runs: the
/// selection (the columns) and the operation's name (the file name).
pub struct Table {
    /// `None` when the operation does not parse or is not in its
    /// document: then it has only errors to answer.
    selection: Option<Order>,
    name: Option<String>,
    bom: bool,
}

impl Table {
    /// The table of `request`'s operation (`None` when the limits refused
    /// it), with a byte order mark first when `bom`.
    pub fn of(request: Option<&mut async_graphql::Request>, bom: bool) -> Table {
        let mut table = Table {
            selection: None,
            name: None,
            bom,
        };
        let Some(request) = request else {
            return table;
        };
        let asked = request.operation_name.clone();
        let Ok(document) = request.parsed_query() else {
            return table;
        };
        table.selection = Order::of(document, asked.as_deref());
        table.name = asked.or_else(|| match &document.operations {
            DocumentOperations::Multiple(named) if named.len() == 1 => {
                named.keys().next().map(|n| n.to_string())
            }
            _ => None,
        });
        table
    }

    /// The status and bytes of the answer, whether it is complete (worth
    /// keeping), and its `Content-Disposition` when it is a CSV.
    pub fn answer(
        &self,
        response: BatchResponse,
    ) -> (StatusCode, Bytes, bool, Option<HeaderValue>) {
        let media = Media::Csv { bom: self.bom };
        let (mut one, selection) = match (response, &self.selection) {
            (BatchResponse::Single(one), Some(selection)) if one.errors.is_empty() => {
                (one, selection)
            }
            (response, _) => {
                let (status, bytes, _) = answer(response, media);
                return (status, bytes, false, None);
            }
        };
        let sheet = match Sheet::of(&one.data, selection) {
            Ok(sheet) => sheet,
            Err(unfit) => {
                // No place in the document to point at: no `locations`.
                let mut error = ServerError::new(unfit.to_string(), None);
                error
                    .extensions
                    .get_or_insert_with(Default::default)
                    .set("code", unfit.code());
                one.errors.push(error);
                let (status, bytes, _) = answer(BatchResponse::Single(one), media);
                return (status, bytes, false, None);
            }
        };
        let bytes = match sheet.write(self.bom) {
            Ok(bytes) => bytes,
            Err(error) => {
                tracing::error!(%error, "cannot write a CSV answer");
                let internal =
                    br#"{"errors":[{"message":"internal error","extensions":{"code":"INTERNAL"}}]}"#;
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Bytes::from_static(internal),
                    false,
                    None,
                );
            }
        };
        // Operation and field names are GraphQL names (ASCII letters,
        // digits, `_`); anything else is dropped all the same.
        let name: String = self
            .name
            .as_deref()
            .unwrap_or(&sheet.field)
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
            .collect();
        let name = if name.is_empty() { "answer" } else { &name };
        let disposition =
            HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")).ok();
        (StatusCode::OK, Bytes::from(bytes), true, disposition)
    }
}

/// Why an answer cannot be a table.
#[derive(Debug, PartialEq, thiserror::Error)]
enum Unfit {
    #[error(
        "a {TEXT_CSV} answer is the list of the query's first field, and {field} holds none: \
         select a list first (`{{ productos {{ nodes {{ numero nombre }} }} }}`), or ask for application/json"
    )]
    NoList { field: String },
    #[error(
        "`{first}` and `{second}` are lists side by side: a {TEXT_CSV} row is one item of each list \
         on one path, and two lists would multiply into every pairing; keep one of them (ask for \
         the other in a query of its own), or ask for application/json"
    )]
    SiblingLists { first: String, second: String },
}

impl Unfit {
    fn code(&self) -> &'static str {
        match self {
            Unfit::NoList { .. } => "CSV_NEEDS_A_LIST",
            Unfit::SiblingLists { .. } => "CSV_SIBLING_LISTS",
        }
    }
}

/// Where a column's value sits under an item: a cell, or an object (or a
/// list of objects) with cells of its own, named by its dot path.
enum Part {
    Cell(usize),
    Group {
        path: String,
        parts: Vec<(Name, Part)>,
    },
}

/// A table: its header and rows, and the field it came from.
#[derive(Debug, PartialEq)]
struct Sheet {
    field: String,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Sheet {
    /// The table of `data`, the answer to the selection `selection`.
    fn of(data: &Value, selection: &Order) -> Result<Sheet, Unfit> {
        let Some((field, under)) = selection.fields().next() else {
            return Err(Unfit::NoList {
                field: "no field".to_owned(),
            });
        };
        let value = match data {
            Value::Object(map) => map.get(field).unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
        let (items, key, item) = match value {
            Value::List(items) => (items, field, under),
            Value::Object(map) => under
                .fields()
                .find_map(|(key, item)| match map.get(key) {
                    Some(Value::List(items)) => Some((items, key, item)),
                    _ => None,
                })
                .ok_or_else(|| Unfit::NoList {
                    field: format!("`{field}`"),
                })?,
            _ => {
                return Err(Unfit::NoList {
                    field: format!("`{field}`"),
                });
            }
        };
        let mut header = Vec::new();
        let parts = columns(item, "", key == "edges", &mut header);
        let mut rows = Vec::with_capacity(items.len());
        if parts.is_empty() {
            // A list of scalars: one column, named after it.
            header.push(key.to_string());
            rows.extend(items.iter().map(|item| vec![cell(item)]));
        } else {
            let blank = vec![String::new(); header.len()];
            for item in items {
                expand(item, &parts, &blank, &mut rows)?;
            }
        }
        Ok(Sheet {
            field: field.to_string(),
            header,
            rows,
        })
    }

    /// The table as RFC 4180 CSV.
    fn write(&self, bom: bool) -> Result<Vec<u8>, csv::Error> {
        let start = if bom { BOM.to_vec() } else { Vec::new() };
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(start);
        writer.write_record(&self.header)?;
        for row in &self.rows {
            writer.write_record(row)?;
        }
        writer
            .into_inner()
            .map_err(|error| csv::Error::from(error.into_error()))
    }
}

/// The columns of an item's selection, added to `header` by their dot
/// paths under `prefix`; `in_edges` when the item is a connection's edge.
fn columns(
    selection: &Order,
    prefix: &str,
    in_edges: bool,
    header: &mut Vec<String>,
) -> Vec<(Name, Part)> {
    selection
        .fields()
        .map(|(key, under)| {
            let wrapper = key == "nodes" || key == "edges" || (in_edges && key == "node");
            let path = match (wrapper, prefix) {
                (true, _) => prefix.to_owned(),
                (false, "") => key.to_string(),
                (false, _) => format!("{prefix}.{key}"),
            };
            let part = if under.fields().next().is_none() {
                header.push(path);
                Part::Cell(header.len() - 1)
            } else {
                let parts = columns(under, &path, key == "edges", header);
                Part::Group { path, parts }
            };
            (key.clone(), part)
        })
        .collect()
}

/// Add the rows of one item to `rows`, starting from `parent`'s cells: one
/// row, or one per item of its nested list (the parent's row alone when
/// that list is empty).
fn expand(
    item: &Value,
    parts: &[(Name, Part)],
    parent: &[String],
    rows: &mut Vec<Vec<String>>,
) -> Result<(), Unfit> {
    let mut row = parent.to_vec();
    let mut nested = None;
    fill(item, parts, &mut row, &mut nested)?;
    match nested {
        Some((items, _, parts)) if !items.is_empty() => {
            for item in items {
                expand(item, parts, &row, rows)?;
            }
        }
        _ => rows.push(row),
    }
    Ok(())
}

/// A nested list met while filling a row: its items, its path, and the
/// parts of each item.
type Nested<'a> = Option<(&'a [Value], &'a str, &'a [(Name, Part)])>;

/// Fill `row` with the cells of `value` (nothing for null), noting its one
/// nested list in `nested`.
fn fill<'a>(
    value: &'a Value,
    parts: &'a [(Name, Part)],
    row: &mut [String],
    nested: &mut Nested<'a>,
) -> Result<(), Unfit> {
    let Value::Object(map) = value else {
        return Ok(());
    };
    for (key, part) in parts {
        let value = map.get(key).unwrap_or(&Value::Null);
        match (part, value) {
            (Part::Cell(column), value) => row[*column] = cell(value),
            (Part::Group { path, parts }, Value::List(items)) => {
                if let Some((_, first, _)) = nested {
                    return Err(Unfit::SiblingLists {
                        first: first.to_string(),
                        second: path.clone(),
                    });
                }
                *nested = Some((items, path, parts));
            }
            (Part::Group { parts, .. }, value) => fill(value, parts, row, nested)?,
        }
    }
    Ok(())
}

/// One scalar as a cell.
fn cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::Boolean(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Enum(name) => name.to_string(),
        Value::List(items) => items.iter().map(cell).collect::<Vec<_>>().join("; "),
        Value::Binary(_) | Value::Object(_) => value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use serde_json::json;

    fn sheet(query: &str, data: serde_json::Value) -> Result<Sheet, Unfit> {
        let document = parse_query(query).expect("parses");
        let order = Order::of(&document, None).expect("an operation");
        Sheet::of(&Value::from_json(data).expect("a value"), &order)
    }

    fn text(query: &str, data: serde_json::Value) -> String {
        let bytes = sheet(query, data)
            .expect("a table")
            .write(false)
            .expect("written");
        String::from_utf8(bytes).expect("UTF-8")
    }

    #[test]
    fn nested_objects_are_dot_paths_in_the_order_of_the_selection() {
        let csv = text(
            "{ productos { totalCount nodes { numero nombre servicio { nombre partida { codigo } } activo } } }",
            json!({ "productos": { "totalCount": 2, "nodes": [
                { "numero": 3, "nombre": "Diálogos, \"ciudadanos\"\ny más", "activo": true,
                  "servicio": { "nombre": "SEGEGOB", "partida": { "codigo": "20" } } },
                { "numero": 4.5, "nombre": null, "activo": false, "servicio": null },
            ] } }),
        );
        assert_eq!(
            csv,
            "numero,nombre,servicio.nombre,servicio.partida.codigo,activo\r\n\
             3,\"Diálogos, \"\"ciudadanos\"\"\ny más\",SEGEGOB,20,true\r\n\
             4.5,,,,false\r\n"
        );
    }

    #[test]
    fn a_nested_list_gives_a_row_per_item_and_keeps_a_parent_without_items() {
        let csv = text(
            "{ objetivos: objetivosInstitucionales { nodes { prioridad tipo productos { totalCount nodes { numero } } } } }",
            json!({ "objetivos": { "nodes": [
                { "prioridad": 1, "tipo": "ESTRATEGICO", "productos": { "totalCount": 2, "nodes": [ { "numero": 3 }, { "numero": 10 } ] } },
                { "prioridad": 7, "tipo": "GESTION_INSTITUCIONAL", "productos": { "totalCount": 0, "nodes": [] } },
            ] } }),
        );
        assert_eq!(
            csv,
            "prioridad,tipo,productos.totalCount,productos.numero\r\n\
             1,ESTRATEGICO,2,3\r\n\
             1,ESTRATEGICO,2,10\r\n\
             7,GESTION_INSTITUCIONAL,0,\r\n"
        );
    }

    #[test]
    fn edges_name_their_columns_as_nodes_do_with_the_cursor_beside_them() {
        let csv = text(
            "{ productos { edges { cursor node { numero fuente { linea } } } } }",
            json!({ "productos": { "edges": [
                { "cursor": "Y3Vyc29yOjE=", "node": { "numero": 1, "fuente": { "linea": 50 } } },
            ] } }),
        );
        assert_eq!(csv, "cursor,numero,fuente.linea\r\nY3Vyc29yOjE=,1,50\r\n");
    }

    #[test]
    fn a_list_field_itself_is_the_table_and_an_empty_one_keeps_its_header() {
        let csv = text(
            "{ porPeriodo { periodo { desde hasta } fichas } }",
            json!({ "porPeriodo": [ { "periodo": { "desde": 2024, "hasta": 2026 }, "fichas": 1 } ] }),
        );
        assert_eq!(csv, "periodo.desde,periodo.hasta,fichas\r\n2024,2026,1\r\n");
        let empty = text(
            "{ productos { nodes { numero nombre } } }",
            json!({ "productos": { "nodes": [] } }),
        );
        assert_eq!(empty, "numero,nombre\r\n");
    }

    #[test]
    fn only_the_first_field_is_the_table() {
        let first = sheet(
            "{ productos { nodes { numero } } partidas { nodes { codigo } } }",
            json!({ "productos": { "nodes": [ { "numero": 1 } ] }, "partidas": { "nodes": [ { "codigo": "20" } ] } }),
        )
        .expect("a table");
        assert_eq!(first.field, "productos");
        assert_eq!(first.header, ["numero"]);
    }

    #[test]
    fn a_query_without_a_list_or_with_lists_side_by_side_is_refused() {
        let no_list = sheet(
            "{ servicio(partida: \"20\", capitulo: \"01\") { nombre } productos { nodes { numero } } }",
            json!({ "servicio": { "nombre": "S" }, "productos": { "nodes": [] } }),
        );
        assert_eq!(
            no_list.map(|_| ()).map_err(|e| e.code()),
            Err("CSV_NEEDS_A_LIST")
        );
        let side_by_side = sheet(
            "{ objetivosInstitucionales { nodes { prioridad productos { nodes { numero } } objetivosMinisteriales { nodes { prioridad } } } } }",
            json!({ "objetivosInstitucionales": { "nodes": [ { "prioridad": 1,
                "productos": { "nodes": [] }, "objetivosMinisteriales": { "nodes": [] } } ] } }),
        );
        assert_eq!(
            side_by_side,
            Err(Unfit::SiblingLists {
                first: "productos".to_owned(),
                second: "objetivosMinisteriales".to_owned()
            })
        );
    }

    #[test]
    fn a_bom_only_when_asked_and_only_with_format_csv() {
        let table =
            sheet("{ a { nodes { b } } }", json!({ "a": { "nodes": [] } })).expect("a table");
        assert!(table.write(true).expect("written").starts_with(BOM));
        assert!(!table.write(false).expect("written").starts_with(BOM));
        assert_eq!(asked_in_url(Some("query=%7Ba%7D")), Ok(None));
        assert_eq!(
            asked_in_url(Some("format=csv&bom=true")),
            Ok(Some(Media::Csv { bom: true }))
        );
        assert!(asked_in_url(Some("format=xlsx")).is_err());
        assert!(asked_in_url(Some("bom=true")).is_err());
    }
}
