//! Small shared tools: a deterministic PRNG and a float image plane with the filters the
//! generator and the pipeline need.

/// SplitMix64 step: a good 64-bit mixer, used to derive seeds.
pub(crate) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Mix several words into one seed.
pub(crate) fn mix(words: &[u64]) -> u64 {
    words.iter().fold(0x6e69_6768_746a_6172_u64, |h, &w| {
        splitmix64(h ^ splitmix64(w))
    })
}

/// xoshiro256** (Blackman and Vigna), seeded through SplitMix64.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut s = [0u64; 4];
        for w in &mut s {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            *w = splitmix64(x);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [a, b).
    pub(crate) fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }

    /// Uniform integer in [0, n) (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
        }
    }

    /// True with probability p.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Standard normal (Box–Muller).
    pub(crate) fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// A new generator for a named sub-stream.
    pub(crate) fn fork(&mut self, tag: u64) -> Rng {
        Rng::new(mix(&[self.next_u64(), tag]))
    }
}

/// A single-channel float image, row-major.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Plane {
    pub w: usize,
    pub h: usize,
    pub data: Vec<f32>,
}

impl Plane {
    pub(crate) fn new(w: usize, h: usize, v: f32) -> Plane {
        Plane {
            w,
            h,
            data: vec![v; w * h],
        }
    }

    pub(crate) fn from_gray(img: &image::GrayImage) -> Plane {
        Plane {
            w: img.width() as usize,
            h: img.height() as usize,
            data: img.as_raw().iter().map(|&v| f32::from(v)).collect(),
        }
    }

    pub(crate) fn to_gray(&self) -> image::GrayImage {
        let raw: Vec<u8> = self
            .data
            .iter()
            .map(|&v| v.round().clamp(0.0, 255.0) as u8)
            .collect();
        image::GrayImage::from_raw(self.w as u32, self.h as u32, raw)
            .unwrap_or_else(|| image::GrayImage::new(0, 0))
    }

    #[inline]
    pub(crate) fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.w + x]
    }

    /// Value at integer coordinates, clamped to the border.
    #[inline]
    pub(crate) fn clamped(&self, x: i64, y: i64) -> f32 {
        let x = x.clamp(0, self.w as i64 - 1) as usize;
        let y = y.clamp(0, self.h as i64 - 1) as usize;
        self.data[y * self.w + x]
    }

    /// Bilinear interpolation, clamped to the border.
    #[inline]
    pub(crate) fn bilinear(&self, x: f32, y: f32) -> f32 {
        let x = x.clamp(0.0, (self.w - 1) as f32);
        let y = y.clamp(0.0, (self.h - 1) as f32);
        let x0 = x.floor() as usize;
        let y0 = y.floor() as usize;
        let x1 = (x0 + 1).min(self.w - 1);
        let y1 = (y0 + 1).min(self.h - 1);
        let fx = x - x0 as f32;
        let fy = y - y0 as f32;
        let a = self.data[y0 * self.w + x0];
        let b = self.data[y0 * self.w + x1];
        let c = self.data[y1 * self.w + x0];
        let d = self.data[y1 * self.w + x1];
        let top = a + (b - a) * fx;
        let bot = c + (d - c) * fx;
        top + (bot - top) * fy
    }

    /// Average over `k`×`k` blocks (the last partial blocks are dropped; `k` ≥ 1).
    pub(crate) fn downsample(&self, k: usize) -> Plane {
        let k = k.max(1);
        if k == 1 {
            return self.clone();
        }
        let (w, h) = ((self.w / k).max(1), (self.h / k).max(1));
        if k == 2 && self.w >= 2 && self.h >= 2 {
            let mut out = Plane::new(w, h, 0.0);
            for y in 0..h {
                let r0 = &self.data[2 * y * self.w..2 * y * self.w + 2 * w];
                let r1 = &self.data[(2 * y + 1) * self.w..(2 * y + 1) * self.w + 2 * w];
                let o = &mut out.data[y * w..(y + 1) * w];
                for ((d, a), b) in o.iter_mut().zip(r0.chunks_exact(2)).zip(r1.chunks_exact(2)) {
                    *d = 0.25 * (a[0] + a[1] + b[0] + b[1]);
                }
            }
            return out;
        }
        let mut out = Plane::new(w, h, 0.0);
        let norm = 1.0 / (k * k) as f32;
        for y in 0..h {
            for x in 0..w {
                let mut s = 0.0;
                for yy in y * k..((y + 1) * k).min(self.h) {
                    let row = &self.data[yy * self.w..yy * self.w + self.w];
                    for v in &row[x * k..((x + 1) * k).min(self.w)] {
                        s += v;
                    }
                }
                out.data[y * w + x] = s * norm;
            }
        }
        out
    }

    /// Mean over a (2r+1)² box, with the window clipped at the borders.
    pub(crate) fn box_blur(&self, r: usize) -> Plane {
        let tmp = box_pass(&self.data, self.w, self.h, r, true);
        Plane {
            w: self.w,
            h: self.h,
            data: box_pass(&tmp, self.w, self.h, r, false),
        }
    }

    /// Separable Gaussian blur with standard deviation `sigma` (no-op below 0.2).
    pub(crate) fn gaussian_blur(&self, sigma: f64) -> Plane {
        if sigma < 0.2 || self.w == 0 || self.h == 0 {
            return self.clone();
        }
        let r = (3.0 * sigma).ceil() as i64;
        let k: Vec<f32> = (-r..=r)
            .map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp() as f32)
            .collect();
        let s: f32 = k.iter().sum();
        let k: Vec<f32> = k.iter().map(|v| v / s).collect();
        self.convolve_sep(&k, &k)
    }

    /// Separable convolution with odd kernels `kx` (along x) and `ky` (along y), clamped borders.
    pub(crate) fn convolve_sep(&self, kx: &[f32], ky: &[f32]) -> Plane {
        let (w, h) = (self.w as i64, self.h as i64);
        let rx = (kx.len() / 2) as i64;
        let ry = (ky.len() / 2) as i64;
        let mut tmp = vec![0.0f32; self.data.len()];
        for y in 0..h {
            let row = &self.data[(y * w) as usize..((y + 1) * w) as usize];
            for x in 0..w {
                let mut s = 0.0;
                for (i, kv) in kx.iter().enumerate() {
                    let xx = (x + i as i64 - rx).clamp(0, w - 1) as usize;
                    s += kv * row[xx];
                }
                tmp[(y * w + x) as usize] = s;
            }
        }
        let mut out = vec![0.0f32; self.data.len()];
        for y in 0..h {
            for (i, kv) in ky.iter().enumerate() {
                let yy = (y + i as i64 - ry).clamp(0, h - 1);
                let src = &tmp[(yy * w) as usize..((yy + 1) * w) as usize];
                let dst = &mut out[(y * w) as usize..((y + 1) * w) as usize];
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += kv * s;
                }
            }
        }
        Plane {
            w: self.w,
            h: self.h,
            data: out,
        }
    }

    /// Mean and standard deviation of all samples.
    pub(crate) fn mean_std(&self) -> (f64, f64) {
        mean_std(self.data.iter().map(|&v| f64::from(v)))
    }
}

