use super::*;
use crate::dataset::Dataset;
use crate::features::tests::tcp;
use crate::labels::Labels;
use crate::train::{train, TrainSettings};
use nightjar_nn::{EsnParams, MlpParams, Optimizer};
use nightjar_packet::{PacketError, Record};

/// A small labelled capture: normal HTTP-like exchanges and a SYN scan.
pub(crate) fn toy_dataset(kind: FeatureKind) -> Dataset {
    let mut recs: Vec<Result<Record, PacketError>> = Vec::new();
    let mut i = 0u64;
    let mut push = |mut p: nightjar_packet::PacketRepr, recs: &mut Vec<_>| {
        p.index = i;
        i += 1;
        recs.push(Ok(Record::Packet(p)));
    };
    for n in 0..150u16 {
        let t = f64::from(n) * 0.02;
        push(
            tcp(t, "198.18.0.5", "198.18.0.10", 40000 + n, 80, 2),
            &mut recs,
        );
        push(
            tcp(t + 0.001, "198.18.0.10", "198.18.0.5", 80, 40000 + n, 18),
            &mut recs,
        );
        push(
            tcp(t + 0.002, "198.18.0.5", "198.18.0.10", 40000 + n, 80, 16),
            &mut recs,
        );
        let mut d = tcp(t + 0.003, "198.18.0.5", "198.18.0.10", 40000 + n, 80, 24);
        d.ip_len = 300;
        push(d, &mut recs);
    }
    for port in 1..=150u16 {
        let t = 1.0 + f64::from(port) * 0.005;
        let mut p = tcp(t, "198.18.0.66", "198.18.0.10", 55555, port, 2);
        p.window = 1024;
        p.ttl = 44;
        push(p, &mut recs);
        push(
            tcp(t + 0.0005, "198.18.0.10", "198.18.0.66", port, 55555, 20),
            &mut recs,
        );
    }
    recs.sort_by(|a, b| match (a, b) {
        (Ok(Record::Packet(x)), Ok(Record::Packet(y))) => x.ts.total_cmp(&y.ts),
        _ => std::cmp::Ordering::Equal,
    });
    let labels = Labels::parse(
        r#"{"capture":"toy.pcap","attackers":[{"ip":"198.18.0.66"}],
            "episodes":[{"src":"198.18.0.66","label":"scan-syn","start":0,"end":100}]}"#,
    )
    .unwrap();
    let mut d = Dataset::new(kind);
    d.add_records("toy", recs, &labels, WindowConfig::default())
        .unwrap();
    d
}

pub(crate) fn settings(algo: Algo, binary: bool) -> TrainSettings {
    TrainSettings {
        algo,
        binary,
        mlp: MlpParams {
            hidden: vec![8],
            optimizer: Optimizer::adam(0.01),
            batch_size: 32,
            max_epochs: 30,
            target_mse: None,
            seed: 7,
            ..MlpParams::paper()
        },
        esn: EsnParams {
            reservoir: 30,
            washout: 5,
            ridge: 1e-3,
            ..EsnParams::default()
        },
        window: WindowConfig::default(),
        balance: crate::train::Balance::Classes,
        threshold: 0.5,
        threads: 1,
        dropout: None,
        dropout_context: 0.0,
        restarts: 1,
    }
}

fn trained(algo: Algo, kind: FeatureKind, binary: bool) -> (Model, Dataset) {
    let d = toy_dataset(kind);
    let t = train(&d, None, &settings(algo, binary), &mut |_| {}).unwrap();
    (t.model, d)
}

#[test]
fn models_round_trip_through_bytes_and_predict_the_same() {
    for (algo, binary) in [
        (Algo::Mlp, true),
        (Algo::Mlp, false),
        (Algo::Esn, true),
        (Algo::Esn, false),
    ] {
        let (m, d) = trained(algo, FeatureKind::Window, binary);
        let seqs: Vec<_> = d.captures.iter().map(|c| c.rows.clone()).collect();
        let v1 = m.predict(&d.x, &seqs).unwrap();
        let bytes = m.to_bytes().unwrap();
        let m2 = Model::from_bytes(&bytes).unwrap();
        // the network and everything that feeds it survive exactly (the free-form training
        // record is JSON and may lose the last digit of an f64)
        assert_eq!(m2.scaling, m.scaling);
        assert_eq!(
            (m2.kind, m2.algo, m2.binary, m2.threshold),
            (m.kind, m.algo, m.binary, m.threshold)
        );
        let net = |m: &Model| match &m.net {
            Net::Mlp(n) => n.to_bytes(),
            Net::Esn(n) => n.to_bytes(),
        };
        assert_eq!(net(&m2), net(&m));
        assert_eq!(m2.predict(&d.x, &seqs).unwrap(), v1);
        assert_eq!(m2.classes, m.classes);
        // it learnt the toy problem
        let right = v1
            .iter()
            .zip(&d.y)
            .filter(|(v, y)| v.is_attack() == y.is_attack())
            .count();
        assert!(
            right as f64 > 0.95 * d.rows() as f64,
            "{algo:?} {binary}: {right}/{}",
            d.rows()
        );
    }
}

