//! Typed errors of the library, each knowing the exit status it maps to.

use std::fmt;

/// Where in a scenario a problem was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The scenario file (or `--set`, or `<embedded canonical>`).
    pub file: String,
    /// The dotted key path, e.g. `review.duration.p90`; empty for the whole file.
    pub key: String,
    /// 1-based line and column in the file, where the TOML has one.
    pub line_col: Option<(usize, usize)>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some((line, col)) = self.line_col {
            write!(f, ":{line}:{col}")?;
        }
        if !self.key.is_empty() {
            write!(f, ": {}", self.key)?;
        }
        Ok(())
    }
}

/// Everything that can go wrong in salesim.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A scenario that cannot be read or is invalid (exit status 2).
    #[error("{location}: {message}")]
    Scenario {
        /// Where the problem is.
        location: Location,
        /// What constraint is broken.
        message: String,
    },
    /// A bad command-line option (exit status 2).
    #[error("{0}")]
    Usage(String),
    /// A model invariant broken while running: a bug, never a user error
    /// (exit status 1).
    #[error("replication {replication}: {message} (this is a bug in salesim; please report it)")]
    Invariant {
        /// The replication index.
        replication: u32,
        /// What went wrong.
        message: String,
    },
    /// A run stopped by the engine's watchdog: too many events at one
    /// instant or in all (exit status 1).
    #[error("replication {replication}: run stopped at {time}: {message}")]
    Runaway {
        /// The replication index.
        replication: u32,
        /// The simulated time, as a person reads it.
        time: String,
        /// The bound broken and the event kind that broke it.
        message: String,
    },
    /// A command whose memory would exceed the budget (exit status 2): the
    /// message names what to change.
    #[error("{0}")]
    Budget(String),
    /// A failure while writing output (exit status 1).
    #[error("cannot write {path}: {message}")]
    Output {
        /// The file or folder.
        path: String,
        /// The underlying failure.
        message: String,
    },
}

impl Error {
    /// A scenario error at a location.
    pub fn scenario(location: Location, message: impl Into<String>) -> Self {
        Error::Scenario {
            location,
            message: message.into(),
        }
    }

    /// The process exit status for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Scenario { .. } | Error::Usage(_) | Error::Budget(_) => 2,
            Error::Invariant { .. } | Error::Runaway { .. } | Error::Output { .. } => 1,
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
