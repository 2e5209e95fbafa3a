//! Writing report files: the only code in salesim that touches the file
//! system for output.
//!
//! Every file is written under a temporary name in its own directory, synced,
//! and renamed over its final name, so a reader (or an interrupted run) sees
//! either the old complete file or the new complete one, never a partial
//! file. Batches are written in two phases: all temporary files first, then
//! all renames, so a failure while writing replaces nothing.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use polars::prelude::{DataFrame, PolarsResult};

use crate::error::{Error, Result};

/// Distinguishes temporary files of one process, so concurrent writes of the
/// same path from several threads never share a temporary file.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Held while files are written and renamed. An interrupt handler takes it
/// before exiting, so SIGINT or SIGTERM during a write waits for the whole
/// set of files to be in place: a folder holds the previous complete set or
/// the new one, never a mix or a temporary file.
pub static WRITE_LOCK: Mutex<()> = Mutex::new(());

/// Test hook: with `SALESIM_TEST_HOLD_WRITE_MS` set, a batch of files
/// pauses after its first rename, holding the write lock, and says so on
/// standard error; the pause lasts until an interrupt handler has noted its
/// signal ([`note_interrupt`]) and 200 ms more, or that many milliseconds
/// at most. The
/// interrupt tests send their signal then, in the middle of a write, to
/// prove the lock keeps a folder consistent; ending the pause on the note,
/// not on a clock, means the signal can never come too late.
const HOLD_WRITE_ENV: &str = "SALESIM_TEST_HOLD_WRITE_MS";

/// Set by [`note_interrupt`].
static INTERRUPT_NOTED: AtomicBool = AtomicBool::new(false);

/// Called by an interrupt handler before it waits for [`WRITE_LOCK`]: ends
/// the test hook's pause (and does nothing else).
pub fn note_interrupt() {
    INTERRUPT_NOTED.store(true, Ordering::SeqCst);
}

fn hold_for_test() {
    let Some(ms) = std::env::var(HOLD_WRITE_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    eprintln!("salesim test hook: holding the write lock for up to {ms} ms");
    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    while !INTERRUPT_NOTED.load(Ordering::SeqCst) && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // A little longer, so that a handler that wrongly exits without the
    // lock does so while the batch is half written, where the test sees it.
    std::thread::sleep(std::time::Duration::from_millis(200));
}

/// Test hook: with `SALESIM_TEST_PAUSE_AFTER_JOBS=N` set, the thread that
/// writes this process's N-th job file says so on standard error, then
/// pauses (two minutes at most, holding no lock), so that an interrupt test
/// signals a process known to be mid-experiment with exactly N jobs on disk
/// (with one thread). Inert unless the variable is set.
const PAUSE_AFTER_JOBS_ENV: &str = "SALESIM_TEST_PAUSE_AFTER_JOBS";

/// Job files this process has written, for [`PAUSE_AFTER_JOBS_ENV`].
static JOBS_WRITTEN: AtomicU64 = AtomicU64::new(0);

fn pause_after_jobs_for_test() {
    let Some(n) = std::env::var(PAUSE_AFTER_JOBS_ENV)
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    if JOBS_WRITTEN.fetch_add(1, Ordering::SeqCst) + 1 == n {
        eprintln!("salesim test hook: {n} job files written, pausing");
        std::thread::sleep(std::time::Duration::from_secs(120));
    }
}

pub(crate) fn output_error(path: &Path, message: impl ToString) -> Error {
    Error::Output {
        path: path.display().to_string(),
        message: message.to_string(),
    }
}

/// Every temporary file of this process not yet renamed into place, so an
/// interrupt can remove them before the process exits (an exit runs no
/// destructor).
static LIVE_TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A temporary file that is removed when dropped unless it was renamed into
/// place, so every failure path (and a panic) cleans up after itself.
struct TempFile {
    path: PathBuf,
    armed: bool,
}

impl TempFile {
    /// Creates a new temporary file at `path`, known to the interrupt
    /// handler (from before it exists) until it is renamed or removed.
    /// `create_new`, so a file this process did not create is never written
    /// or removed.
    fn create(path: PathBuf) -> std::io::Result<(TempFile, File)> {
        lock(&LIVE_TEMPORARIES).push(path.clone());
        let temp = TempFile { path, armed: true };
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp.path);
        match file {
            Ok(file) => Ok((temp, file)),
            Err(e) => {
                // Not created: nothing to remove.
                let mut temp = temp;
                temp.disarm();
                Err(e)
            }
        }
    }

    /// The file was renamed into place: nothing to remove any more.
    fn disarm(&mut self) {
        self.armed = false;
        lock(&LIVE_TEMPORARIES).retain(|p| *p != self.path);
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if self.armed {
            // Best effort: the error being reported matters more than this one.
            let _ = fs::remove_file(&self.path);
            self.disarm();
        }
    }
}

