//! The table sections: each cut into its header and its rows (skipping its
//! caption, headers repeated after a page break, and joining rows a page
//! break split), then its rows read into objectives or productos by one
//! reader the three tables share, each table saying only what its row holds.

use std::collections::{BTreeMap, HashMap};

use super::columns::{Columns, looks_like_header};
use super::lines::section_of;
use super::row::Row;
use super::{Body, Parser};
use crate::ficha::layout::{CAMBIO_CLIMATICO, ENFOQUE_DE_GENERO, Section};
use crate::ficha::text::fold;
use crate::ficha::{ObjetivoInstitucional, ObjetivoMinisterial, Producto};

/// A table section cut into the columns its header names and its rows.
pub(super) struct Table<'a> {
    columns: Columns,
    rows: Vec<Row<'a>>,
}

impl Table<'_> {
    /// The numbers the rows carry, where they read as numbers, sorted: what
    /// a link to this table may name.
    pub(super) fn numbers(&self) -> Vec<u32> {
        let mut numbers: Vec<u32> = self
            .rows
            .iter()
            .filter_map(|row| row.cell(self.columns.numero).parse().ok())
            .collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers
    }
}

impl Parser<'_> {
    /// Cut a table section into header columns and rows, joining rows that a
    /// page break split.
    pub(super) fn table<'a>(
        &mut self,
        section: Section,
        body: Option<&Body<'a>>,
    ) -> Option<Table<'a>> {
        let body = body?;
        let lines = body.lines;
        let mut header_lines: Vec<String> = Vec::new();
        let mut header_cells: BTreeMap<usize, String> = BTreeMap::new();
        let mut rows: Vec<Row> = Vec::new();
        for &line in lines {
            // The products' title repeats as a caption above its table.
            if section_of(line) == Some(section) {
                continue;
            }
            let first = line.cell(0);
            // Only a line not starting with a number can be a header.
            let folded = match first.parse::<u32>() {
                Ok(_) => String::new(),
                Err(_) => fold(&line.cells.join("\t")),
            };
            if rows.is_empty() && (first.is_empty() || looks_like_header(first)) {
                for (i, cell) in line.cells.iter().enumerate() {
                    let entry = header_cells.entry(i).or_default();
                    entry.push(' ');
                    entry.push_str(&fold(cell));
                }
                header_lines.push(folded);
                continue;
            }
            // A header repeated after a page break.
            if !folded.is_empty() && header_lines.contains(&folded) {
                continue;
            }
            if first.is_empty() {
                // A row continued after a page break: its cells extend the
                // cells of the row above (there is one: lines before the
                // first row are header lines).
                if let Some(row) = rows.last_mut() {
                    row.extend(&line.cells);
                }
                continue;
            }
            rows.push(Row::new(line));
        }

        let columns = Columns::from_header(section, &header_cells);
        let missing = columns.missing(section);
        if header_lines.is_empty() || !missing.is_empty() {
            let expected = format!(
                "the header of the table \"{}\" with columns {}",
                section.title(),
                section.column_names()
            );
            match lines.iter().find(|l| section_of(l) != Some(section)) {
                Some(line) => self.error_at(line, expected),
                None => self.missing(body, expected),
            }
            return None;
        }
        if rows.is_empty() {
            self.missing(body, format!("at least one row in \"{}\"", section.title()));
            return None;
        }
        Some(Table { columns, rows })
    }

    /// Read every row of a table: its number, unique in the table (`number`
    /// names it in messages), then what `build` makes of the rest of the row
    /// and that number. Every row is read, so that every problem is
    /// reported; the table reads only if all its rows do.
    fn rows<T>(
        &mut self,
        table: Option<Table>,
        number: &str,
        mut build: impl FnMut(&mut Self, &Columns, &Row, Option<u32>) -> Option<T>,
    ) -> Option<Vec<T>> {
        let Table { columns, rows } = table?;
        let mut seen = HashMap::new();
        let mut read = Vec::with_capacity(rows.len());
        let mut ok = true;
        for row in &rows {
            let numero = self.number(row, columns.numero, number, &mut seen);
            match build(self, &columns, row, numero) {
                Some(item) => read.push(item),
                None => ok = false,
            }
        }
        ok.then_some(read)
    }

    // Each builder reads every cell before giving up on the row (the `?`s
    // come last), so that a row reports all its problems.

    pub(super) fn objetivos_ministeriales(
        &mut self,
        table: Option<Table>,
    ) -> Option<Vec<ObjetivoMinisterial>> {
        self.rows(table, "prioridad", |parser, columns, row, prioridad| {
            let tipo = parser.tipo(row, columns.tipo);
            let descripcion = parser.text(row, columns.texto, "a descripción");
            Some(ObjetivoMinisterial {
                prioridad: prioridad?,
                tipo: tipo?,
                descripcion: descripcion?,
                line: row.line,
            })
        })
    }

    /// `ministeriales`: the numbers of the ministry objectives, `None` when
    /// their table did not read.
    pub(super) fn objetivos_institucionales(
        &mut self,
        table: Option<Table>,
        ministeriales: Option<&[u32]>,
    ) -> Option<Vec<ObjetivoInstitucional>> {
        self.rows(table, "prioridad", |parser, columns, row, prioridad| {
            let tipo = parser.tipo(row, columns.tipo);
            let descripcion = parser.text(row, columns.texto, "a descripción");
            let genero = parser.si_no(row, columns.genero, ENFOQUE_DE_GENERO);
            let clima = parser.si_no(row, columns.clima, CAMBIO_CLIMATICO);
            let links = parser.links(
                row,
                columns.enlaces,
                "ministry objective",
                ministeriales,
                "a ministry objective this ficha lists",
            );
            Some(ObjetivoInstitucional {
                prioridad: prioridad?,
                tipo: tipo?,
                descripcion: descripcion?,
                enfoque_genero: genero?,
                cambio_climatico: clima?,
                objetivos_ministeriales: links?,
                line: row.line,
            })
        })
    }

    /// `institucionales`: the numbers of the institutional objectives,
    /// `None` when their table did not read.
    pub(super) fn productos(
        &mut self,
        table: Option<Table>,
        institucionales: Option<&[u32]>,
    ) -> Option<Vec<Producto>> {
        self.rows(table, "número", |parser, columns, row, numero| {
            let nombre = parser.text(row, columns.texto, "the name of the bien / servicio");
            let links = parser.links(
                row,
                columns.enlaces,
                "institutional objective",
                institucionales,
                "an institutional objective this ficha lists",
            );
            Some(Producto {
                numero: numero?,
                nombre: nombre?,
                objetivos: links?,
                line: row.line,
            })
        })
    }
}
