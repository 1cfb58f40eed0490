//! The sending half of a datagram transfer.

use super::TransferConfig;
use crate::error::LinkError;
use crate::wire::datagram::{emit, DatagramRepr, ACK_BITMAP_BITS, DATA_HEADER_LEN};
use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Debug, Clone)]
struct InFlight {
    sent_at: Duration,
    deadline: Duration,
    retries: u32,
}

/// Where the sender is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderState {
    /// Fragments not yet all acknowledged.
    Sending,
    /// Every fragment acknowledged; probing for the receipt.
    AwaitReceipt,
    /// The session layer saw the receipt.
    Done,
    /// A fragment or the probe exhausted its retries.
    Failed,
}

/// Counters for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderStats {
    /// DATA datagrams sent for the first time.
    pub fragments: u32,
    /// DATA datagrams sent again.
    pub retransmits: u32,
    /// PROBE datagrams sent.
    pub probes: u32,
}

/// Sends one message reliably.
#[derive(Debug)]
pub struct Sender {
    cfg: TransferConfig,
    msg: Vec<u8>,
    frag: usize,
    count: u32,
    acked: Vec<bool>,
    base: u32,
    next_new: u32,
    inflight: BTreeMap<u32, InFlight>,
    srtt: Option<Duration>,
    rttvar: Duration,
    rto: Duration,
    probe_next: Duration,
    probe_tries: u32,
    state: SenderState,
    stats: SenderStats,
}

impl Sender {
    /// Prepares `msg` (non-empty) for sending.
    pub fn new(cfg: TransferConfig, msg: Vec<u8>) -> Result<Sender, LinkError> {
        cfg.validate()?;
        if msg.is_empty() {
            return Err(LinkError::Config("nothing to send".into()));
        }
        let frag = cfg.mtu - DATA_HEADER_LEN;
        let count = u32::try_from(msg.len().div_ceil(frag))
            .map_err(|_| LinkError::Config("message too long for the datagram transfer".into()))?;
        Ok(Sender {
            rto: cfg.rto_initial,
            cfg,
            acked: vec![false; count as usize],
            msg,
            frag,
            count,
            base: 0,
            next_new: 0,
            inflight: BTreeMap::new(),
            srtt: None,
            rttvar: Duration::ZERO,
            probe_next: Duration::ZERO,
            probe_tries: 0,
            state: SenderState::Sending,
            stats: SenderStats::default(),
        })
    }

    /// The number of fragments.
    pub fn count(&self) -> u32 {
        self.count
    }

    /// Where the sender is.
    pub fn state(&self) -> SenderState {
        self.state
    }

    /// Counters.
    pub fn stats(&self) -> SenderStats {
        self.stats
    }

    /// The session layer saw a valid storage receipt.
    pub fn finish(&mut self) {
        self.state = SenderState::Done;
        self.inflight.clear();
    }

    fn fragment(&self, seq: u32) -> Vec<u8> {
        let start = seq as usize * self.frag;
        let end = (start + self.frag).min(self.msg.len());
        emit(&DatagramRepr::Data {
            seq,
            count: self.count,
            bytes: &self.msg[start..end],
        })
    }

    fn backoff(&self, retries: u32) -> Duration {
        let f = 1u32.checked_shl(retries.min(16)).unwrap_or(u32::MAX);
        self.rto.saturating_mul(f).min(self.cfg.rto_max)
    }

