//! The `mikiwame` command line.
fn main() {}
