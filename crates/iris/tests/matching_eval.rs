//! Matching evaluation on a seed that was never used while developing the pipeline
//! (development used seeds 1 and 7 and the raw identity numbers 0–600): 20 identities ×
//! 4 captures per image style. Guards: no impostor comparison at or below the default threshold,
//! a small genuine false-reject rate, few failures to enrol, well-separated distributions.
//! Prints the evaluation table (`cargo test --release -- --nocapture` to see it).

use nightjar_iris::eval::matching_eval;
use nightjar_iris::synth::Size;

const HELD_OUT_SEED: u64 = 0x5eed_2026_1128;

fn check(size: Size) {
    let e = matching_eval(20, 4, HELD_OUT_SEED, size);
    println!("{}", e.report());
    let attempts = (e.identities * e.captures) as usize;
    assert!(
        e.failures_to_enroll * 20 <= attempts,
        "failures to enrol: {} of {attempts}",
        e.failures_to_enroll
    );
    assert!(e.impostor.len() > 2500 && e.genuine.len() >= 100);
    assert_eq!(
        e.far_at_threshold, 0.0,
        "an impostor at or below the threshold"
    );
    assert!(
        e.impostor.iter().all(|&hd| hd > e.threshold),
        "an impostor at or below the threshold"
    );
    assert!(e.frr_at_threshold <= 0.05, "FRR {:.3}", e.frr_at_threshold);
    assert!(e.d_prime > 5.0, "d' {:.2}", e.d_prime);
    let (im, ..) = e.impostor_stats();
    assert!((0.42..0.5).contains(&im), "impostor mean {im:.3}");
    let (gm, ..) = e.genuine_stats();
    assert!(gm < 0.25, "genuine mean {gm:.3}");
}

#[test]
fn casia_like_eyes_on_a_held_out_seed() {
    check(Size::Casia);
}

#[test]
fn ice_like_eyes_on_a_held_out_seed() {
    check(Size::Ice);
}
