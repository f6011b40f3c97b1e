//! The `idscope` command line: `list`, `estimate` (table and JSON schema), and errors.

use std::process::Command;

use serde_json::Value;

fn idscope(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_idscope")).args(args).output().unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
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
    let (ok, out, err) = idscope(&["estimate", file, "--json", "--gride", "--decimation", "--pcid", "--repeats", "5", "--seed", "3"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["schema"], "idscope/1");
    let l = &v["layers"][0];
    assert_eq!((l["name"].as_str(), l["n"].as_u64(), l["dim"].as_u64()), (Some("gauss8_d40"), Some(1000), Some(40)));
    assert_eq!(l["duplicates"]["dropped"], 0);
    let fit = l["twonn"]["fit"]["id"].as_f64().unwrap();
    let refs: Value = serde_json::from_str(&std::fs::read_to_string("tests/fixtures/reference/reference.json").unwrap()).unwrap();
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
    let (ok, out, err) = idscope(&["estimate", "www/demo/digits_trained.npz", "--layer", "logits", "--repeats", "0", "--json"]);
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
    for file in ["f2.npy", "f4_fortran_3d.npy", "f8_be.npy", "v3.npy", "savez.npz", "savez_compressed.npz", "mixed.safetensors", "table.csv", "savetxt.txt"] {
        let path = format!("{dir}/{file}");
        let (ok, out, err) = idscope(&["list", &path]);
        assert!(ok && out.contains("points ×"), "list {file}: {err}");
        let (ok, out, err) = idscope(&["estimate", &path, "--repeats", "2", "--json"]);
        assert!(ok, "estimate {file}: {err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        assert!(v["layers"][0]["twonn"]["fit"]["id"].as_f64().unwrap().is_finite(), "{file}");
    }
    let group: Vec<String> = ["layer1", "layer2", "layer10", "labels"].iter().map(|f| format!("{dir}/group_npy/{f}.npy")).collect();
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
fn bench_prints_the_simd_peak_and_the_gram_rate_as_json() {
    let (ok, out, err) = idscope(&["bench", "--n", "96", "--d", "40", "--seconds", "0.05"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["peak"].as_f64().unwrap() > 0.1, "{out}");
    assert!(v["gram"].as_f64().unwrap() > 0.01, "{out}");
    assert_eq!((v["n"].as_u64(), v["d"].as_u64()), (Some(96), Some(40)));
}
