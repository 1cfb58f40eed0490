//! Classification metrics: confusion matrix, the paper's Table 1 (per class tested / correctly
//! classified / misclassified), FAR and FRR with the denominators fixed in DESIGN §1, accuracy,
//! and ROC / AUC.
//!
//! * **FAR** (false acceptance rate) = attack samples classified as normal ÷ attack samples
//!   tested.
//! * **FRR** (false rejection rate) = normal samples classified as attack ÷ normal samples
//!   tested.
//!
//! With several attack classes, "attack" is every class other than the designated normal one; a
//! per-class FAR is that class's samples classified as normal ÷ that class's samples tested.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::NnError;

/// A ratio kept with its counts, so reports can print "5.81% (37/637)".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rate {
    /// Numerator.
    pub num: u64,
    /// Denominator.
    pub den: u64,
}

impl Rate {
    /// `num / den`, or NaN when nothing was tested (`den == 0`).
    pub fn value(&self) -> f64 {
        if self.den == 0 {
            f64::NAN
        } else {
            self.num as f64 / self.den as f64
        }
    }

    /// The rate in percent.
    pub fn percent(&self) -> f64 {
        100.0 * self.value()
    }
}

impl fmt::Display for Rate {
    /// `"5.81% (37/637)"`, or `"n/a (0/0)"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 0 {
            write!(f, "n/a (0/0)")
        } else {
            write!(f, "{:.2}% ({}/{})", self.percent(), self.num, self.den)
        }
    }
}

/// One row of the paper's Table 1.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCounts {
    /// Class name.
    pub name: String,
    /// Samples of this class tested.
    pub tested: u64,
    /// Of those, classified as this class ("No. classified" in the paper).
    pub correct: u64,
    /// Of those, classified as another class.
    pub misclassified: u64,
}

/// A confusion matrix: `count(actual, predicted)` over `n` named classes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    names: Vec<String>,
    /// Row-major `n × n`: row = actual class, column = predicted class.
    counts: Vec<u64>,
}

impl Confusion {
    /// An empty matrix over the named classes (at least one).
    pub fn new<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Result<Confusion, NnError> {
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        if names.is_empty() {
            return Err(NnError::BadData(
                "a confusion matrix needs at least one class".into(),
            ));
        }
        let n = names.len();
        let len = n
            .checked_mul(n)
            .ok_or_else(|| NnError::BadData("too many classes".into()))?;
        Ok(Confusion {
            names,
            counts: vec![0; len],
        })
    }

