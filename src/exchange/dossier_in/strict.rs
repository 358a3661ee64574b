//! Reading parts of a dossier as JSON values, strictly: a key given twice in
//! one object is a problem named by its JSON path (`serde_json`'s own `Value`
//! keeps the last and says nothing), and arrays are walked one element at a
//! time, so a supplier's thousands of lots never sit in memory together.

use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::model::validate::printable;

/// One step of a JSON path.
enum Step {
    Key(String),
    Index(usize),
}

/// Where the reader is inside the value being read, and the repeated keys
/// found so far (as JSON paths).
#[derive(Default)]
pub(super) struct Keys {
    base: String,
    steps: Vec<Step>,
    pub repeated: Vec<String>,
}

impl Keys {
    fn path_to(&self, key: &str) -> String {
        let mut path = self.base.clone();
        for step in &self.steps {
            match step {
                Step::Key(k) => push_key(&mut path, k),
                Step::Index(i) => {
                    let _ = write!(path, "[{i}]");
                }
            }
        }
        push_key(&mut path, key);
        path
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(&printable(key));
}

/// Reads one value at `base` (a JSON path), noting repeated keys in `keys`.
pub(super) struct Strict<'k> {
    keys: &'k mut Keys,
}

impl<'k> Strict<'k> {
    pub fn at(keys: &'k mut Keys, base: String) -> Self {
        keys.base = base;
        keys.steps.clear();
        Self { keys }
    }

    fn nested(&mut self) -> Strict<'_> {
        Strict { keys: self.keys }
    }
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            self.keys.steps.push(Step::Index(items.len()));
            let item = seq.next_element_seed(self.nested());
            self.keys.steps.pop();
            match item? {
                Some(v) => items.push(v),
                None => return Ok(Value::Array(items)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            self.keys.steps.push(Step::Key(key));
            let value = map.next_value_seed(self.nested());
            let Some(Step::Key(key)) = self.keys.steps.pop() else {
                return Err(serde::de::Error::custom("the JSON path lost its place"));
            };
            let value = value?;
            if object.contains_key(&key) {
                let path = self.keys.path_to(&key);
                self.keys.repeated.push(path);
            }
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

/// Walks an array one element at a time: `read(index, element)` for every
/// element, read strictly at `path[index]`. Returns what was found instead
/// when the value is not an array (skipping it); `null` is an empty array
/// when `null_is_empty`.
pub(super) struct Each<'k, F> {
    pub keys: &'k mut Keys,
    pub path: &'k str,
    pub null_is_empty: bool,
    pub read: F,
}

impl<'de, F: FnMut(usize, Value)> DeserializeSeed<'de> for Each<'_, F> {
    type Value = Option<String>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, F: FnMut(usize, Value)> Visitor<'de> for Each<'_, F> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<Option<String>, A::Error> {
        let mut index = 0;
        while let Some(value) = seq.next_element_seed(Strict::at(self.keys, format!("{}[{index}]", self.path)))? {
            (self.read)(index, value);
            index += 1;
        }
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Some("an object".into()))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Option<String>, E> {
        Ok(Some(format!("a boolean ({v})")))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Option<String>, E> {
        Ok(Some(format!("a number ({v})")))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Option<String>, E> {
        Ok(Some(format!("a number ({v})")))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Option<String>, E> {
        Ok(Some(format!("a number ({v})")))
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<String>, E> {
        let shown: String = v.chars().take(40).collect();
        Ok(Some(format!("a string ({shown:?})")))
    }

    fn visit_unit<E>(self) -> Result<Option<String>, E> {
        Ok((!self.null_is_empty).then(|| "null".to_owned()))
    }
}
