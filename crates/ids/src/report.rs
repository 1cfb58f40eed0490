//! Evaluation reports: the paper's Table 1 and Table 2 with DESIGN §1's denominators, accuracy,
//! the per-class confusion and ROC AUC.
//!
//! * Table 1, per true class: packets tested, classified (the verdict attack/normal is right),
//!   misclassified; for multi-class models also how many got exactly their label.
//! * Table 2: FAR = attack packets accepted as normal ÷ attack packets tested, overall and per
//!   attack class; FRR = normal packets rejected as attack ÷ normal packets tested. Every rate
//!   comes with its numerator and denominator.

use crate::class::Class;
use serde::Serialize;
use std::fmt::Write as _;

/// What the detector said about one packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Attack score in [0, 1] (the binary output, or 1 − P(normal) for multi-class models).
    pub score: f32,
    /// The predicted class: `Normal`, or for binary models `OtherAttack` standing for "attack",
    /// or for multi-class models the attack type.
    pub class: Class,
}

impl Verdict {
    /// Whether the packet was flagged as an attack.
    pub fn is_attack(&self) -> bool {
        self.class.is_attack()
    }
}

/// A rate with its counts.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Rate {
    pub rate: f64,
    pub count: u64,
    pub of: u64,
}

impl Rate {
    fn new(count: u64, of: u64) -> Rate {
        Rate {
            rate: if of == 0 {
                0.0
            } else {
                count as f64 / of as f64
            },
            count,
            of,
        }
    }

    fn show(&self) -> String {
        if self.of == 0 {
            "—".to_string()
        } else {
            format!("{:.3}% ({}/{})", 100.0 * self.rate, self.count, self.of)
        }
    }
}

/// One row of Table 1.
#[derive(Clone, Debug, Serialize)]
pub struct Table1Row {
    pub class: String,
    pub tested: u64,
    pub classified: u64,
    pub misclassified: u64,
    /// Multi-class models: packets given exactly their own label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_correct: Option<u64>,
}

/// One row of Table 2.
#[derive(Clone, Debug, Serialize)]
pub struct Table2Row {
    pub class: String,
    /// For attack rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub far: Option<Rate>,
    /// For the normal row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frr: Option<Rate>,
}

/// Table 2: overall rates and per-class rows.
#[derive(Clone, Debug, Serialize)]
pub struct Table2 {
    pub far: Rate,
    pub frr: Rate,
    pub rows: Vec<Table2Row>,
}

/// Confusion matrix: rows are true classes, columns predicted ones.
#[derive(Clone, Debug, Serialize)]
pub struct Confusion {
    pub true_classes: Vec<String>,
    pub predicted: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

/// A full evaluation.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Decoded packets evaluated (the tables add up to this).
    pub packets: u64,
    /// Records that could not be decoded (not evaluated).
    pub undecoded: u64,
    pub far: f64,
    pub frr: f64,
    /// Fraction of packets with the right attack/normal verdict.
    pub accuracy: f64,
    /// Multi-class models: fraction of packets given exactly their label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label_accuracy: Option<f64>,
    /// Area under the ROC curve of the attack score (None without both kinds of packet).
    pub roc_auc: Option<f64>,
    /// The paper's two-row Table 1 (Normal, Intrusion).
    pub table1_paper: Vec<Table1Row>,
    /// Table 1 per class.
    pub table1: Vec<Table1Row>,
    pub table2: Table2,
    pub confusion: Confusion,
}

