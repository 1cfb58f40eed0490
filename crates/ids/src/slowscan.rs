//! The slow-scan rule: probes from one source to many distinct targets that were refused or
//! never answered, counted over minutes, not seconds.
//!
//! The detector's episodes end after a few seconds of quiet and its damped statistics reach
//! back a minute at most, so a scan that sends one probe every 15 s (`nmap -T1`) is invisible
//! to it. This rule is the classic count-over-a-window scan detector, after Zeek's
//! `policy/misc/scan.zeek`: a source is a *port scanner* when it has failed to reach at least
//! [`PORT_THRESHOLD`] distinct ports of one host, an *address scanner* when it has failed to
//! reach one port on at least [`HOST_THRESHOLD`] distinct hosts, within [`WINDOW`].
//!
//! It is sans-IO and stateful: feed it every decoded packet in capture order
//! ([`SlowScan::push`]), let time pass without packets on a live source ([`SlowScan::tick`]),
//! and close it at the end of a capture ([`SlowScan::finish`]); each reports at most one
//! [`Finding`] per source per episode through a sink.
//!
//! **Targets, probes and answers.** A *target* is a (source, destination host, destination
//! port, protocol). A *probe* is a packet the source sends to a target: TCP without ACK or RST
//! (SYN, FIN, NULL, Xmas and every other such combination), a bare ACK or FIN+ACK without
//! payload to a target that has not answered (nmap's ACK, window and Maimon probes), or a UDP
//! datagram (except to traceroute's ports, [`TRACEROUTE_PORTS`], and a reflected answer,
//! [`crate::reflection::answer_shape`]), or an ICMP or ICMPv6 query
//! (echo, timestamp, information or address mask request: host discovery, `nmap -sn`), whose
//! target's "port" is the request's type. (An instance of its own,
//! [`SlowScan::neighbour_sweeps`], takes IPv6 neighbour solicitations to solicited-node groups
//! as probes of those groups instead, answered by the advertisements back: on-link IPv6 host
//! discovery, the counterpart of the ARP sweeps of [`crate::arpsweep`].) IP fragments are left out
//! (their ports and flags are not reliably there). A reply is never a probe: a packet from a
//! target back to its prober is its answer, judged as follows.
//!
//! * *Success*: any TCP packet from the target without RST (a SYN-ACK, data, an ACK), any
//!   UDP datagram from it, or the reply to an ICMP query; or the prober's own bare ACK from
//!   the port its SYN came from (the handshake's last packet: the target accepted, though a
//!   capture of one direction never shows its SYN-ACK). A target that answered is never counted as failed, so a client
//!   connecting to services that answer never trips the rule however many it uses.
//! * *Failure*: an RST from the target (RST+ACK to a probe without ACK; a bare RST, which is
//!   what a host sends to an unexpected ACK, to an ACK or FIN+ACK probe), an ICMP or ICMPv6
//!   destination-unreachable quoting the probe, or — for TCP probes without ACK and ICMP
//!   queries — no answer at all within [`ANSWER_TIMEOUT`] (a filtered port, or an open one under a FIN, NULL or Xmas
//!   scan, which RFC 793 hosts drop silently). Silence is no failure for ACK-bearing probes
//!   (established connections send unanswered ACKs all the time; but see "ACK scans of silent
//!   blocks" below) nor for UDP (many UDP protocols are one-way: syslog, telemetry).
//!
//! A target counts once however often it is probed: a client retrying one closed port fifty
//! times has one failed target.
//!
//! **A long day** (session 28). A target not probed for a window starts afresh (its pending
//! probe, its kind, its first time), but it keeps the episode its failure was counted in: while
//! that episode is open, its next failure is a retry, not a new target. A busy client fails on
//! closed ports now and then all day (`lab/client.py`'s page loads try a few), so its episode
//! never ends; before, each target asked again after more than the window was counted again in
//! it, and a client that tried port 9090 of the same four servers every few minutes made after
//! an hour a "block" of twelve failed hosts on four addresses (`lab/longday.sh`: a replay of a
//! 35-minute busy run's client, twice; `data/captures/longday.pcap`). The runs, blocks, scans
//! and per-port and per-host counts all count targets, so each now sees a target once an
//! episode. What it gives away: a scanner that probes the same refused target again more than
//! five minutes later, in one episode, by the same kind of probe, adds nothing (as a retry
//! within the window never did).
//!
//! **Window and episodes.** Zeek counts in tumbling five-minute epochs; here the distinct failed
//! ports of a host (hosts of a port) are counted over a *sliding* window of [`WINDOW`] by probe
//! time, so no epoch boundary can cut a scan in two: a scan is found when [`PORT_THRESHOLD`]
//! of its failures fall within five minutes (one closed port every 20 s or faster), and a
//! source that fails on a closed port now and then for hours (a misconfigured client) never
//! adds up to a scanner. A source's *episode*, which is reported at most once, begins at its
//! first failed target and lasts while its failures come no more than the window apart. The
//! finding is reported the moment a threshold is reached; its figures (probes, targets) are
//! those of the episode at that moment. After a window's quiet the next failure begins a new
//! episode, which may be reported again.
//!
//! **Speed.** Fast scans are the networks' ([`crate::detect`]); an episode is reported only
//! when at least half its failed targets were probed at least [`MIN_INTERVAL`] after the one
//! before, so a fast scan, a flood sweeping ports, or several fast scans in a row raise no
//! second alert here. Such an episode still makes one finding marked *fast*
//! ([`Finding::fast`]) the first time it reaches a threshold; the detector drops it when the
//! networks flagged the scanner at alert volume, and reports it otherwise: a horizontal scan of
//! silent addresses at nmap's own pace (`nmap -sS -Pn -p 80` of a routed /24: ten to twenty
//! SYNs a second, nothing answers) is too slow for the networks' statistics and the sweep
//! rule, and was unalerted; so was a *ping sweep* (the host threshold reached by ICMP queries)
//! at that pace (`nmap -sn` of a routed /24 sends ten queries a second to silent hosts), which
//! the networks never flag unless it is far faster.
//!
//! **Later sweeps.** An episode lasts while its source's failures come within the window of
//! each other, so an attacker who sweeps one subnet port after port, tool after tool (zmap
//! `-p 80`, then masscan `-p 22`, pnscan, zmap `-p 443` at ten probes a second: namespace lab,
//! session 17), makes one episode of it all, and its one fast finding was spent on the first
//! sweep; the later ones too slow for the networks went unalerted. Zeek counts address scans
//! per scanner and port. Here a *run* is the source's failed targets counted one after the
//! other on one port (of one protocol, or one ICMP query type), no failure on another port
//! between them: a sweep of that port over many hosts. A run that reaches [`HOST_THRESHOLD`]
//! in an episode that has made its finding is a finding of its own, fast (the detector drops
//! it when the networks alerted its span), spanning only the run's probes and named by them.
//! Scans of several ports at once (nmap `-p 80,443` of a subnet, host discovery's four probes
//! per host) interleave their ports and make no run; a scan that finishes one probe type over
//! a subnet and then sends another (nmap's `-sn` when the echo requests go unanswered: SYNs to
//! 443 after them) makes a second finding, of the second probe's kind. A later sweep's finding
//! is held as an episode's is when most of its targets were refused, and dropped at the end of
//! the hold if its own refused targets were asked again while it was still the source's
//! latest run (a poller of one port asks round after round; a scanner has moved on).
//!
//! **Later scans** (session 21). The same holds of one host's ports: from a NAT's address
//! (many clients, one attacker among them) an episode made its one finding of the first scan
//! (the networks' to alert), and a slow scan of the host after it, by another kind of probe,
//! made none; worse, a target counted once an episode, so a NULL scan of the ports a FIN scan
//! had failed on found nothing new, and its probes were *retries* of refused targets, which
//! is what a poller does. Now a failed target probed with another kind of probe, at least
//! [`REPROBE_GAP`] after its last probe (a flood of mixed flags at one port goes on as it
//! was), is a target of a new scan, counted afresh by that kind, no retry; and a *scan* is
//! the source's failed
//! targets counted one after the other on one host by one kind of probe ([`Scan`]). A scan
//! that reaches [`PORT_THRESHOLD`] in an episode that has made its finding, slowly (at least
//! half its failed targets [`MIN_INTERVAL`] after the one before), is a finding of its own,
//! not fast, named by its probes, with its own identity (its first probe time, so no earlier
//! finding of the episode stands for it), reported at once (not held: its targets are new to
//! the episode, which a poller's rounds are not, and a scanner whose refusals stop at a NAT
//! sends each probe twice, as a poller asks again). A fast one (session 22) is a fast finding
//! of its own ([`Finding::later`]), which the detector leaves to the networks only if they
//! flagged *its host* at alert volume while it was scanned: a scan right after a scan of
//! another host (`lab/wan.sh`: nmap -sS -T3 of one host seconds after nmap -sS -T4 of
//! another) may be passed packet by packet by networks whose minute-long statistics of the
//! source are full of the scan before, and the episode's finding, left to the networks for
//! the first scan, said nothing of it. Two slow scans of one host by two probes from one
//! address are two findings; the same probe again, none. A scan is the source's failures one
//! after the other, so another host's failure amid them (a scan's silent failures time out
//! among those of the open ports of other hosts it scans) ended it, and when its failures
//! went on a new scan of the same host and kind began that could be found again: `nmap -sF
//! -T4` of a /28 with a host behind a dropping firewall was two alerts of that host (session
//! 28, run 2, once ACK probes could fail by silence). An episode now remembers its last
//! [`SCANS_FOUND`] (4) scans found ([`Source::scans_found`]): one of them that goes on is
//! found already.
//!
//! **Pollers.** Monitoring looks like scanning: a Nagios- or Prometheus-like poller connects
//! every few seconds to a few ports of each of the hosts it watches, and where a service is
//! down or not installed the host refuses; a P2P client pings and connects to many peers, most
//! of which have the port closed. A lab run (`lab/pollers.sh`: port 80 closed on 27 of 40
//! polled hosts; UDP 6881 closed on every peer) made an address scan of one port of each in
//! its first round. What a scan does not do is ask again: a refusal (an RST, an ICMP
//! unreachable) is final to a scanner (nmap marks the port closed and moves on), while a poller
//! asks every target again each period. So a finding whose failed targets were mostly
//! refused is held for [`REPROBE_HOLD`] (90 s) after its threshold, and dropped if by then the
//! source has asked at least half of its episode's refused targets again, each at least
//! [`REPROBE_GAP`] after the probe before ([`SlowScanStats::polled`]); otherwise (and when the
//! capture ends first, or the source's episode is no longer held) it is reported as it was
//! made, its alert 90 s late. Findings whose failures were mostly silence (filtered ports,
//! ping sweeps of empty addresses) are not held. What it gives away: a scanner that scans the
//! same refused ports again within the hold is taken for a poller by this rule (the networks
//! still see each pass); a poller whose period is longer than the hold (Nagios' default
//! five-minute check interval) is still a scanner to it.
//!
//! **Sparse blocks** (session 26). Zeek's 25 hosts miss the commonest way to look for a service:
//! one port over a small block, most of it empty (`nmap -p 22 --open` of a /28, masscan or zmap
//! `-p 445` of a /27 at a low rate, a shell loop of `ncat -z` over the addresses), whose live
//! hosts answer and whose empty addresses give nothing (or a router's ICMP host unreachable):
//! `nmap -sV -p 30303` of a /27 with sixteen live peers left sixteen failed hosts (session 25,
//! `lab/peerdial.sh`), and a /28 leaves fifteen at most. What a client that talks to many
//! hosts does not do is fail on most of the addresses of one block in a row: a run (one port,
//! one failed host after the other, nothing failed on another port between) of at least
//! [`DENSE_HOSTS`] (12) failed hosts, all in one /24, that make at least half of the addresses
//! from the lowest of them to the highest ([`Run::dense`]), is a sweep of that block. It is a
//! *candidate*, held for [`REPROBE_HOLD`] (and again while its run still fails on new hosts)
//! and decided when its run ends (the source fails on another port), at the end of the hold
//! or at the capture's end ([`settle_dense`]): dropped if the run (or, before the episode's
//! first finding, the episode) made a finding of the threshold meanwhile, which stands for it,
//! or if the run, mostly refused and still the source's latest, was asked again (a poller's,
//! as for the threshold's held findings); otherwise reported as its run's finding (and its
//! episode's, if the episode had none), fast or not as the threshold's would be. Counted in
//! [`SlowScanStats::dense_sweeps`]. A P2P node's absent peers (eight in `lab/subnetscan.sh` and
//! `lab/peerdial.sh`, a few in nDPI's `ethereum.pcap`) are too few, a DHT client's gone peers
//! scattered over their /24. What it gives away: a client that fails on twelve or more
//! addresses of one block in a row on one port, at least half of those between them (a poller
//! watching a powered-off rack whose addresses give nothing, or one whose period is longer than
//! the hold), is a scanner to it; and the candidate's alert comes a hold after its twelfth
//! failure at the earliest. A sweep of several ports at once, whose failures interleave, or
//! one whose silent failures come among the next scan's, cuts its runs: see below.
//!
//! **Blocks of many ports** (session 27). nmap sends each host's ports in its own order, hosts
//! in parallel, so a sweep of several ports over a small block (`nmap -p 22,80,443,445,3389`
//! or `--top-ports 10` of a /28 or /27, masscan over a few ports) never fails on one port twice
//! in a row: no run, no port failed on 25 hosts, no host on 15 ports, and at a few probes a
//! second (`--max-rate 8`) the networks flag nothing. Each per-port group (a source's failed
//! hosts on one port in the episode) also keeps its latest *block* ([`Block`]): its failed
//! hosts in one /24, how many, the lowest and highest. A block of at least [`DENSE_HOSTS`]
//! hosts filling at least half of the addresses between its lowest and highest, on a port
//! whose current run holds fewer of them (an uncut run is the dense run's above), is a sweep
//! of that block: the episode's finding (its figures, fast or not as the threshold's would
//! be; only by the kind of probe most of the episode's failures are of, which names it: host
//! discovery's SYNs to 443 beside its echo requests make no `scan-syn` of `nmap -sn`), or after
//! the episode's finding a fast finding of its own (the detector drops it when the networks
//! alerted its span), named by the probe that completed it (a SYN with the operating system's
//! options: `connect()`'s). Counted in [`SlowScanStats::dense_blocks`]. A finding of a block
//! ([`Found`]) ends every block of its /24 begun before it, and the sweep's further failures
//! in that /24 (by any probe) within [`SWEEP_NEAR`] addresses of its range, each no more than
//! [`SWEEP_GOES_ON`] after the one before, go on with it (growing its range) and count in no
//! block: one finding a sweep, while a next sweep of the same /24 begun after a pause (the
//! next /28, the next tool) is found again. One mostly refused is held as the
//! threshold's findings are ([`REPROBE_HOLD`]) and dropped if by then the source has asked at
//! least half of its episode's refused targets again *twice* ([`Target::twice`]): a poller or a
//! P2P client asks its peers round after round, while a scanner's next scan of the same block
//! (masscan after nmap) asks them once more. What it gives away: a client that fails on twelve
//! or more addresses of one block on one port, half of those between them, and whose failures
//! are silent or not asked again twice within the hold (a poller of a rack that drops its
//! probes; a P2P client whose peers are numbered close together, one round in 90 s) is a
//! scanner to it; a wide sweep whose parts come apart by more than [`SWEEP_GOES_ON`] may make a
//! finding of each part.
//!
//! **The next tool over the same block** (session 28). A second scan of targets that already
//! failed in the episode by the same kind of probe counted nothing (`nmap -sT` of a /28 that
//! `nmap -sS` swept seconds before: session 27's fresh run 4, and session 28's run 2 at
//! `--max-rate 10`), for two reasons: a failed target probed again by the same kind is a
//! retry, and the sweep's further failures within [`SWEEP_GOES_ON`] of its latest went on
//! with it whatever their probe. A SYN with an operating system's options after a raw one at
//! a failed target (or the reverse), at least [`REPROBE_GAP`] after its last probe, is now
//! another kind's, a target of a new scan as a NULL probe after a FIN one is ("Later scans"):
//! a poller's `connect()` stays `connect()`, a raw scanner stays raw, only the next tool
//! changes it. And such a target's failure goes on with a found sweep ([`Found`]) only when
//! it is of the sweep's kind of probe (and `connect()` or raw as it was), and so does a new
//! target's of another kind beyond the sweep's lowest and highest address (the next scan, of
//! the next block: `nmap -sA` of an empty /28 right after `nmap -sX` of the /28 below it,
//! session 28's fresh run 3); a new target of another kind among the sweep's hosts, as host
//! discovery's SYNs to 443 beside the echo requests of a ping sweep, goes on with it as
//! before (a first form of this, by the probe alone, made one more alert of `nmap -sn` in
//! each of the `discovery` captures). The same tool again (`nmap -sS` twice) is still one
//! sweep, its targets retries.
//!
//! **ACK scans of silent blocks** (session 28). An ACK scan (`nmap -sA`, and `-sW` and `-sM`,
//! whose probes are a bare ACK or a FIN+ACK) of a block behind a router whose addresses are
//! mostly empty draws almost nothing: a live host's bare RST is its only failure above, the
//! empty addresses are silent, and the router's host unreachables (about one a second, rate
//! limited) quoted probes that were no target. `nmap -Pn -sA --max-rate 10 --top-ports 10` of
//! an empty /28 was missed (session 27's fresh run 4; `lab/subnetscan.sh`), and at `-T3` the
//! networks flagged 98 of its 870 packets, barely an alert (session 28, run 1). What no
//! connection does is send bare ACKs to many (host, port)s from one source port: a TCP port
//! carries one connection to each, and an operating system that shares a local port among
//! connections to different servers shares it among a few. nmap's ACK, window and Maimon scans
//! send every first try from one port (a retry from the next ones). So a source port that has
//! sent bare ACK or FIN+ACK probes (none to a target that answered, none the handshake's last
//! packet) to [`RAW_ACK_PORTS`] (4) distinct destination ports within the window is a raw
//! scanner's ([`AckPort`]), and its further such probes are targets like a SYN's: failed by a
//! bare RST, an ICMP unreachable quoting them, or silence past the answer timeout, and named
//! `scan-ack` (or `scan-maimon`) by their kind. Counted in [`SlowScanStats::raw_ack_probes`].
//! Ports, not targets: nmap's host discovery across a router sends an ACK to port 80 of every
//! address from one port (with an echo request, a SYN to 443 and a timestamp request), which
//! a first form of this rule, counting targets, took for an ACK scan (three more alerts on the
//! `discovery` captures' ping sweeps). What it gives away: a host that sends bare ACKs from one
//! port to four or more services that never answer within the window (a one-way capture of
//! a NAT that shares ports among servers) has those probes counted as failures from the
//! fourth port on; and an ACK sweep of one port over a silent block (`nmap -sA -p 80`) is
//! still unseen.
//!
//! **Class.** The dominant kind of probe among the failed targets names the scan, as the probe
//! flags name it in [`crate::profile`] (nmap reference guide, "Port Scanning Techniques"):
//! SYN → `scan-syn` or `scan-connect`, FIN → `scan-fin`, none → `scan-null`, FIN+PSH+URG →
//! `scan-xmas`, FIN+ACK → `scan-maimon`, ACK → `scan-ack` (nothing on the wire tells a window
//! scan from it), UDP → `scan-udp`, anything else `other-attack` (an ICMP query: a ping sweep,
//! "ICMP ping sweep" in the alert's signature). A SYN scan and a connect
//! scan send the same SYN; a raw scanner sends its probes from one source port, `connect()`
//! takes a new one each time and sends the operating system's TCP options (`os_syn`), so
//! a new port and such options for at least half of the failed SYN targets each make a
//! connect scan (hping3 `-S` takes a new source port per probe too, with a bare 20-byte
//! header: a SYN scan). With a single SYN target the way the source ended a
//! handshake an open port answered decides (a bare RST from a raw scanner's kernel, RST+ACK
//! from `connect()` and `close()`).
//!
//! **Bounded memory.** Every table is a [`SetAssoc`] of the feature tables: bounded, grown to
//! its capacity as entries come, set-associative with least-recently-used eviction within a set; distinct hosts
//! and ports are counted exactly in fixed arrays of [`MAX_THRESHOLD`] fingerprints. A source
//! enters the source table only with its second failed target within the window (its first
//! waits in a table of candidates), so a spoofed flood of one packet per source churns the
//! candidates, never the episodes of real scanners (though a flood of failing spoofed sources
//! can push out a scanner still at its first failure). An evicted target forgets its pending
//! probe (no failure is counted for it), an evicted source its episode.

use crate::alert::{iso8601, proto_name, Alert};
use crate::class::Class;
use crate::detect::AddrKeys;
use crate::features::table::{hash_key, hash_mixed, ip_key, mix, premix, SetAssoc};
use crate::profile::os_syn;
use crate::profile::{ACK, CLASSIC, FIN, PSH, RST, SYN, URG};
use crate::unlearned::{icmp_query, Query};
use crate::IdsError;
use nightjar_packet::PacketRepr;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::{IpAddr, Ipv6Addr};

