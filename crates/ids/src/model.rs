//! Model files: a trained network with everything needed to feed it — feature kind and
//! schema, scaling, class list — in one versioned, checksummed file.
//!
//! Format (all integers little-endian):
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `NJIDSMDL` |
//! | 4 | format version, u32 = 1 |
//! | 4 | header length H, u32 (at most 16 MiB) |
//! | H | header, UTF-8 JSON ([`Header`]): schema id, feature kind, algorithm, output kind, classes, threshold, scaling, window capacities, training record |
//! | 8 | network length N, u64 (at most 1 GiB) |
//! | N | the network: `nightjar_nn::Mlp::to_bytes` or `Esn::to_bytes` (their own magic, version and CRC) |
//! | 8 | FNV-1a 64 of every byte before it |
//!
//! Loading checks, in order: magic, version, lengths, checksum, no trailing bytes, header JSON,
//! the schema id against the one this build computes for that feature kind, the scaling and
//! class list against the network's inputs and outputs. Any failure is a clear error; nothing
//! panics on bad bytes.

use crate::class::Class;
use crate::features::{FeatureKind, WindowConfig};
use crate::report::Verdict;
use crate::IdsError;
use nightjar_nn::{Esn, Matrix, Mlp, Scratch};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;

const MAGIC: &[u8; 8] = b"NJIDSMDL";
/// The model format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
const MAX_HEADER: usize = 16 << 20;
const MAX_NET: u64 = 1 << 30;

/// The learning algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Algo {
    /// Multi-layer perceptron trained by backpropagation.
    Mlp,
    /// Echo-state network with a ridge readout.
    Esn,
}

impl Algo {
    /// Name on the command line and in files.
    pub fn name(self) -> &'static str {
        match self {
            Algo::Mlp => "mlp",
            Algo::Esn => "esn",
        }
    }
}

/// Per-feature standardisation learnt on the training rows:
/// `z = clamp((x − mean) · scale, ±clip)` with `scale = 1 / max(std, MIN_STD)`, and `scale = 0`
/// for a feature that is constant in the training rows: the network never learnt anything
/// about it (its input weights kept their random initial values), so it must not let such a
/// feature speak when it does vary later.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scaling {
    pub mean: Vec<f32>,
    pub scale: Vec<f32>,
    pub clip: f32,
}

/// Smallest standard deviation used (features nearly constant in training are not blown up).
pub const MIN_STD: f32 = 0.05;
/// A feature whose training standard deviation is below this is constant: scale 0.
pub const CONSTANT_STD: f64 = 1e-6;
/// Standardised values are clipped to ±this.
pub const CLIP: f32 = 8.0;

impl Scaling {
    /// Mean and standard deviation of each column of `x` (`cols` wide).
    pub fn fit(x: &[f32], cols: usize) -> Scaling {
        let rows = x.len().checked_div(cols).unwrap_or(0);
        let mut sum = vec![0f64; cols];
        let mut sum2 = vec![0f64; cols];
        for r in x.chunks_exact(cols.max(1)).take(rows) {
            for ((s, s2), &v) in sum.iter_mut().zip(sum2.iter_mut()).zip(r) {
                *s += f64::from(v);
                *s2 += f64::from(v) * f64::from(v);
            }
        }
        let n = rows.max(1) as f64;
        let mean: Vec<f32> = sum.iter().map(|s| (s / n) as f32).collect();
        let scale = sum
            .iter()
            .zip(&sum2)
            .map(|(s, s2)| {
                let m = s / n;
                let sd = (s2 / n - m * m).max(0.0).sqrt();
                if sd < CONSTANT_STD {
                    0.0
                } else {
                    1.0 / (sd as f32).max(MIN_STD)
                }
            })
            .collect();
        Scaling {
            mean,
            scale,
            clip: CLIP,
        }
    }

    /// The identity scaling of `cols` features.
    pub fn identity(cols: usize) -> Scaling {
        Scaling {
            mean: vec![0.0; cols],
            scale: vec![1.0; cols],
            clip: f32::MAX,
        }
    }