/// Build a report from true classes and verdicts (same length, same order). `model_classes` is
/// the model's output classes (`[Normal, OtherAttack]` meaning normal/attack for binary models).
pub fn evaluate(
    truth: &[Class],
    verdicts: &[Verdict],
    model_classes: &[Class],
    binary: bool,
    undecoded: u64,
) -> Report {
    let n = truth.len().min(verdicts.len());
    let mut tested = [0u64; 15];
    let mut right = [0u64; 15];
    let mut exact = [0u64; 15];
    let pred_names: Vec<String> = if binary {
        vec!["normal".into(), "attack".into()]
    } else {
        model_classes
            .iter()
            .map(|c| c.as_str().to_string())
            .collect()
    };
    let mut conf = vec![vec![0u64; pred_names.len()]; 15];
    for (t, v) in truth.iter().zip(verdicts).take(n) {
        let ti = t.index();
        tested[ti] += 1;
        if t.is_attack() == v.is_attack() {
            right[ti] += 1;
        }
        if *t == v.class {
            exact[ti] += 1;
        }
        let col = if binary {
            usize::from(v.is_attack())
        } else {
            model_classes
                .iter()
                .position(|c| *c == v.class)
                .unwrap_or(0)
        };
        if let Some(c) = conf[ti].get_mut(col) {
            *c += 1;
        }
    }
    let present: Vec<Class> = Class::ALL
        .into_iter()
        .filter(|c| tested[c.index()] > 0)
        .collect();
    let row = |c: Class| Table1Row {
        class: c.as_str().to_string(),
        tested: tested[c.index()],
        classified: right[c.index()],
        misclassified: tested[c.index()] - right[c.index()],
        label_correct: (!binary).then_some(exact[c.index()]),
    };
    let table1: Vec<Table1Row> = present.iter().map(|&c| row(c)).collect();
    let att_tested: u64 = present
        .iter()
        .filter(|c| c.is_attack())
        .map(|c| tested[c.index()])
        .sum();
    let att_right: u64 = present
        .iter()
        .filter(|c| c.is_attack())
        .map(|c| right[c.index()])
        .sum();
    let nor = Class::Normal.index();
    let table1_paper = vec![
        Table1Row {
            class: "Normal".into(),
            tested: tested[nor],
            classified: right[nor],
            misclassified: tested[nor] - right[nor],
            label_correct: None,
        },
        Table1Row {
            class: "Intrusion".into(),
            tested: att_tested,
            classified: att_right,
            misclassified: att_tested - att_right,
            label_correct: None,
        },
    ];
    let far = Rate::new(att_tested - att_right, att_tested);
    let frr = Rate::new(tested[nor] - right[nor], tested[nor]);
    let mut rows = Vec::new();
    for &c in &present {
        let i = c.index();
        if c.is_attack() {
            rows.push(Table2Row {
                class: c.as_str().into(),
                far: Some(Rate::new(tested[i] - right[i], tested[i])),
                frr: None,
            });
        } else {
            rows.push(Table2Row {
                class: c.as_str().into(),
                far: None,
                frr: Some(frr.clone()),
            });
        }
    }
    let total: u64 = tested.iter().sum();
    let correct: u64 = right.iter().sum();
    let exact_total: u64 = exact.iter().sum();
    let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let scores: Vec<(f32, bool)> = truth
        .iter()
        .zip(verdicts)
        .map(|(t, v)| (v.score, t.is_attack()))
        .collect();
    Report {
        packets: total,
        undecoded,
        far: far.rate,
        frr: frr.rate,
        accuracy: ratio(correct, total),
        label_accuracy: (!binary).then(|| ratio(exact_total, total)),
        roc_auc: roc_auc(&scores),
        table1_paper,
        table1,
        table2: Table2 { far, frr, rows },
        confusion: Confusion {
            true_classes: present.iter().map(|c| c.as_str().to_string()).collect(),
            predicted: pred_names,
            counts: present.iter().map(|c| conf[c.index()].clone()).collect(),
        },
    }
}

