//! `ticket-printer`: render, decode, generate and send queue tickets; simulate a printer.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use ticket_printer::profile::{self, PaperWidth, Profile};
use ticket_printer::virtual_printer::{self, link};
use ticket_printer::{
    Bitmap, Endpoint, PrintOutcome, Printer, SharedVirtualPrinter, Ticket, VirtualState,
};

#[derive(Parser)]
#[command(
    name = "ticket-printer",
    version,
    about = "排队票据打印工具 / queue ticket printer tool"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Render an ESC/POS byte stream to PNG, as the printer would print it.
    Render {
        /// ESC/POS bytes.
        input: PathBuf,
        /// Output PNG.
        #[arg(long)]
        png: PathBuf,
        /// Paper width in mm.
        #[arg(long, default_value = "80", value_parser = parse_width)]
        width: PaperWidth,
    },
    /// Print the text of an ESC/POS byte stream, one printed line per output line.
    Text {
        /// ESC/POS bytes.
        input: PathBuf,
        /// Paper width in mm (lines wrap at the paper edge).
        #[arg(long, default_value = "80", value_parser = parse_width)]
        width: PaperWidth,
    },
    /// Disassemble an ESC/POS byte stream, one command per line.
    Disasm {
        /// ESC/POS bytes.
        input: PathBuf,
    },
    /// Write a sample queue ticket's bytes.
    Demo {
        /// Paper width in mm (selects the generic profile).
        #[arg(long, default_value = "80", value_parser = parse_width)]
        width: PaperWidth,
        /// Printer profile name (overrides --width).
        #[arg(long)]
        profile: Option<String>,
        /// Output file.
        #[arg(long)]
        out: PathBuf,
    },
    /// Query a printer's real-time status.
    Status {
        #[command(flatten)]
        target: StatusTarget,
    },
    /// Print a test page.
    TestPage {
        #[command(flatten)]
        target: PrintTarget,
        /// Printer profile name.
        #[arg(long, default_value = "generic-80-zh")]
        profile: String,
    },
    /// Run a virtual printer on a new pseudo-terminal; saves each ticket as PNG and text.
    Simulate {
        /// Where tickets are saved.
        #[arg(long, default_value = "tickets")]
        out_dir: PathBuf,
        /// Printer profile name.
        #[arg(long, default_value = "generic-80-zh")]
        profile: String,
    },
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct StatusTarget {
    /// Serial port or USB printer device file.
    #[arg(long)]
    port: Option<PathBuf>,
    /// Network printer, HOST:PORT.
    #[arg(long)]
    tcp: Option<String>,
    /// Serial baud rate.
    #[arg(long, default_value_t = 9600)]
    baud: u32,
}

#[derive(Args)]
#[group(required = true, multiple = false)]
struct PrintTarget {
    /// Serial port or USB printer device file.
    #[arg(long)]
    port: Option<PathBuf>,
    /// Network printer, HOST:PORT.
    #[arg(long)]
    tcp: Option<String>,
    /// Plain file (bytes appended).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Serial baud rate.
    #[arg(long, default_value_t = 9600)]
    baud: u32,
}

fn parse_width(s: &str) -> Result<PaperWidth, String> {
    PaperWidth::from_mm(s).ok_or_else(|| format!("paper width must be 58 or 80, not {s:?}"))
}

fn find_profile(name: &str) -> Result<Profile> {
    match profile::by_name(name) {
        Some(p) => Ok(p.clone()),
        None => {
            let known: Vec<_> = profile::PROFILES.iter().map(|p| p.name).collect();
            bail!(
                "unknown printer profile {name:?}; known: {}",
                known.join(", ")
            )
        }
    }
}

