//! The `salesim` binary: parse the command line, run, map errors to exit
//! statuses (0 done, 2 bad input, 1 failure while running or writing).

use std::process::ExitCode;

fn main() -> ExitCode {
    match salesim::cli::main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
