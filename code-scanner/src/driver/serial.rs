//! The serial link: a scanner's virtual COM port or RS-232 line, read with a timeout.

use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

use super::Link;

/// An open serial port.
pub(super) struct SerialLink {
    port: TTYPort,
}

impl SerialLink {
    /// Opens `path` at `baud`, 8N1, no flow control.
    pub(super) fn open(path: &Path, baud: u32) -> io::Result<Self> {
        let port = serialport::new(path.to_string_lossy(), baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .open_native()
            .map_err(|e| match e.kind() {
                serialport::ErrorKind::Io(kind) => io::Error::new(kind, e.description),
                // serialport reports a port locked by another process as "no device".
                _ => io::Error::other(e.description),
            })?;
        Ok(Self { port })
    }
}

impl Link for SerialLink {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        self.port.set_timeout(timeout).map_err(io::Error::from)?;
        match self.port.read(buf) {
            // A tty read never returns 0 while the device is there.
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}
