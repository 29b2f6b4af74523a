//! Transports: where the bytes go. Serial (USB-serial adapters), the USB printer class device
//! file (`/dev/usb/lp0`), raw TCP port 9100, a plain file, and the in-process virtual printer.
//!
//! These are written here rather than taken from the `escpos` crate's drivers: its serial
//! driver enables serialport's libudev default feature, its errors are flattened to strings,
//! and none of its drivers reads with a timeout or can be reopened.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::byte_link::Transport;
use crate::error::TransportError;
use crate::virtual_printer::link::{SharedVirtualPrinter, VirtualLink};

/// How long opening a TCP connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Where a printer is, as configured.
#[derive(Debug, Clone)]
pub enum Endpoint {
    /// A serial port (USB-serial adapter or on-board UART) at a baud rate.
    Serial {
        /// Device path, e.g. `/dev/ttyUSB0`.
        path: PathBuf,
        /// Baud rate, e.g. 9600 or 115200.
        baud: u32,
    },
    /// A USB printer class device file, e.g. `/dev/usb/lp0`.
    UsbDevice(PathBuf),
    /// A network printer, `host:port` (port 9100).
    Tcp(String),
    /// A plain file (bytes are appended; no status).
    File(PathBuf),
    /// The in-process virtual printer.
    Virtual(SharedVirtualPrinter),
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Serial { path, baud } => write!(f, "serial {} @ {baud}", path.display()),
            Self::UsbDevice(path) => write!(f, "usb {}", path.display()),
            Self::Tcp(addr) => write!(f, "tcp {addr}"),
            Self::File(path) => write!(f, "file {}", path.display()),
            Self::Virtual(_) => f.write_str("virtual printer"),
        }
    }
}

impl Endpoint {
    /// Opens the link.
    pub fn open(&self) -> Result<Box<dyn Transport>, TransportError> {
        let open_err = |source| TransportError::Open {
            target: self.to_string(),
            source,
        };
        Ok(match self {
            Self::Serial { path, baud } => {
                Box::new(SerialTransport::open(path, *baud).map_err(open_err)?)
            }
            Self::UsbDevice(path) => Box::new(DeviceFileTransport::open(path).map_err(open_err)?),
            Self::Tcp(addr) => Box::new(TcpTransport::connect(addr).map_err(open_err)?),
            Self::File(path) => Box::new(FileTransport::open(path).map_err(open_err)?),
            Self::Virtual(printer) => Box::new(VirtualLink::new(printer.clone())),
        })
    }
}

/// A serial port.
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
}

impl SerialTransport {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub fn open(path: &Path, baud: u32) -> io::Result<Self> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .timeout(Duration::from_millis(500))
            .open()
            .map_err(io::Error::from)?;
        Ok(Self { port })
    }
}

impl Transport for SerialTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        // Large tickets at 9600 baud take seconds: allow time proportional to the size.
        let baud = self.port.baud_rate().unwrap_or(9600).max(1200);
        let wire_ms = (bytes.len() as u64 * 10 * 1000) / u64::from(baud);
        self.port
            .set_timeout(Duration::from_millis(1000 + 2 * wire_ms))
            .map_err(io::Error::from)?;
        Write::write_all(&mut self.port, bytes)?;
        self.port.flush()
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout).map_err(io::Error::from)?;
        match self.port.read(buf) {
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}

/// The USB printer class device file (kernel `usblp` driver), read with `poll(2)`.
pub struct DeviceFileTransport {
    file: File,
}

impl DeviceFileTransport {
    /// Opens the device file for reading and writing.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        Ok(Self { file })
    }
}

/// Waits until `file` is readable or `timeout` passes.
fn poll_readable(file: &File, timeout: Duration) -> io::Result<bool> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let ms = u16::try_from(timeout.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
    let n = poll(&mut fds, PollTimeout::from(ms)).map_err(io::Error::from)?;
    Ok(n > 0)
}

impl Transport for DeviceFileTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        Write::write_all(&mut self.file, bytes)?;
        self.file.flush()
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        if poll_readable(&self.file, timeout)? {
            self.file.read(buf)
        } else {
            Ok(0)
        }
    }
}

/// A raw TCP connection (port 9100).
pub struct TcpTransport {
    stream: TcpStream,
}

impl TcpTransport {
    /// Connects to `host:port`.
    pub fn connect(addr: &str) -> io::Result<Self> {
        let mut last = io::Error::new(
            io::ErrorKind::NotFound,
            format!("{addr} resolves to no address"),
        );
        for a in addr.to_socket_addrs()? {
            match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_nodelay(true)?;
                    stream.set_write_timeout(Some(Duration::from_secs(30)))?;
                    return Ok(Self { stream });
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }
}

impl Transport for TcpTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        Write::write_all(&mut self.stream, bytes)?;
        self.stream.flush()
    }

    fn read_timeout(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.stream
            .set_read_timeout(Some(timeout.max(Duration::from_millis(1))))?;
        match self.stream.read(buf) {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "printer closed the connection",
            )),
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}

/// A plain file; bytes are appended. Cannot report status.
pub struct FileTransport {
    file: File,
}

impl FileTransport {
    /// Opens (creating) the file for appending.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self { file })
    }
}

impl Transport for FileTransport {
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        Write::write_all(&mut self.file, bytes)?;
        self.file.flush()
    }

    fn read_timeout(&mut self, _buf: &mut [u8], _timeout: Duration) -> io::Result<usize> {
        Ok(0)
    }

    fn can_read(&self) -> bool {
        false
    }
}
