//! A table row, joined from the lines a page break split it into, and the
//! readers of its cells: numbers, tipos, texts, `Si`/`No` attributes and
//! link lists. Each reader reports its own problem at the row's line and
//! gives `None` for it.

use std::collections::HashMap;

use super::Parser;
use super::error::Found;
use super::lines::Line;
use crate::ficha::TipoObjetivo;
use crate::ficha::text::fold;

/// A table row after joining the lines a page break split it into.
#[derive(Debug)]
pub(super) struct Row<'a> {
    /// The line the row starts on.
    pub(super) line: usize,
    pub(super) cells: Vec<String>,
    /// The line the row starts on, whole: what a missing cell is reported as.
    pub(super) first: &'a Line<'a>,
}

impl<'a> Row<'a> {
    pub(super) fn new(line: &'a Line<'a>) -> Self {
        Row {
            line: line.number,
            cells: line.cells.iter().map(|c| (*c).to_owned()).collect(),
            first: line,
        }
    }

    /// Append the cells of a line that continues the row after a page break.
    pub(super) fn extend(&mut self, cells: &[&str]) {
        for (i, cell) in cells.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
            if self.cells.len() <= i {
                self.cells.resize(i + 1, String::new());
            }
            if !self.cells[i].is_empty() {
                self.cells[i].push(' ');
            }
            self.cells[i].push_str(cell);
        }
    }

    pub(super) fn cell(&self, index: Option<usize>) -> &str {
        index
            .and_then(|i| self.cells.get(i))
            .map_or("", String::as_str)
    }
}

impl Parser<'_> {
    /// A row's number (prioridad or número), unique in its table.
    pub(super) fn number(
        &mut self,
        row: &Row,
        column: Option<usize>,
        what: &str,
        seen: &mut HashMap<u32, usize>,
    ) -> Option<u32> {
        let cell = row.cell(column);
        let Some(number) = cell.parse::<u32>().ok().filter(|&n| n > 0) else {
            self.error(
                row.line,
                format!("{what} as a whole number"),
                Found::Text(cell.to_owned()),
            );
            return None;
        };
        if let Some(first) = seen.insert(number, row.line) {
            self.error(
                row.line,
                format!("a {what} not used before (it is at line {first})"),
                Found::Text(cell.to_owned()),
            );
            return None;
        }
        Some(number)
    }

    /// `Estratégico` or `Gestión Institucional`; tables without a Tipo
    /// column (older fichas) hold only strategic objectives.
    pub(super) fn tipo(&mut self, row: &Row, column: Option<usize>) -> Option<TipoObjetivo> {
        if column.is_none() {
            return Some(TipoObjetivo::Estrategico);
        }
        let cell = row.cell(column);
        match fold(cell).as_str() {
            "estrategico" => Some(TipoObjetivo::Estrategico),
            "gestion institucional" => Some(TipoObjetivo::GestionInstitucional),
            _ => {
                self.error(
                    row.line,
                    "tipo \"Estratégico\" or \"Gestión Institucional\"",
                    Found::Text(cell.to_owned()),
                );
                None
            }
        }
    }

    /// A cell of text, not empty; `what` names it in the message.
    pub(super) fn text(&mut self, row: &Row, column: Option<usize>, what: &str) -> Option<String> {
        let cell = row.cell(column);
        if cell.is_empty() {
            self.error(row.line, what, Found::Text(row.first.text.to_owned()));
            return None;
        }
        Some(cell.to_owned())
    }

    /// A `Si`/`No` attribute; tables without the column (older fichas) say No.
    pub(super) fn si_no(&mut self, row: &Row, column: Option<usize>, what: &str) -> Option<bool> {
        if column.is_none() {
            return Some(false);
        }
        let cell = row.cell(column);
        match fold(cell).as_str() {
            "si" => Some(true),
            "no" => Some(false),
            _ => {
                self.error(
                    row.line,
                    format!("\"Si\" or \"No\" for {what}"),
                    Found::Text(cell.to_owned()),
                );
                None
            }
        }
    }

    /// A list of links to the rows of another table: `1`, `1, 3`, `1,3`,
    /// `1 y 3`, `1-3`, each a number that table lists. `what` names a row of
    /// that table (`ministry objective`) and `known_what` one it lists;
    /// `known` is its numbers, sorted, or `None` when it did not read, and
    /// then neither does the row (its own problems reported).
    pub(super) fn links(
        &mut self,
        row: &Row,
        column: Option<usize>,
        what: &str,
        known: Option<&[u32]>,
        known_what: &str,
    ) -> Option<Vec<u32>> {
        let cell = row.cell(column);
        let Some(links) = parse_links(cell) else {
            self.error(
                row.line,
                format!("a list of {what} numbers such as \"1\", \"1, 3\", \"1 y 3\" or \"1-3\""),
                Found::Text(cell.to_owned()),
            );
            return None;
        };
        let known = known?;
        self.check_links(row, &links, known, known_what)
            .then_some(links)
    }

    /// Every link names a known number; one error per row however many do
    /// not (a range such as `100-1100` would otherwise make a thousand).
    /// `known` is sorted.
    fn check_links(&mut self, row: &Row, links: &[u32], known: &[u32], what: &str) -> bool {
        let unknown: Vec<u32> = links
            .iter()
            .copied()
            .filter(|link| known.binary_search(link).is_err())
            .collect();
        if unknown.is_empty() {
            return true;
        }
        let expected = format!("{what} (one of {})", list_numbers(known));
        self.error(row.line, expected, Found::Text(list_numbers(&unknown)));
        false
    }
}

/// Parse a link list; `None` when it is not one. Sorted, without repeats.
pub(super) fn parse_links(cell: &str) -> Option<Vec<u32>> {
    let mut links = Vec::new();
    let normalised = fold(cell).replace(" y ", ",").replace(';', ",");
    for part in normalised.split(',').map(str::trim) {
        if part.is_empty() {
            if cell.trim().is_empty() {
                continue;
            }
            return None;
        }
        let bounds: Vec<&str> = part.split(['-', '–', '—']).map(str::trim).collect();
        let number = |s: &str| s.parse::<u32>().ok().filter(|&n| n > 0);
        match bounds.as_slice() {
            [n] => links.push(number(n)?),
            [from, to] => {
                let (from, to) = (number(from)?, number(to)?);
                if from > to || to - from > 1000 {
                    return None;
                }
                links.extend(from..=to);
            }
            _ => return None,
        }
    }
    links.sort_unstable();
    links.dedup();
    Some(links)
}

/// `1, 2, 3` for a message: at most 20 numbers, then how many more.
fn list_numbers(numbers: &[u32]) -> String {
    const LISTED: usize = 20;
    let mut list = numbers
        .iter()
        .take(LISTED)
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if numbers.len() > LISTED {
        list.push_str(&format!(" and {} more", numbers.len() - LISTED));
    }
    list
}
