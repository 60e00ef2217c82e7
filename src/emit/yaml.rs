//! YAML output: a serde `Serializer` that writes block-style YAML that
//! reads the same under YAML 1.1 (Kubernetes) and YAML 1.2.
//!
//! The libyaml-based emitters (`serde_yaml` and its continuation
//! `yaml_serde`) follow YAML 1.2 and leave strings such as `yes`, `off`,
//! `1_000` or `2024-01-01` unquoted; Kubernetes reads them as booleans,
//! numbers and dates.  This writer quotes every string that is not
//! unmistakably a string in both versions, escapes the characters a parser
//! refuses or YAML 1.1 reads as line breaks, writes keys too long for an
//! implicit key as explicit ones, and writes floats in a form both versions
//! read as the same float.  Otherwise it writes the same layout as
//! `serde_yaml` (two-space indentation, sequences at the indent of their
//! key).  It streams straight into one `String`, so a whole program's
//! manifests are written in one pass.  The test suite reads every emitted
//! document back with `serde_yaml` and compares it with `serde_yaml`'s own
//! serialization of the same structs, and reads arbitrary strings back with
//! YAML 1.2 and YAML 1.1 parsers (`tests/suite/readback.rs`).

use std::fmt::{self, Display};

use serde::{Serialize, ser};

/// Why a value could not be written (only non-string map keys).
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Error {
        Error(msg.to_string())
    }
}

/// Appends `value` as one YAML document to `out`.
pub fn write<T: Serialize>(out: &mut String, value: &T) -> Result<(), Error> {
    let mut writer = Writer {
        out,
        state: State::Fresh(0),
    };
    value.serialize(&mut writer)
}

/// Serializes one document.
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut out = String::new();
    write(&mut out, value)?;
    Ok(out)
}

/// Whether a plain scalar would be read by a YAML 1.1 parser as something
/// other than a string (bool, null, number, date, merge key).  It errs on
/// the side of quoting: a quoted string is always read as a string.
pub fn is_yaml11_ambiguous(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<", ".inf", "-.inf", "+.inf", ".nan",
    ];
    // No word of the list is longer than five bytes.
    if s.is_empty() || s.len() <= 5 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return true;
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    // Numbers in any YAML 1.1 notation (0x1f, 0o17, 010, 1_000, 1:30, 1e3,
    // .5) and dates (2024-01-01) use only these characters.
    let numeric_start = first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.');
    numeric_start
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'x' | b'X' | b'o' | b'O' | b'_' | b'+' | b'-' | b'.' | b':'))
        || looks_like_timestamp(s)
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-')
}

/// Whether `s` can be written without quotes: it starts like a word or a
/// path, holds no character with a meaning in YAML syntax, and is no other
/// type in YAML 1.1 or 1.2.
fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else { return false };
    let starts_well = first.is_ascii_alphanumeric() || matches!(first, b'_' | b'/' | b'.');
    let body_ok = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | b'.' | b'/' | b'-' | b',' | b'@' | b'+' => true,
        // `key: value` and a trailing `:` would start a mapping.
        b':' => bytes.get(i + 1).is_some_and(|n| *n != b' ') && i + 1 < bytes.len(),
        _ => false,
    });
    starts_well && body_ok && !is_yaml11_ambiguous(s)
}

