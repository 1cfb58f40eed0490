//! `nightjar ids detect`: per-packet verdicts and alerts for a capture (DESIGN §7, §12).
//!
//! The packet source is a [`PcapReader`] streamed record by record (never loaded whole) or a
//! live AF_PACKET capture ([`LiveCapture`], `--iface`); the engine
//! (`nightjar_ids::detect::Engine`) takes any iterator of records. A file is run through the
//! engine's two-thread pipeline (`Engine::run_pipelined`) unless `--threads 1`.
//!
//! A live capture is driven one bounded wait at a time ([`run_live`]): when no packet came
//! within the wait, and at least every [`LIVE_TICK`] while packets keep coming, the engine
//! scores its partial batch and is told the time (`Engine::tick`, wall clock), so an attack's
//! alert is written once its episode has been quiet for `--gap` seconds, while the capture
//! goes on, not when a batch fills or the capture ends. SIGINT (Ctrl-C) and SIGTERM end the
//! capture cleanly (`LiveCapture::stop_on_signals`): the run then ends as when `--duration`
//! expires (the last batch scored, open episodes ended into alerts, the summary, `--json`,
//! exit 0); a second Ctrl-C ends the process. With `--iface`, `--eve` and `--scores` are
//! written in place as the capture goes (an alert's EVE line is flushed when it is raised),
//! not renamed into place at the end as for a file.

use crate::exit::{input, CmdResult};
use crate::io::AtomicFile;
use anyhow::{anyhow, Context};
use clap::Args;
use nightjar_ids::alert::{iso8601, Alert, Scope};
use nightjar_ids::detect::{DetectSettings, DetectStats, Engine, Event, Models};
use nightjar_ids::model::Model;
use nightjar_ids::packet::{LiveCapture, LiveOptions, LivePoll, PacketError, PcapReader};
use nightjar_ids::slowscan::SlowScanConfig;
use nightjar_ids::{Class, IdsError};
use serde_json::json;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

