//! Synthetic near-infrared eye images, deterministic from an identity seed and a capture seed.
//!
//! An **identity** fixes what a real iris fixes: the iris texture (radial fibres, crypts,
//! contraction furrows, the collarette and its zig-zag, the pupillary ruff, limbal darkening),
//! the iris size, the resting pupil/iris ratio, the pupil's offset from the iris centre and its
//! departure from a circle, grey levels of iris, sclera and skin, the shape of the eyelids and
//! how many lashes there are.
//!
//! A **capture** changes what changes between two photographs of the same eye: pupil dilation
//! (with the non-linear radial deformation of the iris that goes with it, and a small shift of
//! the pupil centre), head/eye roll of up to ±7°, translation, distance (scale), a few degrees of
//! off-axis gaze, eyelid positions, eyelashes, specular reflections of the illuminators, a
//! glasses reflection now and then, focus and motion blur, illumination gradients, vignetting,
//! gain, offset, gamma and sensor noise.
//!
//! Two styles, chosen by [`Size`]:
//! - [`Size::Casia`] (320×280, like CASIA-IrisV1): close-up, dark *uniform circular* pupil (that
//!   database filled the pupils), heavy upper-eyelid and eyelash occlusion, off-centre pupil.
//! - [`Size::Ice`] (640×480, like ICE 2005 / open-iris inputs): non-circular pupil, specular
//!   spots in and around the pupil, eyelashes, noisier and more varied illumination.
//!
//! Everything is computed from the seeds with a small xoshiro256** generator: the same
//! `(identity, capture, size)` always gives the same image, bit for bit.

use crate::segment::Circle;
use crate::util::{mix, Plane, Rng};
use image::GrayImage;
use std::f64::consts::{PI, TAU};

/// Image size and capture style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 320×280, CASIA-IrisV1-like.
    Casia,
    /// 640×480, ICE-like.
    Ice,
    /// Any size (each side clamped to 32..=4096), ICE-like style scaled to fit.
    Custom(u32, u32),
}

impl Size {
    /// Width and height in pixels.
    pub fn dims(self) -> (u32, u32) {
        match self {
            Size::Casia => (320, 280),
            Size::Ice => (640, 480),
            Size::Custom(w, h) => (w.clamp(32, 4096), h.clamp(32, 4096)),
        }
    }

    /// Parse `WxH` (`320x280` and `640x480` select the CASIA and ICE styles).
    pub fn parse(s: &str) -> Option<Size> {
        let (w, h) = s.trim().split_once(['x', 'X', '×'])?;
        let w: u32 = w.trim().parse().ok()?;
        let h: u32 = h.trim().parse().ok()?;
        Some(match (w, h) {
            (320, 280) => Size::Casia,
            (640, 480) => Size::Ice,
            (w, h) if (32..=4096).contains(&w) && (32..=4096).contains(&h) => Size::Custom(w, h),
            _ => return None,
        })
    }

    fn casia(self) -> bool {
        matches!(self, Size::Casia)
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (w, h) = self.dims();
        write!(f, "{w}x{h}")
    }
}

/// What the generator knows about an image it made (for tests and evaluation).
#[derive(Clone, Debug, PartialEq)]
pub struct Truth {
    /// Pupil circle (mean radius), image coordinates.
    pub pupil: Circle,
    /// Limbus circle, image coordinates.
    pub iris: Circle,
    /// Fraction of the iris annulus not hidden by eyelids, lashes or reflections.
    pub visible: f64,
    /// Eye roll of this capture, degrees (counter-clockwise in the image).
    pub rotation_deg: f64,
}

/// A synthetic eye image.
pub fn eye(identity: u64, capture: u64, size: Size) -> GrayImage {
    eye_with_truth(identity, capture, size).0
}

/// Encode a grey-level image as PNG.
pub fn to_png(img: &GrayImage) -> Result<Vec<u8>, crate::IrisError> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| crate::IrisError::Decode(format!("cannot encode PNG: {e}")))?;
    Ok(out.into_inner())
}

const TEX_R: usize = 64;
const TEX_T: usize = 1024;

/// The iris texture in polar coordinates: `TEX_R` radii (pupil → limbus) × `TEX_T` angles.
struct Texture {
    v: Vec<f32>,
}