    /// A matrix filled from parallel lists of actual and predicted class indices.
    pub fn from_predictions<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        actual: &[usize],
        predicted: &[usize],
    ) -> Result<Confusion, NnError> {
        let mut c = Confusion::new(names)?;
        if actual.len() != predicted.len() {
            return Err(NnError::shape(
                "predicted",
                format!("{} labels", actual.len()),
                format!("{}", predicted.len()),
            ));
        }
        for (&a, &p) in actual.iter().zip(predicted) {
            c.add(a, p)?;
        }
        Ok(c)
    }

    /// A two-class matrix `[negative_name, positive_name]` from scores thresholded at
    /// `threshold` (score ≥ threshold → positive) and boolean labels (true = positive).
    pub fn from_scores(
        negative_name: &str,
        positive_name: &str,
        scores: &[f32],
        labels: &[bool],
        threshold: f32,
    ) -> Result<Confusion, NnError> {
        if scores.len() != labels.len() {
            return Err(NnError::shape(
                "labels",
                format!("{} labels", scores.len()),
                format!("{}", labels.len()),
            ));
        }
        if scores.iter().any(|s| s.is_nan()) {
            return Err(NnError::BadData("scores contain NaN".into()));
        }
        let mut c = Confusion::new([negative_name, positive_name])?;
        for (&s, &l) in scores.iter().zip(labels) {
            c.add(l as usize, (s >= threshold) as usize)?;
        }
        Ok(c)
    }

    /// Counts one sample.
    pub fn add(&mut self, actual: usize, predicted: usize) -> Result<(), NnError> {
        self.add_n(actual, predicted, 1)
    }

    /// Counts `k` samples of class `actual` predicted as `predicted`.
    pub fn add_n(&mut self, actual: usize, predicted: usize, k: u64) -> Result<(), NnError> {
        let n = self.n_classes();
        if actual >= n || predicted >= n {
            return Err(NnError::BadData(format!(
                "class ({actual}, {predicted}) out of {n} classes"
            )));
        }
        let c = &mut self.counts[actual * n + predicted];
        *c = c
            .checked_add(k)
            .ok_or_else(|| NnError::BadData("count overflow".into()))?;
        Ok(())
    }

    /// Number of classes.
    pub fn n_classes(&self) -> usize {
        self.names.len()
    }

    /// Class names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Samples of class `actual` predicted as `predicted` (0 out of range).
    pub fn count(&self, actual: usize, predicted: usize) -> u64 {
        let n = self.n_classes();
        if actual < n && predicted < n {
            self.counts[actual * n + predicted]
        } else {
            0
        }
    }

    /// Samples of `class` tested (row sum).
    pub fn tested(&self, class: usize) -> u64 {
        (0..self.n_classes()).map(|p| self.count(class, p)).sum()
    }

    /// Samples of `class` classified correctly.
    pub fn correct(&self, class: usize) -> u64 {
        self.count(class, class)
    }

    /// Samples of `class` classified as another class.
    pub fn misclassified(&self, class: usize) -> u64 {
        self.tested(class) - self.correct(class)
    }

    /// Samples predicted as `class` (column sum).
    pub fn predicted(&self, class: usize) -> u64 {
        (0..self.n_classes()).map(|a| self.count(a, class)).sum()
    }

    /// All samples.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// The paper's Table 1: per class tested / correctly classified / misclassified.
    pub fn per_class(&self) -> Vec<ClassCounts> {
        (0..self.n_classes())
            .map(|c| ClassCounts {
                name: self.names[c].clone(),
                tested: self.tested(c),
                correct: self.correct(c),
                misclassified: self.misclassified(c),
            })
            .collect()
    }

    /// Correct ÷ total.
    pub fn accuracy(&self) -> Rate {
        Rate {
            num: (0..self.n_classes()).map(|c| self.correct(c)).sum(),
            den: self.total(),
        }
    }

    /// Recall of `class`: correct ÷ tested.
    pub fn recall(&self, class: usize) -> Rate {
        Rate {
            num: self.correct(class),
            den: self.tested(class),
        }
    }

    /// Precision of `class`: correct ÷ predicted as it.
    pub fn precision(&self, class: usize) -> Rate {
        Rate {
            num: self.correct(class),
            den: self.predicted(class),
        }
    }

    /// FAR: samples of any class other than `normal` classified as `normal`, ÷ those samples.
    pub fn far(&self, normal: usize) -> Rate {
        let n = self.n_classes();
        let attacks = (0..n).filter(|&c| c != normal);
        Rate {
            num: attacks.clone().map(|c| self.count(c, normal)).sum(),
            den: attacks.map(|c| self.tested(c)).sum(),
        }
    }

    /// FRR: samples of `normal` classified as any other class, ÷ `normal` samples tested.
    pub fn frr(&self, normal: usize) -> Rate {
        Rate {
            num: self.misclassified(normal),
            den: self.tested(normal),
        }
    }

    /// Per-class FAR of attack class `class`: its samples classified as `normal` ÷ its samples.
    pub fn class_far(&self, class: usize, normal: usize) -> Rate {
        Rate {
            num: self.count(class, normal),
            den: self.tested(class),
        }
    }

    /// Detection rate of attack class `class`: its samples classified as *any* attack class
    /// (not necessarily the right one) ÷ its samples; `1 − class_far`.
    pub fn class_detection(&self, class: usize, normal: usize) -> Rate {
        Rate {
            num: self.tested(class) - self.count(class, normal),
            den: self.tested(class),
        }
    }

    /// The matrix collapsed to two classes, `[normal, "attack"]`.
    pub fn binary(&self, normal: usize) -> Confusion {
        let n = self.n_classes();
        let name = self
            .names
            .get(normal)
            .cloned()
            .unwrap_or_else(|| "normal".into());
        let mut counts = vec![0u64; 4];
        for a in 0..n {
            for p in 0..n {
                let (ba, bp) = ((a != normal) as usize, (p != normal) as usize);
                counts[ba * 2 + bp] += self.count(a, p);
            }
        }
        Confusion {
            names: vec![name, "attack".into()],
            counts,
        }
    }
}