#[derive(Args, Debug)]
pub struct DetectArgs {
    /// The model file (default: the built-in `window` MLP with its multi-class namer).
    #[arg(long, value_name = "MODEL")]
    model: Option<PathBuf>,
    /// The capture to read (pcap or pcapng, or either gzip-compressed; `-`: standard input),
    /// streamed. Where its clock goes back more than 10 s for good (files joined out of order)
    /// detection starts afresh; a single record stamped far off takes the time of the record before
    /// it; a step back of 1 to 10 s (a clock stepped back) is taken at the latest time and counted
    /// (all three are warnings). A capture that sees each packet two or three times (`tcpdump -i
    /// any` on a Docker, VM or router host) is read as if it saw each once: the copies take their
    /// first sight's verdict (`copies` in --json).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "iface",
        conflicts_with = "iface"
    )]
    pcap: Option<PathBuf>,
    /// Capture live from this network interface instead (AF_PACKET, needs root or CAP_NET_RAW).
    /// Alerts are written while capturing, once an attack has been quiet for --gap seconds
    /// (--eve lines are flushed as they are raised). Bound the run with --duration and/or
    /// --count; without them it runs until interrupted: Ctrl-C (or SIGTERM) ends the capture
    /// cleanly, with the last alerts, the summary and --json as at the end of --duration (a
    /// second Ctrl-C ends the process).
    #[arg(long, value_name = "IF")]
    iface: Option<String>,
    /// With --iface: stop after this many seconds (Ctrl-C ends the capture as cleanly before).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
    /// With --iface: stop after this many packets.
    #[arg(long, value_name = "N")]
    count: Option<u64>,
    /// Write alerts as Suricata EVE JSON lines to this file (`-`: standard output). With
    /// --iface the file is written in place, each line flushed when its alert is raised.
    #[arg(long, value_name = "FILE")]
    eve: Option<PathBuf>,
    /// Write every record's verdict as CSV: `index,ts,src,dst,proto,score,verdict`. An ARP
    /// message's row has its sender and target addresses, proto `ARP`, score 0 (the networks
    /// score IP packets only) and the ARP rules' verdict (`normal` or `other-attack`);
    /// other records that are not IP packets have verdict `undecoded` and empty fields.
    #[arg(long, value_name = "FILE.csv")]
    scores: Option<PathBuf>,
    /// Print one JSON object (counts, alerts as EVE objects, timing) on standard output.
    #[arg(long)]
    json: bool,
    /// An attack episode ends after this many seconds without a flagged packet.
    #[arg(long, default_value_t = DetectSettings::default().gap, value_name = "SECONDS")]
    gap: f64,
    /// An attack that goes on longer than this is reported every SECONDS, one alert per piece,
    /// instead of once when it stops; 0: one alert per episode however long. Default: 60 with
    /// --iface (alerts while an attack goes on), 0 with --pcap.
    #[arg(long, value_name = "SECONDS")]
    max_episode: Option<f64>,
    /// Flagged packets an episode needs to raise an alert.
    #[arg(long, default_value_t = DetectSettings::default().min_packets, value_name = "N")]
    min_packets: u64,
    /// Fraction of the source's packets during the episode that must be flagged.
    #[arg(long, default_value_t = DetectSettings::default().min_fraction, value_name = "F")]
    min_fraction: f64,
    /// Flagged packets the source must have sent itself (not only received).
    #[arg(long, default_value_t = DetectSettings::default().min_sent, value_name = "N")]
    min_sent: u64,
    /// A flood alert needs its flagged packets at this many per second on average (over the
    /// episode, or one second if shorter): one packet a second (hping3 without -i), large
    /// pings now and then, fragmented UDP exchanges are no floods. 0 turns the check off.
    #[arg(long, default_value_t = DetectSettings::default().flood_min_rate, value_name = "PPS")]
    flood_min_rate: f64,
    /// Per-victim flood alerts: flagged packets needed from sources not alerted on their own.
    #[arg(long, default_value_t = DetectSettings::default().victim_min_packets, value_name = "N")]
    victim_min_packets: u64,
    /// Per-victim flood alerts: distinct such sources needed.
    #[arg(long, default_value_t = DetectSettings::default().victim_min_sources, value_name = "N")]
    victim_min_sources: u64,
    /// Spray rule: flag unsolicited packets to a victim from never-seen sources above this
    /// damped count (1 s half-life, ≈ 1.44 × new sources per second), to a victim's /24 or
    /// /64 above twice it; echo requests repeated to hosts that do not answer, above it
    /// (the repeated-ping rule); 0 turns both off.
    #[arg(long, default_value_t = DetectSettings::default().spray_threshold, value_name = "N")]
    spray_threshold: f32,
    /// Sweep rule: flag a source's probes (TCP without ACK or RST, UDP) once the hosts it
    /// probed for the first time in 30 s, less the SYN-ACKs and UDP answers it got, reach this
    /// damped count (1 s half-life), or the hosts it probed for the first time in 30 s on one
    /// port, less the SYN-ACKs, RST+ACKs and UDP answers from that port, do; catches scans of
    /// addresses that do not answer (masscan or zmap over a subnet, one port after another).
    /// Default: Zeek's address-scan threshold; 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().sweep_threshold, value_name = "N")]
    sweep_threshold: f32,
    /// Reflection rule: UDP answers from a reflection service's port (DNS 53, NTP 123, SSDP
    /// 1900, memcached 11211, CLDAP 389, SNMP 161, chargen 19 and others) that their receiver
    /// did not ask for within 30 s, above this damped count per receiver (1 s half-life,
    /// ≈ 1.44 × such answers per second), are a reflected UDP flood charged to the reflectors
    /// (an amplification attack seen at its victim); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().reflection_threshold, value_name = "N")]
    reflection_threshold: f32,
    /// Unanswered-connections rule: a source's failed TCP connection attempts to one host
    /// (its SYN sent again with nothing between, or an ICMP destination unreachable of any
    /// code quoting it: a host that drops or rejects), as a damped count (10 s half-life); at
    /// or above it, the source's TCP probes of that host are a scan of their flags (nmap
    /// against a firewall); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().unanswered_threshold, value_name = "N")]
    unanswered_threshold: f32,
    /// Connection-flood rule: a client's new TCP connections to one server port, as a damped
    /// count (1 s half-life, ≈ 1.44 × connections per second); at or above it, the client's
    /// packets to that port are a flood (an HTTP flood without keep-alive: ab, LOIC, Hulk);
    /// 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().connection_threshold, value_name = "N")]
    connection_threshold: f32,
    /// UDP-service-flood rule: a client's datagrams of one size to one server port, as a
    /// damped count (1 s half-life, ≈ 1.44 × datagrams per second); at or above it, fewer than
    /// one in four answered, to a port below 1,024 or mostly from a new source port each, they
    /// are a flood (hping3 --udp against a service that takes them in silence); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().udp_flood_threshold, value_name = "N")]
    udp_flood_threshold: f32,
    /// TLS renegotiation rule: per connection, the handshake records its client began
    /// segments with after the handshake completed, damped (60 s half-life; two per
    /// renegotiation); at or above it, the connection's packets are the client's
    /// other-attack (thc-ssl-dos); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().renegotiation_threshold, value_name = "N")]
    renegotiation_threshold: f32,
    /// Fuzzing rule: per (client, server, port), the distinct first payload bytes of the
    /// client's connections within 60 s; at or above it, the client's segments to that
    /// service and its answers are the client's other-attack (SFuzz); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().fuzzing_threshold, value_name = "N")]
    fuzzing_threshold: f32,
    /// Slow-request rule: per (client, server port), the client's connections that added a
    /// small segment (2-300 bytes) to a request the server left unanswered, 2 s or more after
    /// its last, counted once each and damped (60 s half-life); at or above it, the packets of
    /// those connections, both ways, are the client's other-attack (slowloris, slowhttptest -H
    /// and -B, over HTTP or HTTPS); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().slow_request_threshold, value_name = "N")]
    slow_request_threshold: f32,
    /// ARP-sweep rule: a sender's ARP requests for addresses it had not asked for in a minute,
    /// less those it then talks to over IP, as damped counts (1 s and 60 s half-lives); at or
    /// above this count its further requests are other-attack and the run is alerted once
    /// (host discovery on a LAN: nmap -sn or -PR, arp-scan, netdiscover). Gratuitous ARP,
    /// address probes (sender 0.0.0.0) and replies are never counted. Default: Zeek's
    /// address-scan threshold; 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().arp_sweep_threshold, value_name = "N")]
    arp_sweep_threshold: f32,
    /// ARP-spoofing rule: per IPv4 address, the changes of the hardware address claiming it
    /// (in ARP replies, gratuitous ARP and requests' sender fields) while the former one still
    /// held it (claimed it in the last 5 minutes), plus the replies no one asked for that claim
    /// it for another hardware address than its holder's, as a damped count (300 s
    /// half-life); at or above it the claimant with more unsolicited replies (or the later
    /// one) is spoofing the address (ARP cache poisoning, a man in the middle: arpspoof,
    /// ettercap): its further claims are other-attack and its episode is alerted once. A
    /// gratuitous ARP, a DHCP address or a failover moving to a new machine (one change each)
    /// and proxy ARP (no one else claims the addresses) stay below it. 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().arp_spoof_threshold, value_name = "N")]
    arp_spoof_threshold: f32,
    /// IPv6 neighbour-discovery rules: messages of one neighbour-discovery type (router and
    /// neighbour solicitations and advertisements, redirects) from sources that sent none in
    /// 30 s, as a damped count (1 s half-life); at or above it they are flood-icmp, alerted
    /// once per flood with the group as the victim (thc-ipv6's atk6-flood_router26,
    /// flood_advertise6, flood_solicitate6). The same switch runs the module's other rules:
    /// echo requests to a group in a victim's name (smurf6), packets from a group address
    /// (rsmurf6), duplicate-address probes answered for others (dos-new-ip6), neighbour
    /// advertisements claiming another host's address (parasite6). 0 turns them all off
    #[arg(long, default_value_t = DetectSettings::default().nd_flood_threshold, value_name = "N")]
    nd_flood_threshold: f32,
    /// Password-guessing rule: per client and login service (SSH on port 22 or wherever a
    /// server sends an SSH banner; FTP 21, Telnet 23, SMTP submission 587/465, POP3, IMAP,
    /// SMB 445, RDP 3389, VNC 5900; not databases or LDAP, whose application clients open
    /// short connections all day), a damped
    /// count (60 s half-life) of the server's refusals (answers that came 1 s or more after
    /// the client's request, or of the same size as the answer before to a request like the
    /// one before) plus a tenth per short connection closed that had one; at or above it,
    /// the client's packets to the service are an other-attack alerted as "SSH password
    /// guessing" and the like (hydra, medusa, ncrack, patator); 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().brute_force_threshold, value_name = "N")]
    brute_force_threshold: f32,
    /// A source's episode ends and a new one begins when this many consecutive probes it sends
    /// are of another kind (SYN from one source port or from new ones, FIN, NULL, Xmas, Maimon,
    /// ACK, UDP, ICMP queries: echo, timestamp and the like): attacks run back to back are
    /// alerted one by one. Unless what the episode held when they began could not be an alert
    /// alone (fewer than --min-packets flagged packets): then it was their preamble (nmap's host
    /// discovery across a router before its scan), and the episode goes on about their kind
    /// (`preambles` in --json). A victim's episode likewise ends when this many probes sent to
    /// it, over 0.5 s at least, are of one other kind and none of its own: a spoofed flood's
    /// next vector (`victim_changes` in --json); 0 turns both off.
    #[arg(long, default_value_t = DetectSettings::default().change_probes, value_name = "N")]
    change_probes: u32,
    /// A source's episode ends and a new one begins when this many consecutive probes of its
    /// kind change pattern: to one target (address and port) over and over after probes each
    /// to a new one (a flood after a scan: nmap -sT then hping3 -S --flood -p 80), or the
    /// reverse; 0 turns it off (else at least 8).
    #[arg(long, default_value_t = DetectSettings::default().change_pattern, value_name = "N")]
    change_pattern: u32,
    /// Slow-scan rule: alert a source that failed to reach this many distinct ports of one host
    /// (refused, unreachable or unanswered) with failures less than 5 minutes apart, too slowly
    /// for the networks (nmap -T1, --scan-delay 10s); a faster such scan is alerted only if the
    /// networks did not flag its source. Default: Zeek's port-scan threshold; 0 turns this half
    /// off (else 2 to 32).
    #[arg(long, default_value_t = DetectSettings::default().slow_scan.port_threshold, value_name = "N")]
    slow_scan_ports: u32,
    /// Slow-scan rule: likewise, distinct hosts failed on one port, or on one ICMP query type
    /// (a ping sweep: nmap -sn, fping -g). Default: Zeek's address-scan threshold; 0 turns this
    /// half off (else 2 to 32).
    #[arg(long, default_value_t = DetectSettings::default().slow_scan.host_threshold, value_name = "N")]
    slow_scan_hosts: u32,
    /// Few-port UDP scan rule: alert a source that sent small datagrams to this many distinct
    /// service ports of one host within 10 s, each refused (ICMP unreachable) or unanswered and
    /// none asked again (nmap -sU --top-ports 10, -p 53,123,161; hping3 --udp on a few ports),
    /// unless the networks alerted it; 0 turns it off (else 2 to 8).
    #[arg(long, default_value_t = DetectSettings::default().few_udp_ports, value_name = "N")]
    few_udp_ports: usize,
    /// Two-way UDP: once each end of a UDP conversation (one pair of address and port ends) has
    /// sent this many datagrams with payload, its datagrams are normal whatever the networks
    /// say (QUIC downloads, calls, games, tunnels, which look like floods to them), unless one
    /// end sends 200+ a second of one size and the other echoes most (a flood to an echo
    /// service). One-way streams of varying sizes that nobody refuses (syslog, metrics, a
    /// camera's RTP) are normal too. 0 turns both off.
    #[arg(long, default_value_t = DetectSettings::default().udp_settle, value_name = "N")]
    udp_settle: u32,
    /// Answered pings: an echo request whose previous one (to the same host) was answered, 50 ms
    /// or more after it, with that pair's requests (a count damped with a 1 s half-life) at
    /// most N, is normal with its reply and fragments whatever the networks say (large pings
    /// at a ping's pace; `ping -f` and hping3 floods are judged as before). 0 turns it off.
    #[arg(long, default_value_t = DetectSettings::default().echo_pace, value_name = "N")]
    echo_pace: f32,
    /// SCTP associations: the packets of an association whose INIT was answered by an INIT
    /// ACK and a COOKIE ACK, or whose DATA the peer acknowledged with a SACK, are normal
    /// whatever the networks say (NetPerfMeter, Diameter, SIGTRAN); SCTP scans and INIT
    /// floods never complete one. false turns it off.
    #[arg(
        long,
        default_value_t = DetectSettings::default().sctp_associations,
        value_name = "BOOL",
        action = clap::ArgAction::Set
    )]
    sctp_associations: bool,
    /// Memory cap: sources (and victims) with an open attack episode kept at most; when full,
    /// the quietest one's episode ends early.
    #[arg(long, default_value_t = DetectSettings::default().max_sources, value_name = "N")]
    max_sources: usize,
    /// Records scored together (one batch through the network).
    #[arg(long, default_value_t = DetectSettings::default().batch, value_name = "N")]
    batch: usize,
    /// With --pcap: 2 reads, decodes and keeps the feature state on a second thread while this
    /// one scores the batch before and runs the rules and episodes (the feature rows made by
    /// whichever is free; same results; faster when two cores are free); 1 does everything on
    /// one thread.
    #[arg(long, default_value_t = 2, value_name = "1|2",
          value_parser = clap::value_parser!(u8).range(1..=2))]
    threads: u8,
    /// Verdict reuse (the fast path): a packet whose context (both ends, its own header
    /// features, its flow's state) matches a packet scored at most this long before takes
    /// that verdict instead of running the networks; its statistics still count. 0 scores
    /// every packet with the full models (as does --exact).
    #[arg(long, default_value_t = DetectSettings::default().reuse_age, value_name = "SECONDS")]
    reuse_age: f64,
    /// Verdict reuse: a scored verdict is reused for at most this many packets.
    #[arg(long, default_value_t = DetectSettings::default().reuse_uses, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    reuse_uses: u32,
    /// Established TCP sessions: the packets of a TCP connection whose handshake completed
    /// and that nothing refused, after its first N, are normal and counted in their
    /// connection's statistics only, not in its hosts' (a download or a backup at line rate
    /// would otherwise make both hosts look like a flood's ends for minutes); likewise a
    /// two-way tunnel's (GRE, IP-in-IP, ESP: a protocol without ports that both ends send,
    /// the other within 60 s). In a capture of one direction only (a mirror of one side of a
    /// link), a connection the client opened with a SYN and goes on acknowledging, nothing of
    /// it seen coming back, is taken so from its first ACK. 0 counts and scores every packet
    /// (as does --exact).
    #[arg(long, default_value_t = DetectSettings::default().session_packets, value_name = "N")]
    session_packets: u32,
    /// Score every packet with the full models, counting every packet in the statistics
    /// (no verdict reuse, no established sessions; same as --reuse-age 0 --session-packets 0).
    #[arg(long)]
    exact: bool,
}

