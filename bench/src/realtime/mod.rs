//! The real-time load tool (`realtime-load`): the plugin served alone in a
//! child process ([`server`]), WebSocket customers sending open-loop and
//! staff receiving ([`load`]), idle connections ([`idle`]), and what `/proc`
//! says about the server ([`procfs`]).

pub mod client;
pub mod host;
pub mod idle;
pub mod load;
pub mod procfs;
pub mod server;
pub mod wake_probe;
