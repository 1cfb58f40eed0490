//! The crate's error type, sorted by whose fault it is (DESIGN §11).

use thiserror::Error;

/// Everything that can go wrong in `nightjar-nn`.
///
/// Variants are grouped by fault: a bad setting chosen by the caller ([`NnError::InvalidParam`]),
/// data that does not fit the model or is not usable ([`NnError::Shape`], [`NnError::BadData`]),
/// bytes that are not a model of ours ([`NnError::Malformed`], [`NnError::UnsupportedVersion`]),
/// and numerical failure ([`NnError::Singular`]).
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum NnError {
    /// A hyper-parameter is out of its domain (local configuration error).
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParam {
        /// The parameter's field name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// Matrix dimensions do not agree with each other or with the model.
    #[error("shape mismatch in {what}: expected {expected}, got {got}")]
    Shape {
        /// Which argument.
        what: &'static str,
        /// The expected shape, in words.
        expected: String,
        /// The shape that was given.
        got: String,
    },
    /// The data cannot be used: empty, not finite, targets out of range.
    #[error("unusable data: {0}")]
    BadData(String),
    /// The bytes are not a valid serialized model (truncated, corrupted, inconsistent).
    #[error("malformed model bytes: {0}")]
    Malformed(String),
    /// The bytes are a model of ours, but of a format version this build does not read.
    #[error("unsupported model format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// The version in the bytes.
        found: u16,
        /// The version this build reads and writes.
        supported: u16,
    },
    /// The linear system of the ridge readout is not positive definite (use `ridge > 0`).
    #[error(
        "normal equations are not positive definite (pivot {pivot} of {size}); increase `ridge`"
    )]
    Singular {
        /// Index of the failing pivot.
        pivot: usize,
        /// Size of the system.
        size: usize,
    },
    /// The model has not been fitted yet.
    #[error("the model has not been fitted")]
    NotFitted,
}

impl NnError {
    pub(crate) fn param(name: &'static str, reason: impl Into<String>) -> Self {
        NnError::InvalidParam {
            name,
            reason: reason.into(),
        }
    }

    pub(crate) fn shape(
        what: &'static str,
        expected: impl Into<String>,
        got: impl Into<String>,
    ) -> Self {
        NnError::Shape {
            what,
            expected: expected.into(),
            got: got.into(),
        }
    }

    pub(crate) fn malformed(reason: impl Into<String>) -> Self {
        NnError::Malformed(reason.into())
    }
}
