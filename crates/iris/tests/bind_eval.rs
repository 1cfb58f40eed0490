//! The key-regeneration evaluation on simulated codes: counts, rates and statistics are
//! computed over the right sets of attempts.

mod bind_common;

use bind_common::{capture, Capture, Iris, Rng};
use nightjar_iris::bind::eval::{run, Acquired, EvalConfig};
use nightjar_iris::bind::BindParams;

fn simulated(identity: u64, capture_seed: u64) -> Acquired {
    let mut rng = Rng(identity.wrapping_mul(7919));
    let iris = Iris::new(8, 256, 2.5, &mut rng);
    let mut rng = Rng(identity ^ (capture_seed << 40) ^ 0xABCD);
    // identity 3's capture 2 "fails to acquire"
    if identity == 3 && capture_seed == 2 {
        return Acquired {
            code: Err("no pupil".into()),
            alternatives: Vec::new(),
            seconds: 0.001,
        };
    }
    let rotation = (capture_seed as i32 * 5) % 13 - 6;
    let code = capture(
        &iris,
        Capture {
            noise: 0.55,
            rotation,
            eyelid: 0.25 + 0.03 * capture_seed as f64,
            spots: 3,
        },
        &mut rng,
    );
    Acquired {
        code: Ok(code),
        alternatives: Vec::new(),
        seconds: 0.002,
    }
}

#[test]
fn evaluation_counts_and_rates() {
    let config = EvalConfig {
        identities: 10,
        captures: 4,
        seed: 5,
        threads: 2,
        params: BindParams::default_for(8, 256),
        reach_samples: 6,
    };
    let r = run(&config, simulated).unwrap();
    assert_eq!(r.enrolled, 10);
    assert_eq!(r.failures_to_enroll, 0);
    assert_eq!(r.genuine_attempts, 10 * 3);
    assert_eq!(r.failures_to_acquire, 1);
    assert_eq!(r.failure_reasons, vec![("no pupil".to_string(), 1)]);
    // impostors: every other identity's captures that gave a template
    assert_eq!(r.impostor_attempts, 10 * 9 * 4 - 9);
    assert_eq!(r.impostor_acceptances, 0);
    assert_eq!(r.wrong_keys, 0);
    assert_eq!(r.far, 0.0);
    // the one failure to acquire is the only rejection
    assert_eq!(r.genuine_rejections, 1);
    assert!((r.frr - 1.0 / 30.0).abs() < 1e-12);
    assert_eq!(r.frr_given_template, 0.0);
    assert_eq!(r.genuine_hd.count, 29);
    assert_eq!(r.impostor_hd.count, r.impostor_attempts);
    assert!(r.genuine_hd.mean < 0.3 && r.impostor_hd.mean > 0.4);
    assert!(r.d_prime > 3.0, "{}", r.d_prime);
    assert_eq!(r.eer, 0.0);
    assert!(r.degrees_of_freedom > 50.0, "{}", r.degrees_of_freedom);
    assert_eq!(r.reach.len(), 13);
    assert!(r.reach[0].regenerated == 6, "{:?}", r.reach);
    let rho = r.reach_50.unwrap();
    assert!((0.25..0.45).contains(&rho), "{rho}");
    assert!(r.entropy_bits.is_some());
    assert!((r.ms_per_template - (39.0 * 2.0 + 1.0) / 40.0).abs() < 1e-9);
    assert!(r.ms_per_regeneration > 0.0);
    let hist: usize = r.genuine_hd.histogram.iter().sum();
    assert_eq!(hist, 29);
}

#[test]
fn evaluation_refuses_degenerate_settings() {
    let mut config = EvalConfig {
        identities: 1,
        captures: 4,
        seed: 0,
        threads: 1,
        params: BindParams::default_for(8, 256),
        reach_samples: 0,
    };
    assert!(run(&config, simulated).is_err());
    config.identities = 3;
    config.captures = 1;
    assert!(run(&config, simulated).is_err());
}
