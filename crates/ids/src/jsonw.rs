//! A JSON object written key by key into a `String`, in the bytes `serde_json` writes for the
//! same object held as a [`Value`] (compact, keys in byte order, strings escaped as it escapes
//! them, numbers as it formats them): the EVE alert line, written straight from the alert.
//!
//! Building the alert as a [`Value`] first allocated a string per key and per value and a
//! B-tree node per object, and then sorted the keys again on writing: some 120 M instructions
//! on the benchmark capture's 1,432 alerts, on the thread that scores (session 18). The writer
//! takes its keys in the order the `Value` would have sorted them (checked in debug builds),
//! and `alert::tests` compares its lines with `serde_json`'s for every kind of alert.

use std::fmt::Write as _;

use serde_json::{Number, Value};

/// An open JSON object: `{` written, `}` written by [`Obj::close`].
pub(crate) struct Obj<'a> {
    out: &'a mut String,
    /// No key written yet.
    first: bool,
    /// The key written last (debug builds check that keys come in byte order).
    #[cfg(debug_assertions)]
    last: &'static str,
}

impl<'a> Obj<'a> {
    /// Open an object at the end of `out`.
    pub(crate) fn open(out: &'a mut String) -> Obj<'a> {
        out.push('{');
        Obj {
            out,
            first: true,
            #[cfg(debug_assertions)]
            last: "",
        }
    }

    /// Write `"key":` (after a comma unless it is the first). `key` needs no escaping and comes
    /// after the previous key in byte order, as a `Value`'s object sorts its keys.
    fn key(&mut self, key: &'static str) -> &mut String {
        #[cfg(debug_assertions)]
        {
            debug_assert!(
                self.first || self.last < key,
                "keys out of order: {} then {key}",
                self.last
            );
            self.last = key;
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
        self.out
    }

    /// A string value.
    pub(crate) fn str(&mut self, key: &'static str, v: &str) {
        let out = self.key(key);
        string(out, v);
    }

    /// A string value, or `null` for `None`.
    pub(crate) fn opt_str(&mut self, key: &'static str, v: Option<&str>) {
        match v {
            Some(s) => self.str(key, s),
            None => self.key(key).push_str("null"),
        }
    }

    /// An integer value.
    pub(crate) fn u64(&mut self, key: &'static str, v: u64) {
        let out = self.key(key);
        integer(out, v);
    }

    /// A number (`null` if not finite, as `json!` makes it).
    pub(crate) fn f64(&mut self, key: &'static str, v: f64) {
        let out = self.key(key);
        float(out, v);
    }

    /// An array of strings.
    pub(crate) fn strs<'s>(&mut self, key: &'static str, vs: impl IntoIterator<Item = &'s str>) {
        let out = self.key(key);
        out.push('[');
        for (i, s) in vs.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            string(out, s);
        }
        out.push(']');
    }

    /// A value already built as a [`Value`] (the rarer parts of an alert), as `serde_json`
    /// writes it.
    pub(crate) fn value(&mut self, key: &'static str, v: &Value) {
        let out = self.key(key);
        // writing to a String cannot fail
        let _ = write!(out, "{v}");
    }

    /// Open an object as the value of `key`; write its keys, then [`Obj::close`] it.
    pub(crate) fn obj(&mut self, key: &'static str) -> Obj<'_> {
        Obj::open(self.key(key))
    }

    /// Write `}`.
    pub(crate) fn close(self) {
        self.out.push('}');
    }
}

/// `v` as `serde_json` writes a string: quoted, with `"` and `\` escaped, and the control
/// characters below U+0020 as `\b`, `\t`, `\n`, `\f`, `\r` or `\u00xx` (lowercase hex); all
/// else, U+007F and beyond included, as it is.
pub(crate) fn string(out: &mut String, v: &str) {
    out.push('"');
    let mut run = 0;
    for (i, b) in v.bytes().enumerate() {
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            b'\t' => "\\t",
            b'\n' => "\\n",
            0x0c => "\\f",
            b'\r' => "\\r",
            0..=0x1f => "",
            _ => continue,
        };
        // `b` is ASCII: `run..i` and what follows `i` are on character boundaries
        out.push_str(v.get(run..i).unwrap_or_default());
        if esc.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        } else {
            out.push_str(esc);
        }
        run = i + 1;
    }
    out.push_str(v.get(run..).unwrap_or_default());
    out.push('"');
}

