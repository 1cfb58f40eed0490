//! Pieces the iris examples share (each example uses some of them).
#![allow(dead_code)]

use nightjar_iris::segment::Segmentation;
use nightjar_iris::synth::Size;

/// The `SEED IDENTITIES CAPTURES [SIZE]` arguments of the evaluation examples, as
/// `iris eval --seed SEED --identities IDENTITIES --captures CAPTURES --size SIZE` takes them
/// (defaults 1234, 60, 6, 320x280).
pub fn eval_args() -> Result<(u64, u64, u64, Size), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let seed: u64 = a.get(1).map_or(Ok(1234), |s| s.parse())?;
    let ids: u64 = a.get(2).map_or(Ok(60), |s| s.parse())?;
    let caps: u64 = a.get(3).map_or(Ok(6), |s| s.parse())?;
    let size = Size::parse(a.get(4).map_or("320x280", String::as_str)).ok_or("size WxH")?;
    Ok((seed, ids, caps, size))
}

/// The eye image in colour with the segmentation drawn on it: pupil red, limbus green,
/// eyelids blue.
pub fn overlay(a: &image::GrayImage, s: &Segmentation) -> image::RgbImage {
    use image::Rgb;
    let mut o = image::RgbImage::from_fn(a.width(), a.height(), |x, y| {
        let v = a.get_pixel(x, y)[0];
        Rgb([v, v, v])
    });
    let mut put = |x: f64, y: f64, c: [u8; 3]| {
        if x >= 0.0 && y >= 0.0 && (x as u32) < o.width() && (y as u32) < o.height() {
            o.put_pixel(x as u32, y as u32, Rgb(c));
        }
    };
    for k in 0..1440 {
        let th = f64::from(k) * std::f64::consts::TAU / 1440.0;
        put(
            s.pupil.x + s.pupil.r * th.cos(),
            s.pupil.y + s.pupil.r * th.sin(),
            [255, 40, 40],
        );
        put(
            s.iris.x + s.iris.r * th.cos(),
            s.iris.y + s.iris.r * th.sin(),
            [40, 255, 40],
        );
    }
    for k in 0..(4 * a.width()) {
        let x = f64::from(k) / 4.0;
        if (x - s.iris.x).abs() <= s.iris.r {
            put(x, s.upper_lid.y(x), [60, 140, 255]);
            put(x, s.lower_lid.y(x), [60, 140, 255]);
        }
    }
    o
}