/// The episode window, seconds: failures of one source no more than this far apart belong to
/// one episode. Zeek's `Scan::port_scan_interval` and `Scan::addr_scan_interval` (5 min).
pub const WINDOW: f64 = 300.0;
/// Distinct failed ports of one host that make a port scan: Zeek's
/// `Scan::port_scan_threshold` (15).
pub const PORT_THRESHOLD: u32 = 15;
/// Distinct failed hosts on one port that make an address scan: Zeek's
/// `Scan::addr_scan_threshold` (25).
pub const HOST_THRESHOLD: u32 = 25;
/// Seconds after which a TCP probe without ACK that got no answer has failed: nmap's default
/// maximum round-trip timeout (`--max-rtt-timeout`; 10 s in the `-d` timing report of nmap
/// 7.93 at the default `-T3`), beyond which the scanner itself takes the probe as unanswered.
pub const ANSWER_TIMEOUT: f64 = 10.0;
/// Seconds between a source's consecutive failed probes below which they are too fast for this
/// rule: an episode is reported only when at least half its failed targets were probed at
/// least this long after the failed target counted before them (its median interval is at
/// least this). Scans that fast are the networks': when this rule was written they alerted
/// `nmap -T2` (0.4 s between probes) and `--scan-delay` up to 1.5 s, and 2 s is the next
/// whole second above that, so an alert of this rule does not double theirs. It also keeps
/// floods that sweep ports from spoofed sources (hping3 `-p ++1`, a probe every 0.4 ms per
/// source in the lab's training captures) from being called scans, and fast scans in a row
/// (one every half minute) from adding up to a slow one, which a mean interval would not.
pub const MIN_INTERVAL: f64 = 2.0;
/// UDP destination ports that are not probes: those of traceroute(8)'s defaults (first port
/// 33434, one more per probe, 3 probes per hop, 30 hops), whose last probes each draw an ICMP
/// port unreachable from the host traced — a few traceroutes would otherwise make a port scan.
pub const TRACEROUTE_PORTS: std::ops::RangeInclusive<u16> = 33434..=33434 + 3 * 30 - 1;
/// Seconds a fast finding whose failed targets were mostly refused (an RST or an ICMP
/// unreachable answered them) is held before it is reported, to see whether the source asks
/// them again: a poller asks each of its targets every period (a health check every few
/// seconds, Prometheus' default `scrape_interval` of 1 min), a scanner takes a refusal as
/// final (nmap marks the port closed and never probes it again). A minute and a half covers a
/// one-minute period with its jitter.
pub const REPROBE_HOLD: f64 = 90.0;
/// Seconds after a refused target's previous probe from which a probe of it again counts as
/// asking again ([`REPROBE_HOLD`]); quicker ones are a client's retries of one attempt.
pub const REPROBE_GAP: f64 = 2.0;
/// Failed hosts of one run (one port, one after the other) that make an address scan when
/// they are dense in one block ([`Run::dense`], module documentation, "Sparse blocks"): a
/// half-empty /27 swept on one port has sixteen; a P2P node's absent peers or a poller's dead
/// hosts made eight at most in the labs (`lab/subnetscan.sh`, `lab/peerdial.sh`).
pub const DENSE_HOSTS: u32 = 12;
/// The largest threshold: distinct hosts and ports are counted exactly up to this many.
pub const MAX_THRESHOLD: u32 = 32;
/// Distinct destination ports a source port must have sent bare ACK or FIN+ACK probes to,
/// none of them part of a connection that answered, before its next such probes are taken as
/// a raw scanner's that fail by silence too (module documentation, "ACK scans of silent
/// blocks"): one TCP port carries one connection to each (host, port), and an operating
/// system that shares a local port between connections to different servers shares it among
/// a few at once, mostly to one service; nmap's ACK, window and Maimon scans send every first
/// try of a port list from one port, while its host discovery's ACKs all go to port 80.
pub const RAW_ACK_PORTS: u8 = 4;

/// Settings of the slow-scan rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SlowScanConfig {
    /// Seconds: failures further apart than this start a new episode ([`WINDOW`]).
    pub window: f64,
    /// Seconds without an answer after which a TCP probe without ACK has failed
    /// ([`ANSWER_TIMEOUT`]).
    pub answer_timeout: f64,
    /// Distinct failed ports of one host that make a port scan ([`PORT_THRESHOLD`]); 0 turns
    /// this half of the rule off. At most [`MAX_THRESHOLD`], and not 1 (a source's first
    /// failure only makes it a candidate).
    pub port_threshold: u32,
    /// Distinct failed hosts on one port that make an address scan ([`HOST_THRESHOLD`]); 0
    /// turns this half off. Bounds as for `port_threshold`. Both 0: the rule is off.
    pub host_threshold: u32,
    /// Median seconds between the failed probes of an episode below which it is not reported
    /// ([`MIN_INTERVAL`]): left to the networks. 0 reports every scan, however fast.
    pub min_interval: f64,
    /// Sources with an open episode kept at most (and as many candidates).
    pub max_sources: usize,
    /// Probed targets remembered at most (a probe must stay until it is answered or times
    /// out).
    pub max_targets: usize,
}

impl Default for SlowScanConfig {
    fn default() -> Self {
        SlowScanConfig {
            window: WINDOW,
            answer_timeout: ANSWER_TIMEOUT,
            port_threshold: PORT_THRESHOLD,
            host_threshold: HOST_THRESHOLD,
            min_interval: MIN_INTERVAL,
            max_sources: 4096,
            max_targets: 16384,
        }
    }
}

impl SlowScanConfig {
    /// Check the settings.
    pub fn validate(&self) -> Result<(), IdsError> {
        let bad = |m: String| Err(IdsError::Config(m));
        if !(self.window.is_finite() && self.window > 0.0) {
            return bad(format!("slow-scan window {} must be > 0 s", self.window));
        }
        if !(self.answer_timeout.is_finite()
            && self.answer_timeout > 0.0
            && self.answer_timeout <= self.window)
        {
            return bad(format!(
                "slow-scan answer timeout {} must be > 0 s and at most the window",
                self.answer_timeout
            ));
        }
        for (name, t) in [("port", self.port_threshold), ("host", self.host_threshold)] {
            if t == 1 || t > MAX_THRESHOLD {
                return bad(format!(
                    "slow-scan {name} threshold {t} must be 0 (off) or 2 to {MAX_THRESHOLD}"
                ));
            }
        }
        if !(self.min_interval.is_finite() && self.min_interval >= 0.0) {
            return bad(format!(
                "slow-scan minimum interval {} must be a number of seconds ≥ 0",
                self.min_interval
            ));
        }
        if self.max_sources == 0 || self.max_targets == 0 {
            return bad("slow-scan tables need a capacity of at least 1".into());
        }
        Ok(())
    }

    /// Whether the rule can report anything.
    pub fn is_on(&self) -> bool {
        self.port_threshold > 0 || self.host_threshold > 0
    }
}

/// What made a source a scanner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Distinct failed ports of one host (the finding's `victim`) reached the port threshold.
    Ports,
    /// Distinct failed hosts on one port reached the host threshold.
    Hosts {
        /// The port (of `proto`).
        port: u16,
        /// Its IP protocol.
        proto: u8,
    },
    /// A few refused or silent UDP ports of one host within seconds: the few-port UDP scan
    /// rule's ([`crate::fewports`]), not this one's.
    FewPorts,
}

/// One slow scan: a source whose failed targets reached a threshold within an episode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Finding {
    /// The scanning source.
    pub scanner: IpAddr,
    /// The host with the most failed ports (the first to reach that count).
    pub victim: IpAddr,
    /// The scan class named by its probes (see the module documentation).
    pub class: Class,
    /// IP protocol of the dominant probes (6, 17, or 1 or 58 for a ping sweep).
    pub proto: u8,
    /// Which threshold was reached.
    pub trigger: Trigger,
    /// Capture time of the first probe to a failed target of the episode, and of the latest
    /// probe to a failed target, seconds since the Unix epoch.
    pub first_seen: f64,
    pub last_seen: f64,
    /// When the threshold was reached, by the capture clock: when the last failure became
    /// known — its refusal, or for silence the first packet or [`SlowScan::tick`] after its
    /// answer timeout ran out.
    pub detected_at: f64,
    /// Probe packets the source sent to its failed targets (retries included).
    pub probes: u64,
    /// Distinct failed targets (host, port, protocol) of the episode.
    pub targets: u64,
    /// Distinct hosts among them (counted exactly up to [`MAX_THRESHOLD`], then saturating).
    pub hosts: u64,
    /// Distinct failed ports of `victim` (exact up to [`MAX_THRESHOLD`], then saturating).
    pub victim_ports: u64,
    /// Targets of the source that answered while its episode was open (open ports found;
    /// answers before its second failure are not counted).
    pub answered: u64,
    /// The failed probes came faster than [`SlowScanConfig::min_interval`]: a scan the
    /// networks usually catch; the detector reports it only if they did not
    /// ([`crate::detect`]). At most one such finding per episode the first time a threshold
    /// is reached, and one per later sweep of one port (module documentation, "Later
    /// sweeps"); a later one that is not fast may follow.
    pub fast: bool,
    /// The episode's identity: the time of its first failure (for a few-port scan's, the first
    /// probe of its chain of windows, see [`crate::fewports`]).
    pub episode: f64,
    /// A later scan's finding (module documentation, "Later scans"): a scan of one host by one
    /// kind of probe after its episode's finding; when fast, the networks' only if they
    /// flagged its host ([`crate::detect`]).
    pub later: bool,
}

/// Counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlowScanStats {
    /// Probes seen (new targets and retries).
    pub probes: u64,
    /// Targets that failed, by kind of failure.
    pub refused: u64,
    pub unreachable: u64,
    pub silent: u64,
    /// Targets evicted from the full table (their pending probes forgotten).
    pub target_evictions: u64,
    /// Probes whose answer timer was dropped because the timer queue was full.
    pub timer_drops: u64,
    /// Findings reported.
    pub findings: u64,
    /// Fast findings reported ([`Finding::fast`]), besides.
    pub fast_findings: u64,
    /// Threshold crossings not reported because the failed probes came faster than
    /// [`SlowScanConfig::min_interval`] (counted at each new failed target past the
    /// threshold).
    pub too_fast: u64,
    /// Fast findings dropped at the end of their [`REPROBE_HOLD`] because their source had
    /// asked its refused targets again: a monitor, not a scanner.
    pub polled: u64,
    /// Findings reported of a run's density in one block, below the host threshold
    /// ([`DENSE_HOSTS`], module documentation, "Sparse blocks"; counted in `findings` or
    /// `fast_findings` too).
    pub dense_sweeps: u64,
    /// Findings made by one port's failed hosts over an episode filling a small block, where
    /// the run on that port was cut by the sweep's other ports (module documentation, "Blocks
    /// of many ports"): made, whether reported or then dropped as a poller's (counted in
    /// `polled` too).
    pub dense_blocks: u64,
    /// ACK and FIN+ACK probes taken as targets that fail by silence too, their source port
    /// having sent such probes to [`RAW_ACK_PORTS`] distinct destination ports (module documentation,
    /// "ACK scans of silent blocks"; counted in `probes` too).
    pub raw_ack_probes: u64,
}

/// The kind of a probe; its index into [`Source::kinds`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Syn,
    Fin,
    Null,
    Xmas,
    Maimon,
    Ack,
    Udp,
    Other,
    /// An ICMP or ICMPv6 query: echo, timestamp, information or address mask ([`ping`]), or
    /// an IPv6 neighbour solicitation ([`solicited_node`]).
    Ping,
}

const KINDS: [Kind; 9] = [
    Kind::Syn,
    Kind::Fin,
    Kind::Null,
    Kind::Xmas,
    Kind::Maimon,
    Kind::Ack,
    Kind::Udp,
    Kind::Other,
    Kind::Ping,
];

impl Kind {
    /// Whether no answer at all within the timeout is a failure.
    fn fails_silently(self) -> bool {
        matches!(
            self,
            Kind::Syn | Kind::Fin | Kind::Null | Kind::Xmas | Kind::Other | Kind::Ping
        )
    }
}

/// The probe kind of a TCP packet the source sends, if it is one (RST and ACK-bearing packets
/// other than bare ACK or FIN+ACK without payload are not).
fn tcp_kind(flags: u8, payload: u32) -> Option<Kind> {
    let f = flags & CLASSIC;
    if f & RST != 0 {
        return None;
    }
    if f & ACK != 0 {
        return match f {
            ACK if payload == 0 => Some(Kind::Ack),
            x if x == FIN | ACK && payload == 0 => Some(Kind::Maimon),
            _ => None,
        };
    }
    Some(match f {
        SYN => Kind::Syn,
        FIN => Kind::Fin,
        0 => Kind::Null,
        x if x & (FIN | PSH | URG) == FIN | PSH | URG => Kind::Xmas,
        _ => Kind::Other,
    })
}

/// A (source, destination host, destination port, protocol), with its table hash (computed
/// once, when the key is made: a function of the other fields, so it never tells equal keys
/// apart; it fills what would be padding, the key takes 48 bytes either way).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct TargetKey {
    src: u128,
    dst: u128,
    port: u16,
    proto: u8,
    hash: u64,
}

impl TargetKey {
    /// The key of (`src`, `dst`, `port`, `proto`).
    fn new(src: u128, dst: u128, port: u16, proto: u8) -> TargetKey {
        TargetKey::premixed(src, premix(src), dst, premix(dst), port, proto)
    }

    /// [`TargetKey::new`] of addresses whose [`premix`]es are `ms` and `md`:
    /// `hash_key(hash_key(79, src), dst) ^ mix(port | proto << 16)`.
    fn premixed(src: u128, ms: u64, dst: u128, md: u64, port: u16, proto: u8) -> TargetKey {
        let hash =
            hash_mixed(hash_mixed(79, ms), md) ^ mix(u64::from(port) | u64::from(proto) << 16);
        TargetKey {
            src,
            dst,
            port,
            proto,
            hash,
        }
    }
}

/// Answer state of a target.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Pending,
    Answered,
    Failed,
}

#[derive(Clone, Copy, Debug, Default)]
struct Target {
    /// First and latest probe.
    first: f64,
    last: f64,
    probes: u32,
    kind: Kind,
    /// Source port of the first probe.
    sport: u16,
    /// The first probe is a SYN with TCP options beyond an MSS (see [`crate::profile::os_syn`]).
    os_syn: bool,
    state: State,
    /// The episode (its start) the failure was counted in.
    episode: f64,
    /// It failed by an answer (an RST or an ICMP unreachable), not by silence.
    refused: bool,
    /// It was refused and then probed again, at least [`REPROBE_GAP`] after the probe before
    /// (counted once).
    reprobed: bool,
    /// ... and then again, at least [`REPROBE_GAP`] after that (counted once): a poller's
    /// rounds, no scanner's next scan.
    twice: bool,
    /// It had failed in the episode by another kind of probe and was probed afresh ("Later
    /// scans"; session 28: the next tool's, which goes on with no sweep of the tool before).
    rescan: bool,
}

/// A source port's bare ACK and FIN+ACK probes: the distinct destination ports they went to,
/// up to [`RAW_ACK_PORTS`] (module documentation, "ACK scans of silent blocks").
#[derive(Clone, Copy, Debug, Default)]
struct AckPort {
    /// The first distinct destination ports, `n` of them.
    ports: [u16; RAW_ACK_PORTS as usize - 1],
    /// Distinct destination ports seen, up to [`RAW_ACK_PORTS`] (then: a raw scanner's
    /// port).
    n: u8,
    /// Its latest probe.
    last: f64,
}

/// Protocol number of [`AckPort::key`]s (none on the wire: 253 is for experiments, and these
/// keys live in a table of their own).
const ACK_PORT_PROTO: u8 = 253;

impl AckPort {
    /// The table key of source `src`'s port `sport` (its target table's hash, with no host).
    fn key(src: u128, ms: u64, sport: u16) -> TargetKey {
        TargetKey::premixed(src, ms, 0, 0, sport, ACK_PORT_PROTO)
    }

    /// Count a probe to destination port `dport` at `now` (`window`: a port quiet for longer
    /// begins again); whether the port has now sent probes to [`RAW_ACK_PORTS`] distinct
    /// destination ports.
    fn add(&mut self, dport: u16, now: f64, window: f64) -> bool {
        if now - self.last > window {
            *self = AckPort::default();
        }
        self.last = now;
        if self.n >= RAW_ACK_PORTS {
            return true;
        }
        let n = usize::from(self.n);
        if !self.ports[..n].contains(&dport) {
            if n < self.ports.len() {
                self.ports[n] = dport;
            }
            self.n += 1;
        }
        self.n >= RAW_ACK_PORTS
    }
}

/// A source's first failed target, waiting for a second.
#[derive(Clone, Copy, Debug, Default)]
struct Candidate {
    key: TargetKey,
    target: Target,
}

/// Up to [`MAX_THRESHOLD`] distinct non-zero 32-bit fingerprints, exactly, each with the
/// latest time it was added: a count over a sliding window.
#[derive(Clone, Copy, Debug, Default)]
struct Few {
    fp: [u32; MAX_THRESHOLD as usize],
    at: [f64; MAX_THRESHOLD as usize],
    n: u8,
}

impl Few {
    /// Add `h` at time `t`, forgetting those last added more than `window` before `t`; the
    /// number held after it.
    fn add(&mut self, h: u64, t: f64, window: f64) -> u32 {
        let v = (h >> 32) as u32 | 1;
        let mut n = usize::from(self.n);
        // (most adds forget nothing: a branch-free look first, the compaction only if needed)
        let mut expired = false;
        for &at in &self.at[..n] {
            expired |= t - at > window;
        }
        let mut i = if expired { 0 } else { n };
        while i < n {
            if t - self.at[i] > window {
                n -= 1;
                self.fp[i] = self.fp[n];
                self.at[i] = self.at[n];
            } else {
                i += 1;
            }
        }
        match self.fp[..n].iter().position(|&x| x == v) {
            Some(i) => self.at[i] = self.at[i].max(t),
            None if n < self.fp.len() => {
                self.fp[n] = v;
                self.at[n] = t;
                n += 1;
            }
            None => {}
        }
        self.n = n as u8;
        n as u32
    }
}

/// A source's open episode.
#[derive(Clone, Copy, Debug, Default)]
struct Source {
    /// Time of the first failure (the episode's identity) and probe time of the latest.
    start: f64,
    last_fail: f64,
    first_probe: f64,
    last_probe: f64,
    probes: u64,
    targets: u64,
    answered: u64,
    /// Failed targets per probe kind, in [`KINDS`] order.
    kinds: [u32; 9],
    /// Failed SYN targets, the first one's source port and how many had another.
    syn_targets: u32,
    syn_sport: u16,
    syn_sport_changes: u32,
    /// Failed SYN targets whose first SYN carried an operating system's options.
    syn_os: u32,
    /// Probe time of the failed target counted last, and failed targets probed at least
    /// [`SlowScanConfig::min_interval`] from the one counted before them (the first counts).
    prev_probe: f64,
    spaced: u32,
    /// How the source ended handshakes that open ports answered: bare RST, RST+ACK.
    bare_rst: u32,
    ack_rst: u32,
    hosts: Few,
    /// The host with the most failed ports, and the port failed on the most hosts.
    best_host: u128,
    best_host_n: u32,
    best_port: (u16, u8),
    best_port_n: u32,
    reported: bool,
    /// A fast finding ([`Finding::fast`]) was made of this episode.
    fast_found: bool,
    /// Failed targets counted that were refused ([`Target::refused`]), and of those, the
    /// ones probed again after their refusal ([`Target::reprobed`]).
    refused: u32,
    reprobed: u32,
    /// ... and of those, the ones probed again twice ([`Target::twice`]).
    twice: u32,
    /// The failed targets counted last, one after the other, all on one port
    /// ([`Source::run_sweep`]).
    run: Run,
    /// The failed targets counted last, one after the other, all of one host by one kind of
    /// probe (module documentation, "Later scans").
    scan: Scan,
    /// The latest finding of a per-port group's density (module documentation, "Blocks of
    /// many ports").
    block_found: Option<Found>,
    /// Fingerprints of the last [`SCANS_FOUND`] scans (host and kind of probe) found in the
    /// episode that another failure then interrupted: found already when they go on (a
    /// scan's failures by silence come among those of other hosts' open ports; session 28).
    scans_found: [u32; SCANS_FOUND],
}

/// Scans found that a source's episode remembers ([`Source::scans_found`]).
const SCANS_FOUND: usize = 4;

impl Source {
    /// [`Scan::add`], a scan found before in the episode and interrupted since going on as
    /// found (module documentation, "Later scans").
    fn add_scan(&mut self, key: &TargetKey, t: &Target, min_interval: f64) {
        let sc = &self.scan;
        let restart = !sc.on || key.dst != sc.host || t.kind != sc.failed.kind;
        if restart && sc.on && sc.found {
            let v = scan_print(sc.host, sc.failed.kind);
            if !self.scans_found.contains(&v) {
                self.scans_found.rotate_right(1);
                self.scans_found[0] = v;
            }
        }
        self.scan.add(key, t, min_interval);
        if restart && self.scans_found.contains(&scan_print(key.dst, t.kind)) {
            self.scan.found = true;
        }
    }
}

/// The fingerprint of a scan of `host` by `kind` (non-zero).
fn scan_print(host: u128, kind: Kind) -> u32 {
    (premix(host) >> 32) as u32 ^ (kind as u32) << 1 | 1
}

/// A source's latest failed targets counted one after the other on one host with one kind of
/// probe: a scan of that host's ports with that probe, a run no other failure of the source
/// interrupted (its failures on another host, or by another probe).
#[derive(Clone, Copy, Debug, Default)]
struct Scan {
    /// Its host; `on`: a scan begun (false: none yet).
    host: u128,
    on: bool,
    /// Its failed targets (distinct ports, since a target counts once an episode), their
    /// probes' kind the scan's.
    failed: Failures,
    /// Probe time of its failed target counted last, and its failed targets probed at least
    /// [`SlowScanConfig::min_interval`] from the one counted before them (the first counts).
    prev: f64,
    spaced: u32,
    /// A finding was made of it (the episode's own, or a later scan's).
    found: bool,
}

