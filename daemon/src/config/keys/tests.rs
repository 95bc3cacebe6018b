//! The table against the parser: same keys, true defaults.

use std::cell::RefCell;
use std::collections::BTreeSet;

use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};

use super::*;
use crate::config::{Config, Overrides, RawConfig};

/// A deserializer that hands every struct every one of its fields, so that walking
/// `RawConfig` records each key the parser accepts, however deeply nested.
struct Tracer<'a> {
    path: String,
    keys: &'a RefCell<BTreeSet<String>>,
}

type Error = de::value::Error;

impl Tracer<'_> {
    fn leaf(&self) {
        let key = self.path.trim_end_matches("[]").to_string();
        self.keys.borrow_mut().insert(key);
    }
}

impl<'de> de::Deserializer<'de> for Tracer<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.leaf();
        v.visit_str("x")
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.leaf();
        v.visit_bool(false)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.leaf();
        v.visit_u64(1)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.leaf();
        v.visit_i64(1)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_u64(v)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        self.deserialize_i64(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_some(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_seq(One {
            tracer: Some(Tracer {
                path: format!("{}[]", self.path),
                keys: self.keys,
            }),
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_map(Fields {
            fields,
            next: 0,
            prefix: self.path,
            keys: self.keys,
        })
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i128 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        tuple tuple_struct map enum identifier ignored_any
    }
}

struct One<'a> {
    tracer: Option<Tracer<'a>>,
}

impl<'de> SeqAccess<'de> for One<'_> {
    type Error = Error;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        match self.tracer.take() {
            Some(t) => seed.deserialize(t).map(Some),
            None => Ok(None),
        }
    }
}

struct Fields<'a> {
    fields: &'static [&'static str],
    next: usize,
    prefix: String,
    keys: &'a RefCell<BTreeSet<String>>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        match self.fields.get(self.next) {
            Some(name) => seed.deserialize((*name).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let name = self.fields[self.next];
        self.next += 1;
        let path = if self.prefix.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.prefix)
        };
        seed.deserialize(Tracer {
            path,
            keys: self.keys,
        })
    }
}

fn parser_keys() -> BTreeSet<String> {
    let keys = RefCell::new(BTreeSet::new());
    let tracer = Tracer {
        path: String::new(),
        keys: &keys,
    };
    if let Err(e) = <RawConfig as serde::Deserialize>::deserialize(tracer) {
        panic!("tracing RawConfig: {e}");
    }
    keys.into_inner()
}

#[test]
fn every_key_the_parser_accepts_is_described_and_nothing_else() {
    let parsed = parser_keys();
    let described: BTreeSet<String> = KEYS.iter().map(|k| k.key.to_string()).collect();
    let missing: Vec<_> = parsed.difference(&described).collect();
    assert!(
        missing.is_empty(),
        "porticod.toml keys without a description: {missing:?}; add them to KEYS in \
         daemon/src/config/keys.rs (then regenerate the man page and the shipped file: \
         PORTICO_REGENERATE=1 cargo test -p portico-tests --test docs)"
    );
    let stale: Vec<_> = described.difference(&parsed).collect();
    assert!(stale.is_empty(), "described but not accepted: {stale:?}");
}

#[test]
fn every_key_belongs_to_a_described_section_in_table_order() {
    let mut last = 0;
    for key in KEYS {
        let (section, _) = split(key.key);
        let Some(at) = SECTIONS.iter().position(|s| s.name == section) else {
            panic!("{}: section {section:?} is not in SECTIONS", key.key);
        };
        assert!(at >= last, "{} is listed after a later section", key.key);
        last = at;
        assert!(
            !key.doc.is_empty() && !key.kind.is_empty(),
            "{} needs a kind and a doc",
            key.key
        );
        let array = SECTIONS[at].array;
        if matches!(key.default, Default::Required) {
            assert!(
                array,
                "{}: only keys of [[tables]] can be required",
                key.key
            );
        }
        if !matches!(key.default, Default::Value(_)) {
            assert!(!key.example.is_empty(), "{} needs an example", key.key);
        }
    }
    for s in SECTIONS {
        assert!(
            keys_of(s.name).next().is_some(),
            "section {:?} has no key",
            s.name
        );
    }
}

/// The smallest valid entry of an array of tables: its required keys with their examples.
fn required_entry(section: &str) -> String {
    let mut text = format!("[[{section}]]\n");
    for k in keys_of(section).filter(|k| k.default == Default::Required) {
        text.push_str(&format!("{} = {}\n", split(k.key).1, k.example));
    }
    text
}

#[test]
fn every_documented_default_is_the_real_default() {
    let production = Overrides::default();
    for key in KEYS {
        let Default::Value(value) = key.default else {
            continue;
        };
        let (section, name) = split(key.key);
        let array = SECTIONS.iter().any(|s| s.name == section && s.array);
        let (without, with) = if array {
            let base = required_entry(section);
            (base.clone(), format!("{base}{name} = {value}\n"))
        } else if section.is_empty() {
            (String::new(), format!("{name} = {value}\n"))
        } else if section == "tls" {
            // A [tls] table alone means mode "acme", which needs cname_target: compare inside a
            // table that is valid on its own.
            let base = "[tls]\nmode = \"local\"\n".to_string();
            (base.clone(), format!("{base}{name} = {value}\n"))
        } else {
            (String::new(), format!("[{section}]\n{name} = {value}\n"))
        };
        let left_out = Config::from_toml(&without, &production)
            .unwrap_or_else(|e| panic!("{}: {e}\n{without}", key.key));
        let written = Config::from_toml(&with, &production)
            .unwrap_or_else(|e| panic!("{} = {value} is refused: {e}", key.key));
        assert_eq!(
            left_out, written,
            "{} = {value} does not mean the same as leaving it out",
            key.key
        );
    }
}

#[test]
fn examples_are_accepted() {
    for section in SECTIONS {
        let mut text = if section.array {
            required_entry(section.name)
        } else if section.name.is_empty() {
            String::new()
        } else {
            format!("[{}]\n", section.name)
        };
        for k in keys_of(section.name) {
            if k.default != Default::Required && !k.example.is_empty() {
                if k.key.ends_with("mapping") {
                    // A mapping is for generic-csv only.
                    text = text.replace("\"asterisk-csv\"", "\"generic-csv\"");
                }
                text.push_str(&format!("{} = {}\n", split(k.key).1, k.example));
            }
        }
        if section.name == "ingest" {
            // A listener with credentials is the one complete example.
            assert!(text.contains("username"), "{text}");
        }
        if let Err(e) = Config::from_toml(&text, &Overrides::default()) {
            panic!(
                "the examples of [{}] are refused: {e}\n{text}",
                section.name
            );
        }
    }
}

#[test]
fn reload_covers_log_level_and_watches_only() {
    assert!(reloadable("log.level"));
    assert!(reloadable("ingest.watch"));
    assert!(!reloadable("http.listen"));
    assert!(!reloadable("ingest.listen"));
    assert!(
        !reloadable("tls.something_new"),
        "unknown keys need a restart"
    );
}
