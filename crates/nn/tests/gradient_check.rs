//! Backpropagation against central finite differences of an independent `f64` reference.
//!
//! The reference below re-implements the forward pass and the loss from their definitions (dense
//! loops, `f64`, `std` math), reading the weights through the public parameter layout. The
//! finite differences are taken on that reference with step 1e-6, so their own error is about
//! h² · f''' + ε_f64 / h ≈ 1e-10 relative — negligible. What is compared is therefore the `f32`
//! analytic gradient (backprop through GEMMs, fast exp) with the true gradient; `f32` carries
//! ~7 significant digits and the sums over rows and units lose at most a few of the last ones,
//! so we require agreement to 1e-4 relative to the largest gradient component, and the loss
//! itself to 1e-5 relative.

use nightjar_nn::rng::Rng;
use nightjar_nn::{Activation, Loss, Matrix, Mlp, MlpParams, Optimizer, Output};

fn act(a: Activation, z: f64) -> f64 {
    match a {
        Activation::Sigmoid => 1.0 / (1.0 + (-z).exp()),
        Activation::Tanh => z.tanh(),
        Activation::Relu => z.max(0.0),
        Activation::Identity => z,
    }
}

/// Mean over rows of the weighted per-row loss, computed from the definitions in f64.
fn reference_loss(p: &MlpParams, sizes: &[usize], theta: &[f64], x: &Matrix, y: &Matrix) -> f64 {
    let mut total = 0.0;
    for r in 0..x.rows {
        let mut a: Vec<f64> = x.row(r).iter().map(|&v| v as f64).collect();
        let mut off = 0;
        let layers = sizes.len() - 1;
        for l in 0..layers {
            let (ni, no) = (sizes[l], sizes[l + 1]);
            let w = &theta[off..off + ni * no];
            let b = &theta[off + ni * no..off + ni * no + no];
            off += ni * no + no;
            let mut z = vec![0.0; no];
            for j in 0..no {
                z[j] = b[j] + (0..ni).map(|i| a[i] * w[i * no + j]).sum::<f64>();
            }
            a = if l + 1 < layers {
                z.iter().map(|&v| act(p.activation, v)).collect()
            } else {
                match p.output {
                    Output::Sigmoid => z.iter().map(|&v| act(Activation::Sigmoid, v)).collect(),
                    Output::Identity => z,
                    Output::Softmax => {
                        let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                        let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
                        let s: f64 = e.iter().sum();
                        e.iter().map(|v| v / s).collect()
                    }
                }
            };
        }
        let t: Vec<f64> = y.row(r).iter().map(|&v| v as f64).collect();
        let l = match p.loss {
            Loss::Mse => 0.5 * a.iter().zip(&t).map(|(a, t)| (a - t).powi(2)).sum::<f64>(),
            Loss::CrossEntropy => match p.output {
                Output::Softmax => -a.iter().zip(&t).map(|(a, t)| t * a.ln()).sum::<f64>(),
                _ => -a
                    .iter()
                    .zip(&t)
                    .map(|(a, t)| t * a.ln() + (1.0 - t) * (1.0 - a).ln())
                    .sum::<f64>(),
            },
        };
        let w = match &p.class_weights {
            None => 1.0,
            Some(cw) if t.len() == 1 => cw[(t[0] >= 0.5) as usize] as f64,
            Some(cw) => {
                let mut best = 0;
                for j in 0..t.len() {
                    if t[j] > t[best] {
                        best = j;
                    }
                }
                cw[best] as f64
            }
        };
        total += w * l;
    }
    total / x.rows as f64
}

fn check(p: MlpParams, n_in: usize, n_out: usize, soft_targets: bool) {
    let label = format!(
        "{:?}/{:?}/{:?} hidden {:?} cw {:?}",
        p.activation, p.output, p.loss, p.hidden, p.class_weights
    );
    let v = p.validate(n_in, n_out).unwrap();
    let mlp = Mlp::new(&v);
    let rows = 37;
    let mut rng = Rng::new(99);
    let x = Matrix::new(
        rows,
        n_in,
        (0..rows * n_in).map(|_| rng.uniform_sym(1.5)).collect(),
    )
    .unwrap();
    let mut y = Matrix::zeros(rows, n_out);
    for r in 0..rows {
        if p.output == Output::Identity {
            for j in 0..n_out {
                y.set(r, j, rng.uniform_sym(2.0));
            }
        } else if soft_targets {
            // Targets in [0, 1] that are not one-hot and (for softmax) do not sum to 1.
            for j in 0..n_out {
                y.set(r, j, rng.next_f32());
            }
        } else if n_out == 1 {
            y.set(r, 0, (rng.next_f32() < 0.5) as u8 as f32);
        } else {
            y.set(r, rng.below(n_out as u64) as usize, 1.0);
        }
    }
    let (loss, grad) = mlp.loss_gradient(&x, &y).unwrap();
    let theta: Vec<f64> = mlp.parameters().iter().map(|&v| v as f64).collect();
    let sizes = mlp.sizes().to_vec();
    let ref_loss = reference_loss(&p, &sizes, &theta, &x, &y);
    assert!(
        ((loss as f64) - ref_loss).abs() <= 1e-5 * ref_loss.abs().max(1e-3),
        "{label}: loss {loss} vs reference {ref_loss}"
    );
    let h = 1e-6;
    let mut numeric = vec![0.0; theta.len()];
    for k in 0..theta.len() {
        let mut t = theta.clone();
        t[k] += h;
        let up = reference_loss(&p, &sizes, &t, &x, &y);
        t[k] -= 2.0 * h;
        let down = reference_loss(&p, &sizes, &t, &x, &y);
        numeric[k] = (up - down) / (2.0 * h);
    }
    let scale = numeric.iter().fold(0.0f64, |m, g| m.max(g.abs()));
    assert!(scale > 1e-6, "{label}: degenerate gradient");
    for k in 0..theta.len() {
        let err = (grad[k] as f64 - numeric[k]).abs();
        assert!(
            err <= 1e-4 * scale,
            "{label}: parameter {k}: backprop {} vs numeric {} (scale {scale})",
            grad[k],
            numeric[k]
        );
    }
}

