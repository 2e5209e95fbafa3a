//! Reading the raw scenario tree through the schema: every key with the check its declared kind implies.
//!
//! A [`Tab`] is a table opened with its declaration ([`super::schema`]); its
//! keys come out as [`Field`]s that carry their declared [`Kind`], and each
//! reader of a field applies that kind's check. So the keys a table knows,
//! "missing required key", the default of an absent key and the check of a
//! value all come from one declaration, and a key cannot be read as another
//! kind: asking a field for a kind it was not declared with is a bug in
//! salesim and panics, whatever the input.

use chrono::{Datelike, Days, NaiveDate};

use super::raw::{self, join, Node, NodeValue, Origin, Table};
use super::schema::{self, in_slot, Key, Kind, Need, Slot};
use crate::error::{Error, Result};
use crate::units::{parse_clock, parse_duration, parse_week_time, parse_weekday, WEEKDAYS};

/// The suffix of provenance keys.
const SOURCE_SUFFIX: &str = "_source";

/// What a table declares.
#[derive(Debug, Clone, Copy)]
enum Decl {
    /// These keys.
    Keys(&'static [Key]),
    /// Any names the scenario gives, each a table with these keys.
    Named(&'static [Key]),
}

/// A table being read, with its dotted path and its declaration.
pub(super) struct Tab<'a> {
    path: String,
    node: &'a Node,
    table: &'a Table,
    decl: Decl,
    /// The slot of a distribution table, whose value fields take its kind.
    slot: Option<Slot>,
    /// The declared defaults of the keys the table leaves out, placed at
    /// the table.
    defaults: Vec<(&'static str, Node)>,
}

impl<'a> Tab<'a> {
    /// Opens the top level of a scenario.
    pub fn root(node: &'a Node) -> Result<Self> {
        Tab::open(String::new(), node, Decl::Keys(schema::ROOT), None)
    }

    /// Opens `node` as a table declared by `decl`, or fails naming the
    /// expected type.
    fn open(path: String, node: &'a Node, decl: Decl, slot: Option<Slot>) -> Result<Self> {
        let NodeValue::Table(table) = &node.value else {
            return Err(node.origin.error(
                &path,
                format!("expected a table, got {}", describe(node, &node.value)),
            ));
        };
        let mut defaults = Vec::new();
        if let Decl::Keys(keys) = decl {
            for k in keys {
                if let (Need::Default(text), None) = (k.need, table.get(k.name)) {
                    defaults.push((k.name, default_node(text, &join(&path, k.name), node)));
                }
            }
        }
        Ok(Tab {
            path,
            node,
            table,
            decl,
            slot,
            defaults,
        })
    }

    /// The keys this table knows: the declared ones, or for a table of
    /// named tables, the names it gives.
    fn known(&self) -> Vec<&'a str> {
        match self.decl {
            Decl::Keys(keys) => keys.iter().map(|k| k.name).collect(),
            Decl::Named(_) => self.names(),
        }
    }

    /// The keys given, `_source` keys excepted, in document order.
    pub fn names(&self) -> Vec<&'a str> {
        self.table
            .entries
            .iter()
            .map(|e| e.key.as_str())
            .filter(|k| !k.ends_with(SOURCE_SUFFIX))
            .collect()
    }

