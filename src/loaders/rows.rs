//! PostgreSQL rows read by serde, by position, into the same values a
//! level's JSON array reads into on SQLite (see `super::paging`).
//!
//! On SQLite a level's rows cross from the database's thread to the
//! runtime's one at a time, so they are built into one JSON value there.
//! PostgreSQL hands rows over a socket in batches, and building the JSON
//! costs it more than the rows do: `json_agg` of 2,300 productos took 8–13
//! ms of the database's time, plain rows 4 ms. So on PostgreSQL a level
//! comes back as rows, and each row is read here as the JSON element would
//! be: its columns in order, grouped by a [`Part`] layout into the nested
//! sequences the element has (`[parent, [keys…], [columns…]]`).

use chrono::{DateTime, Utc};
use sea_orm::sqlx::postgres::{PgRow, PgValueRef, Postgres};
use sea_orm::sqlx::{Decode, Row, TypeInfo, ValueRef};
use serde::de::value::{Error, StringDeserializer};
use serde::de::{self, DeserializeOwned, Deserializer, IntoDeserializer, SeqAccess, Visitor};
use serde::forward_to_deserialize_any;

/// How a row's columns group into its element: one value, or a sequence of
/// that many columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// One column.
    One,
    /// A sequence of this many columns.
    Many(usize),
}

/// Read `row` as a `T`, its columns grouped by `layout`.
pub fn read<T: DeserializeOwned>(row: &PgRow, layout: &[Part]) -> Result<T, Error> {
    T::deserialize(Element { row, layout })
}

/// A whole row: a sequence of the layout's parts.
struct Element<'r> {
    row: &'r PgRow,
    layout: &'r [Part],
}

impl<'de> Deserializer<'de> for Element<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(Parts {
            row: self.row,
            layout: self.layout.iter(),
            column: 0,
        })
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

/// The parts of a row, in order.
struct Parts<'r> {
    row: &'r PgRow,
    layout: std::slice::Iter<'r, Part>,
    column: usize,
}

impl<'de> SeqAccess<'de> for Parts<'_> {
    type Error = Error;

    fn next_element_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        let Some(part) = self.layout.next() else {
            return Ok(None);
        };
        let start = self.column;
        match *part {
            Part::One => {
                self.column += 1;
                seed.deserialize(Column::at(self.row, start)?).map(Some)
            }
            Part::Many(n) => {
                self.column += n;
                seed.deserialize(Columns {
                    row: self.row,
                    next: start,
                    end: start + n,
                })
                .map(Some)
            }
        }
    }
}

/// A run of columns read as a sequence.
struct Columns<'r> {
    row: &'r PgRow,
    next: usize,
    end: usize,
}

impl<'de> Deserializer<'de> for Columns<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(self)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

impl<'de> SeqAccess<'de> for Columns<'_> {
    type Error = Error;

    fn next_element_seed<S: de::DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        if self.next == self.end {
            return Ok(None);
        }
        let column = Column::at(self.row, self.next)?;
        self.next += 1;
        seed.deserialize(column).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.end - self.next)
    }
}

/// One column's value.
struct Column<'r> {
    value: PgValueRef<'r>,
    index: usize,
}

impl<'r> Column<'r> {
    fn at(row: &'r PgRow, index: usize) -> Result<Self, Error> {
        let value = row
            .try_get_raw(index)
            .map_err(|error| de::Error::custom(format!("column {index}: {error}")))?;
        Ok(Column { value, index })
    }

    fn decode<T: Decode<'r, Postgres>>(self) -> Result<T, Error> {
        let index = self.index;
        T::decode(self.value).map_err(|error| de::Error::custom(format!("column {index}: {error}")))
    }

    /// The column's text, for an enum read from its name.
    fn text(self) -> Result<String, Error> {
        self.decode::<String>()
    }
}

impl<'de> Deserializer<'de> for Column<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.value.is_null() {
            return visitor.visit_unit();
        }
        let index = self.index;
        match self.value.type_info().name() {
            "INT4" => visitor.visit_i32(self.decode()?),
            "INT8" => visitor.visit_i64(self.decode()?),
            "INT2" => visitor.visit_i16(self.decode()?),
            "BOOL" => visitor.visit_bool(self.decode()?),
            "FLOAT8" => visitor.visit_f64(self.decode()?),
            "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" | "UNKNOWN" => {
                visitor.visit_str(self.decode::<&str>()?)
            }
            "TIMESTAMPTZ" => visitor.visit_string(self.decode::<DateTime<Utc>>()?.to_rfc3339()),
            other => Err(de::Error::custom(format!(
                "column {index}: a {other} is not read into the models"
            ))),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.value.is_null() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        let name: StringDeserializer<Error> = self.text()?.into_deserializer();
        visitor.visit_enum(name)
    }

    forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}
