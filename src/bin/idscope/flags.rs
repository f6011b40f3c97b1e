//! The analysis flags of `estimate` and `compare`: one per parameter the core lists for the
//! command line (`idscope::estimators::settings`), with its help and default from the core, so a
//! new estimator's parameters reach the CLI without a line here.

use clap::builder::PossibleValuesParser;
use clap::error::ErrorKind;
use clap::{Arg, ArgAction, ArgMatches, Command};
use idscope::estimators::{Params, settings};
use idscope::params::{Setting, SettingKind};
use serde_json::{Map, Value};

/// The parameters the flags give (the others at `Params::default()`), not yet checked.
pub struct ParamFlags(pub Params);

/// A whole step: the value is an integer.
fn integer(step: f64) -> bool {
    step.fract() == 0.0
}

/// The flag of `s`, its default (`default`, from `Params::default()`) shown in its help.
fn arg(s: &Setting, default: &Value) -> Arg {
    let arg = Arg::new(s.name).long(s.name.replace('_', "-")).help(s.help).value_name(s.name.to_uppercase());
    let arg = match s.alias {
        Some(alias) => arg.alias(alias),
        None => arg,
    };
    let shown = match default {
        Value::String(v) => Some(v.clone()),
        Value::Number(v) => Some(v.to_string()),
        _ => None,
    };
    let arg = match s.kind {
        SettingKind::Check => return arg.action(ArgAction::SetTrue),
        SettingKind::Choice { options } => {
            arg.value_parser(PossibleValuesParser::new(options.iter().map(|(value, _)| *value)))
        }
        SettingKind::Number { step, .. } if integer(step) => arg.value_parser(clap::value_parser!(u64)),
        SettingKind::Number { .. } => arg.value_parser(clap::value_parser!(f64)),
    };
    match shown {
        Some(v) => arg.default_value(v),
        None => arg,
    }
}

/// The JSON value the flag of `s` was given (or defaulted to), if any.
fn value(s: &Setting, m: &ArgMatches) -> Option<Value> {
    match s.kind {
        SettingKind::Check => m.get_flag(s.name).then_some(Value::Bool(true)),
        SettingKind::Choice { .. } => m.get_one::<String>(s.name).map(|v| Value::String(v.clone())),
        SettingKind::Number { step, .. } if integer(step) => m.get_one::<u64>(s.name).map(|&v| v.into()),
        SettingKind::Number { .. } => m.get_one::<f64>(s.name).map(|&v| v.into()),
    }
}

impl clap::FromArgMatches for ParamFlags {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let mut object = Map::new();
        for s in settings().iter().filter(|s| s.on_cli()) {
            let Some(v) = value(s, m) else { continue };
            // One key at a time, so a value the parameters cannot hold names its flag.
            serde_json::from_value::<Params>(Value::Object(Map::from_iter([(s.name.to_owned(), v.clone())]))).map_err(
                |e| clap::Error::raw(ErrorKind::ValueValidation, format!("--{}: {e}\n", s.name.replace('_', "-"))),
            )?;
            object.insert(s.name.to_owned(), v);
        }
        serde_json::from_value(Value::Object(object))
            .map(Self)
            .map_err(|e| clap::Error::raw(ErrorKind::ValueValidation, format!("{e}\n")))
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(m)?;
        Ok(())
    }
}

impl clap::Args for ParamFlags {
    fn augment_args(cmd: Command) -> Command {
        let defaults = serde_json::to_value(Params::default()).unwrap_or(Value::Null);
        settings().iter().filter(|s| s.on_cli()).fold(cmd, |cmd, s| cmd.arg(arg(s, &defaults[s.name])))
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
