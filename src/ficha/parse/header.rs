//! The parts of a ficha that are not tables: the header lines before the
//! first section (title and period, the partida and the servicio) and the
//! free-text sections (ley orgánica, misión).

use super::lines::{Line, section_of};
use super::{Body, Parser};
use crate::ficha::layout::{PARTIDA_LINE, SERVICIO_LINE, SUBTITLE, Section, TITLE};
use crate::ficha::text::fold;
use crate::ficha::{Partida, Periodo, Servicio};

impl Parser<'_> {
    /// Title, `DEFINICIONES ESTRATÉGICAS`, the MINISTERIO and SERVICIO lines.
    pub(super) fn header(
        &mut self,
        lines: &[&Line],
        next: Option<&Line>,
    ) -> Option<(usize, Periodo, Partida, Servicio)> {
        let mut lines = lines.iter().copied().peekable();
        let Some(title) = lines.next() else {
            self.error_eof(expected_title());
            return None;
        };
        let periodo = self.title(title);
        if lines
            .peek()
            .is_some_and(|l| fold(&l.words().join(" ")) == fold(SUBTITLE))
        {
            lines.next();
        }
        let partida = self.coded_line(lines.next().or(next), PARTIDA_LINE);
        let servicio = self.coded_line(lines.next().or(next), SERVICIO_LINE);
        for extra in lines {
            self.error_at(
                extra,
                format!("section \"{}\"", Section::LeyOrganica.title()),
            );
        }
        let (partida_nombre, codigo) = partida?;
        let (servicio_nombre, capitulo) = servicio?;
        Some((
            title.number,
            periodo?,
            Partida {
                codigo,
                nombre: partida_nombre,
            },
            Servicio {
                capitulo,
                nombre: servicio_nombre,
            },
        ))
    }

    /// `FICHA DE IDENTIFICACIÓN AÑO 2024-2026` (or a single year).
    fn title(&mut self, line: &Line) -> Option<Periodo> {
        let expected = || {
            format!(
                "{} with a period such as 2024-2026 or 2024",
                expected_title()
            )
        };
        let [name, year_word] = TITLE.map(fold);
        let folded = fold(&line.words().join(" "));
        let Some(rest) = folded.strip_prefix(name.as_str()) else {
            self.error_at(line, expected());
            return None;
        };
        let rest = rest
            .trim_start()
            .strip_prefix(year_word.as_str())
            .unwrap_or(rest)
            .trim();
        let periodo = match rest
            .split('-')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [year] => year_of(year).map(|y| Periodo { desde: y, hasta: y }),
            [desde, hasta] => match (year_of(desde), year_of(hasta)) {
                (Some(desde), Some(hasta)) if desde <= hasta => Some(Periodo { desde, hasta }),
                _ => None,
            },
            _ => None,
        };
        if periodo.is_none() {
            self.error_at(line, expected());
        }
        periodo
    }

    /// `MINISTERIO <nombre> PARTIDA <código>` and its SERVICIO twin, given
    /// the two labels.
    fn coded_line(
        &mut self,
        line: Option<&Line>,
        [label, code_label]: [&str; 2],
    ) -> Option<(String, String)> {
        let expected = format!("the line \"{label} <nombre> {code_label} <código>\"");
        let Some(line) = line else {
            self.error_eof(expected);
            return None;
        };
        let mut words = line.words();
        // Some extractions lose the tabs: fall back to words.
        if words.len() < 4 {
            words = line.text.split_whitespace().collect();
        }
        let label_at = |w: &str, l: &str| fold(w) == fold(l);
        let parsed = match words.as_slice() {
            [first, name @ .., code_word, code]
                if label_at(first, label)
                    && label_at(code_word, code_label)
                    && !name.is_empty() =>
            {
                let code = code.trim();
                code.chars()
                    .all(|c| c.is_ascii_alphanumeric())
                    .then(|| (name.join(" "), code.to_owned()))
            }
            _ => None,
        };
        if parsed.is_none() {
            self.error_at(line, expected);
        }
        parsed
    }

    /// A free-text section: its lines, joined by newlines.
    pub(super) fn free_text(&mut self, section: Section, body: Option<&Body>) -> Option<String> {
        let body = body?;
        let lines: Vec<String> = body
            .lines
            .iter()
            .filter(|l| section_of(l) != Some(section))
            .map(|l| l.words().join(" "))
            .collect();
        if lines.is_empty() {
            self.missing(body, format!("the text of \"{}\"", section.title()));
            return None;
        }
        Some(lines.join("\n"))
    }
}

/// What a missing title is reported as.
pub(super) fn expected_title() -> String {
    format!("the title \"{} …\"", TITLE.join(" "))
}

fn year_of(text: &str) -> Option<i32> {
    // Four digits, not starting with 0: `0999` would read as 999, which
    // renders as `999` and is then refused.
    (text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit()) && !text.starts_with('0'))
        .then(|| text.parse().ok())
        .flatten()
}
