//! Bad settings and bad data are errors, never panics.

use nightjar_nn::{EsnParams, Loss, Matrix, Mlp, MlpParams, NnError, Optimizer, Output, Scratch};

fn param_error(p: &MlpParams, n_in: usize, n_out: usize) -> &'static str {
    match p.validate(n_in, n_out) {
        Err(NnError::InvalidParam { name, .. }) => name,
        other => panic!("expected an invalid parameter, got {other:?}"),
    }
}

#[test]
fn invalid_mlp_settings_are_named() {
    let ok = MlpParams::paper();
    assert!(ok.validate(7, 1).is_ok());
    let sgd = |lr: f32, momentum: f32| MlpParams {
        optimizer: Optimizer::Sgd { lr, momentum },
        ..MlpParams::paper()
    };
    let adam = |lr: f32, beta1: f32, beta2: f32, eps: f32| MlpParams {
        optimizer: Optimizer::Adam {
            lr,
            beta1,
            beta2,
            eps,
        },
        ..MlpParams::paper()
    };
    let cases: Vec<(MlpParams, usize, usize, &str)> = vec![
        (
            MlpParams {
                hidden: vec![4, 0],
                ..ok.clone()
            },
            7,
            1,
            "hidden",
        ),
        (
            MlpParams {
                hidden: vec![1 << 21],
                ..ok.clone()
            },
            7,
            1,
            "hidden",
        ),
        (
            MlpParams {
                hidden: vec![1 << 19, 1 << 19],
                ..ok.clone()
            },
            7,
            1,
            "hidden",
        ),
        (
            MlpParams {
                hidden: vec![1; 65],
                ..ok.clone()
            },
            7,
            1,
            "hidden",
        ),
        (ok.clone(), 0, 1, "n_inputs"),
        (ok.clone(), 7, 0, "n_outputs"),
        (sgd(f32::NAN, 0.9), 7, 1, "optimizer.lr"),
        (sgd(0.0, 0.9), 7, 1, "optimizer.lr"),
        (sgd(-0.1, 0.9), 7, 1, "optimizer.lr"),
        (sgd(f32::INFINITY, 0.9), 7, 1, "optimizer.lr"),
        (sgd(0.1, 1.0), 7, 1, "optimizer.momentum"),
        (sgd(0.1, -0.1), 7, 1, "optimizer.momentum"),
        (sgd(0.1, f32::NAN), 7, 1, "optimizer.momentum"),
        (adam(0.1, 1.0, 0.999, 1e-8), 7, 1, "optimizer.beta1"),
        (adam(0.1, 0.9, f32::NAN, 1e-8), 7, 1, "optimizer.beta2"),
        (adam(0.1, 0.9, 0.999, 0.0), 7, 1, "optimizer.eps"),
        (
            MlpParams {
                init_range: 0.0,
                ..ok.clone()
            },
            7,
            1,
            "init_range",
        ),
        (
            MlpParams {
                init_range: f32::NAN,
                ..ok.clone()
            },
            7,
            1,
            "init_range",
        ),
        (
            MlpParams {
                max_epochs: 0,
                ..ok.clone()
            },
            7,
            1,
            "max_epochs",
        ),
        (
            MlpParams {
                target_mse: Some(-1.0),
                ..ok.clone()
            },
            7,
            1,
            "target_mse",
        ),
        (
            MlpParams {
                target_mse: Some(f32::NAN),
                ..ok.clone()
            },
            7,
            1,
            "target_mse",
        ),
        (
            MlpParams {
                patience: Some(0),
                ..ok.clone()
            },
            7,
            1,
            "patience",
        ),
        (
            MlpParams {
                output: Output::Softmax,
                ..ok.clone()
            },
            7,
            1,
            "output",
        ),
        (
            MlpParams {
                output: Output::Identity,
                loss: Loss::CrossEntropy,
                ..ok.clone()
            },
            7,
            1,
            "loss",
        ),
        (
            MlpParams {
                class_weights: Some(vec![1.0]),
                ..ok.clone()
            },
            7,
            1,
            "class_weights",
        ),
        (
            MlpParams {
                class_weights: Some(vec![1.0, 1.0]),
                ..ok.clone()
            },
            7,
            3,
            "class_weights",
        ),
        (
            MlpParams {
                class_weights: Some(vec![1.0, f32::NAN]),
                ..ok.clone()
            },
            7,
            1,
            "class_weights",
        ),
        (
            MlpParams {
                class_weights: Some(vec![1.0, -1.0]),
                ..ok.clone()
            },
            7,
            1,
            "class_weights",
        ),
        (
            MlpParams {
                class_weights: Some(vec![0.0, 0.0]),
                ..ok.clone()
            },
            7,
            1,
            "class_weights",
        ),
    ];
    for (p, i, o, want) in cases {
        assert_eq!(param_error(&p, i, o), want, "{p:?}");
    }
    // Allowed edge cases: no hidden layer, batch larger than any data set.
    assert!(MlpParams {
        hidden: vec![],
        batch_size: usize::MAX,
        ..ok
    }
    .validate(3, 2)
    .is_ok());
}

