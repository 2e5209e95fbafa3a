//! The raw scenario tree: TOML parsed into owned nodes that remember where each value came from.

use std::fmt;
use std::sync::Arc;

use toml_edit::{ImDocument, Item, Value};

use crate::error::{Error, Location, Result};

/// Where a node was written: the file (or `--set`, or the embedded canonical)
/// and, where the TOML has one, the 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The file name as shown in messages.
    pub file: Arc<str>,
    /// The 1-based line and column of the value, if known.
    pub line_col: Option<(usize, usize)>,
}

impl Origin {
    /// An origin without a position, e.g. for `--set` values.
    pub fn unplaced(file: Arc<str>) -> Self {
        Origin {
            file,
            line_col: None,
        }
    }

    /// A scenario error located at this origin under the dotted key path `key`.
    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::scenario(
            Location {
                file: self.file.to_string(),
                key: key.to_string(),
                line_col: self.line_col,
            },
            message,
        )
    }
}

/// A table: keys in document order, each with its node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// The entries in document order; keys are unique.
    pub entries: Vec<Entry>,
    /// True for an inline table (`{ dist = ..., ... }`), which `extends`
    /// replaces whole and which is written back inline.
    pub inline: bool,
}

/// One key of a table.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    /// The key.
    pub key: String,
    /// Where the key itself was written, if known.
    pub key_origin: Origin,
    /// The value.
    pub node: Node,
}

impl Table {
    /// An empty table.
    pub fn new(inline: bool) -> Self {
        Table {
            entries: Vec::new(),
            inline,
        }
    }

    /// The entry for `key`, if present.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }

    /// The node under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.node)
    }

    /// The node under `key`, mutably, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|e| e.key == key)
            .map(|e| &mut e.node)
    }

    /// Sets `key` to `node`, keeping the key's place if it exists, else
    /// appending it.
    pub fn insert(&mut self, key: &str, key_origin: Origin, node: Node) {
        match self.entries.iter_mut().find(|e| e.key == key) {
            Some(e) => e.node = node,
            None => self.entries.push(Entry {
                key: key.to_string(),
                key_origin,
                node,
            }),
        }
    }

    /// Removes `key` and returns its node, if present.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i).node)
    }
}

/// The value of a node.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeValue {
    /// A table, standard or inline.
    Table(Table),
    /// An array (of values, or of tables for `[[...]]`).
    Array(Vec<Node>),
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A float (possibly NaN or infinite: TOML allows `nan` and `inf`).
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl NodeValue {
    /// The name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            NodeValue::Table(_) => "a table",
            NodeValue::Array(_) => "an array",
            NodeValue::String(_) => "a string",
            NodeValue::Integer(_) => "an integer",
            NodeValue::Float(_) => "a float",
            NodeValue::Bool(_) => "a boolean",
        }
    }
}

/// A value with its origin.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: NodeValue,
    /// Where the value was written.
    pub origin: Origin,
}

impl Node {
    /// The table inside this node, if it is one.
    pub fn as_table(&self) -> Option<&Table> {
        match &self.value {
            NodeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The table inside this node, mutably, if it is one.
    pub fn as_table_mut(&mut self) -> Option<&mut Table> {
        match &mut self.value {
            NodeValue::Table(t) => Some(t),
            _ => None,
        }
    }

    /// The string inside this node, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// True for a standard (not inline) table.
    pub fn is_standard_table(&self) -> bool {
        matches!(&self.value, NodeValue::Table(t) if !t.inline)
    }

    /// The value as TOML text, inline (`0.6`, `"3d"`, `{ dist = "constant", value = "3s" }`).
    pub fn to_inline_toml(&self) -> String {
        to_value(self).to_string().trim().to_string()
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_inline_toml())
    }
}

/// Byte offsets of line starts, to turn spans into lines and columns.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts[line - 1];
        let col = self.text[start..offset].chars().count() + 1;
        (line, col)
    }
}

