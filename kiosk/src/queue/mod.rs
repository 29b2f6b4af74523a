//! Queue engine: numbering, calling, persistence.
