//! `[applications]`: applications made at this kiosk (法律援助, 人民调解, 公证预约) and the document
//! camera (高拍仪) that takes their papers. Applications go to the centre named by `[content]
//! centre_url`, sealed to the centre's key, with the device token of `[content] outbox_token_file`.

use serde::Deserialize;

/// Where the document camera's pictures come from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DocCameraKind {
    /// A simulated desk that shows a test page of the paper being taken (the default).
    #[default]
    Sim,
    /// A UVC document camera through V4L2 (`camera`).
    V4l2,
    /// None: papers come by phone upload only.
    None,
}

/// Applications at the kiosk.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApplicationsConfig {
    /// Whether the kiosk takes applications (the home strip, the button after the legal-aid check).
    pub enabled: bool,
    /// The centre's public key (64 hexadecimal digits, `centre` prints it at start); none: fetched
    /// from the centre and kept.
    pub centre_public_key: Option<String>,
    /// The document camera.
    pub camera_kind: DocCameraKind,
    /// The V4L2 device (`/dev/video0`, or a `/dev/v4l/by-id/…` name).
    pub camera: String,
    /// The resolution asked of the camera.
    pub camera_width: u32,
    /// The resolution asked of the camera.
    pub camera_height: u32,
    /// Whether the camera gives MJPG (most UVC document cameras do at full resolution).
    pub camera_mjpeg: bool,
}

impl Default for ApplicationsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            centre_public_key: None,
            camera_kind: DocCameraKind::Sim,
            camera: "/dev/video0".into(),
            camera_width: 2592,
            camera_height: 1944,
            camera_mjpeg: true,
        }
    }
}

impl ApplicationsConfig {
    /// Checks the key and the resolution; the key and reason of the first problem.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(key) = &self.centre_public_key
            && let Err(err) = applications::seal::CentrePublicKey::parse(key)
        {
            return Err(("applications.centre_public_key", err.to_string()));
        }
        if !(320..=8192).contains(&self.camera_width) || !(240..=8192).contains(&self.camera_height)
        {
            return Err((
                "applications.camera_width",
                "the camera's resolution must be between 320×240 and 8192×8192".into(),
            ));
        }
        Ok(())
    }
}