impl Texture {
    /// Bilinear lookup at normalised radius `rho` (0..1) and angle `phi` (radians).
    fn at(&self, rho: f64, phi: f64) -> f64 {
        let y = rho.clamp(0.0, 1.0) * (TEX_R - 1) as f64;
        let x = phi.rem_euclid(TAU) / TAU * TEX_T as f64;
        let y0 = (y.floor() as usize).min(TEX_R - 1);
        let y1 = (y0 + 1).min(TEX_R - 1);
        let fy = y - y0 as f64;
        let x0 = (x.floor() as usize) % TEX_T;
        let x1 = (x0 + 1) % TEX_T;
        let fx = x - x.floor();
        let g = |yy: usize, xx: usize| f64::from(self.v[yy * TEX_T + xx]);
        let a = g(y0, x0) + (g(y0, x1) - g(y0, x0)) * fx;
        let b = g(y1, x0) + (g(y1, x1) - g(y1, x0)) * fx;
        a + (b - a) * fy
    }
}

/// Smooth periodic (in x) value noise on an `nx`×`ny` lattice, sampled on `w`×`h`.
fn value_noise(
    rng: &mut Rng,
    nx: usize,
    ny: usize,
    w: usize,
    h: usize,
    periodic: bool,
) -> Vec<f32> {
    let gx = if periodic { nx } else { nx + 1 };
    let grid: Vec<f64> = (0..gx * (ny + 1)).map(|_| rng.normal()).collect();
    let mut out = vec![0.0f32; w * h];
    let s = |t: f64| t * t * (3.0 - 2.0 * t);
    for y in 0..h {
        let fy = y as f64 / h.max(1) as f64 * ny as f64;
        let y0 = (fy.floor() as usize).min(ny - 1);
        let ty = s(fy - y0 as f64);
        for x in 0..w {
            let fx = x as f64 / w.max(1) as f64 * nx as f64;
            let x0 = (fx.floor() as usize).min(nx - 1);
            let x1 = if periodic { (x0 + 1) % nx } else { x0 + 1 };
            let tx = s(fx - x0 as f64);
            let g = |yy: usize, xx: usize| grid[yy * gx + xx];
            let a = g(y0, x0) + (g(y0, x1) - g(y0, x0)) * tx;
            let b = g(y0 + 1, x0) + (g(y0 + 1, x1) - g(y0 + 1, x0)) * tx;
            out[y * w + x] = (a + (b - a) * ty) as f32;
        }
    }
    out
}

