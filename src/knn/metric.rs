//! The distances a search ranks neighbours by.

use serde::{Deserialize, Serialize};

/// Distance between two activation vectors.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Metric {
    /// ‖x − y‖₂.
    #[default]
    Euclidean,
    /// The chord √(2(1 − cos(x, y))) between the rows scaled to unit length: it ranks neighbours
    /// like 1 − cos but, unlike 1 − cos, scales linearly at small angles, as TwoNN's ratios need.
    Cosine,
}

impl Metric {
    /// The metric's name in JSON, on the command line and in the page's form.
    pub fn name(self) -> &'static str {
        match self {
            Self::Euclidean => "euclidean",
            Self::Cosine => "cosine",
        }
    }
}
