//! The whole recognition pipeline: image → segmentation → rubber sheet → iris code.
//!
//! [`template`] never returns a template it does not trust: images that are too small or
//! large, blank, in colour (from a file), without a pupil or a limbus, or whose iris is too
//! occluded (less than [`MIN_VISIBLE`] of the rubber sheet usable) give an [`IrisError`].

use crate::code::IrisCode;
use crate::encode;
use crate::error::IrisError;
use crate::normalise::{self, Normalised};
use crate::segment::{self, Segmentation};
use image::{DynamicImage, GrayImage, ImageReader};
use std::io::Cursor;
use std::path::Path;
use std::time::Instant;

/// Smallest usable fraction of the iris (rubber-sheet samples not under a lid, a lash or a
/// reflection). A quarter of a 4,096-bit code is still about a thousand bits, enough for the
/// key decoder, which treats masked bits as erasures. (Lowering it from 0.35 took one
/// 100-eye CASIA-like evaluation from 4 captures refused and 8 rejections to none refused and
/// 5 rejections: heavily lashed captures mostly regenerate the key.)
pub const MIN_VISIBLE: f64 = 0.25;
/// Largest file accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Colour photographs: mean |R−G| + |G−B| above this many grey levels.
pub const MAX_CHROMA: f64 = 6.0;

/// Where the time went, in milliseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Decoding the file (0 when given an image).
    pub decode_ms: f64,
    /// Segmentation.
    pub segment_ms: f64,
    /// Rubber sheet.
    pub normalise_ms: f64,
    /// Filtering and quantisation.
    pub encode_ms: f64,
}

impl Timings {
    /// Total.
    pub fn total_ms(&self) -> f64 {
        self.decode_ms + self.segment_ms + self.normalise_ms + self.encode_ms
    }
}

/// An enrolled or probe iris: its code and how it was obtained.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// The iris code (`encode::ROWS × encode::COLS`, 2 bits per sample, with mask).
    pub code: IrisCode,
    /// Pupil, limbus and eyelids found.
    pub segmentation: Segmentation,
    /// Fraction of the iris visible (usable rubber-sheet samples).
    pub quality: f64,
    /// Time spent per stage.
    pub timings: Timings,
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

/// Segment, unwrap and encode an eye image.
pub fn template(img: &GrayImage) -> Result<Template, IrisError> {
    template_and_sheet(img).map(|(t, _)| t)
}

/// Like [`template`], also returning the rubber sheet (for display and diagnostics).
pub fn template_and_sheet(img: &GrayImage) -> Result<(Template, Normalised), IrisError> {
    let t0 = Instant::now();
    let seg = segment::segment_full(img)?;
    from_segmentation(&seg, ms(t0))
}

/// Most segmentation hypotheses [`templates`] gives for one image, the first included.
pub const MAX_HYPOTHESES: usize = 4;

/// The template of [`template`] first, then those of up to `want − 1` other segmentation
/// hypotheses of the same image that pass every check ([`MAX_HYPOTHESES`] at most): another
/// candidate pupil, or the limbus circle that came second. Key regeneration tries them in
/// order when the first does not regenerate the key, since its check tag tells the right one
/// (a misplaced pupil or limbus is the commonest reason a good capture fails); each extra
/// hypothesis is one more guess an attacker's image also gets, which
/// [`crate::bind::eval`] counts in its guessing-resistance estimate.
pub fn templates(img: &GrayImage, want: usize) -> Result<Vec<Template>, IrisError> {
    let t0 = Instant::now();
    let segs = segment::segment_all(img, want.clamp(1, MAX_HYPOTHESES))?;
    let segment_ms = ms(t0);
    let mut out = Vec::with_capacity(segs.len());
    for (i, seg) in segs.iter().enumerate() {
        match from_segmentation(seg, segment_ms) {
            Ok((t, _)) => out.push(t),
            // the first hypothesis's error is the image's; the others just drop out
            Err(e) if i == 0 => return Err(e),
            Err(_) => {}
        }
    }
    Ok(out)
}

/// The codes of [`templates`] after the first (none when the image gives no template).
pub fn alternatives(img: &GrayImage) -> Vec<IrisCode> {
    templates(img, MAX_HYPOTHESES)
        .map(|ts| ts.into_iter().skip(1).map(|t| t.code).collect())
        .unwrap_or_default()
}

