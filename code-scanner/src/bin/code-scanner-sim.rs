//! `code-scanner-sim`: a simulated 2D code scanner for development and by-hand tests.
//!
//! ```text
//! code-scanner-sim serial [--terminator cr|lf|crlf|none] [--prefix S] [--suffix S] [--aim]
//!                         [--gbk] [--link PATH] [TEXT…]
//! code-scanner-sim keyboard --path PATH [--prefix S] [--suffix S] [--aim] [TEXT…]
//! ```
//!
//! Prints the device path for the host as the first line of stdout, scans every TEXT, then every
//! line read from stdin, until end of input or a line `quit`.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Parser, Subcommand, ValueEnum};
use code_scanner::{
    Framing, KeyboardConfig, KeyboardSim, SerialOutput, SerialSim, SimEncoding, Terminator,
};

#[derive(Parser)]
#[command(
    name = "code-scanner-sim",
    about = "A simulated 2D code scanner: serial on a pseudo-terminal, or keyboard-wedge records in a FIFO"
)]
struct Cli {
    #[command(subcommand)]
    mode: Mode,
}

#[derive(Subcommand)]
enum Mode {
    /// A scanner in serial mode on a new pseudo-terminal.
    Serial {
        /// What ends each scan.
        #[arg(long, value_enum, default_value = "cr")]
        terminator: TerminatorArg,
        #[command(flatten)]
        framing: FramingArgs,
        /// Send text in GBK instead of UTF-8.
        #[arg(long)]
        gbk: bool,
        /// Also make a symbolic link to the port here (removed on exit).
        #[arg(long)]
        link: Option<PathBuf>,
        /// Texts to scan at once.
        texts: Vec<String>,
    },
    /// A scanner in USB HID keyboard mode: input_event records written into a new FIFO.
    Keyboard {
        /// Where to make the FIFO (removed on exit).
        #[arg(long)]
        path: PathBuf,
        #[command(flatten)]
        framing: FramingArgs,
        /// Texts to scan at once.
        texts: Vec<String>,
    },
}

#[derive(clap::Args)]
struct FramingArgs {
    /// Text sent before each scan.
    #[arg(long, default_value = "")]
    prefix: String,
    /// Text sent after each scan, before the terminator.
    #[arg(long, default_value = "")]
    suffix: String,
    /// Send the AIM identifier `]Q1` before each code.
    #[arg(long)]
    aim: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum TerminatorArg {
    Cr,
    Lf,
    Crlf,
    None,
}

/// The simulated device, either kind.
enum Device {
    Serial(SerialSim),
    Keyboard(KeyboardSim),
}

impl Device {
    fn scan(&self, text: &str) -> Result<(), code_scanner::SimError> {
        match self {
            Self::Serial(sim) => sim.scan(text),
            Self::Keyboard(sim) => sim.scan(text),
        }
    }
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let (device, path, texts) = match cli.mode {
        Mode::Serial {
            terminator,
            framing,
            gbk,
            link,
            texts,
        } => {
            let output = SerialOutput {
                framing: framing.framing(),
                terminator: match terminator {
                    TerminatorArg::Cr => Terminator::Cr,
                    TerminatorArg::Lf => Terminator::Lf,
                    TerminatorArg::Crlf => Terminator::CrLf,
                    TerminatorArg::None => Terminator::None,
                },
                encoding: if gbk {
                    SimEncoding::Gbk
                } else {
                    SimEncoding::Utf8
                },
            };
            let sim = match &link {
                Some(link) => SerialSim::open_linked(output, link),
                None => SerialSim::open(output),
            }
            .context("starting the simulated serial scanner")?;
            let path = link.unwrap_or_else(|| PathBuf::from(sim.path()));
            (Device::Serial(sim), path, texts)
        }
        Mode::Keyboard {
            path,
            framing,
            texts,
        } => {
            let mut config = KeyboardConfig::new(&path);
            config.prefix = framing.prefix;
            config.suffix = framing.suffix;
            config.aim_id = framing.aim;
            let sim = KeyboardSim::create(&path, &config)
                .context("starting the simulated keyboard scanner")?;
            (Device::Keyboard(sim), path, texts)
        }
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", path.display())?;
    stdout.flush()?;
    for text in &texts {
        device
            .scan(text)
            .with_context(|| format!("scanning {text:?}"))?;
    }
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading stdin")?;
        if line == "quit" {
            break;
        }
        // A bad line is reported and the scanner stays.
        if let Err(e) = device.scan(&line) {
            eprintln!("code-scanner-sim: cannot scan {line:?}: {e}");
        }
    }
    Ok(())
}

impl FramingArgs {
    fn framing(&self) -> Framing {
        Framing {
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            aim_id: self.aim,
            ..Framing::default()
        }
    }
}