fn params(hidden: Vec<usize>, activation: Activation, output: Output, loss: Loss) -> MlpParams {
    MlpParams {
        hidden,
        activation,
        output,
        loss,
        optimizer: Optimizer::Sgd {
            lr: 0.1,
            momentum: 0.0,
        },
        init_range: 0.8,
        seed: 5,
        ..MlpParams::paper()
    }
}

const ACTIVATIONS: [Activation; 4] = [
    Activation::Sigmoid,
    Activation::Tanh,
    Activation::Relu,
    Activation::Identity,
];
const HEADS: [(Output, Loss, usize); 5] = [
    (Output::Sigmoid, Loss::Mse, 1),
    (Output::Sigmoid, Loss::CrossEntropy, 2),
    (Output::Softmax, Loss::Mse, 3),
    (Output::Softmax, Loss::CrossEntropy, 4),
    (Output::Identity, Loss::Mse, 2),
];

#[test]
fn backprop_matches_finite_differences_for_every_activation_output_and_loss() {
    for a in ACTIVATIONS {
        for (o, l, n_out) in HEADS {
            check(params(vec![6, 5], a, o, l), 4, n_out, false);
        }
    }
}

#[test]
fn backprop_matches_finite_differences_with_soft_targets() {
    for (o, l, n_out) in HEADS {
        if o != Output::Identity {
            check(params(vec![5], Activation::Tanh, o, l), 3, n_out, true);
        }
    }
}

#[test]
fn backprop_matches_finite_differences_without_hidden_layer_and_with_class_weights() {
    for (o, l, n_out) in HEADS {
        check(params(vec![], Activation::Sigmoid, o, l), 5, n_out, false);
        let mut p = params(vec![4], Activation::Sigmoid, o, l);
        p.class_weights = Some(if n_out == 1 {
            vec![0.3, 2.5]
        } else {
            (0..n_out).map(|j| 0.5 + j as f32).collect()
        });
        check(p, 3, n_out, false);
    }
}

#[test]
fn backprop_matches_finite_differences_across_chunk_boundaries() {
    // 37 rows fit one chunk; use more rows than a chunk so partial chunks are accumulated.
    let p = params(vec![3], Activation::Sigmoid, Output::Sigmoid, Loss::Mse);
    let v = p.validate(2, 1).unwrap();
    let mlp = Mlp::new(&v);
    let rows = nightjar_nn::mlp::CHUNK * 2 + 17;
    let mut rng = Rng::new(3);
    let x = Matrix::new(
        rows,
        2,
        (0..rows * 2).map(|_| rng.uniform_sym(1.0)).collect(),
    )
    .unwrap();
    let y = Matrix::new(
        rows,
        1,
        (0..rows)
            .map(|_| (rng.next_f32() < 0.5) as u8 as f32)
            .collect(),
    )
    .unwrap();
    let (_, grad) = mlp.loss_gradient(&x, &y).unwrap();
    let theta: Vec<f64> = mlp.parameters().iter().map(|&v| v as f64).collect();
    let sizes = mlp.sizes().to_vec();
    let h = 1e-6;
    let mut scale = 0.0f64;
    let mut numeric = vec![0.0; theta.len()];
    for k in 0..theta.len() {
        let mut t = theta.clone();
        t[k] += h;
        let up = reference_loss(&p, &sizes, &t, &x, &y);
        t[k] -= 2.0 * h;
        numeric[k] = (up - reference_loss(&p, &sizes, &t, &x, &y)) / (2.0 * h);
        scale = scale.max(numeric[k].abs());
    }
    for k in 0..theta.len() {
        assert!(
            (grad[k] as f64 - numeric[k]).abs() <= 1e-4 * scale,
            "parameter {k}"
        );
    }
}
