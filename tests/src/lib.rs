//! End-to-end tests of the whole kiosk on simulated hardware live in `tests/tests/`.