/// Turns toml_edit items into nodes, computing origins from spans.
struct Converter<'a> {
    file: Arc<str>,
    lines: LineIndex<'a>,
}

impl Converter<'_> {
    fn origin(&self, span: Option<std::ops::Range<usize>>, fallback: &Origin) -> Origin {
        match span {
            Some(s) => Origin {
                file: self.file.clone(),
                line_col: Some(self.lines.line_col(s.start)),
            },
            None => fallback.clone(),
        }
    }

    fn table(&self, table: &toml_edit::Table, path: &str, origin: Origin) -> Result<Node> {
        let mut out = Table::new(false);
        for (key, item) in table.iter() {
            if item.is_none() {
                continue;
            }
            let key_origin = self.origin(table.key(key).and_then(|k| k.span()), &origin);
            let child_path = join(path, key);
            let node = self.item(item, &child_path, &key_origin)?;
            out.entries.push(Entry {
                key: key.to_string(),
                key_origin,
                node,
            });
        }
        Ok(Node {
            value: NodeValue::Table(out),
            origin,
        })
    }

    fn item(&self, item: &Item, path: &str, key_origin: &Origin) -> Result<Node> {
        match item {
            Item::Value(v) => self.value(v, path, key_origin),
            Item::Table(t) => {
                let origin = self.origin(t.span(), key_origin);
                self.table(t, path, origin)
            }
            Item::ArrayOfTables(a) => {
                let origin = self.origin(a.span(), key_origin);
                let mut items = Vec::with_capacity(a.len());
                for (i, t) in a.iter().enumerate() {
                    let t_origin = self.origin(t.span(), &origin);
                    items.push(self.table(t, &join(path, &i.to_string()), t_origin)?);
                }
                Ok(Node {
                    value: NodeValue::Array(items),
                    origin,
                })
            }
            // `Item::None` entries are skipped by the caller.
            Item::None => Ok(Node {
                value: NodeValue::Table(Table::new(false)),
                origin: key_origin.clone(),
            }),
        }
    }

    fn value(&self, value: &Value, path: &str, key_origin: &Origin) -> Result<Node> {
        let origin = self.origin(value.span(), key_origin);
        let v = match value {
            Value::String(s) => NodeValue::String(s.value().clone()),
            Value::Integer(i) => NodeValue::Integer(*i.value()),
            Value::Float(f) => NodeValue::Float(*f.value()),
            Value::Boolean(b) => NodeValue::Bool(*b.value()),
            Value::Datetime(d) => {
                return Err(origin.error(
                    path,
                    format!(
                        "dates and times are not TOML values here; write a string, e.g. \"{}\"",
                        d.value()
                    ),
                ))
            }
            Value::Array(a) => {
                let mut items = Vec::with_capacity(a.len());
                for (i, v) in a.iter().enumerate() {
                    items.push(self.value(v, &join(path, &i.to_string()), &origin)?);
                }
                NodeValue::Array(items)
            }
            Value::InlineTable(t) => {
                let mut out = Table::new(true);
                for (key, v) in t.iter() {
                    let key_origin = self.origin(t.key(key).and_then(|k| k.span()), &origin);
                    let node = self.value(v, &join(path, key), &key_origin)?;
                    out.entries.push(Entry {
                        key: key.to_string(),
                        key_origin,
                        node,
                    });
                }
                NodeValue::Table(out)
            }
        };
        Ok(Node { value: v, origin })
    }
}

