//! End-to-end tests of `nightjar ids`, driving the real binary on the committed lab captures
//! (`data/captures/{train,val,test}.pcap`, separate runs): train on train (validation for early
//! stopping), evaluate on test, check the JSON report and that its tables add up.

use serde_json::Value;
use std::path::Path;

mod common;
use common::*;

fn capture(name: &str) -> (String, String) {
    let dir = repo().join("data/captures");
    let pcap = dir.join(format!("{name}.pcap"));
    let labels = dir.join(format!("{name}.labels.json"));
    assert!(
        pcap.exists() && labels.exists(),
        "missing lab capture {} (made by lab/make-dataset.sh)",
        pcap.display()
    );
    (pcap.display().to_string(), labels.display().to_string())
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "nightjar {args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn fails(args: &[&str], code: i32, needle: &str) {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: {err:?} lacks {needle:?}");
}

fn u(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("not a count: {v}"))
}

/// Check a JSON evaluation report's arithmetic: tables add up to the packet count.
fn check_report(j: &Value, records: u64) {
    let packets = u(&j["packets"]);
    let undecoded = u(&j["undecoded"]);
    assert_eq!(packets + undecoded, records, "every record is counted once");
    let t1 = j["table1"].as_array().unwrap();
    assert_eq!(t1.iter().map(|r| u(&r["tested"])).sum::<u64>(), packets);
    for r in t1 {
        assert_eq!(
            u(&r["classified"]) + u(&r["misclassified"]),
            u(&r["tested"])
        );
    }
    let paper = j["table1_paper"].as_array().unwrap();
    assert_eq!(paper.iter().map(|r| u(&r["tested"])).sum::<u64>(), packets);
    let normal = t1.iter().find(|r| r["class"] == "normal").unwrap();
    let attacks: u64 = t1
        .iter()
        .filter(|r| r["class"] != "normal")
        .map(|r| u(&r["tested"]))
        .sum();
    let missed: u64 = t1
        .iter()
        .filter(|r| r["class"] != "normal")
        .map(|r| u(&r["misclassified"]))
        .sum();
    let t2 = &j["table2"];
    assert_eq!(u(&t2["far"]["of"]), attacks);
    assert_eq!(u(&t2["far"]["count"]), missed);
    assert_eq!(u(&t2["frr"]["of"]), u(&normal["tested"]));
    assert_eq!(u(&t2["frr"]["count"]), u(&normal["misclassified"]));
    let far = j["far"].as_f64().unwrap();
    assert!((far - missed as f64 / attacks as f64).abs() < 1e-12);
    let frr = j["frr"].as_f64().unwrap();
    assert!((frr - u(&normal["misclassified"]) as f64 / u(&normal["tested"]) as f64).abs() < 1e-12);
    let conf: u64 = j["confusion"]["counts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(u))
        .sum();
    assert_eq!(conf, packets);
    let acc = j["accuracy"].as_f64().unwrap();
    let right: u64 = t1.iter().map(|r| u(&r["classified"])).sum();
    assert!((acc - right as f64 / packets as f64).abs() < 1e-12);
}

fn records_in(labels_stats: &str) -> u64 {
    // the lab's independent (Python) count of the capture's records
    let stats = labels_stats.replace(".labels.json", ".stats.json");
    let j: Value = serde_json::from_str(&std::fs::read_to_string(stats).unwrap()).unwrap();
    u(&j["records"])
}

#[test]
fn train_on_train_eval_on_test_reports_tables_that_add_up() {
    let s = Scratch::new("e2e");
    let (train, train_l) = capture("train");
    let (val, val_l) = capture("val");
    let (test, test_l) = capture("test");
    let model = s.s("window.njm");
    let png = s.s("mse.png");
    let csv = s.s("train.csv");
    let summary = ok(&[
        "ids",
        "train",
        "--capture",
        &train,
        "--labels",
        &train_l,
        "--val-capture",
        &val,
        "--val-labels",
        &val_l,
        "--algo",
        "mlp",
        "--features",
        "window",
        "--hidden",
        "16,8",
        "--epochs",
        "3",
        "--dropout-copies",
        "0",
        "--seed",
        "3",
        "-o",
        &model,
        "--plot",
        &png,
        "--export-csv",
        &csv,
        "--json",
    ]);
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(summary["features"], "window");
    assert!(u(&summary["epochs_run"]) >= 1);
    let png_bytes = std::fs::read(&png).unwrap();
    assert_eq!(&png_bytes[1..4], b"PNG");
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = csv_text.lines();
    let header = lines.next().unwrap();
    assert!(header.starts_with("proto,tcp_flags,ip_len,") && header.ends_with(",label,attack"));
    assert_eq!(lines.count() as u64, u(&summary["train_packets"]));

    let out = ok(&[
        "ids",
        "eval",
        "--model",
        &model,
        "--capture",
        &test,
        "--labels",
        &test_l,
        "--json",
    ]);
    let j: Value = serde_json::from_str(&out).unwrap();
    for k in ["far", "frr", "accuracy", "table1", "table2", "confusion"] {
        assert!(j.get(k).is_some(), "missing {k}");
    }
    check_report(&j, records_in(&test_l));
    assert!(j["accuracy"].as_f64().unwrap() > 0.9, "{}", j["accuracy"]);

    let text = ok(&[
        "ids",
        "eval",
        "--model",
        &model,
        "--capture",
        &test,
        "--labels",
        &test_l,
    ]);
    assert!(text.contains("Table 1") && text.contains("Table 2") && text.contains("FAR"));
}

#[test]
fn paper7_and_esn_models_train_and_evaluate() {
    let s = Scratch::new("p7esn");
    let (train, train_l) = capture("train");
    let (test, test_l) = capture("test");
    for (algo, features, classes) in [("mlp", "paper7", "multi"), ("esn", "paper7", "binary")] {
        let model = s.s(&format!("{algo}-{features}.njm"));
        ok(&[
            "ids",
            "train",
            "--capture",
            &train,
            "--labels",
            &train_l,
            "--algo",
            algo,
            "--features",
            features,
            "--classes",
            classes,
            "--epochs",
            "2",
            "--reservoir",
            "50",
            "--dropout-copies",
            "0",
            "-o",
            &model,
        ]);
        let j: Value = serde_json::from_str(&ok(&[
            "ids",
            "eval",
            "--model",
            &model,
            "--capture",
            &test,
            "--labels",
            &test_l,
            "--json",
        ]))
        .unwrap();
        check_report(&j, records_in(&test_l));
        assert_eq!(j["model"]["algo"], algo);
        if classes == "multi" {
            assert!(j["label_accuracy"].is_number());
            assert!(j["confusion"]["predicted"].as_array().unwrap().len() > 2);
        }
        // `ids detect` runs either: an ESN over every packet in order, verdict reuse off
        let o = run(&[
            "ids", "detect", "--model", &model, "--pcap", &test, "--json",
        ]);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "{err}");
        let d: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(u(&d["records"]), records_in(&test_l));
        if algo == "esn" {
            assert!(
                err.contains("echo-state network, every packet scored in order"),
                "{err}"
            );
            assert_eq!(u(&d["verdicts_reused"]), 0);
            assert_eq!(d["settings"]["reuse_age"], 0.0);
        } else {
            assert!(u(&d["verdicts_reused"]) > 0);
        }
        assert!(u(&d["flagged"]) > 0, "{d}");
    }
}

