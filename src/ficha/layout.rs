//! The published layout of a ficha, written once: the words of its header
//! lines, its sections in the order they are published with every title each
//! has been printed under, and the header of each table.
//!
//! The parser recognises these, the renderer (and through it the generator)
//! prints them; none of them spells a title or a header itself. What the
//! layout leaves to others: how a column is recognised in a header worded
//! otherwise than the current one (the parser's keywords, `parse::columns`),
//! and which field of the model goes in which column (`render`).

use std::sync::LazyLock;

use super::text::fold;

/// The title's words before the period: `FICHA DE IDENTIFICACIÓN AÑO
/// 2024-2026`. Some extractions lose the second.
pub(super) const TITLE: [&str; 2] = ["FICHA DE IDENTIFICACIÓN", "AÑO"];

/// The line under the title.
pub(super) const SUBTITLE: &str = "DEFINICIONES ESTRATÉGICAS";

/// The labels of the line naming the partida: `MINISTERIO <nombre> PARTIDA
/// <código>`.
pub(super) const PARTIDA_LINE: [&str; 2] = ["MINISTERIO", "PARTIDA"];

/// The labels of the line naming the servicio: `SERVICIO <nombre> CAPITULO
/// <código>`.
pub(super) const SERVICIO_LINE: [&str; 2] = ["SERVICIO", "CAPITULO"];

/// The column of the institutional objectives holding the *Enfoque de
/// Género* attribute.
pub(super) const ENFOQUE_DE_GENERO: &str = "Enfoque de Género";

/// The column of the institutional objectives holding the *Cambio Climático*
/// attribute.
pub(super) const CAMBIO_CLIMATICO: &str = "Cambio Climático";

/// The sections of a ficha, in the order they are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Section {
    LeyOrganica,
    Mision,
    ObjetivosMinisteriales,
    ObjetivosInstitucionales,
    Productos,
}

/// Every section, in the order they are published.
pub(super) const SECTIONS: [Section; 5] = [
    Section::LeyOrganica,
    Section::Mision,
    Section::ObjetivosMinisteriales,
    Section::ObjetivosInstitucionales,
    Section::Productos,
];

impl Section {
    /// The title as current fichas print it (used in messages and rendering).
    pub(super) fn title(self) -> &'static str {
        self.titles()[0]
    }

    /// Every title the section has been published under, the current first.
    fn titles(self) -> &'static [&'static str] {
        match self {
            Section::LeyOrganica => &["Ley orgánica o Decreto que la rige"],
            Section::Mision => &["Misión Institucional"],
            Section::ObjetivosMinisteriales => &[
                "Objetivos Estratégicos del Ministerio",
                "Objetivos Relevantes del Ministerio",
            ],
            Section::ObjetivosInstitucionales => &["Objetivos Estratégicos Institucionales"],
            Section::Productos => &[
                "Bienes / Servicios Finales",
                "Bienes/Servicios Finales",
                "Productos Estratégicos (Bienes y/o Servicios)",
                "Productos Estratégicos (Bienes y / o Servicios)",
                "Productos Estratégicos",
            ],
        }
    }

    /// Recognise a section title, current or older, folded (see [`fold`]).
    pub(super) fn from_title(folded: &str) -> Option<Section> {
        // Folded once: the parser asks about every line.
        static FOLDED_TITLES: LazyLock<Vec<(String, Section)>> = LazyLock::new(|| {
            SECTIONS
                .iter()
                .flat_map(|&section| section.titles().iter().map(move |t| (fold(t), section)))
                .collect()
        });
        FOLDED_TITLES
            .iter()
            .find(|(title, _)| title == folded)
            .map(|&(_, section)| section)
    }

    /// The header of the section's table as published, line by line and
    /// cell by cell; empty for a free-text section. A name over two columns
    /// is followed by an empty cell, and a column named on the second line
    /// only has an empty cell above.
    pub(super) fn header(self) -> &'static [&'static [&'static str]] {
        match self {
            Section::LeyOrganica | Section::Mision => &[],
            Section::ObjetivosMinisteriales => &[&["Prioridad", "Tipo de Objetivo", "Descripción"]],
            Section::ObjetivosInstitucionales => &[
                &[
                    "Prioridad",
                    "Tipo de Objetivo",
                    "Descripción",
                    "Atributos Considerados",
                    "",
                    "Objetivos del Ministerio Relacionados",
                ],
                &["", "", "", ENFOQUE_DE_GENERO, CAMBIO_CLIMATICO, ""],
            ],
            Section::Productos => &[&[
                "Número",
                "Bien / Servicio Final",
                "",
                "N° Objetivo Estratégico Relacionado",
            ]],
        }
    }

    /// Whether the section's title is repeated as a caption above its
    /// table, as the productos' is.
    pub(super) fn has_caption(self) -> bool {
        self == Section::Productos
    }

    /// How many cells the section's table has a line.
    pub(super) fn width(self) -> usize {
        self.header()
            .iter()
            .map(|line| line.len())
            .max()
            .unwrap_or(0)
    }

    /// The names of the table's columns, for messages: each column by its
    /// lowest name in the header (`Enfoque de Género`, not `Atributos
    /// Considerados`), joined by commas.
    pub(super) fn column_names(self) -> String {
        (0..self.width())
            .filter_map(|column| {
                self.header()
                    .iter()
                    .rev()
                    .map(|line| line.get(column).copied().unwrap_or(""))
                    .find(|name| !name.is_empty())
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
