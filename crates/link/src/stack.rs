//! Protocol stacks and their identifiers, computed the same way on every node.
//!
//! A stack is an ordered list of layer names (`seal/blowfish-ctr-hmac-sha256`,
//! `stego/lsb-png`, `link/hmac-sha256`, `transport/tcp`). Its identifier is the first 8 bytes of
//! SHA-256 over the canonical encoding
//!
//! ```text
//! "NJSTACK1" || count u16 BE || for each layer: len u16 BE || name (ASCII)
//! ```
//!
//! Layer names are 1..=64 bytes of `a-z 0-9 / . _ -`; a stack has 1..=16 layers. Because the
//! encoding is length-prefixed, no two different stacks share an encoding.

use crate::error::LinkError;
use sha2::{Digest, Sha256};
use std::fmt;

/// An 8-byte stack identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct StackId(pub [u8; 8]);

impl fmt::Debug for StackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StackId({self})")
    }
}

impl fmt::Display for StackId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A validated protocol stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stack {
    layers: Vec<String>,
}

/// Most layers in a stack.
pub const MAX_LAYERS: usize = 16;
/// Longest layer name.
pub const MAX_LAYER_NAME: usize = 64;

impl Stack {
    /// Validates a list of layer names.
    pub fn new<S: AsRef<str>>(layers: &[S]) -> Result<Stack, LinkError> {
        if layers.is_empty() || layers.len() > MAX_LAYERS {
            return Err(LinkError::Config(format!(
                "a stack has 1 to {MAX_LAYERS} layers, not {}",
                layers.len()
            )));
        }
        let mut v = Vec::with_capacity(layers.len());
        for l in layers {
            let l = l.as_ref();
            let ok = !l.is_empty()
                && l.len() <= MAX_LAYER_NAME
                && l.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || b"/._-".contains(&c));
            if !ok {
                return Err(LinkError::Config(format!(
                    "invalid layer name {l:?}: 1 to {MAX_LAYER_NAME} characters of a-z 0-9 / . _ -"
                )));
            }
            v.push(l.to_string());
        }
        Ok(Stack { layers: v })
    }

    /// The layer names, outermost first.
    pub fn layers(&self) -> &[String] {
        &self.layers
    }

    /// The canonical encoding hashed into the identifier.
    pub fn canonical_encoding(&self) -> Vec<u8> {
        let mut v = b"NJSTACK1".to_vec();
        // Stack::new bounds both counts far below u16::MAX.
        v.extend_from_slice(&(self.layers.len() as u16).to_be_bytes());
        for l in &self.layers {
            v.extend_from_slice(&(l.len() as u16).to_be_bytes());
            v.extend_from_slice(l.as_bytes());
        }
        v
    }

    /// The identifier: the first 8 bytes of SHA-256 over the canonical encoding.
    pub fn id(&self) -> StackId {
        let h = Sha256::digest(self.canonical_encoding());
        let mut id = [0u8; 8];
        id.copy_from_slice(&h[..8]);
        StackId(id)
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.layers.join(" + "))
    }
}

/// The transports a stack can end in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportKind {
    /// `transport/tcp`: stream frames.
    Tcp,
    /// `transport/udp`: datagrams with ACKs, retransmission and reassembly.
    Udp,
}

impl TransportKind {
    /// The layer name.
    pub const fn layer(self) -> &'static str {
        match self {
            TransportKind::Tcp => "transport/tcp",
            TransportKind::Udp => "transport/udp",
        }
    }
}

/// What a delivered payload is, as agreed by the negotiated stack.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadKind {
    /// A stego PNG carrying a sealed envelope (`seal/…`, `stego/lsb-png`).
    StegoPng,
    /// Opaque bytes.
    Opaque,
}

impl PayloadKind {
    /// File extension for the inbox.
    pub const fn extension(self) -> &'static str {
        match self {
            PayloadKind::StegoPng => "png",
            PayloadKind::Opaque => "bin",
        }
    }
}

/// The stack that carries a payload of `kind` over `transport`.
pub fn standard_stack(kind: PayloadKind, transport: TransportKind) -> Stack {
    let layers: &[&str] = match kind {
        PayloadKind::StegoPng => &[
            "seal/blowfish-ctr-hmac-sha256",
            "stego/lsb-png",
            "link/hmac-sha256",
            transport.layer(),
        ],
        PayloadKind::Opaque => &["payload/opaque", "link/hmac-sha256", transport.layer()],
    };
    Stack {
        layers: layers.iter().map(|s| s.to_string()).collect(),
    }
}

/// Every standard stack over `transport`, with what it carries.
pub fn standard_stacks(transport: TransportKind) -> Vec<(StackId, PayloadKind)> {
    [PayloadKind::StegoPng, PayloadKind::Opaque]
        .into_iter()
        .map(|k| (standard_stack(k, transport).id(), k))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Known answers computed outside this crate with coreutils (not by this code):
    //   printf 'NJSTACK1\x00\x03\x00\x1dseal/blowfish-ctr-hmac-sha256\x00\x11stego/lsb-scatter\x00\x0dtransport/tcp' | sha256sum
    //   -> b7bfc1734fb772f7982ae03822c0b402d42b11536404d7154da6d2ca01b5569d
    //   printf 'NJSTACK1\x00\x01\x00\x0dtransport/udp' | sha256sum
    //   -> 36fa80462789e53ebec8b0d60bb49e3000f9335d1ecca862c023b2338a8d80d6
    #[test]
    fn stack_ids_match_sha256sum_of_the_documented_encoding() {
        let s = Stack::new(&[
            "seal/blowfish-ctr-hmac-sha256",
            "stego/lsb-scatter",
            "transport/tcp",
        ])
        .unwrap();
        assert_eq!(s.id().to_string(), "b7bfc1734fb772f7");
        let u = Stack::new(&["transport/udp"]).unwrap();
        assert_eq!(u.id().to_string(), "36fa80462789e53e");
    }

    #[test]
    fn order_matters_and_bad_names_are_refused() {
        let a = Stack::new(&["a", "b"]).unwrap();
        let b = Stack::new(&["b", "a"]).unwrap();
        let c = Stack::new(&["ab"]).unwrap();
        assert_ne!(a.id(), b.id());
        assert_ne!(a.id(), c.id());
        assert!(Stack::new(&["Upper"]).is_err());
        assert!(Stack::new(&[""]).is_err());
        assert!(Stack::new::<&str>(&[]).is_err());
        assert_ne!(
            standard_stack(PayloadKind::Opaque, TransportKind::Tcp).id(),
            standard_stack(PayloadKind::Opaque, TransportKind::Udp).id()
        );
    }
}
