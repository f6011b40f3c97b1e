//! The `idscope` command line: `list`, `estimate` (table and JSON schema), and errors.

use std::process::Command;

use serde_json::Value;

fn idscope(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_idscope")).args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn list_prints_layers_and_labels_of_an_npz() {
    let (ok, out, _) = idscope(&["list", "www/demo/digits_trained.npz"]);
    assert!(ok);
    for layer in ["input", "hidden1", "hidden4", "logits"] {
        assert!(out.contains(&format!("layer \"{layer}\"")), "{out}");
    }
    assert!(out.contains("1797 points × 64 features") && out.contains("labels"), "{out}");
}

#[test]
fn estimate_json_has_the_schema_keys_and_matches_the_table() {
    let file = "tests/fixtures/reference/gauss8_d40.npy";
    let (ok, out, err) =
        idscope(&["estimate", file, "--json", "--gride", "--decimation", "--pcid", "--repeats", "5", "--seed", "3"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "idscope/1");
    let l = &v["layers"][0];
    assert_eq!((l["name"].as_str(), l["n"].as_u64(), l["dim"].as_u64()), (Some("gauss8_d40"), Some(1000), Some(40)));
    assert_eq!(l["duplicates"]["dropped"], 0);
    let fit = l["twonn"]["fit"]["id"].as_f64().unwrap();
    let refs: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/reference/reference.json").unwrap()).unwrap();
    let dadapy = refs["gauss8_d40.npy"]["dadapy"]["twonn_fit"].as_f64().unwrap();
    assert!((fit / dadapy - 1.0).abs() < 1e-6, "fit {fit} vs DADApy {dadapy}");
    assert!(l["twonn"]["ml"]["id"].as_f64().is_some() && l["twonn"]["fit"]["r2"].as_f64().unwrap() > 0.99);
    for key in ["n1", "n2", "id", "err", "scale"] {
        assert!(l["gride"][0][key].is_number(), "gride key {key}");
    }
    for key in ["size", "blocks", "id_mean", "id_std", "scale"] {
        assert!(l["decimation"][1][key].is_number(), "decimation key {key}");
    }
    assert_eq!(l["pc_id"]["id"], 7);
    assert_eq!(v["params"]["seed"], 3);

    let (ok, table, _) = idscope(&["estimate", file, "--repeats", "5", "--seed", "3"]);
    assert!(ok && table.contains(&format!("{fit:.3}")), "{table}");
}

#[test]
fn labels_in_an_npz_give_per_class_estimates() {
    let (ok, out, err) =
        idscope(&["estimate", "www/demo/digits_trained.npz", "--layer", "logits", "--repeats", "0", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["layers"].as_array().unwrap().len(), 1);
    let classes = v["layers"][0]["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 10);
    let n: u64 = classes.iter().map(|c| c["n"].as_u64().unwrap()).sum();
    assert_eq!(n, 1797);
}

#[test]
fn every_reader_format_lists_and_estimates() {
    let dir = "tests/fixtures/readers";
    for file in [
        "f2.npy",
        "f4_fortran_3d.npy",
        "f8_be.npy",
        "v3.npy",
        "savez.npz",
        "savez_compressed.npz",
        "mixed.safetensors",
        "table.csv",
        "savetxt.txt",
    ] {
        let path = format!("{dir}/{file}");
        let (ok, out, err) = idscope(&["list", &path]);
        assert!(ok && out.contains("points ×"), "list {file}: {err}");
        let (ok, out, err) = idscope(&["estimate", &path, "--repeats", "2", "--json"]);
        assert!(ok, "estimate {file}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["layers"][0]["twonn"]["fit"]["id"].as_f64().unwrap().is_finite(), "{file}");
    }
    let group: Vec<String> =
        ["layer1", "layer2", "layer10", "labels"].iter().map(|f| format!("{dir}/group_npy/{f}.npy")).collect();
    let mut args = vec!["estimate", "--repeats", "0", "--json"];
    args.extend(group.iter().map(String::as_str));
    let (ok, out, err) = idscope(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let names: Vec<&str> = v["layers"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["layer1", "layer2", "layer10"]);
}

#[test]
fn a_corrupt_file_fails_with_its_name_and_no_panic() {
    let dir = std::env::temp_dir().join(format!("idscope-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("broken.npy");
    let good = std::fs::read("tests/fixtures/reference/gauss8_d40.npy").unwrap();
    std::fs::write(&path, &good[..good.len() / 2]).unwrap();
    let (ok, _, err) = idscope(&["estimate", path.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.starts_with("idscope: ") && err.contains("broken.npy") && !err.contains("panicked"), "{err}");
    let (ok, _, err) = idscope(&["estimate", "tests/fixtures/readers/labels_int.npy"]);
    assert!(!ok && err.contains("no layers"), "{err}");
    let (ok, _, err) = idscope(&["estimate", "tests/fixtures/reference/gauss8_d40.npy", "--fraction", "1.5"]);
    assert!(!ok && err.contains("mu_fraction must be in (0, 1]"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn every_parameter_is_a_flag_with_the_cores_default() {
    let (ok, help, _) = idscope(&["estimate", "--help"]);
    assert!(ok);
    for (flag, default) in [
        ("--mu-fraction", Some("0.9")),
        ("--subset-fraction", Some("0.9")),
        ("--gride-range", Some("64")),
        ("--min-block", Some("20")),
        ("--pc-threshold", Some("0.9")),
        ("--pc-max-points", Some("5000")),
        ("--memory-limit-mb", Some("1024")),
        ("--max-points", None),
        ("--gride", None),
        ("--pc-id", None),
    ] {
        let line = help.lines().skip_while(|l| !l.trim_start().starts_with(flag)).nth(1).unwrap_or_default();
        assert!(help.contains(flag), "{flag} missing:\n{help}");
        if let Some(d) = default {
            assert!(line.contains(&format!("[default: {d}]")), "{flag}: {line}");
        }
    }
    assert!(!help.contains("--per-class"), "per-class follows --labels on the command line");
    let file = "tests/fixtures/reference/gauss8_d40.npy";
    let (ok, out, err) = idscope(&[
        "estimate",
        file,
        "--json",
        "--repeats",
        "0",
        "--gride",
        "--gride-range",
        "8",
        "--decimation",
        "--min-block",
        "30",
        "--pcid",
        "--pc-threshold",
        "0.8",
        "--subset-fraction",
        "0.5",
        "--metric",
        "cosine",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let p = &v["params"];
    assert_eq!(
        (p["gride"].as_bool(), p["gride_range"].as_u64(), p["min_block"].as_u64()),
        (Some(true), Some(8), Some(30))
    );
    assert_eq!(
        (p["pc_id"].as_bool(), p["pc_threshold"].as_f64(), p["subset_fraction"].as_f64()),
        (Some(true), Some(0.8), Some(0.5))
    );
    assert_eq!((p["metric"].as_str(), p["surrogate"].as_bool()), (Some("cosine"), Some(false)));
    let layer = &v["layers"][0];
    assert_eq!(layer["gride"].as_array().unwrap().len(), 3, "n2 = 2, 4, 8");
    assert_eq!(layer["pc_id"]["threshold"].as_f64(), Some(0.8));
    assert!(layer["decimation"].as_array().unwrap().iter().all(|d| d["size"].as_u64().unwrap() >= 30));
    let (ok, _, err) = idscope(&["estimate", file, "--seed", "4294967296"]);
    assert!(!ok && err.contains("--seed") && err.contains("u32"), "{err}");
    let (ok, _, err) = idscope(&["estimate", file, "--gride-range", "65"]);
    assert!(!ok && err.contains("gride_range must be between 2 and 64, got 65"), "{err}");
}

#[test]
fn bench_prints_the_simd_peak_and_the_gram_rate_as_json() {
    let (ok, out, err) = idscope(&["bench", "--n", "96", "--d", "40", "--seconds", "0.05"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["peak"].as_f64().unwrap() > 0.1, "{out}");
    assert!(v["gram"].as_f64().unwrap() > 0.01, "{out}");
    assert_eq!((v["n"].as_u64(), v["d"].as_u64()), (Some(96), Some(40)));
}

/// Whether two JSON values are equal, numbers to a relative 1e-9 (the fixture's p-values pass
/// through libm functions that may differ in the last bits between targets).
fn close_json(a: &Value, b: &Value, at: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            if (x - y).abs() <= 1e-9 * x.abs().max(y.abs()) { Ok(()) } else { Err(format!("{at}: {x} vs {y}")) }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().try_for_each(|(i, (x, y))| close_json(x, y, &format!("{at}[{i}]")))
        }
        (Value::Object(x), Value::Object(y)) if x.len() == y.len() => x.iter().try_for_each(|(k, v)| {
            y.get(k).ok_or_else(|| format!("{at}.{k}: missing")).and_then(|w| close_json(v, w, &format!("{at}.{k}")))
        }),
        _ if a == b => Ok(()),
        _ => Err(format!("{at}: {a} vs {b}")),
    }
}

#[test]
fn compare_of_the_demo_models_gives_the_fixture_the_page_is_checked_against() {
    let d = "www/demo";
    let (ok, out, err) = idscope(&[
        "compare",
        &format!("{d}/digits_trained.npz"),
        &format!("{d}/digits_shuffled.npz"),
        &format!("{d}/digits_untrained.npz"),
        "--name",
        "MLP digits (trained)",
        "--name",
        "MLP digits (shuffled labels)",
        "--name",
        "MLP digits (untrained)",
        "--accuracy",
        "0.9756",
        "--accuracy",
        "0.1089",
        "--accuracy",
        "0.1333",
        "--json",
    ]);
    assert!(ok, "{err}");
    let got: Value = serde_json::from_str(&out).unwrap();
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/compare/demo.json").unwrap()).unwrap();
    assert_eq!(got["schema"], "idscope-compare/1");
    close_json(&got["comparison"], &want["comparison"], "comparison").unwrap();
    let c = &got["comparison"];
    assert_eq!(c["choice"]["value"], "name:hidden4", "the last hidden layer, which every model has");
    assert_eq!(c["accuracy"]["points"].as_array().unwrap().len(), 3);
    assert_eq!(c["correlation"]["table"]["n"], 10, "ten digit classes");
    assert!(
        c["accuracy_fit"]["pearson_r"].as_f64().unwrap() < -0.9,
        "the trained net has the lowest last-hidden ID and the highest accuracy"
    );
}

#[test]
fn compare_prints_tables_and_rejects_a_layer_the_models_lack() {
    let (a, b) = ("www/demo/digits_trained.npz", "www/demo/digits_untrained.npz");
    let (ok, out, err) = idscope(&["compare", a, b, "--repeats", "0", "--depth", "0.5"]);
    assert!(ok, "{err}");
    for want in [
        "model: digits_trained (last hidden layer: hidden4)",
        "correlation of per-class IDs at relative depth 0.5 (10 classes)",
        "Pearson r (p)",
        "Spearman ρ (p)",
        "n = 0",
    ] {
        assert!(out.contains(want), "{want:?} in\n{out}");
    }
    let (ok, _, err) = idscope(&["compare", a, b, "--repeats", "0", "--layer", "fc9"]);
    assert!(!ok && err.contains("name:fc9: not a layer every model") && err.contains("name:hidden4"), "{err}");
    let (ok, _, err) = idscope(&["compare", a, b, "--accuracy", "high"]);
    assert!(!ok && err.contains("--accuracy \"high\": not a number"), "{err}");
}

#[test]
fn compare_gives_the_overlaps_between_layers_and_models_with_neighbourhood() {
    let (a, b) = ("www/demo/digits_trained.npz", "www/demo/digits_shuffled.npz");
    let (ok, out, err) = idscope(&["compare", a, "--repeats", "0", "--neighbourhood", "--overlap", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let n = &v["neighbourhoods"];
    assert_eq!(n["k"], 10);
    let m = &n["matrices"][0];
    let (rows, values) = (m["rows"].as_array().unwrap(), m["values"].as_array().unwrap());
    let at = |name: &str| rows.iter().position(|r| r == name).unwrap();
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/overlap/data_overlap.json").unwrap()).unwrap();
    let want =
        fixture["cases"].as_array().unwrap().iter().find(|c| c["a"] == "hidden1" && c["b"] == "logits" && c["k"] == 10);
    let want = want.unwrap()["overlap"].as_f64().unwrap();
    assert!((values[at("hidden1")][at("logits")].as_f64().unwrap() - want).abs() <= 1e-12);
    let profile = n["profiles"][0]["layers"].as_array().unwrap();
    assert!(
        profile.iter().all(|l| l["label"].as_f64().is_some_and(|x| x > 0.9)),
        "trained: χ with the labels stays high"
    );
    assert_eq!(profile.last().unwrap()["output"], 1.0);

    let (ok, out, err) = idscope(&["compare", a, b, "--repeats", "0", "--neighbourhood"]);
    assert!(ok, "{err}");
    for want in [
        "neighbourhood overlaps (k = 10)",
        "χ between the layers of digits_trained (rows) and digits_shuffled (columns)",
    ] {
        assert!(out.contains(want), "{want:?} in\n{out}");
    }
    assert!(!out.contains("note:"), "the demo models share their inputs:\n{out}");
}

#[test]
fn with_repeats_the_overlaps_get_error_bars() {
    let a = "www/demo/digits_trained.npz";
    let (ok, out, err) = idscope(&["compare", a, "--repeats", "4", "--neighbourhood", "--overlap", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let n = &v["neighbourhoods"];
    assert_eq!((n["repeats"].as_u64(), n["subset_fraction"].as_f64()), (Some(4), Some(0.9)));
    let layers = n["profiles"][0]["layers"].as_array().unwrap();
    for l in layers {
        for key in ["label_std", "output_std", "input_std"] {
            assert!(l[key].as_f64().is_some_and(|s| (0.0..0.1).contains(&s)), "{key} of {}: {}", l["layer"], l[key]);
        }
    }
    assert_eq!(layers.last().unwrap()["output_std"], 0.0);
    let (ok, out, err) = idscope(&["compare", a, "--repeats", "4", "--neighbourhood"]);
    assert!(ok, "{err}");
    assert!(out.contains("neighbourhood overlaps (k = 10, ± std over 4 subsets of 90 %)"), "{out}");
    assert!(out.lines().any(|l| l.starts_with("hidden1") && l.matches(" ± ").count() == 3), "{out}");
    let (ok, out, err) = idscope(&["estimate", a, "--repeats", "4", "--overlap"]);
    assert!(ok, "{err}");
    assert!(out.contains("(std over 4 subsets)"), "{out}");
}

#[test]
fn compare_with_imbalance_gives_dadapys_information_imbalances() {
    let (ok, out, err) =
        idscope(&["compare", "www/demo/digits_trained.npz", "--repeats", "0", "--imbalance", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let layers = v["neighbourhoods"]["profiles"][0]["layers"].as_array().unwrap();
    let hidden1 = &layers.iter().find(|l| l["layer"] == "hidden1").unwrap()["imbalance"];
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string("tests/fixtures/overlap/imbalance.json").unwrap()).unwrap();
    let case = fixture["cases"].as_array().unwrap().iter().find(|c| c["a"] == "hidden1" && c["b"] == "logits").unwrap();
    for (got, want) in [(&hidden1["to_output"], &case["a_to_b"]), (&hidden1["from_output"], &case["b_to_a"])] {
        assert!((got.as_f64().unwrap() - want.as_f64().unwrap()).abs() <= 1e-12, "{got} vs DADApy {want}");
    }
    let (ok, out, err) = idscope(&["compare", "www/demo/digits_trained.npz", "--repeats", "0", "--imbalance"]);
    assert!(ok && out.contains("Δ(→out)"), "{err}\n{out}");
}