fn model() -> Mlp {
    Mlp::new(
        &MlpParams {
            hidden: vec![3],
            max_epochs: 2,
            ..MlpParams::paper()
        }
        .validate(2, 1)
        .unwrap(),
    )
}

#[test]
fn bad_training_data_is_an_error() {
    let mut m = model();
    let x = Matrix::zeros(4, 2);
    let y = Matrix::zeros(4, 1);
    let mut cb = |_: &nightjar_nn::EpochStats| {};
    assert!(m.train(&x, &y, None, &mut cb).is_ok());
    let shape = |r: Result<_, NnError>| matches!(r, Err(NnError::Shape { .. }));
    assert!(
        shape(m.train(&Matrix::zeros(4, 3), &y, None, &mut cb)),
        "wrong input width"
    );
    assert!(
        shape(m.train(&x, &Matrix::zeros(4, 2), None, &mut cb)),
        "wrong target width"
    );
    assert!(
        shape(m.train(&x, &Matrix::zeros(5, 1), None, &mut cb)),
        "mismatched rows"
    );
    assert!(
        shape(m.train(&x, &y, Some((&x, &Matrix::zeros(3, 1))), &mut cb)),
        "mismatched validation rows"
    );
    let broken = Matrix {
        rows: 4,
        cols: 2,
        data: vec![0.0; 7],
    };
    assert!(
        shape(m.train(&broken, &y, None, &mut cb)),
        "data.len() != rows·cols"
    );
    let bad = |r: Result<_, NnError>| matches!(r, Err(NnError::BadData(_)));
    assert!(
        bad(m.train(&Matrix::zeros(0, 2), &Matrix::zeros(0, 1), None, &mut cb)),
        "no rows"
    );
    let mut nan = x.clone();
    nan.set(1, 1, f32::NAN);
    assert!(bad(m.train(&nan, &y, None, &mut cb)), "NaN input");
    let mut inf = y.clone();
    inf.set(0, 0, f32::INFINITY);
    assert!(bad(m.train(&x, &inf, None, &mut cb)), "infinite target");
    let mut ce = Mlp::new(
        &MlpParams {
            loss: Loss::CrossEntropy,
            ..MlpParams::paper()
        }
        .validate(2, 1)
        .unwrap(),
    );
    assert!(
        bad(ce.train(
            &x,
            &Matrix::new(4, 1, vec![0.0, 1.0, 2.0, 0.0]).unwrap(),
            None,
            &mut cb
        )),
        "CE target > 1"
    );
    let mut es = Mlp::new(
        &MlpParams {
            patience: Some(3),
            ..MlpParams::paper()
        }
        .validate(2, 1)
        .unwrap(),
    );
    assert!(matches!(
        es.train(&x, &y, None, &mut cb),
        Err(NnError::InvalidParam {
            name: "patience",
            ..
        })
    ));
}

#[test]
fn bad_inference_input_is_an_error_from_the_try_functions() {
    let m = model();
    assert!(m.try_predict(&Matrix::zeros(3, 5)).is_err());
    assert!(m
        .try_predict(&Matrix {
            rows: 3,
            cols: 2,
            data: vec![]
        })
        .is_err());
    let mut out = Matrix::default();
    assert!(m
        .try_predict_into(&Matrix::zeros(3, 1), &mut Scratch::new(), &mut out)
        .is_err());
    assert_eq!(m.try_predict(&Matrix::zeros(0, 2)).unwrap().rows, 0);
    assert!(m.clone().set_parameters(&[0.0]).is_err());
    assert!(m
        .clone()
        .set_parameters(&vec![f32::NAN; m.parameters().len()])
        .is_err());
    assert!(m
        .loss_gradient(&Matrix::zeros(1, 3), &Matrix::zeros(1, 1))
        .is_err());
}

