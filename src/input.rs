//! Reading input files within bounds: regular files only, no larger than a
//! stated limit, so that no accepted path (`/dev/zero`, a FIFO, a huge
//! file) makes salesim read without end or exhaust memory.

use std::io::Read;
use std::path::Path;

/// The largest scenario file read: 16 MiB, far above any scenario (the
/// enterprise one is 8 KB), enough for 100,000 segments.
pub const SCENARIO_LIMIT: u64 = 16 * 1024 * 1024;

/// The largest data file read (an `empirical` column's CSV): 512 MiB.
pub const DATA_LIMIT: u64 = 512 * 1024 * 1024;

/// `1 MiB`, `512 MiB`.
pub fn limit_text(bytes: u64) -> String {
    format!("{} MiB", bytes / (1024 * 1024))
}

/// Reads the text of the regular file `path`, refusing anything else (a
/// device, a FIFO, a directory) and any file of more than `limit` bytes.
/// The message says which, without the path (the caller adds it).
pub fn read_text(path: &Path, limit: u64) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    if meta.len() > limit {
        return Err(format!(
            "{} bytes, more than the {} a file may have",
            meta.len(),
            limit_text(limit)
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    // The file may grow after the check: read at most one byte past the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "more than the {} a file may have",
            limit_text(limit)
        ));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_within_the_limit_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.toml");
        std::fs::write(&file, "name = \"a\"\n").unwrap();
        assert_eq!(read_text(&file, 100).unwrap(), "name = \"a\"\n");
        let err = read_text(&file, 5).unwrap_err();
        assert!(err.contains("more than the 0 MiB"), "{err}");
        assert_eq!(
            read_text(dir.path(), 100).unwrap_err(),
            "not a regular file"
        );
        #[cfg(unix)]
        {
            let zero = read_text(Path::new("/dev/zero"), SCENARIO_LIMIT).unwrap_err();
            assert_eq!(zero, "not a regular file");
        }
        std::fs::write(&file, [0xff, 0xfe]).unwrap();
        assert_eq!(read_text(&file, 100).unwrap_err(), "not UTF-8 text");
    }
}