    /// Datagrams due now: new fragments within the window, retransmissions whose timers
    /// expired, or a probe.
    pub fn poll_transmit(&mut self, now: Duration) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        match self.state {
            SenderState::Sending => {
                let due: Vec<u32> = self
                    .inflight
                    .iter()
                    .filter(|(_, f)| f.deadline <= now)
                    .map(|(s, _)| *s)
                    .collect();
                for seq in due {
                    let retries = self.inflight.get(&seq).map_or(0, |f| f.retries) + 1;
                    if retries > self.cfg.max_retries {
                        self.state = SenderState::Failed;
                        return out;
                    }
                    let deadline = now + self.backoff(retries);
                    self.inflight.insert(
                        seq,
                        InFlight {
                            sent_at: now,
                            deadline,
                            retries,
                        },
                    );
                    out.push(self.fragment(seq));
                    self.stats.retransmits += 1;
                }
                let limit = self.base.saturating_add(self.cfg.window).min(self.count);
                while self.next_new < limit {
                    let seq = self.next_new;
                    self.next_new += 1;
                    if self.acked[seq as usize] {
                        continue;
                    }
                    self.inflight.insert(
                        seq,
                        InFlight {
                            sent_at: now,
                            deadline: now + self.rto,
                            retries: 0,
                        },
                    );
                    out.push(self.fragment(seq));
                    self.stats.fragments += 1;
                }
            }
            SenderState::AwaitReceipt => {
                if now >= self.probe_next {
                    if self.probe_tries >= self.cfg.max_retries {
                        self.state = SenderState::Failed;
                        return out;
                    }
                    self.probe_tries += 1;
                    self.probe_next = now + self.backoff(self.probe_tries.saturating_sub(1));
                    out.push(emit(&DatagramRepr::Probe { count: self.count }));
                    self.stats.probes += 1;
                }
            }
            SenderState::Done | SenderState::Failed => {}
        }
        out
    }

    /// Feeds an ACK.
    pub fn handle_ack(&mut self, cumulative: u32, bitmap: u128, now: Duration) {
        if self.state != SenderState::Sending {
            return;
        }
        let cumulative = cumulative.min(self.count);
        let mut newly = Vec::new();
        for s in self.base..cumulative {
            if !self.acked[s as usize] {
                newly.push(s);
            }
        }
        for i in 0..ACK_BITMAP_BITS {
            if bitmap & (1u128 << i) != 0 {
                let s = u64::from(cumulative) + 1 + u64::from(i);
                if s < u64::from(self.count) && !self.acked[s as usize] {
                    newly.push(s as u32);
                }
            }
        }
        let mut latest_sent: Option<Duration> = None;
        for s in newly {
            self.acked[s as usize] = true;
            if let Some(f) = self.inflight.remove(&s) {
                if f.retries == 0 {
                    self.rtt_sample(now.saturating_sub(f.sent_at));
                }
                latest_sent = Some(latest_sent.map_or(f.sent_at, |l: Duration| l.max(f.sent_at)));
            }
        }
        while self.base < self.count && self.acked[self.base as usize] {
            self.base += 1;
        }
        // RACK-style: a fragment sent well before one that is now acknowledged is lost.
        if let Some(latest) = latest_sent {
            let reo = self.srtt.map_or(Duration::from_millis(1), |s| {
                (s / 4).max(Duration::from_millis(1))
            });
            for f in self.inflight.values_mut() {
                if f.sent_at + reo < latest && f.deadline > now {
                    f.deadline = now;
                }
            }
        }
        if self.base >= self.count {
            self.state = SenderState::AwaitReceipt;
            self.inflight.clear();
            self.probe_next = now;
        }
    }

    fn rtt_sample(&mut self, r: Duration) {
        match self.srtt {
            None => {
                self.srtt = Some(r);
                self.rttvar = r / 2;
            }
            Some(s) => {
                let diff = s.abs_diff(r);
                self.rttvar = (self.rttvar * 3 + diff) / 4;
                self.srtt = Some((s * 7 + r) / 8);
            }
        }
        let s = self.srtt.unwrap_or(r);
        self.rto = (s + (self.rttvar * 4).max(Duration::from_millis(1)))
            .clamp(self.cfg.rto_min, self.cfg.rto_max);
    }

    /// When [`Sender::poll_transmit`] should next be called.
    pub fn poll_timeout(&self) -> Option<Duration> {
        match self.state {
            SenderState::Sending => self.inflight.values().map(|f| f.deadline).min(),
            SenderState::AwaitReceipt => Some(self.probe_next),
            _ => None,
        }
    }
}