/// Standard output for `-`, otherwise a buffered [`AtomicFile`] (temporary name, renamed into
/// place by [`Out::finish`]; dropped unfinished, nothing is left behind; `/dev/null` or a FIFO
/// written in place), or for a live capture the file itself, written in place as the capture
/// goes ([`AtomicFile::in_place`]: a live run has no natural end, and what it wrote stays
/// readable while it runs, e.g. by `tail -f`).
enum Out {
    Stdout(std::io::Stdout),
    File(BufWriter<AtomicFile>),
}

impl Out {
    fn create(path: &Path, live: bool) -> CmdResult<Out> {
        if path.as_os_str() == "-" {
            return Ok(Out::Stdout(std::io::stdout()));
        }
        let file = if live {
            AtomicFile::in_place(path)?
        } else {
            AtomicFile::create(path)?
        };
        Ok(Out::File(BufWriter::with_capacity(1 << 20, file)))
    }

    fn finish(self) -> CmdResult {
        match self {
            Out::Stdout(mut o) => o.flush().map_err(input),
            Out::File(w) => w.into_inner().map_err(|e| input(e.into_error()))?.commit(),
        }
    }
}

impl Write for Out {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Out::Stdout(o) => o.write(buf),
            Out::File(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Out::Stdout(o) => o.flush(),
            Out::File(w) => w.flush(),
        }
    }
}

