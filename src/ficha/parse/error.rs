//! The problems a ficha can have, as the user sees them
//! (`file:line: expected …, found …`), and how the parser records one.
//!
//! The parser never stops at a problem: each is pushed here with its line,
//! and [`super::parse`] hands back all of them at the end.

use std::fmt;

use super::lines::Line;
use super::{Body, Parser};

/// One problem in a ficha, with the place it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: expected {expected}, found {found}")]
pub struct ParseError {
    /// The file the ficha was read from, as the user named it.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What the parser was looking for there.
    pub expected: String,
    /// What it found instead.
    pub found: Found,
}

/// What the parser found where it expected something else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// Text of the line or cell, shown quoted.
    Text(String),
    /// The file ended first.
    EndOfFile,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Found::Text(text) => write!(f, "{text:?}"),
            Found::EndOfFile => f.write_str("end of file"),
        }
    }
}

/// Every problem found in one ficha; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseErrors(pub Vec<ParseError>);

impl fmt::Display for ParseErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseErrors {}

impl Parser<'_> {
    pub(super) fn error(&mut self, line: usize, expected: impl Into<String>, found: Found) {
        self.errors.push(ParseError {
            file: self.file.to_owned(),
            line,
            expected: expected.into(),
            found,
        });
    }

    pub(super) fn error_at(&mut self, line: &Line, expected: impl Into<String>) {
        let found = Found::Text(line.text.to_owned());
        self.error(line.number, expected, found);
    }

    pub(super) fn error_eof(&mut self, expected: impl Into<String>) {
        self.error(self.end_line, expected, Found::EndOfFile);
    }

    /// Something a section lacks, reported where the next section begins.
    pub(super) fn missing(&mut self, body: &Body, expected: impl Into<String>) {
        match body.next {
            Some(line) => self.error_at(line, expected),
            None => self.error_eof(expected),
        }
    }
}
