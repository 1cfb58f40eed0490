//! Control messages, the payload of a control frame (`0x01`) or a control datagram. The first
//! byte is the message type; every message has an exact length (trailing bytes are errors).
//! Integers are big-endian; `nonce` fields are 16 random bytes, `id` fields 8-byte stack
//! identifiers ([`crate::StackId`]), `mac`/`tag` fields 32-byte HMAC-SHA256 outputs.
//!
//! | type | message | layout after the type byte | length |
//! |---|---|---|---|
//! | `0x01` | OFFER | `version u8` (=1), `client_nonce[16]`, `payload_len u64`, `n u8` (1..=16), `n × id[8]` | 27 + 8n |
//! | `0x02` | ACCEPT | `client_nonce[16]`, `server_nonce[16]`, `id[8]`, `mac[32]` | 73 |
//! | `0x03` | REJECT | `client_nonce[16]`, `reason u8` (1..=8, [`crate::RejectReason`]) | 18 |
//! | `0x04` | FINISHED | `client_nonce[16]`, `server_nonce[16]`, `mac[32]` | 65 |
//! | `0x05` | CONFIRM | `client_nonce[16]`, `server_nonce[16]`, `mac[32]` | 65 |
//! | `0x06` | END (streams) | `total u64`, `tag[32]` | 41 |
//! | `0x07` | STORED | `total u64`, `tag[32]` | 41 |
//!
//! The MACs are described in [`crate::negotiate`]; END's tag authenticates the payload and
//! STORED's tag proves the receiver stored it (see [`crate::crypto`]).

use super::{array, be64};
use crate::error::{Malformed, RejectReason};
use crate::stack::StackId;

/// Length of a nonce.
pub const NONCE_LEN: usize = 16;
/// Length of a MAC or tag.
pub const TAG_LEN: usize = 32;
/// The protocol version carried in OFFER.
pub const VERSION: u8 = 1;
/// Most stack identifiers one OFFER may carry.
pub const MAX_OFFERED: usize = 16;
/// The longest control message (an OFFER with 16 ids).
pub const MAX_CONTROL_LEN: usize = 27 + 8 * MAX_OFFERED;

/// A nonce.
pub type Nonce = [u8; NONCE_LEN];
/// A MAC or tag.
pub type Tag = [u8; TAG_LEN];

/// A parsed control message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlMsg {
    /// The initiator's offer: stacks in preference order.
    Offer {
        /// Protocol version.
        version: u8,
        /// The initiator's nonce.
        client_nonce: Nonce,
        /// The length of the payload the initiator will send.
        payload_len: u64,
        /// Offered stacks, most preferred first (1..=16, no repeats).
        ids: Vec<StackId>,
    },
    /// The responder's choice, with its transcript MAC.
    Accept {
        /// Echo of the initiator's nonce.
        client_nonce: Nonce,
        /// The responder's nonce.
        server_nonce: Nonce,
        /// The chosen stack.
        id: StackId,
        /// HMAC over the transcript (`"accept"`).
        mac: Tag,
    },
    /// A refusal, with a reason. Either side may send it.
    Reject {
        /// Echo of the initiator's nonce.
        client_nonce: Nonce,
        /// Why.
        reason: RejectReason,
    },
    /// The initiator's transcript MAC.
    Finished {
        /// The initiator's nonce.
        client_nonce: Nonce,
        /// The responder's nonce.
        server_nonce: Nonce,
        /// HMAC over the transcript (`"finished"`).
        mac: Tag,
    },
    /// The responder's confirmation that it verified FINISHED.
    Confirm {
        /// The initiator's nonce.
        client_nonce: Nonce,
        /// The responder's nonce.
        server_nonce: Nonce,
        /// HMAC over the transcript (`"confirm"`).
        mac: Tag,
    },
    /// End of a streamed payload: its length and tag.
    End {
        /// Total payload bytes sent.
        total: u64,
        /// Payload tag.
        tag: Tag,
    },
    /// The receiver stored the payload durably.
    Stored {
        /// Payload bytes stored.
        total: u64,
        /// Storage receipt tag.
        tag: Tag,
    },
}

