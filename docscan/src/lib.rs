#![doc = include_str!("../README.md")]

mod detect;
mod encode;
mod error;
mod geometry;
mod quality;
mod refine;
mod scan;
pub mod sim;
mod tone;
mod view;
mod warp;

pub use detect::detect_page;
pub use encode::encode_jpeg;
pub use error::ScanError;
pub use geometry::{Point, Quad};
pub use quality::{BLACK_LUMA, BLANK_SPREAD};
pub use scan::{
    MAX_PAGE_ASPECT, MAX_TARGET_WIDTH, MIN_TARGET_WIDTH, ScanSettings, ScannedPage, scan,
};
pub use view::{MAX_SIDE, RgbaView};
