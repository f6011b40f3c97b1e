//! The vocabulary of parameters: how an estimator declares its own ([`settings!`]), the controls
//! the page's form and the CLI's flags are built from ([`Setting`]), and the typed error of a value
//! out of range. The parameters of an analysis, [`crate::estimators::Params`], gather the shared
//! ones and every registered estimator's.
//!
//! Defaults follow Ansuini et al. (2019): 10 % of the largest μ discarded from the fit, error bars
//! from 20 random subsets of 90 % of the points.

use serde::de::MapAccess;
use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize};

/// What to do with rows that occur more than once (their r₁ would be 0 and μ undefined).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "kebab-case")]
pub enum DuplicatePolicy {
    /// Keep one copy of each duplicated row (intRinsic; DADApy after `remove_identical_points`).
    #[default]
    KeepOne,
    /// Keep every row and exclude from the estimate the points whose r₁ = 0.
    Keep,
}

impl DuplicatePolicy {
    /// The policy's name in JSON, on the command line and in the page's form.
    pub fn name(self) -> &'static str {
        match self {
            Self::KeepOne => "keep-one",
            Self::Keep => "keep",
        }
    }
}

/// One estimator's parameters, read and written key by key in the flat parameter object (JSON, a
/// JS object), so the analysis's parameters hold every estimator's without serde's `flatten`,
/// which buffers the input and costs kilobytes of wasm. Declared with [`settings!`].
pub trait Fields: Default + Clone + std::fmt::Debug + PartialEq {
    /// Its number of fields.
    const LEN: usize;
    /// Sets the field named `key` from the map's next value; `false` if it has none by that name.
    fn set<'de, A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error>;
    /// The switch that asks for its estimator; `None`: the estimator always runs (TwoNN).
    fn switch(&mut self) -> Option<&mut bool>;
    /// Whether its estimator is asked for: its switch is on, or it has none.
    fn on(&self) -> bool;
    /// Writes its fields into the parameters' object.
    fn write<S: SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error>;
}

/// Declares an estimator's parameters: the struct, its defaults and its [`Fields`]. A field is
/// `name: Type = default`, or `name as "key": Type = default` where its JSON key differs. A first
/// field `run as "key": bool` is the switch that asks for the estimator (named after it:
/// `run as "gride"`); without one the estimator always runs.
macro_rules! settings {
    ($(#[$meta:meta])* pub struct $name:ident { $(#[$rdoc:meta])* run as $rkey:literal: bool = $rdef:expr, $($rest:tt)* }) => {
        $crate::params::settings!(@struct switched [$(#[$meta])*] $name { $(#[$rdoc])* run as $rkey: bool = $rdef, $($rest)* });
    };
    ($(#[$meta:meta])* pub struct $name:ident { $($body:tt)* }) => {
        $crate::params::settings!(@struct always [$(#[$meta])*] $name { $($body)* });
    };
    (@struct $mode:ident [$($meta:tt)*] $name:ident { $( $(#[$doc:meta])* $field:ident $(as $key:literal)?: $ty:ty = $default:expr ),* $(,)? }) => {
        $($meta)*
        #[derive(Clone, Debug, PartialEq)]
        pub struct $name {
            $( $(#[$doc])* pub $field: $ty, )*
        }

        impl Default for $name {
            fn default() -> Self {
                Self { $( $field: $default, )* }
            }
        }

        impl $crate::params::Fields for $name {
            const LEN: usize = [$( stringify!($field) ),*].len();

            fn switch(&mut self) -> Option<&mut bool> {
                $crate::params::settings!(@switch $mode self)
            }

            fn on(&self) -> bool {
                $crate::params::settings!(@on $mode self)
            }

            fn write<S: serde::ser::SerializeStruct>(&self, out: &mut S) -> Result<(), S::Error> {
                $( out.serialize_field($crate::params::settings!(@key $field $($key)?), &self.$field)?; )*
                Ok(())
            }

            fn set<'de, A: serde::de::MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<bool, A::Error> {
                $(
                    if key == $crate::params::settings!(@key $field $($key)?) {
                        self.$field = map.next_value()?;
                        return Ok(true);
                    }
                )*
                Ok(false)
            }
        }
    };
    (@switch switched $own:ident) => { Some(&mut $own.run) };
    (@switch always $own:ident) => { None };
    (@on switched $own:ident) => { $own.run };
    (@on always $own:ident) => { true };
    (@key $field:ident) => { stringify!($field) };
    (@key $field:ident $key:literal) => { $key };
}
pub(crate) use settings;

/// One parameter as the page's form and the CLI offer it: both are built from the list of every
/// [`Setting`] (`crate::estimators::settings`), so a parameter is described once, beside its field.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    /// Its key in the parameters' JSON (the CLI's flag is `--` and the key with `-` for `_`).
    pub name: &'static str,
    /// Its label in the page's form.
    pub label: &'static str,
    /// What it sets, in a line: the form's tooltip and the CLI's help.
    pub help: &'static str,
    /// What kind of value.
    pub kind: SettingKind,
    /// Where it is offered.
    pub shown: Shown,
    /// An older name of its CLI flag, still accepted.
    pub alias: Option<&'static str>,
}

/// The kinds of value, and so of form control and CLI flag.
#[derive(Serialize, Debug, Clone, Copy, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SettingKind {
    /// A number in `min..=max` by `step` (a whole step: an integer); with `empty`, it may be left
    /// empty (`null`), which the placeholder `empty` describes.
    Number {
        /// Smallest value.
        min: f64,
        /// Largest value, if bounded.
        max: Option<f64>,
        /// Step of the control.
        step: f64,
        /// Placeholder of an empty (null) value; `None`: a value is required.
        empty: Option<&'static str>,
    },
    /// One of `options`: (value as in JSON, label).
    Choice {
        /// The values and their labels.
        options: &'static [(&'static str, &'static str)],
    },
    /// On or off (a switch on the command line).
    Check,
}

/// Where a [`Setting`] is offered.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// In the page's form and on the command line.
    Both,
    /// In the page's form only (the CLI decides it, e.g. per-class when labels are given).
    Page,
    /// On the command line only (the page sets it itself, or always runs it).
    Cli,
}

impl Setting {
    /// Whether the page's form shows it.
    pub fn on_page(&self) -> bool {
        self.shown != Shown::Cli
    }

    /// Whether the CLI has a flag for it.
    pub fn on_cli(&self) -> bool {
        self.shown != Shown::Page
    }
}

/// A parameter outside its valid range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{name} must be {valid}, got {got}")]
pub struct ParamError {
    /// The parameter's key.
    pub name: &'static str,
    /// The value given.
    pub got: f64,
    /// Its valid range, in words ("in (0, 1]", "at least 3").
    pub valid: &'static str,
}

impl ParamError {
    /// `Ok` where `ok`, else the error that `name` = `got` is not `valid`.
    pub fn unless(ok: bool, name: &'static str, got: f64, valid: &'static str) -> Result<(), Self> {
        if ok { Ok(()) } else { Err(Self { name, got, valid }) }
    }
}

/// `x` in (0, 1].
pub fn in_unit(x: f64) -> bool {
    x > 0.0 && x <= 1.0
}
