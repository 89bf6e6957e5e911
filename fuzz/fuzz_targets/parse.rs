//! Fuzz target `parse`: arbitrary bytes through [`parse_bytes`], and every
//! ficha it accepts through [`render`] and back.
//!
//! What a failure means:
//! - a panic or a hang anywhere: the parser (or renderer) cannot take some
//!   input a user may hand `definiciones import` / `check`;
//! - a refusal with no error, or an error on a line the input does not have:
//!   the user is told nothing useful;
//! - rendered text that the parser refuses, reads as another ficha, or that
//!   renders to different text: `export` writes files that do not import back
//!   as what was exported (the render is meant to be a fixed point).
//!
//! The target owns only these checks; the parser's quirks are tested by the
//! unit tests in `src/ficha/parse/tests.rs`, and each finding of this target
//! becomes a test in `src/ficha/parse/fuzz_regressions.rs`.

#![no_main]

use definiciones::ficha::{self, parse, parse_bytes, render};
use libfuzzer_sys::fuzz_target;

/// The name the parser puts in its messages; not looked at.
const FILE: &str = "fuzz.txt";

fuzz_target!(|bytes: &[u8]| {
    let parsed = match parse_bytes(FILE, bytes) {
        Ok(parsed) => parsed,
        Err(errors) => {
            check_refusal(bytes, &errors);
            return;
        }
    };
    let rendered = render(&parsed);
    let reparsed = match parse(FILE, &rendered) {
        Ok(reparsed) => reparsed,
        Err(errors) => panic!(
            "the rendered ficha is refused:\n{errors}\n--- rendered ---\n{rendered}\n--- parsed ---\n{parsed:#?}"
        ),
    };
    let (parsed, reparsed) = (parsed.without_lines(), reparsed.without_lines());
    assert_eq!(
        parsed, reparsed,
        "the rendered ficha reads as another ficha\n--- rendered ---\n{rendered}"
    );
    let rerendered = render(&reparsed);
    assert_eq!(
        rendered, rerendered,
        "rendering is not a fixed point of parse and render"
    );
});

/// A refusal names at least one problem, each on a line the input has.
fn check_refusal(bytes: &[u8], errors: &ficha::ParseErrors) {
    assert!(!errors.0.is_empty(), "a refusal without any error");
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    for error in &errors.0 {
        assert!(
            (1..=lines).contains(&error.line),
            "error on line {} of a {lines}-line input: {error}",
            error.line
        );
    }
}
