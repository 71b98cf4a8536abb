//! Output that cannot panic. `print!` panics when standard output is a
//! closed pipe (`keyless lint … | head`) or a full disk; here a closed pipe
//! ends the program quietly with status 0, as Unix tools do when their
//! reader has all it wanted, and any other write error is a message on
//! standard error with status 2.

use std::io::{self, ErrorKind, Write};
use std::process::ExitCode;

/// Writes all of `text` to standard output and flushes it. `Err` holds the
/// exit code to end with.
pub fn stdout(text: &str) -> Result<(), ExitCode> {
    let mut out = io::stdout().lock();
    finish(out.write_all(text.as_bytes()).and_then(|()| out.flush()))
}

/// What a write's result means for the program.
pub fn finish(result: io::Result<()>) -> Result<(), ExitCode> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Err(ExitCode::SUCCESS),
        Err(e) => {
            stderr(&format!("keyless: cannot write the output: {e}"));
            Err(ExitCode::from(2))
        }
    }
}

/// A line on standard error; if even that fails there is nobody to tell.
pub fn stderr(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_is_a_quiet_success_and_other_errors_fail() {
        assert_eq!(finish(Ok(())), Ok(()));
        assert_eq!(finish(Err(io::Error::from(ErrorKind::BrokenPipe))), Err(ExitCode::SUCCESS));
        let full = io::Error::from_raw_os_error(28); // ENOSPC
        assert_eq!(finish(Err(full)), Err(ExitCode::from(2)));
    }
}