/// A lock, even one poisoned by a panic elsewhere (the data stays usable).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes every temporary file this process has not renamed into place:
/// the interrupt handler calls it, holding [`WRITE_LOCK`], just before exit.
pub fn remove_temporaries() {
    for path in lock(&LIVE_TEMPORARIES).drain(..) {
        let _ = fs::remove_file(path);
    }
}

/// The directory a file goes in (`.` for a bare file name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to a new temporary file beside `dest` and syncs it.
fn stage(dest: &Path, bytes: &[u8]) -> Result<TempFile> {
    let name = dest
        .file_name()
        .ok_or_else(|| output_error(dest, "not a file name"))?;
    let tmp_name = format!(
        ".{}.tmp-{}-{}",
        name.to_string_lossy(),
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let path = parent_of(dest).join(tmp_name);
    let (temp, mut file) = TempFile::create(path).map_err(|e| output_error(dest, e))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| output_error(dest, e))?;
    Ok(temp)
}

/// Syncs a directory so that renames in it survive a crash. Best effort:
/// some file systems cannot sync directories, and the data is already safe.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Writes several files, each atomically: every file is first written and
/// synced under a temporary name beside it; only when all are written are
/// they renamed over their final names. A failure while writing leaves every
/// final name untouched; a failure while renaming (rare: e.g. a directory in
/// the way) leaves the files renamed so far complete and no temporary file
/// behind. Returns the final paths.
pub fn write_atomic_all(files: &[(PathBuf, &[u8])]) -> Result<Vec<PathBuf>> {
    commit_paths(files, Vec::new(), &[])
}

/// Commits one command's output at once, under the write lock (an
/// interrupt waits for all of it): `files` are written under temporary
/// names; then they and the `streamed` files (already written under
/// temporary names) are renamed over their final names, and the `stale`
/// entries (files and folders an earlier command left) are removed. A
/// failure while writing changes nothing.
fn commit_paths(
    files: &[(PathBuf, &[u8])],
    streamed: Vec<Streamed>,
    stale: &[PathBuf],
) -> Result<Vec<PathBuf>> {
    for f in &streamed {
        f.file.sync_all().map_err(|e| output_error(&f.dest, e))?;
    }
    let _writing = lock(&WRITE_LOCK);
    let mut staged = Vec::with_capacity(files.len());
    for (dest, bytes) in files {
        staged.push((stage(dest, bytes)?, dest.clone()));
    }
    let count = staged.len() + streamed.len();
    let all = staged
        .into_iter()
        .chain(streamed.into_iter().map(|f| (f.temp, f.dest)));
    let mut done = Vec::with_capacity(count);
    for (i, (mut temp, dest)) in all.enumerate() {
        fs::rename(&temp.path, &dest).map_err(|e| output_error(&dest, e))?;
        temp.disarm();
        if i == 0 && count > 1 {
            hold_for_test();
        }
        done.push(dest);
    }
    for path in stale {
        let removed = if path.is_dir() {
            fs::remove_dir_all(path)
        } else {
            fs::remove_file(path)
        };
        removed.map_err(|e| output_error(path, e))?;
    }
    let mut dirs: Vec<&Path> = done
        .iter()
        .map(|p| parent_of(p))
        .chain(stale.iter().map(|p| parent_of(p)))
        .collect();
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        sync_dir(dir);
    }
    Ok(done)
}

/// Writes `bytes` to `path` atomically: to a temporary file in the same
/// directory, synced, then renamed over `path`. The directory must exist.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_all(&[(path.to_path_buf(), bytes)]).map(|_| ())
}

