//! The paper's seven per-packet variables, each scaled by a fixed range to [0, 1].
//!
//! | # | variable | range (value / range, clipped to 1) |
//! |---|---|---|
//! | 0 | IP protocol number | 255 |
//! | 1 | source port (0 without ports) | 65535 |
//! | 2 | destination port (0 without ports) | 65535 |
//! | 3 | TCP flags byte (0 for other protocols) | 255 |
//! | 4 | IP total length (IPv6: payload length + 40) | 1500 (larger, e.g. offloaded segments, clip) |
//! | 5 | TTL / hop limit | 255 |
//! | 6 | TCP window (0 for other protocols) | 65535 |
//!
//! The features see one packet at a time: no history, no other direction of the conversation.

use nightjar_packet::PacketRepr;

/// Number of features.
pub const LEN: usize = 7;

/// Feature names, in order.
pub const NAMES: [&str; LEN] = [
    "proto",
    "sport",
    "dport",
    "tcp_flags",
    "ip_len",
    "ttl",
    "window",
];

/// The fixed ranges the raw values are divided by.
pub const RANGES: [f32; LEN] = [255.0, 65535.0, 65535.0, 255.0, 1500.0, 255.0, 65535.0];

/// Write the seven scaled features of `p` into `out[..7]`.
pub fn extract(p: &PacketRepr, out: &mut [f32]) {
    let raw = [
        f32::from(p.proto),
        f32::from(p.sport),
        f32::from(p.dport),
        f32::from(p.tcp_flags),
        f32::from(p.ip_len),
        f32::from(p.ttl),
        f32::from(p.window),
    ];
    for ((o, r), range) in out.iter_mut().zip(raw).zip(RANGES) {
        *o = (r / range).clamp(0.0, 1.0);
    }
}
