//! The devices and staff accounts installed at start-up: the configuration's, or the demo's.

use crate::{
    auth::{
        DEMO_DEVICE, DEMO_DEVICE_TOKEN, DEMO_PASSWORD_HASH, DEMO_SITE, DEMO_USER, Role,
        token_sha256,
    },
    config::CentreConfig,
    error::StartError,
    store::{AccountSet, DeviceRecord, StaffAccount, Store},
};

/// Where the accounts come from.
// Made once at start-up and passed by reference: the size of the configuration does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accounts {
    /// The demo: staff `admin` / `admin-demo`, device `demo-kiosk` with token `demo-device-token`.
    Demo,
    /// The configuration file's devices and staff.
    Configured(CentreConfig),
}

impl Accounts {
    /// The complete set to install.
    pub fn set(&self) -> AccountSet {
        match self {
            Self::Demo => AccountSet {
                devices: vec![DeviceRecord {
                    id: DEMO_DEVICE.into(),
                    site: DEMO_SITE.into(),
                    token_sha256: Some(token_sha256(DEMO_DEVICE_TOKEN)),
                    township: None,
                }],
                staff: vec![StaffAccount {
                    user: DEMO_USER.into(),
                    password_hash: DEMO_PASSWORD_HASH.into(),
                    role: Role::Administrator,
                    demo: true,
                    site: None,
                }],
            },
            Self::Configured(config) => AccountSet {
                devices: config
                    .devices
                    .iter()
                    .map(|d| DeviceRecord {
                        id: d.id.clone(),
                        site: d.site.clone(),
                        token_sha256: Some(d.token_sha256.to_ascii_lowercase()),
                        township: d.township.clone(),
                    })
                    .collect(),
                staff: config
                    .staff
                    .iter()
                    .map(|s| StaffAccount {
                        user: s.user.clone(),
                        password_hash: s.password_hash.clone(),
                        role: s.role,
                        demo: false,
                        site: s.site.clone(),
                    })
                    .collect(),
            },
        }
    }
}

/// Installs `accounts` as the complete set of devices and staff. The demo is refused when the
/// database holds a real (configured) staff account: a production database never gets the demo's
/// well-known password.
pub async fn install_accounts(store: &dyn Store, accounts: &Accounts) -> Result<(), StartError> {
    if *accounts == Accounts::Demo {
        let real = store.real_staff().await?;
        if !real.is_empty() {
            return Err(StartError::DemoRefused(real.join(", ")));
        }
    }
    store.replace_accounts(accounts.set()).await?;
    Ok(())
}
