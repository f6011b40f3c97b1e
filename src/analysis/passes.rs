//! The pass plan: which passes each shown layer gets, with which params, in which order. A layer's
//! whole-set estimates come in two passes, a quick TwoNN one (the first plots and the whole
//! hunchback come fast) and the scale pass (Gride, error bars, decimation, PC-ID); the Gaussian
//! surrogate of the selected layer and the per-class estimates follow. A streamed layer (over the
//! memory limit) gets its whole-set estimates in one pass, since every pass reads its file again,
//! and no surrogate or per-class pass, which need it in memory.

use serde::{Deserialize, Serialize};

use crate::analysis::streamed::over_limit;
use crate::estimators::{Params, in_memory_only, switched};

/// One pass over a layer.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Pass {
    /// The layer's first result: TwoNN only, or every whole-set estimate for a streamed layer.
    Base,
    /// What the quick base pass left out: Gride, the repeats' error bars, decimation, PC-ID.
    Scale,
    /// The decimation of a Gaussian with the layer's covariance.
    Surrogate,
    /// The TwoNN estimates on each class's points.
    Classes,
    /// The exact ranks, in the layer's rows, of other layers' nearest neighbours (the information
    /// imbalances: `crate::compare::neighbourhood::rank_passes` says which).
    Ranks,
}

impl Pass {
    /// The result fields this pass adds to the layer's first result (JSON paths, `.`-separated),
    /// and whether they are whole-set estimates (shown in the layer's row and whole-set charts).
    pub fn adds(self) -> (Vec<&'static str>, bool) {
        match self {
            Pass::Base => (Vec::new(), true),
            Pass::Scale => (["twonn.repeats"].into_iter().chain(switched(false)).collect(), true),
            Pass::Surrogate => (switched(true), false),
            Pass::Classes => (vec!["classes", "skipped_classes"], false),
            Pass::Ranks => (Vec::new(), false),
        }
    }
}

/// The whole-set estimates: every estimate on all of a layer's points, no classes, none of the
/// estimators that need the rows in memory (the surrogate: its own pass, on the selected layer).
pub fn whole_params(p: &Params) -> Params {
    Params { per_class: false, ..p.only(&switched(false)) }
}

/// The quick first pass: TwoNN (ML, fit, μ) from one short neighbour search.
pub fn quick_params(p: &Params) -> Params {
    let mut q = p.only(&[]);
    (q.per_class, q.twonn.repeats) = (false, 0);
    q
}

/// The surrogate pass: only the estimators that need the rows in memory (the decimation of the
/// Gaussian surrogate).
pub fn surrogate_params(p: &Params) -> Params {
    let mut q = p.only(&switched(true));
    (q.per_class, q.twonn.repeats) = (false, 0);
    q
}

/// The per-class pass: TwoNN with the same repeats, fraction, seed and metric on each class;
/// every switched estimator stays off (ten classes would cost ten whole passes).
pub fn class_params(p: &Params) -> Params {
    Params { per_class: true, ..p.only(&[]) }
}

/// Results computed under equal keys are reused; any other change recomputes the pass. (Debug
/// text, not JSON: it names every field and value as well, and keeps a JSON writer out of the wasm.)
pub fn key(p: &Params) -> String {
    format!("{p:?}")
}

/// A shown layer as the plan sees it.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct PlanLayer {
    /// The layer's index in its model.
    pub index: usize,
    /// Its in-memory size in bytes (None: a text table, never streamed).
    #[serde(default)]
    pub memory_bytes: Option<u64>,
    /// The key its first result was computed under, if any.
    #[serde(default)]
    pub key: Option<String>,
    /// The keys of the later passes already added to it.
    #[serde(default)]
    pub extras: Extras,
}

/// The key each later pass added to a layer was computed under (`{scale, surrogate, classes}` in
/// the page's JSON, each optional).
#[derive(Deserialize, Debug, Clone, Default, PartialEq)]
pub struct Extras {
    /// The scale pass's key.
    #[serde(default)]
    pub scale: Option<String>,
    /// The surrogate pass's key.
    #[serde(default)]
    pub surrogate: Option<String>,
    /// The per-class pass's key.
    #[serde(default)]
    pub classes: Option<String>,
}

impl Extras {
    /// The key `pass` was added under (None for the base pass, which is the layer's own key).
    pub fn get(&self, pass: Pass) -> Option<&String> {
        match pass {
            Pass::Base | Pass::Ranks => None,
            Pass::Scale => self.scale.as_ref(),
            Pass::Surrogate => self.surrogate.as_ref(),
            Pass::Classes => self.classes.as_ref(),
        }
    }
}

/// A model as the plan sees it: its shown layers in display order.
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct PlanModel {
    /// The page's model id.
    pub id: u32,
    /// Restored from a results file: shown, never computed.
    #[serde(default)]
    pub restored: bool,
    /// Has labels, so gets the per-class pass when asked.
    #[serde(default)]
    pub labelled: bool,
    /// Shown layers, in display order.
    pub layers: Vec<PlanLayer>,
}

