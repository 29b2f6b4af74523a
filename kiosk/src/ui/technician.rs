//! The technician page: placeholder until the page lands.
