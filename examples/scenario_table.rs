//! Prints the headline table of every scenario in `scenarios/` (fixed seeds),
//! the table kept in `scenarios/README.md`. `scripts/scenario-table.sh`
//! writes it into the README.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let table =
        salesim::library::scenario_files(&dir).and_then(|f| salesim::library::headline_table(&f));
    match table {
        Ok(t) => {
            print!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