    /// Rejects every key that is not declared, except `_source` keys
    /// describing a known key, which must be strings.
    pub fn check_keys(&self) -> Result<()> {
        let known = self.known();
        for e in &self.table.entries {
            let path = join(&self.path, &e.key);
            if let Some(c) = e.key.chars().find(|c| c.is_control()) {
                return Err(e.key_origin.error(&path, control_message(c)));
            }
            if let Some(base) = e.key.strip_suffix(SOURCE_SUFFIX) {
                if !known.contains(&base) {
                    return Err(e.key_origin.error(
                        &path,
                        format!(
                            "`{}` gives the source of `{base}`, which is not a key here; expected the source of one of {}",
                            e.key,
                            known.join(", ")
                        ),
                    ));
                }
                match e.node.as_str() {
                    None => {
                        return Err(e.node.origin.error(
                            &path,
                            format!(
                                "a `{SOURCE_SUFFIX}` key records provenance and must be a string, got {}",
                                describe(&e.node, &e.node.value)
                            ),
                        ))
                    }
                    Some(text) => {
                        if let Some(c) = text.chars().find(|c| is_forbidden(*c, true)) {
                            return Err(e.node.origin.error(&path, control_message(c)));
                        }
                    }
                }
                continue;
            }
            if !known.contains(&e.key.as_str()) {
                let hint = closest(&e.key, &known)
                    .map(|k| format!(" (did you mean `{k}`?)"))
                    .unwrap_or_default();
                return Err(e.key_origin.error(
                    &path,
                    format!(
                        "unknown key `{}`{hint}; expected one of {}",
                        e.key,
                        known.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The declared kind and need of `key`.
    ///
    /// # Panics
    /// When `key` is not declared in this table: a bug in salesim.
    fn declared(&self, key: &str) -> (Kind, Need) {
        match self.decl {
            Decl::Keys(keys) => keys
                .iter()
                .find(|k| k.name == key)
                .map(|k| (k.kind, k.need))
                .unwrap_or_else(|| panic!("`{}` is not declared", join(&self.path, key))),
            Decl::Named(keys) => (Kind::Table(keys), Need::Required),
        }
    }

    /// The declared key `key`: its value, else its default; `None` when it
    /// is optional and absent, an error when it is required and absent.
    pub fn field(&self, key: &str) -> Result<Option<Field<'_>>> {
        let (kind, need) = self.declared(key);
        let kind = match self.slot {
            Some(slot) => in_slot(kind, slot),
            None => kind,
        };
        let path = join(&self.path, key);
        let given = self.table.get(key).or_else(|| {
            self.defaults
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(_, node)| node)
        });
        match (given, need) {
            (Some(node), _) => Ok(Some(Field { path, node, kind })),
            (None, Need::Optional) => Ok(None),
            (None, _) => Err(missing(self.node, &path)),
        }
    }

    /// "missing required key" for an optional `key` that another key's
    /// value makes required, saying why.
    pub fn missing_key(&self, key: &str, why: &str) -> Error {
        self.node.origin.error(
            &join(&self.path, key),
            format!("missing required key: {why}"),
        )
    }

    /// The declared key `key`, required or with a default.
    ///
    /// # Panics
    /// When `key` is optional (read it with [`Tab::field`]): a bug in salesim.
    pub fn req(&self, key: &str) -> Result<Field<'_>> {
        match self.field(key)? {
            Some(f) => Ok(f),
            None => panic!("`{}` is optional", join(&self.path, key)),
        }
    }
}

/// "missing required key" at the table `table` for the key path `path`.
fn missing(table: &Node, path: &str) -> Error {
    table.origin.error(path, "missing required key")
}

/// The node of a declared default, placed where its table was written (a
/// default is valid, so no error ever points into it).
///
/// # Panics
/// When the declared text is not a TOML value: a bug in salesim.
fn default_node(text: &str, path: &str, table: &Node) -> Node {
    let mut node = raw::parse_value(text, &table.origin.file, path)
        .unwrap_or_else(|| panic!("the default of `{path}` is not a TOML value: {text}"));
    place(&mut node, &table.origin);
    node
}

/// Sets the origin of `node` and everything inside it.
fn place(node: &mut Node, origin: &Origin) {
    node.origin = origin.clone();
    match &mut node.value {
        NodeValue::Table(t) => {
            for e in &mut t.entries {
                e.key_origin = origin.clone();
                place(&mut e.node, origin);
            }
        }
        NodeValue::Array(items) => {
            for item in items {
                place(item, origin);
            }
        }
        _ => {}
    }
}

/// A value being read, with its dotted path and its declared kind.
pub(super) struct Field<'a> {
    path: String,
    node: &'a Node,
    kind: Kind,
}

impl<'a> Field<'a> {
    /// The value's dotted path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Where the value was written (for a default, its table).
    pub fn origin(&self) -> &Origin {
        &self.node.origin
    }

    /// An error at this value.
    pub fn err(&self, message: impl Into<String>) -> Error {
        self.node.origin.error(&self.path, message)
    }

    /// An error naming the expected type and the value found.
    fn type_err(&self, expected: &str) -> Error {
        self.err(format!(
            "expected {expected}, got {}",
            describe(self.node, &self.node.value)
        ))
    }

    /// Stops on a read that does not match the declared kind.
    fn wrong_kind(&self, read_as: &str) -> ! {
        panic!(
            "`{}` is declared {:?} and cannot be read as {read_as}",
            self.path, self.kind
        )
    }

    /// A number of the declared kind: a probability or threshold in
    /// [0, 1], a number in its bounds, above 0, any finite number (checked
    /// by its distribution) or a duration in seconds.
    pub fn value(&self) -> Result<f64> {
        match self.kind {
            Kind::Probability | Kind::Threshold => {
                let v = self.number()?;
                if !(0.0..=1.0).contains(&v) {
                    return Err(self.err(format!("must be in [0, 1], got {v}")));
                }
                Ok(v)
            }
            Kind::Number { lo, hi } => {
                let v = self.number()?;
                if !(lo..=hi).contains(&v) {
                    return Err(self.err(format!("must be between {lo} and {hi}, got {v}")));
                }
                Ok(v)
            }
            Kind::Positive { max } => {
                let v = self.number()?;
                if v <= 0.0 || v > max {
                    let name = self.path.rsplit('.').next().unwrap_or(&self.path);
                    return Err(self.err(format!(
                        "{name} must be above 0 and at most {max:e}, got {v}"
                    )));
                }
                Ok(v)
            }
            Kind::Real | Kind::Shape => self.number(),
            Kind::Duration { hint } => self.duration(hint),
            Kind::PositiveDuration { hint } => {
                let d = self.duration(hint)?;
                if d <= 0.0 {
                    return Err(self.err("must be a duration above zero"));
                }
                Ok(d)
            }
            _ => self.wrong_kind("a number"),
        }
    }

    /// A whole number in its declared bounds (a float with no fraction is
    /// accepted).
    pub fn whole(&self) -> Result<u64> {
        let Kind::Whole { lo, hi } = self.kind else {
            self.wrong_kind("a whole number")
        };
        self.count(lo, hi)
    }

    /// [`Field::whole`] for 32-bit counts (every limit declared for them fits).
    pub fn whole32(&self) -> Result<u32> {
        let Kind::Whole { lo, hi } = self.kind else {
            self.wrong_kind("a whole number")
        };
        let v = self.count(lo, hi.min(u64::from(u32::MAX)))?;
        u32::try_from(v).map_err(|_| self.err(format!("must be at most {}", u32::MAX)))
    }

    /// A string: free text, or the name of a calendar. Names reach XML
    /// (BPMN, SVG), file contents and the terminal, so no control character
    /// is accepted; a description may break lines and hold tabs.
    pub fn text(&self) -> Result<&'a str> {
        let text = match self.kind {
            Kind::Text | Kind::Calendar => self.string()?,
            _ => self.wrong_kind("text"),
        };
        let prose = self.path.ends_with("description");
        if let Some(c) = text.chars().find(|c| is_forbidden(*c, prose)) {
            return Err(self.err(control_message(c)));
        }
        Ok(text)
    }

    /// One of the declared names.
    pub fn name(&self) -> Result<&'static str> {
        let Kind::OneOf { noun, names } = self.kind else {
            self.wrong_kind("one of a set of names")
        };
        let given = self.string()?;
        names.iter().copied().find(|n| *n == given).ok_or_else(|| {
            self.err(format!(
                "unknown {noun} `{given}`; expected one of {}",
                names.join(", ")
            ))
        })
    }

