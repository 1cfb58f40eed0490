//! Writes the iris figures of the README to `docs/images/` (run from the repository root):
//!
//! ```sh
//! cargo run -p nightjar-iris --release --example figures
//! ```
//!
//! Two captures of one synthetic CASIA-like eye, one ICE-like eye, the segmentation found on the
//! first (pupil red, limbus green, eyelids blue), its rubber sheet and its iris code.

use image::{imageops, Rgb, RgbImage};
use nightjar_iris::pipeline::template_and_sheet;
use nightjar_iris::synth::{eye, Size};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new("docs/images");
    std::fs::create_dir_all(dir)?;
    let a = eye(3, 0, Size::Casia);
    a.save(dir.join("iris-casia-1.png"))?;
    eye(3, 1, Size::Casia).save(dir.join("iris-casia-2.png"))?;
    // the ICE-like eye at half size keeps the file small
    let ice = eye(5, 0, Size::Ice);
    imageops::resize(&ice, 320, 240, imageops::FilterType::Triangle)
        .save(dir.join("iris-ice.png"))?;

    let (t, sheet) = template_and_sheet(&a)?;
    let mut o = RgbImage::from_fn(a.width(), a.height(), |x, y| {
        let v = a.get_pixel(x, y)[0];
        Rgb([v, v, v])
    });
    let s = &t.segmentation;
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
    o.save(dir.join("iris-segmentation.png"))?;
    let sheet_img = sheet.to_image();
    imageops::resize(
        &sheet_img,
        sheet.cols as u32 * 2,
        sheet.rows as u32 * 4,
        imageops::FilterType::Nearest,
    )
    .save(dir.join("iris-sheet.png"))?;
    // the code: two bit-rows per band (real, imaginary), masked bits grey
    let c = &t.code;
    let code = image::GrayImage::from_fn(c.cols as u32, 2 * c.rows as u32, |x, y| {
        let (band, k) = (y as usize / 2, y as usize % 2);
        let i = 2 * (band * c.cols + x as usize) + k;
        image::Luma([if !c.valid(i) {
            128
        } else if c.bit(i) {
            255
        } else {
            0
        }])
    });
    imageops::resize(
        &code,
        c.cols as u32 * 2,
        2 * c.rows as u32 * 4,
        imageops::FilterType::Nearest,
    )
    .save(dir.join("iris-code.png"))?;
    println!("wrote {}/iris-*.png", dir.display());
    Ok(())
}
