//! The `idscope` command line.

fn main() {}
