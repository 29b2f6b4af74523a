//! Search benchmark (being written).
fn main() {}
