#![doc = include_str!("../README.md")]
#![deny(clippy::disallowed_methods)]

pub mod card;
pub mod client;
pub mod command;
pub mod driver;
pub mod error;
pub mod frame;
pub mod response;
pub mod serial;
pub mod sim;
pub mod status;

pub use card::{
    CardDate, CardError, CardSpec, CardType, DecodedPhoto, IdCheck, IdentityCard, IdentityToken,
    Nation, NoPhotoDecoder, Photo, PhotoDecoder, Sex, ValidTo, mask_name, mask_number,
};
pub use client::{SamClient, Timeouts};
pub use command::{BaudRate, Command};
pub use driver::{DriverConfig, ReadFailure, Reader, ReaderEvent, ReaderHealth};
pub use error::Error;
pub use frame::{FrameDecoder, FrameError};
pub use response::{ProtocolError, ReadData, Response, SamId};
pub use serial::SerialStream;
pub use sim::{Fault, SimReader};
pub use status::Status;