/// Area under the ROC curve: the probability that a random attack packet scores above a random
/// normal one (ties count half). `None` unless both kinds are present.
pub fn roc_auc(scores: &[(f32, bool)]) -> Option<f64> {
    let mut v: Vec<(f32, bool)> = scores
        .iter()
        .map(|&(s, p)| (if s.is_nan() { 0.0 } else { s }, p))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let pos = v.iter().filter(|x| x.1).count() as f64;
    let neg = v.len() as f64 - pos;
    if pos == 0.0 || neg == 0.0 {
        return None;
    }
    // sum of ranks of positives, ties given their average rank
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j < v.len() && v[j].0 == v[i].0 {
            j += 1;
        }
        let avg = (i + 1 + j) as f64 / 2.0;
        rank_sum += avg * v[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    Some((rank_sum - pos * (pos + 1.0) / 2.0) / (pos * neg))
}

impl Report {
    /// The human-readable tables.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} packets evaluated ({} undecoded records skipped)\n",
            self.packets, self.undecoded
        );
        let _ = writeln!(s, "Table 1: classification performance");
        let multi = self.table1.iter().any(|r| r.label_correct.is_some());
        let _ = write!(
            s,
            "  {:<14} {:>12} {:>12} {:>14}",
            "Packet type", "Tested", "Classified", "Misclassified"
        );
        if multi {
            let _ = write!(s, " {:>14}", "Exact label");
        }
        s.push('\n');
        for r in self.table1_paper.iter().chain(std::iter::once(&Table1Row {
            class: String::new(),
            tested: 0,
            classified: 0,
            misclassified: 0,
            label_correct: None,
        })) {
            if r.class.is_empty() {
                let _ = writeln!(s, "  {:-<56}", "");
                continue;
            }
            let _ = writeln!(
                s,
                "  {:<14} {:>12} {:>12} {:>14}",
                r.class, r.tested, r.classified, r.misclassified
            );
        }
        for r in &self.table1 {
            let _ = write!(
                s,
                "  {:<14} {:>12} {:>12} {:>14}",
                r.class, r.tested, r.classified, r.misclassified
            );
            if let Some(e) = r.label_correct {
                let _ = write!(s, " {e:>14}");
            }
            s.push('\n');
        }
        let _ = writeln!(
            s,
            "\nTable 2: false acceptance / rejection rates\n  FAR = attack packets accepted as normal / attack packets tested\n  FRR = normal packets rejected as attack / normal packets tested"
        );
        let _ = writeln!(s, "  {:<14} {:>26} {:>26}", "Packet type", "FAR", "FRR");
        let _ = writeln!(
            s,
            "  {:<14} {:>26} {:>26}",
            "overall",
            self.table2.far.show(),
            self.table2.frr.show()
        );
        for r in &self.table2.rows {
            let _ = writeln!(
                s,
                "  {:<14} {:>26} {:>26}",
                r.class,
                r.far.as_ref().map_or("—".into(), Rate::show),
                r.frr.as_ref().map_or("—".into(), Rate::show)
            );
        }
        let _ = writeln!(
            s,
            "\nAccuracy: {:.3}%{}{}",
            100.0 * self.accuracy,
            self.label_accuracy.map_or(String::new(), |a| format!(
                "   exact label: {:.3}%",
                100.0 * a
            )),
            self.roc_auc
                .map_or(String::new(), |a| format!("   ROC AUC: {a:.4}"))
        );
        let _ = writeln!(s, "\nConfusion (rows: true class; columns: predicted)");
        let w = self
            .confusion
            .predicted
            .iter()
            .map(|p| p.len())
            .max()
            .unwrap_or(6)
            .max(7);
        let _ = write!(s, "  {:<14}", "");
        for p in &self.confusion.predicted {
            let _ = write!(s, " {p:>w$}");
        }
        s.push('\n');
        for (t, row) in self
            .confusion
            .true_classes
            .iter()
            .zip(&self.confusion.counts)
        {
            let _ = write!(s, "  {t:<14}");
            for c in row {
                let _ = write!(s, " {c:>w$}");
            }
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(class: Class, score: f32) -> Verdict {
        Verdict { score, class }
    }

    #[test]
    fn tables_count_every_packet_with_design_denominators() {
        // 4 normal (1 rejected), 3 scan-syn (1 accepted), 2 flood-udp (both caught)
        let truth = [
            Class::Normal,
            Class::Normal,
            Class::Normal,
            Class::Normal,
            Class::ScanSyn,
            Class::ScanSyn,
            Class::ScanSyn,
            Class::FloodUdp,
            Class::FloodUdp,
        ];
        let a = Class::OtherAttack;
        let n = Class::Normal;
        let verdicts = [
            v(n, 0.1),
            v(n, 0.2),
            v(a, 0.9),
            v(n, 0.0),
            v(a, 0.8),
            v(n, 0.3),
            v(a, 0.95),
            v(a, 0.99),
            v(a, 0.7),
        ];
        let r = evaluate(&truth, &verdicts, &[n, a], true, 5);
        assert_eq!(r.packets, 9);
        assert_eq!(r.undecoded, 5);
        assert_eq!(r.table1.iter().map(|r| r.tested).sum::<u64>(), 9);
        assert_eq!(r.table1_paper[0].tested + r.table1_paper[1].tested, 9);
        assert_eq!(
            r.table2.far,
            Rate {
                rate: 0.2,
                count: 1,
                of: 5
            }
        );
        assert_eq!(
            r.table2.frr,
            Rate {
                rate: 0.25,
                count: 1,
                of: 4
            }
        );
        assert_eq!(r.far, 0.2);
        assert_eq!(r.frr, 0.25);
        assert!((r.accuracy - 7.0 / 9.0).abs() < 1e-12);
        let syn = r
            .table2
            .rows
            .iter()
            .find(|r| r.class == "scan-syn")
            .unwrap();
        assert_eq!(syn.far.as_ref().unwrap().count, 1);
        assert_eq!(r.confusion.counts[0], vec![3, 1]);
        assert_eq!(
            r.confusion.counts.iter().flatten().sum::<u64>(),
            9,
            "confusion adds up"
        );
        let text = r.to_text();
        assert!(text.contains("Table 1") && text.contains("Table 2") && text.contains("(1/5)"));
        let j = serde_json::to_value(&r).unwrap();
        for k in ["far", "frr", "accuracy", "table1", "table2", "confusion"] {
            assert!(j.get(k).is_some(), "{k}");
        }
    }

    #[test]
    fn multi_class_reports_exact_labels() {
        let truth = [Class::Normal, Class::ScanSyn, Class::ScanXmas];
        let verdicts = [
            v(Class::Normal, 0.0),
            v(Class::ScanXmas, 1.0),
            v(Class::ScanXmas, 1.0),
        ];
        let classes = [Class::Normal, Class::ScanSyn, Class::ScanXmas];
        let r = evaluate(&truth, &verdicts, &classes, false, 0);
        assert_eq!(r.accuracy, 1.0);
        assert!((r.label_accuracy.unwrap() - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(r.table1[1].label_correct, Some(0));
        assert_eq!(r.confusion.counts[1], vec![0, 0, 1]);
    }

    #[test]
    fn auc_counts_ties_half_and_needs_both_kinds() {
        assert_eq!(roc_auc(&[(0.1, false), (0.9, true)]), Some(1.0));
        assert_eq!(roc_auc(&[(0.9, false), (0.1, true)]), Some(0.0));
        assert_eq!(roc_auc(&[(0.5, false), (0.5, true)]), Some(0.5));
        assert_eq!(roc_auc(&[(0.5, true)]), None);
        assert_eq!(roc_auc(&[]), None);
    }
}
