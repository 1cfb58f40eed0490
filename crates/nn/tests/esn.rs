//! Echo-state network: spectral radius, echo-state property, a task that needs memory, NARMA-10,
//! and the ridge readout against a direct solve.

use nightjar_nn::linalg::Gram;
use nightjar_nn::rng::Rng;
use nightjar_nn::{Esn, EsnParams, Matrix, NnError};

/// ‖W^k‖_F^(1/k) for k = 2^squarings (Gelfand's formula), computed densely in f64: an estimate
/// of the spectral radius independent of the crate's power iteration.
fn gelfand(w: &[f32], n: usize, squarings: u32) -> f64 {
    let mut m: Vec<f64> = w.iter().map(|&v| v as f64).collect();
    let mut log_scale = 0.0f64; // m_true = m · e^(log_scale)
    for _ in 0..squarings {
        let mut p = vec![0.0; n * n];
        for i in 0..n {
            for k in 0..n {
                let a = m[i * n + k];
                if a != 0.0 {
                    for j in 0..n {
                        p[i * n + j] += a * m[k * n + j];
                    }
                }
            }
        }
        log_scale *= 2.0;
        let f = p.iter().map(|v| v * v).sum::<f64>().sqrt();
        p.iter_mut().for_each(|v| *v /= f);
        log_scale += f.ln();
        m = p;
    }
    (log_scale / 2f64.powi(squarings as i32)).exp()
}

#[test]
fn reservoir_has_the_requested_spectral_radius() {
    for (n, sparsity, rho, seed) in [(100, 0.9, 0.9, 1), (60, 0.5, 1.2, 2), (200, 0.95, 0.5, 3)] {
        let p = EsnParams {
            reservoir: n,
            sparsity,
            spectral_radius: rho,
            seed,
            ..EsnParams::default()
        };
        let e = Esn::new(&p.validate().unwrap(), 1, 1);
        let w = e.reservoir_dense();
        let zeros = w.iter().filter(|&&v| v == 0.0).count() as f32 / (n * n) as f32;
        assert!(
            (zeros - sparsity).abs() < 0.03,
            "sparsity {zeros} vs {sparsity}"
        );
        let g = gelfand(&w, n, 11);
        assert!(
            (g / rho as f64 - 1.0).abs() < 0.01,
            "n {n}: Gelfand estimate {g} vs requested {rho}"
        );
        assert!((e.measured_spectral_radius() / rho as f64 - 1.0).abs() < 0.002);
    }
}

fn uniform_inputs(n: usize, lo: f32, hi: f32, seed: u64) -> Matrix {
    let mut r = Rng::new(seed);
    Matrix::new(
        n,
        1,
        (0..n).map(|_| lo + (hi - lo) * r.next_f32()).collect(),
    )
    .unwrap()
}

#[test]
fn states_from_different_initial_states_converge() {
    let p = EsnParams {
        reservoir: 100,
        spectral_radius: 0.9,
        input_scale: 1.0,
        ..EsnParams::default()
    };
    let e = Esn::new(&p.validate().unwrap(), 1, 1);
    let u = uniform_inputs(300, -1.0, 1.0, 4);
    let mut r = Rng::new(5);
    let a: Vec<f32> = (0..100).map(|_| r.uniform_sym(1.0)).collect();
    let b: Vec<f32> = (0..100).map(|_| r.uniform_sym(1.0)).collect();
    let sa = e.states_from(&u, &a).unwrap();
    let sb = e.states_from(&u, &b).unwrap();
    let dist = |t: usize| {
        sa.row(t)
            .iter()
            .zip(sb.row(t))
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt()
    };
    let d0 = dist(0);
    assert!(d0 > 0.5);
    assert!(dist(100) < d0 * 1e-2, "after 100 steps: {}", dist(100));
    assert!(dist(299) < 1e-5, "after 300 steps: {}", dist(299));
    // And the zero-state run is what `states` returns.
    assert_eq!(e.states(&u), e.states_from(&u, &[0.0; 100]).unwrap());
}

fn nmse(pred: &Matrix, target: &Matrix, skip: usize) -> f64 {
    let t: Vec<f64> = target.data[skip..].iter().map(|&v| v as f64).collect();
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    let var = t.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / t.len() as f64;
    let mse = pred.data[skip..]
        .iter()
        .zip(&t)
        .map(|(&p, t)| (p as f64 - t).powi(2))
        .sum::<f64>()
        / t.len() as f64;
    mse / var
}

fn delayed(u: &Matrix, k: usize) -> Matrix {
    Matrix::new(
        u.rows,
        1,
        (0..u.rows)
            .map(|t| if t >= k { u.data[t - k] } else { 0.0 })
            .collect(),
    )
    .unwrap()
}

