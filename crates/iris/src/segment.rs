//! Segmentation: where the iris is in an eye image, and which parts of it can be trusted.
//!
//! # Method
//!
//! 1. **Working copy.** Images larger than 400 px on a side are box-averaged down by an integer
//!    factor. Blank images (grey-level spread below [`MIN_STD`]) are rejected.
//! 2. **Specular reflections** (glints of the illuminators, glasses reflections) are found with a
//!    white top-hat (image minus its morphological opening, computed at half resolution with
//!    van Herk/Gil–Werman min/max filters): small regions much brighter than their surroundings.
//!    They are *filled first* — each pixel by the mean of a horizontal and a vertical linear
//!    interpolation between the nearest unmasked pixels — so a glint in the pupil neither breaks
//!    the pupil's edge nor looks like texture, and they stay in the noise mask.
//! 3. **Pupil, coarse.** On a copy reduced to about 160 px on its short side, the darkest
//!    blob-like places (local minima of a box-blurred image) are candidate centres. Around each,
//!    Daugman's integro-differential operator — the radial derivative of the mean grey level on
//!    circles, `max_(r,x0,y0) ∂/∂r ∮ I(x,y) ds / 2πr`, here as a difference of ring means two
//!    pixels apart — is maximised over centres and radii. The circle's top 60° is left out
//!    (upper eyelid and lashes), and the score is penalised by how much brighter the disc is
//!    than its darkest rings (a pupil is uniformly dark; the limbus seen from the pupil centre
//!    is not).
//! 4. **Pupil, fine.** The same operator at full working resolution, bilinear samples on 96
//!    rays, ±1 coarse pixel around the coarse answer, radius in half-pixel steps.
//! 5. **Checks** reject what is not a pupil: the disc must be among the darkest parts of the
//!    image, uniform, clearly darker than the ring around it, with a dark-to-bright edge on most
//!    of its circumference ([`IrisError::NoPupil`]).
//! 6. **Limbus, coarse then fine.** The operator again on the two lateral arcs only (−25°…+35°
//!    and 145°…205°: eyelids cover the top and bottom), with a wider derivative (the limbus is
//!    soft), over centres up to half a pupil radius from the pupil centre and radii giving a
//!    pupil/iris ratio between 0.17 and 0.78. Checked: iris darker than the sclera on most
//!    lateral rays, brighter than the pupil ([`IrisError::NoIris`]). Only when no pupil
//!    candidate gives a limbus that way, the search and its checks run again for the reverse
//!    step around clear pupils (a light iris brighter than a shaded sclera). Each pupil
//!    candidate that passes, and the limbus circle that came second, are kept as hypotheses
//!    for key regeneration (`segment_all`).
//! 7. **Eyelids.** Parabolas `y = y0 ± a(x−x0)² + t(x−x0)` searched over vertex height, curvature
//!    and tilt, scoring the bright-skin-above/darker-eye-below step (upper lid; the reverse for the
//!    lower lid) along the curve across the iris, with clipped per-column differences (lashes,
//!    glints) and the pupil's own edge excluded.
//! 8. **Eyelashes and dark noise.** Inside the iris: pixels much darker than the iris (close to
//!    the pupil's grey level), and thin dark structures found by a black top-hat (closing minus
//!    image, 5×5) that are also darker than the iris median; dilated by one pixel.
//!
//! Coordinates in [`Segmentation`] are those of the input image.
//!
//! # Real captures versus the generator
//!
//! Real near-infrared captures do things [`crate::synth`] does not, or does only in part. What
//! they do, and what this code does about it:
//!
//! - **Non-circular pupils** (pupils are often slightly elliptical or irregular; off-axis views
//!   make them more so). The generator adds 2nd/3rd harmonics of a few percent. Here the circle is
//!   the best fit by the operator; the rubber sheet starts a few percent outside it (ρ ≥ 0.03)
//!   and the encoder averages radial bands, so a few pixels of misfit cost little. Strongly
//!   elliptical pupils (beyond ~10 %) would need an active-contour or ellipse fit: not done.
//! - **Off-axis gaze** (the iris is foreshortened into an ellipse; pupil and limbus centres
//!   differ). The generator foreshortens up to 12°. Pupil and limbus are fitted separately with
//!   independent centres, and the rubber sheet runs along rays from the pupil centre to the
//!   limbus circle, which absorbs a few degrees. Larger gaze angles are not corrected.
//! - **Hair, lashes and heavy eyelids.** Lashes are masked by darkness and by a black top-hat,
//!   eyelids by parabola fits; the lateral-arc limbus search and the skipped top sector of the
//!   pupil search keep them from pulling the circles. Lashes lighter than the iris (mascara-free
//!   blond lashes in NIR) are missed: they add bit errors, not false segmentation.
//! - **Strong glints, ring-shaped illuminator reflections, glasses reflections.** Small bright
//!   spots are removed by the top-hat and filled before any search. Large, smooth glasses
//!   reflections are wider than the top-hat and are not masked; they lower contrast and add bit
//!   errors. Heavily saturated images are not specially handled.
//! - **Motion and focus blur.** The generator blurs; real motion blur can be stronger. Edges are
//!   measured with a derivative over ±2 pixels and the encoder uses a band-pass filter whose
//!   wavelength is far above the blur. There is no blur-quality rejection: a very blurred image
//!   gives a high Hamming distance (a failed match), not a false one.
//! - **Sensor noise, uneven illumination, low contrast.** All thresholds are relative to grey
//!   levels measured in the image (pupil, iris, surroundings) rather than absolute, except the
//!   blank-image test. The encoder's phase bits ignore gain and offset by construction.
//! - **Iris partly outside the frame.** Samples outside the image are masked and do not vote in
//!   the circle search; the visible-fraction test then decides.
//! - **Contact lenses with printed texture, pupils dilated by drugs, very small irises (under
//!   ~40 px radius), colour or visible-light images.** Not handled: colour photographs are
//!   rejected when decoded from a file ([`IrisError::Colour`]); the others may give poor codes.
//! - **Pupils that are not the darkest region** (dark mascara, dark frames of glasses, dark
//!   backgrounds). Several dark candidates are tried and each must pass the pupil checks and
//!   have a limbus around it; the best-scoring one that passes both wins.

use crate::error::IrisError;
use crate::util::{quantiles, Plane};
use image::GrayImage;

/// Smallest image side accepted.
pub const MIN_SIDE: u32 = 64;
/// Largest image side accepted.
pub const MAX_SIDE: u32 = 4096;
/// Images with a smaller grey-level standard deviation are blank.
pub const MIN_STD: f64 = 4.0;
/// Working images are reduced to at most this many pixels on a side.
const WORK_MAX: usize = 400;

/// A circle in image coordinates (pixels; x right, y down).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Circle {
    /// Centre, x.
    pub x: f64,
    /// Centre, y.
    pub y: f64,
    /// Radius.
    pub r: f64,
}

/// An eyelid boundary: `y = y0 + a·(x − x0)² + t·(x − x0)` (image coordinates). For the upper
/// lid `a ≥ 0` and the lid covers `y <` the curve; for the lower lid `a ≤ 0` and it covers
/// `y >` the curve.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lid {
    /// Vertex x.
    pub x0: f64,
    /// Vertex y.
    pub y0: f64,
    /// Curvature.
    pub a: f64,
    /// Tilt.
    pub t: f64,
}

impl Lid {
    /// The lid's y at column `x`.
    pub fn y(&self, x: f64) -> f64 {
        let d = x - self.x0;
        self.y0 + self.a * d * d + self.t * d
    }

    fn scaled(&self, k: f64) -> Lid {
        Lid {
            x0: self.x0 * k,
            y0: self.y0 * k,
            a: self.a / k,
            t: self.t,
        }
    }
}

/// Where the iris is and what hides it.
#[derive(Clone, Debug, PartialEq)]
pub struct Segmentation {
    /// Pupil boundary.
    pub pupil: Circle,
    /// Limbus (iris/sclera boundary).
    pub iris: Circle,
    /// Upper eyelid boundary.
    pub upper_lid: Lid,
    /// Lower eyelid boundary.
    pub lower_lid: Lid,
    /// Pixels (of the working image) taken as specular reflections and filled.
    pub reflection_pixels: usize,
    /// Pixels (of the working image) inside the iris taken as eyelashes or dark noise.
    pub lash_pixels: usize,
    /// How well the best clearly different limbus circle (radius more than 10% apart) explains
    /// the iris/sclera edges, relative to the one chosen: near 0 for a clear limbus, near 1
    /// when two circles fit about as well (a light iris fading into the sclera, say).
    pub limbus_ambiguity: f64,
}

impl Segmentation {
    /// Whether point `(x, y)` is covered by an eyelid.
    pub fn under_lid(&self, x: f64, y: f64) -> bool {
        y < self.upper_lid.y(x) || y > self.lower_lid.y(x)
    }
}

/// The working image and noise mask that go with a segmentation.
#[derive(Clone, Debug)]
pub(crate) struct Segmented {
    pub seg: Segmentation,
    /// Working image with reflections filled.
    pub image: Plane,
    /// Noise mask of the working image (reflections, lashes).
    pub noise: Vec<bool>,
    /// Segmentation in working coordinates.
    pub work: Segmentation,
}

/// Segment an eye image.
pub fn segment(img: &GrayImage) -> Result<Segmentation, IrisError> {
    segment_full(img).map(|s| s.seg)
}

