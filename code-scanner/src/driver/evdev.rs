//! The event-device link: `/dev/input/by-id/…-event-kbd` read as a plain file, with `poll(2)`
//! for the timeout. Reading does not grab the device (`EVIOCGRAB` needs an ioctl, and `unsafe`
//! is denied here): see the README for keeping the scanner's keystrokes away from the UI.

use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

use super::Link;

/// An open event device (or a FIFO standing in for one).
pub(super) struct EventFile {
    file: File,
    path: PathBuf,
    /// Device and inode of what was opened, to notice the path disappearing or being replaced.
    identity: (u64, u64),
}

impl EventFile {
    /// Opens `path` for reading without blocking (a FIFO without a writer opens at once).
    pub(super) fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(nix::libc::O_NONBLOCK)
            .open(path)?;
        let meta = file.metadata()?;
        Ok(Self {
            file,
            path: path.to_owned(),
            identity: (meta.dev(), meta.ino()),
        })
    }

    /// True while the path still names the opened file.
    fn path_still_there(&self) -> bool {
        std::fs::metadata(&self.path).is_ok_and(|m| (m.dev(), m.ino()) == self.identity)
    }
}

impl Link for EventFile {
    fn read(&mut self, buf: &mut [u8], timeout: Duration) -> io::Result<usize> {
        // Round up, so a deadline a fraction of a millisecond away does not spin.
        let ms = timeout.as_micros().div_ceil(1000);
        let ms = u16::try_from(ms).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(self.file.as_fd(), PollFlags::POLLIN)];
        let ready = match poll(&mut fds, PollTimeout::from(ms)) {
            Ok(n) => n,
            Err(nix::errno::Errno::EINTR) => 0,
            Err(e) => return Err(io::Error::from(e)),
        };
        if ready == 0 {
            // A removed FIFO never wakes its reader; a removed device node would.
            return if self.path_still_there() {
                Ok(0)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    "the device path disappeared",
                ))
            };
        }
        match self.file.read(buf) {
            // End of file: the writer of a FIFO closed it.
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(0)
            }
            Err(e) => Err(e),
        }
    }
}
