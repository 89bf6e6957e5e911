//! Ficha text → [`Ficha`], or every problem found in it.
//!
//! The published text is what a PDF extractor makes of the ficha: sections
//! separated by blank lines, table cells by tabs. The parser reads it in
//! three passes: split into lines and cells, cut into sections at their
//! titles, then read each section (header lines, free text, tables). It
//! keeps going after a problem so that one run reports every problem in the
//! file, each with its line; a ficha with any problem is refused whole.
//!
//! This module owns the passes and the cutting into sections; reading each
//! part is left to its submodules:
//! - `lines`: the text as lines of cells, and which lines open a section;
//! - `header`: the header lines and the free-text sections;
//! - `table`: cutting a table into header and rows, and reading its rows;
//! - `columns`: which column of a table holds what;
//! - `row`: a row rejoined across page breaks, and the readers of its cells;
//! - `error`: the problems, as reported.
//!
//! The titles and headers it looks for are in [`super::layout`].

mod columns;
mod error;
mod header;
mod lines;
mod row;
mod table;

use std::collections::HashMap;

pub use error::{Found, ParseError, ParseErrors};

use super::Ficha;
use super::layout::{SECTIONS, Section};
use header::expected_title;
use lines::{Line, section_of};

/// Parse a ficha from the bytes of a file: refuses bytes that are not UTF-8,
/// drops a UTF-8 byte-order mark, then reads it as [`parse`] does.
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Result<Ficha, ParseErrors> {
    match std::str::from_utf8(bytes) {
        Ok(text) => parse(file, text),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let end = bytes[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| start + i);
            Err(ParseErrors(vec![ParseError {
                file: file.to_owned(),
                line,
                expected: "text encoded as UTF-8".to_owned(),
                found: Found::Text(String::from_utf8_lossy(&bytes[start..end]).into_owned()),
            }]))
        }
    }
}

/// Parse a ficha's text. `file` names it in error messages.
pub fn parse(file: &str, text: &str) -> Result<Ficha, ParseErrors> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Line> = text
        .split('\n')
        .enumerate()
        .map(|(i, raw)| Line::new(i + 1, raw))
        .collect();
    let mut parser = Parser {
        file,
        errors: Vec::new(),
        end_line: lines.len(),
    };
    let ficha = parser.ficha(&lines);
    match ficha {
        Some(ficha) if parser.errors.is_empty() => Ok(ficha),
        _ => {
            let mut errors = parser.errors;
            errors.sort_by_key(|e| e.line);
            Err(ParseErrors(errors))
        }
    }
}

/// One run of the parser over a file: the problems found so far.
struct Parser<'f> {
    file: &'f str,
    errors: Vec<ParseError>,
    /// Number of the last line, where "end of file" is reported.
    end_line: usize,
}

/// The lines of one section, and the line that follows it (where a missing
/// part is reported).
struct Body<'a> {
    lines: &'a [&'a Line<'a>],
    next: Option<&'a Line<'a>>,
}

impl Parser<'_> {
    fn ficha(&mut self, lines: &[Line]) -> Option<Ficha> {
        let content: Vec<&Line> = lines.iter().filter(|l| !l.is_blank()).collect();
        if content.is_empty() {
            self.error_eof(expected_title());
            return None;
        }

        // Cut at section titles: the header is what comes before the first.
        let mut starts: Vec<(Section, usize)> = Vec::new();
        for (i, line) in content.iter().enumerate() {
            if let Some(section) = section_of(line) {
                match starts.iter().find(|(s, _)| *s == section) {
                    // A title repeated inside its own section: the products'
                    // table caption, or a page's running head.
                    Some(_) if starts.last().is_some_and(|&(s, _)| s == section) => {}
                    Some(&(_, first)) => {
                        let expected = format!(
                            "section \"{}\" only once (first at line {})",
                            section.title(),
                            content[first].number
                        );
                        self.error_at(line, expected);
                    }
                    None => starts.push((section, i)),
                }
            }
        }
        let header_end = starts.first().map_or(content.len(), |&(_, i)| i);
        let header = self.header(&content[..header_end], content.get(header_end).copied());

        let mut bodies: HashMap<Section, Body> = HashMap::new();
        for (k, &(section, start)) in starts.iter().enumerate() {
            let end = starts.get(k + 1).map_or(content.len(), |&(_, i)| i);
            let body = Body {
                lines: &content[start + 1..end],
                next: content.get(end).copied(),
            };
            bodies.insert(section, body);
        }
        self.check_section_order(&starts, &content);

        let ley_organica = self.free_text(Section::LeyOrganica, bodies.get(&Section::LeyOrganica));
        let mision = self.free_text(Section::Mision, bodies.get(&Section::Mision));
        let ministeriales = self.table(
            Section::ObjetivosMinisteriales,
            bodies.get(&Section::ObjetivosMinisteriales),
        );
        let institucionales = self.table(
            Section::ObjetivosInstitucionales,
            bodies.get(&Section::ObjetivosInstitucionales),
        );
        let productos = self.table(Section::Productos, bodies.get(&Section::Productos));

        // Links are checked against every number a table lists, even when
        // some of its rows have other problems, so all of them are reported.
        let known_ministeriales = ministeriales.as_ref().map(|t| t.numbers());
        let known_institucionales = institucionales.as_ref().map(|t| t.numbers());
        let objetivos_ministeriales = self.objetivos_ministeriales(ministeriales);
        let objetivos_institucionales =
            self.objetivos_institucionales(institucionales, known_ministeriales.as_deref());
        let productos = self.productos(productos, known_institucionales.as_deref());

        let (line, periodo, partida, servicio) = header?;
        Some(Ficha {
            partida,
            servicio,
            periodo,
            ley_organica: ley_organica?,
            mision: mision?,
            objetivos_ministeriales: objetivos_ministeriales?,
            objetivos_institucionales: objetivos_institucionales?,
            productos: productos?,
            line,
        })
    }

    /// Every section must be there, in the published order.
    fn check_section_order(&mut self, starts: &[(Section, usize)], content: &[&Line]) {
        for (k, &section) in SECTIONS.iter().enumerate() {
            if starts.iter().any(|&(s, _)| s == section) {
                continue;
            }
            // Report a missing section where the next one present begins, or
            // at the end of a file cut short.
            let next = SECTIONS[k + 1..]
                .iter()
                .find_map(|s| starts.iter().find(|(found, _)| found == s));
            let expected = format!("section \"{}\"", section.title());
            match next {
                Some(&(_, i)) => self.error_at(content[i], expected),
                None => self.error_eof(expected),
            }
        }
        for pair in starts.windows(2) {
            let ((before, _), (after, i)) = (pair[0], pair[1]);
            if after < before {
                let expected =
                    format!("section \"{}\" after \"{}\"", after.title(), before.title());
                self.error_at(content[i], expected);
            }
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_regressions;
