//! Which layer of each model an analysis across models reads: the last hidden layer (ID vs
//! accuracy), and the layer the correlation of per-class IDs compares, named or at a relative depth.

use serde::{Deserialize, Serialize};

use super::accuracy::Accuracy;
use super::ids::LayerIds;

/// One model as compared: its layers in display order (excluded ones left out).
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct ModelInput {
    /// Model name.
    pub model: String,
    /// Its shown layers, in display order.
    pub layers: Vec<ShownLayer>,
    /// Left out of the charts by the user.
    #[serde(default)]
    pub hidden: bool,
    /// The user's choice of last hidden layer (a layer name), if any.
    #[serde(default)]
    pub last_hidden: Option<String>,
    /// Its accuracy or top-5 error, if known.
    #[serde(default)]
    pub accuracy: Option<Accuracy>,
}

/// A shown layer and its result, once computed.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct ShownLayer {
    /// Layer name.
    pub name: String,
    /// Its IDs (None until computed).
    #[serde(default)]
    pub result: Option<LayerIds>,
}

impl ModelInput {
    /// Whether the model takes part in the charts: not hidden, and with something computed.
    pub fn plotted(&self) -> bool {
        !self.hidden && self.layers.iter().any(|l| l.result.is_some())
    }

    /// Position of the last hidden layer: the user's choice while shown, else the layer before the
    /// last (the output layer), or the only one.
    pub fn last_hidden(&self) -> Option<usize> {
        let chosen = self.last_hidden.as_ref().and_then(|n| self.layers.iter().position(|l| &l.name == n));
        chosen.or_else(|| self.layers.len().checked_sub(if self.layers.len() > 1 { 2 } else { 1 }))
    }

    /// Whether any shown layer has per-class IDs.
    fn has_classes(&self) -> bool {
        self.layers.iter().any(|l| l.result.as_ref().is_some_and(|r| !r.classes.is_empty()))
    }
}

/// Relative depths offered for the correlation of models of different depths.
const DEPTHS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// A layer choice for the correlation: `name:<layer>` or `depth:<fraction>`, with its label.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Choice {
    /// `name:<layer>` or `depth:<fraction>` (what the page's picker holds).
    pub value: String,
    /// What the picker and the chart's legend show.
    pub label: String,
}

/// The layer choices: the names every plotted model with per-class IDs shows (in the first one's
/// order), then the relative depths; none without such a model.
pub fn layer_choices(models: &[ModelInput]) -> Vec<Choice> {
    let with: Vec<&ModelInput> = models.iter().filter(|m| m.plotted() && m.has_classes()).collect();
    let Some(first) = with.first() else {
        return Vec::new();
    };
    let common =
        first.layers.iter().map(|l| &l.name).filter(|n| with.iter().all(|m| m.layers.iter().any(|l| &l.name == *n)));
    let names = common.map(|n| Choice { value: format!("name:{n}"), label: n.clone() });
    let depths = DEPTHS.iter().map(|d| Choice { value: format!("depth:{d}"), label: depth_label(*d) });
    names.chain(depths).collect()
}

/// The default choice: the first plotted model's last hidden layer when every model shows it,
/// else relative depth 0.5.
pub fn default_choice(models: &[ModelInput], choices: &[Choice]) -> Option<Choice> {
    let first = models.iter().find(|m| m.plotted());
    let name = first.and_then(|m| m.last_hidden().map(|i| format!("name:{}", m.layers[i].name)));
    let by_name = name.and_then(|n| choices.iter().find(|c| c.value == n));
    by_name.or_else(|| choices.iter().find(|c| c.value == "depth:0.5")).cloned()
}

/// Position in `m` of the layer a choice names: the named layer, or the one nearest that fraction
/// of the model's depth. None for a layer the model lacks or a value that is neither.
pub fn chosen_layer(m: &ModelInput, choice: &str) -> Option<usize> {
    if let Some(name) = choice.strip_prefix("name:") {
        return m.layers.iter().position(|l| l.name == name);
    }
    let d: f64 = choice.strip_prefix("depth:")?.parse().ok()?;
    let last = m.layers.len().checked_sub(1)?;
    (0.0..=1.0).contains(&d).then(|| (d * last as f64).round() as usize)
}

/// The legend text of a choice value (`relative depth 0.5` for `depth:0.5`).
pub fn choice_label(choice: &str) -> String {
    match choice.strip_prefix("depth:").and_then(|d| d.parse().ok()) {
        Some(d) => depth_label(d),
        None => choice.strip_prefix("name:").unwrap_or(choice).to_string(),
    }
}

fn depth_label(d: f64) -> String {
    format!("relative depth {d}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(names: &[&str], computed: bool, classes: bool) -> ModelInput {
        let ids = LayerIds { id: 1.0, id_err: None, classes: if classes { vec![("a".into(), 1.0)] } else { vec![] } };
        ModelInput {
            model: "m".into(),
            layers: names
                .iter()
                .map(|n| ShownLayer { name: n.to_string(), result: computed.then(|| ids.clone()) })
                .collect(),
            hidden: false,
            last_hidden: None,
            accuracy: None,
        }
    }

    #[test]
    fn last_hidden_is_the_choice_while_shown_else_the_layer_before_the_last() {
        let mut m = model(&["in", "h1", "h2", "out"], true, false);
        assert_eq!(m.last_hidden(), Some(2));
        m.last_hidden = Some("h1".into());
        assert_eq!(m.last_hidden(), Some(1));
        m.last_hidden = Some("gone".into());
        assert_eq!(m.last_hidden(), Some(2));
        assert_eq!(model(&["only"], true, false).last_hidden(), Some(0));
        assert_eq!(model(&[], true, false).last_hidden(), None);
    }

    #[test]
    fn choices_are_the_common_names_then_the_depths() {
        let a = model(&["in", "h1", "out"], true, true);
        let b = model(&["in", "x", "out"], true, true);
        let values: Vec<String> = layer_choices(&[a.clone(), b.clone()]).into_iter().map(|c| c.value).collect();
        assert_eq!(values, ["name:in", "name:out", "depth:0", "depth:0.25", "depth:0.5", "depth:0.75", "depth:1"]);
        assert!(layer_choices(&[model(&["in"], true, false)]).is_empty(), "no per-class IDs: nothing to correlate");
        let choices = layer_choices(&[a.clone(), b]);
        assert_eq!(
            default_choice(std::slice::from_ref(&a), &choices).map(|c| c.value),
            Some("depth:0.5".into()),
            "h1 is not common"
        );
        let mut a2 = a.clone();
        a2.last_hidden = Some("in".into());
        assert_eq!(default_choice(&[a2], &choices).map(|c| c.value), Some("name:in".into()));
    }

    #[test]
    fn chosen_layer_by_name_and_by_depth() {
        let m = model(&["l0", "l1", "l2", "l3", "l4"], true, false);
        assert_eq!(chosen_layer(&m, "name:l3"), Some(3));
        assert_eq!(chosen_layer(&m, "name:nope"), None);
        assert_eq!(chosen_layer(&m, "depth:0"), Some(0));
        assert_eq!(chosen_layer(&m, "depth:0.5"), Some(2));
        assert_eq!(chosen_layer(&m, "depth:0.625"), Some(3), "2.5 rounds up");
        assert_eq!(chosen_layer(&m, "depth:1"), Some(4));
        assert_eq!(chosen_layer(&m, "depth:1.5"), None);
        assert_eq!(chosen_layer(&m, "layer 2"), None);
        assert_eq!(choice_label("depth:0.25"), "relative depth 0.25");
        assert_eq!(choice_label("name:fc1"), "fc1");
    }
}
