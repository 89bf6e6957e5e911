//! Rows the database hands over as JSON (a level of a response aggregated
//! into one value, `json_group_array` / `json_agg`), read into the models
//! with serde: each model is a JSON array of its columns in declaration
//! order. Both databases write numbers and strings alike; booleans differ.

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Visitor};

/// A boolean column: `true`/`false` from PostgreSQL, `1`/`0` from SQLite
/// (which stores booleans as integers).
pub fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    struct Flag;
    impl Visitor<'_> for Flag {
        type Value = bool;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a boolean, or 0 or 1")
        }

        fn visit_bool<E: Error>(self, b: bool) -> Result<bool, E> {
            Ok(b)
        }

        fn visit_u64<E: Error>(self, n: u64) -> Result<bool, E> {
            Ok(n != 0)
        }

        fn visit_i64<E: Error>(self, n: i64) -> Result<bool, E> {
            Ok(n != 0)
        }
    }
    deserializer.deserialize_any(Flag)
}
