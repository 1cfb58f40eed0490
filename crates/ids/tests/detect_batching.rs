//! The detection engine's speed paths give exactly the results of the plain ones, on a
//! committed lab capture (`data/captures/test3.pcap`):
//!
//! * [`Engine::run_pipelined`] (reading and features on a second thread) against
//!   [`Engine::run`]: the same verdicts, alerts and counters, whatever the batch size, with
//!   verdict reuse and without;
//! * verdict reuse (the default) against exact scoring (`reuse_age` 0): the same alerts with
//!   the same classes, and for every packet it scores, the exact verdict;
//! * the namer run only over the packets the detector flagged against a pass of the namer over
//!   every row of every batch, as the engine used to do, recomputed here from the public model
//!   API: the same class for every flagged packet (batch sizes are chosen so that rows left
//!   alone in the network's last chunk occur).

use nightjar_ids::detect::{DetectSettings, DetectStats, Engine, Event, Models, PacketVerdict};
use nightjar_ids::features::Extractor;
use nightjar_ids::model::Net;
use nightjar_ids::nn::{Matrix, Scratch};
use nightjar_ids::packet::{read_all, PcapReader, Record};
use nightjar_ids::Class;
use std::path::{Path, PathBuf};

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../data/captures/{name}"))
}

type Outcome = (Vec<PacketVerdict>, Vec<String>, String);

fn detect(batch: usize, pipelined: bool, reuse_age: f64) -> Outcome {
    detect_with(
        batch,
        pipelined,
        reuse_age,
        DetectSettings::default().session_packets,
    )
}

/// [`detect`] with the packets of established TCP sessions after their first
/// `session_packets` left out of the statistics (0: every packet counted and scored).
fn detect_with(batch: usize, pipelined: bool, reuse_age: f64, session_packets: u32) -> Outcome {
    let e = Engine::new(
        Models::builtin().unwrap(),
        DetectSettings {
            batch,
            reuse_age,
            session_packets,
            ..DetectSettings::default()
        },
    )
    .unwrap();
    let (verdicts, alerts, stats) = run_on_test3(e, pipelined);
    (verdicts, alerts, format!("{stats:?}"))
}

/// Every verdict, the alerts as EVE lines and the counters of `e` over test3, run plain or
/// pipelined.
fn run_on_test3(mut e: Engine, pipelined: bool) -> (Vec<PacketVerdict>, Vec<String>, DetectStats) {
    let mut verdicts = Vec::new();
    let mut alerts = Vec::new();
    let mut sink = |ev: Event<'_>| match ev {
        Event::Packet(v) => verdicts.push(*v),
        Event::Alert(a) => alerts.push(a.to_eve().to_string()),
    };
    let reader = PcapReader::open(&capture("test3.pcap")).unwrap();
    let err = if pipelined {
        e.run_pipelined(reader, &mut sink).unwrap()
    } else {
        e.run(reader, &mut sink).unwrap()
    };
    assert!(err.is_none());
    let stats = e.finish(&mut sink).unwrap();
    (verdicts, alerts, stats)
}

#[test]
fn the_pipelined_run_gives_the_verdicts_alerts_and_counters_of_the_plain_run() {
    let reuse = DetectSettings::default().reuse_age;
    assert!(reuse > 0.0, "verdict reuse is the default");
    for (batch, reuse_age) in [
        (1024, reuse),
        (257, reuse),
        (1, reuse),
        (1024, 0.0),
        (257, 0.0),
    ] {
        let plain = detect(batch, false, reuse_age);
        let piped = detect(batch, true, reuse_age);
        assert_eq!(plain.0.len(), 24_445);
        assert!(plain.0 == piped.0, "verdicts differ at batch {batch}");
        assert!(!plain.1.is_empty());
        assert_eq!(plain.1, piped.1, "alerts differ at batch {batch}");
        assert_eq!(plain.2, piped.2, "counters differ at batch {batch}");
    }
}

