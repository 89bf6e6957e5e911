//! Text folding shared by the parser (to recognise headers written with or
//! without accents) and the store (to search ignoring case and accents).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Lowercase, strip accents and collapse runs of whitespace to one space:
/// `"  Misión\u{a0}Institucional "` → `"mision institucional"`.
///
/// `º` (ordinal indicator) becomes `°`, so `Nº` and `N°` fold alike. The
/// result is what the search columns store and what search terms are folded
/// to, so "genero" finds "Género" on every database.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut push = |c: char, out: &mut String| {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            return;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'º' => out.push('°'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            c => out.extend(c.to_lowercase()),
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            // Most of a ficha is ASCII: no decomposition needed.
            push(c, &mut out);
        } else {
            // Decompose one character at a time and drop its accents; the
            // base letters keep their order.
            decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    push(d, &mut out);
                }
            });
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