/// Creates `dir` with its parents and checks that a file can be created in
/// it, so a bad `--out` fails before the simulation runs, not after.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| output_error(dir, e))?;
    remove_dead_temporaries(dir);
    let probe = stage(&dir.join("salesim-probe"), b"")
        .map_err(|_| output_error(dir, "cannot create files in this directory"))?;
    drop(probe);
    Ok(())
}

/// The scenario name recorded in a folder's `scenario.toml`, if there is one.
fn recorded_scenario(dir: &Path) -> Option<String> {
    let text = fs::read_to_string(dir.join("scenario.toml")).ok()?;
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get("name")?.as_str().map(str::to_string)
}

/// Refuses an output folder that holds something other than an earlier
/// result of the same command (`run`, `sweep`, `compare`, `sensitivity`,
/// or `shard`) on the same scenario, unless `force`: a folder holds the
/// results of one command, and results must not be silently mixed. A
/// missing or empty folder is fine.
pub fn check_out_dir(dir: &Path, scenario: &str, command: &str, force: bool) -> Result<()> {
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--out {} is a file, not a folder",
            dir.display()
        )));
    }
    if force || !dir.exists() {
        return Ok(());
    }
    let empty = fs::read_dir(dir)
        .map(|mut entries| entries.next().is_none())
        .unwrap_or(false);
    if empty {
        return Ok(());
    }
    match recorded_scenario(dir) {
        Some(name) if name == scenario => {}
        Some(name) => {
            return Err(Error::Usage(format!(
                "output folder {} holds results of scenario \"{name}\", not \"{scenario}\"; \
                 choose another --out or pass --force to replace them",
                dir.display()
            )))
        }
        None => {
            return Err(Error::Usage(format!(
                "output folder {} is not empty and holds no salesim run; \
                 choose another --out or pass --force to write into it",
                dir.display()
            )))
        }
    }
    match folder_command(dir) {
        Some(other) if other != command => Err(Error::Usage(format!(
            "output folder {} holds the results of `salesim {other}`, not of `salesim {command}`; \
             choose another --out or pass --force to replace them",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Encodes one frame, naming the destination file on failure.
pub(crate) fn encode(
    dir: &Path,
    name: &str,
    df: &DataFrame,
    encoder: fn(&DataFrame) -> PolarsResult<Vec<u8>>,
) -> Result<Vec<u8>> {
    encoder(df).map_err(|e| output_error(&dir.join(name), e))
}

/// A file written in pieces (a streamed event log): it grows under a
/// temporary name beside its destination and takes its final name only on
/// [`Streamed::commit_all`]; dropped uncommitted, it is removed.
pub struct Streamed {
    dest: PathBuf,
    temp: TempFile,
    file: File,
}

impl Streamed {
    /// Starts a streamed file for `dest`.
    pub fn create(dest: &Path) -> Result<Streamed> {
        let temp = stage(dest, b"")?;
        let file = OpenOptions::new()
            .append(true)
            .open(&temp.path)
            .map_err(|e| output_error(dest, e))?;
        Ok(Streamed {
            dest: dest.to_path_buf(),
            temp,
            file,
        })
    }

    /// The file to write to.
    pub fn writer(&mut self) -> &mut File {
        &mut self.file
    }

    /// The destination, for messages.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Syncs the files and renames them over their destinations together,
    /// under the write lock (an interrupt waits for all of them).
    pub fn commit_all(files: Vec<Streamed>) -> Result<Vec<PathBuf>> {
        commit_paths(&[], files, &[])
    }
}

/// Writes named files into `dir` (created with its parents), all atomically
/// ([`write_atomic_all`]). Returns the paths written.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    commit(dir, files, Vec::new(), &[])
}

/// Writes a command's whole output into `dir` (created with its parents) as
/// one atomic set: `files` by name, the `streamed` files (an event log), and
/// the removal of `stale` entries; see [`commit_paths`].
pub fn commit(
    dir: &Path,
    files: &[(String, Vec<u8>)],
    streamed: Vec<Streamed>,
    stale: &[PathBuf],
) -> Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).map_err(|e| output_error(dir, e))?;
    let list: Vec<(PathBuf, &[u8])> = files
        .iter()
        .map(|(name, bytes)| (dir.join(name), bytes.as_slice()))
        .collect();
    for (path, _) in &list {
        let parent = parent_of(path);
        fs::create_dir_all(parent).map_err(|e| output_error(parent, e))?;
    }
    commit_paths(&list, streamed, stale)
}

/// The names salesim writes at the top of an output folder, any command.
pub const OUTPUT_NAMES: [&str; 28] = [
    "summary.csv",
    "summary.parquet",
    "sweep.csv",
    "sweep.parquet",
    "sweep.json",
    "compare.csv",
    "compare.parquet",
    "compare.json",
    "sensitivity.csv",
    "sensitivity.parquet",
    "sensitivity.json",
    "replications.parquet",
    "weekly.parquet",
    "scenario.toml",
    "report.json",
    "index.html",
    "results.xlsx",
    "charts",
    "events.csv",
    "events.parquet",
    "plan.json",
    "shard.json",
    "jobs",
    "data",
    "fitted.toml",
    "base.toml",
    "fit.json",
    "logs",
];

/// The entries of `dir` that salesim writes (see [`OUTPUT_NAMES`]) but
/// that are not in `keep`: what an earlier command left and the coming
/// one will not rewrite.
pub fn stale_entries(dir: &Path, keep: &[&str]) -> Vec<PathBuf> {
    OUTPUT_NAMES
        .iter()
        .filter(|name| !keep.contains(name))
        .map(|name| dir.join(name))
        .filter(|p| p.exists())
        .collect()
}

/// The files and folders under `dir/charts` that `files` (paths relative
/// to `dir`) does not rewrite: an earlier report's charts (a sweep's point
/// folders beyond this one's points, a chart this report does not draw), so
/// a folder never shows another run's picture beside this one's.
pub fn stale_charts(dir: &Path, files: &[(String, Vec<u8>)]) -> Vec<PathBuf> {
    let written: std::collections::BTreeSet<&str> =
        files.iter().map(|(name, _)| name.as_str()).collect();
    let mut stale = Vec::new();
    let mut walk = vec![(dir.join("charts"), "charts".to_string())];
    while let Some((path, rel)) = walk.pop() {
        let Ok(entries) = fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let (full, rel) = (entry.path(), format!("{rel}/{name}"));
            if full.is_dir() {
                let prefix = format!("{rel}/");
                if written.iter().any(|w| w.starts_with(&prefix)) {
                    walk.push((full, rel));
                } else {
                    stale.push(full);
                }
            } else if !written.contains(rel.as_str()) {
                stale.push(full);
            }
        }
    }
    stale.sort();
    stale
}

