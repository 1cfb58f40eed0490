//! Cover images: loading lossless images into 8-bit samples, refusing lossy formats, and writing
//! stego images back as PNG.
//!
//! A *carrier* is one colour sample (gray, or R, G, B) of one pixel; alpha samples are never
//! carriers. Carriers are numbered in raster order, colour channels interleaved (R, G, B of pixel
//! 0, then of pixel 1, ...): the paper's order.

use crate::analyze::Plane;
use crate::StegoError;
use image::{DynamicImage, ImageFormat};
use std::io::Cursor;

/// Largest accepted image, in pixels (≈ 100 megapixels), so hostile headers cannot make us
/// allocate without bound and carrier indices always fit in a u32.
pub const MAX_PIXELS: u64 = 100_000_000;

/// How the samples of a pixel are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// One gray sample.
    Gray,
    /// Gray then alpha.
    GrayAlpha,
    /// Red, green, blue.
    Rgb,
    /// Red, green, blue, alpha.
    Rgba,
}

impl Layout {
    /// Samples per pixel, alpha included.
    pub fn channels(self) -> usize {
        match self {
            Layout::Gray => 1,
            Layout::GrayAlpha => 2,
            Layout::Rgb => 3,
            Layout::Rgba => 4,
        }
    }

    /// Colour samples per pixel (the carriers), alpha excluded.
    pub fn color_channels(self) -> usize {
        match self {
            Layout::Gray | Layout::GrayAlpha => 1,
            Layout::Rgb | Layout::Rgba => 3,
        }
    }

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Gray => "gray",
            Layout::GrayAlpha => "gray+alpha",
            Layout::Rgb => "rgb",
            Layout::Rgba => "rgba",
        }
    }
}

/// An 8-bit image held as interleaved samples.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    width: u32,
    height: u32,
    layout: Layout,
    samples: Vec<u8>,
    source_format: &'static str,
    notes: Vec<String>,
}

/// Name a format for messages.
fn format_name(f: ImageFormat) -> &'static str {
    match f {
        ImageFormat::Png => "PNG",
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Gif => "GIF",
        ImageFormat::WebP => "WebP",
        ImageFormat::Pnm => "PNM",
        ImageFormat::Tiff => "TIFF",
        ImageFormat::Bmp => "BMP",
        ImageFormat::Avif => "AVIF",
        ImageFormat::Ico => "ICO",
        ImageFormat::Hdr => "Radiance HDR",
        ImageFormat::OpenExr => "OpenEXR",
        ImageFormat::Qoi => "QOI",
        ImageFormat::Dds => "DDS",
        ImageFormat::Farbfeld => "farbfeld",
        ImageFormat::Tga => "TGA",
        _ => "this format",
    }
}

impl Cover {
    /// Build a cover from raw interleaved samples (`width * height * layout.channels()` bytes).
    pub fn from_samples(
        width: u32,
        height: u32,
        layout: Layout,
        samples: Vec<u8>,
    ) -> Result<Cover, StegoError> {
        let pixels = u64::from(width) * u64::from(height);
        if pixels == 0 {
            return Err(StegoError::Decode("the image has no pixels".into()));
        }
        if pixels > MAX_PIXELS {
            return Err(StegoError::Decode(format!(
                "the image is {width}x{height}, larger than the {MAX_PIXELS}-pixel limit"
            )));
        }
        if samples.len() as u64 != pixels * layout.channels() as u64 {
            return Err(StegoError::Decode(format!(
                "{} samples given for a {width}x{height} {} image",
                samples.len(),
                layout.name()
            )));
        }
        Ok(Cover {
            width,
            height,
            layout,
            samples,
            source_format: "raw",
            notes: Vec::new(),
        })
    }