#[test]
fn usage_and_input_errors_exit_2_with_a_reason() {
    let s = Scratch::new("errors");
    let (test, test_l) = capture("test");
    // `ids eval` without --model runs the built-in model (tests/cli_detect.rs)
    fails(&["ids", "eval", "--capture", &test], 2, "--labels");
    fails(
        &["ids", "train", "--capture", &test, "-o", &s.s("m")],
        2,
        "--labels",
    );
    let garbage = s.s("garbage.njm");
    std::fs::write(&garbage, b"not a model at all").unwrap();
    fails(
        &[
            "ids",
            "eval",
            "--model",
            &garbage,
            "--capture",
            &test,
            "--labels",
            &test_l,
        ],
        2,
        "not a valid Nightjar IDS model",
    );
    let bad_labels = s.s("bad.labels.json");
    std::fs::write(
        &bad_labels,
        r#"{"capture":"x","attackers":[{"ip":"1.2.3"}]}"#,
    )
    .unwrap();
    fails(
        &[
            "ids",
            "train",
            "--capture",
            &test,
            "--labels",
            &bad_labels,
            "-o",
            &s.s("m"),
        ],
        2,
        "attackers[0].ip",
    );
    fails(
        &[
            "ids",
            "train",
            "--capture",
            &s.s("missing.pcap"),
            "--labels",
            &test_l,
            "-o",
            &s.s("m"),
        ],
        2,
        "missing.pcap",
    );
    fails(
        &[
            "ids",
            "train",
            "--capture",
            &test,
            "--labels",
            &test_l,
            "--lr=-1",
            "-o",
            &s.s("m"),
        ],
        2,
        "lr",
    );
    fails(&["ids", "train", "--algo", "svm", "-o", "x"], 2, "svm");
}

#[test]
fn study_writes_tables_and_plots_within_its_budget() {
    let s = Scratch::new("study");
    let (train, train_l) = capture("train");
    let (val, val_l) = capture("val");
    let out = s.s("study");
    let t = std::time::Instant::now();
    ok(&[
        "ids",
        "study",
        "--capture",
        &train,
        "--labels",
        &train_l,
        "--val-capture",
        &val,
        "--val-labels",
        &val_l,
        "--samples",
        "300",
        "--max-epochs",
        "200",
        "--budget",
        "20",
        "--out",
        &out,
    ]);
    assert!(t.elapsed().as_secs() < 90);
    let md = std::fs::read_to_string(Path::new(&out).join("STUDY.md")).unwrap();
    for h in [
        "learning rate",
        "weight-initialisation",
        "hidden nodes",
        "two hidden layers",
        "momentum",
        "MLP vs ESN",
    ] {
        assert!(md.contains(h), "{h}");
    }
    for p in [
        "study-lr.png",
        "study-init.png",
        "study-hidden.png",
        "study-layers.png",
        "study-momentum.png",
        "study-mlp-vs-esn.png",
    ] {
        let b = std::fs::read(Path::new(&out).join(p)).unwrap();
        assert_eq!(&b[1..4], b"PNG", "{p}");
    }
}