fn smoothstep(e0: f64, e1: f64, x: f64) -> f64 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// Build an identity's iris texture: zero mean, about unit spread.
fn texture(rng: &mut Rng) -> Texture {
    let n = TEX_R * TEX_T;
    let mut v = vec![0.0f64; n];
    // Multi-scale stromal noise, elongated radially (fibrous).
    for &(nr, nt, amp) in &[
        (3usize, 20usize, 0.55f64),
        (6, 48, 0.6),
        (10, 110, 0.55),
        (16, 230, 0.4),
        (28, 420, 0.25),
    ] {
        let layer = value_noise(rng, nt, nr, TEX_T, TEX_R, true);
        for (d, s) in v.iter_mut().zip(&layer) {
            *d += amp * f64::from(*s);
        }
    }
    // Radial fibres (trabeculae): thin, wavy, mostly bright.
    let fibres = 500 + rng.below(500) as usize;
    let cells_per_rad = TEX_T as f64 / TAU;
    for _ in 0..fibres {
        let phi0 = rng.range(0.0, TAU);
        let ra = rng.range(0.0, 0.75);
        let rb = (ra + rng.range(0.15, 0.75)).min(1.0);
        let curve = rng.normal() * 0.25;
        let (wa, wf, wp) = (
            rng.range(0.0, 0.03),
            rng.range(1.0, 4.0),
            rng.range(0.0, TAU),
        );
        let sigma = rng.range(0.003, 0.012) * cells_per_rad;
        let amp = rng.range(0.3, 1.0) * if rng.chance(0.7) { 1.0 } else { -1.0 };
        let y0 = (ra * (TEX_R - 1) as f64).round() as usize;
        let y1 = (rb * (TEX_R - 1) as f64).round() as usize;
        for y in y0..=y1.min(TEX_R - 1) {
            let rho = y as f64 / (TEX_R - 1) as f64;
            let t = ((rho - ra) / (rb - ra).max(1e-6)).clamp(0.0, 1.0);
            let env = (PI * t).sin().max(0.0).sqrt();
            let phi = phi0 + curve * (rho - ra) + wa * (TAU * wf * rho + wp).sin();
            let cx = phi.rem_euclid(TAU) * cells_per_rad;
            let reach = (3.0 * sigma).ceil() as i64;
            for dx in -reach..=reach {
                let xx = (cx.round() as i64 + dx).rem_euclid(TEX_T as i64) as usize;
                let d = cx.round() + dx as f64 - cx;
                v[y * TEX_T + xx] += amp * env * (-d * d / (2.0 * sigma * sigma)).exp();
            }
        }
    }
    // Normalise the stroma before adding the discrete features.
    let (m, s) = crate::util::mean_std(v.iter().copied());
    for x in &mut v {
        *x = (*x - m) / s.max(1e-9);
    }
    // Collarette: a zig-zag ridge between the pupillary and the ciliary zone.
    let c0 = rng.range(0.22, 0.4);
    let harmonics: Vec<(f64, f64, f64)> = (0..4)
        .map(|_| {
            (
                (4 + rng.below(11)) as f64,
                rng.range(0.0, 0.025),
                rng.range(0.0, TAU),
            )
        })
        .collect();
    let ridge = rng.range(0.6, 1.3);
    let ridge_w = rng.range(0.015, 0.03);
    let zone = rng.range(-0.6, 0.6);
    let ruff = rng.range(0.6, 1.4);
    let limbal = rng.range(0.8, 1.8);
    for x in 0..TEX_T {
        let phi = x as f64 / cells_per_rad;
        let rc = c0
            + harmonics
                .iter()
                .map(|&(k, a, p)| a * (k * phi + p).sin())
                .sum::<f64>();
        for y in 0..TEX_R {
            let rho = y as f64 / (TEX_R - 1) as f64;
            let d = rho - rc;
            let mut add = ridge * (-d * d / (2.0 * ridge_w * ridge_w)).exp();
            if rho < rc {
                add += zone;
            }
            add -= ruff * (-rho / 0.03).exp();
            if rho > 0.82 {
                let t = (rho - 0.82) / 0.18;
                add -= limbal * t * t;
            }
            v[y * TEX_T + x] += add;
        }
    }
    // Crypts: dark lozenges near the collarette.
    for _ in 0..(6 + rng.below(20)) {
        let rc = rng.range(0.15, 0.8);
        let pc = rng.range(0.0, TAU);
        let sr = rng.range(0.03, 0.1);
        let sp = rng.range(0.03, 0.13);
        let depth = rng.range(1.2, 2.6);
        let rim = rng.range(0.0, 0.6);
        let y0 = ((rc - sr * 1.5).max(0.0) * (TEX_R - 1) as f64) as usize;
        let y1 = (((rc + sr * 1.5).min(1.0)) * (TEX_R - 1) as f64).ceil() as usize;
        let reach = (sp * 1.5 * cells_per_rad).ceil() as i64;
        let cx = (pc * cells_per_rad).round() as i64;
        for y in y0..=y1.min(TEX_R - 1) {
            let rho = y as f64 / (TEX_R - 1) as f64;
            for dx in -reach..=reach {
                let xx = (cx + dx).rem_euclid(TEX_T as i64) as usize;
                let dphi = dx as f64 / cells_per_rad;
                let q = ((rho - rc) / sr).abs() + (dphi / sp).abs();
                let core = 1.0 - smoothstep(0.6, 1.0, q);
                let ring = (-(q - 1.05) * (q - 1.05) / 0.02).exp();
                v[y * TEX_T + xx] += -depth * core + rim * ring;
            }
        }
    }
    // Contraction furrows: dark circumferential arcs in the ciliary zone.
    for _ in 0..(2 + rng.below(5)) {
        let rf = rng.range(0.55, 0.93);
        let start = rng.range(0.0, TAU);
        let extent = rng.range(0.5, 3.0);
        let wdt = rng.range(0.008, 0.02);
        let depth = rng.range(0.6, 1.3);
        let (wob, wobf) = (rng.range(0.0, 0.015), rng.range(2.0, 9.0));
        let n_x = (extent * cells_per_rad) as i64;
        for i in 0..n_x {
            let phi = start + i as f64 / cells_per_rad;
            let xx = (phi * cells_per_rad).round() as i64;
            let xx = xx.rem_euclid(TEX_T as i64) as usize;
            let t = i as f64 / n_x.max(1) as f64;
            let env = (PI * t).sin();
            let r = rf + wob * (wobf * phi).sin();
            for y in 0..TEX_R {
                let rho = y as f64 / (TEX_R - 1) as f64;
                let d = rho - r;
                v[y * TEX_T + xx] -= depth * env * (-d * d / (2.0 * wdt * wdt)).exp();
            }
        }
    }
    // Soft floor: crypts are dark, not black (iris tissue reflects near-infrared light).
    let (m, s) = crate::util::mean_std(v.iter().copied());
    Texture {
        v: v.iter()
            .map(|x| {
                let t = (x - m) / s.max(1e-9);
                let t = if t < -1.5 {
                    -1.5 - 0.8 * (1.0 - ((t + 1.5) / 0.8).exp())
                } else {
                    t
                };
                t as f32
            })
            .collect(),
    }
}

