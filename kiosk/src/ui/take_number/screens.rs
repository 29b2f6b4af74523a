//! Drives the flow through each of its screens (for `kiosk screenshot --flow`).
