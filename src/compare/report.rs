//! Everything the multi-model charts show, computed once from the models as compared: ID per layer
//! by absolute and relative depth, per-class mean ± std, ID vs accuracy, and the model × model
//! correlation of per-class IDs at the chosen layer. The page draws it; `idscope compare` prints it.

use serde::{Deserialize, Serialize};

use super::accuracy::{AccuracyData, AccuracyFit, AccuracyPoint, Measure, accuracy_fit};
use super::classes::{ClassIds, ClassSpread, CorrelationTable, class_spread, correlation_table, shared_class_ids};
use super::selection::{Choice, ModelInput, choice_label, chosen_layer, default_choice, layer_choices};

/// Classes a correlation of per-class IDs needs at least.
pub const MIN_CLASSES: usize = 3;

/// One layer of one model, as the ID-vs-depth and per-class charts place it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct DepthPoint {
    /// Layer name.
    pub layer: String,
    /// Display position (absolute depth).
    pub position: usize,
    /// Position / (shown layers − 1): 0 at the input, 1 at the output.
    pub relative_depth: f64,
    /// The TwoNN fit ID (None until computed; NaN is written as null).
    pub id: Option<f64>,
    /// Its error bar over the repeats.
    pub id_err: Option<f64>,
    /// Mean ± std of the per-class IDs, when computed.
    pub classes: Option<ClassSpread>,
}

/// One model's part of the comparison.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ModelComparison {
    /// Model name.
    pub model: String,
    /// Whether it takes part in the charts (not hidden, something computed).
    pub plotted: bool,
    /// Its last hidden layer (the accuracy chart's layer).
    pub last_hidden: Option<String>,
    /// Its shown layers in display order.
    pub layers: Vec<DepthPoint>,
}

/// The correlation of per-class IDs at the chosen layer.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct ClassCorrelation {
    /// The per-class IDs of the classes every model has (the chart's input).
    pub ids: ClassIds,
    /// Pearson and Spearman tables (None when `note` says why not).
    pub table: Option<CorrelationTable>,
    /// Why there is no table, e.g. too few classes in common.
    pub note: Option<String>,
}

/// The analyses across models.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Every model given, in order.
    pub models: Vec<ModelComparison>,
    /// Last hidden layer's ID against accuracy, one point per plotted model with a value of the
    /// measure most of them use.
    pub accuracy: AccuracyData,
    /// The fit over those points.
    pub accuracy_fit: AccuracyFit,
    /// The layers the correlation can compare.
    pub choices: Vec<Choice>,
    /// The choice used: the one asked for when offered, else the default.
    pub choice: Option<Choice>,
    /// The correlation at that layer, with two or more models that have per-class IDs there.
    pub correlation: Option<ClassCorrelation>,
}

/// The comparison of `models` (display order, shown layers only), the correlation at `choice`
/// (`name:…` / `depth:…`) or at the default layer.
pub fn compare(models: &[ModelInput], choice: Option<&str>) -> Comparison {
    let choices = layer_choices(models);
    let choice =
        choices.iter().find(|c| Some(c.value.as_str()) == choice).cloned().or_else(|| default_choice(models, &choices));
    let accuracy = accuracy_points(models);
    Comparison {
        models: models.iter().map(model_comparison).collect(),
        accuracy_fit: accuracy_fit(&accuracy),
        accuracy,
        correlation: choice.as_ref().and_then(|c| class_correlation(models, &c.value)),
        choices,
        choice,
    }
}

fn model_comparison(m: &ModelInput) -> ModelComparison {
    let last = m.layers.len().saturating_sub(1).max(1) as f64;
    let finite = |v: f64| v.is_finite().then_some(v);
    let layers = m.layers.iter().enumerate().map(|(position, l)| DepthPoint {
        layer: l.name.clone(),
        position,
        relative_depth: position as f64 / last,
        id: l.result.as_ref().and_then(|r| finite(r.id)),
        id_err: l.result.as_ref().and_then(|r| r.id_err.and_then(finite)),
        classes: l.result.as_ref().and_then(class_spread),
    });
    ModelComparison {
        model: m.model.clone(),
        plotted: m.plotted(),
        last_hidden: m.last_hidden().map(|i| m.layers[i].name.clone()),
        layers: layers.collect(),
    }
}

/// The accuracy chart's points: the measure most plotted models with a value use (accuracy on a
/// tie), and the last hidden layer's ID of each model with a value of it.
fn accuracy_points(models: &[ModelInput]) -> AccuracyData {
    let with: Vec<&ModelInput> =
        models.iter().filter(|m| m.plotted() && m.accuracy.is_some_and(|a| a.value.is_finite())).collect();
    let top5 = with.iter().filter(|m| m.accuracy.is_some_and(|a| a.measure == Measure::Top5Error)).count();
    let measure = if top5 * 2 > with.len() { Measure::Top5Error } else { Measure::Accuracy };
    let points = with
        .iter()
        .filter_map(|m| {
            let a = m.accuracy.filter(|a| a.measure == measure)?;
            let layer = &m.layers[m.last_hidden()?];
            let r = layer.result.as_ref()?;
            Some(AccuracyPoint {
                model: m.model.clone(),
                layer: layer.name.clone(),
                id: r.id,
                id_err: r.id_err,
                value: a.value,
            })
        })
        .collect();
    AccuracyData { measure, points }
}

/// The per-class IDs at `choice` of the plotted models that have them there, and their table.
fn class_correlation(models: &[ModelInput], choice: &str) -> Option<ClassCorrelation> {
    let chosen: Vec<(String, &super::ids::LayerIds)> = models
        .iter()
        .filter(|m| m.plotted())
        .filter_map(|m| {
            let r = m.layers[chosen_layer(m, choice)?].result.as_ref()?;
            (!r.classes.is_empty()).then(|| (m.model.clone(), r))
        })
        .collect();
    if chosen.len() < 2 {
        return None;
    }
    let ids = shared_class_ids(choice_label(choice), &chosen);
    let (table, note) = if ids.classes.len() < MIN_CLASSES {
        (None, Some(format!("{} classes in common: too few to correlate", ids.classes.len())))
    } else {
        match correlation_table(&ids) {
            Ok(t) => (Some(t), None),
            Err(e) => (None, Some(e.to_string())),
        }
    };
    Some(ClassCorrelation { ids, table, note })
}
