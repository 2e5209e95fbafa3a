//! The value of a swept (or compared, or moved) parameter: what was given to
//! `--set`, classified once into a number or a text, and read as such by
//! every table, frame and document.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One parameter value of an experiment's point.
///
/// `text` is the value exactly as it is set on the scenario (the override
/// text: `0.20`, `"1d"`, `fifo`, `{ dist = "constant", value = "2m" }`);
/// `typed` is what it reads as. Records (`plan.json`, `report.json`) keep
/// the text, from which the classification is made again identically.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamValue {
    text: String,
    typed: Typed,
}

/// What a parameter value reads as.
#[derive(Debug, Clone, PartialEq)]
pub enum Typed {
    /// A whole number (`4`).
    Integer(i64),
    /// Any other number (`0.20`, `1e-3`).
    Number(f64),
    /// Anything else, TOML string quotes removed (`1d`, `fifo`, an inline
    /// table's text, a scenario's name).
    Text(String),
}

impl ParamValue {
    /// Classifies `text`: a whole number, else a number, else a text (a TOML
    /// string's contents).
    pub fn parse(text: &str) -> ParamValue {
        let typed = if let Ok(v) = text.parse::<i64>() {
            Typed::Integer(v)
        } else if let Ok(v) = text.parse::<f64>() {
            Typed::Number(v)
        } else {
            // A TOML string reads as its contents (`"1d"` is 1d); any other
            // text as it is written.
            match text.parse::<toml_edit::Value>() {
                Ok(toml_edit::Value::String(s)) => Typed::Text(s.into_value()),
                _ => Typed::Text(text.to_string()),
            }
        };
        ParamValue {
            text: text.to_string(),
            typed,
        }
    }

    /// The value as it is set on a scenario (`--set PATH=<this>`).
    pub fn override_text(&self) -> &str {
        &self.text
    }

    /// What the value reads as.
    pub fn typed(&self) -> &Typed {
        &self.typed
    }

    /// The value as a number, if it is one.
    pub fn number(&self) -> Option<f64> {
        match self.typed {
            Typed::Integer(v) => Some(v as f64),
            Typed::Number(v) => Some(v),
            Typed::Text(_) => None,
        }
    }

    /// The value in a JSON document: a number, or a string.
    pub fn json(&self) -> serde_json::Value {
        match &self.typed {
            Typed::Integer(v) => serde_json::Value::from(*v),
            Typed::Number(v) => serde_json::Value::from(*v),
            Typed::Text(s) => serde_json::Value::from(s.as_str()),
        }
    }
}

/// As a person reads it: numbers as written, texts without quotes.
impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.typed {
            Typed::Integer(_) | Typed::Number(_) => f.write_str(&self.text),
            Typed::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for ParamValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(ParamValue::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_numbers_or_texts() {
        let v = ParamValue::parse("0.20");
        assert_eq!(v.typed(), &Typed::Number(0.2));
        assert_eq!(v.to_string(), "0.20");
        assert_eq!(v.json(), serde_json::json!(0.2));
        let v = ParamValue::parse("12");
        assert_eq!(v.typed(), &Typed::Integer(12));
        assert_eq!(v.json(), serde_json::json!(12));
        let v = ParamValue::parse("\"1d\"");
        assert_eq!(v.typed(), &Typed::Text("1d".into()));
        assert_eq!(
            (v.to_string().as_str(), v.override_text()),
            ("1d", "\"1d\"")
        );
        assert_eq!(v.number(), None);
        let table = "{ dist = \"constant\", value = \"2m\" }";
        assert_eq!(ParamValue::parse(table).to_string(), table);
    }

    #[test]
    fn records_keep_the_text_and_read_back_the_same_value() {
        for text in ["0.20", "4", "\"1d\"", "fifo", "{ a = 1 }", ""] {
            let v = ParamValue::parse(text);
            let json = serde_json::to_string(&v).unwrap();
            let back: ParamValue = serde_json::from_str(&json).unwrap();
            assert_eq!(back, v, "{text}");
            assert_eq!(back.override_text(), text);
        }
    }
}