fn write_scalar_text(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    // A JSON string is a valid YAML double-quoted scalar.
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                use std::fmt::Write as _;
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Whether `c` must be escaped inside a double-quoted scalar to read back
/// as itself under both YAML versions: characters outside YAML's printable
/// set (C0 and C1 controls, DEL, U+FFFE, U+FFFF), which a parser refuses;
/// the byte order mark; and NEL, U+2028 and U+2029, which YAML 1.1 (libyaml,
/// PyYAML, go-yaml) reads as line breaks, so a raw one in a quoted string
/// is folded, with the spaces around it, and in a key ends the key's line.
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// Longest implicit (`key: value`) key as written, quotes included:
/// parsers stop looking for the `:` of a simple key 1024 characters after
/// its start (libyaml, go-yaml, PyYAML), or 1024 bytes (the libyaml port
/// `serde_yaml` uses).  Longer keys are written as explicit keys (`? key`,
/// then `: value` on the next line), which every one of them reads.
const MAX_IMPLICIT_KEY_BYTES: usize = 1024;

/// A float as the shortest text that reads back as the same float, and as
/// a float, in YAML 1.1 and 1.2: always with a `.`, which a YAML 1.1 float
/// needs (a bare `100` would be an integer), and past the range of plain
/// digits with a signed exponent (`1.0e+23`, `1.5e-7`), the only exponent
/// form YAML 1.1 reads.  (The checker refuses numbers no float keeps, so
/// `.inf` and `.nan` are never written for a program.)
fn float_text(v: f64) -> String {
    if v.is_nan() {
        return ".nan".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    let mut text = if v == 0.0 || (1e-5..1e16).contains(&v.abs()) {
        // `Display` writes the shortest round-trip digits, positionally.
        v.to_string()
    } else {
        // `LowerExp` writes them as `1.2345e22` or `1e-7`.
        format!("{v:e}")
    };
    let mantissa_end = text.find('e').unwrap_or(text.len());
    if !text.get(..mantissa_end).unwrap_or_default().contains('.') {
        text.insert_str(mantissa_end, ".0");
    }
    // YAML 1.1 wants the exponent's sign; `LowerExp` writes only a `-`.
    if let Some(e) = text.find('e')
        && text.get(e + 1..e + 2) != Some("-")
    {
        text.insert(e + 1, '+');
    }
    text
}

/// Where the next value goes.
#[derive(Clone, Copy)]
enum State {
    /// At the start of a line; a mapping's keys go at this indent.
    Fresh(usize),
    /// Just after `key:` written at this indent.
    AfterKey(usize),
    /// Just after `- ` written at this indent.
    AfterDash(usize),
}

struct Writer<'o> {
    out: &'o mut String,
    state: State,
}

impl<'o> Writer<'o> {
    /// What goes before a scalar: a space after `key:`, or the indent.
    fn begin_scalar(&mut self) {
        match self.state {
            State::AfterKey(_) => self.out.push(' '),
            State::AfterDash(_) => {}
            State::Fresh(indent) => push_indent(self.out, indent),
        }
    }

    fn scalar(&mut self, text: &str) {
        self.begin_scalar();
        self.out.push_str(text);
        self.out.push('\n');
    }

    /// An integer, written without an intermediate string.
    fn number(&mut self, n: impl Display) {
        use std::fmt::Write as _;
        self.begin_scalar();
        let _ = write!(self.out, "{n}");
        self.out.push('\n');
    }

    fn string(&mut self, s: &str) {
        self.begin_scalar();
        write_scalar_text(self.out, s);
        self.out.push('\n');
    }

    fn begin_map<'w>(&'w mut self, len: Option<usize>) -> Compound<'w, 'o> {
        let empty = len == Some(0);
        let (indent, inline_first) = match self.state {
            State::AfterKey(key) if !empty => {
                self.out.push('\n');
                (key + 2, false)
            }
            State::AfterDash(dash) => (dash + 2, true),
            State::AfterKey(key) => (key + 2, false),
            State::Fresh(indent) => (indent, false),
        };
        if empty {
            self.scalar("{}");
        }
        Compound {
            writer: self,
            indent,
            inline_first,
            first: true,
            empty,
        }
    }

    fn begin_seq<'w>(&'w mut self, len: Option<usize>) -> Compound<'w, 'o> {
        let empty = len == Some(0);
        let (indent, inline_first) = match self.state {
            State::AfterKey(key) if !empty => {
                self.out.push('\n');
                (key, false)
            }
            State::AfterDash(dash) => (dash + 2, true),
            State::AfterKey(key) => (key, false),
            State::Fresh(indent) => (indent, false),
        };
        if empty {
            self.scalar("[]");
        }
        Compound {
            writer: self,
            indent,
            inline_first,
            first: true,
            empty,
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = indent;
    while left > 0 {
        let step = left.min(SPACES.len());
        out.push_str(SPACES.get(..step).unwrap_or_default());
        left -= step;
    }
}

/// A mapping or sequence being written.
struct Compound<'w, 'o> {
    writer: &'w mut Writer<'o>,
    indent: usize,
    /// The first entry continues the line of a `- `.
    inline_first: bool,
    first: bool,
    /// Already written as `{}` or `[]`.
    empty: bool,
}

impl Compound<'_, '_> {
    fn start_line(&mut self) {
        if !(self.first && self.inline_first) {
            push_indent(self.writer.out, self.indent);
        }
        self.first = false;
    }

    /// A struct field's or enum variant's name: an identifier of ours,
    /// written as it is.
    fn field_name(&mut self, name: &'static str) {
        debug_assert!(is_plain_safe(name), "field name `{name}` needs quotes");
        self.start_line();
        self.writer.out.push_str(name);
        self.end_key();
    }

    fn end_key(&mut self) {
        self.writer.out.push(':');
        self.writer.state = State::AfterKey(self.indent);
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.start_line();
        self.writer.out.push_str("- ");
        self.writer.state = State::AfterDash(self.indent);
        value.serialize(&mut *self.writer)
    }
}

impl<'w, 'o> ser::Serializer for &'w mut Writer<'o> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'o>;
    type SerializeTuple = Compound<'w, 'o>;
    type SerializeTupleStruct = Compound<'w, 'o>;
    type SerializeTupleVariant = Compound<'w, 'o>;
    type SerializeMap = Compound<'w, 'o>;
    type SerializeStruct = Compound<'w, 'o>;
    type SerializeStructVariant = Compound<'w, 'o>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(if v { "true" } else { "false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.number(v);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.number(v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(&float_text(v));
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = self.begin_seq(Some(v.len()));
        for b in v {
            ser::SerializeSeq::serialize_element(&mut seq, b)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.scalar("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let mut map = self.begin_map(Some(1));
        ser::SerializeMap::serialize_entry(&mut map, variant, value)?;
        ser::SerializeMap::end(map)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'w, 'o>, Error> {
        Ok(self.begin_seq(len))
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'o>, Error> {
        Ok(self.begin_seq(Some(len)))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'o>, Error> {
        Ok(self.begin_seq(Some(len)))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'o>, Error> {
        let mut map = self.begin_map(Some(1));
        map.field_name(variant);
        Ok(Writer::begin_seq(map.writer, Some(len)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'w, 'o>, Error> {
        Ok(self.begin_map(len))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'o>, Error> {
        Ok(self.begin_map(Some(len)))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'o>, Error> {
        let mut map = self.begin_map(Some(1));
        map.field_name(variant);
        Ok(Writer::begin_map(map.writer, Some(len)))
    }
}

/// Sequences, tuples and tuple structs are all written as YAML sequences.
macro_rules! sequence_like {
    ($($trait:ident::$method:ident),*) => {
        $(impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                Ok(())
            }
        })*
    };
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.start_line();
        let start = self.writer.out.len();
        key.serialize(KeySerializer(self.writer.out))?;
        let written = self.writer.out.get(start..).unwrap_or_default();
        if written.len() > MAX_IMPLICIT_KEY_BYTES {
            self.writer.out.insert_str(start, "? ");
            self.writer.out.push('\n');
            push_indent(self.writer.out, self.indent);
        }
        self.end_key();
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        if self.empty {
            return Ok(());
        }
        self.field_name(key);
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// Map keys must be strings (or numbers and booleans written as strings);
/// a key is written straight into the output.
struct KeySerializer<'o>(&'o mut String);

fn not_a_string<T>() -> Result<T, Error> {
    Err(Error("a map key must be a string".into()))
}

macro_rules! key_from_display {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, v: $ty) -> Result<(), Error> {
            write_scalar_text(self.0, &v.to_string());
            Ok(())
        })*
    };
}

impl ser::Serializer for KeySerializer<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    key_from_display!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64, serialize_f32: f32,
        serialize_f64: f64, serialize_char: char);

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_scalar_text(self.0, v);
        Ok(())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        not_a_string()
    }
    fn serialize_none(self) -> Result<(), Error> {
        not_a_string()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        not_a_string()
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        not_a_string()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        not_a_string()
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        not_a_string()
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        not_a_string()
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeTupleStruct, Error> {
        not_a_string()
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_a_string()
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        not_a_string()
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self::SerializeStruct, Error> {
        not_a_string()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_a_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[derive(Serialize)]
    struct Doc {
        labels: BTreeMap<String, String>,
        count: i64,
        share: f64,
        half: f64,
        flag: bool,
        list: Vec<&'static str>,
        empty: Vec<u8>,
        text: &'static str,
        nested: Vec<BTreeMap<&'static str, Vec<&'static str>>>,
    }

    fn doc() -> Doc {
        let mut labels = BTreeMap::new();
        for s in [
            "yes",
            "on",
            "Off",
            "y",
            "010",
            "2024-01-01",
            "1_000",
            "12:30",
            "0x1f",
            "1e3",
            "v1",
            "stable",
            "a: b",
            "#x",
        ] {
            labels.insert(s.to_string(), s.to_string());
        }
        Doc {
            labels,
            count: 10,
            share: 100.0,
            half: 0.5,
            flag: true,
            list: vec!["on", "mesh"],
            empty: vec![],
            text: "line one\nyes \"quoted\"\n",
            nested: vec![BTreeMap::from([("hosts", vec!["a", "b"]), ("more", vec![])])],
        }
    }

    #[test]
    fn yaml11_lookalikes_are_quoted_and_everything_else_is_plain() {
        let yaml = to_yaml(&doc()).unwrap();
        for s in [
            "yes",
            "on",
            "Off",
            "y",
            "010",
            "2024-01-01",
            "1_000",
            "12:30",
            "0x1f",
            "1e3",
            "a: b",
            "#x",
        ] {
            assert!(
                yaml.contains(&format!("  \"{s}\": \"{s}\"\n")),
                "{s} not quoted in\n{yaml}"
            );
        }
        assert!(yaml.contains("  v1: v1\n") && yaml.contains("  stable: stable\n"));
        assert!(yaml.contains("count: 10\nshare: 100.0\nhalf: 0.5\nflag: true\n"));
        assert!(yaml.contains("list:\n- \"on\"\n- mesh\nempty: []\n"));
        assert!(yaml.contains("text: \"line one\\nyes \\\"quoted\\\"\\n\"\n"));
        assert!(yaml.contains("nested:\n- hosts:\n  - a\n  - b\n  more: []\n"), "{yaml}");
    }

    #[test]
    fn deep_indents_are_written_in_full() {
        for indent in [0, 2, 64, 65, 150] {
            let mut out = String::new();
            push_indent(&mut out, indent);
            assert_eq!(out, " ".repeat(indent));
        }
    }

    #[test]
    fn reads_back_as_serde_yaml_writes_it() {
        let yaml = to_yaml(&doc()).unwrap();
        let ours: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
        let theirs = serde_yaml::to_value(doc()).unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn strings_yaml_11_reads_as_line_breaks_or_refuses_are_escaped() {
        let map = BTreeMap::from([("a\u{2028}b", " \u{2029} \u{fffe}\u{ffff}\u{85}\u{feff}")]);
        assert_eq!(
            to_yaml(&map).unwrap(),
            "\"a\\u2028b\": \" \\u2029 \\ufffe\\uffff\\u0085\\ufeff\"\n"
        );
    }

    #[test]
    fn keys_longer_than_1024_bytes_are_explicit() {
        let implicit = "k".repeat(1024);
        let explicit = "k".repeat(1025);
        let two_bytes = "é".repeat(600);
        let map = BTreeMap::from([
            (implicit.as_str(), vec!["a"]),
            (explicit.as_str(), vec!["b"]),
            (two_bytes.as_str(), vec![]),
        ]);
        let yaml = to_yaml(&vec![map]).unwrap();
        assert_eq!(
            yaml,
            format!("- {implicit}:\n  - a\n  ? {explicit}\n  :\n  - b\n  ? \"{two_bytes}\"\n  : []\n")
        );
        let read: Vec<BTreeMap<String, Vec<String>>> = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(read[0][&explicit], ["b"]);
    }

    #[test]
    fn floats_are_written_as_the_shortest_text_both_versions_read_as_floats() {
        for (value, text) in [
            (100.0, "100.0"),
            (0.5, "0.5"),
            (-0.0, "-0.0"),
            (0.0001, "0.0001"),
            (1e-5, "0.00001"),
            (9.5e-6, "9.5e-6"),
            (9999999999999998.0, "9999999999999998.0"),
            (1e16, "1.0e+16"),
            (1e23, "1.0e+23"),
            (1.2345678901234568e22, "1.2345678901234568e+22"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5.0e-324"),
            (f64::INFINITY, ".inf"),
        ] {
            assert_eq!(float_text(value), text);
        }
    }
}