fn exact(b: &[u8], need: usize, what: &'static str) -> Result<(), Malformed> {
    if b.len() < need {
        Err(Malformed::Truncated {
            what,
            have: b.len(),
            need,
        })
    } else if b.len() > need {
        Err(Malformed::Trailing {
            what,
            count: b.len() - need,
        })
    } else {
        Ok(())
    }
}

impl ControlMsg {
    /// Parses exactly one control message.
    pub fn parse(b: &[u8]) -> Result<ControlMsg, Malformed> {
        let Some(&ty) = b.first() else {
            return Err(Malformed::Truncated {
                what: "control message",
                have: 0,
                need: 1,
            });
        };
        match ty {
            0x01 => {
                if b.len() < 27 {
                    return Err(Malformed::Truncated {
                        what: "OFFER",
                        have: b.len(),
                        need: 27,
                    });
                }
                let n = usize::from(b[26]);
                if n == 0 {
                    return Err(Malformed::Invalid("OFFER with no stack identifiers"));
                }
                if n > MAX_OFFERED {
                    return Err(Malformed::TooLong {
                        what: "OFFER identifier list",
                        len: n as u64,
                        max: MAX_OFFERED as u64,
                    });
                }
                exact(b, 27 + 8 * n, "OFFER")?;
                let ids: Vec<StackId> = (0..n).map(|i| StackId(array(b, 27 + 8 * i))).collect();
                for (i, id) in ids.iter().enumerate() {
                    if ids[..i].contains(id) {
                        return Err(Malformed::Invalid("OFFER lists a stack identifier twice"));
                    }
                }
                Ok(ControlMsg::Offer {
                    version: b[1],
                    client_nonce: array(b, 2),
                    payload_len: be64(b, 18),
                    ids,
                })
            }
            0x02 => {
                exact(b, 73, "ACCEPT")?;
                Ok(ControlMsg::Accept {
                    client_nonce: array(b, 1),
                    server_nonce: array(b, 17),
                    id: StackId(array(b, 33)),
                    mac: array(b, 41),
                })
            }
            0x03 => {
                exact(b, 18, "REJECT")?;
                let reason = RejectReason::from_code(b[17]).ok_or(Malformed::UnknownKind {
                    what: "REJECT reason",
                    byte: b[17],
                })?;
                Ok(ControlMsg::Reject {
                    client_nonce: array(b, 1),
                    reason,
                })
            }
            0x04 | 0x05 => {
                exact(b, 65, if ty == 4 { "FINISHED" } else { "CONFIRM" })?;
                let (client_nonce, server_nonce, mac) = (array(b, 1), array(b, 17), array(b, 33));
                Ok(if ty == 4 {
                    ControlMsg::Finished {
                        client_nonce,
                        server_nonce,
                        mac,
                    }
                } else {
                    ControlMsg::Confirm {
                        client_nonce,
                        server_nonce,
                        mac,
                    }
                })
            }
            0x06 | 0x07 => {
                exact(b, 41, if ty == 6 { "END" } else { "STORED" })?;
                let (total, tag) = (be64(b, 1), array(b, 9));
                Ok(if ty == 6 {
                    ControlMsg::End { total, tag }
                } else {
                    ControlMsg::Stored { total, tag }
                })
            }
            byte => Err(Malformed::UnknownKind {
                what: "control message type",
                byte,
            }),
        }
    }