impl Scan {
    /// Count the failed target `key` (`t`): the scan goes on if it is of the scan's host by
    /// its kind of probe, else a new scan begins with it (`min_interval`: see `spaced`).
    fn add(&mut self, key: &TargetKey, t: &Target, min_interval: f64) {
        if !self.on || key.dst != self.host || t.kind != self.failed.kind {
            *self = Scan {
                host: key.dst,
                on: true,
                failed: Failures::starting(t),
                ..Scan::default()
            };
        }
        if self.failed.targets == 0 || (t.last - self.prev).abs() >= min_interval {
            self.spaced = self.spaced.saturating_add(1);
        }
        self.prev = t.last;
        self.failed.count(t);
    }

    /// The scan as a finding of scanner `src`, made at `now`: not fast (a scan too slow for
    /// the networks), its own identity (`episode`) the probe time of its first failed
    /// target, so that no finding of its source's episode stands for it. Named by its probes
    /// as [`finding`] names an episode.
    fn finding(&self, src: u128, now: f64) -> Finding {
        let f = &self.failed;
        Finding {
            scanner: addr(src),
            victim: addr(self.host),
            class: f.class(),
            proto: if f.kind == Kind::Udp { 17 } else { 6 },
            trigger: Trigger::Ports,
            first_seen: f.first,
            last_seen: f.last,
            detected_at: now,
            probes: f.probes,
            targets: u64::from(f.targets),
            hosts: 1,
            victim_ports: u64::from(f.targets),
            answered: 0,
            fast: false,
            episode: f.first,
            later: true,
        }
    }
}

/// A source's latest failed targets counted one after the other on one port (of one
/// protocol, or one ICMP query type): one sweep of that port over many hosts, when it is
/// long enough, a run no other failure of the source interrupted.
#[derive(Clone, Copy, Debug, Default)]
struct Run {
    /// `proto << 16 | port` of its targets, with bit 24 set (0: no run yet).
    port: u32,
    /// Its failed targets (distinct hosts, since a target counts once an episode).
    failed: Failures,
    /// Its refused targets probed again after their refusal ([`Target::reprobed`]).
    reprobed: u32,
    /// A finding was made of it (the episode's own, or a later sweep's).
    found: bool,
    /// A candidate finding of its density was held ([`Run::dense`]), and its episode had
    /// made a finding before it.
    dense_held: bool,
    dense_after: bool,
    /// The lowest and highest IPv4 address of its failed hosts, while all of them lie in one
    /// /24 (`net`: false once one does not, or is IPv6): the block it sweeps
    /// ([`Run::dense`]).
    lo: u32,
    hi: u32,
    net: bool,
}

/// Failed targets counted one after the other, a [`Scan`]'s or a [`Run`]'s: how many, how
/// many were refused, the probes sent them, the first and latest of those; the kind of the
/// first one's probe; its SYN targets' first source port, how many had another, and how many
/// carried an operating system's options (as [`Source`]'s).
#[derive(Clone, Copy, Debug, Default)]
struct Failures {
    targets: u32,
    refused: u32,
    probes: u64,
    first: f64,
    last: f64,
    kind: Kind,
    syn_sport: u16,
    syn_sport_changes: u32,
    syn_os: u32,
}

impl Failures {
    /// None counted yet, `t` the first to be.
    fn starting(t: &Target) -> Failures {
        Failures {
            first: t.first,
            last: t.last,
            kind: t.kind,
            syn_sport: t.sport,
            ..Failures::default()
        }
    }

    /// Count the failed target `t`.
    fn count(&mut self, t: &Target) {
        self.targets = self.targets.saturating_add(1);
        self.refused = self.refused.saturating_add(u32::from(t.refused));
        self.probes += u64::from(t.probes);
        self.first = self.first.min(t.first);
        self.last = self.last.max(t.last);
        if t.kind == Kind::Syn {
            self.syn_sport_changes = self
                .syn_sport_changes
                .saturating_add(u32::from(t.sport != self.syn_sport));
            self.syn_os = self.syn_os.saturating_add(u32::from(t.os_syn));
        }
    }

    /// Their class by their probes, as [`finding`] names an episode: SYNs each from a new
    /// source port with an operating system's options (half of them or more) are a connect
    /// scan's.
    fn class(&self) -> Class {
        let connect = 2 * self.syn_sport_changes >= self.targets && 2 * self.syn_os >= self.targets;
        class_of(self.kind, connect)
    }
}

/// A run's identity: its port key and the probe time of its first target.
type RunId = (u32, f64);

/// The "run" a held finding of a block's density is given ([`SlowScan::release`]): no run's
/// (a run's port key has bit 24 set, this one bit 25).
const BLOCK_HOLD: RunId = (1 << 25, 0.0);

/// A source's failures on one host (its ports) or on one port (its hosts), in one episode.
#[derive(Clone, Copy, Debug, Default)]
struct Group {
    episode: f64,
    few: Few,
    /// A per-port group's failed hosts' block (module documentation, "Blocks of many ports").
    block: Block,
}

/// A per-port group's latest failed hosts in one /24: how many, the lowest and highest of
/// their IPv4 addresses, the probe time of the first, and when the first was counted. A failed
/// host in another /24 begins a new block, an IPv6 one leaves none (`n` 0); after a finding of
/// the block's /24 ([`Found`]) the block begun before it ends, and the found sweep's hosts
/// count in no block.
#[derive(Clone, Copy, Debug, Default)]
struct Block {
    n: u32,
    lo: u32,
    hi: u32,
    first: f64,
    since: f64,
}

/// A source's latest finding of a block's density (module documentation, "Blocks of many
/// ports"): its /24, when it was made, and the addresses of the sweep it found, from the
/// lowest to the highest, grown by the failures that go on with it.
#[derive(Clone, Copy, Debug, Default)]
struct Found {
    net: u32,
    at: f64,
    lo: u32,
    hi: u32,
    /// Probe time of its latest failure.
    last: f64,
    /// The kind of probe that made it, and whether a SYN with an operating system's options
    /// (`connect()`'s): a failure by another goes on with no sweep of this one, it is the next
    /// tool's (session 28).
    kind: Kind,
    os_syn: bool,
}

/// A failure in a found sweep's /24 (by any probe) within this many addresses of the sweep's, and no more than [`SWEEP_GOES_ON`] after its latest failure, goes on with it.
const SWEEP_NEAR: u32 = DENSE_HOSTS;
/// Seconds (see [`SWEEP_NEAR`]): a scanner's next run of a tool begins after a pause longer
/// than this, its probes within one run come far faster.
const SWEEP_GOES_ON: f64 = 4.0;

impl Block {
    /// Count the failed target `key` (`t`) at `now`; `found`: its source's latest block
    /// finding, grown when the failure goes on with its sweep.
    fn add(&mut self, key: &TargetKey, t: &Target, now: f64, found: &mut Option<Found>) {
        let Some(a) = Ipv6Addr::from(key.dst).to_ipv4_mapped().map(u32::from) else {
            self.n = 0;
            return;
        };
        if let Some(f) = found.as_mut().filter(|f| f.net == a >> 8) {
            if self.since <= f.at {
                *self = Block {
                    since: now,
                    ..Block::default()
                };
            }
            let near = a + SWEEP_NEAR >= f.lo && a <= f.hi + SWEEP_NEAR;
            // (a target failed before by another probe, probed afresh, is the next tool's; so is
            // one of another probe beyond the sweep's hosts; host discovery's other probes of
            // the sweep's own hosts, new targets, go on with it)
            let other = t.kind != f.kind || t.os_syn != f.os_syn;
            let within = a >= f.lo && a <= f.hi;
            let next_tool = other && (t.rescan || !within);
            if near && !next_tool && t.last - f.last <= SWEEP_GOES_ON {
                (f.lo, f.hi, f.last) = (f.lo.min(a), f.hi.max(a), f.last.max(t.last));
                return;
            }
        }
        if self.n > 0 && a >> 8 == self.lo >> 8 {
            self.n += 1;
            self.lo = self.lo.min(a);
            self.hi = self.hi.max(a);
            self.first = self.first.min(t.first);
        } else {
            *self = Block {
                n: 1,
                lo: a,
                hi: a,
                first: t.first,
                since: now,
            };
        }
    }

    /// The finding of it made at `now`, its latest failure probed at `last`.
    fn found(&self, now: f64, t: &Target) -> Found {
        Found {
            net: self.lo >> 8,
            at: now,
            lo: self.lo,
            hi: self.hi,
            last: t.last,
            kind: t.kind,
            os_syn: t.os_syn,
        }
    }

    /// Whether its hosts make a sweep of a small block by their density, as [`Run::dense`]
    /// decides a run's: at least [`DENSE_HOSTS`], at least half of the addresses from the
    /// lowest to the highest.
    fn dense(&self) -> bool {
        self.n >= DENSE_HOSTS && self.hi - self.lo < 2 * self.n
    }

    /// The block, dense with the failed target `key` (`t`), as a fast finding of its sweep
    /// after its episode's (begun at `episode`) finding, made at `now`: as [`Run::finding`]
    /// makes a later sweep's, but named by its own latest probe (the episode's may be another
    /// scan's; a connect() SYN carries the operating system's options).
    fn finding(&self, key: &TargetKey, t: &Target, episode: f64, now: f64) -> Finding {
        Finding {
            scanner: addr(key.src),
            victim: addr(key.dst),
            class: class_of(t.kind, t.os_syn),
            proto: probe_proto(t.kind, key.proto),
            trigger: Trigger::Hosts {
                port: key.port,
                proto: key.proto,
            },
            first_seen: self.first,
            last_seen: t.last,
            detected_at: now,
            probes: u64::from(self.n),
            targets: u64::from(self.n),
            hosts: u64::from(self.n),
            victim_ports: 1,
            answered: 0,
            fast: true,
            episode,
            later: false,
        }
    }
}

/// A per-port group's second key half is this, or'ed with `proto << 16 | port`; a per-host
/// group's is the host's address (IPv4 as IPv4-mapped IPv6, which never has these bits set;
/// an IPv6 address equal to a port key is not a unicast address anyone scans).
const PORT_GROUP: u128 = 1 << 127 | 0x5047 << 100;

trait Key: Copy + PartialEq + Default {
    fn hash(&self) -> u64;
}

impl Key for u128 {
    fn hash(&self) -> u64 {
        hash_key(71, *self)
    }
}

impl Key for (u128, u128) {
    fn hash(&self) -> u64 {
        hash_key(hash_key(73, self.0), self.1)
    }
}

impl Key for TargetKey {
    fn hash(&self) -> u64 {
        self.hash
    }
}

/// The hash of a source as a key of the source and candidate tables (`Key::hash` of a
/// `u128`), from its [`premix`].
fn source_hash(ms: u64) -> u64 {
    hash_mixed(71, ms)
}

/// A [`SetAssoc`] whose keys hash themselves ([`Key`]).
struct Table<K, V>(SetAssoc<K, V>);

impl<K: Key + Eq, V: Copy + Default> Table<K, V> {
    fn new(capacity: usize) -> Table<K, V> {
        Table(SetAssoc::new(capacity))
    }

    /// The value of `key`, if present (its access time unchanged).
    fn get(&self, key: &K) -> Option<&V> {
        self.0.get(key, key.hash())
    }

    /// The value of `key`, if present; its access time becomes `now`.
    fn get_mut(&mut self, key: &K, now: f64) -> Option<&mut V> {
        self.0.get_mut(key, key.hash(), now)
    }

    /// The value of `key`, inserted as `V::default()` if absent (evicting the least recently
    /// used entry of its set if full), and whether it is new; its access time becomes `now`.
    fn entry(&mut self, key: K, now: f64) -> (&mut V, bool) {
        let e = self.0.touch(key, key.hash(), now);
        (e.val, e.prev_stamp.is_none())
    }

    fn remove(&mut self, key: &K) {
        self.0.remove(key, key.hash());
    }

    /// [`Table::get`] of a key whose hash is `hash`.
    fn get_h(&self, key: &K, hash: u64) -> Option<&V> {
        debug_assert_eq!(hash, key.hash());
        self.0.get(key, hash)
    }

    /// [`Table::get_mut`] of a key whose hash is `hash`.
    fn get_mut_h(&mut self, key: &K, hash: u64, now: f64) -> Option<&mut V> {
        debug_assert_eq!(hash, key.hash());
        self.0.get_mut(key, hash, now)
    }

    /// [`Table::entry`] of a key whose hash is `hash`.
    fn entry_h(&mut self, key: K, hash: u64, now: f64) -> (&mut V, bool) {
        debug_assert_eq!(hash, key.hash());
        let e = self.0.touch(key, hash, now);
        (e.val, e.prev_stamp.is_none())
    }

    /// [`Table::remove`] of a key whose hash is `hash`.
    fn remove_h(&mut self, key: &K, hash: u64) {
        debug_assert_eq!(hash, key.hash());
        self.0.remove(key, hash);
    }

    fn evictions(&self) -> u64 {
        self.0.evictions()
    }

    fn memory_bytes(&self) -> usize {
        self.0.memory_bytes()
    }
}

/// The slow-scan rule's state.
pub struct SlowScan {
    cfg: SlowScanConfig,
    /// Whether this instance takes ICMPv6 neighbour solicitations and advertisements only
    /// ([`SlowScan::neighbour_sweeps`]), or every other packet ([`SlowScan::new`]).
    neighbours: bool,
    targets: Table<TargetKey, Target>,
    /// Recent ACK and FIN+ACK probes (which of the two), for the bare RSTs answering them.
    acks: Table<TargetKey, Kind>,
    /// The source ports such probes came from ([`AckPort`], keyed by [`AckPort::key`]).
    ack_ports: Table<TargetKey, AckPort>,
    /// Answer timers of pending TCP probes without ACK, in probe order: (first probe, target).
    timers: VecDeque<(f64, TargetKey)>,
    timer_cap: usize,
    candidates: Table<u128, Candidate>,
    sources: Table<u128, Source>,
    groups: Table<(u128, u128), Group>,
    /// Fast findings whose failures were mostly refusals, held until the time given (the
    /// threshold's time plus [`REPROBE_HOLD`]), in that order; with the [`RunId`] of a later
    /// sweep's.
    held: VecDeque<(f64, Finding, Option<RunId>, Option<bool>)>,
    clock: f64,
    stats: SlowScanStats,
}

