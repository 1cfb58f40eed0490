//! Writes the iris figures of the README to `docs/images/` (run from the repository root):
//!
//! ```sh
//! cargo run -p nightjar-iris --release --example figures
//! ```
//!
//! Two captures of one synthetic CASIA-like eye, one ICE-like eye, the segmentation found on the
//! first (pupil red, limbus green, eyelids blue), its rubber sheet and its iris code.

use image::imageops;
use nightjar_iris::pipeline::template_and_sheet;
use nightjar_iris::synth::{eye, Size};
use std::path::Path;

mod common;

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
    let o = common::overlay(&a, &t.segmentation);
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
