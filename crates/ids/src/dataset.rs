//! Labelled feature matrices built from (capture, labels) pairs.
//!
//! Each capture is read in one streaming pass: every decoded packet gets its feature vector
//! (from a fresh extractor per capture: separate runs share no state) and its class by the
//! labelling rule. Records that are not decoded IP packets are counted and skipped. A capture
//! whose tail is truncated or corrupt keeps what came before, with a warning.

use crate::class::Class;
use crate::features::{Extractor, FeatureKind, WindowConfig};
use crate::labels::Labels;
use crate::IdsError;
use nightjar_packet::{PacketError, PcapReader, Record};
use std::ops::Range;
use std::path::Path;

/// One capture's part of a dataset.
#[derive(Clone, Debug)]
pub struct CaptureInfo {
    /// Its name (path as given).
    pub name: String,
    /// Its rows in the dataset.
    pub rows: Range<usize>,
    /// Records read, decoded or not.
    pub records: u64,
    /// Records that were not decoded IP packets (ARP messages among them: the networks are
    /// trained and evaluated on IP packets only).
    pub undecoded: u64,
    /// What could not be read, and labels that name another capture.
    pub warnings: Vec<String>,
}

/// The header fields of a row's packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PacketMeta {
    pub ts: f64,
    pub src: std::net::IpAddr,
    pub dst: std::net::IpAddr,
    pub proto: u8,
    pub sport: u16,
    pub dport: u16,
    pub tcp_flags: u8,
}

/// A labelled feature matrix: `x` holds `rows × cols` values, row after row.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub kind: FeatureKind,
    pub cols: usize,
    pub x: Vec<f32>,
    /// True class of each row.
    pub y: Vec<Class>,
    /// Position of each row's packet in its capture.
    pub index: Vec<u64>,
    /// Each row's packet header summary (for per-packet score files and error analysis).
    pub meta: Vec<PacketMeta>,
    /// The captures, in the order added.
    pub captures: Vec<CaptureInfo>,
}

impl Dataset {
    /// An empty dataset of the given feature kind.
    pub fn new(kind: FeatureKind) -> Dataset {
        Dataset {
            kind,
            cols: kind.n_features(),
            x: Vec::new(),
            y: Vec::new(),
            index: Vec::new(),
            meta: Vec::new(),
            captures: Vec::new(),
        }
    }