impl std::fmt::Debug for SlowScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlowScan")
            .field("cfg", &self.cfg)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl SlowScan {
    /// A rule with settings `cfg` (checked). A rule that is off allocates almost nothing.
    pub fn new(cfg: SlowScanConfig) -> Result<SlowScan, IdsError> {
        cfg.validate()?;
        let on = cfg.is_on();
        let (nt, ns) = if on {
            (cfg.max_targets, cfg.max_sources)
        } else {
            (1, 1)
        };
        let timer_cap = (nt / 4).max(64);
        Ok(SlowScan {
            cfg,
            neighbours: false,
            targets: Table::new(nt),
            acks: Table::new((nt / 4).max(1)),
            ack_ports: Table::new((nt / 16).max(1)),
            timers: VecDeque::with_capacity(if on { timer_cap } else { 0 }),
            timer_cap,
            candidates: Table::new(ns),
            sources: Table::new(ns),
            groups: Table::new(ns * 2),
            held: VecDeque::new(),
            clock: f64::NEG_INFINITY,
            stats: SlowScanStats::default(),
        })
    }

    /// The rule with settings `cfg` over IPv6 neighbour discovery only: its probes are
    /// neighbour solicitations to solicited-node groups, its answers the advertisements back
    /// ([`solicited_node`]), every other packet only moves its clock. An on-link IPv6 sweep
    /// (`nmap -6 -sn`) is so an episode of its own, as an IPv4 one is the ARP-sweep rule's
    /// ([`crate::arpsweep`]): the rule [`SlowScan::new`] makes reports one finding per
    /// source per episode, and a port scan its sweep's source began within the answer timeout
    /// would otherwise take the sweep's failures into its own reported episode.
    /// Its tables hold an eighth of `cfg`'s sources and targets (neighbour solicitations are
    /// few: a link's hosts resolving their peers, and the sweeps).
    pub fn neighbour_sweeps(cfg: SlowScanConfig) -> Result<SlowScan, IdsError> {
        cfg.validate()?;
        let cfg = SlowScanConfig {
            max_sources: (cfg.max_sources / 8).max(1),
            max_targets: (cfg.max_targets / 8).max(1),
            ..cfg
        };
        Ok(SlowScan {
            neighbours: true,
            ..SlowScan::new(cfg)?
        })
    }

    /// A rule that is off (both thresholds 0): reports nothing, holds almost nothing.
    pub fn off() -> SlowScan {
        let cfg = SlowScanConfig {
            port_threshold: 0,
            host_threshold: 0,
            ..SlowScanConfig::default()
        };
        SlowScan {
            cfg,
            neighbours: false,
            targets: Table::new(1),
            acks: Table::new(1),
            ack_ports: Table::new(1),
            timers: VecDeque::new(),
            timer_cap: 64,
            candidates: Table::new(1),
            sources: Table::new(1),
            groups: Table::new(1),
            held: VecDeque::new(),
            clock: f64::NEG_INFINITY,
            stats: SlowScanStats::default(),
        }
    }

    /// The settings.
    pub fn config(&self) -> &SlowScanConfig {
        &self.cfg
    }

    /// Whether a probe waits for its answer timer ([`SlowScan::push`] of any packet may then
    /// fail it by silence; with none waiting, a packet that is no probe nor answer changes
    /// nothing but the clock, which the next packet sets anyway).
    pub fn waiting(&self) -> bool {
        !self.timers.is_empty()
    }

    /// Move the clock to `ts` (if later) with nothing waiting ([`SlowScan::waiting`]): what
    /// [`SlowScan::push`] of a packet that is no probe nor answer does then.
    pub fn clock_to(&mut self, ts: f64) {
        if ts.is_finite() && ts > self.clock {
            self.clock = ts;
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> SlowScanStats {
        SlowScanStats {
            target_evictions: self.targets.evictions(),
            ..self.stats
        }
    }

    /// Bytes the tables may hold at most (fixed at construction).
    pub fn memory_bytes(&self) -> usize {
        self.targets.memory_bytes()
            + self.acks.memory_bytes()
            + self.ack_ports.memory_bytes()
            + self.timers.capacity() * std::mem::size_of::<(f64, TargetKey)>()
            + self.candidates.memory_bytes()
            + self.sources.memory_bytes()
            + self.groups.memory_bytes()
            + if self.cfg.is_on() {
                self.cfg.max_sources * std::mem::size_of::<(f64, Finding)>()
            } else {
                0
            }
    }

    /// Take the next decoded packet (capture order); findings go to `sink`. Time is the
    /// largest timestamp seen so far: a packet stamped earlier is taken at that time.
    pub fn push(&mut self, p: &PacketRepr, sink: &mut dyn FnMut(Finding)) {
        self.push_keyed(p, &AddrKeys::of(p), sink);
    }

    /// [`SlowScan::push`] of a packet whose addresses' keys are `k`.
    pub(crate) fn push_keyed(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        sink: &mut dyn FnMut(Finding),
    ) {
        if !self.cfg.is_on() {
            return;
        }
        self.advance(p.ts, sink);
        let now = self.clock;
        if !now.is_finite() || p.fragment {
            return; // fragments: ports and flags are not reliably there
        }
        let nd = p.proto == 58 && matches!(p.icmp_type, ND_SOLICIT | ND_ADVERT);
        if nd != self.neighbours {
            return;
        }
        match p.proto {
            6 => {
                let ends = Ends {
                    a: k.src,
                    ma: k.ms,
                    b: k.dst,
                    mb: k.md,
                };
                self.tcp(p, ends, now, sink);
            }
            17 => {
                let (a, b) = (k.src, k.dst);
                let (ma, mb) = (k.ms, k.md);
                let rev = TargetKey::premixed(b, mb, a, ma, p.sport, 17);
                if self.answer(rev, now) == Some(true) {
                    return;
                }
                // (a reflected flood's answers, to a new port of the victim each, are no
                // probes: see crate::fewports, "Reflected answers are no probes")
                if TRACEROUTE_PORTS.contains(&p.dport) || crate::reflection::answer_shape(p) {
                    return;
                }
                let key = TargetKey::premixed(a, ma, b, mb, p.dport, 17);
                self.probe(key, Kind::Udp, p.sport, false, now);
            }
            58 if matches!(p.icmp_type, ND_SOLICIT | ND_ADVERT) => {
                self.neighbour_discovery(p, k, now);
            }
            1 | 58 => {
                if let Some((query, request)) = ping(p) {
                    let port = u16::from(request);
                    if query == Query::Reply {
                        let rev = TargetKey::premixed(k.dst, k.md, k.src, k.ms, port, p.proto);
                        self.answer(rev, now);
                    } else {
                        let key = TargetKey::premixed(k.src, k.ms, k.dst, k.md, port, p.proto);
                        self.probe(key, Kind::Ping, 0, false, now);
                    }
                    return;
                }
                let unreachable = nightjar_packet::proto::icmp_unreachable(p.proto, p.icmp_type);
                if let (true, Some(q)) = (unreachable, &p.inner) {
                    if matches!(q.proto, 6 | 17) {
                        let key = TargetKey::new(ip_key(q.src), ip_key(q.dst), q.dport, q.proto);
                        let pending = self
                            .targets
                            .get(&key)
                            .is_some_and(|t| t.state == State::Pending);
                        if pending {
                            self.stats.unreachable += 1;
                            self.fail(key, true, sink);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// An ICMPv6 neighbour solicitation or advertisement ([`solicited_node`]): a solicitation
    /// a source multicasts to a target's solicited-node group is a probe of that group (port
    /// [`ND_SOLICIT`]), which the target's advertisement back to the source answers; the rest
    /// (duplicate address detection from `::`, unicast re-checks of known neighbours,
    /// unsolicited advertisements to all nodes) are neither.
    fn neighbour_discovery(&mut self, p: &PacketRepr, k: &AddrKeys, now: f64) {
        let (IpAddr::V6(src), IpAddr::V6(dst)) = (p.src, p.dst) else {
            return;
        };
        if src.is_unspecified() {
            return;
        }
        if p.icmp_type == ND_SOLICIT {
            if is_solicited_node(dst) {
                let key = TargetKey::premixed(k.src, k.ms, k.dst, k.md, ND_PORT, 58);
                self.probe(key, Kind::Ping, 0, false, now);
            }
        } else if !dst.is_multicast() {
            let group = ip_key(IpAddr::V6(solicited_node(src)));
            self.answer(TargetKey::new(k.dst, group, ND_PORT, 58), now);
        }
    }

    /// Let time pass without packets (a live source): probes unanswered for longer than the
    /// answer timeout fail, and may complete findings.
    pub fn tick(&mut self, now: f64, sink: &mut dyn FnMut(Finding)) {
        if self.cfg.is_on() {
            self.advance(now, sink);
        }
    }

    /// The end of a capture: every pending probe that fails by silence is taken as
    /// unanswered (time moves on by the answer timeout).
    pub fn finish(&mut self, sink: &mut dyn FnMut(Finding)) {
        if self.cfg.is_on() && self.clock.is_finite() {
            self.advance(self.clock + self.cfg.answer_timeout + 1e-3, sink);
        }
        // the capture ends before their hold does: decided on what it showed
        while let Some((_, f, run, dense)) = self.held.pop_front() {
            self.release(f, run, dense, true, sink);
        }
    }

    /// Move the clock forward to `ts` and fail the probes whose answer timer ran out.
    ///
    /// Inlined at the call: with no timer run out and no held finding due (at nearly every
    /// packet), the clock alone moves.
    #[inline]
    fn advance(&mut self, ts: f64, sink: &mut dyn FnMut(Finding)) {
        if ts.is_finite() && ts > self.clock {
            self.clock = ts;
        }
        let now = self.clock;
        // the loops below stop at once unless their first entry is past its time (their
        // conditions to stop negated, NaN included)
        let timeout = self.cfg.answer_timeout;
        let timed_out = self.timers.front().is_some_and(|&(t0, _)| {
            let in_time = now - t0 <= timeout;
            !in_time
        });
        let due = self.held.front().is_some_and(|&(due, _, _, _)| {
            let early = now < due;
            !early
        });
        if timed_out || due {
            self.expire(sink);
        }
    }

    /// The end of [`SlowScan::advance`]: probes unanswered for longer than the answer timeout
    /// fail, held findings due are released.
    #[inline(never)]
    fn expire(&mut self, sink: &mut dyn FnMut(Finding)) {
        let now = self.clock;
        while let Some(&(t0, key)) = self.timers.front() {
            if now - t0 <= self.cfg.answer_timeout {
                break;
            }
            self.timers.pop_front();
            let silent = self
                .targets
                .get(&key)
                .is_some_and(|t| t.state == State::Pending && t.first == t0);
            if silent {
                self.stats.silent += 1;
                self.fail(key, false, sink);
            }
        }
        while let Some(&(due, f, run, dense)) = self.held.front() {
            if now < due {
                break;
            }
            self.held.pop_front();
            self.release(f, run, dense, false, sink);
        }
    }

    /// The end of held fast finding `f`'s hold (`run`: a later sweep's, [`RunId`]): dropped if
    /// its source has since asked again at least half of the episode's refused targets (a
    /// monitor polling the services it watches, of which some are down; of a later sweep: of
    /// its own, while it is still the source's latest run), reported otherwise (also when the
    /// source's episode is no longer known: evicted, or over).
    ///
    /// A candidate of a run's density (`dense`; module documentation, "Sparse blocks") is
    /// dropped if its run has made a finding of a threshold since, or was replaced (decided
    /// then, [`SlowScan::count`]); held again if its run is still the source's latest and
    /// failed on a host within the hold (unless `end`: the capture's end, or a full queue);
    /// decided by [`settle_dense`] otherwise, and reported also when its episode is no longer
    /// known.
    fn release(
        &mut self,
        f: Finding,
        run: Option<RunId>,
        dense: Option<bool>,
        end: bool,
        sink: &mut dyn FnMut(Finding),
    ) {
        let src = ip_key(f.scanner);
        if let (Some(_), Some(id)) = (dense, run) {
            let now = self.clock;
            let s = self
                .sources
                .get_mut_h(&src, source_hash(premix(src)), now)
                .filter(|s| s.start == f.episode);
            let report = match s {
                Some(s) if s.run.id() != id || s.run.found => false,
                Some(s) if !end && now - s.run.failed.last < REPROBE_HOLD => {
                    self.held.push_back((now + REPROBE_HOLD, f, run, dense));
                    false
                }
                Some(s) => settle_dense(s, &f, &mut self.stats),
                None => {
                    count_dense(&f, &mut self.stats);
                    true
                }
            };
            if report {
                sink(f);
            }
            return;
        }
        let polled = self
            .sources
            .get_h(&src, source_hash(premix(src)))
            .is_some_and(|s| {
                s.start == f.episode
                    && match run {
                        // a later sweep's: its own refused targets asked again, while it is
                        // still the source's latest run (a scanner has moved on to another
                        // port by then, a poller of one port asks it round after round)
                        // a block's: its source asked at least half of its refused targets
                        // again twice (a scanner's next scan of the block asks once more)
                        Some(BLOCK_HOLD) => 2 * s.twice >= s.refused.max(1),
                        Some(id) => {
                            s.run.id() == id && 2 * s.run.reprobed >= s.run.failed.refused.max(1)
                        }
                        None => 2 * s.reprobed >= s.refused.max(1),
                    }
            });
        if polled {
            self.stats.polled += 1;
        } else {
            sink(f);
        }
    }

    fn tcp(&mut self, p: &PacketRepr, e: Ends, now: f64, sink: &mut dyn FnMut(Finding)) {
        let fl = p.tcp_flags & CLASSIC;
        // an answer from a target to its prober?
        let rev = TargetKey::premixed(e.b, e.mb, e.a, e.ma, p.sport, 6);
        if fl & RST == 0 {
            // found: the answer, counted (or an old probe's traffic) and nothing more
            if self.answer(rev, now).is_some() {
                return;
            }
        } else if let Some(t) = self.targets.get(&rev) {
            if t.state == State::Pending {
                self.stats.refused += 1;
                self.fail(rev, true, sink);
            }
            return;
        }
        if fl & RST != 0 {
            // a bare RST answering an ACK or FIN+ACK probe of the receiver
            if fl & ACK == 0 {
                if let Some(&kind) = self.acks.get(&rev) {
                    self.acks.remove(&rev);
                    let (t, _) = self.targets.entry(rev, now);
                    *t = Target {
                        first: now,
                        last: now,
                        probes: 1,
                        kind,
                        sport: p.dport,
                        os_syn: false,
                        state: State::Pending,
                        episode: f64::NAN,
                        ..Target::default()
                    };
                    self.stats.refused += 1;
                    self.fail(rev, true, sink);
                    return;
                }
            }
            // the source closing a handshake an open port answered: how it does it tells a
            // raw scanner from connect()
            let own = TargetKey::premixed(e.a, e.ma, e.b, e.mb, p.dport, 6);
            let answered = self
                .targets
                .get(&own)
                .is_some_and(|t| t.state == State::Answered);
            if answered {
                if let Some(s) = self.open_source(e.a, source_hash(e.ma), now) {
                    if fl & ACK == 0 {
                        s.bare_rst = s.bare_rst.saturating_add(1);
                    } else {
                        s.ack_rst = s.ack_rst.saturating_add(1);
                    }
                }
            }
            return;
        }
        // (data and the ACKs of connections, mostly: no probe, nothing more to look up)
        let Some(kind) = tcp_kind(fl, p.payload_len) else {
            return;
        };
        let own = TargetKey::premixed(e.a, e.ma, e.b, e.mb, p.dport, 6);
        if matches!(kind, Kind::Ack | Kind::Maimon) {
            let target = self.targets.get(&own);
            // the handshake's last packet: a bare ACK from the port a pending SYN came from says
            // the target accepted it (a capture of one direction shows no SYN-ACK)
            let accepted = kind == Kind::Ack
                && target.is_some_and(|t| {
                    t.state == State::Pending && t.kind == Kind::Syn && t.sport == p.sport
                });
            if accepted {
                self.answer(own, now);
                return;
            }
            // part of a connection that answered is no probe
            let answered = target.is_some_and(|t| t.state == State::Answered);
            // (a probe of another kind still pending there keeps the target)
            let other = target.is_some_and(|t| t.state == State::Pending && t.kind != kind);
            if !answered {
                // from a port that has sent such probes to several targets: a raw scanner's,
                // whose probes fail by silence too ("ACK scans of silent blocks")
                let window = self.cfg.window;
                let port = AckPort::key(e.a, e.ma, p.sport);
                if self.ack_ports.entry(port, now).0.add(p.dport, now, window) && !other {
                    self.stats.raw_ack_probes += 1;
                    self.acks.remove(&own);
                    self.probe_as(own, kind, p.sport, false, true, now);
                    return;
                }
                self.stats.probes += 1;
                *self.acks.entry(own, now).0 = kind;
            }
            return;
        }
        self.probe(own, kind, p.sport, kind == Kind::Syn && os_syn(p), now);
    }

    /// A packet from the target `rev.dst` back to its prober `rev.src`: `None` if `rev` was
    /// not probed, else whether the packet is its answer (`false`: the probe is older than the
    /// window, this is traffic of its own). A target found has its access time set to `now`.
    fn answer(&mut self, rev: TargetKey, now: f64) -> Option<bool> {
        let window = self.cfg.window;
        let t = self.targets.get_mut(&rev, now)?;
        if now - t.last > window {
            return Some(false); // an old probe: this is traffic of its own
        }
        if t.state == State::Pending {
            t.state = State::Answered;
            if let Some(s) = self.open_source(rev.src, source_hash(premix(rev.src)), now) {
                s.answered += 1;
            }
        }
        Some(true)
    }

    /// A probe of `key` from source port `sport` (`os`: a SYN with an operating system's
    /// options).
    fn probe(&mut self, key: TargetKey, kind: Kind, sport: u16, os: bool, now: f64) {
        self.probe_as(key, kind, sport, os, kind.fails_silently(), now);
    }

    /// [`SlowScan::probe`], `silent`: whether no answer within the timeout is a failure (a
    /// raw scanner's ACK probe too, "ACK scans of silent blocks").
    fn probe_as(
        &mut self,
        key: TargetKey,
        kind: Kind,
        sport: u16,
        os: bool,
        silent: bool,
        now: f64,
    ) {
        self.stats.probes += 1;
        let window = self.cfg.window;
        let (t, new) = self.targets.entry(key, now);
        // a failed target probed with another kind of probe, a while after its last probe, is
        // a target of a new scan (a scanner gone from FIN to NULL probes of the ports it
        // scanned, from behind one address), not a retry: counted afresh, by that kind ("Later
        // scans"); a flood of mixed flags at one port (t50's) goes on as it was
        // (so is one probed by the other SYN scan, raw then connect() or the reverse: the next
        // tool's, session 28); a raw scanner's ACK probe still pending is no target of
        // another kind's probe, which takes it over
        let other = t.kind != kind || kind == Kind::Syn && t.os_syn != os;
        let rescanned = t.state == State::Failed && other && now - t.last >= REPROBE_GAP
            || t.state == State::Pending
                && t.kind != kind
                && matches!(t.kind, Kind::Ack | Kind::Maimon);
        if new || now - t.last > window || rescanned {
            let rescan = rescanned && t.state == State::Failed;
            // a target asked again after a window's quiet starts afresh, but keeps the episode
            // its failure was counted in: while that episode is open it is counted once, however
            // long the source goes on failing elsewhere ("A long day"); a rescan by another probe
            // is a new scan's
            let episode = if new || rescanned {
                f64::NAN
            } else {
                t.episode
            };
            *t = Target {
                first: now,
                last: now,
                probes: 1,
                kind,
                sport,
                os_syn: os,
                state: State::Pending,
                episode,
                rescan,
                ..Target::default()
            };
            if silent {
                if self.timers.len() >= self.timer_cap {
                    self.timers.pop_front();
                    self.stats.timer_drops += 1;
                }
                self.timers.push_back((now, key));
            }
            return;
        }
        // a refused target asked again a while after: what a monitor does, no scanner
        let again = t.state == State::Failed && t.refused && now - t.last >= REPROBE_GAP;
        let reprobe = again && !t.reprobed;
        let twice = again && t.reprobed && !t.twice;
        t.reprobed |= reprobe;
        t.twice |= twice;
        t.last = now;
        t.probes = t.probes.saturating_add(1);
        if t.state == State::Failed {
            // a retry of a failed target: counted in its episode if that is still open
            let (ep, first) = (t.episode, t.first);
            if let Some(s) = self.sources.get_mut(&key.src, now) {
                if s.start == ep && now - s.last_fail <= window {
                    s.probes += 1;
                    s.last_probe = s.last_probe.max(now);
                    s.reprobed = s.reprobed.saturating_add(u32::from(reprobe));
                    s.twice = s.twice.saturating_add(u32::from(twice));
                    if reprobe && s.run.holds(&key, first) {
                        s.run.reprobed = s.run.reprobed.saturating_add(1);
                    }
                }
            }
        }
    }

    /// The source's open episode, if it has one (`sh`: the source's hash, [`source_hash`]).
    fn open_source(&mut self, src: u128, sh: u64, now: f64) -> Option<&mut Source> {
        let window = self.cfg.window;
        self.sources
            .get_mut_h(&src, sh, now)
            .filter(|s| now - s.last_fail <= window)
    }

    /// `key`'s probe failed (`refused`: by an answer, not by silence). Its time in the episode
    /// is that of its latest probe.
    fn fail(&mut self, key: TargetKey, refused: bool, sink: &mut dyn FnMut(Finding)) {
        let window = self.cfg.window;
        let now = self.clock;
        let Some(t) = self.targets.get_mut(&key, now) else {
            return;
        };
        t.state = State::Failed;
        t.refused = refused;
        let target = *t;
        let at = target.last;
        let ms = premix(key.src);
        let sh = source_hash(ms);
        // the source's open episode, or a candidate's second failure that opens one
        let open = self
            .sources
            .get_h(&key.src, sh)
            .filter(|s| at - s.last_fail <= window)
            .map(|s| s.start);
        let start = match open {
            Some(start) => start,
            None => {
                let (c, new) = self.candidates.entry_h(key.src, sh, now);
                let fresh = new || at - c.target.last > window;
                if fresh || c.key == key {
                    c.key = key;
                    c.target = Target {
                        episode: if fresh { at } else { c.target.episode },
                        ..target
                    };
                    // (the target was touched at `now` above and is still there)
                    t.episode = c.target.episode;
                    return;
                }
                let first = *c;
                self.candidates.remove_h(&key.src, sh);
                let (s, _) = self.sources.entry_h(key.src, sh, now);
                *s = Source {
                    start: first.target.episode,
                    last_fail: first.target.last,
                    first_probe: first.target.first,
                    last_probe: first.target.last,
                    ..Source::default()
                };
                self.count(first.key, first.target, ms, sink);
                // counting touched neither the target nor the source's start
                let Some(t) = self.targets.get_mut(&key, now) else {
                    self.count(key, target, ms, sink);
                    return;
                };
                let Some(s) = self.sources.get_h(&key.src, sh) else {
                    self.count(key, target, ms, sink);
                    return;
                };
                if t.episode == s.start {
                    return; // counted already
                }
                t.episode = s.start;
                self.count(key, target, ms, sink);
                return;
            }
        };
        if t.episode == start {
            return; // counted already
        }
        t.episode = start;
        self.count(key, target, ms, sink);
    }

    /// Count the failed target `key` in its source's open episode (`ms`: the source's
    /// [`premix`]); report a finding if it makes the source reach a threshold.
    fn count(&mut self, key: TargetKey, t: Target, ms: u64, sink: &mut dyn FnMut(Finding)) {
        let now = self.clock;
        let Some(s) = self.sources.get_mut_h(&key.src, source_hash(ms), now) else {
            return;
        };
        let episode = s.start;
        s.last_fail = s.last_fail.max(t.last);
        s.first_probe = s.first_probe.min(t.first);
        s.last_probe = s.last_probe.max(t.last);
        s.probes += u64::from(t.probes);
        if s.targets == 0 || (t.last - s.prev_probe).abs() >= self.cfg.min_interval {
            s.spaced = s.spaced.saturating_add(1);
        }
        s.prev_probe = t.last;
        s.targets += 1;
        s.refused = s.refused.saturating_add(u32::from(t.refused));
        let k = KINDS.iter().position(|k| *k == t.kind).unwrap_or(7);
        s.kinds[k] = s.kinds[k].saturating_add(1);
        if t.kind == Kind::Syn {
            if s.syn_targets == 0 {
                s.syn_sport = t.sport;
            } else if t.sport != s.syn_sport {
                s.syn_sport_changes = s.syn_sport_changes.saturating_add(1);
            }
            s.syn_targets = s.syn_targets.saturating_add(1);
            s.syn_os = s.syn_os.saturating_add(u32::from(t.os_syn));
        }
        if s.run.dense_held && !s.run.found && Run::port_of(&key) != s.run.port {
            // the run ends with its candidate undecided: decided now (module documentation,
            // "Sparse blocks")
            let id = Some(s.run.id());
            let held = self.held.iter().position(|h| {
                h.2 == id
                    && h.3.is_some()
                    && h.1.episode == episode
                    && ip_key(h.1.scanner) == key.src
            });
            if let Some((_, f, _, _)) = held.and_then(|i| self.held.remove(i)) {
                if settle_dense(s, &f, &mut self.stats) {
                    sink(f);
                }
            }
        }
        s.run.add(&key, &t);
        s.add_scan(&key, &t, self.cfg.min_interval);
        let window = self.cfg.window;
        let md = premix(key.dst);
        s.hosts.add(hash_mixed(83, md), t.last, window);
        // ports of this host, hosts on this port (group keys hash as
        // `hash_key(hash_key(73, src), half)`)
        let gs = hash_mixed(73, ms);
        let ports = {
            let gk = (key.src, key.dst);
            let (g, _) = self.groups.entry_h(gk, hash_mixed(gs, md), now);
            if g.episode != episode {
                *g = Group {
                    episode,
                    ..Group::default()
                };
            }
            g.few.add(
                mix(u64::from(key.port) | u64::from(key.proto) << 16),
                t.last,
                window,
            )
        };
        let pkey = PORT_GROUP | u128::from(key.proto) << 16 | u128::from(key.port);
        let (hosts, block) = {
            let gk = (key.src, pkey);
            let (g, _) = self.groups.entry_h(gk, hash_mixed(gs, premix(pkey)), now);
            if g.episode != episode {
                *g = Group {
                    episode,
                    ..Group::default()
                };
            }
            g.block.add(&key, &t, now, &mut s.block_found);
            (g.few.add(hash_mixed(89, md), t.last, window), g.block)
        };
        let cfg = self.cfg;
        if ports > s.best_host_n {
            (s.best_host, s.best_host_n) = (key.dst, ports);
        }
        if hosts > s.best_port_n {
            (s.best_port, s.best_port_n) = ((key.port, key.proto), hosts);
        }
        // a sweep of several ports over a small block, whose failures interleave and so cut
        // its runs: one port's failed hosts over the episode make the block dense, the run on
        // it fewer (an uncut run is [`Run::dense`]'s); one finding a sweep
        // (module documentation, "Blocks of many ports")
        let block_dense = cfg.host_threshold > 0 && s.run.failed.targets < block.n && block.dense();
        // a sweep of a small block below the host threshold: a candidate finding, held and
        // decided at the end of the hold (module documentation, "Sparse blocks"; at most one
        // a run, none when the queue of held findings is full)
        if cfg.host_threshold > 0
            && !s.run.found
            && !s.run.dense_held
            && s.run.failed.targets < cfg.host_threshold
            && s.run.dense()
            && self.held.len() < cfg.max_sources
        {
            s.run.dense_held = true;
            let after = s.reported || s.fast_found;
            s.run.dense_after = after;
            let f = if after {
                s.run.finding(key.src, key.dst, s.start, now)
            } else {
                let trigger = Trigger::Hosts {
                    port: key.port,
                    proto: key.proto,
                };
                Finding {
                    fast: 2 * u64::from(s.spaced) < s.targets,
                    ..finding(key.src, s, trigger, now)
                }
            };
            self.held
                .push_back((now + REPROBE_HOLD, f, Some(s.run.id()), Some(after)));
        }
        if s.reported || s.fast_found {
            // a slow scan of one host by one kind of probe after the episode's finding: a
            // finding of its own (an ICMP query's "ports" are the few query types: no scan; a
            // fast one is the networks', as the episode's fast finding stands for it)
            if cfg.port_threshold > 0
                && s.scan.failed.targets >= cfg.port_threshold
                && !s.scan.found
                && s.scan.failed.kind != Kind::Ping
            {
                // (not held as a poller's might be: its targets are new to the episode, which
                // a poller's rounds are not — and a scanner whose refusals stop at a NAT
                // sends each probe twice, as a poller asks again)
                s.scan.found = true;
                let f = s.scan.finding(key.src, now);
                if 2 * s.scan.spaced >= s.scan.failed.targets {
                    self.stats.findings += 1;
                    sink(f);
                } else {
                    // one at nmap's own pace: the networks' if they flagged it against its
                    // host, which the detector decides (module documentation, "Later scans")
                    self.stats.fast_findings += 1;
                    sink(Finding { fast: true, ..f });
                }
                return;
            }
            // a sweep of one port after the episode's finding: a finding of its own
            if cfg.host_threshold > 0 && s.run.failed.targets >= cfg.host_threshold && !s.run.found
            {
                s.run.found = true;
                self.stats.fast_findings += 1;
                let f = s.run.finding(key.src, key.dst, s.start, now);
                if 2 * s.run.failed.refused > s.run.failed.targets {
                    let id = s.run.id();
                    self.hold(f, Some(id), now, sink);
                } else {
                    sink(f);
                }
                return;
            }
            // a sweep of a block's ports after the episode's finding: a fast finding of its
            // own, as a later sweep's (held when the episode's failures were mostly refused)
            if block_dense {
                s.block_found = Some(block.found(now, &t));
                self.stats.dense_blocks += 1;
                self.stats.fast_findings += 1;
                let f = block.finding(&key, &t, s.start, now);
                if 2 * u64::from(s.refused) > s.targets {
                    self.hold(f, Some(BLOCK_HOLD), now, sink);
                } else {
                    sink(f);
                }
                return;
            }
            if s.reported {
                return;
            }
        }
        let trigger = if cfg.port_threshold > 0 && ports >= cfg.port_threshold {
            Trigger::Ports
        } else if cfg.host_threshold > 0
            && (hosts >= cfg.host_threshold || block_dense && dominant(s) == t.kind)
        {
            if hosts < cfg.host_threshold {
                // the episode's finding made by a block's density
                s.block_found = Some(block.found(now, &t));
                self.stats.dense_blocks += 1;
            }
            Trigger::Hosts {
                port: key.port,
                proto: key.proto,
            }
        } else {
            return;
        };
        let hold_as = if hosts < cfg.host_threshold && ports < cfg.port_threshold {
            Some(BLOCK_HOLD)
        } else {
            None
        };
        if 2 * u64::from(s.spaced) < s.targets {
            self.stats.too_fast += 1;
            if !s.fast_found {
                s.fast_found = true;
                s.run.found = true;
                s.scan.found = true;
                self.stats.fast_findings += 1;
                let f = Finding {
                    fast: true,
                    ..finding(key.src, s, trigger, now)
                };
                if 2 * u64::from(s.refused) > s.targets {
                    // refused targets: wait to see whether the source asks them again
                    self.hold(f, hold_as, now, sink);
                } else {
                    sink(f);
                }
            }
            return;
        }
        s.reported = true;
        s.run.found = true;
        s.scan.found = true;
        let f = finding(key.src, s, trigger, now);
        self.stats.findings += 1;
        if 2 * u64::from(s.refused) > s.targets {
            self.hold(f, hold_as, now, sink);
        } else {
            sink(f);
        }
    }

    /// Hold finding `f` (made at `now`) for [`REPROBE_HOLD`]; the oldest held one is decided
    /// at once when the queue is full.
    fn hold(&mut self, f: Finding, run: Option<RunId>, now: f64, sink: &mut dyn FnMut(Finding)) {
        if self.held.len() >= self.cfg.max_sources {
            if let Some((_, first, first_run, dense)) = self.held.pop_front() {
                self.release(first, first_run, dense, true, sink);
            }
        }
        self.held.push_back((now + REPROBE_HOLD, f, run, None));
    }
}

/// A packet's two addresses as table keys (`a` the source's, `b` the destination's) and their
/// [`premix`]es, computed once per packet for the keys of both directions.
#[derive(Clone, Copy)]
struct Ends {
    a: u128,
    ma: u64,
    b: u128,
    mb: u64,
}

impl Run {
    /// The run key of a target's port.
    fn port_of(key: &TargetKey) -> u32 {
        1 << 24 | u32::from(key.proto) << 16 | u32::from(key.port)
    }

    fn id(&self) -> RunId {
        (self.port, self.failed.first)
    }

    /// Whether the failed target `key`, first probed at `first`, is one of the run's.
    fn holds(&self, key: &TargetKey, first: f64) -> bool {
        Run::port_of(key) == self.port && first >= self.failed.first
    }

    /// Count the failed target `key` (`t`): the run goes on if it is on the run's port, else a
    /// new run begins with it.
    fn add(&mut self, key: &TargetKey, t: &Target) {
        let port = Run::port_of(key);
        let v4 = Ipv6Addr::from(key.dst).to_ipv4_mapped().map(u32::from);
        if port != self.port {
            let a = v4.unwrap_or(0);
            *self = Run {
                port,
                failed: Failures::starting(t),
                lo: a,
                hi: a,
                net: v4.is_some(),
                ..Run::default()
            };
        }
        match v4 {
            Some(a) if self.net && a >> 8 == self.lo >> 8 => {
                self.lo = self.lo.min(a);
                self.hi = self.hi.max(a);
            }
            _ => self.net = false,
        }
        self.failed.count(t);
    }

    /// Whether the run is a sweep of a small block by its density (module documentation,
    /// "Sparse blocks"): at least [`DENSE_HOSTS`] failed hosts, all in one /24, that make at
    /// least half of the addresses from the lowest to the highest of them.
    fn dense(&self) -> bool {
        self.net
            && self.failed.targets >= DENSE_HOSTS
            && self.hi - self.lo < 2 * self.failed.targets
    }

    /// The run as a fast finding ([`Finding::fast`]: the detector drops it when the networks
    /// flagged its span at alert volume) of scanner `src` in the episode begun at `episode`,
    /// made at `now`; `victim` the host of its latest target. Named by its probes as
    /// [`finding`] names an episode.
    fn finding(&self, src: u128, victim: u128, episode: f64, now: f64) -> Finding {
        let f = &self.failed;
        let (port, proto) = ((self.port & 0xffff) as u16, (self.port >> 16) as u8);
        Finding {
            scanner: addr(src),
            victim: addr(victim),
            class: f.class(),
            proto: probe_proto(f.kind, proto),
            trigger: Trigger::Hosts { port, proto },
            first_seen: f.first,
            last_seen: f.last,
            detected_at: now,
            probes: f.probes,
            targets: u64::from(f.targets),
            hosts: u64::from(f.targets),
            victim_ports: 1,
            answered: 0,
            fast: true,
            episode,
            later: false,
        }
    }
}

impl Finding {
    /// The finding as an [`Alert`] about its scanner: `packets` and `total` are the probes to
    /// failed targets, `score` is 1 (a rule, not a network), `class_counts` holds the probes
    /// under the finding's class, no profile (see [`Finding::to_json`] for the evidence).
    pub fn to_alert(&self) -> Alert {
        Alert {
            slow_scan: Some(*self),
            ..Alert::of_rule(
                (self.scanner, self.victim, self.proto),
                self.class,
                self.probes,
                self.probes,
                (self.first_seen, self.last_seen),
            )
        }
    }

    /// The evidence as JSON (for an EVE alert's `nightjar` object).
    pub fn to_json(&self) -> Value {
        let (trigger, port) = match self.trigger {
            Trigger::Ports => ("ports-of-one-host", Value::Null),
            Trigger::FewPorts => ("few-udp-ports-of-one-host", Value::Null),
            Trigger::Hosts { port, proto } => (
                "hosts-on-one-port",
                json!({"port": port, "proto": proto_name(proto)}),
            ),
        };
        json!({
            "rule": if self.trigger == Trigger::FewPorts { "few-udp-ports" } else { "slow-scan" },
            "trigger": trigger,
            "port": port,
            "victim": self.victim.to_string(),
            "victim_ports": self.victim_ports,
            "targets": self.targets,
            "hosts": self.hosts,
            "probes": self.probes,
            "answered": self.answered,
            "fast": self.fast,
            "detected_at": iso8601(self.detected_at),
        })
    }
}

/// The class a finding of probes of `kind` is named: a SYN scan, or a connect scan when
/// `connect` (its SYNs came from `connect()`); the scan of each other flag set; a UDP scan;
/// `other-attack` for ICMP queries and other probes.
fn class_of(kind: Kind, connect: bool) -> Class {
    match kind {
        Kind::Syn if connect => Class::ScanConnect,
        Kind::Syn => Class::ScanSyn,
        Kind::Fin => Class::ScanFin,
        Kind::Null => Class::ScanNull,
        Kind::Xmas => Class::ScanXmas,
        Kind::Maimon => Class::ScanMaimon,
        Kind::Ack => Class::ScanAck,
        Kind::Udp => Class::ScanUdp,
        Kind::Other | Kind::Ping => Class::OtherAttack,
    }
}

/// The finding of source `src` with open episode `s`.
/// The decision on the held candidate `f` of `s`'s latest run, which made no finding of a
/// threshold (module documentation, "Sparse blocks"): dropped as a poller's if most of the
/// run's failed hosts were refused and at least half of those asked again
/// ([`SlowScanStats::polled`]); otherwise the run's finding (and its episode's, if that had
/// none: `s` marked as after the threshold's), counted in `st`. Whether to report it.
fn settle_dense(s: &mut Source, f: &Finding, st: &mut SlowScanStats) -> bool {
    let r = &s.run;
    if 2 * r.failed.refused > r.failed.targets && 2 * r.reprobed >= r.failed.refused.max(1) {
        st.polled += 1;
        return false;
    }
    s.run.found = true;
    if !s.run.dense_after {
        s.scan.found = true;
        if f.fast {
            s.fast_found = true;
        } else {
            s.reported = true;
        }
    }
    count_dense(f, st);
    true
}

/// Count a finding made by a sweep's density, reported.
fn count_dense(f: &Finding, st: &mut SlowScanStats) {
    st.dense_sweeps += 1;
    st.fast_findings += u64::from(f.fast);
    st.findings += u64::from(!f.fast);
}

fn finding(src: u128, s: &Source, trigger: Trigger, now: f64) -> Finding {
    let kind = dominant(s);
    let class = class_of(kind, connects(s));
    Finding {
        scanner: addr(src),
        victim: addr(s.best_host),
        class,
        proto: match (kind, trigger) {
            (Kind::Udp, _) => 17,
            (Kind::Ping, Trigger::Hosts { proto, .. }) => proto,
            (Kind::Ping, Trigger::Ports) => 1,
            _ => 6,
        },
        trigger,
        first_seen: s.first_probe,
        last_seen: s.last_probe,
        detected_at: now,
        probes: s.probes,
        targets: s.targets,
        hosts: u64::from(s.hosts.n),
        victim_ports: u64::from(s.best_host_n),
        answered: s.answered,
        fast: false,
        episode: s.start,
        later: false,
    }
}

/// The kind of probe of most of episode `s`'s failed targets, which names its finding.
/// The IP protocol of a finding of one port's probes of kind `kind` (`proto` the target's
/// key's, an ICMP query's own).
fn probe_proto(kind: Kind, proto: u8) -> u8 {
    match kind {
        Kind::Ping => proto,
        Kind::Udp => 17,
        _ => 6,
    }
}

fn dominant(s: &Source) -> Kind {
    let (k, _) = s
        .kinds
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, std::cmp::Reverse(*i)))
        .unwrap_or((7, &0));
    KINDS.get(k).copied().unwrap_or(Kind::Other)
}

/// Whether the SYNs of episode `s` came from `connect()`: a new source port and an operating
/// system's options for at least half of its failed SYN targets; with fewer than two, the way
/// it ended a handshake an open port answered (RST+ACK from `close()`, a bare RST from a raw
/// scanner's kernel).
fn connects(s: &Source) -> bool {
    if s.syn_targets >= 2 {
        2 * s.syn_sport_changes >= s.syn_targets && 2 * s.syn_os >= s.syn_targets
    } else {
        s.ack_rst > s.bare_rst
    }
}

/// The ICMP query `p` is half of ([`icmp_query`]: echo, timestamp, information or address
/// mask, ICMPv6 echo) and the type of its request: the host-discovery probes of `ping`, `fping`
/// and `nmap -sn` (`-PE`, `-PP`, `-PM`) and their answers.
fn ping(p: &PacketRepr) -> Option<(Query, u8)> {
    let q = icmp_query(p)?;
    let request = match (q, p.proto, p.icmp_type) {
        (Query::Request, _, t) => t,
        (Query::Reply, 1, 0) => 8,
        (Query::Reply, 1, t) => t.saturating_sub(1),
        (Query::Reply, _, _) => 128,
    };
    Some((q, request))
}

/// ICMPv6 neighbour solicitation and advertisement (RFC 4861 §4.3, §4.4).
const ND_SOLICIT: u8 = 135;
const ND_ADVERT: u8 = 136;
/// The "port" of a neighbour-solicitation probe's target.
const ND_PORT: u16 = ND_SOLICIT as u16;

/// The solicited-node multicast group of `a` (RFC 4291 §2.7.1: ff02::1:ff00:0/104 with the
/// address's low 24 bits), to which a host sends its neighbour solicitation for `a` when it
/// does not know `a`'s link-layer address (RFC 4861 §7.2.2).
///
/// IPv6 host discovery on a link is neighbour discovery, as it is ARP on an IPv4 LAN:
/// `nmap -6 -sn` of an on-link prefix (run as root) solicits each address's group and sends
/// its echo request only to those that advertise back, so the sweep is seen as solicitations
/// to many groups, each answered (live host) or not. A solicitation is taken as a ping of
/// its group, answered by the target's advertisement to the solicitor: a host resolving the
/// neighbours it talks to has its solicitations answered; a sweep of an on-link prefix fails
/// on every unused address (the group stands for the address: distinct addresses differing
/// only above their low 24 bits share one group, and count once).
fn solicited_node(a: Ipv6Addr) -> Ipv6Addr {
    let low = u128::from(a) & 0x00ff_ffff;
    Ipv6Addr::from(SOLICITED_NODE_PREFIX | low)
}

/// ff02::1:ff00:0, the solicited-node groups' /104 prefix.
const SOLICITED_NODE_PREFIX: u128 = 0xff02_0000_0000_0000_0000_0001_ff00_0000;

/// Whether `a` is a solicited-node multicast group.
fn is_solicited_node(a: Ipv6Addr) -> bool {
    u128::from(a) & !0x00ff_ffff == SOLICITED_NODE_PREFIX
}

/// An address back from its table key (IPv4-mapped keys are IPv4 addresses).
fn addr(k: u128) -> IpAddr {
    let a = Ipv6Addr::from(k);
    a.to_ipv4_mapped().map_or(IpAddr::V6(a), IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::Scope;
    use crate::features::tests::{icmp_unreach, tcp, udp};
    use std::net::Ipv4Addr;

    const A: &str = "198.18.0.66";
    const V: &str = "198.18.0.10";
    const C: &str = "198.18.0.20";
    const T0: f64 = 1_795_900_000.0;

    fn rule() -> SlowScan {
        SlowScan::new(SlowScanConfig::default()).unwrap()
    }

    /// Feed `pkts` in order and finish; every finding.
    fn run(r: &mut SlowScan, pkts: &[PacketRepr]) -> Vec<Finding> {
        let mut out = Vec::new();
        for p in pkts {
            r.push(p, &mut |f| out.push(f));
        }
        r.finish(&mut |f| out.push(f));
        out
    }

    /// The `k`-th of `n` ports in a scrambled order (nmap randomises the port order); `n`
    /// not a multiple of 13.
    fn port(k: u32, n: u32) -> u16 {
        1000 + ((k * 13) % n) as u16
    }

    /// A slow scan of `n` closed ports of `V`, one probe every `gap` seconds from source
    /// port 61000, each probe with `flags` answered (1 ms later) by `reply` flags, or by an
    /// ICMP port unreachable when `reply` is `None` and `icmp`, or by nothing.
    fn scan(n: u32, gap: f64, flags: u8, reply: Option<u8>, icmp: bool) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        for k in 0..n {
            let t = T0 + f64::from(k) * gap;
            let p = tcp(t, A, V, 61000, port(k, n), flags);
            if let Some(r) = reply {
                v.push(p);
                v.push(tcp(t + 0.001, V, A, p.dport, 61000, r));
            } else if icmp {
                v.push(p);
                v.push(icmp_unreach(t + 0.001, V, A, &p));
            } else {
                v.push(p);
            }
        }
        v
    }

    /// `scan` shifted by `dt` seconds.
    fn later(mut v: Vec<PacketRepr>, dt: f64) -> Vec<PacketRepr> {
        for p in &mut v {
            p.ts += dt;
        }
        v
    }

    /// One SYN from port 40000 to `port` of each host `198.18.1.{h}` of `hosts`, 5 ms apart
    /// from `t`; the hosts in `live` answer with a SYN-ACK 1 ms later, those in `gone` with a
    /// router's ICMP host unreachable, the others not at all.
    fn sweep(t: f64, hosts: &[u32], live: &[u32], gone: &[u32], port: u16) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        for (k, h) in hosts.iter().enumerate() {
            let at = t + k as f64 * 0.005;
            let dst = format!("198.18.1.{h}");
            let p = tcp(at, A, &dst, 40000, port, SYN);
            v.push(p);
            if live.contains(h) {
                v.push(tcp(at + 0.001, &dst, A, port, 40000, SYN | ACK));
            } else if gone.contains(h) {
                v.push(icmp_unreach(at + 0.001, "198.18.1.1", A, &p));
            }
        }
        v
    }

    #[test]
    fn a_sweep_of_a_half_empty_block_is_found_below_the_host_threshold() {
        // nmap -sV -p 30303 of 198.18.1.0/27 (session 25's peerdial run 2): sixteen live peers
        // (.11-.18, .21-.28) answer, the sixteen other addresses are silent: a run of sixteen
        // failed hosts over 32 addresses, under the host threshold (25)
        let all: Vec<u32> = (0..32).collect();
        let live: Vec<u32> = (11..=18).chain(21..=28).collect();
        let mut r = rule();
        let f = run(&mut r, &sweep(T0, &all, &live, &[], 30303));
        assert_eq!(f.len(), 1, "{f:?}");
        let f0 = f[0];
        assert_eq!(
            (f0.class, f0.trigger, f0.fast, f0.later),
            (
                Class::ScanSyn,
                Trigger::Hosts {
                    port: 30303,
                    proto: 6
                },
                true,
                false
            )
        );
        // found at the twelfth failed host (.0-.10 and .19: 12 of 20 addresses)
        assert_eq!((f0.hosts, f0.targets), (12, 12));
        assert_eq!(f0.scanner.to_string(), A);
        assert_eq!((r.stats().dense_sweeps, r.stats().fast_findings), (1, 1));
        // the same behind a router that answers the empty addresses with host unreachables
        // (refused, so held for a poller's next round; nobody asks again)
        let gone: Vec<u32> = all.iter().copied().filter(|h| !live.contains(h)).collect();
        let mut r = rule();
        let f = run(&mut r, &sweep(T0, &all, &live, &gone, 30303));
        assert_eq!(f.len(), 1, "{f:?}");
        // zmap's random order over a /26 with 4 live hosts reaches the threshold (25) within
        // the hold: one finding, the threshold's, as before
        let mut order: Vec<u32> = (0..64).collect();
        for k in 0..64 {
            order.swap(k, (k * 37 + 11) % 64);
        }
        let mut r = rule();
        let f = run(&mut r, &sweep(T0, &order, &[5, 9, 20, 45], &[], 445));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].hosts, r.stats().dense_sweeps), (25, 0));
        // a /28 with five live hosts: eleven failed hosts, too few
        let mut r = rule();
        let f = run(
            &mut r,
            &sweep(T0, &(0..16).collect::<Vec<_>>(), &[1, 3, 5, 7, 9], &[], 22),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn a_client_failing_on_a_few_hosts_for_hours_counts_each_once() {
        // a client trying a closed port (9090) of four servers in turn for two hours, one
        // every 100 s (each server every 400 s, longer than the window: its target starts
        // afresh), refused each time ("A long day", session 28: a busy client of the lab did
        // so on 9090 of .10-.13, and a replay of its hour made a 12-"host" block of four)
        let attempts = |src: &str, t0: f64, n: u32| -> Vec<PacketRepr> {
            (0..n)
                .flat_map(|k| {
                    let t = t0 + 100.0 * f64::from(k);
                    let dst = format!("198.18.0.{}", 10 + k % 4);
                    let p = tcp(t, src, &dst, 40000 + k as u16, 9090, SYN);
                    [p, tcp(t + 0.001, &dst, src, 9090, p.sport, RST | ACK)]
                })
                .collect()
        };
        let mut r = rule();
        let f = run(&mut r, &attempts(C, T0, 72));
        assert!(f.is_empty(), "{f:?}");
        // ... while it also fails on a new closed port of another server every 60 s, which
        // keeps its episode open all the while: still four targets on 9090
        let mut v = attempts(C, T0, 72);
        for k in 0..120u32 {
            let t = T0 + 30.0 + 60.0 * f64::from(k);
            let p = tcp(t, C, "198.18.0.14", 50000 + k as u16, 2000 + k as u16, SYN);
            v.push(p);
            v.push(tcp(
                t + 0.001,
                "198.18.0.14",
                C,
                p.dport,
                p.sport,
                RST | ACK,
            ));
        }
        v.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        let f = run(&mut rule(), &v);
        assert!(f.is_empty(), "{f:?}");
        // a sweep of 9090 over 12 hosts of the block, one every 30 s, is still one
        let mut sweep12 = Vec::new();
        for k in 0..12u32 {
            let t = T0 + 30.0 * f64::from(k);
            let dst = format!("198.18.0.{}", 100 + k);
            let p = tcp(t, C, &dst, 41000 + k as u16, 9090, SYN);
            sweep12.push(p);
            sweep12.push(tcp(t + 0.001, &dst, C, 9090, p.sport, RST | ACK));
        }
        let f = run(&mut rule(), &sweep12);
        assert_eq!(f.len(), 1, "{f:?}");
        // and the client's slow scan of 15 ports of a server after its two hours is found
        let mut v = attempts(C, T0, 72);
        for k in 0..15u32 {
            let t = T0 + 7300.0 + 20.0 * f64::from(k);
            let p = tcp(t, C, V, 61000, port(k, 15), SYN);
            v.push(p);
            v.push(tcp(t + 0.001, V, C, p.dport, 61000, RST | ACK));
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].trigger, f[0].victim_ports),
            (Trigger::Ports, 15),
            "{f:?}"
        );
    }

    #[test]
    fn absent_peers_and_dead_hosts_a_client_talks_to_are_no_sparse_block() {
        // a P2P node dialling 8 live peers and 8 absent addresses in a row (.200-.207): dense,
        // but eight
        let peers = [
            5, 200, 9, 201, 202, 20, 203, 45, 204, 205, 50, 206, 60, 207, 70, 80,
        ];
        let f = run(
            &mut rule(),
            &sweep(T0, &peers, &[5, 9, 20, 45, 50, 60, 70, 80], &[], 30303),
        );
        assert!(f.is_empty(), "{f:?}");
        // sixteen absent peers scattered over their /24 (a DHT's, or an Ethereum node's
        // stale peer table): sixteen failed hosts, but over 226 addresses
        let scattered: Vec<u32> = (0..16).map(|k| 7 + k * 15).collect();
        let f = run(&mut rule(), &sweep(T0, &scattered, &[], &[], 30303));
        assert!(f.is_empty(), "{f:?}");
        // ... or over two /24s
        let mut two = sweep(T0, &(0..8).collect::<Vec<_>>(), &[], &[], 30303);
        for p in sweep(T0 + 0.1, &(0..8).collect::<Vec<_>>(), &[], &[], 30303) {
            let dst = match p.dst {
                IpAddr::V4(a) => IpAddr::V4(Ipv4Addr::from(u32::from(a) + 256)),
                d => d,
            };
            two.push(PacketRepr { dst, ..p });
        }
        let f = run(&mut rule(), &two);
        assert!(f.is_empty(), "{f:?}");
        // a poller watching fourteen hosts of a rack that is down (.100-.113), its router
        // answering with host unreachables, asked again every 5 s: a poller's, dropped
        let rack: Vec<u32> = (100..114).collect();
        let rounds: Vec<PacketRepr> = (0..30)
            .flat_map(|k| sweep(T0 + 5.0 * f64::from(k), &rack, &[], &rack, 9100))
            .collect();
        let mut r = rule();
        let f = run(&mut r, &rounds);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!((r.stats().polled, r.stats().dense_sweeps), (1, 0));
    }

    /// A sweep of `ports` over 198.18.1.0 + `hosts` from [`A`], `gap` s a probe, hosts in
    /// parallel and each host's ports in its own order (nmap's default: the probe after a
    /// host's is another host's, on another port, so no run lasts two hosts): a `live` host
    /// answers 22 and 80 with a SYN-ACK and refuses every other port, a `gone` one is
    /// answered by its router's host unreachable, any other is silent.
    fn ports_sweep(
        t: f64,
        gap: f64,
        hosts: &[u32],
        ports: &[u16],
        live: &[u32],
        gone: &[u32],
    ) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        let mut at = t;
        for r in 0..ports.len() {
            for (i, h) in hosts.iter().enumerate() {
                let port = ports[(r + i) % ports.len()];
                let dst = Ipv4Addr::from(0xc612_0100 + h).to_string();
                let p = tcp(at, A, &dst, 40000, port, SYN);
                v.push(p);
                if live.contains(h) {
                    let fl = if port == 22 || port == 80 {
                        SYN | ACK
                    } else {
                        RST | ACK
                    };
                    v.push(tcp(at + 0.001, &dst, A, port, 40000, fl));
                } else if gone.contains(h) {
                    v.push(icmp_unreach(at + 0.001, "198.18.1.1", A, &p));
                }
                at += gap;
            }
        }
        v
    }

    const FIVE: [u16; 5] = [22, 80, 443, 445, 3389];

    #[test]
    fn a_sweep_of_several_ports_over_a_block_is_found_by_one_ports_hosts() {
        // nmap -sS --scan-delay 2.5s -p 22,80,443,445,3389 of 198.18.1.0/28 with five live hosts
        // (two ports open, three refused) and eleven empty addresses: every port fails on
        // eleven to sixteen hosts, fewer than 25; no host on 15 ports; and no run on a port
        // lasts two hosts
        let all: Vec<u32> = (0..16).collect();
        let live = [2, 3, 5, 7, 9];
        let mut r = rule();
        let f = run(&mut r, &ports_sweep(T0, 2.5, &all, &FIVE, &live, &[]));
        assert_eq!(f.len(), 1, "{f:?}");
        let f0 = f[0];
        assert_eq!(
            (f0.class, f0.fast, f0.later),
            (Class::ScanSyn, false, false)
        );
        assert!(
            matches!(f0.trigger, Trigger::Hosts { proto: 6, .. }),
            "{f0:?}"
        );
        // at the twelfth failed host on a port: the episode's figures
        assert!(f0.hosts >= u64::from(DENSE_HOSTS), "{f0:?}");
        assert_eq!((r.stats().dense_blocks, r.stats().dense_sweeps), (1, 0));
        // the same at nmap's own pace (-T4: a probe every 5 ms; --max-rate 5 too): a fast
        // finding, the networks' to alert or not
        let mut r = rule();
        let f = run(&mut r, &ports_sweep(T0, 0.005, &all, &FIVE, &live, &[]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].fast, "{:?}", f[0]);
        // behind a router that answers the empty addresses with host unreachables (refused,
        // held for a poller's next round; nobody asks again)
        let gone: Vec<u32> = all.iter().copied().filter(|h| !live.contains(h)).collect();
        let mut r = rule();
        let f = run(&mut r, &ports_sweep(T0, 0.2, &all, &FIVE, &live, &gone));
        assert_eq!((f.len(), r.stats().dense_blocks), (1, 1), "{f:?}");
        // then 198.18.2.0/28 and the next /28 of the first /24 (.16-.31) by the same source,
        // 20 s apart: blocks of their own, a fast finding of each; then the first /28 again
        // with the same probes: none (its targets failed already in this episode)
        let mut r = rule();
        let mut pkts = ports_sweep(T0, 0.2, &all, &FIVE, &live, &[]);
        let next: Vec<u32> = (256..272).collect();
        pkts.extend(ports_sweep(
            T0 + 36.0,
            0.2,
            &next,
            &FIVE,
            &[257, 260, 261],
            &[],
        ));
        let same: Vec<u32> = (16..32).collect();
        pkts.extend(ports_sweep(
            T0 + 72.0,
            0.2,
            &same,
            &FIVE,
            &[17, 20, 21],
            &[],
        ));
        pkts.extend(ports_sweep(T0 + 108.0, 0.2, &all, &FIVE, &live, &[]));
        let f = run(&mut r, &pkts);
        assert_eq!(f.len(), 3, "{f:?}");
        assert!(f[1].fast && f[1].first_seen >= T0 + 36.0, "{:?}", f[1]);
        assert_eq!(
            f[1].victim.to_string().rsplit_once('.').unwrap().0,
            "198.18.2"
        );
        assert!(f[2].fast && f[2].first_seen >= T0 + 72.0, "{:?}", f[2]);
        assert_eq!(
            f[2].victim.to_string().rsplit_once('.').unwrap().0,
            "198.18.1"
        );
        assert_eq!(r.stats().dense_blocks, 3);
        // a /28 with eight live hosts: eight failed hosts on 22 and 80, sixteen on the other
        // three ports (the live hosts refuse them), twelve at least: found
        let f = run(
            &mut rule(),
            &ports_sweep(T0, 0.2, &all, &FIVE, &[0, 2, 4, 6, 8, 10, 12, 14], &[]),
        );
        assert_eq!(f.len(), 1, "{f:?}");
        // one sweep of a /26 (eight live hosts) in one go, at nmap's pace: one block finding,
        // the sweep's later failures going on with the block found (a run of 25 on one port
        // may make a later sweep's finding as before)
        let big: Vec<u32> = (0..64).collect();
        let mut r = rule();
        let f = run(
            &mut r,
            &ports_sweep(T0, 0.05, &big, &FIVE, &[3, 9, 17, 30, 33, 41, 50, 62], &[]),
        );
        assert_eq!(r.stats().dense_blocks, 1, "{f:?}");
        assert!(!f.is_empty() && f.len() <= 2, "{f:?}");
        // eleven hosts of a /28 (.0-.10) over five ports: too few
        let f = run(
            &mut rule(),
            &ports_sweep(T0, 0.2, &all[..11], &FIVE, &[], &[]),
        );
        assert!(f.is_empty(), "{f:?}");
        // a sweep of one port in a row is still a run's ("Sparse blocks"), not a block's
        let mut r = rule();
        let f = run(&mut r, &ports_sweep(T0, 0.2, &all, &[445], &[], &[]));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((r.stats().dense_sweeps, r.stats().dense_blocks), (1, 0));
    }

    #[test]
    fn pollers_and_clients_of_a_few_ports_on_many_hosts_are_no_block_sweep() {
        // a poller of ports 22, 9100 and 80 on fourteen hosts of a rack (.100-.113) that
        // refuse 9100 and 22, asked again every 5 s: each port fails on fourteen hosts in a
        // block, its runs cut by the other ports; mostly refused and asked again: dropped
        let rack: Vec<u32> = (100..114).collect();
        let mut rounds = Vec::new();
        for k in 0..30 {
            let t = T0 + 5.0 * f64::from(k);
            for (i, h) in rack.iter().enumerate() {
                let dst = format!("198.18.1.{h}");
                for (j, port) in [22u16, 9100, 80].into_iter().enumerate() {
                    let at = t + (i * 3 + j) as f64 * 0.01;
                    let sport = 40000 + (k as u16 * 64 + (i * 3 + j) as u16);
                    rounds.push(tcp(at, A, &dst, sport, port, SYN));
                    let fl = if port == 80 { SYN | ACK } else { RST | ACK };
                    rounds.push(tcp(at + 0.001, &dst, A, port, sport, fl));
                }
            }
        }
        let mut r = rule();
        let f = run(&mut r, &rounds);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(r.stats().dense_blocks, 1);
        assert!(r.stats().polled >= 1);
        // the same rack powered off behind its router (host unreachables), asked again
        let mut rounds = Vec::new();
        for k in 0..30 {
            rounds.extend(ports_sweep(
                T0 + 5.0 * f64::from(k),
                0.01,
                &rack,
                &[22, 9100, 80],
                &[],
                &rack,
            ));
        }
        let mut r = rule();
        let f = run(&mut r, &rounds);
        assert!(f.is_empty(), "{f:?}");
        // a P2P client asking six random peers of twenty (.100-.119) every 3 s on TCP and UDP
        // 6881, closed on all of them (RSTs, port unreachables): held, and its refused
        // targets asked again twice: dropped
        let mut rounds = Vec::new();
        let mut x: u32 = 7;
        for k in 0..50 {
            let t = T0 + 3.0 * f64::from(k);
            for j in 0..6u16 {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let dst = format!("198.18.1.{}", 100 + (x >> 16) % 20);
                let at = t + f64::from(j) * 0.05;
                let sport = 20000 + (k as u16) * 8 + j;
                let p = tcp(at, A, &dst, sport, 6881, SYN);
                rounds.push(p);
                rounds.push(tcp(at + 0.001, &dst, A, 6881, sport, RST | ACK));
                let u = udp(at + 0.002, A, &dst, 6881, 6881, 40);
                rounds.push(icmp_unreach(at + 0.003, &dst, A, &u));
                rounds.push(u);
            }
        }
        rounds.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        let mut r = rule();
        let f = run(&mut r, &rounds);
        assert!(f.is_empty(), "{f:?}");
        // a client failing on a few ports of scattered hosts over its /24 (gone P2P peers on
        // 6881 and 30303, a printer scan of 9100 and 515): sixteen hosts on each port, over
        // 226 addresses
        let scattered: Vec<u32> = (0..16).map(|k| 7 + k * 15).collect();
        let f = run(
            &mut rule(),
            &ports_sweep(T0, 0.5, &scattered, &[6881, 30303, 9100, 515], &[], &[]),
        );
        assert!(f.is_empty(), "{f:?}");
        // eight absent peers in a row on two ports (a P2P node's): too few
        let f = run(
            &mut rule(),
            &ports_sweep(
                T0,
                0.5,
                &(200..208).collect::<Vec<_>>(),
                &[30303, 6881],
                &[],
                &[],
            ),
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn scans_of_one_host_by_other_probes_after_the_first_are_findings_of_their_own() {
        // from one address (a NAT's): a slow FIN scan of 20 closed ports, then slow NULL and
        // Xmas scans of the same ports; each probe refused
        let fin = scan(20, 3.0, FIN, Some(RST | ACK), false);
        let null = later(scan(20, 3.0, 0, Some(RST | ACK), false), 70.0);
        let xmas = later(
            scan(20, 3.0, FIN | PSH | URG, Some(RST | ACK), false),
            140.0,
        );
        let mut r = rule();
        let f = run(&mut r, &[fin.clone(), null.clone(), xmas].concat());
        // (the FIN scan's finding, mostly refused, is held 90 s for a poller's next round:
        // it comes after the NULL scan's)
        let got: Vec<_> = f.iter().map(|f| (f.class, f.fast, f.targets)).collect();
        assert_eq!(
            got,
            [
                (Class::ScanNull, false, 15),
                (Class::ScanFin, false, 15),
                (Class::ScanXmas, false, 15)
            ]
        );
        // the later scans' own figures, span and identity
        assert_eq!((f[0].victim_ports, f[0].hosts), (15, 1));
        assert_eq!((f[0].first_seen, f[0].episode), (T0 + 70.0, T0 + 70.0));
        assert_eq!(f[0].trigger, Trigger::Ports);
        // a later scan at nmap's own pace is the networks' if they flag it against its host
        // (the detector decides): a fast finding of its own, named and spanned by its probes
        let mut r = rule();
        let fast = later(scan(20, 0.01, 0, Some(RST | ACK), false), 70.0);
        let f = run(&mut r, &[fin.clone(), fast].concat());
        let got: Vec<_> = f.iter().map(|f| (f.class, f.fast, f.later)).collect();
        assert_eq!(
            got,
            [
                (Class::ScanNull, true, true),
                (Class::ScanFin, false, false)
            ]
        );
        assert_eq!((f[0].first_seen, f[0].episode), (T0 + 70.0, T0 + 70.0));
        // the legitimate look-alikes: the same FIN scan again (its refused targets asked
        // again by the same probe: a poller's next round) makes no finding of its own, and
        // the first one's held finding is a poller's, as before
        let mut r = rule();
        let f = run(&mut r, &[fin.clone(), later(fin.clone(), 70.0)].concat());
        assert_eq!(f.len(), 0, "{f:?}");
        assert_eq!(r.stats().polled, 1);
        // ... nor does a second kind of probe of too few ports
        let mut r = rule();
        let few = later(scan(14, 3.0, 0, Some(RST | ACK), false), 70.0);
        let f = run(&mut r, &[fin, few].concat());
        assert_eq!(f.len(), 1, "{f:?}");
        // and without an episode's finding first, ten ports scanned by two probes are ten
        // failed ports of the host, no scan
        let mut r = rule();
        let f = run(
            &mut r,
            &[
                scan(10, 3.0, FIN, Some(RST | ACK), false),
                later(scan(10, 3.0, 0, Some(RST | ACK), false), 40.0),
            ]
            .concat(),
        );
        assert_eq!(f.len(), 0, "{f:?}");
    }

    #[test]
    fn a_slow_syn_scan_of_closed_ports_is_one_finding_named_by_its_probes() {
        // 20 closed ports, 15 s apart (nmap -T1), each refused with RST+ACK
        let mut r = rule();
        let f = run(&mut r, &scan(20, 15.0, SYN, Some(RST | ACK), false));
        assert_eq!(f.len(), 1, "{f:?}");
        let f = f[0];
        assert_eq!(f.class, Class::ScanSyn);
        assert_eq!(f.trigger, Trigger::Ports);
        assert_eq!(f.scanner.to_string(), A);
        assert_eq!(f.victim.to_string(), V);
        assert_eq!(f.proto, 6);
        // reported at the 15th failed port: the figures of that moment
        assert_eq!(
            (f.targets, f.victim_ports, f.hosts, f.probes),
            (15, 15, 1, 15)
        );
        assert_eq!(f.first_seen, T0);
        assert_eq!(f.last_seen, T0 + 14.0 * 15.0);
        assert!((f.detected_at - (T0 + 14.0 * 15.0 + 0.001)).abs() < 1e-6);
        assert_eq!(f.answered, 0);
        let st = r.stats();
        assert_eq!((st.probes, st.refused, st.findings), (20, 20, 1));
    }

    #[test]
    fn fin_null_xmas_maimon_ack_and_udp_probes_name_their_scans() {
        // FIN, NULL and Xmas probes: closed ports answer RST+ACK
        for (flags, class) in [
            (FIN, Class::ScanFin),
            (0, Class::ScanNull),
            (FIN | PSH | URG, Class::ScanXmas),
            (0x3f & !RST & !ACK & !SYN, Class::ScanXmas),
        ] {
            let f = run(&mut rule(), &scan(20, 15.0, flags, Some(RST | ACK), false));
            assert_eq!(f.len(), 1, "{flags:#x}: {f:?}");
            assert_eq!(f[0].class, class, "{flags:#x}");
        }
        // ... and open ports say nothing: a FIN scan of ports that all drop it silently
        let f = run(&mut rule(), &scan(20, 15.0, FIN, None, false));
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].class, f[0].targets), (Class::ScanFin, 15));
        // Maimon (FIN+ACK) and ACK probes: a bare RST answers them
        for (flags, class) in [(FIN | ACK, Class::ScanMaimon), (ACK, Class::ScanAck)] {
            let f = run(&mut rule(), &scan(20, 15.0, flags, Some(RST), false));
            assert_eq!(f.len(), 1, "{flags:#x}: {f:?}");
            assert_eq!(f[0].class, class, "{flags:#x}");
        }
        // UDP probes refused with ICMP port unreachable, 8 s apart
        let mut v = Vec::new();
        for k in 0..21u32 {
            let t = T0 + f64::from(k) * 8.0;
            let p = udp(t, A, V, 50000, port(k, 21), 28);
            v.push(p);
            v.push(icmp_unreach(t + 0.001, V, A, &p));
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].class, f[0].proto), (Class::ScanUdp, 17));
        // a filtered host: SYNs nobody answers fail after the answer timeout
        let mut r = rule();
        let f = run(&mut r, &scan(20, 15.0, SYN, None, false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].class, Class::ScanSyn);
        // known when the clock passed the 15th probe's timeout: at the 16th probe
        assert_eq!(f[0].last_seen, T0 + 14.0 * 15.0);
        assert_eq!(f[0].detected_at, T0 + 15.0 * 15.0);
        assert_eq!(r.stats().silent, 20, "the last ones at finish");
    }

    #[test]
    fn a_connect_scan_takes_a_new_source_port_per_probe_and_completes_handshakes() {
        let mut v = Vec::new();
        for k in 0..20u32 {
            let t = T0 + f64::from(k) * 10.0;
            let sp = 40000 + k as u16 * 3;
            let dp = port(k, 20);
            // Linux's SYN: MSS, SACK, timestamps, window scale (a 40-byte TCP header)
            v.push(PacketRepr {
                ip_len: 60,
                ..tcp(t, A, V, sp, dp, SYN)
            });
            if k == 4 {
                // an open port: handshake, then connect()'s close with RST+ACK
                v.push(tcp(t + 0.001, V, A, dp, sp, SYN | ACK));
                v.push(tcp(t + 0.002, A, V, sp, dp, ACK));
                v.push(tcp(t + 0.003, A, V, sp, dp, RST | ACK));
            } else {
                v.push(tcp(t + 0.001, V, A, dp, sp, RST | ACK));
            }
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanConnect);
        assert_eq!((f[0].targets, f[0].answered), (15, 1));
        // the same SYNs with a bare 20-byte TCP header (hping3 -S -p ++N, a new source port
        // per probe) are a SYN scan
        for p in v.iter_mut().filter(|p| p.tcp_flags == SYN) {
            p.ip_len = 40;
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanSyn);
    }

    #[test]
    fn clients_of_services_that_answer_are_never_scanners() {
        // 100 connections to 50 hosts × 2 ports each, over 10 minutes, all answered and
        // closed, plus DNS queries answered from port 53 and server-side FIN+ACKs and ACKs
        let mut v = Vec::new();
        for k in 0..100u32 {
            let t = T0 + f64::from(k) * 6.0;
            let h = format!("198.18.1.{}", 1 + k / 2);
            let sp = 40000 + k as u16;
            let dp = if k % 2 == 0 { 443 } else { 8000 + k as u16 };
            v.push(tcp(t, C, &h, sp, dp, SYN));
            v.push(tcp(t + 0.001, &h, C, dp, sp, SYN | ACK));
            v.push(tcp(t + 0.002, C, &h, sp, dp, ACK));
            let mut d = tcp(t + 0.003, C, &h, sp, dp, PSH | ACK);
            d.payload_len = 300;
            v.push(d);
            let mut d = tcp(t + 0.004, &h, C, dp, sp, PSH | ACK);
            d.payload_len = 1200;
            v.push(d);
            v.push(tcp(t + 0.005, C, &h, sp, dp, ACK));
            v.push(tcp(t + 0.006, &h, C, dp, sp, FIN | ACK));
            v.push(tcp(t + 0.007, C, &h, sp, dp, FIN | ACK));
            v.push(tcp(t + 0.008, &h, C, dp, sp, ACK));
            // a server that resets instead of closing: the client's late ACK gets a bare RST
            if k % 3 == 0 {
                v.push(tcp(t + 0.009, &h, C, dp, sp, RST));
            }
            let q = udp(t + 0.01, C, "198.18.0.53", 30000 + k as u16, 53, 60);
            v.push(q);
            v.push(udp(t + 0.011, "198.18.0.53", C, 53, 30000 + k as u16, 120));
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(r.stats().refused + r.stats().silent, 0, "{:?}", r.stats());
    }

    #[test]
    fn a_client_seen_one_way_reaches_the_ports_it_goes_on_acknowledging() {
        // a capture of the client's direction only: 30 connections to 30 ports of a server,
        // 10 s apart, each a SYN, the handshake's ACK, a request and a close; nothing back
        let conn = |k: u32, handshake: bool| {
            let t = T0 + f64::from(k) * 10.0;
            let (sp, dp) = (40000 + k as u16, 2000 + k as u16);
            let mut v = vec![tcp(t, C, V, sp, dp, SYN)];
            if handshake {
                v.push(tcp(t + 0.002, C, V, sp, dp, ACK));
                let mut d = tcp(t + 0.003, C, V, sp, dp, PSH | ACK);
                d.payload_len = 300;
                v.push(d);
                v.push(tcp(t + 0.005, C, V, sp, dp, FIN | ACK));
            }
            v
        };
        let mut r = rule();
        let v: Vec<PacketRepr> = (0..30).flat_map(|k| conn(k, true)).collect();
        let f = run(&mut r, &v);
        assert!(f.is_empty(), "{f:?}");
        let st = r.stats();
        assert_eq!((st.silent, st.refused), (0, 0), "{st:?}");
        // the same SYNs with no ACK after them: 30 silent ports, a slow SYN scan
        let mut r = rule();
        let v: Vec<PacketRepr> = (0..30).flat_map(|k| conn(k, false)).collect();
        let f = run(&mut r, &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanSyn);
        // an ACK from another source port than the SYN's answers nothing (nmap's ACK probe
        // after its SYN probe of the same port)
        let mut r = rule();
        let v: Vec<PacketRepr> = (0..30)
            .flat_map(|k| {
                let t = T0 + f64::from(k) * 10.0;
                let dp = 2000 + k as u16;
                [
                    tcp(t, A, V, 61000, dp, SYN),
                    tcp(t + 0.002, A, V, 61001, dp, ACK),
                ]
            })
            .collect();
        let f = run(&mut r, &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].targets, 15);
    }

    #[test]
    fn a_client_retrying_one_closed_port_has_one_failed_target() {
        // 50 attempts, each from a new source port, each refused
        let mut v = Vec::new();
        for k in 0..50u32 {
            let t = T0 + f64::from(k) * 5.0;
            let sp = 40000 + k as u16;
            v.push(tcp(t, C, V, sp, 81, SYN));
            v.push(tcp(t + 0.001, V, C, 81, sp, RST | ACK));
        }
        let mut r = rule();
        assert!(run(&mut r, &v).is_empty());
        assert_eq!(r.stats().refused, 1, "one target, refused once");
        // ... and with a second closed port tried as often: two targets
        let mut v2 = v.clone();
        for p in &mut v2 {
            p.ts += 10_000.0;
            if p.dport == 81 {
                p.dport = 82;
            } else {
                p.sport = 82;
            }
        }
        v.extend(v2);
        assert!(run(&mut rule(), &v).is_empty());
    }

    #[test]
    fn a_scan_is_found_when_its_failures_fill_the_window_and_not_when_spread_thinner() {
        // one port every 6 minutes: each failure is more than the window after the last, so
        // every episode has one target and nothing is found (a Zeek-style windowed count
        // misses it too)
        let f = run(&mut rule(), &scan(40, 360.0, SYN, Some(RST | ACK), false));
        assert!(f.is_empty(), "{f:?}");
        // one port every 4 minutes, or every 22 s: never 15 failed ports within 5 minutes
        // (the episode goes on, but its count slides with the window), so a host that fails on
        // a few closed ports now and then for hours is never a scanner
        for every in [240.0, 22.0] {
            let f = run(&mut rule(), &scan(40, every, SYN, Some(RST | ACK), false));
            assert!(f.is_empty(), "every {every} s: {f:?}");
        }
        // one every 20 s: 15 failed ports in 280 s, found at the 15th
        let f = run(&mut rule(), &scan(40, 20.0, SYN, Some(RST | ACK), false));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].targets, 15);
        assert_eq!(f[0].last_seen - f[0].first_seen, 14.0 * 20.0);
        // a pause longer than the window ends the episode: 10 ports, 6 minutes' quiet, 10
        // more is two episodes of 10, nothing found
        let mut v = scan(10, 15.0, SYN, Some(RST | ACK), false);
        let mut more = scan(20, 15.0, SYN, Some(RST | ACK), false);
        more.drain(..20); // ports 10..20 only
        for p in &mut more {
            p.ts += 9.0 * 15.0 + 360.0 - 10.0 * 15.0;
        }
        v.extend(more);
        assert!(run(&mut rule(), &v).is_empty());
    }

    #[test]
    fn an_address_scan_of_one_port_on_many_silent_hosts() {
        // port 445 of 40 addresses, one every 10 s, nobody answers (25 within 5 minutes)
        let mut v = Vec::new();
        for k in 0..40u32 {
            let h = format!("198.18.2.{}", 1 + k);
            v.push(tcp(T0 + f64::from(k) * 10.0, A, &h, 61000, 445, SYN));
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            f[0].trigger,
            Trigger::Hosts {
                port: 445,
                proto: 6
            }
        );
        assert_eq!(
            (f[0].hosts, f[0].victim_ports, f[0].class),
            (25, 1, Class::ScanSyn)
        );
        // the host half off: nothing
        let cfg = SlowScanConfig {
            host_threshold: 0,
            ..SlowScanConfig::default()
        };
        assert!(run(&mut SlowScan::new(cfg).unwrap(), &v).is_empty());
    }

    fn ping(ts: f64, src: &str, dst: &str, proto: u8, ty: u8) -> PacketRepr {
        PacketRepr {
            proto,
            icmp_type: ty,
            tcp_flags: 0,
            window: 0,
            ..tcp(ts, src, dst, 0, 0, 0)
        }
    }

    /// Neighbour solicitation (`ty` 135) from `src` for `target`, sent to `target`'s
    /// solicited-node group, or advertisement (136) from `target` back to `src`.
    fn nd(ts: f64, src: &str, target: &str, ty: u8) -> PacketRepr {
        let t: Ipv6Addr = target.parse().unwrap();
        let (s, d) = if ty == ND_SOLICIT {
            (src.to_string(), solicited_node(t).to_string())
        } else {
            (target.to_string(), src.to_string())
        };
        ping(ts, &s, &d, 58, ty)
    }

    #[test]
    fn solicited_node_groups_are_those_of_rfc_4291() {
        // RFC 4291 §2.7.1's example: 4037::01:800:200E:8C6C → FF02::1:FF0E:8C6C
        let a: Ipv6Addr = "4037::1:800:200e:8c6c".parse().unwrap();
        let g: Ipv6Addr = "ff02::1:ff0e:8c6c".parse().unwrap();
        assert_eq!(solicited_node(a), g);
        assert!(is_solicited_node(g));
        for other in [
            "ff02::1",
            "ff02::fb",
            "ff02::1:fe0e:8c6c",
            "ff12::1:ff0e:8c6c",
            "2001:2::a",
        ] {
            assert!(!is_solicited_node(other.parse().unwrap()), "{other}");
        }
    }

    #[test]
    fn an_on_link_ipv6_sweep_is_found_by_its_unanswered_neighbour_solicitations() {
        // nmap -6 -sn 2001:2::c612:0/122 from the lab's attacker (session 14, ipv6.pcap):
        // a solicitation to each address's solicited-node group (three each, 0.5 s apart
        // here), 64 addresses in 1.6 s; four live hosts advertise back
        const S: &str = "2001:2::c612:42";
        let live = [0x1u32, 0xa, 0x14, 0x1f];
        let mut v = Vec::new();
        for k in 0..64u32 {
            let t = format!("2001:2::c612:{k:x}");
            for r in 0..3u32 {
                let ts = T0 + f64::from(k) * 0.025 + f64::from(r) * 0.5;
                v.push(nd(ts, S, &t, ND_SOLICIT));
                if live.contains(&k) {
                    v.push(nd(ts + 0.0001, S, &t, ND_ADVERT));
                    break;
                }
            }
        }
        v.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        let mut r = SlowScan::neighbour_sweeps(SlowScanConfig::default()).unwrap();
        let f = run(&mut r, &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(
            (f[0].class, f[0].proto, f[0].trigger, f[0].hosts, f[0].fast),
            (
                Class::OtherAttack,
                58,
                Trigger::Hosts {
                    port: ND_PORT,
                    proto: 58
                },
                25,
                true
            )
        );
        assert_eq!(f[0].scanner, S.parse::<IpAddr>().unwrap());
        // the rule for every other packet takes none of it
        assert!(run(&mut rule(), &v).is_empty());
        // nor does this one take what that one does: an address scan of 60 silent hosts
        let syns: Vec<PacketRepr> = (0..60u32)
            .map(|k| {
                tcp(
                    T0 + f64::from(k) * 0.1,
                    A,
                    &format!("2001:db8::{:x}", 1 + k),
                    61000,
                    443,
                    SYN,
                )
            })
            .collect();
        assert_eq!(run(&mut rule(), &syns).len(), 1);
        let mut r = SlowScan::neighbour_sweeps(SlowScanConfig::default()).unwrap();
        assert!(run(&mut r, &syns).is_empty());
    }

    #[test]
    fn resolving_neighbours_dad_and_unicast_rechecks_are_no_sweep() {
        const S: &str = "2001:2::c612:a";
        let sweep = |k: u32| format!("2001:2::c612:{:x}", 0x100 + k);
        let r = || SlowScan::neighbour_sweeps(SlowScanConfig::default()).unwrap();
        // a server resolving 100 clients, each advertising back: nothing
        let mut v = Vec::new();
        for k in 0..100u32 {
            let ts = T0 + f64::from(k) * 0.05;
            v.push(nd(ts, S, &sweep(k), ND_SOLICIT));
            v.push(nd(ts + 0.0002, S, &sweep(k), ND_ADVERT));
        }
        assert!(run(&mut r(), &v).is_empty());
        // the same 100 solicitations unanswered: a sweep
        let silent: Vec<PacketRepr> = v
            .iter()
            .filter(|p| p.icmp_type == ND_SOLICIT)
            .copied()
            .collect();
        assert_eq!(run(&mut r(), &silent).len(), 1);
        // duplicate address detection (from ::) of 100 addresses: nothing
        let dad: Vec<PacketRepr> = silent
            .iter()
            .map(|p| PacketRepr {
                src: "::".parse().unwrap(),
                ..*p
            })
            .collect();
        assert!(run(&mut r(), &dad).is_empty());
        // unicast re-checks of 100 known neighbours that do not answer: nothing
        let nud: Vec<PacketRepr> = (0..100u32)
            .map(|k| ping(T0 + f64::from(k) * 0.05, S, &sweep(k), 58, ND_SOLICIT))
            .collect();
        assert!(run(&mut r(), &nud).is_empty());
        // an advertisement to all nodes answers no one (and is no probe)
        let una: Vec<PacketRepr> = (0..100u32)
            .map(|k| {
                ping(
                    T0 + f64::from(k) * 0.05,
                    &sweep(k),
                    "ff02::1",
                    58,
                    ND_ADVERT,
                )
            })
            .collect();
        assert!(run(&mut r(), &una).is_empty());
    }

    #[test]
    fn a_ping_sweep_of_silent_hosts_is_found_and_answered_pings_are_not() {
        // nmap -sn -PE of a routed /24 (lab, session 10): an echo request to each address,
        // ten a second, nobody answers: found at the 25th silent host, as fast (faster than the
        // rule's minimum interval: the detector reports it if the networks did not flag it)
        let sweep = |proto: u8, ty: u8, net: &str| -> Vec<PacketRepr> {
            (0..60u32)
                .map(|k| {
                    let h = if proto == 58 {
                        format!("{net}{:x}", 1 + k)
                    } else {
                        format!("{net}{}", 1 + k)
                    };
                    ping(T0 + f64::from(k) * 0.1, A, &h, proto, ty)
                })
                .collect()
        };
        for (proto, ty, net) in [
            (1, 8, "198.18.1."),
            (1, 13, "198.18.1."),
            (58, 128, "2001:db8::"),
        ] {
            let f = run(&mut rule(), &sweep(proto, ty, net));
            assert_eq!(f.len(), 1, "{proto}/{ty}: {f:?}");
            assert_eq!(
                (f[0].class, f[0].proto, f[0].trigger, f[0].hosts, f[0].fast),
                (
                    Class::OtherAttack,
                    proto,
                    Trigger::Hosts {
                        port: u16::from(ty),
                        proto
                    },
                    25,
                    true
                )
            );
            assert!(f[0].to_alert().signature().contains("ping sweep"));
        }
        // a monitor pinging 60 hosts that answer: nothing
        let mut v = sweep(1, 8, "198.18.1.");
        let replies: Vec<PacketRepr> = v
            .iter()
            .map(|p| PacketRepr {
                ts: p.ts + 0.001,
                src: p.dst,
                dst: p.src,
                icmp_type: 0,
                ..*p
            })
            .collect();
        v.extend(replies);
        v.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        assert!(run(&mut rule(), &v).is_empty());
        // nor one host pinged again and again while it is down
        let down: Vec<PacketRepr> = (0..300u32)
            .map(|k| ping(T0 + f64::from(k), A, V, 1, 8))
            .collect();
        assert!(run(&mut rule(), &down).is_empty());
        // a TCP address scan as fast as the sweep: the same
        let syns: Vec<PacketRepr> = (0..60u32)
            .map(|k| {
                let h = format!("198.18.1.{}", 1 + k);
                tcp(T0 + f64::from(k) * 0.1, A, &h, 61000, 443, SYN)
            })
            .collect();
        let mut r = rule();
        let f = run(&mut r, &syns);
        assert!(f.len() == 1 && f[0].fast, "{f:?}");
        assert!(r.stats().too_fast > 0);
    }

    #[test]
    fn a_spoofed_flood_from_100000_sources_does_not_grow_memory_nor_hide_an_open_episode() {
        let mut r = rule();
        let mem = r.memory_bytes();
        assert!(mem < 12 << 20, "{mem}");
        let mut found = Vec::new();
        let mut sink = |f: Finding| found.push(f);
        let scanner = scan(20, 15.0, SYN, Some(RST | ACK), false);
        // the scan's first 3 probes open its episode
        for p in &scanner[..6] {
            r.push(p, &mut sink);
        }
        // 100,000 spoofed sources, one unanswered SYN each, and a refused one each to
        // random ports, over the next 15 s; the scan goes on in between
        let mut x = 0x1234_5678u64;
        let mut rest = scanner[6..].iter().peekable();
        for i in 0..100_000u32 {
            x = mix(x);
            let t = T0 + 30.0 + f64::from(i) * 1.5e-4;
            let src = IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 | (x as u32 >> 8)));
            let mut p = tcp(t, A, V, (x >> 40) as u16, (x >> 24) as u16, SYN);
            p.src = src;
            let mut q = tcp(t + 1e-5, V, A, p.dport, p.sport, RST | ACK);
            q.dst = src;
            r.push(&p, &mut sink);
            if i % 2 == 0 {
                r.push(&q, &mut sink);
            }
            while let Some(s) = rest.next_if(|s| s.ts <= t) {
                r.push(s, &mut sink);
            }
        }
        for p in rest {
            r.push(p, &mut sink);
        }
        r.finish(&mut sink);
        assert_eq!(r.memory_bytes(), mem, "fixed memory");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].scanner.to_string(), A);
        assert_eq!(found[0].class, Class::ScanSyn);
        assert!(r.stats().target_evictions > 0 && r.stats().timer_drops > 0);
    }

    #[test]
    fn timestamps_going_backwards_are_taken_at_the_latest_time() {
        // the scan with every other packet stamped up to 20 s early, and a NaN among them
        let mut v = scan(20, 15.0, SYN, Some(RST | ACK), false);
        for (i, p) in v.iter_mut().enumerate() {
            if i % 4 == 2 {
                p.ts -= 20.0;
            }
        }
        v[7].ts = f64::NAN;
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanSyn);
        assert!(f[0].first_seen.is_finite() && f[0].last_seen >= f[0].first_seen);
        // a capture that starts with NaN and infinite stamps: nothing, no panic
        let mut r = rule();
        let mut p = tcp(f64::NAN, A, V, 1, 2, SYN);
        r.push(&p, &mut |_| panic!());
        p.ts = f64::INFINITY;
        r.push(&p, &mut |_| panic!());
        r.tick(f64::NEG_INFINITY, &mut |_| panic!());
        r.finish(&mut |_| panic!());
    }

    #[test]
    fn settings_are_checked_and_zero_thresholds_turn_the_rule_off() {
        let ok = SlowScanConfig::default();
        assert!(ok.validate().is_ok());
        for bad in [
            SlowScanConfig {
                port_threshold: 1,
                ..ok
            },
            SlowScanConfig {
                host_threshold: MAX_THRESHOLD + 1,
                ..ok
            },
            SlowScanConfig { window: 0.0, ..ok },
            SlowScanConfig {
                window: f64::NAN,
                ..ok
            },
            SlowScanConfig {
                answer_timeout: 400.0,
                ..ok
            },
            SlowScanConfig {
                max_targets: 0,
                ..ok
            },
        ] {
            assert!(SlowScan::new(bad).is_err(), "{bad:?}");
        }
        let off = SlowScanConfig {
            port_threshold: 0,
            host_threshold: 0,
            ..ok
        };
        let mut r = SlowScan::new(off).unwrap();
        assert!(!off.is_on());
        assert!(r.memory_bytes() < 16384, "{}", r.memory_bytes());
        assert!(run(&mut r, &scan(20, 15.0, SYN, Some(RST | ACK), false)).is_empty());
    }

    /// A poller's round at `t`: SYNs from `C` (a new source port each) to port 80 of hosts
    /// 198.18.0.101 to 198.18.0.130, 2 ms apart, each refused with RST+ACK; and to port 9100
    /// of each, answered with a SYN-ACK.
    fn poll_round(t: f64, round: u16) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        for h in 0..30u16 {
            let host = format!("198.18.0.{}", 101 + h);
            let t = t + f64::from(h) * 0.002;
            let sp = 40000 + round * 64 + h;
            v.push(tcp(t, C, &host, sp, 80, SYN));
            v.push(tcp(t + 1e-4, &host, C, 80, sp, RST | ACK));
            v.push(tcp(t + 5e-4, C, &host, sp + 30, 9100, SYN));
            v.push(tcp(t + 6e-4, &host, C, 9100, sp + 30, SYN | ACK));
        }
        v
    }

    #[test]
    fn a_poller_asking_its_refused_targets_again_is_no_scanner() {
        // a monitor polling 30 hosts every 5 s for two minutes, port 80 closed on all of
        // them: in its first round an address scan of port 80 (fast), then the same refused
        // targets again and again, which no scanner does
        let mut v = Vec::new();
        for round in 0..24u16 {
            v.extend(poll_round(T0 + 5.0 * f64::from(round), round));
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert!(f.is_empty(), "{f:?}");
        let st = r.stats();
        assert_eq!((st.fast_findings, st.polled, st.findings), (1, 1, 0));
    }

    #[test]
    fn a_poller_spreading_its_checks_over_its_period_is_no_scanner_either() {
        // Nagios interleaves its checks over the check interval: port 80 of 30 hosts, one
        // check every 2.5 s, every 75 s, for five minutes, all refused. The 25th host fails
        // 60 s in, at the rule's pace (not fast): held, and by the hold's end every refused
        // target has been asked again
        let mut v = Vec::new();
        for round in 0..4u16 {
            for h in 0..30u16 {
                let t = T0 + 75.0 * f64::from(round) + 2.5 * f64::from(h);
                let host = format!("198.18.0.{}", 101 + h);
                let sp = 40000 + round * 64 + h;
                v.push(tcp(t, C, &host, sp, 80, SYN));
                v.push(tcp(t + 1e-4, &host, C, 80, sp, RST | ACK));
            }
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert!(f.is_empty(), "{f:?}");
        let st = r.stats();
        assert_eq!((st.findings, st.fast_findings, st.polled), (1, 0, 1));
        // its first round alone is a slow address scan, reported (after the hold)
        let f = run(&mut rule(), &v[..60]);
        assert!(f.len() == 1 && !f[0].fast && f[0].hosts == 25, "{f:?}");
    }

    #[test]
    fn a_fast_refused_address_scan_done_once_is_reported_after_the_hold() {
        // the same first round alone (nmap -sT -p 80,9100 of the 30 hosts), then the source's
        // other traffic for two minutes (answered pings to one host): reported, with the
        // figures of the moment the threshold was reached, once the hold has passed
        let mut v = poll_round(T0, 0);
        for k in 0..120u16 {
            let t = T0 + 1.0 + f64::from(k);
            v.push(ping(t, C, V, 1, 8));
            v.push(ping(t + 1e-3, V, C, 1, 0));
        }
        let mut r = rule();
        let mut got = Vec::new();
        for p in &v {
            r.push(p, &mut |f| got.push((p.ts, f)));
        }
        assert_eq!(got.len(), 1, "{got:?}");
        let (at, f) = got[0];
        assert!(f.fast && f.class == Class::ScanSyn, "{f:?}");
        assert_eq!((f.hosts, f.targets), (25, 25));
        let threshold = T0 + 24.0 * 0.002 + 1e-4;
        assert!((f.detected_at - threshold).abs() < 1e-6, "{f:?}");
        // held: reported with the first packet at or past the hold's end
        assert!(at >= threshold + REPROBE_HOLD && at < threshold + REPROBE_HOLD + 1.0);
        assert_eq!(r.stats().polled, 0);
        // a capture that ends within the hold: reported at its end
        let mut r = rule();
        let f = run(&mut r, &poll_round(T0, 0));
        assert!(f.len() == 1 && f[0].fast && f[0].targets == 25, "{f:?}");
        // asked again once, less than REPROBE_GAP after: a retry, still a scan
        let mut v = poll_round(T0, 0);
        v.extend(poll_round(T0 + 1.0, 1));
        let f = run(&mut rule(), &v);
        assert!(f.len() == 1 && f[0].fast, "{f:?}");
        // a fast scan of silent hosts is not held: reported at the threshold
        let mut v = Vec::new();
        for h in 0..30u16 {
            let t = T0 + f64::from(h) * 0.05;
            v.push(tcp(t, A, &format!("198.18.0.{}", 101 + h), 61000, 80, SYN));
        }
        v.push(ping(T0 + 12.0, A, V, 1, 8));
        let mut got = Vec::new();
        let mut r = rule();
        for p in &v {
            r.push(p, &mut |f| got.push((p.ts, f)));
        }
        assert!(
            got.len() == 1 && got[0].1.fast && got[0].0 == T0 + 12.0,
            "{got:?}"
        );
    }

    #[test]
    fn a_later_sweep_of_another_port_is_a_finding_of_its_own() {
        // zmap -p 80 over 60 silent addresses at 100 a second, then 20 s later zmap -p 443
        // over the same at 10 a second (namespace lab, session 17): one episode of the
        // source; its first finding is the first sweep's, and the second sweep, 25 failed
        // hosts in a row on its port, is one more, spanning only its own probes
        let h = |k: u32| format!("198.18.2.{}", 1 + k);
        let mut v = Vec::new();
        for k in 0..60u32 {
            v.push(tcp(T0 + f64::from(k) * 0.01, A, &h(k), 61000, 80, SYN));
        }
        let t1 = T0 + 20.0;
        for k in 0..60u32 {
            v.push(tcp(t1 + f64::from(k) * 0.1, A, &h(k), 61001, 443, SYN));
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|f| f.fast && f.episode == T0), "{f:?}");
        let hosts = |port| Trigger::Hosts { port, proto: 6 };
        assert_eq!((f[0].trigger, f[0].first_seen), (hosts(80), T0));
        assert_eq!(
            (f[1].trigger, f[1].class, f[1].targets, f[1].hosts),
            (hosts(443), Class::ScanSyn, 25, 25)
        );
        assert_eq!(f[1].first_seen, t1);
        assert!((f[1].last_seen - (t1 + 2.4)).abs() < 1e-9, "{:?}", f[1]);
        assert_eq!(f[1].victim.to_string(), h(24));
        assert_eq!(r.stats().fast_findings, 2);
        // a third sweep, of UDP 161 refused by the hosts' ICMP port unreachables: a third
        let t2 = T0 + 40.0;
        for k in 0..30u32 {
            let p = udp(t2 + f64::from(k) * 0.1, A, &h(k), 40000, 161, 40);
            v.push(p);
            v.push(icmp_unreach(p.ts + 0.001, &h(k), A, &p));
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 3, "{f:?}");
        assert_eq!(
            (f[2].trigger, f[2].class, f[2].proto),
            (
                Trigger::Hosts {
                    port: 161,
                    proto: 17
                },
                Class::ScanUdp,
                17
            )
        );
        // two ports swept together (nmap -p 80,443 of a subnet: each host's two probes one
        // after the other), and then a third: no run of one port, one finding
        let mut v = Vec::new();
        for k in 0..60u32 {
            for (j, port) in [80u16, 443].into_iter().enumerate() {
                let t = T0 + f64::from(2 * k + j as u32) * 0.01;
                v.push(tcp(t, A, &h(k), 61000, port, SYN));
            }
        }
        let f = run(&mut rule(), &v);
        assert_eq!(f.len(), 1, "{f:?}");
        // the sweep rule's hosts threshold off: no later sweep either
        let cfg = SlowScanConfig {
            host_threshold: 0,
            ..SlowScanConfig::default()
        };
        let mut v = Vec::new();
        for k in 0..20u32 {
            v.push(tcp(
                T0 + f64::from(k) * 0.01,
                A,
                V,
                61000,
                1000 + k as u16,
                SYN,
            ));
        }
        for k in 0..60u32 {
            v.push(tcp(t1 + f64::from(k) * 0.1, A, &h(k), 61001, 443, SYN));
        }
        let f = run(&mut SlowScan::new(cfg).unwrap(), &v);
        assert!(f.len() == 1 && f[0].trigger == Trigger::Ports, "{f:?}");
        // with it on, the port scan then the sweep: two
        assert_eq!(run(&mut rule(), &v).len(), 2);
    }

    #[test]
    fn a_later_sweep_asked_again_is_a_poller_s_and_one_moved_on_from_a_scanner_s() {
        // a port scan of V's filtered ports (the episode's finding, by silence: reported at
        // once), then UDP 161 of 30 hosts, each refused by an ICMP port unreachable: a later
        // sweep, mostly refused, held
        let h = |k: u32| format!("198.18.2.{}", 1 + k);
        let mut v = scan(20, 0.01, SYN, None, false);
        let sweep = |v: &mut Vec<PacketRepr>, t: f64, port: u16| {
            for k in 0..30u32 {
                let p = udp(t + f64::from(k) * 0.01, A, &h(k), 40000, port, 40);
                v.push(p);
                v.push(icmp_unreach(p.ts + 0.001, &h(k), A, &p));
            }
        };
        sweep(&mut v, T0 + 20.0, 161);
        // a monitor: asks the same hosts on the same port every 10 s for two minutes (its
        // own refused targets asked again, its run still the latest): dropped at the hold
        let mut polled = v.clone();
        for round in 1..12 {
            sweep(&mut polled, T0 + 20.0 + 10.0 * f64::from(round), 161);
        }
        let mut r = rule();
        let f = run(&mut r, &polled);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].trigger, Trigger::Ports);
        assert_eq!(r.stats().polled, 1);
        // a scanner: moves on to UDP 162 of the same hosts (then asks 161 again, too late:
        // its run is no longer the latest): the 161 sweep is reported, and so is 162's
        let mut moved = v.clone();
        sweep(&mut moved, T0 + 30.0, 162);
        sweep(&mut moved, T0 + 40.0, 161);
        let f = run(&mut rule(), &moved);
        let ports: Vec<Trigger> = f.iter().map(|f| f.trigger).collect();
        assert_eq!(
            ports,
            [
                Trigger::Ports,
                Trigger::Hosts {
                    port: 161,
                    proto: 17
                },
                Trigger::Hosts {
                    port: 162,
                    proto: 17
                }
            ],
            "{f:?}"
        );
    }

    #[test]
    fn fast_scans_and_port_sweeping_floods_are_left_to_the_networks() {
        // 20 closed ports in 19 ms (nmap -T4): past the threshold, but too fast
        // (one fast finding, the first time, for the detector to drop if the networks saw it)
        let fast = scan(20, 0.001, SYN, Some(RST | ACK), false);
        let mut r = rule();
        let f = run(&mut r, &fast);
        assert!(f.len() == 1 && f[0].fast && f[0].targets == 15, "{f:?}");
        assert_eq!(r.stats().too_fast, 6, "the 15th to the 20th failed target");
        assert_eq!((r.stats().findings, r.stats().fast_findings), (0, 1));
        // with no minimum interval it is reported
        let cfg = SlowScanConfig {
            min_interval: 0.0,
            ..SlowScanConfig::default()
        };
        let f = run(&mut SlowScan::new(cfg).unwrap(), &fast);
        assert_eq!((f.len(), f[0].class, f[0].fast), (1, Class::ScanSyn, false));
        // hping3 -S -p ++1 from 16 spoofed sources: 50 ports each, a new source port per
        // probe, one probe every 0.4 ms, refused
        let mut v = Vec::new();
        for k in 0..800u32 {
            let t = T0 + f64::from(k) * 4e-4;
            let src = format!("198.19.7.{}", k % 16);
            let sp = 1000 + k as u16;
            let dp = 1 + (k / 16) as u16;
            v.push(tcp(t, &src, V, sp, dp, SYN));
            v.push(tcp(t + 1e-4, V, &src, dp, sp, RST | ACK));
        }
        let f = run(&mut rule(), &v);
        assert!(f.len() == 16 && f.iter().all(|f| f.fast), "{f:?}");
        // three fast scans of 10 ports each, 30 s apart: one episode of 30 failed targets
        // whose mean interval is over 2 s, but most of them came milliseconds apart
        let mut v = Vec::new();
        for j in 0..3u16 {
            for mut p in scan(10, 0.001, SYN, Some(RST | ACK), false) {
                p.ts += 30.0 * f64::from(j);
                if p.src.to_string() == A {
                    p.dport += 100 * j;
                } else {
                    p.sport += 100 * j;
                }
                v.push(p);
            }
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert!(f.len() == 1 && f[0].fast, "{f:?}");
        assert_eq!(r.stats().too_fast, 16);
        // the setting is checked
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let cfg = SlowScanConfig {
                min_interval: bad,
                ..SlowScanConfig::default()
            };
            assert!(cfg.validate().is_err());
        }
    }

    #[test]
    fn traceroutes_and_unanswered_udp_are_no_scan() {
        // ten traceroutes to V, each ending with 3 probes to new ports that V refuses
        let mut v = Vec::new();
        for k in 0..10u16 {
            for j in 0..3u16 {
                let t = T0 + f64::from(k) * 20.0 + f64::from(j) * 0.1;
                let p = udp(t, C, V, 40000 + k, 33434 + 3 * 7 + j + k, 60);
                v.push(p);
                v.push(icmp_unreach(t + 0.001, V, C, &p));
            }
        }
        // one-way UDP (syslog, telemetry) to 40 ports of V: silence is no failure
        for k in 0..40u16 {
            v.push(udp(T0 + f64::from(k), C, V, 514, 5000 + k, 200));
        }
        let mut r = rule();
        assert!(run(&mut r, &v).is_empty());
        assert_eq!(r.stats().unreachable + r.stats().silent, 0);
    }

    #[test]
    fn a_finding_becomes_a_source_alert_with_its_evidence() {
        let f = run(&mut rule(), &scan(20, 15.0, SYN, Some(RST | ACK), false))[0];
        let a = f.to_alert();
        assert_eq!(
            (a.src, a.dst, a.class, a.packets),
            (f.scanner, f.victim, Class::ScanSyn, 15)
        );
        assert_eq!(a.scope, Scope::Source);
        let eve = a.to_eve();
        assert_eq!(eve["nightjar"]["label"], "scan-syn");
        assert_eq!(eve["src_ip"], A);
        let j = f.to_json();
        assert_eq!(j["rule"], "slow-scan");
        assert_eq!(j["trigger"], "ports-of-one-host");
        assert_eq!(j["victim_ports"], 15);
    }

    #[test]
    fn a_reflected_floods_refused_answers_are_no_probes() {
        // one reflector's NTP answers (468 bytes) to 40 ports of the victim, all refused (a
        // booter's random ports): no scan; the same 40 datagrams of 60 bytes from port 123
        // (a scanner's probes, nmap -g 123), refused, are one
        for (len, found) in [(468u16, false), (60, true)] {
            let mut v = Vec::new();
            for k in 0..40u32 {
                let t = T0 + f64::from(k) * 3.0;
                let p = udp(t, A, V, 123, port(k, 41), len);
                v.push(p);
                v.push(icmp_unreach(t + 0.001, V, A, &p));
            }
            let f = run(&mut rule(), &v);
            assert_eq!(!f.is_empty(), found, "{len}: {f:?}");
        }
    }

    /// nmap-like probes with `flags` from source port `sport` (a new port each when `os`, with
    /// an operating system's SYN options: `connect()`), `gap` s apart, to each port of `ports`
    /// on each host `198.18.1.{h}` of `hosts` (each host's ports in its own order); the hosts in
    /// `live` answer (a SYN: SYN-ACK on 22 and 80, RST+ACK on the rest; an ACK or FIN+ACK: a
    /// bare RST), those in `gone` draw a router's host unreachable, the others nothing.
    #[allow(clippy::too_many_arguments)]
    fn probes_sweep(
        t: f64,
        gap: f64,
        hosts: &[u32],
        ports: &[u16],
        flags: u8,
        (sport, os): (u16, bool),
        live: &[u32],
        gone: &[u32],
    ) -> Vec<PacketRepr> {
        let mut v = Vec::new();
        let mut at = t;
        let mut k = 0u16;
        for r in 0..ports.len() {
            for (i, h) in hosts.iter().enumerate() {
                let port = ports[(r + i) % ports.len()];
                let dst = Ipv4Addr::from(0xc612_0100 + h).to_string();
                let sp = if os { sport.wrapping_add(k) } else { sport };
                k += 1;
                let mut p = tcp(at, A, &dst, sp, port, flags);
                if os {
                    p.ip_len = 60;
                }
                v.push(p);
                if live.contains(h) {
                    let fl = if flags & ACK != 0 {
                        RST
                    } else if port == 22 || port == 80 {
                        SYN | ACK
                    } else {
                        RST | ACK
                    };
                    v.push(tcp(at + 0.001, &dst, A, port, sp, fl));
                } else if gone.contains(h) {
                    v.push(icmp_unreach(at + 0.001, "198.18.1.1", A, &p));
                }
                at += gap;
            }
        }
        v
    }

    const TEN: [u16; 10] = [21, 22, 23, 25, 80, 110, 139, 443, 445, 3389];

    #[test]
    fn an_ack_scan_of_a_silent_block_is_found_by_its_raw_port() {
        // nmap -Pn -sA --max-rate 10 --top-ports 10 of 198.18.1.48/28, every address empty
        // (session 27's fresh run 4, session 28's run 2): nothing answers the bare ACKs, all
        // from one source port; before session 28 no ACK probe failed by silence, and nothing
        // was found
        let empty: Vec<u32> = (48..64).collect();
        let mut r = rule();
        let pkts = probes_sweep(T0, 0.1, &empty, &TEN, ACK, (41382, false), &[], &[]);
        let f = run(&mut r, &pkts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].class, f[0].fast), (Class::ScanAck, true), "{f:?}");
        // every probe from the fourth distinct port on is a raw scanner's (the first round of
        // ports over the hosts: ports 21, 22, 23 for three probes each, the first twelve)
        assert!(r.stats().raw_ack_probes >= 140, "{:?}", r.stats());
        assert!(r.stats().silent >= 150, "{:?}", r.stats());
        // the same behind a router answering half of the addresses with host unreachables
        // (refused now: they quote probes that are targets), slowly (--scan-delay 2.5s): found
        let gone: Vec<u32> = (48..56).collect();
        let mut r = rule();
        let pkts = probes_sweep(T0, 2.5, &empty, &TEN, ACK, (41382, false), &[], &gone);
        let f = run(&mut r, &pkts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!((f[0].class, f[0].fast), (Class::ScanAck, false), "{f:?}");
        assert!(r.stats().unreachable >= 70, "{:?}", r.stats());
        // a Maimon scan (FIN+ACK) of it: named so
        let mut r = rule();
        let pkts = probes_sweep(T0, 0.1, &empty, &TEN, FIN | ACK, (41382, false), &[], &[]);
        let f = run(&mut r, &pkts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanMaimon, "{f:?}");
        // an ACK scan of a /28 with six live hosts that reset: as before, by the resets
        let live = [49, 51, 53, 55, 57, 59];
        let mut r = rule();
        let pkts = probes_sweep(T0, 0.1, &empty, &TEN, ACK, (41382, false), &live, &[]);
        let f = run(&mut r, &pkts);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].class, Class::ScanAck, "{f:?}");
    }

    #[test]
    fn acks_of_connections_are_no_raw_scanners_probes() {
        // a one-way capture (nothing seen coming back) of forty connections that began before
        // it, each from its own port to its own server on 443, acknowledging every 2 s for a
        // minute: no probe fails by silence
        let mut v = Vec::new();
        for round in 0..30u32 {
            for c in 0..40u32 {
                let t = T0 + f64::from(round) * 2.0 + f64::from(c) * 0.01;
                let dst = Ipv4Addr::from(0xc612_0100 + c).to_string();
                v.push(tcp(t, A, &dst, 50000 + c as u16, 443, ACK));
            }
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!((r.stats().raw_ack_probes, r.stats().silent), (0, 0));
        // a port the operating system shares among connections to twenty servers (Linux's
        // connect() reuses a local port for another remote end), three services, unanswered
        let mut v = Vec::new();
        for round in 0..30u32 {
            for c in 0..20u32 {
                let t = T0 + f64::from(round) * 2.0 + f64::from(c) * 0.01;
                let dst = Ipv4Addr::from(0xc612_0100 + c).to_string();
                v.push(tcp(t, A, &dst, 50000, [443, 80, 993][c as usize % 3], ACK));
            }
        }
        let mut r = rule();
        assert!(run(&mut r, &v).is_empty());
        assert_eq!(r.stats().raw_ack_probes, 0);
        // nmap's host discovery of a silent /24 across a router: an echo request, a SYN to
        // 443, an ACK to 80 from one port and a timestamp request to each address: its ACKs
        // go to one port, no ACK scan
        let mut v = Vec::new();
        for h in 0..254u32 {
            let t = T0 + f64::from(h) * 0.1;
            let dst = Ipv4Addr::from(0xc612_0100 + h).to_string();
            v.push(tcp(t, A, &dst, 41000, 443, SYN));
            v.push(tcp(t + 0.001, A, &dst, 41000, 80, ACK));
        }
        let mut r = rule();
        run(&mut r, &v);
        assert_eq!(r.stats().raw_ack_probes, 0);
        // one port whose ACKs to thirty servers are answered (ACKs back): no failure
        let mut v = Vec::new();
        for c in 0..30u32 {
            let t = T0 + f64::from(c) * 0.5;
            let dst = Ipv4Addr::from(0xc612_0100 + c).to_string();
            v.push(tcp(t, A, &dst, 50000, 443, ACK));
            v.push(tcp(t + 0.01, &dst, A, 443, 50000, ACK));
        }
        let mut r = rule();
        assert!(run(&mut r, &v).is_empty());
        assert_eq!(r.stats().silent, 0);
        // a connection's handshake (its last packet a bare ACK from the SYN's port) to each of
        // thirty closed-down hosts is no ACK probe either
        let mut v = Vec::new();
        for c in 0..30u32 {
            let t = T0 + f64::from(c) * 0.5;
            let dst = Ipv4Addr::from(0xc612_0100 + c).to_string();
            v.push(tcp(t, A, &dst, 50000, 443, SYN));
            v.push(tcp(t + 0.01, A, &dst, 50000, 443, ACK));
        }
        let mut r = rule();
        assert!(run(&mut r, &v).is_empty());
        assert_eq!(r.stats().raw_ack_probes, 0);
    }

    #[test]
    fn a_connect_scan_of_a_block_a_syn_scan_swept_is_a_sweep_of_its_own() {
        // nmap -Pn -sS --max-rate 10 --top-ports 10 of 198.18.1.16/28 (six live hosts), then
        // 1 s later -sT of the same (connect(): a new port each, the operating system's
        // options): before session 28 its targets had failed by the same kind of probe and
        // counted once, and its failures went on with the first sweep's: one finding
        let all: Vec<u32> = (16..32).collect();
        let live = [17, 20, 21, 24, 26, 29];
        let syn = probes_sweep(T0, 0.1, &all, &TEN, SYN, (40000, false), &live, &[]);
        let mut pkts = syn.clone();
        pkts.extend(probes_sweep(
            T0 + 17.0,
            0.1,
            &all,
            &TEN,
            SYN,
            (42000, true),
            &live,
            &[],
        ));
        let mut r = rule();
        let mut f = run(&mut r, &pkts);
        // (the first, mostly refused, is held for a poller's next round: reported after)
        f.sort_by(|a, b| a.first_seen.total_cmp(&b.first_seen));
        let classes: Vec<Class> = f.iter().map(|f| f.class).collect();
        assert_eq!(classes, [Class::ScanSyn, Class::ScanConnect], "{f:?}");
        assert!(f[1].first_seen >= T0 + 17.0, "{f:?}");
        // the same tool again (raw SYNs from the port before): a retry of each target, none
        let mut pkts = syn.clone();
        pkts.extend(later(syn.clone(), 17.0));
        let f = run(&mut rule(), &pkts);
        assert_eq!(f.len(), 1, "{f:?}");
        // a FIN scan of the block after the SYN scan: its own, as before
        let mut pkts = syn;
        pkts.extend(probes_sweep(
            T0 + 17.0,
            0.1,
            &all,
            &TEN,
            FIN,
            (40000, false),
            &[],
            &[],
        ));
        let mut f = run(&mut rule(), &pkts);
        f.sort_by(|a, b| a.first_seen.total_cmp(&b.first_seen));
        let classes: Vec<Class> = f.iter().map(|f| f.class).collect();
        assert_eq!(classes, [Class::ScanSyn, Class::ScanFin], "{f:?}");
    }

    #[test]
    fn a_later_scan_found_and_interrupted_is_not_found_again() {
        // a SYN scan of V refused on 20 ports (the episode's finding), then a FIN scan of W's
        // 40 ports at nmap's pace, silent (a host behind a firewall that drops), among which
        // come the silent failures of V's two open ports under FIN probes: W's scan is
        // interrupted twice, and was found two or three times before session 28
        let mut v = scan(20, 0.01, SYN, Some(RST | ACK), false);
        let w = "198.18.0.11";
        for k in 0..40u32 {
            let t = T0 + 5.0 + f64::from(k) * 0.01;
            v.push(tcp(t, A, w, 62000, 2000 + k as u16, FIN));
            if k == 16 || k == 33 {
                v.push(tcp(t + 0.001, A, V, 62000, 22 + k as u16, FIN));
            }
        }
        let mut r = rule();
        let f = run(&mut r, &v);
        let of_w: Vec<&Finding> = f.iter().filter(|f| f.victim.to_string() == w).collect();
        assert_eq!(of_w.len(), 1, "{f:?}");
        assert_eq!(of_w[0].class, Class::ScanFin);
    }
}
