//! Text folding shared by the parser (to recognise headers written with or
//! without accents) and the store (to search ignoring case and accents).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lowercase, strip accents and collapse runs of whitespace to one space:
/// `"  Misión\u{a0}Institucional "` → `"mision institucional"`.
///
/// `º` (ordinal indicator) becomes `°`, so `Nº` and `N°` fold alike. The
/// result is what the search columns store and what search terms are folded
/// to, so "genero" finds "Género" on every database.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'º' => out.push('°'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// A file-name-safe slug: `"Secretaría General de Gobierno"` →
/// `"secretaria-general-de-gobierno"`.
pub fn slug(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    for c in folded.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_ignores_case_accents_and_spacing() {
        assert_eq!(
            fold("  Misión\u{a0} Institucional\t"),
            "mision institucional"
        );
        assert_eq!(fold("GESTIÓN"), "gestion");
        assert_eq!(fold("Nº Objetivo"), "n° objetivo");
        assert_eq!(fold("AÑO"), "ano");
    }

    #[test]
    fn slug_is_ascii_and_dashed() {
        assert_eq!(
            slug("SECRETARÍA GENERAL DE GOBIERNO"),
            "secretaria-general-de-gobierno"
        );
        assert_eq!(slug("  Ñuñoa / (norte) "), "nunoa-norte");
    }
}
