//! Feature vectors from packets.
//!
//! * [`FeatureKind::Paper7`]: the paper's seven per-packet variables ([`paper7`]).
//! * [`FeatureKind::Window`]: damped per-host and per-conversation statistics at four time
//!   scales plus the packet's own fields ([`window`]).
//!
//! Every feature is scaled by a fixed, documented range into [0, 1]; the schema id names the
//! layout and is stored in model files, so a model is never fed vectors of another layout.

mod fastmath;
pub mod paper7;
pub mod table;
pub mod window;

use nightjar_packet::PacketRepr;
pub use window::{WindowConfig, WindowState};

/// Which features.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FeatureKind {
    Paper7,
    Window,
}

impl FeatureKind {
    /// Every kind.
    pub const ALL: [FeatureKind; 2] = [FeatureKind::Paper7, FeatureKind::Window];

    /// Name on the command line and in model files.
    pub fn name(self) -> &'static str {
        match self {
            FeatureKind::Paper7 => "paper7",
            FeatureKind::Window => "window",
        }
    }

    /// Parse a name.
    pub fn from_name(s: &str) -> Option<FeatureKind> {
        FeatureKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The schema id: layout and scaling version. Changing a feature's meaning or range means a
    /// new schema id; models carry it and are refused by a build that computes another.
    pub fn schema(self) -> &'static str {
        match self {
            FeatureKind::Paper7 => "paper7/v1",
            FeatureKind::Window => "window/v2",
        }
    }

    /// Number of features.
    pub fn n_features(self) -> usize {
        match self {
            FeatureKind::Paper7 => paper7::LEN,
            FeatureKind::Window => window::LEN,
        }
    }

    /// Feature names, in order.
    pub fn names(self) -> Vec<String> {
        match self {
            FeatureKind::Paper7 => paper7::NAMES.iter().map(|s| s.to_string()).collect(),
            FeatureKind::Window => window::names(),
        }
    }

    /// A group id per feature: features that carry the same kind of evidence share a group
    /// (for `window`: the same statistic at every time scale and at both ends — e.g. every
    /// `*.new_port_frac@*` —, the TCP flag bits together, the protocol indicators together), so
    /// that training can hide one kind of evidence at a time (see `train::TrainSettings::dropout`).
    pub fn groups(self) -> Vec<usize> {
        let names = self.names();
        let mut stems: Vec<String> = Vec::new();
        names
            .iter()
            .map(|n| {
                if n.starts_with("flow.") {
                    // the flow's own record is one kind of evidence
                    return match stems.iter().position(|s| s == "flow") {
                        Some(i) => i,
                        None => {
                            stems.push("flow".to_string());
                            stems.len() - 1
                        }
                    };
                }
                let base = n.split('@').next().unwrap_or(n);
                let base = base.rsplit('.').next().unwrap_or(base);
                let stem = match base {
                    "fin" | "syn" | "rst" | "psh" | "ack" | "urg" | "ece" | "cwr" | "tcp_flags" => {
                        "flags"
                    }
                    "proto" | "is_tcp" | "is_udp" | "is_icmp" | "is_other" => "proto",
                    "sent" | "recv" | "c2s" | "s2c" => "counts",
                    other => other,
                };
                match stems.iter().position(|s| s == stem) {
                    Some(i) => i,
                    None => {
                        stems.push(stem.to_string());
                        stems.len() - 1
                    }
                }
            })
            .collect()
    }

    /// Per feature: whether it is *context* — a statistic of the packet's hosts or host pair
    /// over the recent past (`window`: every `cli.*`, `srv.*` and `pair.*` feature) — rather
    /// than a field of the packet itself or of its own flow. `paper7` has no context.
    pub fn context_mask(self) -> Vec<bool> {
        self.names()
            .iter()
            .map(|n| n.starts_with("cli.") || n.starts_with("srv.") || n.starts_with("pair."))
            .collect()
    }

    /// Whether vectors depend on the packets before (so order and state matter).
    pub fn is_stateful(self) -> bool {
        matches!(self, FeatureKind::Window)
    }
}

impl std::fmt::Display for FeatureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A feature extractor: feed packets in capture order, get one vector per packet.
pub enum Extractor {
    Paper7,
    Window(Box<WindowState>),
}