/// Joins a dotted key path and a key.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// Parses a TOML document into a node tree whose origins name `file`.
///
/// A syntax error becomes a scenario error at the line and column of the
/// error's span.
pub(crate) fn parse_document(text: &str, file: &str) -> Result<Node> {
    let file: Arc<str> = Arc::from(file);
    let lines = LineIndex::new(text);
    let doc = ImDocument::parse(text).map_err(|e| {
        let line_col = e.span().map(|s| lines.line_col(s.start));
        Error::scenario(
            Location {
                file: file.to_string(),
                key: String::new(),
                line_col,
            },
            format!(
                "TOML syntax error: {}",
                e.message()
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
    })?;
    let conv = Converter {
        file: file.clone(),
        lines,
    };
    let root_origin = Origin {
        file,
        line_col: None,
    };
    conv.table(doc.as_table(), "", root_origin)
}

/// Parses one TOML value (as given to `--set`) into a node with origin `file`.
///
/// Returns `None` when the text is not a TOML value, or is a date or time
/// (which the caller then takes as a plain string).
pub(crate) fn parse_value(text: &str, file: &str, path: &str) -> Option<Node> {
    let value: Value = text.trim().parse().ok()?;
    let conv = Converter {
        file: Arc::from(file),
        lines: LineIndex::new(text),
    };
    let origin = Origin::unplaced(Arc::from(file));
    conv.value(&value, path, &origin).ok()
}

/// Builds a toml_edit value from a node (tables become inline tables).
fn to_value(node: &Node) -> Value {
    match &node.value {
        NodeValue::String(s) => Value::from(s.as_str()),
        NodeValue::Integer(i) => Value::from(*i),
        NodeValue::Float(f) => Value::from(*f),
        NodeValue::Bool(b) => Value::from(*b),
        NodeValue::Array(items) => {
            let mut a = toml_edit::Array::new();
            for item in items {
                a.push(to_value(item));
            }
            Value::Array(a)
        }
        NodeValue::Table(t) => {
            let mut it = toml_edit::InlineTable::new();
            for e in &t.entries {
                it.insert(&e.key, to_value(&e.node));
            }
            Value::InlineTable(it)
        }
    }
}

/// True when an array is written as an array of tables (`[[...]]`): it is not
/// empty and every item is a table.
fn is_array_of_tables(items: &[Node]) -> bool {
    !items.is_empty() && items.iter().all(|n| n.as_table().is_some())
}

/// True for an entry that a standard table writes after its plain values: a
/// standard sub-table or an array of tables.
fn is_written_as_table(node: &Node) -> bool {
    match &node.value {
        NodeValue::Table(t) => !t.inline,
        NodeValue::Array(items) => is_array_of_tables(items),
        _ => false,
    }
}

/// Reorders every standard table as TOML writes it: plain values (inline
/// tables and arrays of values included) first, then sub-tables and arrays of
/// tables, each group in its original order. Items of arrays of tables become
/// standard tables. After this, rendering and parsing again gives the same
/// tree in the same order.
pub(crate) fn normalize(node: &mut Node) {
    match &mut node.value {
        NodeValue::Table(t) if !t.inline => {
            t.entries.sort_by_key(|e| is_written_as_table(&e.node));
            for e in &mut t.entries {
                if let NodeValue::Array(items) = &mut e.node.value {
                    if is_array_of_tables(items) {
                        for item in items.iter_mut() {
                            if let Some(it) = item.as_table_mut() {
                                it.inline = false;
                            }
                        }
                    }
                }
                normalize(&mut e.node);
            }
        }
        NodeValue::Array(items) => {
            for item in items {
                normalize(item);
            }
        }
        _ => {}
    }
}

/// Builds a standard toml_edit table from a table node.
fn to_table(table: &Table) -> toml_edit::Table {
    let mut out = toml_edit::Table::new();
    let mut has_values = false;
    for e in &table.entries {
        let item = match &e.node.value {
            NodeValue::Table(t) if !t.inline => Item::Table(to_table(t)),
            NodeValue::Array(items) if is_array_of_tables(items) => {
                let mut a = toml_edit::ArrayOfTables::new();
                for item in items {
                    if let Some(t) = item.as_table() {
                        a.push(to_table(t));
                    }
                }
                Item::ArrayOfTables(a)
            }
            _ => {
                has_values = true;
                Item::Value(to_value(&e.node))
            }
        };
        out.insert(&e.key, item);
    }
    // A table holding only sub-tables needs no header of its own.
    out.set_implicit(!has_values && !table.entries.is_empty());
    out
}

/// Renders a node tree (whose root is a table) as a TOML document: inline
/// tables stay inline, arrays of tables become `[[...]]`. Call [`normalize`]
/// first so that the text lists keys in the tree's order.
pub(crate) fn render(root: &Node) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    if let Some(t) = root.as_table() {
        let table = to_table(t);
        for (k, item) in table.iter() {
            doc.insert(k, item.clone());
        }
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_line_and_column() {
        let text = "name = \"x\"\n\n[review]\norder = \"fifo\"\nduration = { dist = \"constant\", value = \"3s\" }\n";
        let root = parse_document(text, "a.toml").unwrap();
        let review = root.as_table().unwrap().get("review").unwrap();
        assert_eq!(review.origin.line_col, Some((3, 1)));
        let t = review.as_table().unwrap();
        assert_eq!(t.get("order").unwrap().origin.line_col, Some((4, 9)));
        let d = t.get("duration").unwrap();
        assert_eq!(d.origin.line_col, Some((5, 12)));
        let value = d.as_table().unwrap().get("value").unwrap();
        assert_eq!(value.origin.line_col, Some((5, 41)));
        assert_eq!(&*value.origin.file, "a.toml");
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse_document("a = 1\nb = = 2\n", "bad.toml").unwrap_err();
        match err {
            Error::Scenario { location, message } => {
                assert_eq!(location.file, "bad.toml");
                assert_eq!(location.line_col.map(|l| l.0), Some(2));
                assert!(message.contains("TOML"), "{message}");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn datetimes_are_rejected_naming_the_key() {
        let err = parse_document("[run]\nstart_date = 2026-01-05\n", "d.toml").unwrap_err();
        let text = err.to_string();
        assert!(text.contains("run.start_date"), "{text}");
        assert!(text.contains("d.toml:2:14"), "{text}");
    }

    #[test]
    fn rendering_round_trips_structure() {
        let text = r#"name = "x"
[calendars.office]
days = ["mon"]
hours = ["09:00-17:00"]
[[segments]]
name = "a"
fit = { dist = "beta", alpha = 2.0, beta = 5.0 }
[[segments]]
name = "b"
fit = { dist = "constant", value = 0.5 }
[email]
reply_rate = { at_fit_0 = 0.005, at_fit_1 = 0.08 }
count = 3
"#;
        let mut root = parse_document(text, "a.toml").unwrap();
        normalize(&mut root);
        let rendered = render(&root);
        assert!(rendered.contains("[[segments]]"), "{rendered}");
        assert!(!rendered.contains("[calendars]\n"), "{rendered}");
        assert!(
            rendered.contains("reply_rate = { at_fit_0 = 0.005, at_fit_1 = 0.08 }"),
            "{rendered}"
        );
        let again = parse_document(&rendered, "b.toml").unwrap();
        assert_eq!(render(&again), rendered);
        assert_eq!(strip(&again), strip(&root));
    }

    #[test]
    fn set_values_parse_or_are_none() {
        assert_eq!(
            parse_value("0.3", "--set", "x").unwrap().value,
            NodeValue::Float(0.3)
        );
        assert_eq!(
            parse_value("8", "--set", "x").unwrap().value,
            NodeValue::Integer(8)
        );
        assert!(parse_value("3d", "--set", "x").is_none());
        assert!(parse_value("2026-01-05", "--set", "x").is_none());
        let d = parse_value("{ dist = \"constant\", value = \"1m\" }", "--set", "x").unwrap();
        assert_eq!(
            d.to_inline_toml(),
            "{ dist = \"constant\", value = \"1m\" }"
        );
    }

    /// The tree without origins, for comparing structure.
    fn strip(node: &Node) -> String {
        format!("{}", node)
    }
}
