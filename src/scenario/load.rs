//! Loading a scenario: reading files, resolving `extends`, applying `--set` overrides, then validating.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::raw::{self, join, Node, NodeValue, Origin, Table};
use super::{
    validate, DataFile, Loaded, Override, Parameter, CANONICAL, CANONICAL_ORIGIN, DATA_DIR,
};
use crate::error::{Error, Location, Result};

/// The origin name of values given on the command line.
pub(crate) const SET_ORIGIN: &str = "--set";

/// The value of `extends` that names the embedded canonical scenario.
const EXTENDS_CANONICAL: &str = "canonical";

/// Where a scenario text comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// The embedded canonical scenario.
    Canonical,
    /// A file, with the name shown in messages.
    File {
        /// The path as given (or as joined to the extending file's folder).
        shown: PathBuf,
    },
}

impl Source {
    /// The name shown in messages.
    fn name(&self) -> String {
        match self {
            Source::Canonical => CANONICAL_ORIGIN.to_string(),
            Source::File { shown } => shown.display().to_string(),
        }
    }

    /// The identity used to detect `extends` cycles.
    fn identity(&self) -> String {
        match self {
            Source::Canonical => CANONICAL_ORIGIN.to_string(),
            Source::File { shown } => std::fs::canonicalize(shown)
                .unwrap_or_else(|_| shown.clone())
                .display()
                .to_string(),
        }
    }

    /// The folder that relative paths in this source are relative to.
    fn folder(&self) -> PathBuf {
        match self {
            Source::Canonical => PathBuf::new(),
            Source::File { shown } => shown.parent().map(Path::to_path_buf).unwrap_or_default(),
        }
    }
}

/// Loads, resolves and validates the scenario file at `path`.
pub(crate) fn load_file(path: &Path, overrides: &[Override]) -> Result<Loaded> {
    let source = Source::File {
        shown: path.to_path_buf(),
    };
    let origin = source.name();
    finish(resolve(&source, &mut Vec::new())?, overrides, origin)
}

/// Loads, resolves and validates the embedded canonical scenario.
pub(crate) fn load_embedded(overrides: &[Override]) -> Result<Loaded> {
    finish(
        resolve(&Source::Canonical, &mut Vec::new())?,
        overrides,
        CANONICAL_ORIGIN.to_string(),
    )
}

/// Loads a scenario from TOML text, as if read from a file named `name`
/// (relative paths inside are relative to the current folder).
#[cfg(test)]
pub(crate) fn load_str(text: &str, name: &str, overrides: &[Override]) -> Result<Loaded> {
    load_str_in(text, name, Path::new(""), overrides)
}

/// Loads a scenario from TOML text, as if read from a file named `name` in
/// `folder` (relative paths inside are relative to it).
pub(crate) fn load_str_in(
    text: &str,
    name: &str,
    folder: &Path,
    overrides: &[Override],
) -> Result<Loaded> {
    let mut root = raw::parse_document(text, name)?;
    let mut chain = vec![(name.to_string(), name.to_string())];
    resolve_extends(&mut root, folder, &mut chain)?;
    anchor_files(&mut root, folder);
    finish(root, overrides, name.to_string())
}

/// Applies the overrides, validates, and builds the resolved TOML and the
/// parameter list.
fn finish(mut root: Node, overrides: &[Override], origin: String) -> Result<Loaded> {
    let before = (!overrides.is_empty()).then(|| root.clone());
    for o in overrides {
        if let Err(e) = apply_override(&mut root, o) {
            // An override of a key the scenario lacks: when the scenario
            // itself is invalid (a missing table), that is the error to
            // report, not the override's.
            if let Some(Err(invalid)) = before.as_ref().map(validate::validate) {
                return Err(invalid);
            }
            return Err(blame(e, o));
        }
    }
    // A file named on the command line is relative to where salesim runs.
    anchor_files(&mut root, Path::new(""));
    let scenario =
        validate::validate(&root).map_err(|e| blame_overrides(e, before.as_ref(), overrides))?;
    raw::normalize(&mut root);
    let data = portable(&mut root);
    Ok(Loaded {
        scenario,
        resolved_toml: raw::render(&root),
        parameters: parameters(&root),
        origin,
        data,
    })
}

/// An invalid scenario after `overrides`, when the overrides made it so:
/// the error names the override as it was written (`--set KEY=VALUE`),
/// never a line of a file the user did not write. The override is the one
/// whose key the error is at (or in, or above); else, when the scenario was
/// valid without the overrides, the first one after which it is not.
fn blame_overrides(e: Error, before: Option<&Node>, overrides: &[Override]) -> Error {
    let Error::Scenario { location, .. } = &e else {
        return e;
    };
    let key = location.key.as_str();
    let related = |o: &&Override| {
        o.path == key
            || key.starts_with(&format!("{}.", o.path))
            || o.path.starts_with(&format!("{key}."))
    };
    if location.file == SET_ORIGIN {
        if let Some(o) = overrides.iter().rev().find(related) {
            return blame(e, o);
        }
    }
    let Some(before) = before else {
        return e;
    };
    let mut root = before.clone();
    anchor_files(&mut root, Path::new(""));
    if validate::validate(&root).is_err() {
        return e;
    }
    for o in overrides {
        if apply_override(&mut root, o).is_err() || validate::validate(&root).is_err() {
            return blame(e, o);
        }
    }
    e
}