    /// Decode an image file's bytes. Lossless formats only: PNG, BMP, PGM/PPM/PAM (PNM) and TIFF.
    /// JPEG and other lossy or unsupported formats are refused with [`StegoError::LossyCover`] or
    /// [`StegoError::UnsupportedFormat`]; a corrupt file gives [`StegoError::Decode`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Cover, StegoError> {
        if bytes.is_empty() {
            return Err(StegoError::Decode("the file is empty".into()));
        }
        let format = image::guess_format(bytes).map_err(|_| {
            StegoError::UnsupportedFormat(
                "not a recognised image (expected PNG, BMP, PGM/PPM or TIFF)".into(),
            )
        })?;
        match format {
            ImageFormat::Png | ImageFormat::Bmp | ImageFormat::Pnm | ImageFormat::Tiff => {}
            ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Avif => {
                return Err(StegoError::LossyCover(format_name(format)));
            }
            other => {
                return Err(StegoError::UnsupportedFormat(format!(
                    "{} images are not supported as covers (use PNG, BMP, PGM/PPM or TIFF)",
                    format_name(other)
                )));
            }
        }
        let mut reader = image::ImageReader::with_format(Cursor::new(bytes), format);
        let mut limits = image::Limits::default();
        limits.max_alloc = Some(1 << 30);
        limits.max_image_width = Some(65_535);
        limits.max_image_height = Some(65_535);
        reader.limits(limits);
        let img = reader
            .decode()
            .map_err(|e| StegoError::Decode(format!("{} decoder: {e}", format_name(format))))?;
        let mut cover = Self::from_dynamic(img)?;
        cover.source_format = format_name(format);
        Ok(cover)
    }

    /// Read and decode an image file.
    pub fn open(path: &std::path::Path) -> Result<Cover, StegoError> {
        let bytes = std::fs::read(path).map_err(|e| StegoError::Io {
            path: path.display().to_string(),
            source: e,
        })?;
        Self::from_bytes(&bytes)
    }

    fn from_dynamic(img: DynamicImage) -> Result<Cover, StegoError> {
        let (w, h) = (img.width(), img.height());
        let mut notes = Vec::new();
        let (layout, samples) = match img {
            DynamicImage::ImageLuma8(b) => (Layout::Gray, b.into_raw()),
            DynamicImage::ImageLumaA8(b) => (Layout::GrayAlpha, b.into_raw()),
            DynamicImage::ImageRgb8(b) => (Layout::Rgb, b.into_raw()),
            DynamicImage::ImageRgba8(b) => (Layout::Rgba, b.into_raw()),
            other => {
                // 16-bit and floating-point images: reduce to 8 bits per sample. The stego image is
                // written as 8-bit PNG, so say so.
                notes.push(format!(
                    "the cover has {:?} samples; it was reduced to 8 bits per sample",
                    other.color()
                ));
                let has_alpha = other.color().has_alpha();
                let gray = other.color().channel_count() <= 2;
                match (gray, has_alpha) {
                    (true, false) => (Layout::Gray, other.into_luma8().into_raw()),
                    (true, true) => (Layout::GrayAlpha, other.into_luma_alpha8().into_raw()),
                    (false, false) => (Layout::Rgb, other.into_rgb8().into_raw()),
                    (false, true) => (Layout::Rgba, other.into_rgba8().into_raw()),
                }
            }
        };
        let mut c = Cover::from_samples(w, h, layout, samples)?;
        c.notes = notes;
        Ok(c)
    }

    /// Encode as PNG, keeping the layout (gray stays gray, alpha is kept untouched).
    pub fn to_png(&self) -> Result<Vec<u8>, StegoError> {
        let color = match self.layout {
            Layout::Gray => image::ExtendedColorType::L8,
            Layout::GrayAlpha => image::ExtendedColorType::La8,
            Layout::Rgb => image::ExtendedColorType::Rgb8,
            Layout::Rgba => image::ExtendedColorType::Rgba8,
        };
        let mut out = Vec::with_capacity(self.samples.len() / 2 + 1024);
        let enc = image::codecs::png::PngEncoder::new_with_quality(
            &mut out,
            image::codecs::png::CompressionType::Fast,
            image::codecs::png::FilterType::Adaptive,
        );
        image::ImageEncoder::write_image(enc, &self.samples, self.width, self.height, color)
            .map_err(|e| StegoError::Encode(e.to_string()))?;
        Ok(out)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Sample layout.
    pub fn layout(&self) -> Layout {
        self.layout
    }
    /// The format the cover was decoded from ("PNG", "BMP", ..., or "raw").
    pub fn source_format(&self) -> &'static str {
        self.source_format
    }
    /// Remarks made while loading (e.g. a 16-bit cover reduced to 8 bits).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// All samples, interleaved, alpha included.
    pub fn samples(&self) -> &[u8] {
        &self.samples
    }

    /// Number of carriers (colour samples).
    pub fn carriers(&self) -> usize {
        self.width as usize * self.height as usize * self.layout.color_channels()
    }

    /// Index into `samples` of carrier `i`.
    #[inline]
    pub(crate) fn sample_index(&self, i: usize) -> usize {
        let cc = self.layout.color_channels();
        let ch = self.layout.channels();
        if cc == ch {
            i
        } else {
            (i / cc) * ch + i % cc
        }
    }

    #[inline]
    pub(crate) fn carrier(&self, i: usize) -> u8 {
        self.samples[self.sample_index(i)]
    }

    #[inline]
    pub(crate) fn set_carrier(&mut self, i: usize, v: u8) {
        let s = self.sample_index(i);
        self.samples[s] = v;
    }

    /// Views of the colour planes (alpha excluded), for steganalysis.
    pub fn planes(&self) -> Vec<Plane<'_>> {
        let ch = self.layout.channels();
        (0..self.layout.color_channels())
            .map(|c| Plane {
                data: &self.samples,
                width: self.width as usize,
                height: self.height as usize,
                stride: ch,
                offset: c,
            })
            .collect()
    }
}
