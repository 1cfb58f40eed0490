#![allow(clippy::needless_range_loop)] // parallel arrays of codes, captures and soft values are indexed together
//! Key regeneration on the real recognition pipeline (synthetic eyes → templates), for sizing
//! and reporting. Ignored by default (minutes); run with
//! `cargo test -p nightjar-iris --release --test bind_pipeline -- --ignored --nocapture`.
//! `NJ_IDS`, `NJ_CAPS`, `NJ_SEED` override the set.

use nightjar_iris::bind::eval::{run, Acquired, EvalConfig};
use nightjar_iris::bind::BindParams;
use nightjar_iris::eval::{capture_id, identity_id};
use nightjar_iris::synth::{eye, Size};

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore]
fn key_regeneration_on_synthetic_eyes() {
    let (ids, caps, seed) = (env("NJ_IDS", 30), env("NJ_CAPS", 4), env("NJ_SEED", 1));
    let config = EvalConfig {
        identities: ids,
        captures: caps,
        seed,
        threads: 2,
        params: BindParams::default_for(8, 256),
        reach_samples: 20,
    };
    let r = run(&config, |i, j| {
        let img = eye(identity_id(seed, i), capture_id(seed, i, j), Size::Casia);
        let t = nightjar_iris::bind::eval::thread_seconds();
        let code = nightjar_iris::pipeline::template(&img)
            .map(|t| t.code)
            .map_err(|e| e.to_string());
        Acquired {
            code,
            alternatives: Vec::new(),
            seconds: nightjar_iris::bind::eval::thread_seconds() - t,
        }
    })
    .unwrap();
    println!("{r:#?}");
}