    /// Standardise rows in place.
    pub fn apply(&self, x: &mut [f32]) {
        let cols = self.mean.len();
        if cols == 0 {
            return;
        }
        for r in x.chunks_exact_mut(cols) {
            for ((v, m), s) in r.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = ((*v - m) * s).clamp(-self.clip, self.clip);
            }
        }
    }

    /// Features ignored because they were constant in training.
    pub fn constant_features(&self) -> usize {
        self.scale.iter().filter(|s| **s == 0.0).count()
    }

    fn check(&self, cols: usize) -> Result<(), String> {
        if self.mean.len() != cols || self.scale.len() != cols {
            return Err(format!(
                "scaling has {} means and {} scales for {cols} features",
                self.mean.len(),
                self.scale.len()
            ));
        }
        if self.mean.iter().chain(&self.scale).any(|v| !v.is_finite())
            || self.scale.iter().any(|s| *s < 0.0)
            || self.clip.is_nan()
            || self.clip <= 0.0
        {
            return Err("scaling values must be finite with non-negative scales".into());
        }
        Ok(())
    }
}

/// The JSON header of a model file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Header {
    /// Feature schema id, e.g. `window/v2`.
    pub schema: String,
    /// Feature kind, `paper7` or `window`.
    pub features: String,
    pub n_features: usize,
    pub algo: Algo,
    /// `binary` (one output: 0 normal, 1 attack) or `multi` (one output per class).
    pub output: String,
    /// The output classes: `["normal", "attack"]` for binary models.
    pub classes: Vec<String>,
    /// Binary models: outputs at or above it are attacks.
    pub threshold: f32,
    pub scaling: Scaling,
    pub window: WindowConfig,
    /// How it was trained (free-form record: data, settings, history, timings).
    #[serde(default)]
    pub training: serde_json::Value,
}

/// The network inside.
#[derive(Clone)]
pub enum Net {
    Mlp(Box<Mlp>),
    Esn(Box<Esn>),
}