/// Check an image's size.
pub(crate) fn check_size(width: u32, height: u32) -> Result<(), IrisError> {
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(IrisError::TooSmall {
            width,
            height,
            min: MIN_SIDE,
        });
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(IrisError::TooLarge {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    Ok(())
}

/// Reduce to the working resolution.
fn working(img: &GrayImage) -> (Plane, usize) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let k = w.max(h).div_ceil(WORK_MAX).max(1);
    if k == 1 {
        return (Plane::from_gray(img), 1);
    }
    let (ww, wh) = (w / k, h / k);
    let raw = img.as_raw();
    let mut p = Plane::new(ww, wh, 0.0);
    let norm = 1.0 / (k * k) as f32;
    for y in 0..wh {
        for x in 0..ww {
            let mut s = 0u32;
            for yy in y * k..(y + 1) * k {
                for xx in x * k..(x + 1) * k {
                    s += u32::from(raw[yy * w + xx]);
                }
            }
            p.data[y * ww + x] = s as f32 * norm;
        }
    }
    (p, k)
}

pub(crate) fn segment_full(img: &GrayImage) -> Result<Segmented, IrisError> {
    let mut all = segment_all(img, 1)?;
    Ok(all.swap_remove(0))
}

/// The segmentation of [`segment_full`] first, then up to `want − 1` other hypotheses that
/// also pass every check (other pupil candidates, the runner-up limbus circle), for a caller
/// that can tell the right one afterwards (key regeneration, whose check tag does).
pub(crate) fn segment_all(img: &GrayImage, want: usize) -> Result<Vec<Segmented>, IrisError> {
    check_size(img.width(), img.height())?;
    let (mut work, factor) = working(img);
    let (_, std) = work.mean_std();
    if std < MIN_STD {
        return Err(IrisError::Blank { std });
    }
    let (w, h) = (work.w, work.h);

    // 2. reflections: detect and fill
    let refl = reflections(&work);
    let reflection_pixels = refl.iter().filter(|&&b| b).count();
    // the circle searches skip reflections (NaN holes); everything else sees them filled
    let mut holes = work.clone();
    for (v, &m) in holes.data.iter_mut().zip(&refl) {
        if m {
            *v = f32::NAN;
        }
    }
    fill(&mut work, &refl);

    // 3.-6. pupil and limbus
    let kc = ((w.min(h) as f64 / 150.0).round() as usize).max(1);
    let coarse = work.downsample(kc);
    let coarse_holes = holes.downsample(kc);

    let hyps = find_circles(
        &work,
        &holes,
        &coarse,
        &coarse_holes,
        kc,
        &refl,
        want.max(1),
    )?;
    Ok(hyps
        .iter()
        .map(|h| finish(&work, &coarse, kc, factor, &refl, reflection_pixels, h))
        .collect())
}

/// Eyelids and lashes for one pupil and limbus, and the segmentation in image coordinates.
fn finish(
    work: &Plane,
    coarse: &Plane,
    kc: usize,
    factor: usize,
    refl: &[bool],
    reflection_pixels: usize,
    h: &Hypothesis,
) -> Segmented {
    let (pupil, iris, pstats, limbus_ambiguity) = (h.pupil, h.iris, h.stats, h.ambiguity);

    // 7. eyelids (on the coarse image, mapped back)
    let kcf = kc as f64;
    let to_c = |c: &Circle| Circle {
        x: (c.x + 0.5) / kcf - 0.5,
        y: (c.y + 0.5) / kcf - 0.5,
        r: c.r / kcf,
    };
    let (up, lo) = eyelids(coarse, &to_c(&pupil), &to_c(&iris));
    let from_c = |l: Lid, upper: bool| {
        let mut l = l.scaled(kcf);
        l.x0 += 0.5 * kcf - 0.5;
        l.y0 += 0.5 * kcf - 0.5;
        // a little margin towards the eye
        l.y0 += if upper { 1.0 } else { -1.0 } * (0.5 * kcf).max(1.0);
        l
    };
    let upper_lid = from_c(up, true);
    let lower_lid = from_c(lo, false);

    // 8. lashes and dark noise inside the iris
    let mut noise = refl.to_vec();
    let lash_pixels = lashes(
        work, &pupil, &iris, &upper_lid, &lower_lid, pstats, &mut noise,
    );

    let work_seg = Segmentation {
        pupil,
        iris,
        upper_lid,
        lower_lid,
        reflection_pixels,
        lash_pixels,
        limbus_ambiguity,
    };
    let k = factor as f64;
    let up_c = |c: Circle| Circle {
        x: (c.x + 0.5) * k - 0.5,
        y: (c.y + 0.5) * k - 0.5,
        r: c.r * k,
    };
    let up_l = |l: Lid| {
        let mut l = l.scaled(k);
        l.x0 += 0.5 * k - 0.5;
        l.y0 += 0.5 * k - 0.5;
        l
    };
    let seg = Segmentation {
        pupil: up_c(pupil),
        iris: up_c(iris),
        upper_lid: up_l(upper_lid),
        lower_lid: up_l(lower_lid),
        reflection_pixels,
        lash_pixels,
        limbus_ambiguity,
    };
    Segmented {
        seg,
        image: work.clone(),
        noise,
        work: work_seg,
    }
}

// ---------------------------------------------------------------------------------------------
// Morphology

/// The operation of the running filters below: `pick` keeps the larger of two samples (`max`)
/// or the smaller, and `ident` is the padding value that never wins.
fn extremum(max: bool) -> (impl Fn(f32, f32) -> f32, f32) {
    let pick = move |a: f32, b: f32| if (a > b) == max { a } else { b };
    let ident = if max {
        f32::NEG_INFINITY
    } else {
        f32::INFINITY
    };
    (pick, ident)
}

/// Running min (`max == false`) or max over windows of `2r+1` along rows (van Herk /
/// Gil–Werman: three comparisons per sample whatever `r`).
fn minmax_rows(src: &[f32], w: usize, h: usize, r: usize, max: bool) -> Vec<f32> {
    let mut out = vec![0.0f32; src.len()];
    if w == 0 {
        return out;
    }
    let k = 2 * r + 1;
    let (pick, ident) = extremum(max);
    let len = w + 2 * r;
    let plen = len.div_ceil(k) * k;
    let mut line = vec![ident; plen];
    let mut g = vec![ident; plen];
    let mut hh = vec![ident; plen];
    for l in 0..h {
        line[r..r + w].copy_from_slice(&src[l * w..(l + 1) * w]);
        for s in (0..plen).step_by(k) {
            g[s] = line[s];
            for i in 1..k {
                g[s + i] = pick(g[s + i - 1], line[s + i]);
            }
            hh[s + k - 1] = line[s + k - 1];
            for i in (0..k - 1).rev() {
                hh[s + i] = pick(hh[s + i + 1], line[s + i]);
            }
        }
        for (i, o) in out[l * w..(l + 1) * w].iter_mut().enumerate() {
            *o = pick(hh[i], g[i + k - 1]);
        }
    }
    out
}

/// Running min or max over windows of `2r+1` along columns, a whole row at a time (the same
/// van Herk / Gil–Werman recurrences, cache-friendly).
fn minmax_cols(src: &[f32], w: usize, h: usize, r: usize, max: bool) -> Vec<f32> {
    let mut out = vec![0.0f32; src.len()];
    if w == 0 || h == 0 {
        return out;
    }
    let k = 2 * r + 1;
    let (pick, ident) = extremum(max);
    let len = h + 2 * r;
    let plen = len.div_ceil(k) * k;
    // padded row y' = y + r
    let row = |y: usize| -> Option<&[f32]> {
        (y >= r && y - r < h).then(|| &src[(y - r) * w..(y - r + 1) * w])
    };
    let mut g = vec![ident; plen * w];
    let mut hh = vec![ident; plen * w];
    for s in (0..plen).step_by(k) {
        for i in 0..k {
            let y = s + i;
            let (prev, cur) = g.split_at_mut(y * w);
            let cur = &mut cur[..w];
            match (i, row(y)) {
                (0, Some(src_row)) => cur.copy_from_slice(src_row),
                (0, None) => cur.fill(ident),
                (_, Some(src_row)) => {
                    let p = &prev[(y - 1) * w..y * w];
                    for ((c, &a), &b) in cur.iter_mut().zip(p).zip(src_row) {
                        *c = pick(a, b);
                    }
                }
                (_, None) => cur.copy_from_slice(&prev[(y - 1) * w..y * w]),
            }
        }
        for i in (0..k).rev() {
            let y = s + i;
            let (cur, next) = hh.split_at_mut((y + 1) * w);
            let cur = &mut cur[y * w..];
            match (i == k - 1, row(y)) {
                (true, Some(src_row)) => cur.copy_from_slice(src_row),
                (true, None) => cur.fill(ident),
                (false, Some(src_row)) => {
                    let n = &next[..w];
                    for ((c, &a), &b) in cur.iter_mut().zip(n).zip(src_row) {
                        *c = pick(a, b);
                    }
                }
                (false, None) => cur.copy_from_slice(&next[..w]),
            }
        }
    }
    for y in 0..h {
        let a = &hh[y * w..(y + 1) * w];
        let b = &g[(y + k - 1) * w..(y + k) * w];
        for ((o, &x), &z) in out[y * w..(y + 1) * w].iter_mut().zip(a).zip(b) {
            *o = pick(x, z);
        }
    }
    out
}

fn erode(p: &Plane, r: usize) -> Plane {
    let t = minmax_rows(&p.data, p.w, p.h, r, false);
    Plane {
        w: p.w,
        h: p.h,
        data: minmax_cols(&t, p.w, p.h, r, false),
    }
}

fn dilate(p: &Plane, r: usize) -> Plane {
    let t = minmax_rows(&p.data, p.w, p.h, r, true);
    Plane {
        w: p.w,
        h: p.h,
        data: minmax_cols(&t, p.w, p.h, r, true),
    }
}

/// Dilate a boolean mask by a (2r+1)² square.
fn dilate_mask(m: &[bool], w: usize, h: usize, r: usize) -> Vec<bool> {
    if !m.iter().any(|&b| b) {
        return m.to_vec();
    }
    // rows, then columns, by running counts
    let mut t = vec![false; m.len()];
    for y in 0..h {
        let row = &m[y * w..(y + 1) * w];
        let mut last: Option<usize> = None; // last set index seen so far
        let mut next = vec![usize::MAX; w];
        let mut nx = usize::MAX;
        for x in (0..w).rev() {
            if row[x] {
                nx = x;
            }
            next[x] = nx;
        }
        for x in 0..w {
            if row[x] {
                last = Some(x);
            }
            let near_left = last.is_some_and(|l| x - l <= r);
            let near_right = next[x] != usize::MAX && next[x] - x <= r;
            t[y * w + x] = near_left || near_right;
        }
    }
    let mut out = vec![false; m.len()];
    for y in 0..h {
        let y0 = y.saturating_sub(r);
        let y1 = (y + r).min(h - 1);
        let o = &mut out[y * w..(y + 1) * w];
        for yy in y0..=y1 {
            for (d, &v) in o.iter_mut().zip(&t[yy * w..(yy + 1) * w]) {
                *d |= v;
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Reflections

/// Specular reflection mask at working resolution: a white top-hat (image minus its opening
/// by a square larger than any glint) with hysteresis — seeds much brighter than their
/// surroundings (relative to the image's range, so bright iris texture does not qualify),
/// grown over their halo.
fn reflections(p: &Plane) -> Vec<bool> {
    let (w, h) = (p.w, p.h);
    // the opening (background without glints) is smooth: compute it at half resolution
    let half = p.downsample(2);
    let r = ((half.w.min(half.h) as f64 / 40.0).round() as usize).max(2);
    let open_half = dilate(&erode(&half, r), r);
    let open = |x: usize, y: usize| {
        open_half.data[(y / 2).min(half.h - 1) * half.w + (x / 2).min(half.w - 1)]
    };
    let mut sample: Vec<f64> = p.data.iter().step_by(7).map(|&v| f64::from(v)).collect();
    if sample.is_empty() {
        return vec![false; w * h];
    }
    let mut q = |f: f64| {
        let k = ((sample.len() - 1) as f64 * f) as usize;
        *sample.select_nth_unstable_by(k, f64::total_cmp).1 as f32
    };
    let (lo, hi, top) = (q(0.01), q(0.99), q(0.995));
    // seeds: among the brightest pixels of the image (glints saturate or nearly) and far above
    // their surroundings
    let seed_t = (0.25 * (hi - lo)).max(40.0);
    let bright = top.min(250.0);
    let th = |i: usize| p.data[i] - open(i % w, i / w);
    let mut m: Vec<bool> = p
        .data
        .iter()
        .enumerate()
        .map(|(i, &v)| v >= bright && th(i) > seed_t)
        .collect();
    // grow the seeds over their halo, inside their bounding box (glints are few and small)
    let (mut x0, mut y0, mut x1, mut y1) = (w, h, 0, 0);
    for (i, _) in m.iter().enumerate().filter(|(_, &b)| b) {
        let (x, y) = (i % w, i / w);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    if x1 < x0 {
        return m;
    }
    let (x0, y0) = (x0.saturating_sub(5), y0.saturating_sub(5));
    let (x1, y1) = ((x1 + 5).min(w - 1), (y1 + 5).min(h - 1));
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    let idx = |x: usize, y: usize| (y0 + y) * w + x0 + x;
    let mut sub: Vec<bool> = (0..bw * bh).map(|i| m[idx(i % bw, i / bw)]).collect();
    for _ in 0..3 {
        let grown = dilate_mask(&sub, bw, bh, 1);
        for (i, s) in sub.iter_mut().enumerate() {
            *s = *s || (grown[i] && th(idx(i % bw, i / bw)) > 20.0);
        }
    }
    let sub = dilate_mask(&sub, bw, bh, 1);
    for (i, &v) in sub.iter().enumerate() {
        m[idx(i % bw, i / bw)] = v;
    }
    m
}

/// Fill masked pixels with the mean of horizontal and vertical linear interpolations between
/// the nearest unmasked pixels.
fn fill(p: &mut Plane, mask: &[bool]) {
    if !mask.iter().any(|&b| b) {
        return;
    }
    let (w, h) = (p.w, p.h);
    let interp = |vals: &mut dyn FnMut(usize) -> (f32, bool), n: usize| -> Vec<Option<f32>> {
        let mut out = vec![None; n];
        let mut last: Option<(usize, f32)> = None;
        let mut i = 0;
        while i < n {
            let (v, m) = vals(i);
            if !m {
                last = Some((i, v));
                i += 1;
                continue;
            }
            let start = i;
            while i < n && vals(i).1 {
                i += 1;
            }
            let next = if i < n { Some((i, vals(i).0)) } else { None };
            for (j, o) in out.iter_mut().enumerate().take(i).skip(start) {
                *o = match (last, next) {
                    (Some((a, va)), Some((b, vb))) => {
                        let t = (j - a) as f32 / (b - a) as f32;
                        Some(va + (vb - va) * t)
                    }
                    (Some((_, va)), None) => Some(va),
                    (None, Some((_, vb))) => Some(vb),
                    (None, None) => None,
                };
            }
        }
        out
    };
    let src = p.data.clone();
    let mut horiz = vec![None; w * h];
    for y in 0..h {
        let row = interp(&mut |i| (src[y * w + i], mask[y * w + i]), w);
        for (x, v) in row.into_iter().enumerate() {
            horiz[y * w + x] = v;
        }
    }
    for x in 0..w {
        let col = interp(&mut |i| (src[i * w + x], mask[i * w + x]), h);
        for (y, v) in col.into_iter().enumerate() {
            let k = y * w + x;
            if !mask[k] {
                continue;
            }
            p.data[k] = match (horiz[k], v) {
                (Some(a), Some(b)) => 0.5 * (a + b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => src[k],
            };
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Circles

/// Precomputed integer offsets of points on circles of radius 0..=rmax, at the given angles.
struct Rings {
    offs: Vec<Vec<(i32, i32)>>,
}

impl Rings {
    fn new(rmax: usize, angles: &[f64]) -> Rings {
        let offs = (0..=rmax)
            .map(|r| {
                if r == 0 {
                    return vec![(0, 0)];
                }
                angles
                    .iter()
                    .map(|&a| {
                        (
                            (r as f64 * a.cos()).round() as i32,
                            (r as f64 * a.sin()).round() as i32,
                        )
                    })
                    .collect()
            })
            .collect();
        Rings { offs }
    }

    /// Fraction of the in-image points of ring `r` brighter than `thr` (1 when mostly outside).
    fn frac_above(&self, p: &Plane, cx: i32, cy: i32, r: usize, thr: f32) -> f32 {
        let Some(ring) = self.offs.get(r) else {
            return 1.0;
        };
        let (w, h) = (p.w as i32, p.h as i32);
        let (mut above, mut n) = (0u32, 0u32);
        for &(dx, dy) in ring {
            let (x, y) = (cx + dx, cy + dy);
            if x >= 0 && y >= 0 && x < w && y < h {
                let v = p.data[(y * w + x) as usize];
                if !v.is_nan() {
                    n += 1;
                    above += u32::from(v > thr);
                }
            }
        }
        if n * 2 <= ring.len() as u32 {
            1.0
        } else {
            above as f32 / n as f32
        }
    }

    /// Mean grey level on ring `r` around `(cx, cy)`, `None` when mostly outside the image.
    fn mean(&self, p: &Plane, cx: i32, cy: i32, r: usize) -> Option<f32> {
        let ring = self.offs.get(r)?;
        let (w, h) = (p.w as i32, p.h as i32);
        let (mut s, mut n) = (0.0f32, 0u32);
        for &(dx, dy) in ring {
            let (x, y) = (cx + dx, cy + dy);
            if x >= 0 && y >= 0 && x < w && y < h {
                let v = p.data[(y * w + x) as usize];
                if !v.is_nan() {
                    s += v;
                    n += 1;
                }
            }
        }
        (n * 2 > ring.len() as u32).then(|| s / n as f32)
    }
}

/// Angles (radians, image coordinates: y down) spread over the given arcs (degrees).
fn arc_angles(arcs: &[(f64, f64)], per_degree: f64) -> Vec<f64> {
    let mut v = Vec::new();
    for &(a, b) in arcs {
        let n = (((b - a) * per_degree).round() as usize).max(2);
        for i in 0..n {
            v.push((a + (b - a) * (i as f64 + 0.5) / n as f64).to_radians());
        }
    }
    v
}

/// Pupil arcs: everything but the top 60° (y negative is up).
const PUPIL_ARCS: [(f64, f64); 1] = [(-60.0, 240.0)];
/// Limbus arcs: the two lateral sectors.
const LIMBUS_ARCS: [(f64, f64); 2] = [(-25.0, 35.0), (145.0, 205.0)];

/// Grey-level statistics of the pupil found, used by later steps.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PupilStats {
    /// Median grey level inside the pupil.
    pub inside: f64,
    /// Median of the ring around it minus `inside`.
    pub contrast: f64,
    /// Fraction of the rays on which the strongest dark-to-bright step lies on the circle.
    pub roundness: f64,
    /// Robust spread of the grey levels inside, over `contrast`: near 0 for a pupil, larger
    /// for a tangle of lashes with skin between them.
    pub mottle: f64,
}

impl PupilStats {
    /// How pupil-like the candidate is: round, and uniformly dark inside.
    fn quality(&self) -> f64 {
        self.roundness - self.mottle
    }
}

/// The point deepest inside the dark region around `seed` (pixels of `b` at most `thr`,
/// 4-connected, within `reach` of the seed): the centre of its largest inscribed disc, by a
/// chamfer distance transform. Lashes touching a pupil do not move it, unlike a centroid.
fn dark_region_centre(b: &Plane, seed: (i32, i32), thr: f32, reach: i32) -> ((i32, i32), f32) {
    let (w, h) = (b.w as i32, b.h as i32);
    let x0 = (seed.0 - reach).max(0);
    let y0 = (seed.1 - reach).max(0);
    let x1 = (seed.0 + reach).min(w - 1);
    let y1 = (seed.1 + reach).min(h - 1);
    if x1 < x0 || y1 < y0 {
        return (seed, 0.0);
    }
    let (bw, bh) = ((x1 - x0 + 1) as usize, (y1 - y0 + 1) as usize);
    let inside = |x: i32, y: i32| x >= x0 && x <= x1 && y >= y0 && y <= y1;
    if !inside(seed.0, seed.1) || b.data[(seed.1 * w + seed.0) as usize] > thr {
        return (seed, 0.0);
    }
    let mut region = vec![false; bw * bh];
    let mut stack = vec![seed];
    region[((seed.1 - y0) as usize) * bw + (seed.0 - x0) as usize] = true;
    while let Some((x, y)) = stack.pop() {
        for (nx, ny) in [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)] {
            if !inside(nx, ny) {
                continue;
            }
            let k = ((ny - y0) as usize) * bw + (nx - x0) as usize;
            if !region[k] && b.data[(ny * w + nx) as usize] <= thr {
                region[k] = true;
                stack.push((nx, ny));
            }
        }
    }
    // chamfer (3-4) distance to the region's outside
    let big = u32::MAX / 2;
    let mut d: Vec<u32> = region.iter().map(|&r| if r { big } else { 0 }).collect();
    let at = |d: &Vec<u32>, x: i64, y: i64| -> u32 {
        if x < 0 || y < 0 || x >= bw as i64 || y >= bh as i64 {
            0
        } else {
            d[y as usize * bw + x as usize]
        }
    };
    for y in 0..bh as i64 {
        for x in 0..bw as i64 {
            let k = y as usize * bw + x as usize;
            if d[k] == 0 {
                continue;
            }
            let v = (at(&d, x - 1, y) + 3)
                .min(at(&d, x, y - 1) + 3)
                .min(at(&d, x - 1, y - 1) + 4)
                .min(at(&d, x + 1, y - 1) + 4);
            d[k] = d[k].min(v);
        }
    }
    for y in (0..bh as i64).rev() {
        for x in (0..bw as i64).rev() {
            let k = y as usize * bw + x as usize;
            if d[k] == 0 {
                continue;
            }
            let v = (at(&d, x + 1, y) + 3)
                .min(at(&d, x, y + 1) + 3)
                .min(at(&d, x + 1, y + 1) + 4)
                .min(at(&d, x - 1, y + 1) + 4);
            d[k] = d[k].min(v);
        }
    }
    let mut best = (0u32, seed);
    for y in 0..bh {
        for x in 0..bw {
            let v = d[y * bw + x];
            if v > best.0 {
                best = (v, (x as i32 + x0, y as i32 + y0));
            }
        }
    }
    (best.1, best.0 as f32 / 3.0)
}

/// Coarse integro-differential search for the pupil around one candidate centre. The radius is
/// bounded by the first ring clearly brighter than the centre (`tau` above it): a pupil is a
/// uniformly dark disc, so the circle found is the first strong edge, not the limbus of a dark
/// iris. Returns (score, cx, cy, r) in coarse pixels.
fn pupil_coarse(
    c: &Plane,
    filled: &Plane,
    rings: &Rings,
    cand: (i32, i32),
    rmin: usize,
    rmax: usize,
    (median, darkest): (f32, f32),
) -> Option<(f64, i32, i32, usize)> {
    let mut best: Option<(f64, i32, i32, usize)> = None;
    let mut m: Vec<Option<f32>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let nrings = rings.offs.len();
    let mut eval = |cx: i32, cy: i32, best: &mut Option<(f64, i32, i32, usize)>| {
        if !seen.insert((cx, cy)) {
            return;
        }
        // the centre's grey level: darkest of the first rings (a glint may hide the middle)
        m.clear();
        let mut found = 0;
        while m.len() < 5 || (found < 2 && m.len() <= rmin.max(6)) {
            let v = rings.mean(c, cx, cy, m.len());
            found += usize::from(v.is_some());
            m.push(v);
        }
        let Some(core) = m.iter().flatten().copied().reduce(f32::min) else {
            return;
        };
        let tau = (0.15 * (median - core)).max(10.0);
        // rings outwards until the first one a third brighter (35 %), plus the derivative's
        // reach; a fraction rather than the mean, so a glint remnant does not stop it early
        let mut end = rmax.min(nrings.saturating_sub(3));
        let mut r = m.len();
        while r < nrings && r <= end + 2 {
            m.push(rings.mean(c, cx, cy, r));
            if end > r + 2 && rings.frac_above(c, cx, cy, r, core + tau) >= 0.35 {
                end = r + 2;
            }
            r += 1;
        }
        let end = end.min(m.len().saturating_sub(3));
        for r in rmin.max(2)..=end {
            let (Some(o1), Some(o2), Some(i1), Some(i2)) = (m[r + 1], m[r + 2], m[r - 1], m[r - 2])
            else {
                continue;
            };
            // edge strength, less half of how much lighter than the darkest part of the image
            // the centre is; small circles (lash tangles, noise) are discounted
            let mut d = f64::from(0.5 * (o1 + o2) - 0.5 * (i1 + i2))
                - 0.5 * f64::from((core - darkest).max(0.0));
            if r < 5 {
                d *= r as f64 / 5.0;
            }
            if best.is_none_or(|b| d > b.0) {
                *best = Some((d, cx, cy, r));
            }
        }
    };
    // hill-climb on a step-2 grid (the candidate may be anywhere inside a flat dark disc), then
    // refine by one pixel
    let b = filled.clamped(i64::from(cand.0), i64::from(cand.1));
    if b > darkest + 0.5 * (median - darkest) {
        return None; // not dark enough to be a pupil
    }
    let thr = b + (0.15 * (median - b)).max(10.0);
    let (mut centre, depth) = dark_region_centre(filled, cand, thr, (rmax + 2) as i32);
    if depth < (0.6 * rmin as f32).max(2.0) {
        return None; // a thin dark structure (lashes), not a disc
    }
    // first a wider look (the dark region's centre can be off when lashes or a glint touch it)
    for dy in (-8..=8).step_by(2) {
        for dx in (-8..=8).step_by(2) {
            eval(centre.0 + dx, centre.1 + dy, &mut best);
        }
    }
    if let Some((_, bx, by, _)) = best {
        centre = (bx, by);
    }
    for _ in 0..6 {
        for dy in (-4..=4).step_by(2) {
            for dx in (-4..=4).step_by(2) {
                eval(centre.0 + dx, centre.1 + dy, &mut best);
            }
        }
        let (_, bx, by, _) = best?;
        if (bx, by) == centre {
            break;
        }
        centre = (bx, by);
    }
    let (_, bx, by, _) = best?;
    for dy in -1..=1 {
        for dx in -1..=1 {
            if dx != 0 || dy != 0 {
                eval(bx + dx, by + dy, &mut best);
            }
        }
    }
    best
}

/// Mean radial step `I(r + dw) − I(r − dw)` over the rays `trig` (bilinear samples); `None`
/// when fewer than half the rays are inside the image.
fn ring_step(p: &Plane, cx: f64, cy: f64, r: f64, dw: f64, trig: &[(f32, f32)]) -> Option<f64> {
    let (ri, ro) = ((r - dw) as f32, (r + dw) as f32);
    let (cx, cy) = (cx as f32, cy as f32);
    let (xmax, ymax) = ((p.w - 1) as f32, (p.h - 1) as f32);
    let mut s = 0.0f32;
    let mut n = 0usize;
    for &(ca, sa) in trig {
        let (xo, yo) = (cx + ro * ca, cy + ro * sa);
        if xo < 0.0 || yo < 0.0 || xo > xmax || yo > ymax {
            continue;
        }
        let g = p.bilinear(xo, yo) - p.bilinear(cx + ri * ca, cy + ri * sa);
        if g.is_nan() {
            continue;
        }
        s += g;
        n += 1;
    }
    (n * 2 >= trig.len() && n > 0).then(|| f64::from(s / n as f32))
}

/// Fine integro-differential search at working resolution, in two stages: centre within
/// ±`span` pixels and radius within ±`rspan` in 1-pixel steps on every other ray, then ±1 pixel
/// and half-pixel radii on all rays. Returns (score, circle).
#[allow(clippy::too_many_arguments)]
fn ido_fine(
    p: &Plane,
    start: Circle,
    span: i32,
    rspan: f64,
    dw: f64,
    trig: &[(f32, f32)],
    rmin: f64,
    rmax: f64,
    sign: f64,
    factor: &dyn Fn(&Circle) -> f64,
) -> Option<(f64, Circle)> {
    let sparse: Vec<(f32, f32)> = trig.iter().step_by(2).copied().collect();
    let mut best: Option<(f64, Circle)> = None;
    let nr = rspan.round() as i32;
    for dy in -span..=span {
        for dx in -span..=span {
            let (cx, cy) = (start.x + f64::from(dx), start.y + f64::from(dy));
            for k in -nr..=nr {
                let r = start.r + f64::from(k);
                if r < rmin || r > rmax {
                    continue;
                }
                let c = Circle { x: cx, y: cy, r };
                let f = factor(&c);
                if f <= 0.0 {
                    continue;
                }
                if let Some(score) = ring_step(p, cx, cy, r, dw, &sparse) {
                    let score = sign * score * f;
                    if best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, c));
                    }
                }
            }
        }
    }
    let (_, c0) = best?;
    best = None;
    for dy in -2..=2 {
        for dx in -2..=2 {
            let (cx, cy) = (c0.x + 0.5 * f64::from(dx), c0.y + 0.5 * f64::from(dy));
            for k in -2..=2 {
                let r = c0.r + 0.5 * f64::from(k);
                if r < rmin || r > rmax {
                    continue;
                }
                let c = Circle { x: cx, y: cy, r };
                let f = factor(&c);
                if f <= 0.0 {
                    continue;
                }
                if let Some(score) = ring_step(p, cx, cy, r, dw, trig) {
                    let score = sign * score * f;
                    if best.as_ref().is_none_or(|b| score > b.0) {
                        best = Some((score, c));
                    }
                }
            }
        }
    }
    best
}

fn trig_table(angles: &[f64]) -> Vec<(f32, f32)> {
    angles
        .iter()
        .map(|a| (a.cos() as f32, a.sin() as f32))
        .collect()
}

/// Candidate pupil centres: the darkest local minima of a box-blurred coarse image (a 7×7 box:
/// thin dark lashes average out, a pupil does not).
fn dark_candidates(c: &Plane, n: usize, margin: usize) -> Vec<(i32, i32)> {
    let mut out: Vec<(i32, i32)> = Vec::new();
    // a 7×7 box, then a 13×13 one: a dense tangle of lashes can be darker than a grey pupil at
    // the small scale, but the skin between the lashes lightens it at the large one
    for (blur, take) in [(3, n), (6, n / 2)] {
        let b = c.box_blur(blur);
        let (w, h) = (b.w, b.h);
        let mut mins = Vec::new();
        let rad = 4usize;
        let low = erode(&b, rad);
        for y in margin.max(rad)..h.saturating_sub(margin.max(rad)) {
            for x in margin.max(rad)..w.saturating_sub(margin.max(rad)) {
                let v = b.data[y * w + x];
                if v <= low.data[y * w + x] {
                    mins.push((v, x as i32, y as i32));
                }
            }
        }
        mins.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut added = 0;
        for (_, x, y) in mins {
            if added == take {
                break;
            }
            if out
                .iter()
                .all(|&(ox, oy)| (ox - x).abs().max((oy - y).abs()) > 8)
            {
                out.push((x, y));
                added += 1;
            }
        }
    }
    out
}

/// Grey levels on a disc/annulus (radii in pixels) around `c`, skipping masked pixels:
/// (median, robust spread — (q90 − q10)/2.56, the standard deviation for normal data — and
/// count). Robust statistics: a glint remnant or a lash does not make a pupil "non-uniform".
fn annulus_stats(p: &Plane, c: &Circle, r0: f64, r1: f64, mask: &[bool]) -> (f64, f64, usize) {
    let (w, h) = (p.w as i64, p.h as i64);
    let x0 = ((c.x - r1).floor() as i64).max(0);
    let x1 = ((c.x + r1).ceil() as i64).min(w - 1);
    let y0 = ((c.y - r1).floor() as i64).max(0);
    let y1 = ((c.y + r1).ceil() as i64).min(h - 1);
    let (r0s, r1s) = (r0 * r0, r1 * r1);
    let mut v = Vec::new();
    for y in y0..=y1 {
        let dy = y as f64 - c.y;
        for x in x0..=x1 {
            let dx = x as f64 - c.x;
            let d = dx * dx + dy * dy;
            let k = (y * w + x) as usize;
            if d >= r0s && d < r1s && !mask[k] {
                v.push(f64::from(p.data[k]));
            }
        }
    }
    if v.is_empty() {
        return (0.0, 0.0, 0);
    }
    let q = quantiles(&mut v, &[0.1, 0.5, 0.9]);
    let (med, spread) = (q[1], (q[2] - q[0]) / 2.56);
    (med, spread, v.len())
}

/// Why a pupil candidate was rejected, or its statistics.
fn check_pupil(p: &Plane, c: &Circle, mask: &[bool], dark_q: f64) -> Result<PupilStats, String> {
    if c.x - c.r < 0.0
        || c.y - c.r < 0.0
        || c.x + c.r > (p.w - 1) as f64
        || c.y + c.r > (p.h - 1) as f64
    {
        return Err("the dark round region found runs off the image".into());
    }
    let (m_in, s_in, n_in) = annulus_stats(p, c, 0.0, 0.8 * c.r, mask);
    let (m_out, _, n_out) = annulus_stats(p, c, 1.15 * c.r, 1.5 * c.r, mask);
    if n_in < 12 || n_out < 12 {
        return Err("pupil candidate too small or outside the image".into());
    }
    let contrast = m_out - m_in;
    if contrast < 20.0 {
        return Err(format!(
            "the darkest round region is barely darker than its surroundings ({contrast:.0} grey levels)"
        ));
    }
    if s_in > (0.45 * contrast).max(10.0) {
        return Err(format!(
            "the darkest round region is not uniform (spread {s_in:.0} grey levels)"
        ));
    }
    if m_in > dark_q {
        return Err(format!(
            "the round region found (grey {m_in:.0}) is not among the darkest parts of the image"
        ));
    }
    // a round boundary: on most rays the strongest dark-to-bright step lies on the circle
    let rays = arc_angles(&PUPIL_ARCS, 64.0 / 300.0);
    let tol = (0.12 * c.r).max(2.0);
    let (mut good, mut total) = (0, 0);
    for &a in &rays {
        if let Some(ok) = edge_on_circle(p, c, a, (0.5 * c.r, 1.6 * c.r), 1.5, tol, 1.0) {
            total += 1;
            good += usize::from(ok);
        }
    }
    if total * 2 < rays.len() || good * 10 < total * 6 {
        return Err(format!(
            "the dark region is not round: its boundary follows the circle on {good} of {total} rays"
        ));
    }
    Ok(PupilStats {
        inside: m_in,
        contrast,
        roundness: good as f64 / total as f64,
        mottle: s_in / contrast,
    })
}

/// Check a limbus circle: the iris must be darker than what is outside it on the lateral rays,
/// and brighter than the pupil.
fn check_iris(
    p: &Plane,
    pupil: &Circle,
    iris: &Circle,
    stats: PupilStats,
    sign: f64,
) -> Result<(), String> {
    let ratio = pupil.r / iris.r;
    if !(0.15..=0.8).contains(&ratio) {
        return Err(format!("pupil/iris ratio {ratio:.2} outside 0.15..0.8"));
    }
    let inside =
        |x: f64, y: f64| x >= 0.0 && y >= 0.0 && x <= (p.w - 1) as f64 && y <= (p.h - 1) as f64;
    let n_in = (0..72)
        .filter(|&i| {
            let a = std::f64::consts::TAU * f64::from(i) / 72.0;
            inside(iris.x + iris.r * a.cos(), iris.y + iris.r * a.sin())
        })
        .count();
    if n_in < 50 {
        return Err(format!(
            "the iris circle found is mostly outside the image ({:.0}% inside)",
            100.0 * n_in as f64 / 72.0
        ));
    }
    let off = (pupil.x - iris.x).hypot(pupil.y - iris.y);
    if off + pupil.r > 0.95 * iris.r {
        return Err("pupil not inside the iris".into());
    }
    // on each side: sclera brighter than the iris just inside the limbus, and the iris
    // clearly brighter than the pupil (a pupil is darker than the iris all around)
    let dw = (0.06 * iris.r).max(2.0);
    let r_mid = 0.5 * (iris.r + pupil.r + off);
    let mut dark_sides = Vec::new();
    for (side, arc) in [("right", LIMBUS_ARCS[0]), ("left", LIMBUS_ARCS[1])] {
        let (mut good, mut total) = (0usize, 0usize);
        let (mut sum_in, mut sum_out) = (0.0, 0.0);
        let mut mid = Vec::new();
        for a in arc_angles(&[arc], 1.0) {
            let (ca, sa) = (a.cos(), a.sin());
            let (xo, yo) = (iris.x + (iris.r + dw) * ca, iris.y + (iris.r + dw) * sa);
            if !inside(xo, yo) {
                continue;
            }
            total += 1;
            let at =
                |r: f64| f64::from(p.bilinear((iris.x + r * ca) as f32, (iris.y + r * sa) as f32));
            let (vi, vo) = (at(iris.r - dw), at(iris.r + dw));
            sum_in += vi;
            sum_out += vo;
            mid.push(at(r_mid));
            if sign * (vo - vi) > 4.0 {
                good += 1;
            }
        }
        if total < 10 {
            return Err(format!(
                "the limbus is outside the image on the {side} side"
            ));
        }
        let n = total as f64;
        let (m_in, m_out) = (sum_in / n, sum_out / n);
        // the median: lashes hanging over one side are dark outliers, not a dark iris
        let m_mid = quantiles(&mut mid, &[0.5])[0];
        if sign * (m_out - m_in) < 6.0 || good * 10 < total * 4 {
            return Err(format!(
                "no iris/sclera boundary on the {side} side ({good} of {total} rays, step {:.0} grey levels)",
                m_out - m_in
            ));
        }
        if m_mid < stats.inside + (0.3 * stats.contrast).max(10.0) {
            dark_sides.push(side);
        }
    }
    // one side may be darkened by lashes or shadow; both sides that dark mean the "pupil" is a
    // dark patch inside a dark region, not a pupil inside an iris
    if dark_sides.len() == 2 {
        return Err(
            "the ring around the pupil is nearly as dark as the pupil on both sides".into(),
        );
    }
    // a round limbus on both sides: the strongest step along each lateral ray is on the circle
    let tol = (0.08 * iris.r).max(3.0);
    for (side, arc) in [("right", LIMBUS_ARCS[0]), ("left", LIMBUS_ARCS[1])] {
        let (mut good, mut total) = (0usize, 0usize);
        for a in arc_angles(&[arc], 0.5) {
            let lo = (0.75 * iris.r).max(pupil.r + 3.0 * dw);
            // look out to 1.3 r, or as far as the image goes when the limbus is near its edge
            let hi = [1.3, 1.2, 1.12]
                .into_iter()
                .map(|f| f * iris.r)
                .find(|&hi| inside(iris.x + (hi + dw) * a.cos(), iris.y + (hi + dw) * a.sin()))
                .unwrap_or(1.3 * iris.r)
                .max(iris.r + tol + 1.0);
            if let Some(ok) = edge_on_circle(p, iris, a, (lo, hi), dw, tol, sign) {
                total += 1;
                good += usize::from(ok);
            }
        }
        if total > 0 && good * 10 < total * 4 {
            return Err(format!(
                "no round iris/sclera boundary on the {side} side ({good} of {total} rays)"
            ));
        }
    }
    Ok(())
}

/// Whether, along the ray from `c` at angle `a`, there is a dark-to-bright step
/// `I(r + d) − I(r − d)` within `tol` of the circle's radius at least half as strong as the
/// strongest step in `[r0, r1]` (an eyelid or the limbus may be stronger further out).
/// `None` when the ray leaves the image.
fn edge_on_circle(
    p: &Plane,
    c: &Circle,
    a: f64,
    (r0, r1): (f64, f64),
    d: f64,
    tol: f64,
    sign: f64,
) -> Option<bool> {
    let (ca, sa) = (a.cos(), a.sin());
    let inside = |r: f64| {
        let (x, y) = (c.x + r * ca, c.y + r * sa);
        x >= 0.0 && y >= 0.0 && x <= (p.w - 1) as f64 && y <= (p.h - 1) as f64
    };
    if !inside(r1 + d) || !inside((r0 - d).max(0.0)) {
        return None;
    }
    let at = |r: f64| f64::from(p.bilinear((c.x + r * ca) as f32, (c.y + r * sa) as f32));
    let n = ((r1 - r0) / 0.5).ceil().max(1.0) as usize;
    let (mut all, mut near) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for i in 0..=n {
        let r = r0 + (r1 - r0) * i as f64 / n as f64;
        let g = sign * (at(r + d) - at((r - d).max(0.0)));
        all = all.max(g);
        if (r - c.r).abs() <= tol {
            near = near.max(g);
        }
    }
    Some(near > 0.0 && near >= 0.5 * all)
}

/// A candidate that passes every check with at least this [`PupilStats::quality`] is taken at
/// once; a lesser one only if no better candidate passes.
const PUPIL_LIKE: f64 = 0.85;

/// Find pupil and limbus. Circles in working coordinates.
fn find_circles(
    work: &Plane,
    holes: &Plane,
    coarse: &Plane,
    coarse_holes: &Plane,
    kc: usize,
    refl: &[bool],
    want: usize,
) -> Result<Vec<Hypothesis>, IrisError> {
    let (cw, ch) = (coarse.w, coarse.h);
    let short = cw.min(ch);
    let rmin_fine = (0.025 * work.w.min(work.h) as f64).max(4.0);
    let rmin = ((rmin_fine / kc as f64).floor() as usize).max(3);
    let rmax = ((short as f64 * 0.3) as usize).max(rmin + 3);
    let pangles = arc_angles(&PUPIL_ARCS, 40.0 / 300.0);
    let prings = Rings::new(rmax + 3, &pangles);
    let cands = dark_candidates(coarse, 6, rmin + 1);
    let (median, darkest) = {
        let mut v: Vec<f64> = coarse
            .data
            .iter()
            .step_by(3)
            .map(|&x| f64::from(x))
            .collect();
        let q = quantiles(&mut v, &[0.5, 0.01]);
        (q[0] as f32, q[1] as f32)
    };
    let mut scored: Vec<(f64, i32, i32, usize)> = cands
        .iter()
        .filter_map(|&c| {
            pupil_coarse(
                coarse_holes,
                coarse,
                &prings,
                c,
                rmin,
                rmax,
                (median, darkest),
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.dedup_by(|a, b| (a.1 - b.1).abs() <= 2 && (a.2 - b.2).abs() <= 2);

    let dark_q = {
        let mut v: Vec<f64> = work.data.iter().step_by(7).map(|&x| f64::from(x)).collect();
        quantiles(&mut v, &[0.25])[0]
    };
    let kf = kc as f64;
    let ptrig = trig_table(&arc_angles(&PUPIL_ARCS, 96.0 / 300.0));
    let ltrig = trig_table(&arc_angles(&LIMBUS_ARCS, 0.6));
    // report why the most pupil-like candidate failed (an iris failure beats a pupil failure)
    let mut pupil_err: Option<String> = None;
    let mut iris_err: Option<String> = None;
    // Every pupil candidate that passes the checks with its best limbus is a hypothesis; the
    // primary one is the first clearly pupil-like one, else the most pupil-like. With
    // `want > 1`, the search goes on past the primary, and each pupil's runner-up limbus
    // circle is tried too.
    let mut hyps: Vec<Hypothesis> = Vec::new();
    let fine_limbus = |pupil: &Circle, lc: &Circle, sign: f64| -> Option<Circle> {
        let start = Circle {
            x: (lc.x + 0.5) * kf - 0.5,
            y: (lc.y + 0.5) * kf - 0.5,
            r: lc.r * kf,
        };
        let dw = (0.04 * start.r).max(2.0);
        ido_fine(
            holes,
            start,
            kc as i32,
            kf + 1.0,
            dw,
            &ltrig,
            pupil.r / 0.8,
            pupil.r / 0.15,
            sign,
            &|c| {
                let off = (c.x - pupil.x).hypot(c.y - pupil.y);
                if off + pupil.r + 2.0 * dw + 2.0 > c.r
                    || c.x - c.r < -1.0
                    || c.x + c.r > work.w as f64
                {
                    0.0
                } else {
                    limbus_prior(pupil, c)
                }
            },
        )
        .map(|(_, c)| c)
    };
    // The limbus: the sclera brighter than the iris, as nearly always in the near infrared.
    // Only when no candidate gives one that way, the reverse, around clear pupils only: a light
    // iris against a sclera shaded by the lids or dim at the corners of the eye.
    let passes = [1.0f64, -1.0]
        .iter()
        .flat_map(|&sign| scored.iter().map(move |c| (sign, c)));
    for (sign, &(_, cx, cy, r)) in passes {
        if sign < 0.0 && !hyps.is_empty() {
            break;
        }
        let start = Circle {
            x: (f64::from(cx) + 0.5) * kf - 0.5,
            y: (f64::from(cy) + 0.5) * kf - 0.5,
            r: r as f64 * kf,
        };
        let Some((_, pupil)) = ido_fine(
            holes,
            start,
            kc as i32,
            kf + 1.0,
            2.0,
            &ptrig,
            rmin_fine,
            work.w.max(work.h) as f64,
            1.0,
            &|_| 1.0,
        ) else {
            continue;
        };
        let stats = match check_pupil(work, &pupil, refl, dark_q) {
            Ok(s) if sign > 0.0 || s.quality() >= PUPIL_LIKE => s,
            Ok(_) => continue,
            Err(e) => {
                pupil_err.get_or_insert(e);
                continue;
            }
        };
        // limbus, coarse
        let pc = Circle {
            x: (pupil.x + 0.5) / kf - 0.5,
            y: (pupil.y + 0.5) / kf - 0.5,
            r: pupil.r / kf,
        };
        let Some((lc, runner_up, ambiguity)) = limbus_coarse(coarse_holes, &pc, sign as f32) else {
            iris_err.get_or_insert("no limbus found around the pupil".into());
            continue;
        };
        let Some(iris) = fine_limbus(&pupil, &lc, sign) else {
            iris_err.get_or_insert("no limbus found around the pupil".into());
            continue;
        };
        match check_iris(work, &pupil, &iris, stats, sign) {
            Ok(()) => hyps.push(Hypothesis {
                pupil,
                iris,
                stats,
                ambiguity,
                runner_up: false,
            }),
            Err(e) => {
                iris_err.get_or_insert(e);
            }
        }
        // a real pupil's edge is round nearly all the way and its inside uniformly dark; a
        // tangle of lashes that passes the checks is less so, so a winner that is not clearly
        // a pupil gives the other candidates a chance
        if want <= 1 && hyps.last().is_some_and(|h| h.stats.quality() >= PUPIL_LIKE) {
            break;
        }
        if want > 1 {
            if let Some(iris) = runner_up
                .and_then(|lc| fine_limbus(&pupil, &lc, sign))
                .filter(|iris| check_iris(work, &pupil, iris, stats, sign).is_ok())
            {
                hyps.push(Hypothesis {
                    pupil,
                    iris,
                    stats,
                    ambiguity,
                    runner_up: true,
                });
            }
        }
    }
    let primary = hyps
        .iter()
        .position(|h| !h.runner_up && h.stats.quality() >= PUPIL_LIKE)
        .or_else(|| {
            // the most pupil-like, the first on ties
            let mut best: Option<usize> = None;
            for (i, h) in hyps.iter().enumerate() {
                if !h.runner_up && best.is_none_or(|b| h.stats.quality() > hyps[b].stats.quality())
                {
                    best = Some(i);
                }
            }
            best
        });
    let Some(primary) = primary else {
        return Err(match (iris_err, pupil_err) {
            (Some(e), _) => IrisError::NoIris(e),
            (None, Some(e)) => IrisError::NoPupil(e),
            (None, None) => IrisError::NoPupil("no dark region in the image".into()),
        });
    };
    let mut out = vec![hyps[primary]];
    // then the others: main limbus fits by pupil quality, then the runner-up limbus fits,
    // leaving out near-duplicates
    let mut rest: Vec<Hypothesis> = hyps
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != primary)
        .map(|(_, h)| *h)
        .collect();
    rest.sort_by(|a, b| {
        a.runner_up
            .cmp(&b.runner_up)
            .then(b.stats.quality().total_cmp(&a.stats.quality()))
    });
    for h in rest {
        if out.len() >= want {
            break;
        }
        if !out.iter().any(|o| o.same_as(&h)) {
            out.push(h);
        }
    }
    Ok(out)
}

/// One segmentation hypothesis (working coordinates).
#[derive(Clone, Copy, Debug)]
struct Hypothesis {
    pupil: Circle,
    iris: Circle,
    stats: PupilStats,
    ambiguity: f64,
    /// The limbus is the coarse search's runner-up, not its best circle.
    runner_up: bool,
}

impl Hypothesis {
    /// Whether both circles are within a couple of pixels of `o`'s.
    fn same_as(&self, o: &Hypothesis) -> bool {
        let near = |a: &Circle, b: &Circle, tol: f64| {
            (a.x - b.x).abs() <= tol && (a.y - b.y).abs() <= tol && (a.r - b.r).abs() <= tol
        };
        near(&self.pupil, &o.pupil, 2.0) && near(&self.iris, &o.iris, 3.0)
    }
}

/// Lateral arcs pin the limbus's x and radius but hardly its y; pupil and limbus are nearly
/// concentric vertically in real eyes (the pupil is decentred mostly nasally), so vertical
/// offsets from the pupil centre are discounted. And the pupil is never far off the iris's
/// centre (a few percent of the iris radius in real eyes, up to about a tenth off-axis): a
/// circle whose centre is more than [`MAX_PUPIL_OFFSET`] iris radii from the pupil's is
/// refused, and one beyond a tenth is discounted, so that a ring of texture near the pupil on
/// one side and the limbus on the other does not pass for the limbus.
fn limbus_prior(pupil: &Circle, c: &Circle) -> f64 {
    let vertical = (1.0 - 0.25 * (c.y - pupil.y).abs() / pupil.r.max(1.0)).max(0.0);
    let off = (c.x - pupil.x).hypot(c.y - pupil.y) / c.r.max(1.0);
    if off > MAX_PUPIL_OFFSET {
        return 0.0;
    }
    vertical * (1.0 - 2.0 * (off - 0.1).max(0.0))
}

/// Largest pupil offset from the limbus centre, in limbus radii, that segmentation accepts.
const MAX_PUPIL_OFFSET: f64 = 0.2;

/// Rings on each side of the coarse limbus derivative.
const LIMBUS_REACH: usize = 3;

/// Coarse limbus search around a (coarse) pupil: the best circle; the best clearly different
/// circle (radius more than [`DISTINCT_RADIUS`] apart), if any scored above zero; and its score
/// over the best score (the limbus's *ambiguity*: near 1 when two circles explain the edges
/// about as well).
fn limbus_coarse(c: &Plane, pupil: &Circle, sign: f32) -> Option<(Circle, Option<Circle>, f64)> {
    // inner rings of the derivative must clear the (blurred) pupil edge
    let rlo = (pupil.r / 0.78).max(pupil.r + 6.0);
    let rhi = (pupil.r / 0.17).min(0.6 * c.w.max(c.h) as f64);
    if rhi < rlo {
        return None;
    }
    let rmax = rhi.ceil() as usize + LIMBUS_REACH + 1;
    let r_first = (rlo.ceil() as usize).saturating_sub(3);
    let angles = arc_angles(&LIMBUS_ARCS, 0.3);
    let rings = Rings::new(rmax, &angles);
    let span = (0.5 * pupil.r).clamp(3.0, 10.0) as i32;
    let (px, py) = (pupil.x.round() as i32, pupil.y.round() as i32);
    let mut m = Vec::new();
    let mut best: Option<(f64, Circle)> = None;
    // the best score at each radius, with its evaluation number (for the runner-up: the
    // latest of equal scores)
    let mut by_radius: Vec<Option<(f64, u32, Circle)>> = vec![None; rmax + 1];
    let mut seq = 0u32;
    let mut eval = |cx: i32, cy: i32, best: &mut Option<(f64, Circle)>| {
        m.clear();
        m.resize(r_first, None);
        for r in r_first..=rmax {
            m.push(rings.mean(c, cx, cy, r));
        }
        let off = (f64::from(cx) - pupil.x).hypot(f64::from(cy) - pupil.y);
        for r in
            (rlo.ceil() as usize)..=(rhi as usize).min(m.len().saturating_sub(LIMBUS_REACH + 1))
        {
            // the inner samples of the derivative must stay clear of the pupil's edge, and
            // both lateral arcs must be in the image (each side has to vote)
            if off + pupil.r + (LIMBUS_REACH + 3) as f64 > r as f64
                || cx - (r as i32) < -1
                || cx + r as i32 > c.w as i32
            {
                continue;
            }
            // a broad step: the mean of LIMBUS_REACH rings outside less the mean of as many
            // inside (a limbus is a wide, soft step; iris texture steps are narrow and average
            // out)
            let (mut outer, mut inner, mut ok) = (0.0f32, 0.0f32, true);
            for k in 1..=LIMBUS_REACH {
                match (m[r + k], m[r - k]) {
                    (Some(o), Some(i)) => {
                        outer += o;
                        inner += i;
                    }
                    _ => ok = false,
                }
            }
            if !ok {
                continue;
            }
            let circle = Circle {
                x: f64::from(cx),
                y: f64::from(cy),
                r: r as f64,
            };
            let d = f64::from(sign * (outer - inner)) / LIMBUS_REACH as f64
                * limbus_prior(pupil, &circle);
            seq += 1;
            if by_radius[r].is_none_or(|b| d >= b.0) {
                by_radius[r] = Some((d, seq, circle));
            }
            if best.as_ref().is_none_or(|b| d > b.0) {
                *best = Some((d, circle));
            }
        }
    };
    for dy in (-span..=span).step_by(2) {
        for dx in (-span..=span).step_by(2) {
            eval(px + dx, py + dy, &mut best);
        }
    }
    let (_, b) = best?;
    let (bx, by) = (b.x as i32, b.y as i32);
    for dy in -1..=1 {
        for dx in -1..=1 {
            if dx != 0 || dy != 0 {
                eval(bx + dx, by + dy, &mut best);
            }
        }
    }
    let (d, b) = best?;
    let runner_up = by_radius
        .iter()
        .flatten()
        .filter(|(v, _, c)| *v > 0.0 && (c.r - b.r).abs() > DISTINCT_RADIUS * b.r)
        .max_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let ambiguity = match runner_up {
        Some(&(v, _, _)) if d > 0.0 => v / d,
        Some(_) => 1.0,
        None => 0.0,
    };
    Some((b, runner_up.map(|&(_, _, c)| c), ambiguity))
}

/// Radii further apart than this fraction are different limbus hypotheses.
const DISTINCT_RADIUS: f64 = 0.1;

// ---------------------------------------------------------------------------------------------
// Eyelids

/// Upper and lower eyelid parabolas, coarse coordinates. The vertical step
/// `I(x, y − d) − I(x, y + d)` is tabulated once per column, clipped (lashes and glints must
/// not dominate), and each candidate curve reads it with linear interpolation in y.
fn eyelids(c: &Plane, pupil: &Circle, iris: &Circle) -> (Lid, Lid) {
    let r = iris.r.max(2.0);
    let d = (0.04 * r).round().max(2.0) as i64;
    let xl = ((iris.x - 0.9 * r).round() as i64).max(0);
    let xh = ((iris.x + 0.9 * r).round() as i64).min(c.w as i64 - 1);
    if xh <= xl {
        let none = |sgn: f64| Lid {
            x0: iris.x,
            y0: iris.y - sgn * 1.2 * r,
            a: 0.0,
            t: 0.0,
        };
        return (none(1.0), none(-1.0));
    }
    let h = c.h as i64;
    let step = ((xh - xl) / 40).max(1) as usize;
    let cols: Vec<i64> = (xl..=xh).step_by(step).collect();
    // step table: g[i][y] for column cols[i]
    let mut g = vec![0.0f32; cols.len() * c.h];
    for (i, &x) in cols.iter().enumerate() {
        for y in 0..h {
            let above = c.clamped(x, y - d);
            let below = c.clamped(x, y + d);
            g[i * c.h + y as usize] = above - below;
        }
    }
    // the pupil's own edge is not an eyelid: per column, the rows it spans (with a margin)
    let pr = pupil.r + d as f64 + 1.5;
    let pupil_rows: Vec<Option<(f64, f64)>> = cols
        .iter()
        .map(|&x| {
            let dx = x as f64 - pupil.x;
            (dx.abs() < pr).then(|| {
                let hh = (pr * pr - dx * dx).sqrt();
                (pupil.y - hh, pupil.y + hh)
            })
        })
        .collect();
    let n = cols.len() as f64;
    let search = |upper: bool| -> Lid {
        let sgn = if upper { 1.0 } else { -1.0 };
        let mut best = (
            f64::NEG_INFINITY,
            Lid {
                x0: iris.x,
                y0: iris.y - sgn * 1.2 * r,
                a: 0.0,
                t: 0.0,
            },
        );
        let curvs = [0.05, 0.15, 0.25, 0.4];
        let tilts = [-0.12, -0.06, 0.0, 0.06, 0.12];
        let steps = (1.15 * r).ceil() as i32;
        // vertex heights two pixels apart, then the neighbours of the best
        let mut ks: Vec<i32> = (0..=steps).step_by(2).collect();
        let mut refined = false;
        loop {
            for &k in &ks {
                let y0 = iris.y - sgn * (1.2 * r - f64::from(k));
                for &a in &curvs {
                    for &t in &tilts {
                        let lid = Lid {
                            x0: iris.x,
                            y0,
                            a: sgn * a / r,
                            t,
                        };
                        let mut s = 0.0f64;
                        for (i, &x) in cols.iter().enumerate() {
                            let y = lid.y(x as f64);
                            if let Some((lo, hi)) = pupil_rows[i] {
                                if y > lo && y < hi {
                                    continue;
                                }
                            }
                            if y < 0.0 || y > (h - 1) as f64 {
                                continue;
                            }
                            let y0i = y.floor() as usize;
                            let y1i = (y0i + 1).min(c.h - 1);
                            let f = (y - y0i as f64) as f32;
                            let col = &g[i * c.h..(i + 1) * c.h];
                            let v = col[y0i] + (col[y1i] - col[y0i]) * f;
                            let v = if upper { v } else { -v };
                            s += f64::from(v.clamp(-40.0, 60.0));
                        }
                        let s = s / n;
                        if s > best.0 {
                            best = (s, lid);
                        }
                    }
                }
            }
            if refined {
                break;
            }
            refined = true;
            let kb = ((1.2 * r - sgn * (iris.y - best.1.y0)).round()) as i32;
            ks = vec![kb - 1, kb + 1];
        }
        best.1
    };
    (search(true), search(false))
}

// ---------------------------------------------------------------------------------------------
// Lashes

/// Mark eyelashes and other dark noise inside the iris. Returns the number of pixels marked.
fn lashes(
    p: &Plane,
    pupil: &Circle,
    iris: &Circle,
    up: &Lid,
    lo: &Lid,
    stats: PupilStats,
    noise: &mut [bool],
) -> usize {
    let (w, h) = (p.w as i64, p.h as i64);
    let x0 = ((iris.x - iris.r).floor() as i64 - 3).clamp(0, w - 1) as usize;
    let x1 = ((iris.x + iris.r).ceil() as i64 + 3).clamp(0, w - 1) as usize;
    let y0 = ((iris.y - iris.r).floor() as i64 - 3).clamp(0, h - 1) as usize;
    let y1 = ((iris.y + iris.r).ceil() as i64 + 3).clamp(0, h - 1) as usize;
    let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
    let mut sub = Plane::new(bw, bh, 0.0);
    for y in 0..bh {
        for x in 0..bw {
            sub.data[y * bw + x] = p.at(x0 + x, y0 + y);
        }
    }
    let closed = erode(&dilate(&sub, 2), 2);
    let (ri2, rp2) = (iris.r * iris.r, pupil.r * pupil.r);
    let inside = |x: usize, y: usize| {
        let (fx, fy) = (x as f64, y as f64);
        let d = (fx - iris.x).powi(2) + (fy - iris.y).powi(2);
        let dp = (fx - pupil.x).powi(2) + (fy - pupil.y).powi(2);
        d < ri2 && dp > rp2 && fy > up.y(fx) && fy < lo.y(fx)
    };
    // iris grey levels (visible part, not reflections)
    let mut vals = Vec::new();
    for y in (0..bh).step_by(2) {
        for x in (0..bw).step_by(2) {
            let (gx, gy) = (x0 + x, y0 + y);
            if inside(gx, gy) && !noise[gy * p.w + gx] {
                vals.push(f64::from(sub.data[y * bw + x]));
            }
        }
    }
    if vals.len() < 20 {
        return 0;
    }
    let q = quantiles(&mut vals, &[0.5, 0.25]);
    let (med, q25) = (q[0], q[1]);
    let dark = stats.inside + 0.4 * (med - stats.inside);
    let mut m = vec![false; bw * bh];
    for y in 0..bh {
        for x in 0..bw {
            let (gx, gy) = (x0 + x, y0 + y);
            if !inside(gx, gy) {
                continue;
            }
            let v = f64::from(sub.data[y * bw + x]);
            let bh_v = f64::from(closed.data[y * bw + x]) - v;
            if v < dark || (bh_v > 0.5 * (med - stats.inside).max(20.0) && v < q25) {
                m[y * bw + x] = true;
            }
        }
    }
    let m = dilate_mask(&m, bw, bh, 1);
    let mut n = 0;
    for y in 0..bh {
        for x in 0..bw {
            if m[y * bw + x] {
                let k = (y0 + y) * p.w + x0 + x;
                if !noise[k] {
                    noise[k] = true;
                    n += 1;
                }
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::{eye_with_truth, Size};

    #[test]
    fn minmax_matches_naive() {
        let (w, h) = (37, 11);
        let src: Vec<f32> = (0..w * h).map(|i| ((i * 7919) % 23) as f32).collect();
        for r in 0..5 {
            for max in [false, true] {
                let rows = minmax_rows(&src, w, h, r, max);
                let cols = minmax_cols(&src, w, h, r, max);
                for y in 0..h {
                    for x in 0..w {
                        let f = |a: f32, b: f32| if max { a.max(b) } else { a.min(b) };
                        let init = if max { f32::MIN } else { f32::MAX };
                        let want_r = (x.saturating_sub(r)..=(x + r).min(w - 1))
                            .map(|xx| src[y * w + xx])
                            .fold(init, f);
                        let want_c = (y.saturating_sub(r)..=(y + r).min(h - 1))
                            .map(|yy| src[yy * w + x])
                            .fold(init, f);
                        assert_eq!(rows[y * w + x], want_r, "rows r={r} ({x},{y})");
                        assert_eq!(cols[y * w + x], want_c, "cols r={r} ({x},{y})");
                    }
                }
            }
        }
        let m: Vec<bool> = (0..w * h).map(|i| i % 97 == 0).collect();
        let d = dilate_mask(&m, w, h, 2);
        for y in 0..h {
            for x in 0..w {
                let want = (y.saturating_sub(2)..=(y + 2).min(h - 1))
                    .any(|yy| (x.saturating_sub(2)..=(x + 2).min(w - 1)).any(|xx| m[yy * w + xx]));
                assert_eq!(d[y * w + x], want);
            }
        }
    }

    #[test]
    fn fill_interpolates_holes() {
        let mut p = Plane::new(5, 1, 0.0);
        p.data = vec![0.0, 100.0, 100.0, 100.0, 40.0];
        let mask = [false, true, true, true, false];
        fill(&mut p, &mask);
        assert!((p.data[2] - 20.0).abs() < 1e-3, "{:?}", p.data);
    }

    /// Segmentation accuracy against the generator's ground truth, on 40 captures per size:
    /// at least 36 must have the pupil within 3 pixels (centre and radius) and the limbus
    /// within 5, and at most one may fail outright. (On 360 captures the miss rate measured
    /// about 1.5% for the 320×280 set and 2% for 640×480; limbus misses are mostly a vertical
    /// offset of 5–10 pixels where eyelids cover the top and bottom of the limbus.)
    #[test]
    fn finds_synthetic_circles_within_a_few_pixels() {
        for size in [Size::Casia, Size::Ice] {
            let (mut good, mut failed, mut misses) = (0, 0, Vec::new());
            for id in 0..20u64 {
                for cap in 0..2u64 {
                    let (img, t) = eye_with_truth(500 + id, cap, size);
                    let Ok(s) = segment(&img) else {
                        failed += 1;
                        continue;
                    };
                    let dp = (s.pupil.x - t.pupil.x).hypot(s.pupil.y - t.pupil.y);
                    let di = (s.iris.x - t.iris.x).hypot(s.iris.y - t.iris.y);
                    if dp < 3.0
                        && (s.pupil.r - t.pupil.r).abs() < 3.0
                        && di < 5.0
                        && (s.iris.r - t.iris.r).abs() < 5.0
                    {
                        good += 1;
                    } else {
                        misses.push((id, cap, s.pupil, s.iris, t.pupil, t.iris));
                    }
                }
            }
            assert!(
                failed <= 1,
                "{size}: {failed} of 40 captures failed to segment"
            );
            assert!(
                good >= 36,
                "{size}: only {good} of 40 within tolerance: {misses:?}"
            );
        }
    }

    /// Segment capture `(i, j)` of `iris eval --seed seed` (320×280) and check both circles
    /// against the generator's truth: pupil within 3 px, limbus within `limbus_tol`.
    fn segments_eval_capture(seed: u64, i: u64, j: u64, limbus_tol: f64) {
        segments_eval_capture_at(seed, i, j, limbus_tol, Size::Casia);
    }

    fn segments_eval_capture_at(seed: u64, i: u64, j: u64, limbus_tol: f64, size: Size) {
        use crate::eval::{capture_id, identity_id};
        let (img, t) = eye_with_truth(identity_id(seed, i), capture_id(seed, i, j), size);
        let s = segment(&img).unwrap_or_else(|e| panic!("{seed}/{i}/{j}: {e}"));
        let dp = (s.pupil.x - t.pupil.x).hypot(s.pupil.y - t.pupil.y);
        assert!(
            dp < 3.0 && (s.pupil.r - t.pupil.r).abs() < 3.0,
            "{seed}/{i}/{j}: pupil {:?}, truth {:?}",
            s.pupil,
            t.pupil
        );
        let di = (s.iris.x - t.iris.x).hypot(s.iris.y - t.iris.y);
        assert!(
            di < limbus_tol && (s.iris.r - t.iris.r).abs() < limbus_tol,
            "{seed}/{i}/{j}: limbus {:?}, truth {:?}",
            s.iris,
            t.iris
        );
    }

    /// Two eyes whose dense upper lashes formed a dark, roughly round tangle that passed every
    /// pupil and limbus check and was tried before the real pupil (found 86 and 111 px away).
    #[test]
    fn a_tangle_of_lashes_is_not_taken_for_the_pupil() {
        segments_eval_capture(7771, 78, 3, 8.0);
        segments_eval_capture(7771, 80, 2, 8.0);
    }

    /// The limbus 15 px from the image's right edge: the roundness check looked 1.3 radii out
    /// on every ray, found one ray inside the image and rejected the capture ("0 of 1 rays").
    #[test]
    fn a_limbus_near_the_image_edge_is_accepted() {
        segments_eval_capture(7771, 9, 1, 8.0);
    }

    /// A dark iris with lashes hanging over its left side: the ring around the pupil was as
    /// dark as the pupil on that side only, and the capture was rejected as having no iris.
    #[test]
    fn lashes_darkening_one_side_do_not_reject_a_dark_iris() {
        segments_eval_capture(7771, 28, 5, 8.0);
    }

    /// Light irises brighter than the sclera around them (640×480, seed 24680, eyes 8 and 34):
    /// the limbus search looked only for a dark-to-bright step outwards, and these captures
    /// were refused ("no iris/sclera boundary on the right side"). Now they are segmented, the
    /// pupil exactly; the limbus of such a faint boundary is still 15–22 px short of the truth
    /// (an iris radius of 107–119 px), which this test tolerates and EVAL.md reports.
    #[test]
    fn an_iris_brighter_than_its_sclera_is_not_refused() {
        segments_eval_capture_at(24680, 8, 1, 25.0, Size::Ice);
        segments_eval_capture_at(24680, 8, 3, 25.0, Size::Ice);
        segments_eval_capture_at(24680, 34, 0, 25.0, Size::Ice);
    }
}
