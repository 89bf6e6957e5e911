//! [`Ficha`] → text in the published layout, as `export` writes it.
//!
//! The output is what the parser reads best: the current section names, the
//! two-line header of the institutional objectives and the products' caption,
//! one line a row, no page breaks. Parsing it gives back the same ficha.
//!
//! The titles and headers come from [`super::layout`]; which field goes in
//! which column is written here, once. The writer is shared with
//! `generate`, which passes an [`Extraction`] adding what a PDF extractor
//! does to the text; [`render`] passes one that adds nothing.

use std::fmt::Write;

use super::Ficha;
use super::layout::{PARTIDA_LINE, SERVICIO_LINE, SUBTITLE, Section, TITLE};

/// Render a ficha as published text (LF line endings, final newline).
pub fn render(ficha: &Ficha) -> String {
    let mut out = String::with_capacity(4096);
    write(&mut out, ficha, &mut Published);
    out
}

/// What a PDF extractor does to the published layout, asked at each place
/// it may act. The defaults do nothing: the layout as published.
pub(super) trait Extraction {
    /// What comes before a table's next row.
    fn page_break(&mut self, _section: Section) -> PageBreak {
        PageBreak::None
    }

    /// A list of links as printed in a cell.
    fn links(&mut self, numbers: &[u32]) -> String {
        numbers
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Where a page break cuts a row's text: its start stays on the row's
    /// line, its end continues on a line of empty leading cells.
    fn split_text(&mut self, _section: Section, _text: &str) -> Option<(String, String)> {
        None
    }
}

/// What comes before a table row, as [`Extraction::page_break`] says.
pub(super) enum PageBreak {
    /// Nothing: the row follows the row above.
    None,
    /// A blank line.
    Blank,
    /// A blank line, then the table's header again (not its caption).
    RepeatedHeader,
}

/// The layout as published: what [`render`] writes.
struct Published;

impl Extraction for Published {}

/// Write a ficha in the published layout, with what `extraction` adds.
pub(super) fn write(out: &mut String, ficha: &Ficha, extraction: &mut impl Extraction) {
    let [title, year_word] = TITLE;
    let [ministerio, partida] = PARTIDA_LINE;
    let [servicio, capitulo] = SERVICIO_LINE;
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "{title} {year_word} {periodo}\n\n\
         {SUBTITLE}\n\n\
         {ministerio}\t{nombre}\t{partida}\t{codigo}\n\
         {servicio}\t{servicio_nombre}\t{capitulo}\t{capitulo_codigo}\n",
        periodo = ficha.periodo,
        nombre = ficha.partida.nombre,
        codigo = ficha.partida.codigo,
        servicio_nombre = ficha.servicio.nombre,
        capitulo_codigo = ficha.servicio.capitulo,
    );
    free_text(out, Section::LeyOrganica, &ficha.ley_organica);
    free_text(out, Section::Mision, &ficha.mision);
    let si_no = |value: bool| if value { "Si" } else { "No" };
    table(
        out,
        extraction,
        Section::ObjetivosMinisteriales,
        &ficha.objetivos_ministeriales,
        2,
        |o, _| {
            vec![
                o.prioridad.to_string(),
                o.tipo.as_published().to_owned(),
                o.descripcion.clone(),
            ]
        },
    );
    table(
        out,
        extraction,
        Section::ObjetivosInstitucionales,
        &ficha.objetivos_institucionales,
        2,
        |o, extraction| {
            vec![
                o.prioridad.to_string(),
                o.tipo.as_published().to_owned(),
                o.descripcion.clone(),
                si_no(o.enfoque_genero).to_owned(),
                si_no(o.cambio_climatico).to_owned(),
                extraction.links(&o.objetivos_ministeriales),
            ]
        },
    );
    table(
        out,
        extraction,
        Section::Productos,
        &ficha.productos,
        1,
        |p, extraction| {
            vec![
                p.numero.to_string(),
                p.nombre.clone(),
                String::new(),
                extraction.links(&p.objetivos),
            ]
        },
    );
}

/// A free-text section: its title, then its text.
fn free_text(out: &mut String, section: Section, text: &str) {
    let _ = write!(out, "\n{}\n\n{text}\n", section.title());
}

/// A table section: its title, caption and header, then a line a row, with
/// whatever the extraction puts between them. `cells` gives a row's cells;
/// `text` is the one a page break may split.
fn table<T, E: Extraction>(
    out: &mut String,
    extraction: &mut E,
    section: Section,
    rows: &[T],
    text: usize,
    cells: impl Fn(&T, &mut E) -> Vec<String>,
) {
    let _ = write!(out, "\n{}\n\n", section.title());
    if section.has_caption() {
        line(
            out,
            [section.title()]
                .into_iter()
                .chain(std::iter::repeat_n("", section.width() - 1)),
        );
    }
    header(out, section);
    for row in rows {
        match extraction.page_break(section) {
            PageBreak::None => {}
            PageBreak::Blank => out.push('\n'),
            PageBreak::RepeatedHeader => {
                out.push('\n');
                header(out, section);
            }
        }
        let mut cells = cells(row, extraction);
        match extraction.split_text(section, &cells[text]) {
            Some((start, end)) => {
                let mut continued = vec![""; cells.len()];
                continued[text] = &end;
                cells[text] = start;
                line(out, cells.iter().map(String::as_str));
                out.push('\n');
                line(out, continued);
            }
            None => line(out, cells.iter().map(String::as_str)),
        }
    }
}

fn header(out: &mut String, section: Section) {
    for cells in section.header() {
        line(out, cells.iter().copied());
    }
}

/// One line: its cells separated by tabs.
fn line<'a>(out: &mut String, cells: impl IntoIterator<Item = &'a str>) {
    for (i, cell) in cells.into_iter().enumerate() {
        if i > 0 {
            out.push('\t');
        }
        out.push_str(cell);
    }
    out.push('\n');
}
