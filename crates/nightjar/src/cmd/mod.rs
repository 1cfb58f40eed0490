//! One module per subcommand: its arguments and what it runs.

pub mod analyze;
pub mod demo;
pub mod hide;
pub mod ids;
pub mod iris;
pub mod iris_key;
pub mod keygen;
pub mod listen;
pub mod seal;
pub mod send;
