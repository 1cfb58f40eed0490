//! Why an image gives no iris template. Every variant is an input problem: the pipeline never
//! returns a template it does not trust.

/// Errors of the recognition pipeline.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum IrisError {
    /// The file could not be read or decoded (or its format is not supported).
    #[error("cannot read the image: {0}")]
    Decode(String),
    /// Too few pixels to hold a usable iris.
    #[error("image too small: {width}×{height} pixels, an iris image needs at least {min}×{min}")]
    TooSmall {
        /// Width of the image.
        width: u32,
        /// Height of the image.
        height: u32,
        /// Smallest accepted side.
        min: u32,
    },
    /// More pixels than the pipeline accepts.
    #[error("image too large: {width}×{height} pixels, at most {max} on a side")]
    TooLarge {
        /// Width of the image.
        width: u32,
        /// Height of the image.
        height: u32,
        /// Largest accepted side.
        max: u32,
    },
    /// (Nearly) uniform image: nothing to segment.
    #[error("blank image: no contrast (standard deviation {std:.2} grey levels)")]
    Blank {
        /// Standard deviation of the grey levels.
        std: f64,
    },
    /// A colour photograph: iris cameras capture near-infrared grey-level images.
    #[error("not a near-infrared eye image: the image is in colour (mean chroma {chroma:.1})")]
    Colour {
        /// Mean absolute difference between colour channels, in grey levels.
        chroma: f64,
    },
    /// No dark, round, uniform pupil with a sharp boundary.
    #[error("no pupil found: {0}")]
    NoPupil(String),
    /// A pupil but no limbus (iris/sclera boundary) around it.
    #[error("no iris found: {0}")]
    NoIris(String),
    /// Eyelids, eyelashes and reflections hide too much of the iris.
    #[error(
        "iris too occluded: {:.0}% of the iris is visible, at least {:.0}% is needed",
        visible * 100.0,
        needed * 100.0
    )]
    TooOccluded {
        /// Fraction of the iris that is usable.
        visible: f64,
        /// Smallest fraction accepted.
        needed: f64,
    },
}