impl Extractor {
    /// A fresh extractor of the given kind.
    pub fn new(kind: FeatureKind, cfg: WindowConfig) -> Extractor {
        match kind {
            FeatureKind::Paper7 => Extractor::Paper7,
            FeatureKind::Window => Extractor::Window(Box::new(WindowState::new(cfg))),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> FeatureKind {
        match self {
            Extractor::Paper7 => FeatureKind::Paper7,
            Extractor::Window(_) => FeatureKind::Window,
        }
    }

    /// Number of features written by [`Extractor::push`].
    pub fn len(&self) -> usize {
        self.kind().n_features()
    }

    /// Whether it writes no feature (never).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Features of the next packet, written into `out[..self.len()]`.
    pub fn push(&mut self, p: &PacketRepr, out: &mut [f32]) {
        match self {
            Extractor::Paper7 => paper7::extract(p, out),
            Extractor::Window(w) => w.push(p, out),
        }
    }

    /// Take the next packet into the state; if `want` says yes to its context key, take into
    /// `snap` what its features are made of ([`Snapshot::write`] makes them), and return
    /// whether it did. For `paper7` the key is a hash of the seven raw fields, so equal keys
    /// mean equal features (bar a hash collision); for `window` see
    /// [`WindowState::push_if`].
    pub fn push_if(
        &mut self,
        p: &PacketRepr,
        want: impl FnOnce(u64) -> bool,
        snap: &mut Snapshot,
    ) -> bool {
        self.push_prepared(&Prepared { p, window: None }, want, snap)
    }

    /// Of the last packet taken, if a whole TCP segment and the extractor keeps flows
    /// (`window`): whether the end that opened its flow sent it
    /// ([`WindowState::sent_by_opener`]); `None` otherwise.
    pub fn sent_by_opener(&self) -> Option<bool> {
        match self {
            Extractor::Paper7 => None,
            Extractor::Window(w) => w.sent_by_opener(),
        }
    }

    /// Of the last packet taken (`window`): whether it was a whole TCP segment of a flow its
    /// opener began with a SYN ([`WindowState::flow_opened_by_syn`]); never for `paper7`.
    pub fn flow_opened_by_syn(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.flow_opened_by_syn(),
        }
    }

    /// Of the last packet taken (`window`): whether it was a whole TCP segment that can only be
    /// an answer and opened its flow ([`WindowState::opened_by_answer`]); never for `paper7`.
    pub fn opened_by_answer(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.opened_by_answer(),
        }
    }