/// What an identity fixes.
struct Identity {
    tex: Texture,
    size: f64,
    ratio: f64,
    pupil_off: (f64, f64),
    pupil_harm: [(f64, f64); 2],
    limbus_harm: (f64, f64),
    iris_mean: f64,
    iris_contrast: f64,
    sclera: f64,
    skin: f64,
    pupil_level: f64,
    lid_up_curv: f64,
    lid_lo_curv: f64,
    lashes: f64,
}

fn identity(seed: u64, casia: bool) -> Identity {
    let mut rng = Rng::new(mix(&[seed, 0x1d]));
    let mut trng = rng.fork(1);
    let tex = texture(&mut trng);
    Identity {
        tex,
        size: rng.range(0.92, 1.08),
        ratio: rng.range(0.28, 0.5),
        pupil_off: (rng.range(-0.07, 0.07), rng.range(-0.02, 0.07)),
        pupil_harm: if casia {
            [(0.0, 0.0); 2]
        } else {
            [
                (rng.range(0.0, 0.04), rng.range(0.0, TAU)),
                (rng.range(0.0, 0.015), rng.range(0.0, TAU)),
            ]
        },
        limbus_harm: (rng.range(0.0, 0.02), rng.range(0.0, TAU)),
        iris_mean: if casia {
            rng.range(75.0, 125.0)
        } else {
            rng.range(80.0, 140.0)
        },
        iris_contrast: rng.range(0.12, 0.25),
        sclera: rng.range(150.0, 200.0),
        skin: rng.range(145.0, 210.0),
        pupil_level: rng.range(8.0, 32.0),
        lid_up_curv: rng.range(0.12, 0.3),
        lid_lo_curv: rng.range(0.08, 0.2),
        lashes: if casia {
            rng.range(60.0, 160.0)
        } else {
            rng.range(30.0, 120.0)
        },
    }
}