/// The selected layer: `(model id, layer index)`.
#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selected {
    /// Model id.
    pub model: u32,
    /// Layer index.
    pub layer: usize,
}

/// A rank pass the imbalances of a model need (`crate::compare::neighbourhood::rank_passes`, in the
/// page's model ids and layer indices).
#[derive(Deserialize, Debug, Clone, PartialEq)]
pub struct RankRequest {
    /// Model id.
    pub model: u32,
    /// The ranking layer's index.
    pub layer: usize,
    /// The layers whose nearest neighbours it has not ranked yet.
    pub missing: Vec<usize>,
}

/// One pass of one layer, in run order.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Job {
    /// Model id.
    pub model: u32,
    /// Layer index.
    pub layer: usize,
    /// Which pass.
    pub pass: Pass,
    /// Its params.
    pub params: Params,
    /// The key its result is stored under (the base key for the base pass).
    pub key: String,
    /// A base pass whose result the scale pass completes later.
    pub partial: bool,
    /// The layer is streamed from its file (one worker, no split).
    pub streamed: bool,
    /// Its result is already there.
    pub done: bool,
    /// A rank pass's target layers (indices): whose nearest neighbours it ranks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<usize>,
}

/// The plan and what the page shows beside it.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct Plan {
    /// The key of the whole-set estimates under the current params (a row whose result has
    /// another key is stale).
    pub key: String,
    /// Every job, in run order.
    pub jobs: Vec<Job>,
}

