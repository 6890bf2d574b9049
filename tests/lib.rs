//! Shared test support lives in the suite binary; this crate exists to hold it.
