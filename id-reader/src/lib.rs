//! Chinese resident ID card reader stack (GA/T 467 SAM protocol).