/// The class of every packet the detector flags, with the namer run over every decoded row
/// of each batch (chunks of the network counted from the batch's first row).
fn classes_by_full_passes(batch: usize) -> Vec<Option<Class>> {
    let m = Models::builtin().unwrap();
    let (det, namer) = (&m.detector, m.namer.as_ref().unwrap());
    let (Net::Mlp(dnet), Net::Mlp(nnet)) = (&det.net, &namer.net) else {
        panic!("MLPs expected");
    };
    let cols = det.kind.n_features();
    let cap = read_all(&capture("test3.pcap")).unwrap();
    let mut ex = Extractor::new(det.kind, det.window);
    let mut out = Vec::new();
    let mut scratch = Scratch::new();
    for recs in cap.records.chunks(batch) {
        let mut x = Vec::new();
        for r in recs {
            if let Record::Packet(p) = r {
                let at = x.len();
                x.resize(at + cols, 0.0);
                ex.push(p, &mut x[at..]);
            }
        }
        let rows = x.len() / cols;
        let run =
            |net: &nightjar_ids::nn::Mlp, s: &nightjar_ids::model::Scaling, sc: &mut Scratch| {
                let mut xb = x.clone();
                s.apply(&mut xb);
                let mut y = Matrix::default();
                net.try_predict_into(&Matrix::new(rows, cols, xb).unwrap(), sc, &mut y)
                    .unwrap();
                y
            };
        if rows == 0 {
            out.extend(recs.iter().map(|_| None));
            continue;
        }
        let y = run(dnet, &det.scaling, &mut scratch);
        let n = run(nnet, &namer.scaling, &mut scratch);
        let mut row = 0;
        for r in recs {
            if r.packet().is_none() {
                out.push(None);
                continue;
            }
            let flagged = det.verdict(&y.data[row..row + 1]).class.is_attack();
            out.push(flagged.then(|| {
                let o = &n.data[row * n.cols..(row + 1) * n.cols];
                // the most likely attack class (the first of equals), "normal" ignored
                let mut best: Option<(usize, f32)> = None;
                for (i, (v, c)) in o.iter().zip(&namer.classes).enumerate() {
                    if c.is_attack() && !v.is_nan() && best.is_none_or(|(_, b)| *v > b) {
                        best = Some((i, *v));
                    }
                }
                best.map_or(Class::OtherAttack, |(i, _)| namer.classes[i])
            }));
            row += 1;
        }
    }
    out
}

#[test]
fn naming_only_the_flagged_packets_gives_the_classes_of_a_pass_over_every_row() {
    // 257: every full batch of decoded packets leaves one row alone in the last chunk
    for batch in [1024, 257, 513] {
        let want = classes_by_full_passes(batch);
        // every packet counted and scored, as the full passes do; no datagram taken for a
        // two-way conversation's or an answer, no ping an answered one (the rules clear what
        // the networks flagged)
        let e = Engine::new(
            Models::builtin().unwrap(),
            DetectSettings {
                batch,
                reuse_age: 0.0,
                session_packets: 0,
                udp_settle: 0,
                echo_pace: 0.0,
                ..DetectSettings::default()
            },
        )
        .unwrap();
        let (got, _, _) = run_on_test3(e, false);
        assert_eq!(want.len(), got.len());
        let mut flagged = 0;
        for (w, g) in want.iter().zip(&got) {
            if let Some(c) = w {
                flagged += 1;
                assert_eq!(*c, g.class, "packet {} at batch {batch}", g.index);
            }
        }
        assert!(flagged > 10_000, "{flagged}");
    }
}

#[test]
fn verdict_reuse_raises_the_alerts_of_exact_scoring_and_scores_what_it_scores_exactly() {
    let (exact, exact_alerts, _) = detect(1024, false, 0.0);
    let (fast, fast_alerts, _) = detect(1024, false, DetectSettings::default().reuse_age);
    assert_eq!(exact.len(), fast.len());
    let reused = fast.iter().filter(|v| v.reused).count();
    assert!(exact.iter().all(|v| !v.reused));
    assert!(reused > fast.len() / 2, "{reused} of {} reused", fast.len());
    let mut agree = 0;
    for (e, f) in exact.iter().zip(&fast) {
        assert_eq!(e.index, f.index);
        if !f.reused {
            assert_eq!(e.class, f.class, "packet {}", e.index);
            assert!((e.score - f.score).abs() < 1e-5, "packet {}", e.index);
        }
        agree += usize::from(e.class == f.class);
    }
    // reused verdicts are those of a packet in the same context moments before
    assert!(
        agree as f64 >= 0.99 * exact.len() as f64,
        "{agree} of {} agree",
        exact.len()
    );
    // the alerts: the same sources and classes, in the same order
    let who = |alerts: &[String]| -> Vec<(String, String, String)> {
        alerts
            .iter()
            .map(|a| {
                let v: serde_json::Value = serde_json::from_str(a).unwrap();
                (
                    v["src_ip"].to_string(),
                    v["dest_ip"].to_string(),
                    v["nightjar"]["label"].to_string(),
                )
            })
            .collect()
    };
    assert_eq!(who(&exact_alerts), who(&fast_alerts));
}