/// The error `e` as the override `o`'s: located at `--set KEY=VALUE` (the
/// key repeated only when the error is at another one), with a hint when
/// the value looks like a range written with a dash.
fn blame(e: Error, o: &Override) -> Error {
    let Error::Scenario { location, message } = e else {
        return e;
    };
    let key = if location.key == o.path {
        String::new()
    } else {
        location.key
    };
    let hint = if dashed_range(&o.value) {
        "; ranges are written START:END:STEP, e.g. 0.2:0.8:0.1"
    } else {
        ""
    };
    Error::Scenario {
        location: Location {
            file: override_text(o),
            key,
            line_col: None,
        },
        message: format!("{message}{hint}"),
    }
}

/// True for `a-b` with two numbers (`0.2-0.8`), which is a range written
/// with a dash; not for a negative number, an exponent, a date or a
/// duration, whose dashes are their own.
fn dashed_range(value: &str) -> bool {
    let number = |t: &str| {
        let t = t.trim();
        !t.is_empty()
            && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.parse::<f64>().is_ok_and(f64::is_finite)
    };
    let v = value.trim();
    v.matches('-').count() == 1
        && v.split_once('-')
            .is_some_and(|(a, b)| number(a) && number(b))
}

/// Makes the resolved tree portable: every file an `empirical`
/// distribution reads (an absolute path by now) is renamed `data/<name>`,
/// the name it takes beside the resolved scenario in an output folder, and
/// listed with where it is read from. Two files of one name are told apart
/// (`data/crm-2.csv`); one file named twice keeps one name.
fn portable(node: &mut Node) -> Vec<DataFile> {
    fn visit(node: &mut Node, data: &mut Vec<DataFile>) {
        match &mut node.value {
            NodeValue::Table(t) => {
                if t.get("dist").and_then(Node::as_str) == Some("empirical") {
                    if let Some(NodeValue::String(s)) = t.get_mut("file").map(|f| &mut f.value) {
                        let source = PathBuf::from(s.as_str());
                        let name = match data.iter().find(|d| d.source == source) {
                            Some(d) => d.name.clone(),
                            None => {
                                let name = data_name(&source, data);
                                data.push(DataFile {
                                    name: name.clone(),
                                    source,
                                });
                                name
                            }
                        };
                        *s = name;
                    }
                }
                for e in &mut t.entries {
                    visit(&mut e.node, data);
                }
            }
            NodeValue::Array(items) => {
                for item in items {
                    visit(item, data);
                }
            }
            _ => {}
        }
    }
    let mut data = Vec::new();
    visit(node, &mut data);
    data
}

/// `data/<file name>`, with `-2`, `-3`... before the extension when another
/// file already has that name.
fn data_name(source: &Path, taken: &[DataFile]) -> String {
    let stem = source
        .file_stem()
        .map_or_else(|| "data".to_string(), |s| s.to_string_lossy().into_owned());
    let ext = source
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (1..)
        .map(|k| match k {
            1 => format!("{DATA_DIR}/{stem}{ext}"),
            k => format!("{DATA_DIR}/{stem}-{k}{ext}"),
        })
        .find(|name| taken.iter().all(|d| d.name != *name))
        .expect("some name is free")
}

/// Reads and parses `source`, then resolves its `extends` chain.
/// `chain` holds the identities of the sources that extend this one.
fn resolve(source: &Source, chain: &mut Vec<(String, String)>) -> Result<Node> {
    let name = source.name();
    let text = match source {
        Source::Canonical => CANONICAL.to_string(),
        Source::File { shown } => crate::input::read_text(shown, crate::input::SCENARIO_LIMIT)
            .map_err(|e| {
                Error::scenario(
                    Location {
                        file: name.clone(),
                        key: String::new(),
                        line_col: None,
                    },
                    format!("cannot read the scenario file: {e}"),
                )
            })?,
    };
    let mut root = raw::parse_document(&text, &name)?;
    chain.push((source.identity(), name.clone()));
    let folder = source.folder();
    resolve_extends(&mut root, &folder, chain)?;
    anchor_files(&mut root, &folder);
    chain.pop();
    Ok(root)
}