/// Templates once, then several code designs on the same genuine and impostor pairs.
#[test]
#[ignore]
fn designs_on_synthetic_eyes() {
    use nightjar_iris::bind::{default_stride, enroll, regenerate_limited, ValidParams};
    let outer = env("NJ_OUTER", 5) as usize;
    let regenerate_with =
        |r: &nightjar_iris::record::EnrollmentRecord,
         v: &ValidParams,
         c: &nightjar_iris::IrisCode| { regenerate_limited(r, v, c, outer) };
    let (ids, caps, seed) = (env("NJ_IDS", 40), env("NJ_CAPS", 5), env("NJ_SEED", 1));
    let size = if env("NJ_ICE", 0) == 1 {
        Size::Ice
    } else {
        Size::Casia
    };
    let t = std::time::Instant::now();
    let codes: Vec<Vec<Option<nightjar_iris::IrisCode>>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..2u64)
            .map(|part| {
                s.spawn(move || {
                    (0..ids)
                        .filter(|i| i % 2 == part)
                        .map(|i| {
                            (0..caps)
                                .map(|j| {
                                    let img =
                                        eye(identity_id(seed, i), capture_id(seed, i, j), size);
                                    nightjar_iris::pipeline::template(&img).ok().map(|t| t.code)
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let parts: Vec<_> = hs.into_iter().map(|h| h.join().unwrap()).collect();
        let mut out = Vec::new();
        for i in 0..ids as usize {
            out.push(parts[i % 2][i / 2].clone());
        }
        out
    });
    println!("templates: {:.1} s", t.elapsed().as_secs_f64());
    let base = BindParams::default_for(8, 256);
    let s = default_stride(4096);
    let designs = [
        (
            "RM6 RS(64,20) 140b",
            BindParams {
                m: 6,
                n: 64,
                k: 20,
                stride: s,
                ..base
            },
        ),
        (
            "RM6 RS(64,28) 196b",
            BindParams {
                m: 6,
                n: 64,
                k: 28,
                stride: s,
                ..base
            },
        ),
        (
            "RM6 RS(64,34) 238b",
            BindParams {
                m: 6,
                n: 64,
                k: 34,
                stride: s,
                ..base
            },
        ),
        (
            "RM7 RS(32,16) 128b",
            BindParams {
                m: 7,
                n: 32,
                k: 16,
                stride: s,
                ..base
            },
        ),
        (
            "RM7 RS(32,20) 160b",
            BindParams {
                m: 7,
                n: 32,
                k: 20,
                stride: s,
                ..base
            },
        ),
        (
            "RM7 RS(32,24) 192b",
            BindParams {
                m: 7,
                n: 32,
                k: 24,
                stride: s,
                ..base
            },
        ),
        (
            "RM7 RS(32,27) 216b",
            BindParams {
                m: 7,
                n: 32,
                k: 27,
                stride: s,
                ..base
            },
        ),
        (
            "RM5 RS(63,30) 180b/2016",
            BindParams {
                m: 5,
                n: 63,
                k: 30,
                stride: s,
                ..base
            },
        ),
    ];
    let chosen: Vec<(String, BindParams)> = match std::env::var("NJ_DESIGNS") {
        Ok(list) => list
            .split(',')
            .map(|d| {
                let f: Vec<u16> = d.split(':').map(|x| x.parse().unwrap()).collect();
                let p = BindParams {
                    m: f[0] as u8,
                    n: f[1],
                    k: f[2],
                    stride: s,
                    ..base
                };
                (
                    format!("RM{} RS({},{}) {}b", f[0], f[1], f[2], p.key_bits()),
                    p,
                )
            })
            .collect(),
        Err(_) => designs.iter().map(|(n, p)| (n.to_string(), *p)).collect(),
    };
    let reach_n = env("NJ_REACH", 20) as usize;
    for (name, p) in chosen {
        let v = p.validate().unwrap();
        let (mut g, mut gf, mut im, mut imf, mut fte) = (0, 0, 0, 0, 0);
        let mut fails = Vec::new();
        let t = std::time::Instant::now();
        for i in 0..ids as usize {
            let Some(c0) = &codes[i][0] else {
                fte += 1;
                continue;
            };
            let Ok((rec, key)) = enroll(c0, &v) else {
                fte += 1;
                continue;
            };
            for j in 1..caps as usize {
                g += 1;
                match codes[i][j].as_ref().map(|c| regenerate_with(&rec, &v, c)) {
                    Some(Ok(r)) if *r.key.master_key() == *key.master_key() => {}
                    _ => {
                        gf += 1;
                        fails.push((i, j));
                    }
                }
            }
            // a few impostors per enrollment
            for o in 1..=3usize {
                let other = (i + o * 7) % ids as usize;
                if let Some(c) = &codes[other][o % caps as usize] {
                    im += 1;
                    if regenerate_with(&rec, &v, c).is_ok() {
                        imf += 1;
                    }
                }
            }
        }
        let secs = t.elapsed().as_secs_f64();
        // decoder reach: enrolled codes with random flips of usable bits
        let mut reach = String::new();
        let mut rng = 0x1234_5678u64;
        let mut next = || {
            rng = rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = rng;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        for rate in [0.24, 0.27, 0.30, 0.32, 0.34, 0.36] {
            let (mut ok, mut n) = (0, 0);
            for i in 0..(ids as usize).min(reach_n) {
                let Some(c0) = &codes[i][0] else { continue };
                let Ok((rec, key)) = enroll(c0, &v) else {
                    continue;
                };
                let mut probe = c0.clone();
                for b in 0..probe.len() {
                    if probe.valid(b) && ((next() >> 11) as f64) < rate * (1u64 << 53) as f64 {
                        probe.set(b, !probe.bit(b), true);
                    }
                }
                n += 1;
                if matches!(regenerate_with(&rec, &v, &probe), Ok(r) if *r.key.master_key() == *key.master_key())
                {
                    ok += 1;
                }
            }
            reach += &format!(" {rate:.2}:{ok}/{n}");
        }
        println!(
            "{name}: FTE {fte}, genuine {gf}/{g} rejected {fails:?}, impostor {imf}/{im} accepted, {secs:.1} s; reach{reach}"
        );
    }
    // genuine Hamming distances
    let mut hds = Vec::new();
    for i in 0..ids as usize {
        let Some(c0) = &codes[i][0] else { continue };
        for j in 1..caps as usize {
            if let Some(c) = &codes[i][j] {
                if let Some(m) = nightjar_iris::matching::best_match(c0, c, 16) {
                    hds.push(m.hd);
                }
            }
        }
    }
    hds.sort_by(f64::total_cmp);
    let tail: Vec<String> = hds
        .iter()
        .filter(|&&h| h > 0.22)
        .map(|h| format!("{h:.3}"))
        .collect();
    println!("genuine HDs above 0.22: {}", tail.join(" "));
    let missing: usize = codes.iter().flatten().filter(|c| c.is_none()).count();
    println!("templates missing: {missing} of {}", ids * caps);
    // impostor distances without rotation: degrees of freedom
    let mut imp = Vec::new();
    for i in 0..ids as usize {
        for o in 1..ids as usize {
            let j = (i + o) % ids as usize;
            if let (Some(a), Some(b)) = (&codes[i][0], &codes[j][1 % caps as usize]) {
                if let Some((h, _)) = nightjar_iris::hamming(a, b) {
                    imp.push(h);
                }
            }
        }
    }
    let m = imp.iter().sum::<f64>() / imp.len() as f64;
    let sd = (imp.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / imp.len() as f64).sqrt();
    println!(
        "impostor unrotated HD: n {} mean {m:.4} sd {sd:.4} dof {:.0}",
        imp.len(),
        m * (1.0 - m) / (sd * sd)
    );
    println!(
        "genuine HD: n {} mean {:.3} median {:.3} p95 {:.3} p99 {:.3} max {:.3}",
        hds.len(),
        hds.iter().sum::<f64>() / hds.len() as f64,
        hds[hds.len() / 2],
        hds[hds.len() * 95 / 100],
        hds[(hds.len() * 99 / 100).min(hds.len() - 1)],
        hds[hds.len() - 1]
    );
}

/// Why particular genuine pairs fail (`NJ_PAIRS="29:3,29:4"`): their distances, and how many
/// inner blocks decode correctly at the best rotation.
#[test]
#[ignore]
fn diagnose_pairs() {
    use nightjar_iris::bind::{enroll_with, regenerate_limited};
    use nightjar_iris::ecc::{rm, ReedSolomon};
    let seed = env("NJ_SEED", 2);
    let pairs: Vec<(u64, u64)> = std::env::var("NJ_PAIRS")
        .unwrap_or_default()
        .split(',')
        .filter_map(|p| p.split_once(':'))
        .map(|(a, b)| (a.parse().unwrap(), b.parse().unwrap()))
        .collect();
    let p = BindParams::default_for(8, 256);
    let p = BindParams {
        m: 7,
        n: 32,
        k: 16,
        ..p
    };
    let v = p.validate().unwrap();
    let rs = ReedSolomon::new(8, 32, 16).unwrap();
    let symbols: Vec<u16> = (0..16).map(|i| (i * 41 + 7) % 256).collect();
    let cw = rs.encode(&symbols).unwrap();
    for (i, j) in pairs {
        let t = |c| {
            nightjar_iris::pipeline::template(&eye(
                identity_id(seed, i),
                capture_id(seed, i, c),
                Size::Casia,
            ))
        };
        let (a, b) = (t(0), t(j));
        let (Ok(a), Ok(b)) = (a, b) else {
            println!("({i},{j}): a template is missing");
            continue;
        };
        let (a, b) = (a.code, b.code);
        let m = nightjar_iris::matching::best_match(&a, &b, 16).unwrap();
        let (rec, _) = enroll_with(&a, &v, &symbols, [1; 16]).unwrap();
        let top5 = regenerate_limited(&rec, &v, &b, 5).is_ok();
        let all = regenerate_limited(&rec, &v, &b, usize::MAX).is_ok();
        // inner decoding at the matcher's best shift
        let bytes = rec.to_bytes();
        let map = 512;
        let bit = |base: usize, j: usize| bytes[base + j / 8] & (0x80 >> (j % 8)) != 0;
        let bs = b.shifted(m.shift);
        let mut correct = 0;
        let mut errs_per_block = Vec::new();
        for blk in 0..32 {
            let mut soft = vec![0i32; 128];
            let mut errs = 0;
            let mut valid = 0;
            for x in 0..128 {
                let jj = blk * 128 + x;
                let pos = (jj as u64 * u64::from(p.stride) % 4096) as usize;
                if bit(38, jj) && bs.valid(pos) {
                    let r = bit(38 + map, jj) ^ bs.bit(pos);
                    soft[x] = if r { -1 } else { 1 };
                    valid += 1;
                    if r != rm::bit(7, cw[blk], x) {
                        errs += 1;
                    }
                }
            }
            errs_per_block.push(format!("{errs}/{valid}"));
            if rm::decode(&mut soft).unwrap().symbol == cw[blk] {
                correct += 1;
            }
        }
        println!(
            "({i},{j}): HD {:.3} valid {} shift {} | regenerate top5 {top5} all {all} | correct blocks {correct}/32 | {}",
            m.hd, m.valid_bits, m.shift, errs_per_block.join(" ")
        );
    }
}