/// `v` as `serde_json` writes an integer.
pub(crate) fn integer(out: &mut String, v: u64) {
    let _ = write!(out, "{v}");
}

/// `v` as `serde_json` writes the number `json!(v)` makes: its shortest round-trip form
/// (through [`Number`]'s own formatting), or `null` if it is not finite.
pub(crate) fn float(out: &mut String, v: f64) {
    match Number::from_f64(v) {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        // every ASCII byte alone and within text, and characters beyond ASCII
        let mut cases: Vec<String> = (0u8..0x80).map(|b| char::from(b).to_string()).collect();
        cases.extend((0u8..0x80).map(|b| format!("ab{}cd\u{e9}{}", char::from(b), char::from(b))));
        cases.extend(
            [
                "",
                "NIGHTJAR scan-syn",
                "\u{7f}",
                "é\"\\\n\u{1}",
                "\u{2028}\u{1f600}",
                "a\u{0}",
            ]
            .map(String::from),
        );
        for s in cases {
            let mut out = String::new();
            string(&mut out, &s);
            assert_eq!(out, json!(s).to_string(), "{s:?}");
        }
    }

    #[test]
    fn numbers_are_written_as_serde_json_writes_them() {
        let floats = [
            0.0,
            -0.0,
            1.0,
            0.1,
            0.9986,
            1e-7,
            123456789.125,
            1e21,
            1e300,
            f64::MIN_POSITIVE,
            f64::MAX,
            2.5e-5,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            (0.123456f64 * 100.0).round() / 100.0,
        ];
        for v in floats {
            let mut out = String::new();
            float(&mut out, v);
            assert_eq!(out, json!(v).to_string(), "{v:?}");
        }
        // scores as alerts round them, over many values
        for k in 0..20_000u32 {
            let v = (f64::from(k as f32 / 20_000.0) * 1e4).round() / 1e4;
            let mut out = String::new();
            float(&mut out, v);
            assert_eq!(out, json!(v).to_string(), "{v:?}");
        }
        for v in [0, 1, 9, 10, 9_100_050, u64::from(u32::MAX), u64::MAX] {
            let mut out = String::new();
            integer(&mut out, v);
            assert_eq!(out, json!(v).to_string());
        }
    }

    #[test]
    fn an_object_is_written_as_its_value_would_be() {
        let mut out = String::new();
        let mut o = Obj::open(&mut out);
        o.strs("a", ["x", "y\""]);
        o.strs("b", []);
        {
            let mut inner = o.obj("c");
            inner.u64("n", 3);
            inner.opt_str("s", None);
            inner.close();
        }
        o.obj("d").close();
        o.f64("e", 0.5);
        o.opt_str("f", Some("g"));
        o.value("h", &json!({"z": 1, "y": [null, true]}));
        o.close();
        let v = json!({
            "h": {"z": 1, "y": [null, true]},
            "f": "g",
            "e": 0.5,
            "d": {},
            "c": {"s": null, "n": 3},
            "b": [],
            "a": ["x", "y\""],
        });
        assert_eq!(out, v.to_string());
    }

    #[test]
    #[cfg(debug_assertions)]
    #[should_panic(expected = "keys out of order")]
    fn keys_out_of_order_are_caught_in_debug_builds() {
        let mut out = String::new();
        let mut o = Obj::open(&mut out);
        o.u64("b", 1);
        o.u64("a", 2);
    }
}
