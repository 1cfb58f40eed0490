//! The MLP's byte format (version 1), all integers and floats little-endian:
//!
//! ```text
//! magic "NJMLP\0\0\0" (8) · version u16 = 1
//! activation u8 (0 sigmoid, 1 tanh, 2 relu, 3 identity) · output u8 (0 sigmoid, 1 softmax,
//! 2 identity) · loss u8 (0 mse, 1 cross-entropy)
//! optimizer u8 (0 sgd: lr f32, momentum f32 | 1 adam: lr, beta1, beta2, eps f32)
//! layer count u32 (= hidden layers + 2) · widths u64 × count
//! batch_size u64 · init_range f32 · max_epochs u64 · target_mse opt-f32 · patience opt-u64
//! seed u64 · shuffle u8 · class_weights: present u8 [· count u32 · f32 × count]
//! parameter count u64 · parameters f32 × count (finite)
//! CRC-32 of all preceding bytes u32
//! ```
//! `opt-T` is a byte 0 (absent) or 1 followed by the value. Decoding checks the checksum, every
//! tag and length, re-validates the settings with [`MlpParams::validate`], requires the parameter
//! count the widths imply, and rejects trailing bytes. Optimizer state is not stored.

use super::params::{MAX_HIDDEN_LAYERS, MAX_LAYER_WIDTH, MAX_PARAMETERS};
use super::{layout, Activation, Loss, Mlp, MlpParams, Optimizer, Output};
use crate::codec::{Reader, Writer};
use crate::NnError;

const MAGIC: &[u8; 8] = b"NJMLP\0\0\0";
/// The MLP format version this build writes and reads.
pub const MLP_FORMAT_VERSION: u16 = 1;

impl Mlp {
    /// The model (settings and weights) as versioned, checksummed bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let p = self.params.params();
        let mut w = Writer::default();
        w.bytes(MAGIC);
        w.u16(MLP_FORMAT_VERSION);
        w.u8(match p.activation {
            Activation::Sigmoid => 0,
            Activation::Tanh => 1,
            Activation::Relu => 2,
            Activation::Identity => 3,
        });
        w.u8(match p.output {
            Output::Sigmoid => 0,
            Output::Softmax => 1,
            Output::Identity => 2,
        });
        w.u8(match p.loss {
            Loss::Mse => 0,
            Loss::CrossEntropy => 1,
        });
        match p.optimizer {
            Optimizer::Sgd { lr, momentum } => {
                w.u8(0);
                w.f32(lr);
                w.f32(momentum);
            }
            Optimizer::Adam {
                lr,
                beta1,
                beta2,
                eps,
            } => {
                w.u8(1);
                w.f32(lr);
                w.f32(beta1);
                w.f32(beta2);
                w.f32(eps);
            }
        }
        let sizes = self.sizes();
        w.u32(sizes.len() as u32);
        for &s in sizes {
            w.usize(s);
        }
        w.usize(p.batch_size);
        w.f32(p.init_range);
        w.usize(p.max_epochs);
        w.opt_f32(p.target_mse);
        w.opt_usize(p.patience);
        w.u64(p.seed);
        w.u8(p.shuffle as u8);
        match &p.class_weights {
            Some(cw) => {
                w.u8(1);
                w.u32(cw.len() as u32);
                w.f32s(cw);
            }
            None => w.u8(0),
        }
        w.usize(self.theta.len());
        w.f32s(&self.theta);
        w.finish()
    }

    /// Reads a model written by [`Mlp::to_bytes`]. Any truncation, corruption, inconsistency,
    /// trailing data or unknown version is an error; no input makes this panic or allocate more
    /// than the input's size.
    pub fn from_bytes(b: &[u8]) -> Result<Mlp, NnError> {
        let mut r = Reader::open(b, MAGIC, MLP_FORMAT_VERSION)?;
        let activation = match r.u8()? {
            0 => Activation::Sigmoid,
            1 => Activation::Tanh,
            2 => Activation::Relu,
            3 => Activation::Identity,
            v => return Err(NnError::malformed(format!("unknown activation {v}"))),
        };
        let output = match r.u8()? {
            0 => Output::Sigmoid,
            1 => Output::Softmax,
            2 => Output::Identity,
            v => return Err(NnError::malformed(format!("unknown output {v}"))),
        };
        let loss = match r.u8()? {
            0 => Loss::Mse,
            1 => Loss::CrossEntropy,
            v => return Err(NnError::malformed(format!("unknown loss {v}"))),
        };
        let optimizer = match r.u8()? {
            0 => Optimizer::Sgd {
                lr: r.f32()?,
                momentum: r.f32()?,
            },
            1 => Optimizer::Adam {
                lr: r.f32()?,
                beta1: r.f32()?,
                beta2: r.f32()?,
                eps: r.f32()?,
            },
            v => return Err(NnError::malformed(format!("unknown optimizer {v}"))),
        };
        let count = r.u32()? as usize;
        if !(2..=MAX_HIDDEN_LAYERS + 2).contains(&count) {
            return Err(NnError::malformed(format!("{count} layers")));
        }
        let mut sizes = Vec::with_capacity(count);
        for _ in 0..count {
            sizes.push(r.usize_max("layer width", MAX_LAYER_WIDTH)?);
        }
        let batch_size = r.usize_max("batch_size", usize::MAX)?;
        let init_range = r.f32()?;
        let max_epochs = r.usize_max("max_epochs", usize::MAX)?;
        let target_mse = r.opt_f32("target_mse")?;
        let patience = r.opt_usize("patience", usize::MAX)?;
        let seed = r.u64()?;
        let shuffle = r.bool("shuffle")?;
        let class_weights = if r.bool("class_weights")? {
            let n = r.u32()? as usize;
            Some(r.f32s("class_weights", n)?)
        } else {
            None
        };
        let params = MlpParams {
            hidden: sizes[1..count - 1].to_vec(),
            activation,
            output,
            loss,
            optimizer,
            batch_size,
            init_range,
            max_epochs,
            target_mse,
            patience,
            seed,
            shuffle,
            class_weights,
        };
        let valid = params
            .validate(sizes[0], sizes[count - 1])
            .map_err(|e| NnError::malformed(format!("stored settings are invalid: {e}")))?;
        let (offsets, n_params) = layout(valid.sizes());
        let stored = r.usize_max("parameter count", MAX_PARAMETERS)?;
        if stored != n_params {
            return Err(NnError::malformed(format!(
                "{stored} parameters for a network that has {n_params}"
            )));
        }
        let theta = r.f32s("parameters", n_params)?;
        r.end()?;
        Ok(Mlp {
            params: valid,
            theta,
            offsets,
            threads: 1,
        })
    }
}