    /// A `YYYY-MM-DD` date that is a Monday.
    pub fn monday(&self) -> Result<NaiveDate> {
        if self.kind != Kind::Monday {
            self.wrong_kind("a date")
        }
        let text = self.string()?;
        // Exactly four, two and two digits: chrono alone would also take
        // "2026-1-5" or a two-digit year.
        let b = text.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        let date = shaped
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten()
            .ok_or_else(|| {
                self.err(format!(
                    "expected a date YYYY-MM-DD (a Monday), got \"{text}\""
                ))
            })?;
        let weekday = date.weekday().num_days_from_monday();
        if weekday != 0 {
            let before = date - Days::new(u64::from(weekday));
            // Not `%Y`: a year before 1 has always been written `-001` here.
            let (y, m, d) = (before.year(), before.month(), before.day());
            return Err(self.err(format!(
                "start_date must be a Monday (t = 0 is Monday 00:00), but {text} is a {}; the Monday before is {y:04}-{m:02}-{d:02}",
                date.format("%A"),
            )));
        }
        Ok(date)
    }

    /// Distinct weekdays (0 is Monday).
    pub fn weekdays(&self) -> Result<Vec<usize>> {
        if self.kind != Kind::Weekdays {
            self.wrong_kind("weekdays")
        }
        let mut days = Vec::new();
        for item in self.array_items(Kind::Text)? {
            let day = parse_weekday(item.string()?).map_err(|m| item.err(m))?;
            if days.contains(&day) {
                return Err(item.err(format!("weekday `{}` is listed twice", WEEKDAYS[day])));
            }
            days.push(day);
        }
        Ok(days)
    }