/// If `root` has `extends`, loads the base it names (relative to `folder`),
/// merges `root` into it and replaces `root` with the result.
fn resolve_extends(
    root: &mut Node,
    folder: &Path,
    chain: &mut Vec<(String, String)>,
) -> Result<()> {
    let Some(table) = root.as_table_mut() else {
        return Ok(());
    };
    let Some(extends) = table.remove("extends") else {
        return Ok(());
    };
    let target = match &extends.value {
        NodeValue::String(s) => s.clone(),
        other => {
            return Err(extends.origin.error(
                "extends",
                format!(
                    "expected a string (\"canonical\" or a file name), got {}",
                    other.type_name()
                ),
            ))
        }
    };
    let base_source = if target == EXTENDS_CANONICAL {
        Source::Canonical
    } else if target.trim().is_empty() {
        return Err(extends.origin.error(
            "extends",
            "expected \"canonical\" or a file name, got an empty string",
        ));
    } else {
        Source::File {
            shown: folder.join(&target),
        }
    };
    let identity = base_source.identity();
    if chain.iter().any(|(id, _)| *id == identity) {
        let mut names: Vec<String> = chain.iter().map(|(_, n)| n.clone()).collect();
        names.push(base_source.name());
        return Err(extends.origin.error(
            "extends",
            format!("`extends` forms a cycle: {}", names.join(" -> ")),
        ));
    }
    if let Source::File { shown } = &base_source {
        if !shown.is_file() {
            return Err(extends.origin.error(
                "extends",
                format!("cannot read the base scenario \"{}\"", shown.display()),
            ));
        }
    }
    let mut base = resolve(&base_source, chain)?;
    let child = std::mem::replace(
        root,
        Node {
            value: NodeValue::Table(Table::new(false)),
            origin: extends.origin.clone(),
        },
    );
    merge(&mut base, child);
    *root = base;
    Ok(())
}

/// Merges `child` into `base`: standard tables merge key by key, recursively;
/// everything else (values, arrays, inline tables) replaces the base whole.
///
/// A table whose `kind` differs between base and child (e.g. arrivals
/// switching from poisson to batch) is replaced whole, since the keys of one
/// kind are unknown keys of the other.
fn merge(base: &mut Node, child: Node) {
    let kinds_differ = match (base.as_table(), child.as_table()) {
        (Some(b), Some(c)) => match (b.get("kind"), c.get("kind")) {
            (Some(bk), Some(ck)) => bk.value != ck.value,
            _ => false,
        },
        _ => false,
    };
    if !(base.is_standard_table() && child.is_standard_table()) || kinds_differ {
        *base = child;
        return;
    }
    let Node { value, origin } = child;
    let NodeValue::Table(child_table) = value else {
        return;
    };
    base.origin = origin;
    if let Some(base_table) = base.as_table_mut() {
        // A source describes the value beside it: a child that changes a
        // value without citing a source must not inherit the base's.
        for e in &child_table.entries {
            let source_key = format!("{}_source", e.key);
            let replaces_value = !e.key.ends_with("_source") && !e.node.is_standard_table();
            if replaces_value && child_table.get(&source_key).is_none() {
                base_table.remove(&source_key);
            }
        }
        for e in child_table.entries {
            match base_table.get_mut(&e.key) {
                Some(b) => merge(b, e.node),
                None => base_table.insert(&e.key, e.key_origin, e.node),
            }
        }
    }
}

/// Rewrites the `file` of every empirical distribution that is relative so
/// that it names the same file from anywhere: relative paths are relative to
/// `folder` (the folder of the file that wrote them).
fn anchor_files(node: &mut Node, folder: &Path) {
    match &mut node.value {
        NodeValue::Table(t) => {
            let empirical = t.get("dist").and_then(Node::as_str) == Some("empirical");
            if empirical {
                if let Some(file) = t.get_mut("file") {
                    if let NodeValue::String(s) = &mut file.value {
                        *s = anchor(folder, s).display().to_string();
                    }
                }
            }
            for e in &mut t.entries {
                anchor_files(&mut e.node, folder);
            }
        }
        NodeValue::Array(items) => {
            for item in items {
                anchor_files(item, folder);
            }
        }
        _ => {}
    }
}

/// The absolute form of `file` taken relative to `folder`.
fn anchor(folder: &Path, file: &str) -> PathBuf {
    let joined = folder.join(file);
    std::path::absolute(&joined).unwrap_or(joined)
}

/// Parses `PATH=VALUE` as given to `--set`.
pub(crate) fn parse_override(text: &str) -> Result<Override> {
    let (path, value) = text.split_once('=').ok_or_else(|| {
        Error::Usage(format!(
            "--set expects PATH=VALUE (e.g. gate.nurture_below=0.4), got \"{text}\""
        ))
    })?;
    let path = path.trim();
    let bad_segment = path.split('.').any(|s| s.trim().is_empty());
    if path.is_empty() || bad_segment {
        return Err(Error::Usage(format!(
                "--set expects a dotted key path before '=' (e.g. review.expire_after=3d), got \"{text}\""
            )));
    }
    Ok(Override {
        path: canonical_path(path),
        value: value.trim().to_string(),
    })
}