#[test]
fn an_echo_state_detector_scores_every_packet_as_one_sequence_as_eval_does() {
    use nightjar_ids::features::window::WindowConfig;
    use nightjar_ids::features::FeatureKind;
    use nightjar_ids::model::{Algo, Model, Scaling};
    use nightjar_ids::nn::{Esn, EsnParams};
    // the window features of test3, in capture order
    let cap = read_all(&capture("test3.pcap")).unwrap();
    let kind = FeatureKind::Window;
    let cols = kind.n_features();
    let mut ex = Extractor::new(kind, WindowConfig::default());
    let mut x = Vec::new();
    for p in cap.records.iter().filter_map(Record::packet) {
        let at = x.len();
        x.resize(at + cols, 0.0);
        ex.push(p, &mut x[at..]);
    }
    let rows = x.len() / cols;
    // a small ESN whose readout is fitted to say "bare SYN" (any target will do: what is
    // tested is that detection runs the reservoir over every packet in order, as eval does)
    let scaling = Scaling::fit(&x, cols);
    let mut xs = x.clone();
    scaling.apply(&mut xs);
    let syn = nightjar_ids::features::window::index_of("syn").unwrap();
    let target: Vec<f32> = x.chunks_exact(cols).map(|r| r[syn]).collect();
    let p = EsnParams {
        reservoir: 40,
        seed: 3,
        ..EsnParams::default()
    };
    let mut esn = Esn::new(&p.validate().unwrap(), cols, 1);
    esn.fit(&[(
        &Matrix::new(rows, cols, xs).unwrap(),
        &Matrix::new(rows, 1, target).unwrap(),
    )])
    .unwrap();
    let model = Model {
        kind,
        algo: Algo::Esn,
        binary: true,
        classes: vec![Class::Normal, Class::OtherAttack],
        threshold: 0.5,
        scaling,
        window: WindowConfig::default(),
        training: serde_json::Value::Null,
        net: Net::Esn(Box::new(esn)),
    };
    let whole_capture = std::iter::once(0..rows).collect::<Vec<_>>();
    let want = model.predict(&x, &whole_capture).unwrap();
    let flagged = want.iter().filter(|v| v.class.is_attack()).count();
    assert!(
        flagged > 1000 && flagged < rows - 1000,
        "{flagged} of {rows}"
    );
    for (batch, pipelined) in [(1024, true), (257, false), (1, false)] {
        let e = Engine::new(
            Models::with_model(model_copy(&model)).unwrap(),
            DetectSettings {
                batch,
                ..DetectSettings::default()
            },
        )
        .unwrap();
        assert_eq!(e.settings().reuse_age, 0.0, "no verdict reuse for an ESN");
        let (verdicts, _, st) = run_on_test3(e, pipelined);
        let got: Vec<PacketVerdict> = verdicts
            .into_iter()
            .filter(|v| v.packet.is_some_and(|p| !p.arp))
            .collect();
        assert_eq!(st.verdicts_reused, 0);
        assert_eq!(got.len(), rows);
        for (t, (w, g)) in want.iter().zip(&got).enumerate() {
            assert!(
                (w.score - g.score).abs() < 1e-4,
                "batch {batch}, packet {t}: {} vs {}",
                w.score,
                g.score
            );
        }
    }
}

/// A copy of a model (through its file format).
fn model_copy(m: &nightjar_ids::model::Model) -> nightjar_ids::model::Model {
    nightjar_ids::model::Model::from_bytes(&m.to_bytes().unwrap()).unwrap()
}