/// Recall of the input five steps back: impossible without memory (the input is i.i.d.), easy
/// for a reservoir. A reservoir with spectral radius 0 has no recurrence: its readout sees only
/// the current input, and must fail.
#[test]
fn esn_learns_a_delay_that_a_memoryless_readout_cannot() {
    let (u, ut) = (
        uniform_inputs(3000, -0.5, 0.5, 6),
        uniform_inputs(1000, -0.5, 0.5, 7),
    );
    let k = 5;
    let fit = |rho: f32| {
        let p = EsnParams {
            reservoir: 100,
            spectral_radius: rho,
            input_scale: 1.0,
            ridge: 1e-6,
            washout: 50,
            ..EsnParams::default()
        };
        let mut e = Esn::new(&p.validate().unwrap(), 1, 1);
        let rep = e.fit(&[(&u, &delayed(&u, k))]).unwrap();
        (nmse(&e.predict(&ut), &delayed(&ut, k), 50), rep)
    };
    let (with, rep) = fit(0.9);
    assert!(with < 0.05, "reservoir NMSE {with}");
    assert!(
        rep.train_nmse < 0.05 && rep.rows == 2950 && rep.features == 102,
        "{rep:?}"
    );
    let (without, _) = fit(0.0);
    assert!(without > 0.9, "memoryless NMSE {without}");
}

/// NARMA-10 (Atiya & Parlos 2000; the ESN benchmark of Jaeger 2003):
/// y(t+1) = 0.3 y(t) + 0.05 y(t) Σ_{i<10} y(t−i) + 1.5 u(t−9) u(t) + 0.1, u ~ U[0, 0.5].
fn narma10(n: usize, seed: u64) -> (Matrix, Matrix) {
    let u = uniform_inputs(n, 0.0, 0.5, seed);
    let mut y = vec![0.0f64; n];
    for t in 9..n - 1 {
        let s: f64 = y[t - 9..=t].iter().sum();
        y[t + 1] =
            0.3 * y[t] + 0.05 * y[t] * s + 1.5 * u.data[t - 9] as f64 * u.data[t] as f64 + 0.1;
    }
    // Target at row t is y(t+1): predicted from inputs up to t.
    let target = Matrix::new(
        n,
        1,
        (0..n)
            .map(|t| if t + 1 < n { y[t + 1] as f32 } else { 0.0 })
            .collect(),
    )
    .unwrap();
    (u, target)
}

#[test]
fn esn_models_narma10() {
    let (u, y) = narma10(4000, 8);
    let (ut, yt) = narma10(2001, 9);
    let (ut, yt) = (
        ut.slice_rows(0, 2000).unwrap(),
        yt.slice_rows(0, 2000).unwrap(),
    );
    let run = |rho: f32| {
        let p = EsnParams {
            reservoir: 200,
            spectral_radius: rho,
            sparsity: 0.9,
            input_scale: 0.5,
            ridge: 1e-7,
            washout: 100,
            seed: 1,
            ..EsnParams::default()
        };
        let mut e = Esn::new(&p.validate().unwrap(), 1, 1);
        e.fit(&[(&u, &y)]).unwrap();
        nmse(&e.predict(&ut), &yt, 100)
    };
    let with = run(0.95);
    let without = run(0.0);
    assert!(with < 0.1, "NARMA-10 NMSE {with}");
    assert!(
        without > 0.5,
        "memoryless NMSE {without} (reservoir {with})"
    );
}

