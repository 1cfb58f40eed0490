//! Batched inference gives each row the outputs it gets in any other batch, a batch of one row
//! included: a row's outputs depend only on the row, never on its neighbours in the chunk, nor
//! on where in the chunk it sits, nor on the batch's size. `nightjar ids detect` relies on this
//! to run its attack namer only over the packets its detector flagged and still get the outputs
//! of a pass over every row.

use nightjar_nn::mlp::CHUNK;
use nightjar_nn::rng::Rng;
use nightjar_nn::{Activation, Matrix, Mlp, MlpParams, Output, Scratch};

fn net(output: Output) -> Mlp {
    let p = MlpParams {
        hidden: vec![32, 16],
        activation: Activation::Tanh,
        output,
        seed: 7,
        ..MlpParams::default()
    };
    Mlp::new(&p.validate(180, 14).unwrap())
}

fn rows(n: usize, seed: u64) -> Vec<f32> {
    let mut r = Rng::new(seed);
    (0..n * 180).map(|_| r.uniform_sym(3.0)).collect()
}

fn predict(m: &Mlp, x: &[f32]) -> Matrix {
    let mut y = Matrix::default();
    m.try_predict_into(
        &Matrix::new(x.len() / 180, 180, x.to_vec()).unwrap(),
        &mut Scratch::new(),
        &mut y,
    )
    .unwrap();
    y
}

#[test]
fn a_rows_outputs_do_not_depend_on_the_other_rows_of_its_batch() {
    for output in [Output::Softmax, Output::Sigmoid] {
        let m = net(output);
        let n = 2 * CHUNK + 37;
        let x = rows(n, 11);
        let all = predict(&m, &x);
        let k = all.cols;
        // every odd row, in reverse order, and each pair of neighbours alone
        let picked: Vec<usize> = (0..n).filter(|i| i % 2 == 1).rev().collect();
        let xs: Vec<f32> = picked
            .iter()
            .flat_map(|&i| x[i * 180..(i + 1) * 180].to_vec())
            .collect();
        let some = predict(&m, &xs);
        for (j, &i) in picked.iter().enumerate() {
            let (a, b) = (
                &all.data[i * k..(i + 1) * k],
                &some.data[j * k..(j + 1) * k],
            );
            assert!(
                a.iter().zip(b).all(|(u, v)| u.to_bits() == v.to_bits()),
                "row {i}"
            );
        }
        for i in (0..n - 1).step_by(7) {
            let two = predict(&m, &x[i * 180..(i + 2) * 180]);
            assert!(
                two.data
                    .iter()
                    .zip(&all.data[i * k..(i + 2) * k])
                    .all(|(u, v)| u.to_bits() == v.to_bits()),
                "rows {i}, {}",
                i + 1
            );
        }
    }
}

#[test]
fn a_row_alone_gets_the_same_bits_as_in_a_batch_of_256() {
    for output in [Output::Softmax, Output::Sigmoid] {
        let m = net(output);
        let x = rows(CHUNK, 23);
        let all = predict(&m, &x);
        let k = all.cols;
        for i in 0..CHUNK {
            let one = predict(&m, &x[i * 180..(i + 1) * 180]);
            assert_eq!(one.rows, 1);
            assert!(
                one.data
                    .iter()
                    .zip(&all.data[i * k..(i + 1) * k])
                    .all(|(u, v)| u.to_bits() == v.to_bits()),
                "row {i}"
            );
        }
    }
}

#[test]
fn the_detectors_shape_alone_and_in_batches_of_1_32_and_256() {
    // The built-in detector's shape: 180 → 32 → 16 → 1, tanh, sigmoid output.
    let p = MlpParams {
        hidden: vec![32, 16],
        activation: Activation::Tanh,
        output: Output::Sigmoid,
        seed: 3,
        ..MlpParams::default()
    };
    let m = Mlp::new(&p.validate(180, 1).unwrap());
    let x = rows(256, 5);
    let all = predict(&m, &x);
    for batch in [1, 32, 255] {
        let pieces: Vec<f32> = x
            .chunks(batch * 180)
            .flat_map(|c| predict(&m, c).data)
            .collect();
        assert_eq!(pieces.len(), all.data.len());
        assert!(
            pieces
                .iter()
                .zip(&all.data)
                .all(|(u, v)| u.to_bits() == v.to_bits()),
            "batches of {batch}"
        );
    }
}