/// A synthetic eye image and what the generator knows about it.
pub fn eye_with_truth(identity_seed: u64, capture_seed: u64, size: Size) -> (GrayImage, Truth) {
    let casia = size.casia();
    let id = identity(identity_seed, casia);
    let mut rng = Rng::new(mix(&[identity_seed, capture_seed, 0xca]));
    let (w, h) = size.dims();
    let (wf, hf) = (f64::from(w), f64::from(h));
    let (w, h) = (w as usize, h as usize);

    // --- Geometry of this capture ---
    let unit = if casia {
        wf.min(hf * 320.0 / 280.0) / 320.0 * 96.0
    } else {
        (wf / 640.0).min(hf / 480.0) * 118.0
    };
    let r_iris = unit * id.size * rng.range(0.94, 1.06);
    let ratio = (id.ratio + rng.range(-0.1, 0.1)).clamp(0.2, 0.7);
    let beta = (0.9 * (ratio - id.ratio)).clamp(-0.12, 0.12);
    let r_pupil = ratio * r_iris;
    let pu = (id.pupil_off.0 + rng.normal() * 0.01) * r_iris;
    let pv = (id.pupil_off.1 + rng.normal() * 0.01) * r_iris;
    let psi = rng.range(-7.0, 7.0).to_radians();
    let gaze = rng
        .range(0.0, if casia { 6.0 } else { 12.0 })
        .to_radians()
        .cos();
    let gdir = rng.range(0.0, PI);
    let (gc, gs) = (gdir.cos(), gdir.sin());
    let margin = 3.0;
    let mut ex = wf / 2.0 + rng.range(-0.12, 0.12) * wf;
    let mut ey = hf / 2.0 + rng.range(-0.1, 0.1) * hf;
    if wf > 2.0 * (r_iris + margin) {
        ex = ex.clamp(r_iris + margin, wf - r_iris - margin);
    }
    if hf > 2.0 * (r_iris + margin) {
        ey = ey.clamp(r_iris + margin, hf - r_iris - margin);
    }
    let (cpsi, spsi) = (psi.cos(), psi.sin());
    let to_eye = |x: f64, y: f64| -> (f64, f64) {
        let (dx, dy) = (x - ex, y - ey);
        let u = cpsi * dx + spsi * dy;
        let v = -spsi * dx + cpsi * dy;
        let c = u * gc + v * gs;
        let k = 1.0 / gaze - 1.0;
        (u + k * c * gc, v + k * c * gs)
    };
    let to_image = |u: f64, v: f64| -> (f64, f64) {
        let c = u * gc + v * gs;
        let k = gaze - 1.0;
        let (u, v) = (u + k * c * gc, v + k * c * gs);
        (ex + cpsi * u - spsi * v, ey + spsi * u + cpsi * v)
    };

    // Eyelids (eye frame, v grows downwards): upper lid v = up0 + a·u²/R + t·u.
    let (up0, lo0) = if casia {
        (rng.range(-0.95, -0.4), rng.range(0.6, 1.1))
    } else {
        (rng.range(-1.15, -0.5), rng.range(0.65, 1.2))
    };
    let up_a = (id.lid_up_curv + rng.range(-0.04, 0.04)).max(0.05);
    let lo_a = (id.lid_lo_curv + rng.range(-0.03, 0.03)).max(0.03);
    let up_t = rng.range(-0.08, 0.08);
    let lo_t = rng.range(-0.06, 0.06);
    let upper = move |u: f64| r_iris * up0 + up_a * u * u / r_iris + up_t * u;
    let lower = move |u: f64| r_iris * lo0 - lo_a * u * u / r_iris + lo_t * u;

    // Grey levels.
    let pupil_level = id.pupil_level + rng.range(-4.0, 4.0);
    let iris_mean = id.iris_mean + rng.range(-6.0, 6.0);
    let contrast = id.iris_contrast * iris_mean * rng.range(0.85, 1.15);
    let sclera = id.sclera + rng.range(-10.0, 10.0);
    let skin = id.skin + rng.range(-10.0, 10.0);
    let shadow = rng.range(0.1, 0.35);
    let crease_h = rng.range(0.25, 0.5) * r_iris;

    let mut nrng = rng.fork(2);
    let skin_noise = value_noise(&mut nrng, (w / 24).max(2), (h / 24).max(2), w, h, false);
    let skin_fine = value_noise(&mut nrng, (w / 5).max(2), (h / 5).max(2), w, h, false);

    // --- Base rendering in the eye frame ---
    let mut img = Plane::new(w, h, 0.0);
    let mut in_pupil = vec![false; w * h];
    let mut iris_px = vec![false; w * h];
    let lim_w = 0.035 * r_iris;
    for y in 0..h {
        for x in 0..w {
            let (u, v) = to_eye(x as f64 + 0.5, y as f64 + 0.5);
            let (a, b) = (u - pu, v - pv);
            let r = a.hypot(b);
            let phi = b.atan2(a);
            let rp = r_pupil
                * (1.0
                    + id.pupil_harm[0].0 * (2.0 * phi + id.pupil_harm[0].1).cos()
                    + id.pupil_harm[1].0 * (3.0 * phi + id.pupil_harm[1].1).cos());
            let (cphi, sphi) = (phi.cos(), phi.sin());
            let bb = cphi * pu + sphi * pv;
            let cc = pu * pu + pv * pv - r_iris * r_iris;
            let rl = (-bb + (bb * bb - cc).max(0.0).sqrt())
                * (1.0 + id.limbus_harm.0 * (2.0 * (phi + psi) + id.limbus_harm.1).cos());
            let rho = (r - rp) / (rl - rp).max(1.0);
            let rho_t = rho + beta * rho * (1.0 - rho);
            let iris_v = iris_mean + contrast * id.tex.at(rho_t, phi);
            let sclera_v = sclera * (1.0 - 0.12 * ((u / r_iris).abs() - 1.0).max(0.0))
                + 4.0 * f64::from(skin_fine[y * w + x]);
            // pupil / iris / sclera with soft edges
            let t_p = smoothstep(-0.7, 0.7, r - rp);
            let t_l = smoothstep(-lim_w, lim_w, r - rl);
            let eye_v = pupil_level * (1.0 - t_p) + t_p * (iris_v * (1.0 - t_l) + sclera_v * t_l);
            // eyelids
            let vu = upper(u);
            let vl = lower(u);
            let soft = 0.8;
            let open = smoothstep(-soft, soft, v - vu) * smoothstep(-soft, soft, vl - v);
            let skin_v = skin
                + 10.0 * f64::from(skin_noise[y * w + x])
                + 3.0 * f64::from(skin_fine[y * w + x]);
            // dark lid margins and the shadow the upper lid casts on the eye
            let in_fissure = vu < vl;
            let crease = if in_fissure {
                let dc = v - (vu - crease_h);
                1.0 - 0.12 * (-dc * dc / (2.0 * (0.02 * r_iris).powi(2))).exp()
            } else {
                1.0
            };
            let margin_dark = if !in_fissure {
                1.0
            } else if v < vu {
                1.0 - 0.35 * (-(vu - v) / (0.025 * r_iris)).exp()
            } else if v > vl {
                1.0 - 0.25 * (-(v - vl) / (0.02 * r_iris)).exp()
            } else {
                1.0
            };
            let shade = if v > vu {
                1.0 - shadow * (-(v - vu) / (0.12 * r_iris)).exp()
            } else {
                1.0
            };
            let val = open * eye_v * shade + (1.0 - open) * skin_v * margin_dark * crease;
            img.data[y * w + x] = val as f32;
            let visible_eye = v > vu && v < vl;
            in_pupil[y * w + x] = r < rp && visible_eye;
            iris_px[y * w + x] = r >= rp && r < rl;
        }
    }

    // --- Eyelashes: dark tapered strokes from the lid margins ---
    let mut lash = Plane::new(w, h, 0.0);
    let n_up = (id.lashes * rng.range(0.6, 1.4)) as usize;
    let scale_px = r_iris / 100.0;
    for i in 0..(n_up + n_up / 3) {
        let is_upper = i < n_up;
        let u0 = rng.normal() * 0.6 * r_iris;
        let u0 = u0.clamp(-1.6 * r_iris, 1.6 * r_iris);
        let v0 = if is_upper { upper(u0) } else { lower(u0) };
        let len = if is_upper {
            rng.range(0.12, if casia { 0.55 } else { 0.45 }) * r_iris
        } else {
            rng.range(0.06, 0.2) * r_iris
        };
        let a = 0.6 * u0 / r_iris + rng.normal() * 0.3;
        let curl = rng.range(-0.7, 0.7);
        let (d0, d1) = ((a.sin(), a.cos()), ((a + curl).sin(), (a + curl).cos()));
        let p0 = (u0, v0);
        let p1 = (u0 + d0.0 * len * 0.55, v0 + d0.1 * len * 0.55);
        let p2 = (p1.0 + d1.0 * len * 0.45, p1.1 + d1.1 * len * 0.45);
        let width = rng.range(0.5, 1.5) * scale_px.max(0.5);
        let alpha = rng.range(0.5, 0.95);
        let steps = (len / 0.4).ceil().max(2.0) as usize;
        for s in 0..=steps {
            let t = s as f64 / steps as f64;
            let q = |a: f64, b: f64, c: f64| {
                (1.0 - t) * (1.0 - t) * a + 2.0 * (1.0 - t) * t * b + t * t * c
            };
            let (eu, ev) = (q(p0.0, p1.0, p2.0), q(p0.1, p1.1, p2.1));
            let (ix, iy) = to_image(eu, ev);
            let wd = width * (1.0 - 0.7 * t);
            let reach = (wd + 1.5).ceil() as i64;
            for dy in -reach..=reach {
                for dx in -reach..=reach {
                    let (px, py) = (ix.floor() as i64 + dx, iy.floor() as i64 + dy);
                    if px < 0 || py < 0 || px >= w as i64 || py >= h as i64 {
                        continue;
                    }
                    let d = (px as f64 + 0.5 - ix).hypot(py as f64 + 0.5 - iy);
                    let cov = alpha * (1.0 - smoothstep(wd - 0.5, wd + 0.5, d));
                    let k = py as usize * w + px as usize;
                    lash.data[k] = lash.data[k].max(cov as f32);
                }
            }
        }
    }
    let lash_level = rng.range(12.0, 45.0);
    for (v, &a) in img.data.iter_mut().zip(&lash.data) {
        *v = *v * (1.0 - a) + lash_level as f32 * a;
    }

    // --- Glasses reflection (ICE style, sometimes) ---
    if !casia && rng.chance(0.12) {
        let (gx, gy) = (rng.range(0.0, wf), rng.range(0.0, hf));
        let (rx, ry) = (rng.range(0.1, 0.35) * wf, rng.range(0.05, 0.2) * hf);
        let amp = rng.range(20.0, 55.0);
        for y in 0..h {
            for x in 0..w {
                let q = ((x as f64 - gx) / rx).powi(2) + ((y as f64 - gy) / ry).powi(2);
                img.data[y * w + x] += (amp * (1.0 - smoothstep(0.6, 1.0, q))) as f32;
            }
        }
    }

    // --- Optics: focus blur, sometimes motion blur ---
    let sigma = if casia {
        rng.range(0.4, 1.6)
    } else {
        rng.range(0.5, 2.0)
    } * (r_iris / 100.0).max(0.3);
    img = img.gaussian_blur(sigma);
    if !casia && rng.chance(0.2) {
        let n = 2 + rng.below(5) as usize;
        let k = vec![1.0 / (2 * n + 1) as f32; 2 * n + 1];
        img = if rng.chance(0.5) {
            img.convolve_sep(&k, &[1.0])
        } else {
            img.convolve_sep(&[1.0], &k)
        };
    }

    // --- Illumination, gain, gamma ---
    let grad = rng.range(0.0, 0.25);
    let gang = rng.range(0.0, TAU);
    let vign = rng.range(0.0, 0.25);
    let gain = rng.range(0.8, 1.2);
    let offset = rng.range(-15.0, 15.0);
    let gamma = rng.range(0.85, 1.2);
    let diag = wf.hypot(hf) / 2.0;
    for y in 0..h {
        for x in 0..w {
            let (dx, dy) = (x as f64 - wf / 2.0, y as f64 - hf / 2.0);
            let illum = 1.0 + grad * (dx * gang.cos() + dy * gang.sin()) / diag
                - vign * (dx * dx + dy * dy) / (diag * diag);
            let v = (f64::from(img.data[y * w + x]) * illum).max(0.0) / 255.0;
            img.data[y * w + x] = (255.0 * v.powf(gamma) * gain + offset) as f32;
        }
    }

    // --- Specular reflections of the illuminators ---
    let spots = if casia {
        usize::from(rng.chance(0.3))
    } else {
        1 + rng.below(3) as usize
    };
    let mut spec = Plane::new(w, h, 0.0);
    for s in 0..spots {
        let (su, sv) = if !casia && s < 2 {
            // in or around the pupil, where the illuminators usually land
            let ang = rng.range(0.0, TAU);
            let rr = rng.range(0.0, 1.3) * r_pupil;
            (pu + rr * ang.cos(), pv + rr * ang.sin())
        } else {
            let ang = rng.range(0.0, TAU);
            let rr = rng.range(0.3, 1.0) * r_iris;
            (rr * ang.cos(), rr * ang.sin())
        };
        let (sx, sy) = to_image(su, sv);
        let rad = rng.range(0.025, 0.08) * r_iris;
        let ring = !casia && rng.chance(0.2);
        let reach = (rad * 2.5).ceil() as i64;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let (px, py) = (sx.round() as i64 + dx, sy.round() as i64 + dy);
                if px < 0 || py < 0 || px >= w as i64 || py >= h as i64 {
                    continue;
                }
                let d = (px as f64 - sx).hypot(py as f64 - sy);
                let p = if ring {
                    let e = (d - rad) / (0.3 * rad);
                    (-e * e).exp()
                } else {
                    1.0 - smoothstep(0.6 * rad, 1.2 * rad, d)
                };
                let k = py as usize * w + px as usize;
                spec.data[k] = spec.data[k].max(p as f32);
            }
        }
    }

    // --- CASIA-IrisV1 filled its pupils with a uniform dark disc ---
    let flat_pupil = (pupil_level * 0.9).clamp(4.0, 40.0) as f32;
    let noise_sigma = if casia {
        rng.range(1.0, 3.5)
    } else {
        rng.range(1.5, 5.0)
    };
    let mut nz = rng.fork(3);
    for ((v, &s), &flat) in img.data.iter_mut().zip(&spec.data).zip(&in_pupil) {
        *v += (262.0 - *v) * s;
        *v += (nz.normal() * noise_sigma) as f32;
        if casia && flat {
            *v = flat_pupil;
        }
    }

    // --- Truth ---
    let (icx, icy) = to_image(0.0, 0.0);
    let (pcx, pcy) = to_image(pu, pv);
    let mut n_iris = 0usize;
    let mut n_vis = 0usize;
    for y in 0..h {
        for x in 0..w {
            let k = y * w + x;
            if !iris_px[k] {
                continue;
            }
            n_iris += 1;
            let (u, v) = to_eye(x as f64 + 0.5, y as f64 + 0.5);
            if v > upper(u) && v < lower(u) && lash.data[k] < 0.3 && spec.data[k] < 0.3 {
                n_vis += 1;
            }
        }
    }
    let truth = Truth {
        pupil: Circle {
            x: pcx,
            y: pcy,
            r: r_pupil,
        },
        iris: Circle {
            x: icx,
            y: icy,
            r: r_iris,
        },
        visible: if n_iris == 0 {
            0.0
        } else {
            n_vis as f64 / n_iris as f64
        },
        rotation_deg: -psi.to_degrees(),
    };
    (img.to_gray(), truth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        for size in [Size::Casia, Size::Ice, Size::Custom(100, 90)] {
            let a = eye(3, 4, size);
            let b = eye(3, 4, size);
            assert_eq!(a, b);
            assert_eq!((a.width(), a.height()), size.dims());
        }
        assert_ne!(eye(3, 4, Size::Casia), eye(3, 5, Size::Casia));
        assert_ne!(eye(3, 4, Size::Casia), eye(4, 4, Size::Casia));
    }

    #[test]
    fn size_parses() {
        assert_eq!(Size::parse("320x280"), Some(Size::Casia));
        assert_eq!(Size::parse("640X480"), Some(Size::Ice));
        assert_eq!(Size::parse("200x150"), Some(Size::Custom(200, 150)));
        assert_eq!(Size::parse("0x150"), None);
        assert_eq!(Size::parse("big"), None);
        assert_eq!(Size::Ice.to_string(), "640x480");
    }

    #[test]
    fn truth_is_plausible() {
        for i in 0..10 {
            let (img, t) = eye_with_truth(i, 0, Size::Casia);
            let ratio = t.pupil.r / t.iris.r;
            assert!((0.2..=0.7).contains(&ratio), "{ratio}");
            assert!(t.iris.x - t.iris.r >= 0.0 && t.iris.x + t.iris.r <= 320.0);
            assert!(t.visible > 0.2 && t.visible <= 1.0, "{}", t.visible);
            // the pupil is dark, the sclera/skin brighter
            let p = img.get_pixel(t.pupil.x as u32, t.pupil.y as u32)[0];
            assert!(p < 60, "pupil {p}");
        }
    }
}