#[test]
fn save_and_load_a_file() {
    let (m, _) = trained(Algo::Mlp, FeatureKind::Paper7, true);
    let dir = std::env::temp_dir().join(format!("nightjar-ids-model-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("m.njids");
    m.save(&p).unwrap();
    let l = Model::load(&p).unwrap();
    assert_eq!(l.kind, FeatureKind::Paper7);
    assert_eq!(l.algo, Algo::Mlp);
    assert!(matches!(
        Model::load(&dir.join("missing")),
        Err(IdsError::Io { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
}

fn rewrite_header(bytes: &[u8], f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let hlen = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let mut h: serde_json::Value = serde_json::from_slice(&bytes[16..16 + hlen]).unwrap();
    f(&mut h);
    let nh = serde_json::to_vec(&h).unwrap();
    let mut out = bytes[..12].to_vec();
    out.extend_from_slice(&(nh.len() as u32).to_le_bytes());
    out.extend_from_slice(&nh);
    out.extend_from_slice(&bytes[16 + hlen..bytes.len() - 8]);
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn wrong_version_schema_and_garbage_are_refused() {
    let (m, _) = trained(Algo::Mlp, FeatureKind::Window, true);
    let good = m.to_bytes().unwrap();
    assert!(Model::from_bytes(&good).is_ok());

    let mut v2 = good.clone();
    v2[8] = 2;
    match Model::from_bytes(&v2) {
        Err(IdsError::ModelVersion {
            found: 2,
            supported: 1,
        }) => {}
        other => panic!("{:?}", other.err()),
    }
    let schema = rewrite_header(&good, |h| h["schema"] = "window/v0".into());
    match Model::from_bytes(&schema) {
        Err(e @ IdsError::ModelSchema { .. }) => assert!(e.to_string().contains("window/v2")),
        other => panic!("{:?}", other.err()),
    }
    let kind = rewrite_header(&good, |h| h["features"] = "paper7".into());
    assert!(matches!(
        Model::from_bytes(&kind),
        Err(IdsError::ModelSchema { .. })
    ));
    let scaling = rewrite_header(&good, |h| {
        h["scaling"]["mean"].as_array_mut().unwrap().pop();
    });
    assert!(matches!(
        Model::from_bytes(&scaling),
        Err(IdsError::ModelFormat(_))
    ));
    let classes = rewrite_header(&good, |h| h["output"] = "multi".into());
    assert!(
        Model::from_bytes(&classes).is_err(),
        "binary network with a multi header"
    );

    let mut flipped = good.clone();
    let mid = good.len() / 2;
    flipped[mid] ^= 0x40;
    assert!(Model::from_bytes(&flipped)
        .unwrap_err()
        .to_string()
        .contains("checksum"));
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(Model::from_bytes(&trailing)
        .unwrap_err()
        .to_string()
        .contains("trailing"));
    for cut in [0, 3, 8, 15, 16, 40, good.len() / 2, good.len() - 1] {
        assert!(Model::from_bytes(&good[..cut]).is_err(), "cut at {cut}");
    }
    assert!(Model::from_bytes(b"\x89PNG\r\n\x1a\n0000000000000000")
        .unwrap_err()
        .to_string()
        .contains("magic"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn random_bytes_and_damaged_models_never_panic(
            junk in proptest::collection::vec(any::<u8>(), 0..300),
            at in any::<usize>(), bit in 0u8..8,
        ) {
            let _ = Model::from_bytes(&junk);
            let mut with_magic = b"NJIDSMDL\x01\0\0\0".to_vec();
            with_magic.extend_from_slice(&junk);
            let _ = Model::from_bytes(&with_magic);
            let (m, _) = (crate::model::tests::SMALL.with(|s| s.clone()), ());
            let mut b = m;
            let i = at % b.len();
            b[i] ^= 1 << bit;
            prop_assert!(Model::from_bytes(&b).is_err());
        }
    }
}

thread_local! {
    static SMALL: Vec<u8> = trained(Algo::Mlp, FeatureKind::Paper7, true).0.to_bytes().unwrap();
}
