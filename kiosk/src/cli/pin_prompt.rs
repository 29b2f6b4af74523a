//! Reading a PIN for a hashing command: from the terminal without echo, or the first line of
//! standard input when it is not a terminal (`echo … | kiosk technician hash-pin` in scripts). Never
//! from the command line, where it would stay in the shell history and be visible to `ps`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use anyhow::Context as _;
use rustix::termios::{self, LocalModes, OptionalActions};
use zeroize::Zeroizing;

/// Reads a PIN; on a terminal it asks twice and insists that both agree.
pub(super) fn read_pin(what: &str) -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = Zeroizing::new(String::new());
        stdin
            .lock()
            .read_line(&mut line)
            .context("cannot read the PIN from standard input")?;
        return Ok(Zeroizing::new(line.trim().to_owned()));
    }
    let first = read_hidden(&format!("{what}: "))?;
    let again = read_hidden(&format!("{what} (again): "))?;
    if *first != *again {
        anyhow::bail!("the two PINs differ");
    }
    Ok(first)
}

/// Prompts on standard error and reads one line from the terminal with echo off.
fn read_hidden(prompt: &str) -> anyhow::Result<Zeroizing<String>> {
    let stdin = std::io::stdin();
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let saved = termios::tcgetattr(&stdin).context("cannot read the terminal settings")?;
    let mut hidden = saved.clone();
    hidden.local_modes.remove(LocalModes::ECHO);
    termios::tcsetattr(&stdin, OptionalActions::Now, &hidden)
        .context("cannot turn the terminal echo off")?;
    let mut line = Zeroizing::new(String::new());
    let read = stdin.lock().read_line(&mut line);
    let _ = termios::tcsetattr(&stdin, OptionalActions::Now, &saved);
    writeln!(err)?;
    read.context("cannot read the PIN from the terminal")?;
    Ok(Zeroizing::new(line.trim().to_owned()))
}
