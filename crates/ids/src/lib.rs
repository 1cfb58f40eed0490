#![deny(unsafe_code)]
//! Nightjar's intrusion detector: packet features, labelled datasets, training, evaluation and
//! the paper's studies (DESIGN §7, §8).
//!
//! The pipeline, one stage per module:
//!
//! ```text
//! pcap ─ nightjar_packet::PcapReader ─→ PacketRepr ─ features ─→ f32 rows ─┬─ train ─→ Model file
//!                 LABELS.json ─ labels ─→ class per packet ─────────────────┘        │
//!                                                        Model::predict ─→ Verdict ─ report ─→ Tables 1, 2
//! ```
//!
//! * [`labels`]: LABELS.json parsing, validation and DESIGN §12's packet → class rule.
//! * [`features`]: `paper7` (the paper's seven per-packet variables) and `window` (damped
//!   per-host and per-conversation statistics at four time scales, client/server oriented,
//!   bounded memory).
//! * [`dataset`]: one streaming pass per capture → feature matrix, classes, packet indices.
//! * [`train`]: standardisation, targets, class balancing, the MLP or the ESN from
//!   `nightjar-nn`.
//! * [`model`]: versioned model files carrying the feature schema, scaling and class list.
//! * [`detect`]: streaming detection over any packet source — batched features and MLP
//!   scores, per-packet verdicts, episodes per attacking source (or per victim for spoofed
//!   floods) — with the built-in models.
//! * [`profile`]: per-episode profiles of what an attacking source sent (probe flags, ports,
//!   repetition, replies) and the attack class they define, where the protocol decides it.
//! * [`conversation`]: two-way UDP conversations (QUIC, calls, tunnels), whose datagrams are
//!   no flood and no scan.
//! * [`associations`]: SCTP associations both ends hold (their handshake answered, or their
//!   DATA acknowledged), whose packets are no flood and no scan.
//! * [`copies`]: the second and third sight of a packet in a capture that saw it more than
//!   once (`tcpdump -i any` on a bridging or routing host), which take the first's verdict.
//! * [`fragments`]: IP fragments after the first, judged as their first fragment was.
//! * [`udpfloods`]: UDP floods of one service that takes them in silence (or whose ICMP
//!   refusals a capture filter removed): one client's datagrams of one size, fast, unanswered.
//! * [`unlearned`]: attacks the networks were never shown: forged ICMP errors, IP protocol
//!   scans, SCTP and UDP-Lite port scans.
//! * [`arpsweep`]: ARP sweeps (host discovery on a LAN: `nmap -sn`, `arp-scan`), from the
//!   ARP messages, which never reach the networks.
//! * [`carpet`]: floods spread over a victim subnet ("carpet bombing"): the victim network of an
//!   address, the repeated-ping rule, and the thresholds of the per-network alerts.
//! * [`neighbour`]: attacks on IPv6 neighbour discovery and on a link's groups (thc-ipv6's
//!   router- and neighbour-advertisement floods, smurf6, rsmurf6, dos-new-ip6, parasite6),
//!   alerted per victim: the group, the forged source, the link.
//! * [`guessing`]: online password guessing against login services (SSH, FTP, ...): the
//!   server's refusals (slow or repeated answers) and short connections, counted per service.
//! * [`handshakes`]: a client's full-size handshakes sent again where nothing answers (QUIC
//!   Initials): its episode is no UDP scan.
//! * [`timeline`]: a capture's clock: records stamped out of line, and where the clock goes
//!   back for good (captures concatenated out of order), where detection starts afresh.
//! * [`alert`]: alerts and their Suricata EVE JSON lines.
//! * [`report`]: the paper's Table 1 and Table 2 with DESIGN §1's FAR/FRR denominators.
//! * [`study`]: the paper's training studies (epochs to a target MSE vs η, weight range,
//!   hidden nodes, layers, momentum; MLP vs ESN).
//! * [`plot`]: PNG line and bar charts with a built-in bitmap font.
//!
//! Nothing here panics on input: captures, labels and model files are untrusted and every
//! failure is an [`IdsError`].

pub mod alert;
pub mod arpspoof;
pub mod arpsweep;
pub mod associations;
pub mod broadcasts;
pub mod carpet;
pub mod class;
pub mod connections;
pub mod conversation;
pub mod copies;
pub mod dataset;
pub mod detect;
pub mod echoes;
mod error;
pub mod features;
pub mod fewports;
pub mod fragments;
pub mod fuzzing;
pub mod guessing;
pub mod handshakes;
mod jsonw;
pub mod labels;
pub mod model;
pub mod neighbour;
pub mod plot;
pub mod profile;
pub mod reflection;
pub mod renegotiation;
pub mod report;
pub mod slowrequests;
pub mod slowscan;
pub mod study;
pub mod timeline;
pub mod train;
pub mod udpfloods;
pub mod unanswered;
pub mod unlearned;

pub use class::Class;
pub use labels::{Labels, LabelsError};

pub use error::IdsError;
pub use nightjar_nn as nn;
pub use nightjar_packet as packet;