/// Removes `entries` (files and folders) under the write lock.
pub fn remove_entries(entries: &[PathBuf]) -> Result<()> {
    commit_paths(&[], Vec::new(), entries).map(|_| ())
}

/// The command whose results a folder holds, as named by its files:
/// `shard` (a `shard.json`), the kind its `plan.json` records, else `run`,
/// `sweep`, `compare` or `sensitivity` by its main table.
pub fn folder_command(dir: &Path) -> Option<String> {
    if dir.join(super::store::SHARD_FILE).exists() {
        return Some("shard".into());
    }
    if dir.join("fit.json").exists() {
        return Some("fit".into());
    }
    if let Some(bytes) = read_optional(&dir.join(super::store::PLAN_FILE)) {
        if let Ok(plan) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            if let Some(kind) = plan.get("kind").and_then(|k| k.as_str()) {
                return Some(kind.to_string());
            }
        }
    }
    [
        ("summary.csv", "run"),
        ("sweep.csv", "sweep"),
        ("compare.csv", "compare"),
        ("sensitivity.csv", "sensitivity"),
    ]
    .iter()
    .find(|(file, _)| dir.join(file).exists())
    .map(|(_, command)| command.to_string())
}

/// Removes the temporary files that a salesim process killed outright (no
/// chance to clean up) left in `dir`: `.NAME.tmp-PID-N` of an output name
/// whose process is gone.
fn remove_dead_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((base, rest)) = name.strip_prefix('.').and_then(|n| n.split_once(".tmp-")) else {
            continue;
        };
        let ours = OUTPUT_NAMES
            .iter()
            .any(|o| base == *o || base.strip_prefix(o).is_some_and(|r| r.starts_with('.')))
            || base == "salesim-probe";
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let Some(pid) = pid.filter(|_| ours) else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// The folder of job files of the experiment in `dir`.
fn jobs_dir(dir: &Path) -> PathBuf {
    dir.join(super::store::JOBS_DIR)
}

