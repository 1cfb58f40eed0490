//! Metrics against hand-computed examples. The worked example is the source paper's Table 1
//! (JETIR1803264, "Classification performance"): Normal 363 tested / 360 classified / 3
//! misclassified; Intrusion 637 / 600 / 37. DESIGN §1 fixes FAR = attacks accepted as normal ÷
//! attacks tested = 37/637 and FRR = normals rejected ÷ normals tested = 3/363.

use nightjar_nn::metrics::{roc_curve, ClassCounts, Rate};
use nightjar_nn::{roc_auc, Confusion, NnError};

fn paper_table1() -> Confusion {
    let mut c = Confusion::new(["Normal", "Intrusion"]).unwrap();
    c.add_n(0, 0, 360).unwrap();
    c.add_n(0, 1, 3).unwrap();
    c.add_n(1, 1, 600).unwrap();
    c.add_n(1, 0, 37).unwrap();
    c
}

#[test]
fn paper_table1_worked_example() {
    let c = paper_table1();
    assert_eq!(
        c.per_class(),
        vec![
            ClassCounts {
                name: "Normal".into(),
                tested: 363,
                correct: 360,
                misclassified: 3
            },
            ClassCounts {
                name: "Intrusion".into(),
                tested: 637,
                correct: 600,
                misclassified: 37
            },
        ]
    );
    let far = c.far(0);
    let frr = c.frr(0);
    assert_eq!(far, Rate { num: 37, den: 637 });
    assert_eq!(frr, Rate { num: 3, den: 363 });
    assert!((far.percent() - 5.808).abs() < 0.001); // the paper's "5.8% (37/637)"
    assert!((frr.percent() - 0.826).abs() < 0.001); // the paper prints 0.8% with 3/360
    assert_eq!(far.to_string(), "5.81% (37/637)");
    assert_eq!(frr.to_string(), "0.83% (3/363)");
    assert_eq!(
        c.accuracy(),
        Rate {
            num: 960,
            den: 1000
        }
    );
    assert_eq!(c.total(), 1000);
    assert_eq!(c.precision(1), Rate { num: 600, den: 603 });
    assert_eq!(c.recall(1), Rate { num: 600, den: 637 });
    let table = c.to_string();
    assert!(
        table.contains("Normal") && table.contains("363") && table.contains("37"),
        "{table}"
    );
}

#[test]
fn multiclass_far_frr_and_binary_collapse() {
    // Actual rows: normal, xmas scan, syn flood; columns: predicted.
    let mut c = Confusion::new(["normal", "xmas", "synflood"]).unwrap();
    let counts = [[90, 6, 4], [5, 40, 5], [10, 0, 40]];
    for (a, row) in counts.iter().enumerate() {
        for (p, &k) in row.iter().enumerate() {
            c.add_n(a, p, k).unwrap();
        }
    }
    // FAR: attacks predicted normal (5 + 10) over attacks tested (50 + 50).
    assert_eq!(c.far(0), Rate { num: 15, den: 100 });
    // FRR: normals predicted as any attack (6 + 4) over normals (100).
    assert_eq!(c.frr(0), Rate { num: 10, den: 100 });
    assert_eq!(c.class_far(1, 0), Rate { num: 5, den: 50 });
    assert_eq!(c.class_far(2, 0), Rate { num: 10, den: 50 });
    // Misclassified as another attack type still counts as detected.
    assert_eq!(c.class_detection(1, 0), Rate { num: 45, den: 50 });
    assert_eq!(c.misclassified(1), 10);
    let b = c.binary(0);
    assert_eq!(
        (b.count(0, 0), b.count(0, 1), b.count(1, 0), b.count(1, 1)),
        (90, 10, 15, 85)
    );
    assert_eq!(b.far(0), c.far(0));
    assert_eq!(b.frr(0), c.frr(0));
}

#[test]
fn confusion_from_predictions_and_scores() {
    let c = Confusion::from_predictions(["a", "b"], &[0, 0, 1, 1, 1], &[0, 1, 1, 1, 0]).unwrap();
    assert_eq!(
        (c.count(0, 0), c.count(0, 1), c.count(1, 0), c.count(1, 1)),
        (1, 1, 1, 2)
    );
    let s = Confusion::from_scores(
        "normal",
        "attack",
        &[0.1, 0.6, 0.5, 0.4],
        &[false, false, true, true],
        0.5,
    )
    .unwrap();
    assert_eq!(
        (s.count(0, 0), s.count(0, 1), s.count(1, 0), s.count(1, 1)),
        (1, 1, 1, 1)
    );
    assert!(Confusion::from_predictions(["a"], &[0], &[1]).is_err());
    assert!(Confusion::from_predictions(["a", "b"], &[0, 1], &[1]).is_err());
    assert!(Confusion::new(Vec::<String>::new()).is_err());
    assert!(Confusion::from_scores("n", "a", &[f32::NAN], &[true], 0.5).is_err());
    let empty = Confusion::new(["x", "y"]).unwrap();
    assert!(empty.far(0).value().is_nan());
    assert_eq!(empty.far(0).to_string(), "n/a (0/0)");
}

#[test]
fn auc_hand_computed() {
    // Perfect, reversed, and random-tie cases.
    assert_eq!(
        roc_auc(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]).unwrap(),
        1.0
    );
    assert_eq!(
        roc_auc(&[0.9, 0.8, 0.2, 0.1], &[false, false, true, true]).unwrap(),
        0.0
    );
    assert_eq!(
        roc_auc(&[0.5; 6], &[true, false, true, false, true, false]).unwrap(),
        0.5
    );
    // Pairs (positive, negative): positives 0.8, 0.4; negatives 0.6, 0.4, 0.2.
    // 0.8 beats all three (3); 0.4 beats 0.2 (1), ties 0.4 (½), loses to 0.6: total 4.5 of 6.
    let auc = roc_auc(
        &[0.8, 0.4, 0.6, 0.4, 0.2],
        &[true, true, false, false, false],
    )
    .unwrap();
    assert!((auc - 0.75).abs() < 1e-12, "{auc}");
    assert!(matches!(
        roc_auc(&[0.1, 0.2], &[true, true]),
        Err(NnError::BadData(_))
    ));
    assert!(roc_auc(&[0.1], &[true, false]).is_err());
    assert!(roc_auc(&[f32::NAN, 0.1], &[true, false]).is_err());
}

#[test]
fn roc_curve_hand_computed() {
    let pts = roc_curve(
        &[0.8, 0.4, 0.6, 0.4, 0.2],
        &[true, true, false, false, false],
    )
    .unwrap();
    let got: Vec<(f32, f64, f64)> = pts.iter().map(|p| (p.threshold, p.fpr, p.tpr)).collect();
    let third = 1.0 / 3.0;
    assert_eq!(
        got,
        vec![
            (f32::INFINITY, 0.0, 0.0),
            (0.8, 0.0, 0.5),
            (0.6, third, 0.5),
            (0.4, 2.0 * third, 1.0),
            (0.2, 1.0, 1.0),
        ]
    );
    // The trapezoid area under these points is the AUC.
    let area: f64 = pts
        .windows(2)
        .map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0)
        .sum();
    assert!((area - 0.75).abs() < 1e-12);
}