    /// Daily windows as (start, end) seconds after midnight.
    pub fn windows(&self) -> Result<Vec<(f64, f64)>> {
        if self.kind != Kind::Windows {
            self.wrong_kind("windows")
        }
        let mut windows = Vec::new();
        for item in self.array_items(Kind::Text)? {
            let text = item.string()?;
            let window = text
                .split_once('-')
                .ok_or_else(|| format!("window \"{text}\" is not HH:MM-HH:MM"))
                .and_then(|(a, b)| Ok((parse_clock(a)?, parse_clock(b)?)))
                .map_err(|m| item.err(m))?;
            windows.push(window);
        }
        Ok(windows)
    }

    /// A time in the week, in seconds after Monday 00:00.
    pub fn week_time(&self) -> Result<f64> {
        if self.kind != Kind::WeekTime {
            self.wrong_kind("a time in the week")
        }
        parse_week_time(self.string()?).map_err(|m| self.err(m))
    }

    /// The table of a sub-table, a table of named tables or a linear-in-fit
    /// table.
    pub fn table(&self) -> Result<Tab<'a>> {
        let decl = match self.kind {
            Kind::Table(keys) => Decl::Keys(keys),
            Kind::Named(keys) => Decl::Named(keys),
            Kind::LinearInFit => {
                if !matches!(self.node.value, NodeValue::Table(_)) {
                    return Err(
                        self.type_err("a table such as { at_fit_0 = 0.005, at_fit_1 = 0.08 }")
                    );
                }
                Decl::Keys(schema::LINEAR_IN_FIT)
            }
            _ => self.wrong_kind("a table"),
        };
        Tab::open(self.path.clone(), self.node, decl, None)
    }

    /// The slot of a distribution.
    pub fn slot(&self) -> Slot {
        match self.kind {
            Kind::Dist(slot) => slot,
            _ => self.wrong_kind("a distribution"),
        }
    }

    /// A table with variants (arrivals, or a distribution): the variant its
    /// tag names, and the table declared with that variant's keys.
    pub fn variant(&self) -> Result<(&'static str, Tab<'a>)> {
        let (variants, slot) = match self.kind {
            Kind::Variants(v) => (v, None),
            Kind::Dist(slot) => {
                if !matches!(self.node.value, NodeValue::Table(_)) {
                    let example = match slot {
                        Slot::Duration(_) => {
                            "{ dist = \"lognormal\", median = \"2m\", p90 = \"5m\" }"
                        }
                        Slot::Fit => "{ dist = \"beta\", alpha = 2.0, beta = 5.0 }",
                    };
                    return Err(self.type_err(&format!("a distribution such as {example}")));
                }
                (&schema::DISTRIBUTIONS, Some(slot))
            }
            _ => self.wrong_kind("a table with variants"),
        };
        // Opened without keys to read the tag, which says what the keys are.
        let untagged = Tab::open(self.path.clone(), self.node, Decl::Keys(&[]), None)?;
        let tag_path = join(&self.path, variants.tag);
        let tag = Field {
            node: untagged
                .table
                .get(variants.tag)
                .ok_or_else(|| missing(self.node, &tag_path))?,
            path: tag_path,
            kind: Kind::Tag,
        };
        let given = tag.string()?;
        let (name, keys) = variants
            .variants
            .iter()
            .find(|(n, _)| *n == given)
            .ok_or_else(|| {
                tag.err(format!(
                    "unknown {} `{given}`; expected one of {}",
                    variants.noun,
                    variants.names().join(", ")
                ))
            })?;
        let t = Tab::open(self.path.clone(), self.node, Decl::Keys(keys), slot)?;
        Ok((name, t))
    }

    /// The items of an array of tables, each a field declared as a table.
    pub fn items(&self) -> Result<Vec<Field<'a>>> {
        let Kind::Tables(keys) = self.kind else {
            self.wrong_kind("an array of tables")
        };
        self.array_items(Kind::Table(keys))
    }

    /// The array's items as fields of `kind`, named by index.
    fn array_items(&self, kind: Kind) -> Result<Vec<Field<'a>>> {
        let NodeValue::Array(items) = &self.node.value else {
            return Err(self.type_err("an array"));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, node)| Field {
                path: join(&self.path, &i.to_string()),
                node,
                kind,
            })
            .collect())
    }

    fn string(&self) -> Result<&'a str> {
        self.node.as_str().ok_or_else(|| self.type_err("a string"))
    }

    /// A finite number (integer or float).
    fn number(&self) -> Result<f64> {
        let v = match &self.node.value {
            NodeValue::Integer(i) => *i as f64,
            NodeValue::Float(f) => *f,
            _ => return Err(self.type_err("a number")),
        };
        if !v.is_finite() {
            return Err(self.err(format!("must be a finite number, got {v}")));
        }
        Ok(v)
    }

    /// A whole number in `[lo, hi]` (a float with no fraction is accepted).
    fn count(&self, lo: u64, hi: u64) -> Result<u64> {
        let v: i128 = match &self.node.value {
            NodeValue::Integer(i) => i128::from(*i),
            // Within +-2^63 every integral f64 converts exactly.
            NodeValue::Float(f) if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.2e18 => {
                *f as i128
            }
            NodeValue::Float(f) => {
                return Err(self.err(format!("expected a whole number, got {f}")))
            }
            _ => return Err(self.type_err("a whole number")),
        };
        if v < i128::from(lo) || v > i128::from(hi) {
            return Err(self.err(format!(
                "must be a whole number between {lo} and {hi}, got {v}"
            )));
        }
        u64::try_from(v).map_err(|_| self.err(format!("must be at most {hi}")))
    }

    /// A duration string in seconds. `hint` is the unit suggested when a bare
    /// number is given.
    fn duration(&self, hint: &str) -> Result<f64> {
        match &self.node.value {
            NodeValue::String(s) => parse_duration(s).map_err(|m| self.err(m)),
            NodeValue::Integer(_) | NodeValue::Float(_) => Err(self.err(format!(
                "a duration needs a unit, e.g. \"{}{hint}\"",
                self.node.to_inline_toml()
            ))),
            _ => Err(self.type_err("a duration string such as \"45s\", \"6m\" or \"2d\"")),
        }
    }
}