/// Every job `params` ask for over `models`: the base pass of every shown layer first, then the
/// scale passes (the selected layer's first), the selected layer's surrogate, the per-class
/// passes, and the rank passes `ranks` asks for of models whose every shown layer is current (a
/// streamed layer gets none: the rank pass needs its rows in memory).
pub fn plan(params: &Params, models: &[PlanModel], selected: Option<Selected>, ranks: &[RankRequest]) -> Plan {
    let whole = whole_params(params);
    let base_key = key(&whole);
    let live: Vec<&PlanModel> = models.iter().filter(|m| !m.restored).collect();
    let layers = || live.iter().flat_map(|m| m.layers.iter().map(move |l| (*m, l)));
    let streamed = |l: &PlanLayer| over_limit(l.memory_bytes, params);
    let mut jobs = Vec::new();
    for (m, l) in layers() {
        let s = streamed(l);
        let p = if s { whole.clone() } else { quick_params(params) };
        let done = l.key.as_deref() == Some(&base_key);
        jobs.push(Job {
            model: m.id,
            layer: l.index,
            pass: Pass::Base,
            params: p,
            key: base_key.clone(),
            partial: !s,
            streamed: s,
            done,
            targets: Vec::new(),
        });
    }
    let mut later = |m: &PlanModel, l: &PlanLayer, pass: Pass, p: Params| {
        let k = key(&p);
        let done = l.key.as_deref() == Some(&base_key) && l.extras.get(pass) == Some(&k);
        jobs.push(Job {
            model: m.id,
            layer: l.index,
            pass,
            params: p,
            key: k,
            partial: false,
            streamed: false,
            done,
            targets: Vec::new(),
        });
    };
    let is_selected = |m: &PlanModel, l: &PlanLayer| selected.is_some_and(|s| s.model == m.id && s.layer == l.index);
    let in_memory: Vec<(&PlanModel, &PlanLayer)> = layers().filter(|(_, l)| !streamed(l)).collect();
    let (first, rest): (Vec<_>, Vec<_>) = in_memory.iter().partition(|(m, l)| is_selected(m, l));
    for (m, l) in first.iter().chain(&rest) {
        later(m, l, Pass::Scale, whole.clone());
    }
    if !in_memory_only(params).is_empty() {
        for (m, l) in &first {
            later(m, l, Pass::Surrogate, surrogate_params(params));
        }
    }
    if params.per_class {
        for (m, l) in in_memory.iter().filter(|(m, _)| m.labelled) {
            later(m, l, Pass::Classes, class_params(params));
        }
    }
    let current = |m: &PlanModel| m.layers.iter().all(|l| l.key.as_deref() == Some(&base_key));
    for r in ranks {
        let found = in_memory.iter().find(|(m, l)| m.id == r.model && l.index == r.layer && current(m));
        if let Some((m, l)) = found {
            jobs.push(Job {
                model: m.id,
                layer: l.index,
                pass: Pass::Ranks,
                params: whole.clone(),
                key: base_key.clone(),
                partial: false,
                streamed: false,
                done: r.missing.is_empty(),
                targets: r.missing.clone(),
            });
        }
    }
    Plan { key: base_key, jobs }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(index: usize, memory_bytes: Option<u64>) -> PlanLayer {
        PlanLayer { index, memory_bytes, key: None, extras: Extras::default() }
    }

    fn model(id: u32, labelled: bool, layers: Vec<PlanLayer>) -> PlanModel {
        PlanModel { id, restored: false, labelled, layers }
    }

    fn summary(p: &Plan) -> Vec<(u32, usize, Pass)> {
        p.jobs.iter().map(|j| (j.model, j.layer, j.pass)).collect()
    }

    #[test]
    fn base_passes_first_then_scale_with_the_selected_layer_first_then_surrogate_and_classes() {
        let mut p = Params { per_class: true, ..Params::default() };
        p.surrogate.run = true;
        let models =
            [model(1, true, vec![layer(0, Some(10)), layer(2, Some(10))]), model(2, false, vec![layer(0, None)])];
        let plan = plan(&p, &models, Some(Selected { model: 1, layer: 2 }), &[]);
        use Pass::*;
        assert_eq!(
            summary(&plan),
            [
                (1, 0, Base),
                (1, 2, Base),
                (2, 0, Base),
                (1, 2, Scale),
                (1, 0, Scale),
                (2, 0, Scale),
                (1, 2, Surrogate),
                (1, 0, Classes),
                (1, 2, Classes)
            ]
        );
        let base = &plan.jobs[0];
        assert!(base.partial && !base.streamed && !base.done);
        assert_eq!((base.params.twonn.repeats, base.params.gride.run, base.params.per_class), (0, false, false));
        assert_eq!(plan.jobs[3].params, whole_params(&p));
        assert_eq!(plan.jobs[3].key, plan.key, "the scale pass runs under the whole-set params");
        assert!(plan.jobs[8].params.per_class && !plan.jobs[8].params.gride.run);
        assert!(plan.jobs[6].params.surrogate.run && plan.jobs[6].params.twonn.repeats == 0);
    }

    #[test]
    fn a_streamed_layer_gets_one_whole_pass_and_nothing_that_needs_it_in_memory() {
        let mut p = Params { per_class: true, memory_limit_mb: 1, ..Params::default() };
        p.surrogate.run = true;
        let big = 2 << 20;
        let models = [model(1, true, vec![layer(0, Some(big)), layer(1, Some(1000))])];
        let plan = plan(&p, &models, Some(Selected { model: 1, layer: 0 }), &[]);
        use Pass::*;
        assert_eq!(summary(&plan), [(1, 0, Base), (1, 1, Base), (1, 1, Scale), (1, 1, Classes)]);
        assert!(plan.jobs[0].streamed && !plan.jobs[0].partial);
        assert_eq!(plan.jobs[0].params, whole_params(&p), "every whole-set estimate in the one pass");
    }

    #[test]
    fn done_jobs_are_marked_by_their_keys_and_restored_models_are_left_alone() {
        let p = Params::default();
        let base_key = key(&whole_params(&p));
        let mut l = layer(0, None);
        l.key = Some(base_key.clone());
        l.extras.scale = Some(base_key.clone());
        let stale = PlanLayer { key: Some("old".into()), ..layer(1, None) };
        let restored = PlanModel { restored: true, ..model(2, false, vec![layer(0, None)]) };
        let plan = plan(&p, &[model(1, false, vec![l, stale]), restored], None, &[]);
        let done: Vec<bool> = plan.jobs.iter().map(|j| j.done).collect();
        assert_eq!(summary(&plan).len(), 4);
        assert_eq!(done, [true, false, true, false]);
        let mut other = p.clone();
        other.twonn.repeats = 3;
        assert_ne!(key(&whole_params(&other)), base_key, "another param, another key");
    }

    #[test]
    fn rank_passes_run_last_on_current_in_memory_layers_only() {
        let p = Params { memory_limit_mb: 1, ..Params::default() };
        let base_key = key(&whole_params(&p));
        let current = |index, bytes| PlanLayer { key: Some(base_key.clone()), ..layer(index, Some(bytes)) };
        let models = [
            model(1, false, vec![current(0, 1000), current(1, 2 << 20), current(2, 1000)]),
            model(2, false, vec![current(0, 1000), layer(1, Some(1000))]),
        ];
        let ask = |model, layer, missing: &[usize]| RankRequest { model, layer, missing: missing.to_vec() };
        let ranks = [ask(1, 0, &[0, 2]), ask(1, 1, &[0, 2]), ask(1, 2, &[]), ask(2, 0, &[0, 1])];
        let plan = plan(&p, &models, None, &ranks);
        let rank_jobs: Vec<&Job> = plan.jobs.iter().filter(|j| j.pass == Pass::Ranks).collect();
        let got: Vec<(u32, usize, &[usize], bool)> =
            rank_jobs.iter().map(|j| (j.model, j.layer, j.targets.as_slice(), j.done)).collect();
        assert_eq!(
            got,
            [(1, 0, &[0, 2][..], false), (1, 2, &[][..], true)],
            "not the streamed layer, not a stale model"
        );
        assert!(plan.jobs.iter().rev().take(2).all(|j| j.pass == Pass::Ranks), "after every other pass");
        assert_eq!(rank_jobs[0].params, whole_params(&p), "the rows of the whole-set estimates");
    }
}
