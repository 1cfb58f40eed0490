//! Sizing the codes on simulated captures (not a check: run with
//! `cargo test -p nightjar-iris --release --test bind_sweep -- --ignored --nocapture`).
//! Prints, for several noise levels, the genuine Hamming distance and the key-regeneration
//! failure rate of candidate code designs.

mod bind_common;

use bind_common::{capture, flip_iid, min_hd, Capture, Iris, Rng};
use nightjar_iris::bind::{default_stride, enroll, regenerate, BindParams};

fn designs() -> Vec<(&'static str, BindParams)> {
    let base = BindParams::default_for(8, 256);
    let mk = |m: u8, n: u16, k: u16, stride: u32| BindParams {
        m,
        n,
        k,
        stride,
        ..base
    };
    let s = default_stride(4096);
    vec![
        ("RM6 RS(64,20) 140b", mk(6, 64, 20, s)),
        ("RM6 RS(64,24) 168b", mk(6, 64, 24, s)),
        ("RM6 RS(64,19) 133b", mk(6, 64, 19, s)),
        ("RM7 RS(32,16) 128b", mk(7, 32, 16, s)),
        ("RM7 RS(32,18) 144b", mk(7, 32, 18, s)),
        ("RM5 RS(63,22) 132b/2016", mk(5, 63, 22, s)),
        ("RM6 RS(64,20) no-intlv", mk(6, 64, 20, 1)),
        ("RM7 RS(32,16) no-intlv", mk(7, 32, 16, 1)),
        ("RM7 RS(32,16) stride 513", mk(7, 32, 16, 513)),
    ]
}

#[test]
#[ignore]
fn sweep_field_model() {
    let trials = 120;
    for &noise in &[1.0, 1.05, 1.1] {
        let mut rng = Rng(1234);
        let mut pairs = Vec::new();
        let mut hds = Vec::new();
        for _ in 0..trials {
            let iris = Iris::new(8, 256, 2.5, &mut rng);
            let a = capture(
                &iris,
                Capture {
                    noise,
                    rotation: 0,
                    eyelid: 0.25,
                    spots: 3,
                },
                &mut rng,
            );
            let rot = rng.below(17) as i32 - 8;
            let b = capture(
                &iris,
                Capture {
                    noise,
                    rotation: rot,
                    eyelid: 0.35,
                    spots: 3,
                },
                &mut rng,
            );
            hds.push(min_hd(&a, &b, 10));
            pairs.push((a, b));
        }
        hds.sort_by(f64::total_cmp);
        print!(
            "field noise {noise:.2}: HD mean {:.3} p95 {:.3} max {:.3} |",
            hds.iter().sum::<f64>() / hds.len() as f64,
            hds[hds.len() * 95 / 100],
            hds[hds.len() - 1]
        );
        for (name, p) in designs() {
            let v = p.validate().unwrap();
            let mut fails = 0;
            for (a, b) in &pairs {
                let (rec, key) = enroll(a, &v).unwrap();
                match regenerate(&rec, b) {
                    Ok(r) => assert_eq!(*r.key.master_key(), *key.master_key()),
                    Err(_) => fails += 1,
                }
            }
            print!(" {name}: {fails}/{trials} |");
        }
        println!();
    }
}

#[test]
#[ignore]
fn sweep_iid_model() {
    let trials = 120;
    for &p_err in &[0.25, 0.3, 0.33, 0.36, 0.39, 0.42] {
        let mut rng = Rng(99);
        print!("iid p={p_err:.2}:");
        let pairs: Vec<_> = (0..trials)
            .map(|_| {
                let iris = Iris::new(8, 256, 2.5, &mut rng);
                let a = capture(
                    &iris,
                    Capture {
                        noise: 0.0,
                        rotation: 0,
                        eyelid: 0.25,
                        spots: 3,
                    },
                    &mut rng,
                );
                let b = flip_iid(&a, p_err, &mut rng);
                (a, b)
            })
            .collect();
        for (name, p) in designs() {
            let v = p.validate().unwrap();
            let mut fails = 0;
            for (a, b) in &pairs {
                let (rec, _) = enroll(a, &v).unwrap();
                if regenerate(&rec, b).is_err() {
                    fails += 1;
                }
            }
            print!(" {name}: {fails}/{trials} |");
        }
        println!();
    }
}

