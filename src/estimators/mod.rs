//! The estimators: each reads a set of points' neighbour lists (and, for some, the rows) and
//! gives one field of the results.

pub mod gride;
pub mod pcid;
pub mod scaling;
pub mod surrogate;
pub mod twonn;