/// Describes a value for messages: its type and, for scalars, its text.
fn describe(node: &Node, value: &NodeValue) -> String {
    match value {
        NodeValue::Table(_) | NodeValue::Array(_) => value.type_name().to_string(),
        _ => format!("{} ({})", value.type_name(), node.to_inline_toml()),
    }
}

/// The known key closest to a misspelt one, if any is close: the fewest
/// edits, a swap of two neighbouring letters counting as one
/// (optimal string alignment), and at most 2 or a quarter of the key.
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::osa_distance(key, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// A control character that a text may not hold: any, or in prose any
/// but a line break and a tab.
fn is_forbidden(c: char, prose: bool) -> bool {
    c.is_control() && !(prose && matches!(c, '\n' | '\t' | '\r'))
}

/// The message for a control character in a name or text.
fn control_message(c: char) -> String {
    format!(
        "contains the control character U+{:04X}, which XML, files and terminals cannot show; remove it",
        c as u32
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_find_the_closest_known_key() {
        let known = ["reply_rate", "reply_delay", "bounce_rate"];
        assert_eq!(closest("reply_delya", &known), Some("reply_delay"));
        assert_eq!(closest("bounce_rat", &known), Some("bounce_rate"));
        // Two swaps are two edits, not four.
        assert_eq!(closest("rpely_dealy", &known), Some("reply_delay"));
        assert_eq!(closest("mailboxes", &known), None);
    }

    #[test]
    fn defaults_are_placed_at_their_table() {
        let table = raw::parse_document("[enrichment]\nlane = \"agent\"\n", "t.toml").unwrap();
        let enrichment = table.as_table().unwrap().get("enrichment").unwrap();
        let node = default_node(
            "{ dist = \"constant\", value = \"0s\" }",
            "enrichment.agent",
            enrichment,
        );
        assert_eq!(node.origin, enrichment.origin);
        let value = node.as_table().unwrap().get("value").unwrap();
        assert_eq!(value.origin, enrichment.origin);
        assert_eq!(value.as_str(), Some("0s"));
    }

    #[test]
    #[should_panic(expected = "cannot be read as a whole number")]
    fn reading_a_key_as_another_kind_is_a_bug() {
        let root = raw::parse_document("[gate]\nnurture_below = 1\n", "t.toml").unwrap();
        let root = Tab::root(&root).unwrap();
        let gate = root.req("gate").unwrap().table().unwrap();
        let _ = gate.req("nurture_below").unwrap().whole();
    }
}