#[test]
#[should_panic(expected = "Mlp::predict")]
fn predict_documents_its_panic_on_a_wrong_shape() {
    model().predict(&Matrix::zeros(1, 3));
}

#[test]
fn predict_into_reuses_its_buffers() {
    let m = model();
    let x = Matrix::new(600, 2, (0..1200).map(|i| (i % 7) as f32 / 7.0).collect()).unwrap();
    let mut s = Scratch::new();
    let mut out = Matrix::default();
    m.predict_into(&x, &mut s, &mut out);
    let ptr = out.data.as_ptr();
    let small = x.slice_rows(0, 10).unwrap();
    m.predict_into(&small, &mut s, &mut out);
    assert_eq!(
        out.data.as_ptr(),
        ptr,
        "no reallocation for a smaller batch"
    );
    assert_eq!((out.rows, out.cols), (10, 1));
    assert_eq!(out.data[..], m.predict(&x).data[..10]);
}

#[test]
fn matrix_constructors_check_shapes() {
    assert!(Matrix::new(2, 3, vec![0.0; 5]).is_err());
    assert!(Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]).is_err());
    assert_eq!(
        Matrix::from_rows::<[f32; 2]>(&[]).unwrap(),
        Matrix::zeros(0, 0)
    );
    assert!(Matrix::one_hot(&[0, 3], 3).is_err());
    assert_eq!(
        Matrix::one_hot(&[2, 0], 3).unwrap().data,
        vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
    );
    let m = Matrix::from_rows(&[[1.0, 5.0], [f32::NAN, 2.0], [3.0, 3.0]]).unwrap();
    assert_eq!(m.argmax_rows(), vec![1, 1, 0]);
    assert_eq!(m.try_get(3, 0), None);
    assert_eq!(
        m.select_rows(&[2, 0]).unwrap().data,
        vec![3.0, 3.0, 1.0, 5.0]
    );
    assert!(m.select_rows(&[3]).is_none());
    assert!(m.slice_rows(2, 4).is_none());
}

#[test]
fn invalid_esn_settings_are_named() {
    let ok = EsnParams::default();
    assert!(ok.validate().is_ok());
    let cases = [
        (
            EsnParams {
                reservoir: 0,
                ..ok.clone()
            },
            "reservoir",
        ),
        (
            EsnParams {
                reservoir: 1 << 17,
                ..ok.clone()
            },
            "reservoir",
        ),
        (
            EsnParams {
                reservoir: 60_000,
                sparsity: 0.0,
                ..ok.clone()
            },
            "reservoir",
        ),
        (
            EsnParams {
                spectral_radius: f32::NAN,
                ..ok.clone()
            },
            "spectral_radius",
        ),
        (
            EsnParams {
                spectral_radius: -0.5,
                ..ok.clone()
            },
            "spectral_radius",
        ),
        (
            EsnParams {
                leak: 0.0,
                ..ok.clone()
            },
            "leak",
        ),
        (
            EsnParams {
                leak: 1.5,
                ..ok.clone()
            },
            "leak",
        ),
        (
            EsnParams {
                sparsity: 1.0,
                ..ok.clone()
            },
            "sparsity",
        ),
        (
            EsnParams {
                sparsity: f32::NAN,
                ..ok.clone()
            },
            "sparsity",
        ),
        (
            EsnParams {
                input_scale: f32::INFINITY,
                ..ok.clone()
            },
            "input_scale",
        ),
        (
            EsnParams {
                ridge: -1.0,
                ..ok.clone()
            },
            "ridge",
        ),
    ];
    for (p, want) in cases {
        match p.validate() {
            Err(NnError::InvalidParam { name, .. }) => assert_eq!(name, want),
            other => panic!("{p:?}: {other:?}"),
        }
    }
}