pub fn run_detect(a: DetectArgs) -> CmdResult {
    let settings = DetectSettings {
        gap: a.gap,
        max_episode: a.max_episode.unwrap_or(if a.iface.is_some() {
            LIVE_MAX_EPISODE
        } else {
            0.0
        }),
        min_packets: a.min_packets,
        min_fraction: a.min_fraction,
        min_sent: a.min_sent,
        flood_min_rate: a.flood_min_rate,
        victim_min_packets: a.victim_min_packets,
        victim_min_sources: a.victim_min_sources,
        spray_threshold: a.spray_threshold,
        sweep_threshold: a.sweep_threshold,
        reflection_threshold: a.reflection_threshold,
        unanswered_threshold: a.unanswered_threshold,
        connection_threshold: a.connection_threshold,
        udp_flood_threshold: a.udp_flood_threshold,
        renegotiation_threshold: a.renegotiation_threshold,
        fuzzing_threshold: a.fuzzing_threshold,
        slow_request_threshold: a.slow_request_threshold,
        arp_sweep_threshold: a.arp_sweep_threshold,
        arp_spoof_threshold: a.arp_spoof_threshold,
        nd_flood_threshold: a.nd_flood_threshold,
        brute_force_threshold: a.brute_force_threshold,
        change_probes: a.change_probes,
        change_pattern: a.change_pattern,
        slow_scan: SlowScanConfig {
            port_threshold: a.slow_scan_ports,
            host_threshold: a.slow_scan_hosts,
            ..SlowScanConfig::default()
        },
        few_udp_ports: a.few_udp_ports,
        udp_settle: a.udp_settle,
        echo_pace: a.echo_pace,
        sctp_associations: a.sctp_associations,
        max_sources: a.max_sources,
        batch: a.batch,
        reuse_age: if a.exact { 0.0 } else { a.reuse_age },
        reuse_uses: a.reuse_uses,
        session_packets: if a.exact { 0 } else { a.session_packets },
    };
    settings.validate().map_err(input)?;
    let (models, model_name) = match &a.model {
        Some(p) => (
            Models::with_model(Model::load(p).map_err(input)?).map_err(input)?,
            p.display().to_string(),
        ),
        None => (Models::builtin().map_err(input)?, "built-in".to_string()),
    };
    let model_desc = format!(
        "{} ({} {} {}, {} features{})",
        model_name,
        if models.detector.binary {
            "binary"
        } else {
            "multi-class"
        },
        models.detector.kind,
        match models.detector.net {
            nightjar_ids::model::Net::Mlp(_) => "MLP",
            nightjar_ids::model::Net::Esn(_) => "echo-state network, every packet scored in order",
        },
        models.detector.kind.n_features(),
        if models.namer.is_some() {
            ", classes named by the built-in multi-class MLP"
        } else {
            ""
        }
    );
    let mut engine = Engine::new(models, settings).map_err(input)?;
    // as in force: an echo-state network turns verdict reuse off
    let settings = *engine.settings();
    if a.pcap.is_some() && (a.duration.is_some() || a.count.is_some()) {
        return Err(input(anyhow!(
            "--duration and --count bound a live capture: they go with --iface, not --pcap"
        )));
    }
    let (name, mut source) = match (&a.pcap, &a.iface) {
        (Some(p), _) => (
            p.display().to_string(),
            Source::File(
                if p.as_os_str() == "-" {
                    // `tcpdump -w - ... |`, `zcat ... |`: a stream, read as it comes
                    PcapReader::from_reader(std::io::stdin())
                } else {
                    PcapReader::open(p)
                }
                .with_context(|| format!("capture {}", p.display()))
                .map_err(input)?,
            ),
        ),
        (None, Some(i)) => {
            let duration = match a.duration {
                Some(d) if !(d.is_finite() && d > 0.0 && d <= 1e6) => {
                    return Err(input(anyhow!(
                        "--duration must be between 0 and 1e6 seconds"
                    )))
                }
                d => d.map(Duration::from_secs_f64),
            };
            let options = LiveOptions {
                max_packets: a.count,
                duration,
                ..LiveOptions::default()
            };
            let mut capture = LiveCapture::open(i, options).map_err(input)?;
            // Ctrl-C and SIGTERM end the capture, not the process (see the module docs)
            capture.stop_on_signals().map_err(input)?;
            (format!("interface {i}"), Source::Live(Box::new(capture)))
        }
        (None, None) => return Err(input(anyhow!("give --pcap FILE or --iface IF"))),
    };
    // created once the capture is open (a script may wait for them to appear)
    let live = matches!(source, Source::Live(_));
    let mut scores = a
        .scores
        .as_deref()
        .map(|p| Out::create(p, live))
        .transpose()?;
    let mut eve = a.eve.as_deref().map(|p| Out::create(p, live)).transpose()?;
    if let Some(s) = &mut scores {
        s.write_all(b"index,ts,src,dst,proto,score,verdict\n")
            .map_err(input)?;
    }
    let mut alerts: Vec<Alert> = Vec::new();
    let mut io_err: Option<std::io::Error> = None;
    let t0 = Instant::now();
    let read_err;
    let stats: DetectStats;
    {
        let mut line = String::with_capacity(128);
        let mut sink = |ev: Event<'_>| match ev {
            Event::Packet(v) => {
                if let (Some(s), None) = (&mut scores, &io_err) {
                    use std::fmt::Write as _;
                    line.clear();
                    let _ = match v.packet {
                        Some(p) if p.arp => writeln!(
                            line,
                            "{},{:.6},{},{},ARP,{:.6},{}",
                            v.index,
                            v.ts,
                            p.src,
                            p.dst,
                            v.score,
                            v.label()
                        ),
                        Some(p) => writeln!(
                            line,
                            "{},{:.6},{},{},{},{:.6},{}",
                            v.index,
                            v.ts,
                            p.src,
                            p.dst,
                            p.proto,
                            v.score,
                            v.label()
                        ),
                        None => writeln!(line, "{},{:.6},,,,,undecoded", v.index, v.ts),
                    };
                    if let Err(e) = s.write_all(line.as_bytes()) {
                        io_err = Some(e);
                    }
                }
            }
            Event::Alert(al) => {
                if let (Some(o), None) = (&mut eve, &io_err) {
                    // made whole, then written at once: written as formatted, standard output
                    // took its lock once per key and value
                    // written straight from the alert, the bytes of `to_eve().to_string()`
                    let mut eve_line = String::with_capacity(1024);
                    al.write_eve(&mut eve_line);
                    eve_line.push('\n');
                    let r = o.write_all(eve_line.as_bytes()).and_then(|_| o.flush());
                    if let Err(e) = r {
                        io_err = Some(e);
                    }
                }
                alerts.push(al.clone());
            }
        };
        read_err = match &mut source {
            Source::File(r) if a.threads > 1 => engine.run_pipelined(r.by_ref(), &mut sink),
            Source::File(r) => engine.run(r.by_ref(), &mut sink),
            Source::Live(l) => run_live(&mut engine, l, &mut sink),
        }
        .map_err(input)?;
        stats = engine.finish(&mut sink).map_err(input)?;
    }
    let seconds = t0.elapsed().as_secs_f64();
    if let Some(e) = io_err {
        return Err(input(anyhow!(e).context("writing the output")));
    }
    if let Some(s) = scores {
        s.finish()?;
    }
    if let Some(o) = eve {
        o.finish()?;
    }
    let (mut warnings, kernel) = match source {
        Source::File(r) => (r.warnings().to_vec(), None),
        Source::Live(l) => (Vec::new(), Some(l.finish().map_err(input)?)),
    };
    if let Some(k) = &kernel {
        eprintln!(
            "live capture: {} packets received by the kernel, {} dropped, {} records",
            k.received, k.dropped, k.records
        );
    }
    let fatal = read_err.map(|e| match e {
        PacketError::Corrupt { .. } | PacketError::Read { .. } => format!(
            "{e}; the results above cover the {} records before it",
            stats.records
        ),
        other => other.to_string(),
    });
    if stats.records == 0 && fatal.is_none() {
        warnings.push("the capture holds no packet".to_string());
    }
    if stats.clock_restarts > 0 {
        warnings.push(format!(
            "the capture's clock goes back by more than {} s for good {} time(s) (captures \
             concatenated out of order?): at each, every open episode ended and detection \
             started afresh, as for a new capture",
            nightjar_ids::timeline::OUT_OF_LINE,
            stats.clock_restarts
        ));
    }
    if stats.clock_steps_back > 0 {
        warnings.push(format!(
            "the capture's clock steps back by {} to {} s at {} point(s) (a sensor's clock \
             stepped back, or interfaces or files merged out of order): the packets behind it \
             were taken at the latest time, so rates measured there may be off",
            nightjar_ids::timeline::STEP_BACK,
            nightjar_ids::timeline::OUT_OF_LINE,
            stats.clock_steps_back
        ));
    }
    if stats.out_of_line > 0 {
        warnings.push(format!(
            "{} record(s) stamped more than {} s off the records around them were taken at \
             the time of the record before them",
            stats.out_of_line,
            nightjar_ids::timeline::OUT_OF_LINE
        ));
    }
    summary(&name, &model_desc, &stats, &alerts, seconds, &warnings);
    if a.json {
        let in_force = json!({
            "gap": settings.gap, "max_episode": settings.max_episode,
            "min_packets": settings.min_packets,
            "min_fraction": settings.min_fraction, "min_sent": settings.min_sent,
            "flood_min_rate": settings.flood_min_rate,
            "victim_min_packets": settings.victim_min_packets,
            "victim_min_sources": settings.victim_min_sources,
            "spray_threshold": settings.spray_threshold,
            "sweep_threshold": settings.sweep_threshold,
            "reflection_threshold": settings.reflection_threshold,
            "connection_threshold": settings.connection_threshold,
            "udp_flood_threshold": settings.udp_flood_threshold,
            "renegotiation_threshold": settings.renegotiation_threshold,
            "arp_sweep_threshold": settings.arp_sweep_threshold,
            "arp_spoof_threshold": settings.arp_spoof_threshold,
            "nd_flood_threshold": settings.nd_flood_threshold,
            "brute_force_threshold": settings.brute_force_threshold,
            "change_probes": settings.change_probes,
            "change_pattern": settings.change_pattern,
            "slow_scan_ports": settings.slow_scan.port_threshold,
            "slow_scan_hosts": settings.slow_scan.host_threshold,
            "udp_settle": settings.udp_settle,
            "echo_pace": settings.echo_pace,
            "max_sources": settings.max_sources, "batch": settings.batch,
            "reuse_age": settings.reuse_age, "reuse_uses": settings.reuse_uses,
            "session_packets": settings.session_packets,
        });
        let mut in_force = in_force;
        // (apart: the object above is at the json! macro's recursion limit)
        in_force["unanswered_threshold"] = json!(settings.unanswered_threshold);
        in_force["fuzzing_threshold"] = json!(settings.fuzzing_threshold);
        in_force["sctp_associations"] = json!(settings.sctp_associations);
        let mut j = json!({
            "capture": name,
            "kernel_received": kernel.as_ref().map(|k| k.received),
            "kernel_dropped": kernel.as_ref().map(|k| k.dropped),
            "model": model_name,
            "records": stats.records,
            "packets": stats.packets,
            "undecoded": stats.undecoded,
            "flagged": stats.flagged,
            "flagged_by_spray_rule": stats.flagged_by_spray_rule,
            "flagged_by_sweep_rule": stats.flagged_by_sweep_rule,
            "flagged_by_reflection_rule": stats.flagged_by_reflection_rule,
            "flagged_by_connection_rule": stats.flagged_by_connection_rule,
            "flagged_by_guessing_rule": stats.flagged_by_guessing_rule,
            "forged_icmp_errors": stats.forged_errors,
            "unsolicited_icmp_replies": stats.unsolicited_replies,
            "flagged_by_protocol_rule": stats.flagged_by_protocol_rule,
            "protocol_rule_cleared": stats.protocol_rule_cleared,
            "flagged_by_class": Class::ALL.iter().filter(|c| stats.flagged_by_class[c.index()] > 0)
                .map(|c| (c.as_str().to_string(), json!(stats.flagged_by_class[c.index()])))
                .collect::<serde_json::Map<_, _>>(),
            "alerts": alerts.iter().map(Alert::to_eve).collect::<Vec<_>>(),
            "source_alerts": stats.source_alerts,
            "victim_alerts": stats.victim_alerts,
            "quiet_episodes": stats.quiet_episodes,
            "slow_floods": stats.slow_floods,
            "narrow_scans": stats.narrow_scans,
            "episode_evictions": stats.episode_evictions,
            "attack_changes": stats.attack_changes,
            "slow_scan_alerts": stats.slow_scan_alerts,
            "fast_scans_missed_by_networks": stats.fast_scans_missed_by_networks,
            "fast_scans_left_to_networks": stats.fast_scans_left_to_networks,
            "polled_scans": stats.polled_scans,
            "two_way_cleared": stats.two_way_cleared,
            "fragments_as_first": stats.fragments_as_first,
            "peak_sources": stats.peak_sources,
            "feature_memory_bytes": stats.feature_memory,
            "feature_evictions": stats.feature_evictions,
            "verdicts_reused": stats.verdicts_reused,
            "session_packets": stats.session_packets,
            "seconds": seconds,
            "records_per_second": stats.records as f64 / seconds.max(1e-9),
            "warnings": warnings.iter().chain(fatal.iter()).collect::<Vec<_>>(),
            "settings": in_force,
        });
        // (apart: one macro call with them all exceeds serde_json's recursion limit)
        j["flagged_by_unanswered_rule"] = json!(stats.flagged_by_unanswered_rule);
        j["dense_sweeps"] = json!(stats.dense_sweeps);
        j["merged_alerts"] = json!(stats.merged_alerts);
        j["dense_blocks"] = json!(stats.dense_blocks);
        j["raw_ack_probes"] = json!(stats.raw_ack_probes);
        j["network_alerts"] = json!(stats.network_alerts);
        j["flagged_by_ping_rule"] = json!(stats.flagged_by_ping_rule);
        j["flagged_by_renegotiation_rule"] = json!(stats.flagged_by_renegotiation_rule);
        j["flagged_by_fuzzing_rule"] = json!(stats.flagged_by_fuzzing_rule);
        j["flagged_by_slow_request_rule"] = json!(stats.flagged_by_slow_request_rule);
        j["flagged_by_udp_flood_rule"] = json!(stats.flagged_by_udp_flood_rule);
        j["udp_floods_from_below"] = json!(stats.udp_floods_from_below);
        j["sctp_cleared"] = json!(stats.sctp_cleared);
        j["arp"] = json!(stats.arp);
        j["arp_flagged"] = json!(stats.arp_flagged);
        j["arp_sweep_alerts"] = json!(stats.arp_sweep_alerts);
        j["arp_spoof_flagged"] = json!(stats.arp_spoof_flagged);
        j["arp_spoof_alerts"] = json!(stats.arp_spoof_alerts);
        j["neighbour_flagged"] = json!(stats.neighbour_flagged);
        j["neighbour_alerts"] = json!(stats.neighbour_alerts);
        j["neighbour_cleared"] = json!(stats.neighbour_cleared);
        j["pattern_changes"] = json!(stats.pattern_changes);
        j["preambles"] = json!(stats.preambles);
        j["victim_changes"] = json!(stats.victim_changes);
        j["few_port_scans"] = json!(stats.few_port_scans);
        j["settings"]["few_udp_ports"] = json!(settings.few_udp_ports);
        j["clock_restarts"] = json!(stats.clock_restarts);
        j["out_of_line"] = json!(stats.out_of_line);
        j["clock_steps_back"] = json!(stats.clock_steps_back);
        j["copies"] = json!(stats.copies);
        j["answers_before_requests"] = json!(stats.answers_first);
        j["replies_before_requests"] = json!(stats.replies_first);
        j["fragments_before_first"] = json!(stats.fragments_before_first);
        j["connection_bursts"] = json!(stats.connection_bursts);
        j["question_bursts"] = json!(stats.question_bursts);
        j["lookup_bursts"] = json!(stats.lookup_bursts);
        j["resent_handshakes"] = json!(stats.resent_handshakes);
        j["exchange_bursts"] = json!(stats.exchange_bursts);
        j["scans_of_sessions"] = json!(stats.scans_of_sessions);
        j["data_of_sessions"] = json!(stats.data_of_sessions);
        j["paired_alerts"] = json!(stats.paired_alerts);
        j["closing_resets_cleared"] = json!(stats.closing_resets_cleared);
        j["overlapping_fragments"] = json!(stats.overlapping_fragments);
        j["oversize_fragments"] = json!(stats.oversize_fragments);
        j["echoes_cleared"] = json!(stats.echoes_cleared);
        j["echoes_crowded"] = json!(stats.echoes_crowded);
        j["broadcasts_cleared"] = json!(stats.broadcasts_cleared);
        j["group_errors_cleared"] = json!(stats.group_errors_cleared);
        println!("{j}");
    }
    if let Some(f) = fatal {
        return Err(input(anyhow!("capture {name}: {f}")));
    }
    Ok(())
}