/// Gaussian elimination with partial pivoting, f64: the direct solve to compare with.
fn gauss(mut a: Vec<f64>, mut b: Vec<f64>, n: usize) -> Vec<f64> {
    for c in 0..n {
        let p = (c..n)
            .max_by(|&i, &j| a[i * n + c].abs().total_cmp(&a[j * n + c].abs()))
            .unwrap();
        for k in 0..n {
            a.swap(c * n + k, p * n + k);
        }
        b.swap(c, p);
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            for k in c..n {
                a[r * n + k] -= f * a[c * n + k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        x[r] = (b[r] - (r + 1..n).map(|k| a[r * n + k] * x[k]).sum::<f64>()) / a[r * n + r];
    }
    x
}

#[test]
fn ridge_readout_matches_a_direct_solve() {
    let p = EsnParams {
        reservoir: 4,
        sparsity: 0.0,
        ridge: 0.05,
        washout: 3,
        ..EsnParams::default()
    };
    let mut e = Esn::new(&p.validate().unwrap(), 2, 1);
    let mut r = Rng::new(10);
    let u = Matrix::new(40, 2, (0..80).map(|_| r.uniform_sym(1.0)).collect()).unwrap();
    let t = Matrix::new(40, 1, (0..40).map(|_| r.uniform_sym(1.0)).collect()).unwrap();
    e.fit(&[(&u, &t)]).unwrap();
    // Features [state, input, 1] for the steps after washout, from the public `states`.
    let s = e.states(&u);
    let d = 4 + 2 + 1;
    let mut a = vec![0.0f64; d * d];
    let mut b = vec![0.0f64; d];
    for k in 3..40 {
        let z: Vec<f64> = s
            .row(k)
            .iter()
            .chain(u.row(k))
            .map(|&v| v as f64)
            .chain([1.0])
            .collect();
        for i in 0..d {
            for j in 0..d {
                a[i * d + j] += z[i] * z[j];
            }
            b[i] += z[i] * t.get(k, 0) as f64;
        }
    }
    for i in 0..d - 1 {
        a[i * d + i] += 0.05; // the bias is not penalised
    }
    let want = gauss(a, b, d);
    let got = e.readout().unwrap();
    for i in 0..d {
        assert!(
            (got[i] as f64 - want[i]).abs() < 1e-5 * want[i].abs().max(1.0),
            "weight {i}: {} vs {}",
            got[i],
            want[i]
        );
    }
}

#[test]
fn gram_solves_a_hand_computed_least_squares_problem() {
    // z = [1,0], [0,1], [1,1]; t = 1, 2, 3: A = [[2,1],[1,2]], b = [4,5], w = [1, 2] exactly.
    let mut g = Gram::new(2, 1);
    for (z, t) in [([1.0, 0.0], 1.0), ([0.0, 1.0], 2.0), ([1.0, 1.0], 3.0)] {
        g.push(&z, &[t]).unwrap();
    }
    let w = g.solve(0.0, None).unwrap();
    assert!(
        (w[0] - 1.0).abs() < 1e-12 && (w[1] - 2.0).abs() < 1e-12,
        "{w:?}"
    );
    // Collinear features without ridge are singular, with ridge they are not.
    let collinear = || {
        let mut g = Gram::new(2, 1);
        for k in 0..300 {
            g.push(&[k as f32, 2.0 * k as f32], &[1.0]).unwrap();
        }
        g
    };
    assert!(matches!(
        collinear().solve(0.0, None),
        Err(NnError::Singular { .. })
    ));
    assert!(collinear().solve(1e-3, None).is_ok());
}

#[test]
fn esn_rejects_bad_use() {
    let mut e = Esn::new(
        &EsnParams {
            reservoir: 10,
            washout: 5,
            ..EsnParams::default()
        }
        .validate()
        .unwrap(),
        2,
        1,
    );
    let u = Matrix::zeros(20, 2);
    assert_eq!(e.try_predict(&u).unwrap_err(), NnError::NotFitted);
    assert!(e.try_states(&Matrix::zeros(3, 1)).is_err());
    assert!(e.fit(&[(&u, &Matrix::zeros(19, 1))]).is_err());
    assert!(e.fit(&[(&u, &Matrix::zeros(20, 2))]).is_err());
    assert!(
        matches!(
            e.fit(&[(&Matrix::zeros(5, 2), &Matrix::zeros(5, 1))]),
            Err(NnError::BadData(_))
        ),
        "all washout"
    );
    let mut nan = u.clone();
    nan.set(0, 0, f32::NAN);
    assert!(e.fit(&[(&nan, &Matrix::zeros(20, 1))]).is_err());
    assert!(e.states_from(&u, &[0.0; 3]).is_err());
    assert!(e.fit(&[(&u, &Matrix::zeros(20, 1))]).is_ok());
    let v = EsnParams {
        reservoir: 3,
        ..EsnParams::default()
    }
    .validate()
    .unwrap();
    assert!(Esn::try_new(&v, nightjar_nn::esn::MAX_ESN_IO + 1, 1).is_err());
    assert!(Esn::try_new(&v, 1, usize::MAX).is_err());
}

#[test]
fn a_sequence_fed_in_pieces_with_its_state_carried_gives_the_outputs_of_one_pass() {
    let p = EsnParams {
        reservoir: 80,
        seed: 5,
        ..EsnParams::default()
    };
    let mut e = Esn::new(&p.validate().unwrap(), 1, 1);
    let u = uniform_inputs(600, -0.5, 0.5, 9);
    let mut y = u.clone();
    // target: the input 3 steps back (a task that needs the reservoir's memory)
    for t in 0..u.rows {
        y.data[t] = if t >= 3 { u.data[t - 3] } else { 0.0 };
    }
    e.fit(&[(&u, &y)]).unwrap();
    let whole = e.try_predict(&u).unwrap();
    let mut state = e.zero_state();
    let mut pieces = Vec::new();
    let mut at = 0;
    for len in [100, 1, 256, 0, 243] {
        let piece = Matrix::new(len, 1, u.data[at..at + len].to_vec()).unwrap();
        pieces.extend(e.try_predict_stream(&piece, &mut state).unwrap().data);
        at += len;
    }
    assert_eq!(at, u.rows);
    assert_eq!(pieces.len(), whole.data.len());
    for (t, (a, b)) in whole.data.iter().zip(&pieces).enumerate() {
        assert!(
            (a - b).abs() <= 1e-5 * (1.0 + a.abs()),
            "step {t}: {a} vs {b}"
        );
    }
    // the state left behind is the state after the last row
    let states = e.try_states(&u).unwrap();
    let last = &states.data[(u.rows - 1) * 80..];
    assert!(state
        .iter()
        .zip(last)
        .all(|(a, b)| a.to_bits() == b.to_bits()));
    // a state that does not fit is refused and left alone
    let mut short = vec![0.0; 79];
    assert!(e.try_predict_stream(&u, &mut short).is_err());
    assert_eq!(short.len(), 79);
    let mut nan = e.zero_state();
    nan[3] = f32::NAN;
    assert!(e.try_predict_stream(&u, &mut nan).is_err());
    assert!(nan[3].is_nan());
}
