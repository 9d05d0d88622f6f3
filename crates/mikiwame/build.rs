//! Build script of the core crate (tables are embedded with `include_str!` at compile time).

fn main() {}