    /// Of the last packet taken (`window`): whether it was the request its flow's first
    /// packet, an answer written before it, answers; its sender now the flow's opener
    /// ([`WindowState::answered_late`]); never for `paper7`.
    pub fn answered_late(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.answered_late(),
        }
    }

    /// Of the last packet taken (`window`): whether it was the first segment with payload its
    /// flow's opener sent, in a flow begun with a SYN ([`WindowState::first_data`]); never
    /// for `paper7`.
    pub fn first_data(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.first_data(),
        }
    }

    /// Whether the last packet taken was counted in its established TCP session's flow only
    /// ([`WindowState::set_session_after`]); never for `paper7`.
    pub fn in_session(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.in_session(),
        }
    }

    /// Whether the last packet taken was a whole TCP segment of an established connection
    /// ([`WindowState::flow_established`]); never for `paper7`, which keeps no flows.
    pub fn flow_established(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.flow_established(),
        }
    }

    /// Whether the last packet taken was a TCP reset that closed an established connection
    /// its sender received data on, or answered a segment of one after that
    /// ([`WindowState::closing_reset`]); never for `paper7`, which keeps no flows.
    pub fn closing_reset(&self) -> bool {
        match self {
            Extractor::Paper7 => false,
            Extractor::Window(w) => w.closing_reset(),
        }
    }

    /// Count the packets of an established TCP session or a two-way tunnel after its first `n`
    /// in their flow only ([`WindowState::set_session_after`]; 0: never). No effect on `paper7`, whose
    /// features are the packet's own.
    pub fn set_session_after(&mut self, n: u32) {
        if let Extractor::Window(w) = self {
            w.set_session_after(n);
        }
    }

    /// Compute what [`Extractor::push_prepared`] needs of `p` that depends on the packet
    /// alone (for `window`: the keys of the table entries it updates, kept by the extractor
    /// for up to 15 packets: see [`WindowState::prepare`]), and fetch the table sets those
    /// entries are in into the CPU's caches. Prepared some packets ahead of its turn, a
    /// packet's entries are in the caches when it is taken.
    pub fn prepare<'a>(&mut self, p: &'a PacketRepr) -> Prepared<'a> {
        let window = match self {
            Extractor::Paper7 => None,
            Extractor::Window(w) => Some(w.prepare(p)),
        };
        Prepared { p, window }
    }

    /// Fetch into the CPU's caches the table entries of a prepared packet (see
    /// [`WindowState::prefetch_entries`]): best done a few packets after
    /// [`Extractor::prepare`] and a few before [`Extractor::push_prepared`]. A hint that
    /// changes nothing.
    #[inline]
    pub fn prefetch_entries(&self, prepared: &Prepared<'_>) {
        if let (Extractor::Window(w), Some(k)) = (self, &prepared.window) {
            w.prefetch_entries(k);
        }
    }

    /// [`Extractor::push_if`] of a packet prepared by [`Extractor::prepare`] (of this
    /// extractor, at most 15 packets ahead; else the packet is prepared again here, to the
    /// same features).
    #[inline]
    pub fn push_prepared(
        &mut self,
        prepared: &Prepared<'_>,
        want: impl FnOnce(u64) -> bool,
        snap: &mut Snapshot,
    ) -> bool {
        let p = prepared.p;
        match self {
            Extractor::Paper7 => {
                let key = u64::from(p.proto)
                    | u64::from(p.tcp_flags) << 8
                    | u64::from(p.ttl) << 16
                    | u64::from(p.ip_len) << 24
                    | u64::from(p.sport) << 40;
                let key =
                    table::mix(table::mix(key) ^ (u64::from(p.dport) << 16 | u64::from(p.window)));
                if !want(key) {
                    return false;
                }
                let mut v = [0f32; paper7::LEN];
                paper7::extract(p, &mut v);
                *snap = Snapshot::Paper7(v);
                true
            }
            Extractor::Window(w) => {
                if !matches!(snap, Snapshot::Window(_)) {
                    *snap = Snapshot::Window(window::Snapshot::default());
                }
                match (snap, &prepared.window) {
                    (Snapshot::Window(s), Some(k)) => w.push_prepared(k, want, s),
                    (Snapshot::Window(s), None) => w.push_if(p, want, s),
                    (Snapshot::Paper7(_), _) => false,
                }
            }
        }
    }
}

/// A packet prepared by [`Extractor::prepare`] for [`Extractor::push_prepared`].
#[derive(Clone, Copy)]
pub struct Prepared<'a> {
    p: &'a PacketRepr,
    /// What `window` computes ahead (`paper7` needs nothing).
    window: Option<window::Prepared<'a>>,
}

impl<'a> Prepared<'a> {
    /// The packet.
    pub fn packet(&self) -> &'a PacketRepr {
        self.p
    }
}

/// What [`Extractor::push_if`] takes of a packet to make its features from (a slot of a
/// batch's buffer, reused from batch to batch).
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Snapshot {
    Paper7([f32; paper7::LEN]),
    Window(window::Snapshot),
}

impl Default for Snapshot {
    fn default() -> Self {
        Snapshot::Paper7([0.0; paper7::LEN])
    }
}

impl Snapshot {
    /// The number of features [`Snapshot::write`] writes.
    pub fn n_features(&self) -> usize {
        match self {
            Snapshot::Paper7(_) => paper7::LEN,
            Snapshot::Window(_) => window::LEN,
        }
    }

    /// Write the features into `out` (as many as its kind has; nothing if `out` is shorter).
    pub fn write(&self, out: &mut [f32]) {
        match self {
            Snapshot::Paper7(v) => {
                if let Some(o) = out.get_mut(..paper7::LEN) {
                    o.copy_from_slice(v);
                }
            }
            Snapshot::Window(w) => w.write(out),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
