//! The planning report: charts and one self-contained HTML page built from
//! an output folder's files (so `salesim report DIR` rebuilds exactly what
//! a run wrote, after a merge too).

pub mod charts;
pub mod font;
