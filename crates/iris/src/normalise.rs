//! Daugman's rubber sheet: the iris annulus unwrapped to a fixed rectangle of radius × angle,
//! with a mask of the samples that are not iris (eyelids, lashes, reflections, off-image).
//!
//! Along the ray from the pupil centre at angle θ, radius ρ ∈ [0, 1] runs linearly from the
//! pupil boundary to the limbus circle (where the ray meets it: the circles need not be
//! concentric), `x(ρ, θ) = (1 − ρ)·p(θ) + ρ·l(θ)`. This absorbs pupil dilation (linearly; the
//! real iris deforms a little non-linearly) and the pupil's offset. Rows are sampled for
//! ρ ∈ [[`RHO_IN`], [`RHO_OUT`]]: the few percent next to each boundary are where a circle fit
//! errs most. Each output sample is the mean of 2×2 bilinear samples (anti-aliasing: the
//! limbus circumference is longer than the row).
//!
//! Angle θ is measured counter-clockwise in the image from the +x axis; column `j` covers
//! θ ∈ [2πj/COLS, 2π(j+1)/COLS). Rotating the eye counter-clockwise by one column moves the
//! texture to the next column.

use crate::segment::{Circle, Segmented};

/// Rubber-sheet rows (radial samples).
pub const RADIAL: usize = 32;
/// Rubber-sheet columns (angular samples): one per code column.
pub const ANGULAR: usize = crate::encode::COLS;
/// Innermost radius sampled (fraction of the pupil→limbus distance).
pub const RHO_IN: f64 = 0.04;
/// Outermost radius sampled.
pub const RHO_OUT: f64 = 0.9;

/// An unwrapped iris.
#[derive(Clone, Debug, PartialEq)]
pub struct Normalised {
    /// Rows (radius, pupil side first).
    pub rows: usize,
    /// Columns (angle).
    pub cols: usize,
    /// Grey levels, row-major.
    pub pixels: Vec<f32>,
    /// `true` where the sample is iris (usable).
    pub valid: Vec<bool>,
}

impl Normalised {
    /// Fraction of usable samples.
    pub fn visible(&self) -> f64 {
        if self.valid.is_empty() {
            return 0.0;
        }
        self.valid.iter().filter(|&&v| v).count() as f64 / self.valid.len() as f64
    }

    /// As an 8-bit image (masked samples black), for display.
    pub fn to_image(&self) -> image::GrayImage {
        let raw = self
            .pixels
            .iter()
            .zip(&self.valid)
            .map(|(&p, &v)| {
                if v {
                    p.round().clamp(1.0, 255.0) as u8
                } else {
                    0
                }
            })
            .collect();
        image::GrayImage::from_raw(self.cols as u32, self.rows as u32, raw)
            .unwrap_or_else(|| image::GrayImage::new(0, 0))
    }
}

/// Distance from `c0` along unit direction `(ux, uy)` to circle `c` (0 if the ray starts
/// outside it and misses).
fn ray_circle(c0: (f64, f64), (ux, uy): (f64, f64), c: &Circle) -> f64 {
    let (dx, dy) = (c0.0 - c.x, c0.1 - c.y);
    let b = ux * dx + uy * dy;
    let cc = dx * dx + dy * dy - c.r * c.r;
    let disc = b * b - cc;
    if disc < 0.0 {
        return 0.0;
    }
    (-b + disc.sqrt()).max(0.0)
}

/// Unwrap the iris of a segmented image.
pub(crate) fn rubber_sheet(s: &Segmented) -> Normalised {
    const SUB: usize = 2;
    let (rows, cols) = (RADIAL, ANGULAR);
    let seg = &s.work;
    let img = &s.image;
    let (w, h) = (img.w, img.h);
    let p = &seg.pupil;
    let nr = rows * SUB;
    let na = cols * SUB;
    let mut pixels = vec![0.0f32; rows * cols];
    let mut valid = vec![false; rows * cols];
    let mut acc = vec![(0.0f32, 0u8); rows * cols];
    for j in 0..na {
        let th = std::f64::consts::TAU * (j as f64 + 0.5) / na as f64;
        let (ux, uy) = (th.cos(), -th.sin());
        let t_lim = ray_circle((p.x, p.y), (ux, uy), &seg.iris).max(p.r + 1.0);
        for i in 0..nr {
            let rho = RHO_IN + (RHO_OUT - RHO_IN) * (i as f64 + 0.5) / nr as f64;
            let d = (1.0 - rho) * p.r + rho * t_lim;
            let (x, y) = (p.x + d * ux, p.y + d * uy);
            if x < 0.0 || y < 0.0 || x > (w - 1) as f64 || y > (h - 1) as f64 {
                continue;
            }
            if seg.under_lid(x, y) {
                continue;
            }
            let k = (y.round() as usize).min(h - 1) * w + (x.round() as usize).min(w - 1);
            if s.noise[k] {
                continue;
            }
            let o = (i / SUB) * cols + j / SUB;
            acc[o].0 += img.bilinear(x as f32, y as f32);
            acc[o].1 += 1;
        }
    }
    for (o, &(sum, n)) in acc.iter().enumerate() {
        if n as usize * 2 >= SUB * SUB {
            pixels[o] = sum / f32::from(n);
            valid[o] = true;
        }
    }
    Normalised {
        rows,
        cols,
        pixels,
        valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ray_meets_circle() {
        let c = Circle {
            x: 0.0,
            y: 0.0,
            r: 10.0,
        };
        assert!((ray_circle((0.0, 0.0), (1.0, 0.0), &c) - 10.0).abs() < 1e-9);
        assert!((ray_circle((3.0, 0.0), (1.0, 0.0), &c) - 7.0).abs() < 1e-9);
        assert!((ray_circle((3.0, 0.0), (-1.0, 0.0), &c) - 13.0).abs() < 1e-9);
        assert_eq!(ray_circle((30.0, 0.0), (0.0, 1.0), &c), 0.0);
    }
}
