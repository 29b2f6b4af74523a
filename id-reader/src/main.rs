//! `id-reader`: technician's command line for GA/T 467 ID card readers.
//!
//! Exit codes: 0 success, 1 error (reader silent, protocol error, bad input or usage), 2 no card
//! before the timeout (`read`).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use id_reader::sim::SimReader;
use id_reader::{
    CardSpec, Error, IdCheck, IdentityCard, ReadData, Response, SamClient, SerialStream, Status,
    Timeouts,
};
use tokio::io::AsyncBufReadExt;

const DEFAULT_CARD: &str = include_str!("../cards/resident.toml");

#[derive(Parser)]
#[command(
    name = "id-reader",
    version,
    about = "身份证阅读器工具 (GA/T 467 ID card reader tool)"
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// 解析读卡应答帧 (decode a captured read response frame; `-` reads stdin)
    Decode {
        /// File holding the frame (raw bytes, or hex text with --hex); `-` for stdin.
        file: PathBuf,
        /// The input is hex text (whitespace ignored).
        #[arg(long)]
        hex: bool,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Mask names and numbers.
        #[arg(long)]
        masked: bool,
    },
    /// 等待并读取一张证件 (wait for a card and read it)
    Read {
        /// Serial device of the reader.
        #[arg(long)]
        port: String,
        /// Baud rate.
        #[arg(long, default_value_t = 115_200)]
        baud: u32,
        /// How long to wait for a card, in milliseconds.
        #[arg(long, default_value_t = 10_000)]
        timeout_ms: u64,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Mask names and numbers.
        #[arg(long)]
        masked: bool,
    },
    /// 读取安全模块号 (print the SAM ID)
    SamId {
        /// Serial device of the reader.
        #[arg(long)]
        port: String,
        /// Baud rate.
        #[arg(long, default_value_t = 115_200)]
        baud: u32,
    },
    /// 在新的伪终端上模拟读卡器 (serve a simulated reader on a new pseudo-terminal)
    Simulate {
        /// Card file (TOML) placed on the simulated reader; a built-in sample card by default.
        #[arg(long)]
        card: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Exit code 2 is reserved for "no card"; usage errors are plain errors.
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("id-reader: {}", chain.join(": "));
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Cmd::Decode {
            file,
            hex,
            json,
            masked,
        } => {
            let card = decode(&file, hex)?;
            print_card(&card, json, masked)?;
            Ok(ExitCode::SUCCESS)
        }
        Cmd::Read {
            port,
            baud,
            timeout_ms,
            json,
            masked,
        } => runtime()?.block_on(read(
            &port,
            baud,
            Duration::from_millis(timeout_ms),
            json,
            masked,
        )),
        Cmd::SamId { port, baud } => runtime()?.block_on(sam_id(&port, baud)),
        Cmd::Simulate { card } => runtime()?.block_on(simulate(card.as_deref())),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn decode(file: &Path, hex: bool) -> Result<IdentityCard> {
    let mut input = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut input)
            .context("reading stdin")?;
    } else {
        input = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    }
    let bytes = if hex {
        let text: String = String::from_utf8_lossy(&input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        hex::decode(&text).context("input is not hex text")?
    } else {
        input
    };
    let response = Response::from_frame(&bytes).context("not a valid response frame")?;
    if response.status != Status::Success {
        bail!(
            "the frame carries SAM status {}, not card data",
            response.status
        );
    }
    let data = ReadData::parse(&response.data, false)
        .or_else(|_| ReadData::parse(&response.data, true))
        .context("not a read (30 01 / 30 10) response")?;
    IdentityCard::from_read(&data).context("card data")
}