    /// The message's name, for logs.
    pub fn name(&self) -> &'static str {
        match self {
            ControlMsg::Offer { .. } => "OFFER",
            ControlMsg::Accept { .. } => "ACCEPT",
            ControlMsg::Reject { .. } => "REJECT",
            ControlMsg::Finished { .. } => "FINISHED",
            ControlMsg::Confirm { .. } => "CONFIRM",
            ControlMsg::End { .. } => "END",
            ControlMsg::Stored { .. } => "STORED",
        }
    }

    /// The encoded message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(MAX_CONTROL_LEN);
        match self {
            ControlMsg::Offer {
                version,
                client_nonce,
                payload_len,
                ids,
            } => {
                v.push(0x01);
                v.push(*version);
                v.extend_from_slice(client_nonce);
                v.extend_from_slice(&payload_len.to_be_bytes());
                // The constructor paths (Initiator::new) cap the list at MAX_OFFERED.
                v.push(ids.len().min(MAX_OFFERED) as u8);
                for id in ids.iter().take(MAX_OFFERED) {
                    v.extend_from_slice(&id.0);
                }
            }
            ControlMsg::Accept {
                client_nonce,
                server_nonce,
                id,
                mac,
            } => {
                v.push(0x02);
                v.extend_from_slice(client_nonce);
                v.extend_from_slice(server_nonce);
                v.extend_from_slice(&id.0);
                v.extend_from_slice(mac);
            }
            ControlMsg::Reject {
                client_nonce,
                reason,
            } => {
                v.push(0x03);
                v.extend_from_slice(client_nonce);
                v.push(reason.code());
            }
            ControlMsg::Finished {
                client_nonce,
                server_nonce,
                mac,
            }
            | ControlMsg::Confirm {
                client_nonce,
                server_nonce,
                mac,
            } => {
                v.push(if matches!(self, ControlMsg::Finished { .. }) {
                    0x04
                } else {
                    0x05
                });
                v.extend_from_slice(client_nonce);
                v.extend_from_slice(server_nonce);
                v.extend_from_slice(mac);
            }
            ControlMsg::End { total, tag } | ControlMsg::Stored { total, tag } => {
                v.push(if matches!(self, ControlMsg::End { .. }) {
                    0x06
                } else {
                    0x07
                });
                v.extend_from_slice(&total.to_be_bytes());
                v.extend_from_slice(tag);
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<ControlMsg> {
        vec![
            ControlMsg::Offer {
                version: 1,
                client_nonce: [1; 16],
                payload_len: 300_000,
                ids: vec![StackId([2; 8]), StackId([3; 8])],
            },
            ControlMsg::Accept {
                client_nonce: [1; 16],
                server_nonce: [4; 16],
                id: StackId([2; 8]),
                mac: [5; 32],
            },
            ControlMsg::Reject {
                client_nonce: [1; 16],
                reason: RejectReason::AuthFailed,
            },
            ControlMsg::Finished {
                client_nonce: [1; 16],
                server_nonce: [4; 16],
                mac: [6; 32],
            },
            ControlMsg::Confirm {
                client_nonce: [1; 16],
                server_nonce: [4; 16],
                mac: [7; 32],
            },
            ControlMsg::End {
                total: 9,
                tag: [8; 32],
            },
            ControlMsg::Stored {
                total: 9,
                tag: [9; 32],
            },
        ]
    }

    #[test]
    fn every_message_round_trips_and_rejects_trailing_and_truncated_bytes() {
        for m in all() {
            let b = m.to_bytes();
            assert_eq!(ControlMsg::parse(&b).unwrap(), m);
            let mut longer = b.clone();
            longer.push(0);
            assert!(matches!(
                ControlMsg::parse(&longer),
                Err(Malformed::Trailing { count: 1, .. })
            ));
            assert!(matches!(
                ControlMsg::parse(&b[..b.len() - 1]),
                Err(Malformed::Truncated { .. })
            ));
        }
    }

    #[test]
    fn offer_length_matches_the_documented_layout() {
        assert_eq!(all()[0].to_bytes().len(), 27 + 16);
        assert_eq!(all()[1].to_bytes().len(), 73);
        assert_eq!(all()[2].to_bytes().len(), 18);
    }

    #[test]
    fn unknown_type_reason_and_repeated_ids_are_refused() {
        assert!(matches!(
            ControlMsg::parse(&[0x08]),
            Err(Malformed::UnknownKind { byte: 8, .. })
        ));
        let mut rej = all()[2].to_bytes();
        rej[17] = 0;
        assert!(ControlMsg::parse(&rej).is_err());
        let dup = ControlMsg::Offer {
            version: 1,
            client_nonce: [1; 16],
            payload_len: 1,
            ids: vec![StackId([2; 8]), StackId([2; 8])],
        };
        assert!(matches!(
            ControlMsg::parse(&dup.to_bytes()),
            Err(Malformed::Invalid(_))
        ));
        let mut empty = all()[0].to_bytes();
        empty.truncate(27);
        empty[26] = 0;
        assert!(ControlMsg::parse(&empty).is_err());
    }
}
