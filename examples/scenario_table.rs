//! Prints the generated tables of the scenario library (fixed seeds), each
//! after the start marker of the place it is kept: the headline table
//! (`scenarios/README.md`), the face-validity table (`VALIDATION.md`) and
//! the soft gate versus AI SDR comparison (`scenarios/README.md` and
//! `README.md`). `scripts/scenario-table.sh` writes them into place.

use std::path::Path;
use std::process::ExitCode;

use salesim::library::{
    autonomy_comparison, scenario_files, tables, AUTONOMY_START, FACE_START, TABLE_START,
};

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let generated = scenario_files(&dir)
        .and_then(|f| tables(&f))
        .and_then(|t| Ok((t, autonomy_comparison(&dir)?)));
    match generated {
        Ok((t, autonomy)) => {
            print!(
                "{TABLE_START}\n{}{FACE_START}\n{}{AUTONOMY_START}\n{autonomy}",
                t.headline, t.face_validity
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