    /// Rows.
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// Row `i`'s features.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.x[i * self.cols..(i + 1) * self.cols]
    }

    /// Records not decoded, over all captures.
    pub fn undecoded(&self) -> u64 {
        self.captures.iter().map(|c| c.undecoded).sum()
    }

    /// Rows per class, in [`Class::ALL`] order.
    pub fn class_counts(&self) -> [usize; 15] {
        let mut n = [0usize; 15];
        for c in &self.y {
            n[c.index()] += 1;
        }
        n
    }

    /// Read a capture file and add its packets with their labels.
    pub fn add_capture(
        &mut self,
        path: &Path,
        labels: &Labels,
        window: WindowConfig,
    ) -> Result<&CaptureInfo, IdsError> {
        self.add_capture_stretched(path, labels, window, 1.0)
    }

    /// [`Dataset::add_capture`] with the capture's clock stretched by `stretch` for the
    /// features (a packet at `t0 + dt` is seen at `t0 + stretch·dt`; labels use the real time):
    /// the same traffic replayed slower (> 1) or faster (< 1). Used to augment training data
    /// so that the detector learns rate-invariant patterns (a slow scan is still a scan).
    pub fn add_capture_stretched(
        &mut self,
        path: &Path,
        labels: &Labels,
        window: WindowConfig,
        stretch: f64,
    ) -> Result<&CaptureInfo, IdsError> {
        if !(stretch.is_finite() && stretch > 0.0) {
            return Err(IdsError::Config(format!(
                "time stretch {stretch} must be > 0"
            )));
        }
        let name = if stretch == 1.0 {
            path.display().to_string()
        } else {
            format!("{} (time ×{stretch})", path.display())
        };
        let reader = PcapReader::open(path).map_err(|e| IdsError::Capture {
            path: name.clone(),
            source: e,
        })?;
        let mut warnings = Vec::new();
        let file = path.file_name().map(|f| f.to_string_lossy().to_string());
        if file.as_deref() != Some(labels.capture.as_str()) {
            warnings.push(format!(
                "the labels are for {:?}, not {:?}",
                labels.capture,
                file.unwrap_or_default()
            ));
        }
        let mut reader = reader;
        let mut err = None;
        self.add_records_inner(
            name.clone(),
            std::iter::from_fn(|| reader.next()),
            labels,
            window,
            stretch,
            &mut err,
        );
        let info = self
            .captures
            .last_mut()
            .ok_or_else(|| IdsError::Data("no capture".into()))?;
        info.warnings.extend(warnings);
        info.warnings.extend(reader.warnings().iter().cloned());
        if let Some(e) = err {
            match e {
                PacketError::Corrupt { .. } => info.warnings.push(e.to_string()),
                other => {
                    return Err(IdsError::Capture {
                        path: name,
                        source: other,
                    })
                }
            }
        }
        Ok(info)
    }

    /// Add records (in capture order) with their labels; reading stops at the first error,
    /// which is returned after the records before it were added.
    pub fn add_records<I>(
        &mut self,
        name: &str,
        records: I,
        labels: &Labels,
        window: WindowConfig,
    ) -> Result<&CaptureInfo, PacketError>
    where
        I: IntoIterator<Item = Result<Record, PacketError>>,
    {
        let mut err = None;
        self.add_records_inner(name.to_string(), records, labels, window, 1.0, &mut err);
        if let Some(e) = err {
            return Err(e);
        }
        self.captures
            .last()
            .ok_or_else(|| PacketError::NotACapture("no capture".into()))
    }

    fn add_records_inner<I>(
        &mut self,
        name: String,
        records: I,
        labels: &Labels,
        window: WindowConfig,
        stretch: f64,
        err: &mut Option<PacketError>,
    ) where
        I: IntoIterator<Item = Result<Record, PacketError>>,
    {
        let start = self.rows();
        let mut ex = Extractor::new(self.kind, window);
        let cols = self.cols;
        let mut n_records = 0u64;
        let mut undecoded = 0u64;
        let mut first_ts: Option<f64> = None;
        for r in records {
            match r {
                Ok(Record::Packet(p)) => {
                    n_records += 1;
                    let at = self.x.len();
                    self.x.resize(at + cols, 0.0);
                    if stretch == 1.0 {
                        ex.push(&p, &mut self.x[at..]);
                    } else {
                        let t0 = *first_ts.get_or_insert(p.ts);
                        let mut q = p;
                        q.ts = t0 + (p.ts - t0) * stretch;
                        ex.push(&q, &mut self.x[at..]);
                    }
                    self.y.push(labels.classify(p.src, p.dst, p.ts));
                    self.index.push(p.index);
                    self.meta.push(PacketMeta {
                        ts: p.ts,
                        src: p.src,
                        dst: p.dst,
                        proto: p.proto,
                        sport: p.sport,
                        dport: p.dport,
                        tcp_flags: p.tcp_flags,
                    });
                }
                Ok(Record::Arp(_) | Record::Undecoded { .. }) => {
                    n_records += 1;
                    undecoded += 1;
                }
                Err(e) => {
                    *err = Some(e);
                    break;
                }
            }
        }
        self.captures.push(CaptureInfo {
            name,
            rows: start..self.rows(),
            records: n_records,
            undecoded,
            warnings: Vec::new(),
        });
    }

    /// Write the matrix as CSV: a header of feature names then `label,attack`; one line per row.
    pub fn write_csv<W: std::io::Write>(&self, mut w: W) -> std::io::Result<()> {
        let names = self.kind.names();
        let mut line = names.join(",");
        line.push_str(",label,attack\n");
        w.write_all(line.as_bytes())?;
        let mut buf = String::new();
        for (i, c) in self.y.iter().enumerate() {
            buf.clear();
            for v in self.row(i) {
                use std::fmt::Write as _;
                let _ = write!(buf, "{v},");
            }
            buf.push_str(c.as_str());
            buf.push_str(if c.is_attack() { ",1\n" } else { ",0\n" });
            w.write_all(buf.as_bytes())?;
        }
        w.flush()
    }

    /// The rows followed by `copies` repeats in which each feature group
    /// ([`FeatureKind::groups`]) is hidden — set to its mean over these rows — with probability
    /// `p`: the evidence-dropout augmentation of `train::TrainSettings::dropout`, in feature
    /// units (after standardisation a hidden feature is 0 either way). For exporting the
    /// training matrix that the MLP learns from. `p_context`: `TrainSettings::dropout_context`.
    pub fn with_evidence_dropout(
        &self,
        p: f32,
        p_context: f32,
        copies: usize,
        seed: u64,
    ) -> Dataset {
        let groups = self.kind.groups();
        let context = self.kind.context_mask();
        let n_groups = groups.iter().max().map_or(0, |g| g + 1);
        let mut mean = vec![0f64; self.cols];
        for r in self.x.chunks_exact(self.cols.max(1)) {
            for (m, v) in mean.iter_mut().zip(r) {
                *m += f64::from(*v);
            }
        }
        let n = self.rows().max(1) as f64;
        let mean: Vec<f32> = mean.iter().map(|m| (m / n) as f32).collect();
        let mut rng = nightjar_nn::rng::Rng::new(seed ^ 0xD80F_0D80);
        let mut out = self.clone();
        let mut hide = vec![false; n_groups];
        for _ in 0..copies {
            for i in 0..self.rows() {
                for h in hide.iter_mut() {
                    *h = rng.next_f32() < p;
                }
                let no_context = p_context > 0.0 && rng.next_f32() < p_context;
                let at = out.x.len();
                out.x.extend_from_slice(self.row(i));
                for (((v, g), m), c) in out.x[at..].iter_mut().zip(&groups).zip(&mean).zip(&context)
                {
                    if hide[*g] || (no_context && *c) {
                        *v = *m;
                    }
                }
                out.y.push(self.y[i]);
                out.index.push(self.index[i]);
                out.meta.push(self.meta[i]);
            }
        }
        out
    }

    /// Keep only the rows for which `keep` is true (capture ranges are recomputed).
    pub fn filter(&self, mut keep: impl FnMut(usize) -> bool) -> Dataset {
        let mut out = Dataset::new(self.kind);
        for c in &self.captures {
            let start = out.rows();
            for i in c.rows.clone() {
                if keep(i) {
                    out.x.extend_from_slice(self.row(i));
                    out.y.push(self.y[i]);
                    out.index.push(self.index[i]);
                    out.meta.push(self.meta[i]);
                }
            }
            out.captures.push(CaptureInfo {
                rows: start..out.rows(),
                ..c.clone()
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{tcp, udp};

    fn labels() -> Labels {
        Labels::parse(
            r#"{"capture":"t.pcap","attackers":[{"ip":"198.18.0.66"}],
                "episodes":[{"src":"198.18.0.66","label":"scan-syn","start":10,"end":20}]}"#,
        )
        .unwrap()
    }

    fn records() -> Vec<Result<Record, PacketError>> {
        let mut v = Vec::new();
        for (i, ts) in [5.0, 12.0, 15.0, 25.0].iter().enumerate() {
            let mut p = tcp(*ts, "198.18.0.66", "198.18.0.10", 40000, 80, 2);
            p.index = 2 * i as u64;
            v.push(Ok(Record::Packet(p)));
            // an ARP message (not IP: no row) or an undecoded frame after each packet
            let index = 2 * i as u64 + 1;
            v.push(Ok(if i % 2 == 0 {
                Record::Arp(nightjar_packet::ArpRepr {
                    index,
                    ts: *ts,
                    wire_len: 42,
                    op: nightjar_packet::ArpOp::Request,
                    sender_mac: [2, 0, 0, 0, 0, 0x42],
                    sender_ip: "198.18.0.66".parse().unwrap(),
                    target_mac: [0; 6],
                    target_ip: "198.18.0.10".parse().unwrap(),
                    link_dst: Some([0xff; 6]),
                })
            } else {
                Record::Undecoded {
                    index,
                    ts: *ts,
                    wire_len: 42,
                    reason: "RARP",
                }
            }));
        }
        let mut reply = udp(13.0, "198.18.0.10", "198.18.0.66", 53, 40000, 60);
        reply.index = 8;
        v.push(Ok(Record::Packet(reply)));
        v
    }

    #[test]
    fn rows_get_features_labels_and_packet_indices() {
        for kind in FeatureKind::ALL {
            let mut d = Dataset::new(kind);
            let info = d
                .add_records("t", records(), &labels(), WindowConfig::default())
                .unwrap();
            assert_eq!((info.records, info.undecoded), (9, 4));
            assert_eq!(d.rows(), 5);
            assert_eq!(d.x.len(), 5 * kind.n_features());
            assert_eq!(
                d.y,
                vec![
                    Class::Normal,
                    Class::ScanSyn,
                    Class::ScanSyn,
                    Class::Normal,
                    Class::ScanSyn
                ]
            );
            assert_eq!(d.index, vec![0, 2, 4, 6, 8]);
            assert_eq!(d.class_counts()[Class::ScanSyn.index()], 3);
        }
    }

    #[test]
    fn context_dropout_hides_every_host_and_pair_statistic_and_nothing_else() {
        let mut d = Dataset::new(FeatureKind::Window);
        d.add_records("t", records(), &labels(), WindowConfig::default())
            .unwrap();
        let names = FeatureKind::Window.names();
        let ctx = FeatureKind::Window.context_mask();
        assert!(ctx.iter().any(|c| *c) && !ctx.iter().all(|c| *c));
        for (n, c) in names.iter().zip(&ctx) {
            assert_eq!(*c, n.contains('@'), "{n}");
        }
        assert!(FeatureKind::Paper7.context_mask().iter().all(|c| !*c));
        let n = d.rows();
        let mut mean = vec![0f32; d.cols];
        for i in 0..n {
            for (m, v) in mean.iter_mut().zip(d.row(i)) {
                *m += *v / n as f32;
            }
        }
        // group dropout off, context always hidden: context features at their means, the rest kept
        let out = d.with_evidence_dropout(0.0, 1.0, 1, 3);
        assert_eq!(out.rows(), 2 * n);
        for i in 0..n {
            for (j, c) in ctx.iter().enumerate() {
                let want = if *c { mean[j] } else { d.row(i)[j] };
                assert!((out.row(n + i)[j] - want).abs() < 1e-4, "{}", names[j]);
            }
        }
        // nothing hidden: the copy is the rows themselves
        let none = d.with_evidence_dropout(0.0, 0.0, 1, 3);
        assert_eq!(&none.x[n * d.cols..], &d.x[..]);
    }

    #[test]
    fn a_read_error_keeps_the_rows_before_it() {
        let mut r = records();
        r.insert(
            3,
            Err(PacketError::Corrupt {
                offset: 100,
                records: 3,
                detail: "bad".into(),
            }),
        );
        let mut d = Dataset::new(FeatureKind::Paper7);
        assert!(d
            .add_records("t", r, &labels(), WindowConfig::default())
            .is_err());
        assert_eq!(d.rows(), 2);
        assert_eq!(d.captures[0].rows, 0..2);
    }

    #[test]
    fn csv_has_a_header_and_one_line_per_row() {
        let mut d = Dataset::new(FeatureKind::Paper7);
        d.add_records("t", records(), &labels(), WindowConfig::default())
            .unwrap();
        let mut out = Vec::new();
        d.write_csv(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(
            lines[0],
            "proto,sport,dport,tcp_flags,ip_len,ttl,window,label,attack"
        );
        assert!(lines[2].ends_with(",scan-syn,1"));
        assert_eq!(lines[1].split(',').count(), 9);
    }

    #[test]
    fn filter_keeps_capture_ranges_consistent() {
        let mut d = Dataset::new(FeatureKind::Paper7);
        d.add_records("a", records(), &labels(), WindowConfig::default())
            .unwrap();
        d.add_records("b", records(), &labels(), WindowConfig::default())
            .unwrap();
        let f = d.filter(|i| i % 2 == 0);
        assert_eq!(f.rows(), 5);
        assert_eq!(f.captures[0].rows, 0..3);
        assert_eq!(f.captures[1].rows, 3..5);
    }
}
