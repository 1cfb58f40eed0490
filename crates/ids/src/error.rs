//! Errors of the detector, sorted by fault: unreadable or malformed input files (captures,
//! labels, models), models this build cannot use, bad settings, training failures.

use crate::labels::LabelsError;

/// Everything that can go wrong in `nightjar-ids`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdsError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A capture could not be read at all.
    #[error("capture {path}: {source}")]
    Capture {
        /// The file.
        path: String,
        /// Why.
        source: nightjar_packet::PacketError,
    },
    /// A labels file was refused.
    #[error("labels {path}: {source}")]
    Labels {
        /// The file.
        path: String,
        /// Why.
        source: LabelsError,
    },
    /// Bytes that are not a Nightjar IDS model, or a damaged one.
    #[error("not a valid Nightjar IDS model: {0}")]
    ModelFormat(String),
    /// A model of another format version.
    #[error("model format version {found}; this build reads version {supported} (retrain the model with this build)")]
    ModelVersion {
        /// Version in the file.
        found: u32,
        /// Version this build reads.
        supported: u32,
    },
    /// A model whose features this build does not compute.
    #[error("model feature schema {found:?}; this build computes {expected:?} (retrain the model with this build)")]
    ModelSchema {
        /// Schema in the file.
        found: String,
        /// Schema this build computes for that feature kind.
        expected: String,
    },
    /// Settings that cannot be used.
    #[error("invalid settings: {0}")]
    Config(String),
    /// Training data that cannot be used (empty, a single class, ...).
    #[error("unusable data: {0}")]
    Data(String),
    /// The network library refused or failed.
    #[error("neural network: {0}")]
    Nn(#[from] nightjar_nn::NnError),
}