/// A loaded, checked model.
#[derive(Clone)]
pub struct Model {
    pub kind: FeatureKind,
    pub algo: Algo,
    pub binary: bool,
    /// Output classes (`[Normal, OtherAttack]` standing for normal/attack in binary models).
    pub classes: Vec<Class>,
    pub threshold: f32,
    pub scaling: Scaling,
    pub window: WindowConfig,
    pub training: serde_json::Value,
    pub net: Net,
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("kind", &self.kind)
            .field("algo", &self.algo)
            .field("binary", &self.binary)
            .field("classes", &self.classes)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

fn fnv1a(b: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &x in b {
        h ^= u64::from(x);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn bad(msg: impl Into<String>) -> IdsError {
    IdsError::ModelFormat(msg.into())
}

impl Model {
    fn header(&self) -> Header {
        Header {
            schema: self.kind.schema().to_string(),
            features: self.kind.name().to_string(),
            n_features: self.kind.n_features(),
            algo: self.algo,
            output: if self.binary { "binary" } else { "multi" }.to_string(),
            classes: if self.binary {
                vec!["normal".into(), "attack".into()]
            } else {
                self.classes
                    .iter()
                    .map(|c| c.as_str().to_string())
                    .collect()
            },
            threshold: self.threshold,
            scaling: self.scaling.clone(),
            window: self.window,
            training: self.training.clone(),
        }
    }

    /// Number of network outputs this model's class list implies.
    pub fn n_outputs(&self) -> usize {
        if self.binary {
            1
        } else {
            self.classes.len()
        }
    }

    /// The model as file bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, IdsError> {
        let header = serde_json::to_vec(&self.header())
            .map_err(|e| IdsError::Config(format!("model header: {e}")))?;
        let net = match &self.net {
            Net::Mlp(m) => m.to_bytes(),
            Net::Esn(e) => e.to_bytes(),
        };
        let mut out = Vec::with_capacity(40 + header.len() + net.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
        out.extend_from_slice(&header);
        out.extend_from_slice(&(net.len() as u64).to_le_bytes());
        out.extend_from_slice(&net);
        let sum = fnv1a(&out);
        out.extend_from_slice(&sum.to_le_bytes());
        Ok(out)
    }

    /// Parse and check model file bytes.
    pub fn from_bytes(b: &[u8]) -> Result<Model, IdsError> {
        if b.len() < 16 || &b[..8] != MAGIC {
            return Err(bad("no Nightjar IDS model magic (is this a model file?)"));
        }
        let version = u32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        if version != FORMAT_VERSION {
            return Err(IdsError::ModelVersion {
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        let hlen = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
        if hlen > MAX_HEADER {
            return Err(bad(format!("header length {hlen} is implausible")));
        }
        let h_end = 16 + hlen;
        let n_at = h_end + 8;
        if b.len() < n_at {
            return Err(bad("truncated (header)"));
        }
        let mut nl = [0u8; 8];
        nl.copy_from_slice(&b[h_end..n_at]);
        let nlen = u64::from_le_bytes(nl);
        if nlen > MAX_NET {
            return Err(bad(format!("network length {nlen} is implausible")));
        }
        let n_end = n_at + nlen as usize;
        if b.len() < n_end + 8 {
            return Err(bad("truncated (network)"));
        }
        if b.len() > n_end + 8 {
            return Err(bad(format!(
                "{} trailing bytes after the checksum",
                b.len() - n_end - 8
            )));
        }
        let mut cs = [0u8; 8];
        cs.copy_from_slice(&b[n_end..n_end + 8]);
        if u64::from_le_bytes(cs) != fnv1a(&b[..n_end]) {
            return Err(bad("checksum mismatch (the file is damaged)"));
        }
        let header: Header =
            serde_json::from_slice(&b[16..h_end]).map_err(|e| bad(format!("header: {e}")))?;
        let kind = FeatureKind::from_name(&header.features)
            .ok_or_else(|| bad(format!("unknown feature kind {:?}", header.features)))?;
        if header.schema != kind.schema() {
            return Err(IdsError::ModelSchema {
                found: header.schema,
                expected: kind.schema().to_string(),
            });
        }
        if header.n_features != kind.n_features() {
            return Err(IdsError::ModelSchema {
                found: format!("{} with {} features", header.schema, header.n_features),
                expected: format!("{} with {} features", kind.schema(), kind.n_features()),
            });
        }
        header.scaling.check(kind.n_features()).map_err(bad)?;
        let binary = match header.output.as_str() {
            "binary" => true,
            "multi" => false,
            o => return Err(bad(format!("unknown output kind {o:?}"))),
        };
        let classes: Vec<Class> = if binary {
            vec![Class::Normal, Class::OtherAttack]
        } else {
            let mut v = Vec::new();
            for c in &header.classes {
                let c: Class = c.parse().map_err(|e| bad(format!("classes: {e}")))?;
                if v.contains(&c) {
                    return Err(bad(format!("class {c} listed twice")));
                }
                v.push(c);
            }
            if v.len() < 2 || v.first() != Some(&Class::Normal) {
                return Err(bad(
                    "a multi-class model lists normal first and at least one attack class",
                ));
            }
            v
        };
        if !header.threshold.is_finite() {
            return Err(bad("threshold is not finite"));
        }
        let net_bytes = &b[n_at..n_end];
        let n_out = if binary { 1 } else { classes.len() };
        let net = match header.algo {
            Algo::Mlp => {
                let m = Mlp::from_bytes(net_bytes)?;
                if m.n_inputs() != kind.n_features() || m.n_outputs() != n_out {
                    return Err(bad(format!(
                        "network is {}→{} but the header says {}→{}",
                        m.n_inputs(),
                        m.n_outputs(),
                        kind.n_features(),
                        n_out
                    )));
                }
                Net::Mlp(Box::new(m))
            }
            Algo::Esn => {
                let e = Esn::from_bytes(net_bytes)?;
                if e.n_inputs() != kind.n_features() || e.n_outputs() != n_out || !e.is_fitted() {
                    return Err(bad(format!(
                        "network is {}→{}{} but the header says {}→{}",
                        e.n_inputs(),
                        e.n_outputs(),
                        if e.is_fitted() { "" } else { " (not fitted)" },
                        kind.n_features(),
                        n_out
                    )));
                }
                Net::Esn(Box::new(e))
            }
        };
        Ok(Model {
            kind,
            algo: header.algo,
            binary,
            classes,
            threshold: header.threshold,
            scaling: header.scaling,
            window: header.window,
            training: header.training,
            net,
        })
    }

    /// Write the model file (through a temporary file renamed into place).
    pub fn save(&self, path: &Path) -> Result<(), IdsError> {
        let bytes = self.to_bytes()?;
        write_atomic(path, &bytes)
    }

    /// Read and check a model file.
    pub fn load(path: &Path) -> Result<Model, IdsError> {
        let b = std::fs::read(path).map_err(|e| IdsError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Model::from_bytes(&b)
    }

    /// Verdicts for feature rows `x` (unscaled, `rows × kind.n_features()`), given as one or more
    /// sequences in time order (the ESN runs each from its zero state; the MLP ignores them).
    pub fn predict(&self, x: &[f32], sequences: &[Range<usize>]) -> Result<Vec<Verdict>, IdsError> {
        let cols = self.kind.n_features();
        if x.len() % cols != 0 {
            return Err(IdsError::Data(format!(
                "{} values are not rows of {cols} features",
                x.len()
            )));
        }
        let rows = x.len() / cols;
        let mut out = Vec::with_capacity(rows);
        match &self.net {
            Net::Mlp(m) => {
                const CHUNK: usize = 4096;
                let mut scratch = Scratch::new();
                let mut xb = Matrix::zeros(0, cols);
                let mut yb = Matrix::zeros(0, self.n_outputs());
                for chunk in x.chunks(CHUNK * cols) {
                    xb.rows = chunk.len() / cols;
                    xb.data.clear();
                    xb.data.extend_from_slice(chunk);
                    self.scaling.apply(&mut xb.data);
                    m.try_predict_into(&xb, &mut scratch, &mut yb)?;
                    self.verdicts(&yb, &mut out);
                }
            }
            Net::Esn(e) => {
                let mut covered = 0;
                for r in sequences {
                    if r.start != covered || r.end > rows || r.end < r.start {
                        return Err(IdsError::Data(
                            "sequences must cover the rows in order".into(),
                        ));
                    }
                    let mut xs =
                        Matrix::new(r.len(), cols, x[r.start * cols..r.end * cols].to_vec())?;
                    self.scaling.apply(&mut xs.data);
                    let y = e.try_predict(&xs)?;
                    self.verdicts(&y, &mut out);
                    covered = r.end;
                }
                if covered != rows {
                    return Err(IdsError::Data(
                        "sequences must cover the rows in order".into(),
                    ));
                }
            }
        }
        Ok(out)
    }

    fn verdicts(&self, y: &Matrix, out: &mut Vec<Verdict>) {
        let k = y.cols.max(1);
        for row in y.data.chunks_exact(k) {
            out.push(self.verdict(row));
        }
    }

    /// The verdict for one output row.
    pub fn verdict(&self, row: &[f32]) -> Verdict {
        if self.binary {
            let s = row.first().copied().unwrap_or(0.0);
            let s = if s.is_nan() { 0.0 } else { s };
            Verdict {
                score: s.clamp(0.0, 1.0),
                class: if s >= self.threshold {
                    Class::OtherAttack
                } else {
                    Class::Normal
                },
            }
        } else {
            let mut best = 0;
            for (i, v) in row.iter().enumerate() {
                if *v > row[best] || row[best].is_nan() {
                    best = i;
                }
            }
            let normal = row.first().copied().unwrap_or(0.0);
            Verdict {
                score: (1.0 - if normal.is_nan() { 0.0 } else { normal }).clamp(0.0, 1.0),
                class: self.classes.get(best).copied().unwrap_or(Class::Normal),
            }
        }
    }
}

/// Write `bytes` to `path` through a temporary file in the same directory, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IdsError> {
    use std::io::Write as _;
    let io = |e| IdsError::Io {
        path: path.display().to_string(),
        source: e,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "model".into());
    let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

#[cfg(test)]
pub(crate) mod tests;
