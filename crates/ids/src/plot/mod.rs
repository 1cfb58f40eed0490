//! Small PNG charts drawn pixel by pixel: line charts (the MSE curve, the studies) and bar
//! charts, with axes, tick marks, grid, legend and text in a built-in 5×7 bitmap font. No
//! plotting library, no system fonts.

mod font;

use std::path::Path;

type Rgb = [u8; 3];

const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GRID: Rgb = [228, 228, 228];
const AXIS: Rgb = [60, 60, 60];
/// Series colours (colour-blind friendly, Okabe–Ito).
pub const PALETTE: [Rgb; 8] = [
    [0, 114, 178],
    [213, 94, 0],
    [0, 158, 115],
    [204, 121, 167],
    [230, 159, 0],
    [86, 180, 233],
    [120, 120, 120],
    [240, 228, 66],
];

/// An RGB raster with drawing primitives.
pub struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    pub fn new(w: u32, h: u32) -> Canvas {
        Canvas {
            w,
            h,
            px: vec![255; w as usize * h as usize * 3],
        }
    }

    fn set(&mut self, x: i64, y: i64, c: Rgb) {
        if x >= 0 && y >= 0 && (x as u32) < self.w && (y as u32) < self.h {
            let i = (y as usize * self.w as usize + x as usize) * 3;
            self.px[i..i + 3].copy_from_slice(&c);
        }
    }

    /// Filled rectangle.
    pub fn rect(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, c: Rgb) {
        for y in y0.min(y1)..=y0.max(y1) {
            for x in x0.min(x1)..=x0.max(x1) {
                self.set(x, y, c);
            }
        }
    }

    /// A line `width` pixels thick (Bresenham with a square pen).
    pub fn line(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, width: i64, c: Rgb) {
        if !(x0.is_finite() && y0.is_finite() && x1.is_finite() && y1.is_finite()) {
            return;
        }
        let lim = 1e6;
        let (mut x, mut y) = (x0.clamp(-lim, lim) as i64, y0.clamp(-lim, lim) as i64);
        let (xe, ye) = (x1.clamp(-lim, lim) as i64, y1.clamp(-lim, lim) as i64);
        let dx = (xe - x).abs();
        let dy = -(ye - y).abs();
        let sx = if x < xe { 1 } else { -1 };
        let sy = if y < ye { 1 } else { -1 };
        let mut err = dx + dy;
        let r0 = -(width - 1) / 2;
        let r1 = width / 2;
        let mut steps = 0;
        loop {
            for oy in r0..=r1 {
                for ox in r0..=r1 {
                    self.set(x + ox, y + oy, c);
                }
            }
            if (x == xe && y == ye) || steps > 8_000 {
                break;
            }
            steps += 1;
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// Text with its top-left corner at (x, y), glyphs scaled by `scale`.
    pub fn text(&mut self, x: i64, y: i64, s: &str, scale: i64, c: Rgb) {
        let mut cx = x;
        for ch in s.chars() {
            let g = font::glyph(ch)
                .or_else(|| font::glyph('?'))
                .unwrap_or([0; 7]);
            for (row, bits) in g.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        self.rect(
                            cx + col * scale,
                            y + row as i64 * scale,
                            cx + col * scale + scale - 1,
                            y + row as i64 * scale + scale - 1,
                            c,
                        );
                    }
                }
            }
            cx += 6 * scale;
        }
    }

    /// Text rotated a quarter turn counter-clockwise (reads bottom to top), its glyphs' top
    /// edge at column `x`, ending at row `y`.
    pub fn text_up(&mut self, x: i64, y: i64, s: &str, scale: i64, c: Rgb) {
        let mut cy = y;
        for ch in s.chars() {
            let g = font::glyph(ch)
                .or_else(|| font::glyph('?'))
                .unwrap_or([0; 7]);
            for (row, bits) in g.iter().enumerate() {
                for col in 0..5 {
                    if bits & (0x10 >> col) != 0 {
                        let px = x + row as i64 * scale;
                        let py = cy - col * scale;
                        self.rect(px, py - scale + 1, px + scale - 1, py, c);
                    }
                }
            }
            cy -= 6 * scale;
        }
    }

    /// Width in pixels of `s` drawn at `scale`.
    pub fn text_width(s: &str, scale: i64) -> i64 {
        s.chars().count() as i64 * 6 * scale - scale
    }

    /// Encode as PNG.
    pub fn to_png(&self) -> Result<Vec<u8>, String> {
        let img = image::RgbImage::from_raw(self.w, self.h, self.px.clone())
            .ok_or_else(|| "canvas size mismatch".to_string())?;
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        Ok(out.into_inner())
    }

    /// Write as a PNG file.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let png = self.to_png()?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// (width, height).
    pub fn size(&self) -> (u32, u32) {
        (self.w, self.h)
    }
}

