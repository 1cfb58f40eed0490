//! Segmentation hypotheses: key regeneration falls back on the other segmentations of a
//! capture when the first does not regenerate the key ([`nightjar_iris::pipeline::templates`]).

use nightjar_iris::bind::{enroll, regenerate, BindError, BindParams};
use nightjar_iris::encode::{COLS, ROWS};
use nightjar_iris::eval::{capture_id, identity_id};
use nightjar_iris::pipeline::{alternatives, template, templates, MAX_HYPOTHESES};
use nightjar_iris::synth::{eye, Size};

fn capture(seed: u64, i: u64, j: u64) -> image::GrayImage {
    eye(identity_id(seed, i), capture_id(seed, i, j), Size::Ice)
}

/// Seed 27182 (the 640×480 evaluation of EVAL.md round 2), eye 44: capture 4's first
/// segmentation takes a dark tangle of lashes for the pupil (93 px off the truth), so its code
/// cannot regenerate the key enrolled from capture 0; another hypothesis of the same image
/// finds the real pupil and regenerates it. Capture 1 regenerates it at the first try.
#[test]
fn a_misplaced_pupil_is_recovered_by_another_hypothesis() {
    let params = BindParams::default_for(ROWS as u16, COLS as u16)
        .validate()
        .unwrap();
    let enrolled = template(&capture(27182, 44, 0)).unwrap();
    let (record, key) = enroll(&enrolled.code, &params).unwrap();
    let good = template(&capture(27182, 44, 1)).unwrap();
    assert_eq!(
        *regenerate(&record, &good.code).unwrap().key.master_key(),
        *key.master_key()
    );

    let img = capture(27182, 44, 4);
    let first = template(&img).unwrap();
    assert_eq!(
        regenerate(&record, &first.code).unwrap_err(),
        BindError::NoMatch
    );
    let alts = alternatives(&img);
    assert!(!alts.is_empty() && alts.len() < MAX_HYPOTHESES);
    let found: Vec<_> = alts
        .iter()
        .filter_map(|c| regenerate(&record, c).ok())
        .collect();
    assert_eq!(found.len(), 1, "exactly one hypothesis is the right one");
    assert_eq!(*found[0].key.master_key(), *key.master_key());

    // another eye's hypotheses regenerate nothing
    for c in std::iter::once(template(&capture(27182, 45, 1)).unwrap().code)
        .chain(alternatives(&capture(27182, 45, 1)))
    {
        assert_eq!(regenerate(&record, &c).unwrap_err(), BindError::NoMatch);
    }
}

/// The first hypothesis is exactly the template of [`template`]; the others differ from it.
#[test]
fn the_first_hypothesis_is_the_template() {
    for (i, size) in [(3, Size::Casia), (44, Size::Ice), (7, Size::Ice)] {
        let img = eye(identity_id(27182, i), capture_id(27182, i, 4), size);
        let one = template(&img).unwrap();
        let all = templates(&img, MAX_HYPOTHESES).unwrap();
        assert_eq!(all[0].code, one.code);
        assert_eq!(all[0].segmentation, one.segmentation);
        assert_eq!(templates(&img, 1).unwrap().len(), 1);
        for t in &all[1..] {
            assert_ne!(t.segmentation, one.segmentation);
        }
    }
    // an unusable image gives the first hypothesis's error and no alternatives
    let blank = image::GrayImage::new(320, 280);
    assert!(templates(&blank, MAX_HYPOTHESES).is_err());
    assert!(alternatives(&blank).is_empty());
}
