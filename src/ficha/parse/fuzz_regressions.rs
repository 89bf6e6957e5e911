//! Regression tests for the inputs the fuzz target (`fuzz/`, target `parse`)
//! found breaking the properties it checks: a ficha the parser accepts
//! renders to text that parses back to the same ficha, and no input makes
//! the parser blow up.
//!
//! Each test names the behaviour a user relies on and pins it on its input,
//! shrunk by hand to the smallest ficha that showed the bug; its comment
//! says what the bug was.
//! Accented words are written without accents: the parser folds them, and
//! byte-string literals are ASCII. The quirks the parser is meant to read
//! are tested in `tests.rs`; this module only guards against regressions.

use super::*;
use crate::ficha::render;

const FILE: &str = "fuzz.txt";

/// Parse, render, parse again: the same ficha modulo lines, and rendering it
/// again gives the same text. What `export` then `import` relies on.
fn assert_round_trips(bytes: &[u8]) -> Ficha {
    let parsed = parse_bytes(FILE, bytes).unwrap_or_else(|e| panic!("refused:\n{e}"));
    let rendered = render(&parsed);
    let reparsed = parse(FILE, &rendered)
        .unwrap_or_else(|e| panic!("the rendered ficha is refused:\n{e}\n---\n{rendered}"));
    assert_eq!(
        reparsed.without_lines(),
        parsed.without_lines(),
        "the rendered ficha reads as another ficha:\n---\n{rendered}"
    );
    assert_eq!(render(&reparsed), rendered, "render is not a fixed point");
    parsed
}

/// The refusal's errors as (line, message).
fn refusals(bytes: &[u8]) -> Vec<(usize, String)> {
    match parse_bytes(FILE, bytes) {
        Ok(ficha) => panic!("expected a refusal, got {ficha:#?}"),
        Err(ParseErrors(errors)) => errors.iter().map(|e| (e.line, e.to_string())).collect(),
    }
}

/// The smallest ficha the parser accepts, as a base for the cases below.
const BASE: &[u8] = b"FICHA DE IDENTIFICACION ANO 2024-2026\n\
MINISTERIO\tM\tPARTIDA\t1\n\
SERVICIO\tS\tCAPITULO\t1\n\
Ley organica o Decreto que la rige\n\
L\n\
Mision Institucional\n\
M\n\
Objetivos Estrategicos del Ministerio\n\
Prioridad\tDescripcion\n\
1\tO\n\
Objetivos Estrategicos Institucionales\n\
Prioridad\tDescripcion\tObjetivos del Ministerio Relacionados\n\
1\tI\t1\n\
Bienes / Servicios Finales\n\
Numero\tBien\tObjetivo relacionado\n\
1\tB\t1\n";

/// [`BASE`] with another first line.
fn with_title(title: &[u8]) -> Vec<u8> {
    let first_newline = BASE
        .iter()
        .position(|&b| b == b'\n')
        .expect("BASE has more than one line");
    [title, &BASE[first_newline..]].concat()
}

/// [`BASE`] with `line` inserted after its line `n` (1-based).
fn with_line_after(n: usize, line: &[u8]) -> Vec<u8> {
    let mut lines: Vec<&[u8]> = BASE.split(|&b| b == b'\n').collect();
    lines.insert(n, line);
    lines.join(&b'\n')
}

#[test]
fn the_smallest_ficha_round_trips() {
    let ficha = assert_round_trips(BASE);
    assert_eq!(ficha.ley_organica, "L");
    assert_eq!(ficha.productos[0].objetivos, [1]);
}

// A year with a leading zero is refused in the title, where it is: no ficha
// is dated before 1000. The bug: `year_of` took any four ASCII digits, so
// `0999` read as the year 999, which rendered as `999` and was then refused:
// `export` wrote a file that `import` refused.
#[test]
fn a_year_with_a_leading_zero_is_refused() {
    for title in [
        &b"FICHA DE IDENTIFICACION ANO 0999-2026"[..],
        b"FICHA DE IDENTIFICACION ANO 0999",
        b"FICHA DE IDENTIFICACION ANO 0000-0000",
    ] {
        let errors = refusals(&with_title(title));
        assert!(
            errors
                .iter()
                .any(|(line, message)| *line == 1 && message.contains("with a period such as")),
            "{:?}: {errors:#?}",
            String::from_utf8_lossy(title)
        );
    }
}

// A line whose tab-separated cells spell a section title
// ("Mision\tInstitucional") reads as that title, as it does once rendered
// on one line, so an exported ficha imports back as the same ficha. The bug:
// `section_of` wanted the title alone in one cell, so such a line was kept
// as free text, its cells joined by a space; rendered on its own line it
// was a title, and the exported ficha imported back silently changed (the
// line gone, or the sections cut elsewhere).
#[test]
fn free_text_that_spells_a_section_title_in_cells_survives_export() {
    // In another section's text (the bug cut that section on the way back).
    let ley = with_line_after(5, b"Mision\tInstitucional");
    assert_round_trips(&ley);
    // In its own section's text (the bug dropped it as a running head on the
    // way back).
    let mision = with_line_after(7, b"Mision\t\tInstitucional");
    assert_round_trips(&mision);
}

// A row's links to unknown objectives make one error, of bounded length,
// however many they are. The bug: every link to an unknown objective was its
// own error, each listing every objective the ficha had, so a range such as
// `100-1100` made 1001 errors. With a few hundred objectives and a few
// hundred such ranges an 8.7 KB file made 300 MB of messages (600 MB
// resident, half a minute); the growth was quadratic in the file's size.
#[test]
fn unknown_links_in_a_range_are_reported_once_per_row() {
    let text = [
        &BASE[..BASE.len() - b"1\tB\t1\n".len()],
        b"1\tB\t100-1100\n",
    ]
    .concat();
    let errors = refusals(&text);
    let at_row: Vec<_> = errors.iter().filter(|(line, _)| *line == 16).collect();
    assert_eq!(at_row.len(), 1, "{at_row:#?}");
    assert!(at_row[0].1.len() < 500, "{}", at_row[0].1);
}
