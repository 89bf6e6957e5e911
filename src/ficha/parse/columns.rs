//! Which column of a table holds what, read from the table's header however
//! a ficha words it: current or older names, with or without accents, `N°`,
//! `Nº` or `No`. The current header itself is in [`crate::ficha::layout`];
//! these are the looser keywords that recognise every wording of it.

use std::collections::BTreeMap;

use crate::ficha::layout::Section;
use crate::ficha::text::fold;

/// Which column of a table holds what, read from its header lines.
#[derive(Debug, Default)]
pub(super) struct Columns {
    /// Prioridad or número.
    pub(super) numero: Option<usize>,
    pub(super) tipo: Option<usize>,
    /// Descripción, or the producto's name.
    pub(super) texto: Option<usize>,
    pub(super) genero: Option<usize>,
    pub(super) clima: Option<usize>,
    /// The objectives a row links to.
    pub(super) enlaces: Option<usize>,
}

impl Columns {
    /// Read column roles from the folded header text of each column.
    pub(super) fn from_header(section: Section, cells: &BTreeMap<usize, String>) -> Columns {
        let find = |pred: &dyn Fn(&str) -> bool, skip: &[Option<usize>]| {
            cells
                .iter()
                .find(|(i, text)| !skip.contains(&Some(**i)) && pred(text.trim()))
                .map(|(i, _)| *i)
        };
        let numero = find(
            &|t| t.contains("prioridad") || t.contains("numero") || matches!(t, "n°" | "no" | "n"),
            &[],
        );
        let enlaces = match section {
            Section::ObjetivosInstitucionales => find(
                &|t| {
                    t.contains("ministerio") && (t.contains("relacionad") || t.contains("vincula"))
                },
                &[numero],
            ),
            Section::Productos => find(
                &|t| t.contains("objetivo") && (t.contains("relacionad") || t.contains("vincula")),
                &[numero],
            ),
            _ => None,
        };
        let tipo = find(&|t| t.contains("tipo"), &[numero, enlaces]);
        let texto = match section {
            Section::Productos => find(
                &|t| t.contains("bien") || t.contains("producto") || t.contains("nombre"),
                &[numero, enlaces],
            ),
            _ => find(&|t| t.contains("descripcion"), &[numero, enlaces, tipo]),
        };
        let (genero, clima) = match section {
            Section::ObjetivosInstitucionales => (
                find(&|t| t.contains("genero"), &[numero, enlaces]),
                find(&|t| t.contains("climatico"), &[numero, enlaces]),
            ),
            _ => (None, None),
        };
        Columns {
            numero,
            tipo,
            texto,
            genero,
            clima,
            enlaces,
        }
    }

    /// The roles the section's table cannot do without and that its header
    /// did not name.
    pub(super) fn missing(&self, section: Section) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.numero.is_none() {
            missing.push("numero");
        }
        if self.texto.is_none() {
            missing.push("texto");
        }
        if section != Section::ObjetivosMinisteriales && self.enlaces.is_none() {
            missing.push("enlaces");
        }
        missing
    }
}

/// Whether a first cell reads as a column title rather than a row number.
pub(super) fn looks_like_header(cell: &str) -> bool {
    let folded = fold(cell);
    [
        "prioridad",
        "numero",
        "tipo",
        "descripcion",
        "objetivo",
        "bien",
        "producto",
        "nombre",
    ]
    .iter()
    .any(|word| folded.contains(word))
        || matches!(folded.as_str(), "n°" | "no" | "n")
}