impl fmt::Display for Confusion {
    /// The paper's Table 1 layout: class, tested, classified, misclassified.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let w = self
            .names
            .iter()
            .map(|s| s.len())
            .max()
            .unwrap_or(5)
            .max(10);
        writeln!(
            f,
            "{:<w$}  {:>8}  {:>10}  {:>13}",
            "class", "tested", "classified", "misclassified"
        )?;
        for c in self.per_class() {
            writeln!(
                f,
                "{:<w$}  {:>8}  {:>10}  {:>13}",
                c.name, c.tested, c.correct, c.misclassified
            )?;
        }
        Ok(())
    }
}

/// Area under the ROC curve for `scores` (higher = more positive) and `labels` (true =
/// positive): the probability that a random positive scores above a random negative, ties
/// counted one half (Mann–Whitney U with mid-ranks). Needs both classes and no NaN score.
pub fn roc_auc(scores: &[f32], labels: &[bool]) -> Result<f64, NnError> {
    let (pos, neg) = check_scores(scores, labels)?;
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut rank_sum = 0.0f64;
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let mid = (i + j) as f64 / 2.0 + 1.0;
        let p = idx[i..=j].iter().filter(|&&k| labels[k]).count();
        rank_sum += mid * p as f64;
        i = j + 1;
    }
    let (p, n) = (pos as f64, neg as f64);
    Ok((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

/// One point of a ROC curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RocPoint {
    /// Samples with score ≥ this are called positive.
    pub threshold: f32,
    /// False positive rate (negatives called positive ÷ negatives).
    pub fpr: f64,
    /// True positive rate (positives called positive ÷ positives).
    pub tpr: f64,
}

/// The ROC curve: one point per distinct score, from the highest threshold down, starting at
/// (0, 0) with threshold +∞ and ending at (1, 1).
pub fn roc_curve(scores: &[f32], labels: &[bool]) -> Result<Vec<RocPoint>, NnError> {
    let (pos, neg) = check_scores(scores, labels)?;
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut out = vec![RocPoint {
        threshold: f32::INFINITY,
        fpr: 0.0,
        tpr: 0.0,
    }];
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut i = 0;
    while i < idx.len() {
        let s = scores[idx[i]];
        while i < idx.len() && scores[idx[i]] == s {
            if labels[idx[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        out.push(RocPoint {
            threshold: s,
            fpr: fp as f64 / neg as f64,
            tpr: tp as f64 / pos as f64,
        });
    }
    Ok(out)
}

fn check_scores(scores: &[f32], labels: &[bool]) -> Result<(u64, u64), NnError> {
    if scores.len() != labels.len() {
        return Err(NnError::shape(
            "labels",
            format!("{} labels", scores.len()),
            format!("{}", labels.len()),
        ));
    }
    if scores.iter().any(|s| s.is_nan()) {
        return Err(NnError::BadData("scores contain NaN".into()));
    }
    let pos = labels.iter().filter(|&&l| l).count() as u64;
    let neg = labels.len() as u64 - pos;
    if pos == 0 || neg == 0 {
        return Err(NnError::BadData(
            "ROC needs both positive and negative samples".into(),
        ));
    }
    Ok((pos, neg))
}
