//! Benchmark support for storechat: a realistic data set written straight
//! into the plugin's tables, a count of the SQL each request runs, and timed
//! HTTP requests against the example store running in this process; and the
//! real-time load tool's server, clients and `/proc` readings.
//!
//! The binaries in `src/bin/` put these together; see `admin-list` and
//! `realtime-load`.

pub mod data;
pub mod http;
pub mod queries;
pub mod realtime;
pub mod report;
pub mod seed;
pub mod sql;