/// One named series of (x, y) points; non-finite y values break the line.
#[derive(Clone, Debug)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

impl Series {
    /// A series called `name` (empty: no legend entry) with these points.
    pub fn named(name: impl Into<String>, points: Vec<(f64, f64)>) -> Series {
        Series {
            name: name.into(),
            points,
        }
    }
}

/// A line chart.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub log_x: bool,
    pub log_y: bool,
    /// Draw a marker at every point.
    pub markers: bool,
    pub series: Vec<Series>,
    /// Horizontal reference lines (value, label), e.g. a target MSE.
    pub hlines: Vec<(f64, String)>,
}

/// A bar chart of named values (one bar per name; non-finite values draw no bar and say "n/a").
#[derive(Clone, Debug, Default)]
pub struct BarChart {
    pub title: String,
    pub y_label: String,
    pub log_y: bool,
    pub bars: Vec<(String, f64)>,
}

/// Tick label text for `v`.
pub fn fmt_tick(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e5).contains(&a) {
        let e = a.log10().floor() as i32;
        let m = v / 10f64.powi(e);
        if (m - m.round()).abs() < 1e-9 {
            return format!("{}e{}", m.round() as i64, e);
        }
        return format!("{m:.1}e{e}");
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// "Nice" linear ticks covering [lo, hi].
fn linear_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let mut t = (lo / step).ceil() * step;
    let mut v = Vec::new();
    while t <= hi + step * 1e-9 && v.len() < 50 {
        v.push(if t.abs() < step * 1e-9 { 0.0 } else { t });
        t += step;
    }
    v
}

/// Decade ticks (plus 2 and 5 when few decades) covering [lo, hi] (both > 0).
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let e0 = lo.log10().floor() as i32;
    let e1 = hi.log10().ceil() as i32;
    let mults: &[f64] = if e1 - e0 <= 2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let mut v = Vec::new();
    for e in e0..=e1 {
        for m in mults {
            let t = m * 10f64.powi(e);
            if t >= lo * (1.0 - 1e-9) && t <= hi * (1.0 + 1e-9) {
                v.push(t);
            }
        }
    }
    v
}

struct Axis {
    lo: f64,
    hi: f64,
    log: bool,
    p0: f64,
    p1: f64,
}