/// The one spelling of a dotted key path: segments trimmed, and array
/// indices as plain numbers (`providers.00` and `providers.+0` are
/// `providers.0`), so that two spellings of one key are one key.
pub(crate) fn canonical_path(path: &str) -> String {
    path.split('.')
        .map(|segment| {
            let s = segment.trim();
            let digits = s.strip_prefix('+').unwrap_or(s);
            match digits.parse::<u128>() {
                Ok(n) if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) => {
                    n.to_string()
                }
                _ => s.to_string(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Refuses a key set twice in one command (`--set` given twice for one
/// path, or `--seed` with `--set run.seed=...`): which one wins would be a
/// guess, and a sweep would label its points by one and run the other.
pub fn check_distinct(overrides: &[Override]) -> Result<()> {
    for (i, o) in overrides.iter().enumerate() {
        if let Some(earlier) = overrides[..i].iter().find(|e| e.path == o.path) {
            return Err(Error::Usage(format!(
                "--set {}: the key is set twice in one command (to {} and to {}); give it once",
                o.path, earlier.value, o.value
            )));
        }
    }
    Ok(())
}

/// Applies one `--set` override to the resolved tree.
fn apply_override(root: &mut Node, o: &Override) -> Result<()> {
    let set_origin = Origin::unplaced(Arc::from(SET_ORIGIN));
    let no_such = |what: String| set_origin.error(&o.path, what);
    let segments: Vec<&str> = o.path.split('.').map(str::trim).collect();
    let Some((last, parents)) = segments.split_last() else {
        return Err(no_such("empty key path".to_string()));
    };
    let value = raw::parse_value(&o.value, SET_ORIGIN, &o.path).unwrap_or_else(|| Node {
        value: NodeValue::String(o.value.clone()),
        origin: set_origin.clone(),
    });
    let mut node = &mut *root;
    let mut walked = String::new();
    for seg in parents {
        walked = join(&walked, seg);
        node = match &mut node.value {
            NodeValue::Table(t) => t
                .get_mut(seg)
                .ok_or_else(|| no_such(format!("no such key `{walked}`")))?,
            NodeValue::Array(items) => {
                let len = items.len();
                let i =
                    index(seg, len).map_err(|m| no_such(format!("no such key `{walked}`: {m}")))?;
                &mut items[i]
            }
            other => {
                return Err(no_such(format!(
                    "no such key `{walked}`: its parent is {}, not a table",
                    other.type_name()
                )))
            }
        };
    }
    let full = o.path.as_str();
    match &mut node.value {
        NodeValue::Table(t) => t.insert(last, set_origin.clone(), value),
        NodeValue::Array(items) => {
            let len = items.len();
            let i = index(last, len).map_err(|m| no_such(format!("no such key `{full}`: {m}")))?;
            items[i] = value;
        }
        other => {
            return Err(no_such(format!(
                "no such key `{full}`: its parent is {}, not a table",
                other.type_name()
            )))
        }
    }
    mark_changed_list(root, &segments, &set_origin);
    mark_source(root, &segments, o, &set_origin);
    Ok(())
}

/// How messages and sources show an override: `--set PATH=VALUE`, control
/// characters escaped (the value itself is then rejected, not its source).
pub(crate) fn override_text(o: &Override) -> String {
    let value: String = o
        .value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect();
    format!("{SET_ORIGIN} {}={value}", o.path)
}

/// The `_source` of a value set on the command line.
pub(crate) const SET_SOURCE: &str = "set on the command line: ";

/// Records that the parameter the override changes now comes from the
/// command line, in place of any source the file gave: `<key>_source` in
/// the table that holds the parameter. The parameter is the whole
/// distribution or inline table when the override sets one of its fields
/// (`review.duration.median` changes `review.duration`), whose earlier
/// fields set in this same load are kept in the text.
fn mark_source(root: &mut Node, segments: &[&str], o: &Override, set_origin: &Origin) {
    let is_container = |n: &Node| match &n.value {
        NodeValue::Table(t) => !is_leaf_table(t),
        NodeValue::Array(items) => {
            !items.is_empty() && items.iter().all(|n| n.as_table().is_some())
        }
        _ => false,
    };
    let mut node = root;
    for (i, seg) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        node = match &mut node.value {
            NodeValue::Table(t) => {
                let Some(child) = t.get(seg) else { return };
                if !last && is_container(child) {
                    match t.get_mut(seg) {
                        Some(n) => n,
                        None => return,
                    }
                } else {
                    if seg.ends_with("_source") {
                        return;
                    }
                    let key = format!("{seg}_source");
                    let this = override_text(o);
                    // A field after another of one parameter in one load:
                    // both are the command line's.
                    let earlier = t
                        .get(&key)
                        .filter(|n| !last && &*n.origin.file == SET_ORIGIN)
                        .and_then(Node::as_str)
                        .filter(|s| s.starts_with(SET_SOURCE) && !s.contains(&this));
                    let text = match earlier {
                        Some(s) => format!("{s}, {this}"),
                        None => format!("{SET_SOURCE}{this}"),
                    };
                    let source = Node {
                        value: NodeValue::String(text),
                        origin: set_origin.clone(),
                    };
                    t.insert(&key, set_origin.clone(), source);
                    return;
                }
            }
            NodeValue::Array(items) => {
                // A whole item of a list of tables has no key to hold a source.
                let item = seg.parse::<usize>().ok().and_then(|k| items.get_mut(k));
                match item {
                    Some(n) if !last => n,
                    _ => return,
                }
            }
            _ => return,
        };
    }
}

/// An error about a whole list (calendar windows that overlap, segment
/// shares that do not sum to 1) belongs to `--set` when `--set` changed an
/// item of it: the deepest list on the override's path takes its origin.
fn mark_changed_list(root: &mut Node, segments: &[&str], set_origin: &Origin) {
    let mut node = root;
    let mut deepest_list: Option<usize> = None;
    // Find the depth of the deepest list on the path.
    {
        let mut probe: &Node = node;
        for (depth, seg) in segments.iter().enumerate() {
            if matches!(probe.value, NodeValue::Array(_)) {
                deepest_list = Some(depth);
            }
            probe = match &probe.value {
                NodeValue::Table(t) => match t.get(seg) {
                    Some(n) => n,
                    None => break,
                },
                NodeValue::Array(items) => {
                    match seg.parse::<usize>().ok().and_then(|i| items.get(i)) {
                        Some(n) => n,
                        None => break,
                    }
                }
                _ => break,
            };
        }
    }
    let Some(depth) = deepest_list else {
        return;
    };
    for seg in &segments[..depth] {
        node = match &mut node.value {
            NodeValue::Table(t) => match t.get_mut(seg) {
                Some(n) => n,
                None => return,
            },
            NodeValue::Array(items) => {
                match seg.parse::<usize>().ok().and_then(|i| items.get_mut(i)) {
                    Some(n) => n,
                    None => return,
                }
            }
            _ => return,
        };
    }
    node.origin = set_origin.clone();
}

/// Parses an array index and checks it against the array's length.
fn index(seg: &str, len: usize) -> std::result::Result<usize, String> {
    let i: usize = seg
        .parse()
        .map_err(|_| format!("an array takes an item index below {len}, not `{seg}`"))?;
    if i >= len {
        return Err(format!(
            "index {i} is past the end of an array of {len} item(s)"
        ));
    }
    Ok(i)
}

/// Every parameter of a resolved scenario's text (as an output folder or a
/// plan record holds it) with its `_source`; none when the text is not
/// TOML.
pub fn parameters_of(text: &str) -> Vec<Parameter> {
    raw::parse_document(text, "resolved scenario")
        .map(|root| parameters(&root))
        .unwrap_or_default()
}

/// Lists every parameter of a resolved tree with its `_source`.
fn parameters(root: &Node) -> Vec<Parameter> {
    let mut out = Vec::new();
    if let Some(t) = root.as_table() {
        collect(t, "", &mut out);
    }
    out
}

/// True for a table that is one parameter: an inline table, or any table
/// with a `dist` key (a distribution).
fn is_leaf_table(t: &Table) -> bool {
    t.inline || t.get("dist").is_some()
}

fn collect(table: &Table, path: &str, out: &mut Vec<Parameter>) {
    for e in &table.entries {
        if e.key.ends_with("_source") || e.key == "name" || e.key == "description" {
            continue;
        }
        let key = join(path, &e.key);
        match &e.node.value {
            NodeValue::Table(t) if !is_leaf_table(t) => collect(t, &key, out),
            NodeValue::Array(items)
                if !items.is_empty() && items.iter().all(|n| n.as_table().is_some()) =>
            {
                for (i, item) in items.iter().enumerate() {
                    if let Some(t) = item.as_table() {
                        collect(t, &join(&key, &i.to_string()), out);
                    }
                }
            }
            _ => out.push(Parameter {
                key,
                value: e.node.to_inline_toml(),
                source: table
                    .get(&format!("{}_source", e.key))
                    .and_then(Node::as_str)
                    .map(str::to_string),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Scenario, TEST_BASE};

    /// The tests' own base scenario with `overrides`: the `--set` tests
    /// below need a complete scenario whose keys the shipped ones'
    /// recalibration does not move.
    fn base(overrides: &[Override]) -> Result<Loaded> {
        load_str(TEST_BASE, "base.toml", overrides)
    }

    fn set(path: &str, value: &str) -> Override {
        Override {
            path: path.to_string(),
            value: value.to_string(),
        }
    }

    fn location(err: &Error) -> Location {
        match err {
            Error::Scenario { location, .. } => location.clone(),
            other => panic!("not a scenario error: {other:?}"),
        }
    }

    #[test]
    fn canonical_loads() {
        let loaded = load_embedded(&[]).unwrap();
        assert_eq!(loaded.scenario.name, "canonical");
        assert_eq!(loaded.origin, CANONICAL_ORIGIN);
        assert!(loaded.resolved_toml.contains("[review]"));
        // The embedded text is the shipped file's (whatever its values).
        let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/canonical.toml");
        let file = load_file(&shipped, &[]).unwrap();
        assert_eq!(loaded.parameters, file.parameters);
    }

    #[test]
    fn every_canonical_parameter_has_a_source() {
        let loaded = load_embedded(&[]).unwrap();
        assert!(loaded.parameters.len() > 60, "{}", loaded.parameters.len());
        let missing: Vec<&str> = loaded
            .parameters
            .iter()
            .filter(|p| p.source.is_none())
            .map(|p| p.key.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "parameters without a source: {missing:?}"
        );
    }

    #[test]
    fn a_parameter_carries_its_own_value_and_source() {
        let loaded = base(&[]).unwrap();
        let fit = loaded
            .parameters
            .iter()
            .find(|p| p.key == "segments.0.fit")
            .unwrap();
        assert_eq!(fit.value, "{ dist = \"beta\", alpha = 2.0, beta = 5.0 }");
        assert!(fit.source.as_deref().unwrap().starts_with("bullseye.so"));
        assert!(loaded
            .parameters
            .iter()
            .any(|p| p.key == "enrichment.providers.0.match_rate" && p.value == "0.6"));
    }

    #[test]
    fn extends_canonical_changes_only_given_keys() {
        // 123h: a value no calibration of the canonical scenario would pick.
        let text = "extends = \"canonical\"\nname = \"mine\"\n[review]\nexpire_after = \"123h\"\n";
        let loaded = load_str(text, "mine.toml", &[]).unwrap();
        let base = load_embedded(&[]).unwrap();
        assert_eq!(loaded.scenario.name, "mine");
        assert_eq!(
            loaded.scenario.review.expire_after,
            123.0 * crate::units::HOUR
        );
        assert_eq!(
            loaded.scenario.review.edit_probability,
            base.scenario.review.edit_probability
        );
        let differing: Vec<&str> = loaded
            .parameters
            .iter()
            .zip(&base.parameters)
            .filter(|(a, b)| a != b)
            .map(|(a, _)| a.key.as_str())
            .collect();
        assert_eq!(differing, vec!["review.expire_after"]);
        assert_eq!(loaded.parameters.len(), base.parameters.len());
        assert!(!loaded.resolved_toml.contains("extends"));
    }

    #[test]
    fn extends_replaces_arrays_and_inline_tables_whole() {
        let text = r#"extends = "canonical"
[[segments]]
name = "a"
share = 0.5
fit = { dist = "uniform", min = 0.0, max = 1.0 }
[[segments]]
name = "b"
share = 0.5
fit = { dist = "constant", value = 0.2 }
[review]
duration = { dist = "constant", value = "2m" }
"#;
        let loaded = load_str(text, "seg.toml", &[]).unwrap();
        assert_eq!(loaded.scenario.segments.len(), 2);
        assert_eq!(loaded.scenario.review.duration.mean(), 120.0);
        assert!(!loaded.resolved_toml.contains("fit_source"));
    }

    #[test]
    fn extends_with_a_new_arrival_kind_replaces_the_table() {
        let text = "extends = \"canonical\"\n[arrivals]\nkind = \"batch\"\nsize = 500\nat = \"mon 08:00\"\n";
        let loaded = load_str(text, "b.toml", &[]).unwrap();
        assert!(matches!(
            loaded.scenario.arrivals,
            crate::scenario::Arrivals::Batch { size: 500, .. }
        ));
    }

    #[test]
    fn extends_files_chain_and_cycles_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.toml");
        let b = dir.path().join("b.toml");
        std::fs::write(
            &a,
            "extends = \"canonical\"\nname = \"a\"\n[reps]\ncount = 4\n",
        )
        .unwrap();
        std::fs::write(&b, "extends = \"a.toml\"\nname = \"b\"\n").unwrap();
        let loaded = load_file(&b, &[]).unwrap();
        assert_eq!(loaded.scenario.name, "b");
        assert_eq!(loaded.scenario.reps.count, 4);

        std::fs::write(&a, "extends = \"b.toml\"\n").unwrap();
        let err = load_file(&b, &[]).unwrap_err();
        assert!(err.to_string().contains("cycle"), "{err}");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn error_in_inherited_value_names_the_base_file() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.toml");
        assert!(TEST_BASE.contains("edit_probability = 0.1"));
        let text = TEST_BASE.replace("edit_probability = 0.1", "edit_probability = 1.5");
        std::fs::write(&base, text).unwrap();
        let child = dir.path().join("child.toml");
        std::fs::write(&child, "extends = \"base.toml\"\nname = \"c\"\n").unwrap();
        let err = load_file(&child, &[]).unwrap_err();
        let loc = location(&err);
        assert!(loc.file.ends_with("base.toml"), "{err}");
        assert_eq!(loc.key, "review.edit_probability");
        assert!(loc.line_col.is_some());
    }

    #[test]
    fn unreadable_file_names_the_file() {
        let err = load_file(Path::new("/nonexistent/x.toml"), &[]).unwrap_err();
        assert_eq!(location(&err).file, "/nonexistent/x.toml");
        assert_eq!(err.exit_code(), 2);
    }

    #[test]
    fn missing_base_file_is_reported_at_extends() {
        let err = load_str("extends = \"nope.toml\"\n", "m.toml", &[]).unwrap_err();
        let loc = location(&err);
        assert_eq!(loc.key, "extends");
        assert_eq!(loc.line_col, Some((1, 11)));
    }

    #[test]
    fn set_overrides_apply_in_order_and_parse_values() {
        let loaded = base(&[
            set("review.expire_after", "3d"),
            set("review.expire_after", "4d"),
            set("enrichment.providers.0.match_rate", "0.3"),
            set("reps.count", "8"),
            set("review.duration", "{ dist = \"constant\", value = \"1m\" }"),
            set("gate.autosend_at_or_above", "0.9"),
        ])
        .unwrap();
        let s: &Scenario = &loaded.scenario;
        assert_eq!(s.review.expire_after, 4.0 * crate::units::DAY);
        assert_eq!(s.enrichment.providers[0].match_rate, 0.3);
        assert_eq!(s.reps.count, 8);
        assert_eq!(s.review.duration.mean(), 60.0);
        assert_eq!(s.gate.autosend_at_or_above, Some(0.9));
    }

    #[test]
    fn set_on_unknown_path_is_rejected() {
        for path in [
            "nope.count",
            "enrichment.providers.3.match_rate",
            "reps.count.x",
        ] {
            let err = base(&[set(path, "1")]).unwrap_err();
            let loc = location(&err);
            assert_eq!(loc.file, format!("--set {path}=1"), "{err}");
            assert_eq!(loc.key, "");
            assert!(err.to_string().contains("no such key"), "{err}");
            assert_eq!(err.exit_code(), 2);
        }
        // A new leaf in an existing table is set, then rejected as unknown.
        let err = base(&[set("reps.cuont", "4")]).unwrap_err();
        assert!(err.to_string().contains("unknown key `cuont`"), "{err}");
        assert_eq!(location(&err).file, "--set reps.cuont=4");
    }

    #[test]
    fn invalid_set_value_names_set() {
        let err = base(&[set("review.edit_probability", "2")]).unwrap_err();
        let loc = location(&err);
        assert_eq!(loc.file, "--set review.edit_probability=2");
        assert_eq!(loc.key, "");
    }

    #[test]
    fn an_override_that_breaks_a_rule_of_the_file_is_named_not_the_file() {
        // Each valid alone in its type; the file's line would be blamed.
        for (path, value, key) in [
            ("review.duration.p90", "\"1m\"", "review.duration"),
            ("segments.0.fit.alpha", "-1", "segments.0.fit"),
            ("run.horizon", "\"1w\"", "run.warmup"),
            ("arrivals.kind", "\"batch\"", "arrivals.per_week"),
        ] {
            let err = base(&[set("reps.count", "9"), set(path, value)]).unwrap_err();
            let loc = location(&err);
            assert_eq!(loc.file, format!("--set {path}={value}"), "{err}");
            assert_eq!((loc.key.as_str(), loc.line_col), (key, None), "{err}");
        }
    }

    #[test]
    fn a_range_written_with_a_dash_gets_a_hint() {
        let err = base(&[set("gate.nurture_below", "0.2-0.8")]).unwrap_err();
        assert!(
            err.to_string()
                .ends_with("; ranges are written START:END:STEP, e.g. 0.2:0.8:0.1"),
            "{err}"
        );
        assert!(dashed_range("0.2 - 0.8") && dashed_range("1-5"));
        for own in ["-0.5", "1e-3", "2026-01-05", "1d-2d", "-1-2", "0.2-", "a-b"] {
            assert!(!dashed_range(own), "{own}");
        }
    }

    #[test]
    fn a_field_set_on_the_command_line_marks_its_whole_parameter() {
        let loaded = base(&[
            set("review.duration.median", "\"3m\""),
            set("review.duration.p90", "\"6m\""),
            set("segments.0.fit.beta", "4.0"),
            set("gate.autosend_at_or_above", "0.9"),
            set("calendars.office.hours.0", "\"08:00-12:00\""),
        ])
        .unwrap();
        let source = |key: &str| {
            loaded
                .parameters
                .iter()
                .find(|p| p.key == key)
                .unwrap_or_else(|| panic!("{key}"))
                .clone()
        };
        let duration = source("review.duration");
        assert_eq!(
            duration.source.as_deref(),
            Some("set on the command line: --set review.duration.median=\"3m\", --set review.duration.p90=\"6m\"")
        );
        assert!(!duration.value.contains("_source"), "{}", duration.value);
        assert_eq!(
            source("segments.0.fit").source.as_deref(),
            Some("set on the command line: --set segments.0.fit.beta=4.0")
        );
        assert_eq!(
            source("gate.autosend_at_or_above").source.as_deref(),
            Some("set on the command line: --set gate.autosend_at_or_above=0.9")
        );
        assert_eq!(
            source("calendars.office.hours").source.as_deref(),
            Some("set on the command line: --set calendars.office.hours.0=\"08:00-12:00\"")
        );
        // The resolved text reads back to the same scenario and sources.
        let again =
            crate::scenario::load_text(&loaded.resolved_toml, "resolved", Path::new(""), &[])
                .unwrap();
        assert_eq!(again.parameters, loaded.parameters);
    }

    #[test]
    fn override_text_parses_path_and_value() {
        let o = Override::parse("review.expire_after=3d").unwrap();
        assert_eq!(o, set("review.expire_after", "3d"));
        let o = Override::parse("review.duration={ dist = \"constant\", value = \"1m\" }").unwrap();
        assert_eq!(o.value, "{ dist = \"constant\", value = \"1m\" }");
        assert!(matches!(Override::parse("novalue"), Err(Error::Usage(_))));
        assert!(matches!(Override::parse("a..b=1"), Err(Error::Usage(_))));
        assert!(matches!(Override::parse("=1"), Err(Error::Usage(_))));
    }

    #[test]
    fn resolved_toml_reloads_to_the_same_parameters() {
        let loaded = load_embedded(&[
            set("segments", "[{ name = \"x\", share = 1.0, fit = { dist = \"beta\", alpha = 1.0, beta = 3.0 } }]"),
            set("gate.autosend_at_or_above", "0.9"),
        ])
        .unwrap();
        let again = load_str(&loaded.resolved_toml, "resolved.toml", &[]).unwrap();
        assert_eq!(again.parameters, loaded.parameters);
        assert_eq!(again.resolved_toml, loaded.resolved_toml);
        let base = load_embedded(&[]).unwrap();
        let again = load_str(&base.resolved_toml, "resolved.toml", &[]).unwrap();
        assert_eq!(again.parameters, base.parameters);
    }

    #[test]
    fn empirical_files_are_relative_to_the_scenario() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("data")).unwrap();
        std::fs::write(
            dir.path().join("data/crm.csv"),
            "minutes,fit\n3m,0.2\n5m,0.4\n",
        )
        .unwrap();
        let s = dir.path().join("s.toml");
        std::fs::write(
            &s,
            "extends = \"canonical\"\n[review]\nduration = { dist = \"empirical\", file = \"data/crm.csv\", column = \"minutes\" }\n[[segments]]\nname = \"a\"\nshare = 1.0\nfit = { dist = \"empirical\", file = \"data/crm.csv\", column = \"fit\" }\n",
        )
        .unwrap();
        let loaded = load_file(&s, &[]).unwrap();
        assert_eq!(loaded.scenario.review.duration.mean(), 240.0);
        assert!((loaded.scenario.segments[0].fit.mean() - 0.3).abs() < 1e-12);
        // The resolved scenario names the file by its place beside it in an
        // output folder, and says where it is read from: a folder holding
        // both loads from anywhere, without the original.
        assert!(loaded.resolved_toml.contains("file = \"data/crm.csv\""));
        assert_eq!(loaded.data.len(), 1, "one file, named twice");
        assert_eq!(loaded.data[0].name, "data/crm.csv");
        assert!(loaded.data[0].source.is_absolute());
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir(elsewhere.path().join("data")).unwrap();
        std::fs::copy(
            &loaded.data[0].source,
            elsewhere.path().join("data/crm.csv"),
        )
        .unwrap();
        let again = load_str_in(
            &loaded.resolved_toml,
            "scenario.toml",
            elsewhere.path(),
            &[],
        )
        .unwrap();
        assert_eq!(again.scenario.review.duration.mean(), 240.0);
        assert_eq!(again.resolved_toml, loaded.resolved_toml);
        // Two files of one name are told apart.
        std::fs::create_dir(dir.path().join("other")).unwrap();
        std::fs::write(dir.path().join("other/crm.csv"), "minutes\n1m\n").unwrap();
        let other = dir.path().join("other/crm.csv");
        let set = Override::parse(&format!(
            "review.edit={{ dist = \"empirical\", file = {:?}, column = \"minutes\" }}",
            other.display().to_string()
        ))
        .unwrap();
        let two = load_file(&s, &[set]).unwrap();
        let names: Vec<&str> = two.data.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["data/crm.csv", "data/crm-2.csv"]);
    }

    #[test]
    fn no_single_line_change_panics_and_every_error_is_located() {
        const JUNK: [&str; 12] = [
            "nan",
            "-inf",
            "-1",
            "0",
            "1e300",
            "99999999999999",
            "\"\"",
            "\"-3m\"",
            "[]",
            "{}",
            "{ dist = \"constant\" }",
            "true",
        ];
        let lines: Vec<&str> = TEST_BASE.lines().collect();
        let mut variants = Vec::new();
        for i in 0..lines.len() {
            let mut without = lines.clone();
            without.remove(i);
            variants.push(without.join("\n"));
            if let Some((key, _)) = lines[i].split_once(" = ") {
                for junk in JUNK {
                    let mut changed = lines.clone();
                    let line = format!("{key} = {junk}");
                    changed[i] = &line;
                    variants.push(changed.join("\n"));
                }
            }
        }
        for text in variants {
            match load_str(&text, "v.toml", &[]) {
                Ok(_) => {}
                Err(Error::Scenario { location, message }) => {
                    assert_eq!(location.file, "v.toml");
                    assert!(!message.is_empty());
                    assert!(
                        !location.key.is_empty()
                            || location.line_col.is_some()
                            || message == "missing required key",
                        "{location}: {message}"
                    );
                }
                Err(other) => panic!("unexpected error {other:?}"),
            }
        }
    }
}