fn from_segmentation(
    seg: &segment::Segmented,
    segment_ms: f64,
) -> Result<(Template, Normalised), IrisError> {
    let t1 = Instant::now();
    let sheet = normalise::rubber_sheet(seg);
    let normalise_ms = ms(t1);
    let visible = sheet.visible();
    if visible < MIN_VISIBLE {
        return Err(IrisError::TooOccluded {
            visible,
            needed: MIN_VISIBLE,
        });
    }
    let t2 = Instant::now();
    let code = encode::encode(&sheet);
    let encode_ms = ms(t2);
    let valid = code.valid_bits() as f64 / code.len().max(1) as f64;
    if valid < MIN_VISIBLE {
        return Err(IrisError::TooOccluded {
            visible: valid,
            needed: MIN_VISIBLE,
        });
    }
    Ok((
        Template {
            code,
            segmentation: seg.seg.clone(),
            quality: visible,
            timings: Timings {
                decode_ms: 0.0,
                segment_ms,
                normalise_ms,
                encode_ms,
            },
        },
        sheet,
    ))
}

/// Decode image bytes (PNG, JPEG, BMP, PNM/PGM, TIFF) to grey levels. Colour images are refused
/// unless they are grey in all but name (R = G = B within [`MAX_CHROMA`]).
pub fn decode(bytes: &[u8]) -> Result<GrayImage, IrisError> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| IrisError::Decode(e.to_string()))?;
    let Some(format) = reader.format() else {
        return Err(IrisError::Decode(
            "unknown image format (supported: PNG, JPEG, BMP, PGM/PNM, TIFF)".into(),
        ));
    };
    if !format.reading_enabled() {
        return Err(IrisError::Decode(format!(
            "{format:?} images are not supported (supported: PNG, JPEG, BMP, PGM/PNM, TIFF); convert, e.g. to PNG"
        )));
    }
    let (w, h) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(|e| IrisError::Decode(e.to_string()))?;
    segment::check_size(w, h)?;
    let img = ImageReader::with_format(Cursor::new(bytes), format)
        .decode()
        .map_err(|e| IrisError::Decode(e.to_string()))?;
    let chroma = chroma(&img);
    if chroma > MAX_CHROMA {
        return Err(IrisError::Colour { chroma });
    }
    Ok(img.to_luma8())
}

/// Mean |R−G| + |G−B| (0 for grey images), on a subsample.
fn chroma(img: &DynamicImage) -> f64 {
    if !img.color().has_color() {
        return 0.0;
    }
    let rgb = img.to_rgb8();
    let (mut s, mut n) = (0.0f64, 0usize);
    for p in rgb.pixels().step_by(3) {
        let [r, g, b] = p.0.map(i32::from);
        s += f64::from((r - g).abs() + (g - b).abs());
        n += 1;
    }
    if n == 0 {
        0.0
    } else {
        s / n as f64
    }
}

/// Read, decode and encode an eye image file.
pub fn template_from_file(path: &Path) -> Result<Template, IrisError> {
    let t0 = Instant::now();
    let img = image_from_file(path)?;
    let decode_ms = ms(t0);
    let mut t = template(&img)?;
    t.timings.decode_ms = decode_ms;
    Ok(t)
}

/// Read and decode an eye image file ([`decode`]), refusing files over [`MAX_FILE_BYTES`].
pub fn image_from_file(path: &Path) -> Result<GrayImage, IrisError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| IrisError::Decode(format!("{}: {e}", path.display())))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(IrisError::Decode(format!(
            "{}: file too large ({} bytes, at most {MAX_FILE_BYTES})",
            path.display(),
            meta.len()
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| IrisError::Decode(format!("{}: {e}", path.display())))?;
    decode(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{eye, Size};

    #[test]
    fn same_eye_matches_other_eye_does_not() {
        let a = template(&eye(11, 1, Size::Casia)).unwrap();
        let b = template(&eye(11, 2, Size::Casia)).unwrap();
        let c = template(&eye(12, 1, Size::Casia)).unwrap();
        let g = crate::matching::best_match(&a.code, &b.code, 16).unwrap();
        let i = crate::matching::best_match(&a.code, &c.code, 16).unwrap();
        assert!(g.hd < 0.32, "genuine {g:?}");
        assert!(i.hd > 0.4, "impostor {i:?}");
        assert_eq!((a.code.rows, a.code.cols), (encode::ROWS, encode::COLS));
    }

    #[test]
    fn rejects_blank_and_tiny_images() {
        assert!(matches!(
            template(&GrayImage::from_pixel(320, 280, image::Luma([128]))),
            Err(IrisError::Blank { .. })
        ));
        assert!(matches!(
            template(&GrayImage::new(10, 10)),
            Err(IrisError::TooSmall { .. })
        ));
        assert!(matches!(decode(b"not an image"), Err(IrisError::Decode(_))));
    }
}