/// One pass of a running-sum box filter along rows (`horizontal`) or columns.
fn box_pass(src: &[f32], w: usize, h: usize, r: usize, horizontal: bool) -> Vec<f32> {
    let mut out = vec![0.0f32; src.len()];
    let (n, lines) = if horizontal { (w, h) } else { (h, w) };
    let idx = |line: usize, i: usize| {
        if horizontal {
            line * w + i
        } else {
            i * w + line
        }
    };
    let mut prefix = vec![0.0f64; n + 1];
    for line in 0..lines {
        for i in 0..n {
            prefix[i + 1] = prefix[i] + f64::from(src[idx(line, i)]);
        }
        for i in 0..n {
            let a = i.saturating_sub(r);
            let b = (i + r + 1).min(n);
            out[idx(line, i)] = ((prefix[b] - prefix[a]) / (b - a) as f64) as f32;
        }
    }
    out
}

/// Mean and (population) standard deviation.
pub(crate) fn mean_std(it: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut n, mut s, mut s2) = (0usize, 0.0, 0.0);
    for v in it {
        n += 1;
        s += v;
        s2 += v * v;
    }
    if n == 0 {
        return (0.0, 0.0);
    }
    let m = s / n as f64;
    (m, (s2 / n as f64 - m * m).max(0.0).sqrt())
}

/// Several quantiles of `v` (sorted in place, NaN first-removed by the caller); 0 when empty.
pub(crate) fn quantiles(v: &mut [f64], qs: &[f64]) -> Vec<f64> {
    if v.is_empty() {
        return vec![0.0; qs.len()];
    }
    v.sort_unstable_by(f64::total_cmp);
    qs.iter()
        .map(|&q| {
            let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
            let (lo, hi) = (pos.floor() as usize, pos.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (pos - lo as f64)
        })
        .collect()
}

/// The `q`-quantile (0..=1) of `v` by sorting a copy; 0 for an empty slice.
pub(crate) fn quantile(v: &[f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    let mut s: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if s.is_empty() {
        return 0.0;
    }
    s.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    s[lo] + (s[hi] - s[lo]) * (pos - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_roughly_uniform() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..10).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..10).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        let mut r = Rng::new(1);
        let m: f64 = (0..10_000).map(|_| r.unit()).sum::<f64>() / 10_000.0;
        assert!((m - 0.5).abs() < 0.02, "{m}");
        let (nm, ns) = mean_std((0..10_000).map(|_| r.normal()));
        assert!(nm.abs() < 0.05 && (ns - 1.0).abs() < 0.05, "{nm} {ns}");
    }

    #[test]
    fn box_blur_of_constant_is_constant() {
        let p = Plane::new(7, 5, 3.0);
        let b = p.box_blur(2);
        assert!(b.data.iter().all(|&v| (v - 3.0).abs() < 1e-5));
        let g = p.gaussian_blur(1.5);
        assert!(g.data.iter().all(|&v| (v - 3.0).abs() < 1e-4));
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[3.0, 1.0, 2.0], 0.5), 2.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
        assert!((quantile(&[0.0, 1.0], 0.25) - 0.25).abs() < 1e-12);
    }
}