/// Writes one job's file atomically into `dir/jobs/`.
pub fn write_job(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let jobs = jobs_dir(dir);
    fs::create_dir_all(&jobs).map_err(|e| output_error(&jobs, e))?;
    write_atomic(&jobs.join(name), bytes)?;
    pause_after_jobs_for_test();
    Ok(())
}

/// The job files in `dir/jobs/` (name and bytes), by name; none when the
/// folder does not exist. Unreadable files are skipped: their jobs run again.
pub fn read_jobs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let Ok(entries) = fs::read_dir(jobs_dir(dir)) else {
        return Vec::new();
    };
    let mut files: Vec<(String, Vec<u8>)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_job = name.starts_with("job-") && name.ends_with(".json");
            is_job
                .then(|| fs::read(e.path()).ok().map(|b| (name, b)))
                .flatten()
        })
        .collect();
    files.sort();
    files
}

/// Removes the job files of an earlier experiment from `dir/jobs/`, so a
/// fresh run's folder holds only its own.
pub fn clear_jobs(dir: &Path) -> Result<()> {
    for (name, _) in read_jobs(dir) {
        let path = jobs_dir(dir).join(&name);
        fs::remove_file(&path).map_err(|e| output_error(&path, e))?;
    }
    Ok(())
}

/// A file's bytes, `None` when it does not exist or cannot be read.
pub fn read_optional(path: &Path) -> Option<Vec<u8>> {
    fs::read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The five files a run writes besides its report, with `toml` as its
    /// resolved scenario (contents other than the scenario do not matter here).
    const RUN_FILES: [&str; 5] = [
        "summary.csv",
        "summary.parquet",
        "replications.parquet",
        "weekly.parquet",
        "scenario.toml",
    ];

    fn write_run(dir: &Path, toml: &str) -> Result<Vec<PathBuf>> {
        let files: Vec<(String, Vec<u8>)> = RUN_FILES
            .iter()
            .map(|n| {
                let bytes = if *n == "scenario.toml" {
                    toml.as_bytes().to_vec()
                } else {
                    format!("contents of {n}").into_bytes()
                };
                (n.to_string(), bytes)
            })
            .collect();
        write_files(dir, &files)
    }

    #[test]
    fn out_dir_of_another_scenario_is_refused_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        check_out_dir(&dir, "a", "run", false).unwrap();
        write_run(&dir, "name = \"a\"\n").unwrap();
        check_out_dir(&dir, "a", "run", false).unwrap();
        let err = check_out_dir(&dir, "b", "run", false).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("--force"), "{err}");
        check_out_dir(&dir, "b", "run", true).unwrap();
        let other = tmp.path().join("other");
        fs::create_dir(&other).unwrap();
        fs::write(other.join("notes.txt"), "mine").unwrap();
        assert!(check_out_dir(&other, "a", "run", false).is_err());
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn sorted(names: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    }

    #[test]
    fn write_run_writes_exactly_the_five_files_and_no_temporaries() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("reports").join("canonical");
        let written = write_run(&dir, "name = \"canonical\"\n").unwrap();
        assert_eq!(written, RUN_FILES.map(|n| dir.join(n)));
        assert_eq!(listing(&dir), sorted(&RUN_FILES));
        assert_eq!(
            fs::read_to_string(dir.join("scenario.toml")).unwrap(),
            "name = \"canonical\"\n"
        );
        for name in &RUN_FILES[..4] {
            assert_eq!(
                fs::read_to_string(dir.join(name)).unwrap(),
                format!("contents of {name}")
            );
        }
    }

    #[test]
    fn write_run_replaces_an_earlier_run() {
        let tmp = tempfile::tempdir().unwrap();
        write_run(tmp.path(), "old").unwrap();
        write_run(tmp.path(), "new").unwrap();
        assert_eq!(
            fs::read_to_string(tmp.path().join("scenario.toml")).unwrap(),
            "new"
        );
        assert_eq!(listing(tmp.path()), sorted(&RUN_FILES));
    }

    #[test]
    fn write_atomic_replaces_a_file_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("a.txt");
        write_atomic(&path, b"first, longer content").unwrap();
        write_atomic(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(listing(tmp.path()), ["a.txt"]);
    }

    #[test]
    fn failed_rename_names_the_path_and_leaves_no_temporaries() {
        let tmp = tempfile::tempdir().unwrap();
        // A non-empty directory where a file should go cannot be replaced.
        let blocker = tmp.path().join("weekly.parquet");
        fs::create_dir(&blocker).unwrap();
        fs::write(blocker.join("keep"), b"x").unwrap();
        let err = write_run(tmp.path(), "toml").unwrap_err();
        match &err {
            Error::Output { path, .. } => assert!(path.ends_with("weekly.parquet"), "{path}"),
            other => panic!("unexpected error {other:?}"),
        }
        assert_eq!(err.exit_code(), 1);
        assert!(listing(tmp.path()).iter().all(|n| !n.contains(".tmp-")));
    }

    #[test]
    fn failed_write_replaces_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let good = tmp.path().join("good.txt");
        fs::write(&good, b"old").unwrap();
        let missing = tmp.path().join("no such dir").join("b.txt");
        let err = write_atomic_all(&[(good.clone(), b"new"), (missing, b"new")]).unwrap_err();
        assert!(err.to_string().contains("no such dir"), "{err}");
        assert_eq!(fs::read(&good).unwrap(), b"old");
        assert_eq!(listing(tmp.path()), ["good.txt"]);
    }

    #[test]
    fn an_output_directory_under_a_file_is_an_output_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("plain");
        fs::write(&file, b"x").unwrap();
        let dir = file.join("out");
        assert!(matches!(prepare_dir(&dir), Err(Error::Output { .. })));
        let err = write_run(&dir, "").unwrap_err();
        assert!(err.to_string().contains("plain"), "{err}");
    }

    #[test]
    fn a_folder_of_another_command_is_refused_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("run");
        write_run(&dir, "name = \"a\"\n").unwrap();
        assert_eq!(folder_command(&dir).as_deref(), Some("run"));
        let err = check_out_dir(&dir, "a", "sweep", false).unwrap_err();
        assert!(err.to_string().contains("`salesim run`"), "{err}");
        check_out_dir(&dir, "a", "sweep", true).unwrap();
        fs::write(dir.join("shard.json"), "{}").unwrap();
        assert_eq!(folder_command(&dir).as_deref(), Some("shard"));
        // What a sweep would leave stale here: everything but its own files.
        let stale = stale_entries(
            &dir,
            &["scenario.toml", "replications.parquet", "weekly.parquet"],
        );
        let names: Vec<String> = stale
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["summary.csv", "summary.parquet", "shard.json"]);
        remove_entries(&stale).unwrap();
        assert_eq!(
            listing(&dir),
            ["replications.parquet", "scenario.toml", "weekly.parquet"]
        );
    }

    #[test]
    fn temporaries_are_removed_on_interrupt_and_dead_ones_at_the_next_start() {
        let tmp = tempfile::tempdir().unwrap();
        let live = stage(&tmp.path().join("events.csv"), b"half").unwrap();
        assert!(listing(tmp.path())[0].starts_with(".events.csv.tmp-"));
        remove_temporaries();
        assert!(listing(tmp.path()).is_empty(), "the interrupt removes it");
        drop(live);
        // A process killed outright leaves its temporary: the next start
        // in the folder removes it (no such process), not a live one's.
        let dead = tmp.path().join(".events.parquet.tmp-999999999-3");
        let alive = tmp
            .path()
            .join(format!(".events.parquet.tmp-{}-4", std::process::id()));
        let foreign = tmp.path().join(".notes.txt.tmp-999999999-1");
        for p in [&dead, &alive, &foreign] {
            fs::write(p, b"x").unwrap();
        }
        prepare_dir(tmp.path()).unwrap();
        assert!(!dead.exists() && alive.exists() && foreign.exists());
    }

    #[test]
    fn prepare_dir_creates_the_directory_and_leaves_it_empty() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a").join("b");
        prepare_dir(&dir).unwrap();
        assert!(listing(&dir).is_empty());
    }
}
