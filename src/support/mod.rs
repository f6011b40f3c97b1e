//! What every layer leans on and that holds no science: seeded random streams, progress and
//! cancellation, the parallel map, summary statistics, the packed triangle layout.

pub mod order;
pub mod parallel;
pub mod progress;
pub mod rng;
pub mod stats;
pub mod triangle;