/// Where the records come from.
enum Source {
    File(PcapReader),
    Live(Box<LiveCapture>),
}

/// The default `--max-episode` of a live capture, seconds: an attack that goes on is alerted
/// within a minute and every minute after.
const LIVE_MAX_EPISODE: f64 = 60.0;

/// Longest time between two ticks of the engine during a live capture while packets keep
/// coming (a slow trickle never leaves the capture idle and may take long to fill a batch).
const LIVE_TICK: Duration = Duration::from_millis(250);

/// Seconds behind the wall clock that an idle live capture may still deliver frames stamped:
/// the kernel hands a partly filled ring block over after its block timeout
/// (`LiveOptions::block_timeout`, 20 ms).
const LIVE_SLACK: f64 = 0.1;

/// As `Engine::run` for a live capture, one bounded wait at a time: records are pushed; when
/// the capture was idle, and at least every [`LIVE_TICK`] while packets come, the partial
/// batch is scored and the engine is told the time ([`tick_time`]), so episodes end (and
/// their alerts are reported) while the capture goes on. Returns at the capture's end (a
/// limit, a stop or a signal) or its first read error, as `Engine::run` does.
fn run_live(
    engine: &mut Engine,
    capture: &mut LiveCapture,
    sink: &mut dyn FnMut(Event<'_>),
) -> Result<Option<PacketError>, IdsError> {
    let mut newest = f64::NEG_INFINITY;
    let mut last_tick = Instant::now();
    loop {
        let idle = match capture.poll_next() {
            Ok(LivePoll::Record(r)) => {
                newest = newest.max(r.ts());
                engine.push(r, sink)?;
                false
            }
            Ok(LivePoll::Idle) => true,
            Ok(LivePoll::Finished) => break,
            Err(e) => {
                engine.flush(sink)?;
                return Ok(Some(e));
            }
        };
        if idle || last_tick.elapsed() >= LIVE_TICK {
            engine.tick(tick_time(unix_time(), idle, newest), sink)?;
            last_tick = Instant::now();
        }
    }
    engine.flush(sink)?;
    Ok(None)
}

/// The wall clock, seconds since the Unix epoch: the time base of live packet timestamps (the
/// kernel's realtime clock). A clock before 1970 gives 0, which ends nothing.
fn unix_time() -> f64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The time a live capture's engine is told at a tick: the wall clock `wall` less
/// [`LIVE_SLACK`] after an idle wait (the ring is drained, so no packet older than that is
/// still to come); while packets come, no later than the `newest` packet's time, because the
/// ring may hold a backlog of packets older than the wall clock, whose episodes must not end
/// before those packets are seen.
fn tick_time(wall: f64, idle: bool, newest: f64) -> f64 {
    let now = wall - LIVE_SLACK;
    if idle {
        now
    } else {
        now.min(newest)
    }
}

/// The human summary on standard error.
fn summary(
    name: &str,
    model: &str,
    st: &DetectStats,
    alerts: &[Alert],
    seconds: f64,
    warnings: &[String],
) {
    let mut e = String::new();
    use std::fmt::Write as _;
    for w in warnings {
        let _ = writeln!(e, "nightjar: warning: {name}: {w}");
    }
    let _ = writeln!(
        e,
        "{}: {} records ({} IP packets, {} ARP messages, {} undecoded) in {:.2} s, {:.0} records/s",
        name,
        st.records,
        st.packets,
        st.arp,
        st.undecoded,
        seconds,
        st.records as f64 / seconds.max(1e-9)
    );
    let _ = writeln!(e, "model: {model}");
    let _ = writeln!(
        e,
        "scored {} packets with the networks; {} took the verdict of a recent packet in the same context; {} packets of established TCP sessions were taken as normal{}",
        st.packets
            .saturating_sub(st.verdicts_reused + st.session_packets + st.copies),
        st.verdicts_reused,
        st.session_packets,
        if st.copies > 0 {
            format!(
                "; {} were copies of a packet just before them (a capture that saw packets twice: `-i any` on a bridge or router, a mirror port) and took its verdict",
                st.copies
            )
        } else {
            String::new()
        }
    );
    if st.answers_first > 0 {
        let _ = writeln!(
            e,
            "{} TCP answers were written before the request they answer (a mirror port or a NIC's queues reordering them) and were charged to the request's sender",
            st.answers_first
        );
    }
    if st.replies_first > 0 {
        let _ = writeln!(
            e,
            "{} ICMP replies were written before the request they answer (a mirror port or a NIC's queues reordering them) and were taken as answers to it",
            st.replies_first
        );
    }
    let by_class: Vec<String> = Class::ALL
        .iter()
        .filter(|c| st.flagged_by_class[c.index()] > 0)
        .map(|c| format!("{c} {}", st.flagged_by_class[c.index()]))
        .collect();
    let _ = writeln!(
        e,
        "flagged {} packets as attacks ({} by the spray rule, {} by the sweep rule, {} by the unanswered-connections rule, {} by the repeated-ping rule, {} by the reflection rule, {} by the connection-flood rule, {} by the UDP-service-flood rule, {} by the TLS renegotiation rule, {} by the password-guessing rule, {} by the protocol-scan rule, {} overlapping IP fragments, {} IP fragments past 65,535 bytes (ping of death), {} forged ICMP errors, {} unsolicited ICMP replies; {} more were datagrams of two-way UDP conversations or one-way application streams, {} packets of SCTP associations, {} echo requests and replies of pings answered at a ping's pace, {} NetBIOS and DHCP broadcasts at a LAN's pace, {} resets closing established connections, {} errors about answers to a group's question (a fraggle's victim's) and {} packets of tunnels or traceroute, taken as normal){}{}",
        st.flagged,
        st.flagged_by_spray_rule,
        st.flagged_by_sweep_rule,
        st.flagged_by_unanswered_rule,
        st.flagged_by_ping_rule,
        st.flagged_by_reflection_rule,
        st.flagged_by_connection_rule,
        st.flagged_by_udp_flood_rule,
        st.flagged_by_renegotiation_rule,
        st.flagged_by_guessing_rule,
        st.flagged_by_protocol_rule,
        st.overlapping_fragments,
        st.oversize_fragments,
        st.forged_errors,
        st.unsolicited_replies,
        st.two_way_cleared,
        st.sctp_cleared,
        st.echoes_cleared,
        st.broadcasts_cleared,
        st.closing_resets_cleared,
        st.group_errors_cleared,
        st.protocol_rule_cleared,
        if by_class.is_empty() { "" } else { ": " },
        by_class.join(", ")
    );
    let _ = writeln!(
        e,
        "alerts: {} ({} per source, {} per victim ({} per victim network), {} of them by the slow-scan rule, {} of those scans too fast for it that the networks missed, {} more left to the networks); {} smaller episodes below the alert thresholds, {} floods too slow to be floods, {} scans of fewer than {} targets, {} bursts of fewer than {} complete connections, {} bursts of fewer than {} answered questions, {} bursts of lookups from a socket per name, {} UDP scans that were handshakes sent again (QUIC Initials unanswered), {} bursts of datagrams to many hosts answered one for one, {} scans whose flagged packets were mostly segments of established connections, {} episodes of established connections' own segments with no probe; {} episodes ended by a change of probe kind, {} by a change of pattern, {} changes of probe kind after a preamble too small to alert, {} victim episodes ended by a flood's change of vector",
        st.alerts, st.source_alerts, st.victim_alerts, st.network_alerts, st.slow_scan_alerts,
        st.fast_scans_missed_by_networks, st.fast_scans_left_to_networks,
        st.quiet_episodes.saturating_sub(
            st.slow_floods
                + st.narrow_scans
                + st.connection_bursts
                + st.question_bursts
                + st.lookup_bursts
                + st.resent_handshakes
                + st.exchange_bursts
                + st.scans_of_sessions
                + st.data_of_sessions
        ),
        st.slow_floods, st.narrow_scans, nightjar_ids::profile::SCAN_MIN_TARGETS,
        st.connection_bursts, nightjar_ids::profile::BURST_MAX_CONNECTIONS,
        st.question_bursts, nightjar_ids::profile::BURST_MAX_QUESTIONS, st.lookup_bursts,
        st.resent_handshakes,
        st.exchange_bursts,
        st.scans_of_sessions,
        st.data_of_sessions,
        st.attack_changes,
        st.pattern_changes,
        st.preambles,
        st.victim_changes
    );
    if st.arp > 0 {
        let _ = writeln!(
            e,
            "ARP: {} messages, {} flagged by the ARP rules ({} by the ARP-spoofing rule), {} sweeps alerted, {} spoofing episodes alerted",
            st.arp, st.arp_flagged, st.arp_spoof_flagged, st.arp_sweep_alerts, st.arp_spoof_alerts
        );
    }
    if !alerts.is_empty() {
        let _ = writeln!(
            e,
            "  {:<31} {:>9}  {:<16} {:<16} {:<5} {:<13} {:>8} {:>6}",
            "first seen (UTC)",
            "duration",
            "source",
            "victim",
            "proto",
            "attack",
            "packets",
            "score"
        );
        for a in alerts {
            let src = match a.scope {
                Scope::Source => a.src.to_string(),
                Scope::Victim => format!("{} sources", a.sources),
            };
            let _ = writeln!(
                e,
                "  {:<31} {:>8.2}s  {:<16} {:<16} {:<5} {:<13} {:>8} {:>6.3}",
                iso8601(a.first_seen),
                a.last_seen - a.first_seen,
                src,
                a.network
                    .map_or_else(|| a.dst.to_string(), |n| n.to_string()),
                a.proto_str(),
                a.class.as_str(),
                a.packets,
                a.score
            );
        }
    }
    let _ = writeln!(
        e,
        "state: feature tables up to {:.1} MiB (grown on demand), {} feature-table evictions; at most {} sources with open episodes, {} episodes ended early by the cap",
        st.feature_memory as f64 / (1 << 20) as f64,
        st.feature_evictions,
        st.peak_sources,
        st.episode_evictions
    );
    eprint!("{e}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_live_tick_follows_the_wall_clock_when_idle_and_never_runs_ahead_of_a_backlog() {
        let wall = 1_764_300_000.0;
        // idle: the ring is drained, time is the wall clock's (less the ring's slack)
        assert_eq!(tick_time(wall, true, wall - 30.0), wall - LIVE_SLACK);
        assert_eq!(tick_time(wall, true, f64::NEG_INFINITY), wall - LIVE_SLACK);
        // a trickle: the newest packet is recent, the wall clock decides
        assert_eq!(tick_time(wall, false, wall - 0.01), wall - LIVE_SLACK);
        // a backlog of 10 s in the ring: time stops at the newest packet seen
        assert_eq!(tick_time(wall, false, wall - 10.0), wall - 10.0);
    }
}