impl Axis {
    fn new(vals: impl Iterator<Item = f64>, log: bool, p0: f64, p1: f64, zero: bool) -> Axis {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for v in vals {
            if v.is_finite() && (!log || v > 0.0) {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
        if !lo.is_finite() {
            (lo, hi) = if log { (0.1, 1.0) } else { (0.0, 1.0) };
        }
        if log {
            lo = 10f64.powf(lo.log10().floor());
            hi = 10f64.powf(hi.log10().ceil());
            if hi <= lo {
                hi = lo * 10.0;
            }
        } else {
            if zero {
                lo = lo.min(0.0);
            }
            if hi - lo < 1e-12 {
                hi = lo + 1.0;
            }
            let t = linear_ticks(lo, hi);
            let step = if t.len() > 1 { t[1] - t[0] } else { hi - lo };
            lo = (lo / step).floor() * step;
            hi = (hi / step).ceil() * step;
        }
        Axis {
            lo,
            hi,
            log,
            p0,
            p1,
        }
    }

    fn map(&self, v: f64) -> f64 {
        let f = if self.log {
            if v <= 0.0 {
                return f64::NAN;
            }
            (v.log10() - self.lo.log10()) / (self.hi.log10() - self.lo.log10())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        };
        self.p0 + f * (self.p1 - self.p0)
    }

    fn ticks(&self) -> Vec<f64> {
        if self.log {
            log_ticks(self.lo, self.hi)
        } else {
            linear_ticks(self.lo, self.hi)
        }
    }
}

const W: u32 = 900;
const H: u32 = 560;
const ML: i64 = 112;
const MR: i64 = 30;
const MT: i64 = 56;
const MB: i64 = 74;

fn frame(c: &mut Canvas, title: &str, x_label: &str, y_label: &str) {
    let (w, h) = (i64::from(W), i64::from(H));
    c.text((w - Canvas::text_width(title, 3)) / 2, 14, title, 3, BLACK);
    let plot_w = w - ML - MR;
    c.text(
        ML + (plot_w - Canvas::text_width(x_label, 2)) / 2,
        h - 26,
        x_label,
        2,
        BLACK,
    );
    let plot_h = h - MT - MB;
    c.text_up(
        8,
        MT + (plot_h + Canvas::text_width(y_label, 2)) / 2,
        y_label,
        2,
        BLACK,
    );
}

fn y_axis(c: &mut Canvas, ya: &Axis) {
    let (w, h) = (i64::from(W), i64::from(H));
    for t in ya.ticks() {
        let y = ya.map(t).round() as i64;
        c.line(
            (ML + 1) as f64,
            y as f64,
            (w - MR) as f64,
            y as f64,
            1,
            GRID,
        );
        c.line((ML - 6) as f64, y as f64, ML as f64, y as f64, 2, AXIS);
        let s = fmt_tick(t);
        c.text(ML - 10 - Canvas::text_width(&s, 2), y - 7, &s, 2, BLACK);
    }
    c.line(ML as f64, MT as f64, ML as f64, (h - MB) as f64, 2, AXIS);
    c.line(
        ML as f64,
        (h - MB) as f64,
        (w - MR) as f64,
        (h - MB) as f64,
        2,
        AXIS,
    );
}

impl LineChart {
    /// Draw the chart.
    pub fn render(&self) -> Canvas {
        let (w, h) = (i64::from(W), i64::from(H));
        let mut c = Canvas::new(W, H);
        frame(&mut c, &self.title, &self.x_label, &self.y_label);
        let pts = || self.series.iter().flat_map(|s| s.points.iter());
        let xa = Axis::new(
            pts().map(|p| p.0),
            self.log_x,
            ML as f64,
            (w - MR) as f64,
            false,
        );
        let ya = Axis::new(
            pts().map(|p| p.1).chain(self.hlines.iter().map(|h| h.0)),
            self.log_y,
            (h - MB) as f64,
            MT as f64,
            !self.log_y,
        );
        y_axis(&mut c, &ya);
        let xt = xa.ticks();
        let mut last_right = i64::MIN;
        for t in xt {
            let x = xa.map(t).round() as i64;
            c.line(
                x as f64,
                (h - MB) as f64,
                x as f64,
                (h - MB + 6) as f64,
                2,
                AXIS,
            );
            let s = fmt_tick(t);
            let tw = Canvas::text_width(&s, 2);
            if x - tw / 2 > last_right + 8 {
                c.text(x - tw / 2, h - MB + 12, &s, 2, BLACK);
                last_right = x + tw / 2;
            }
        }
        for (v, label) in &self.hlines {
            let y = ya.map(*v);
            let mut x = ML as f64;
            while x < (w - MR) as f64 {
                c.line(x, y, (x + 8.0).min((w - MR) as f64), y, 1, AXIS);
                x += 14.0;
            }
            c.text(
                w - MR - Canvas::text_width(label, 2) - 4,
                y as i64 - 18,
                label,
                2,
                AXIS,
            );
        }
        for (i, s) in self.series.iter().enumerate() {
            let col = PALETTE[i % PALETTE.len()];
            let mut prev: Option<(f64, f64)> = None;
            for &(x, y) in &s.points {
                let p = (xa.map(x), ya.map(y));
                if !(p.0.is_finite() && p.1.is_finite()) {
                    prev = None;
                    continue;
                }
                if let Some(q) = prev {
                    c.line(q.0, q.1, p.0, p.1, 3, col);
                }
                if self.markers {
                    let (px, py) = (p.0.round() as i64, p.1.round() as i64);
                    c.rect(px - 4, py - 4, px + 4, py + 4, col);
                }
                prev = Some(p);
            }
        }
        // legend
        if self.series.len() > 1 || self.series.first().is_some_and(|s| !s.name.is_empty()) {
            let lw = self
                .series
                .iter()
                .map(|s| Canvas::text_width(&s.name, 2))
                .max()
                .unwrap_or(0)
                + 44;
            let x0 = w - MR - lw - 10;
            let y0 = MT + 10;
            let lh = 22 * self.series.len() as i64 + 8;
            c.rect(x0, y0, x0 + lw, y0 + lh, WHITE);
            for e in [
                (x0, y0, x0 + lw, y0),
                (x0, y0 + lh, x0 + lw, y0 + lh),
                (x0, y0, x0, y0 + lh),
                (x0 + lw, y0, x0 + lw, y0 + lh),
            ] {
                c.line(e.0 as f64, e.1 as f64, e.2 as f64, e.3 as f64, 1, AXIS);
            }
            for (i, s) in self.series.iter().enumerate() {
                let y = y0 + 8 + 22 * i as i64;
                let col = PALETTE[i % PALETTE.len()];
                c.rect(x0 + 8, y + 5, x0 + 30, y + 8, col);
                c.text(x0 + 38, y, &s.name, 2, BLACK);
            }
        }
        c
    }
}

impl BarChart {
    /// Draw the chart.
    pub fn render(&self) -> Canvas {
        let (w, h) = (i64::from(W), i64::from(H));
        let mut c = Canvas::new(W, H);
        frame(&mut c, &self.title, "", &self.y_label);
        let ya = Axis::new(
            self.bars.iter().map(|b| b.1),
            self.log_y,
            (h - MB) as f64,
            MT as f64,
            !self.log_y,
        );
        y_axis(&mut c, &ya);
        let n = self.bars.len().max(1) as i64;
        let slot = (w - ML - MR) / n;
        let base = if self.log_y {
            ya.map(ya.lo)
        } else {
            ya.map(0.0f64.max(ya.lo))
        };
        for (i, (name, v)) in self.bars.iter().enumerate() {
            let x0 = ML + slot * i as i64 + slot / 5;
            let x1 = ML + slot * (i as i64 + 1) - slot / 5;
            let col = PALETTE[i % PALETTE.len()];
            let y = ya.map(*v);
            if y.is_finite() {
                c.rect(x0, y.round() as i64, x1, base.round() as i64 - 1, col);
                let s = fmt_tick(*v);
                let tw = Canvas::text_width(&s, 2);
                c.text((x0 + x1 - tw) / 2, y.round() as i64 - 20, &s, 2, BLACK);
            } else {
                let tw = Canvas::text_width("n/a", 2);
                c.text((x0 + x1 - tw) / 2, base as i64 - 20, "n/a", 2, BLACK);
            }
            let mut scale = 2;
            if Canvas::text_width(name, 2) > slot - 4 {
                scale = 1;
            }
            let tw = Canvas::text_width(name, scale);
            c.text((x0 + x1 - tw) / 2, h - MB + 12, name, scale, BLACK);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(fmt_tick(0.0), "0");
        assert_eq!(fmt_tick(0.5), "0.5");
        assert_eq!(fmt_tick(100.0), "100");
        assert_eq!(fmt_tick(1e-4), "1e-4");
        assert_eq!(fmt_tick(2.5e6), "2.5e6");
        assert_eq!(linear_ticks(0.0, 10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(
            log_ticks(0.01, 1.0),
            vec![0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0]
        );
    }

    #[test]
    fn charts_render_to_png_whatever_the_data() {
        let chart = LineChart {
            title: "MSE vs epoch".into(),
            x_label: "epoch".into(),
            y_label: "MSE".into(),
            log_y: true,
            series: vec![
                Series {
                    name: "train".into(),
                    points: (1..100).map(|i| (i as f64, 1.0 / i as f64)).collect(),
                },
                Series {
                    name: "val".into(),
                    points: vec![(1.0, f64::NAN), (2.0, 0.0), (3.0, f64::INFINITY)],
                },
            ],
            hlines: vec![(0.01, "target".into())],
            ..Default::default()
        };
        let png = chart.render().to_png().unwrap();
        assert_eq!(&png[1..4], b"PNG");
        let empty = LineChart::default().render().to_png().unwrap();
        assert_eq!(&empty[1..4], b"PNG");
        let bars = BarChart {
            title: "t".into(),
            y_label: "epochs".into(),
            log_y: false,
            bars: vec![("a".into(), 3.0), ("b".into(), f64::NAN)],
        };
        assert_eq!(&bars.render().to_png().unwrap()[1..4], b"PNG");
    }
}