#[test]
#[ignore]
fn timing() {
    let mut rng = Rng(1);
    for (name, p) in designs() {
        let v = p.validate().unwrap();
        let iris = Iris::new(8, 256, 2.5, &mut rng);
        let a = capture(
            &iris,
            Capture {
                noise: 0.5,
                rotation: 0,
                eyelid: 0.25,
                spots: 3,
            },
            &mut rng,
        );
        let (rec, _) = enroll(&a, &v).unwrap();
        let others: Vec<_> = (0..20)
            .map(|_| {
                let o = Iris::new(8, 256, 2.5, &mut rng);
                capture(
                    &o,
                    Capture {
                        noise: 0.5,
                        rotation: 0,
                        eyelid: 0.25,
                        spots: 3,
                    },
                    &mut rng,
                )
            })
            .collect();
        let t = std::time::Instant::now();
        for o in &others {
            assert!(regenerate(&rec, o).is_err());
        }
        let imp = t.elapsed().as_secs_f64() * 1000.0 / others.len() as f64;
        let g = capture(
            &iris,
            Capture {
                noise: 0.5,
                rotation: 5,
                eyelid: 0.3,
                spots: 3,
            },
            &mut rng,
        );
        let t = std::time::Instant::now();
        for _ in 0..20 {
            regenerate(&rec, &g).unwrap();
        }
        let gen = t.elapsed().as_secs_f64() * 1000.0 / 20.0;
        println!("{name}: impostor {imp:.2} ms, genuine {gen:.2} ms");
    }
}

#[test]
#[ignore]
fn outer_shift_limit() {
    use nightjar_iris::bind::regenerate_limited;
    let trials = 150;
    for &noise in &[0.9, 1.0, 1.05] {
        let mut rng = Rng(4321);
        let pairs: Vec<_> = (0..trials)
            .map(|_| {
                let iris = Iris::new(8, 256, 2.5, &mut rng);
                let a = capture(
                    &iris,
                    Capture {
                        noise,
                        rotation: 0,
                        eyelid: 0.25,
                        spots: 3,
                    },
                    &mut rng,
                );
                let rot = rng.below(21) as i32 - 10;
                let b = capture(
                    &iris,
                    Capture {
                        noise,
                        rotation: rot,
                        eyelid: 0.35,
                        spots: 3,
                    },
                    &mut rng,
                );
                (a, b)
            })
            .collect();
        for (name, p) in designs()
            .into_iter()
            .filter(|(n, _)| n.starts_with("RM7 RS(32,16)") || n.starts_with("RM6 RS(64,20) 140"))
        {
            let v = p.validate().unwrap();
            let recs: Vec<_> = pairs
                .iter()
                .map(|(a, _)| enroll(a, &v).unwrap().0)
                .collect();
            let mut line = format!("noise {noise:.2} {name}:");
            for limit in [1usize, 2, 3, 5, 8, usize::MAX] {
                let t = std::time::Instant::now();
                let fails = recs
                    .iter()
                    .zip(&pairs)
                    .filter(|(r, (_, b))| regenerate_limited(r, &v, b, limit).is_err())
                    .count();
                line += &format!(
                    " top{}: {fails} ({:.2} ms)",
                    if limit == usize::MAX { 99 } else { limit },
                    t.elapsed().as_secs_f64() * 1e3 / trials as f64
                );
            }
            println!("{line}");
        }
    }
}

fn cpu_ns() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

#[test]
#[ignore]
fn cpu_timing() {
    use nightjar_iris::ecc::rm;
    let mut soft: Vec<i32> = (0..128)
        .map(|i| if (i * 7) % 3 == 0 { -1 } else { 1 })
        .collect();
    let c = cpu_ns();
    let mut acc = 0u32;
    for i in 0..100_000 {
        soft[i % 128] = -soft[i % 128];
        let mut s = soft.clone();
        acc = acc.wrapping_add(rm::decode(&mut s).unwrap().margin);
    }
    println!(
        "rm::decode(128): {:.0} ns each ({acc})",
        (cpu_ns() - c) / 100_000.0
    );
    let mut rng = Rng(1);
    let v = BindParams::default_for(8, 256).validate().unwrap();
    let iris = Iris::new(8, 256, 2.5, &mut rng);
    let a = capture(
        &iris,
        Capture {
            noise: 0.5,
            rotation: 0,
            eyelid: 0.25,
            spots: 3,
        },
        &mut rng,
    );
    let (rec, _) = enroll(&a, &v).unwrap();
    let others: Vec<_> = (0..50)
        .map(|_| {
            let o = Iris::new(8, 256, 2.5, &mut rng);
            capture(
                &o,
                Capture {
                    noise: 0.5,
                    rotation: 0,
                    eyelid: 0.25,
                    spots: 3,
                },
                &mut rng,
            )
        })
        .collect();
    let c = cpu_ns();
    for o in &others {
        assert!(regenerate(&rec, o).is_err());
    }
    println!(
        "impostor regeneration: {:.2} ms CPU",
        (cpu_ns() - c) / 1e6 / others.len() as f64
    );
    let g = capture(
        &iris,
        Capture {
            noise: 0.5,
            rotation: 5,
            eyelid: 0.3,
            spots: 3,
        },
        &mut rng,
    );
    let c = cpu_ns();
    for _ in 0..50 {
        regenerate(&rec, &g).unwrap();
    }
    println!(
        "genuine regeneration: {:.2} ms CPU",
        (cpu_ns() - c) / 1e6 / 50.0
    );
}