/// A device path under /dev/usb/ is a USB printer class device; anything else is serial.
fn port_endpoint(path: &Path, baud: u32) -> Endpoint {
    if path.starts_with("/dev/usb")
        || path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("lp"))
    {
        Endpoint::UsbDevice(path.to_path_buf())
    } else {
        Endpoint::Serial {
            path: path.to_path_buf(),
            baud,
        }
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

fn stack(tickets: &[ticket_printer::PrintedTicket], width: usize) -> Bitmap {
    let height: usize = tickets.iter().map(|t| t.image.height()).sum();
    let mut page = Bitmap::new(width, height.max(1));
    let mut y = 0;
    for t in tickets {
        page.blit(&t.image, 0, y);
        y += t.image.height();
    }
    page
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Cmd::Render { input, png, width } => {
            let p = profile::generic(width);
            let tickets = virtual_printer::render(&read_input(&input)?, p);
            let page = stack(&tickets, usize::from(p.dots()));
            std::fs::write(&png, page.to_png())
                .with_context(|| format!("cannot write {}", png.display()))?;
        }
        Cmd::Text { input, width } => {
            let tickets = virtual_printer::render(&read_input(&input)?, profile::generic(width));
            let mut out = std::io::stdout().lock();
            for t in tickets {
                for line in &t.lines {
                    writeln!(out, "{line}")?;
                }
            }
        }
        Cmd::Disasm { input } => {
            print!(
                "{}",
                ticket_printer::disasm::disassemble(&read_input(&input)?)
            );
        }
        Cmd::Demo {
            width,
            profile,
            out,
        } => {
            let p = match profile {
                Some(name) => find_profile(&name)?,
                None => profile::generic(width).clone(),
            };
            let bytes = ticket_printer::encode_ticket(
                &Ticket::sample(),
                &p,
                &ticket_printer::Layout::for_paper(p.paper),
            )?;
            std::fs::write(&out, bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
        }
        Cmd::Status { target } => {
            let endpoint = match (target.port, target.tcp) {
                (Some(port), _) => port_endpoint(&port, target.baud),
                (_, Some(tcp)) => Endpoint::Tcp(tcp),
                _ => bail!("give --port PATH or --tcp HOST:PORT"),
            };
            let mut printer = Printer::new(endpoint, profile::GENERIC_80_ZH);
            let status = printer.status()?;
            println!("online: {}", status.online);
            println!("cover_open: {}", status.cover_open);
            println!("paper: {:?}", status.paper);
            println!("error: {:?}", status.error);
            if !status.ready() {
                return Ok(ExitCode::from(2));
            }
        }
        Cmd::TestPage { target, profile } => {
            let p = find_profile(&profile)?;
            let endpoint = match (target.port, target.tcp, target.file) {
                (Some(port), _, _) => port_endpoint(&port, target.baud),
                (_, Some(tcp), _) => Endpoint::Tcp(tcp),
                (_, _, Some(file)) => Endpoint::File(file),
                _ => bail!("give --port PATH, --tcp HOST:PORT or --file PATH"),
            };
            let bytes = ticket_printer::encode_test_page(&p)?;
            let mut printer = Printer::new(endpoint, p);
            match printer.print_bytes(&bytes) {
                PrintOutcome::Printed(printed) => {
                    println!("已打印 / printed");
                    if printed.paper_near_end() {
                        println!("纸将用尽 / paper near end");
                    }
                }
                PrintOutcome::NotPrinted(reason) => {
                    eprintln!("未打印 / not printed: {reason}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Cmd::Simulate { out_dir, profile } => simulate(&out_dir, find_profile(&profile)?)?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the virtual printer on a pseudo-terminal. Prints the device path first; reads
/// `paper-out`, `near-end`, `cover-open`, `cutter-error` and `ok` lines on standard input
/// to change the printer's condition.
fn simulate(out_dir: &Path, profile: Profile) -> Result<()> {
    use serialport::SerialPort as _;
    std::fs::create_dir_all(out_dir)
        .with_context(|| format!("cannot create {}", out_dir.display()))?;
    let (mut master, slave) =
        serialport::TTYPort::pair().context("cannot create a pseudo-terminal")?;
    master.set_timeout(std::time::Duration::from_millis(200))?;
    let path = slave.name().context("pseudo-terminal has no name")?;
    let printer = SharedVirtualPrinter::new(profile);
    println!("{path}");
    std::io::stdout().flush()?;

    let control = printer.clone();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines().map_while(Result::ok) {
            let mut state = control.lock().state();
            match line.trim() {
                "paper-out" => state.paper_out = true,
                "near-end" => state.near_end = true,
                "cover-open" => state.cover_open = true,
                "cutter-error" => state.cutter_error = true,
                "ok" => state = VirtualState::default(),
                other => {
                    eprintln!(
                        "unknown condition {other:?} (paper-out, near-end, cover-open, cutter-error, ok)"
                    );
                    continue;
                }
            }
            control.set_state(state);
            println!("state {state:?}");
        }
    });

    let stop = AtomicBool::new(false);
    let mut count = 0usize;
    let mut save_error = None;
    link::serve(&mut master, &printer, &stop, |ticket| {
        count += 1;
        let base = out_dir.join(format!("ticket-{count:04}"));
        let png = base.with_extension("png");
        let result = std::fs::write(&png, ticket.png())
            .and_then(|()| std::fs::write(base.with_extension("txt"), ticket.text()));
        match result {
            Ok(()) => println!("saved {}", png.display()),
            Err(e) => save_error = Some(e),
        }
        let _ = std::io::stdout().flush();
    })?;
    drop(slave);
    if let Some(e) = save_error {
        return Err(e).context("cannot save ticket");
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
