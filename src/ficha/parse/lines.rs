//! The text cut into lines and tab-separated cells, and which lines open a
//! section. Everything else reads [`Line`]s, never the raw text.

use crate::ficha::layout::Section;
use crate::ficha::text::fold;

/// One line of the text, cut into tab-separated cells.
#[derive(Debug)]
pub(super) struct Line<'a> {
    /// 1-based line number.
    pub(super) number: usize,
    /// The line without its line ending, trimmed.
    pub(super) text: &'a str,
    /// The cells, each trimmed, without the empty cells at the end.
    pub(super) cells: Vec<&'a str>,
}

impl<'a> Line<'a> {
    pub(super) fn new(number: usize, raw: &'a str) -> Self {
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        let mut cells: Vec<&str> = text.split('\t').map(str::trim).collect();
        while cells.last().is_some_and(|c| c.is_empty()) {
            cells.pop();
        }
        Line {
            number,
            text: text.trim(),
            cells,
        }
    }

    pub(super) fn is_blank(&self) -> bool {
        self.cells.is_empty()
    }

    pub(super) fn cell(&self, index: usize) -> &'a str {
        self.cells.get(index).copied().unwrap_or("")
    }

    /// The non-empty cells.
    pub(super) fn words(&self) -> Vec<&'a str> {
        self.cells
            .iter()
            .copied()
            .filter(|c| !c.is_empty())
            .collect()
    }
}

/// A line that opens a section: its title alone (cells after it empty).
pub(super) fn section_of(line: &Line) -> Option<Section> {
    // A title split across cells is still a title: free text keeps a line as
    // its words joined by spaces, and rendered so it would read as one.
    match line.words().as_slice() {
        [] => None,
        [title] => Section::from_title(&fold(title)),
        words => Section::from_title(&fold(&words.join(" "))),
    }
}
