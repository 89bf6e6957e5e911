//! The real fichas shipped inside the binary (from `data/fichas`), so that
//! `definiciones serve` has data to answer with from any directory.

use include_dir::{Dir, include_dir};

static FICHAS: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/data/fichas");

/// The bundled fichas as (file name, bytes), sorted by name.
pub fn fichas() -> Vec<(&'static str, &'static [u8])> {
    let mut files: Vec<_> = FICHAS
        .files()
        .filter_map(|f| Some((f.path().file_name()?.to_str()?, f.contents())))
        .collect();
    files.sort_by_key(|(name, _)| *name);
    files
}