fn print_card(card: &IdentityCard, json: bool, masked: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", card.to_json(masked))?;
        return Ok(());
    }
    let name = |s: &str| {
        if masked {
            id_reader::mask_name(s)
        } else {
            s.to_owned()
        }
    };
    let number = |s: &str| {
        if masked {
            id_reader::mask_number(s)
        } else {
            s.to_owned()
        }
    };
    writeln!(
        out,
        "证件类型 Card type: {} ({})",
        card.card_type.zh(),
        card.card_type.en()
    )?;
    if !card.name.is_empty() {
        writeln!(out, "姓名 Name: {}", name(&card.name))?;
    }
    if let Some(en) = &card.name_en {
        writeln!(out, "英文姓名 English name: {}", name(en))?;
    }
    writeln!(out, "性别 Sex: {}", card.sex)?;
    if let Some(n) = card.nation {
        writeln!(out, "民族 Nation: {}", n.name())?;
    }
    writeln!(out, "出生 Birth: {}", card.birth)?;
    if let Some(a) = &card.address {
        writeln!(out, "住址 Address: {a}")?;
    }
    let check = match card.id_check() {
        IdCheck::Valid => "校验位正确 check digit valid",
        IdCheck::Invalid => "校验位错误 check digit INVALID",
        IdCheck::NotApplicable => "无校验位 no check digit",
    };
    writeln!(
        out,
        "证件号码 ID number: {} ({check})",
        number(&card.id_number)
    )?;
    if let Some(a) = &card.authority {
        writeln!(out, "签发机关 Authority: {a}")?;
    }
    writeln!(
        out,
        "有效期限 Valid: {} – {}",
        card.valid_from, card.valid_to
    )?;
    if let Some(p) = &card.pass_number {
        writeln!(out, "通行证号码 Pass number: {}", number(p))?;
    }
    if let Some(c) = &card.issue_count {
        writeln!(out, "签发次数 Issue count: {c}")?;
    }
    if let Some(n) = &card.nationality {
        writeln!(out, "国籍 Nationality: {n}")?;
    }
    if let Some(v) = &card.card_version {
        writeln!(out, "证件版本 Card version: {v}")?;
    }
    let age = card.age_on(chrono::Local::now().date_naive());
    if let Some(age) = age {
        writeln!(out, "年龄 Age: {age}")?;
    }
    writeln!(
        out,
        "照片 Photo: {} 字节 WLT bytes",
        card.photo.as_wlt().len()
    )?;
    Ok(())
}

async fn open(port: &str, baud: u32) -> Result<SamClient<SerialStream>> {
    let stream = SerialStream::open(port, baud).with_context(|| format!("cannot open {port}"))?;
    Ok(SamClient::new(stream, Timeouts::default()))
}

async fn read(port: &str, baud: u32, wait: Duration, json: bool, masked: bool) -> Result<ExitCode> {
    let mut client = open(port, baud).await?;
    match client.status().await {
        Ok(Status::Success) => {}
        Ok(status) => bail!("读卡器状态异常 (reader status): {status}"),
        Err(e) => bail!("读卡器无响应 (reader not answering): {e}"),
    }
    let deadline = tokio::time::Instant::now() + wait;
    let mut last_failure: Option<Error>;
    loop {
        match client.find_select_read(false).await {
            Ok(Some(card)) => {
                print_card(&card, json, masked)?;
                return Ok(ExitCode::SUCCESS);
            }
            Ok(None) => last_failure = None,
            // A card is there but moving, or unreadable: retry until the deadline.
            Err(e @ (Error::Sam { .. } | Error::Card(_))) => last_failure = Some(e),
            Err(e) => bail!("读卡失败 (read failed): {e}"),
        }
        if tokio::time::Instant::now() >= deadline {
            if let Some(e) = last_failure {
                bail!("读卡失败 (read failed): {e}");
            }
            eprintln!("未检测到证件 (no card within {} ms)", wait.as_millis());
            return Ok(ExitCode::from(2));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn sam_id(port: &str, baud: u32) -> Result<ExitCode> {
    let mut client = open(port, baud).await?;
    let id = client
        .sam_id()
        .await
        .context("读取安全模块号失败 (reading the SAM ID failed)")?;
    println!("{id}");
    println!("decimal: {}", id.decimal_format());
    println!("raw: {}", hex::encode_upper(id.0));
    Ok(ExitCode::SUCCESS)
}

async fn simulate(card_file: Option<&Path>) -> Result<ExitCode> {
    let text = match card_file {
        Some(path) => {
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?
        }
        None => DEFAULT_CARD.to_owned(),
    };
    let spec = CardSpec::from_toml(&text)?;
    let card = id_reader::sim::SimCard::from_spec(&spec)?;
    let sim = SimReader::new();
    sim.place_sim_card(card.clone());
    let pty = sim.open_pty()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", pty.path())?;
        out.flush()?;
    }
    eprintln!(
        "模拟读卡器已就绪，证件已放置。输入 remove / place / quit。\n\
         Simulated reader ready with the card placed. Type remove / place / quit."
    );
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let mut stdin_open = true;
    loop {
        tokio::select! {
            line = lines.next_line(), if stdin_open => match line {
                Ok(Some(line)) => match line.trim() {
                    "remove" => { sim.remove(); eprintln!("证件已移走 (card removed)"); }
                    "place" => { sim.place_sim_card(card.clone()); eprintln!("证件已放置 (card placed)"); }
                    "quit" => break,
                    "" => {}
                    other => eprintln!("未知命令 (unknown command): {other}"),
                },
                _ => stdin_open = false,
            },
            _ = tokio::signal::ctrl_c() => break,
        }
    }
    drop(pty);
    Ok(ExitCode::SUCCESS)
}
