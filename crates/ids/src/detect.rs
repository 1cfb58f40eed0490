//! Detection: packets in, per-packet verdicts and alerts out (DESIGN §7: `ids::detect`).
//!
//! ```text
//! any Iterator<Item = Result<Record, _>> ─→ Engine::push ─→ batch of records
//!   ─ window/paper7 features (one streaming extractor) ─→ f32 rows ─→ detector MLP (scores)
//!                                                              └───→ namer MLP (attack class)
//!   ─→ PacketVerdict per record (in capture order, undecoded records too) ─→ Aggregator ─→ Alert
//! ```
//!
//! The packet source is anything that yields [`Record`]s — a [`nightjar_packet::PcapReader`], a
//! live capture, a test vector — so the engine does not know where packets come from. Packets
//! are buffered into batches of [`DetectSettings::batch`] records and scored together over one
//! contiguous buffer; [`Engine::flush`] scores a partial batch (a live source calls it when no
//! packet came for a while), [`Engine::tick`] lets time pass without packets (episodes end).
//! [`Engine::run_pipelined`] does what [`Engine::run`] does with the reading, decoding and
//! feature extraction of each batch on a second thread, overlapped with the scoring of the
//! batch before (same batches, same results); the feature rows are made on whichever of the
//! two threads has the time. The namer runs only over the packets the detector flagged (the
//! only ones it names), with the arithmetic of a pass over every row.
//!
//! **Models.** The *detector* decides attack or normal per packet; when it is a binary model,
//! a multi-class *namer* on the same features names the attack class of each flagged packet
//! (its most likely attack class; its "normal" output is ignored: the detector decided that).
//! The built-in pair ([`Models::builtin`]) is the round-6 `window` MLPs of
//! `crates/ids/RESULTS.md`, embedded with `include_bytes!` (see `crates/ids/models/SOURCE.md`).
//!
//! **Alerts.** A flagged packet is charged to its *attacking end*: for a TCP segment, the end
//! that opened its flow (the end whose packet the `window` feature state first saw the flow
//! with: a connection's SYN, but also the first of a flood of FINs or SYN-ACKs that nobody
//! asked for, sent from ports below the victim's — unless that first packet was an answer, a
//! SYN-ACK or a reset, and the request it answers came from its receiver within 1 ms after it:
//! a probe and its answer written out of order by a mirror port or a NIC's queues, the flow
//! then the request's sender's, that answer included, see
//! [`WindowState::answered_late`](crate::features::window::WindowState::answered_late));
//! otherwise the client end of its
//! conversation (the sender of a TCP SYN, else the higher port for TCP/UDP — but for a UDP flood
//! from below its receiver's port, its sender, see "UDP floods of a service"; the requester for
//! ICMP; for an ICMP error, the client end of the packet it quotes, or its destination when
//! the capture's snap length cut the quote; see [`attacker_and_victim`]) —
//! so a scanner's probes and the victim's refusals count for the scanner, as DESIGN §12's
//! labelling rule has it. Flagged packets of one source form an
//! episode until a quiet gap of [`DetectSettings::gap`] seconds; an episode becomes an alert
//! when it holds at least [`DetectSettings::min_packets`] flagged packets that make at least
//! [`DetectSettings::min_fraction`] of the source's packets in that time (so a stray false
//! positive in normal traffic raises nothing), or, failing that, at least `min_packets` to its
//! main victim that make that share of the packets between the two (*pairs*, below). With
//! [`DetectSettings::max_episode`], an episode that has lasted that long ends at its next
//! flagged packet and a new one begins, so an attack that goes on is reported piece by piece
//! (a live capture's alerts while it lasts). Its class comes from the episode's profile
//! ([`crate::profile`]): the protocol decides where it defines the class (the probes' TCP
//! flags, repetition per port for scan vs flood, many sources), the majority of the packets'
//! classes otherwise; the alert carries the evidence. An episode named a flood must also
//! average [`DetectSettings::flood_min_rate`] (10) flagged packets a second: what the networks
//! flag at a ping's pace (large pings twice a second, fragmented UDP exchanges) is no flood.
//! Flagged packets are also counted per *victim*; when a victim's episode ends, the
//! packets of sources that were not alerted on their own (each spoofed source of a flood sends
//! only a few) raise one victim alert if there are at least
//! [`DetectSettings::victim_min_packets`] of them from at least
//! [`DetectSettings::victim_min_sources`] distinct sources (addresses, not their episodes: a
//! client whose flagged packets come more than the gap apart is still one source).
//!
//! **Pairs.** Behind a NAT every client's traffic leaves from one address, and a compromised
//! workstation scans while its user streams and browses: the attack's flagged packets are then
//! a small share of the source's (FIN, Xmas, Maimon and UDP scans from a NAT of five clients
//! streaming and downloading: 2–4%, session 20), though most of what it exchanged with its
//! victim. An episode below the source's share is alerted if its flagged packets to its main
//! victim (the Misra–Gries candidate of its victims, counted since it became the candidate)
//! are at least [`DetectSettings::min_packets`] and make at least
//! [`DetectSettings::min_fraction`] of the packets between the source and that victim in that
//! time, flagged or not (counted in [`DetectStats::paired_alerts`]). The NAT's other clients'
//! stray false positives are judged by their own pairs' traffic as before (a stream's
//! misflagged datagrams stay a small share of the stream).
//!
//! **Spray rule.** The network learnt floods from the lab, whose spoofed floods use a handful
//! of source addresses; a flood that takes a new random source for every packet looks to it
//! like many one-packet clients. A rule backs it up: unsolicited packets (TCP without ACK or
//! RST, UDP, ICMP echo) arriving at one victim from sources unseen for 30 s, at a damped rate
//! above [`DetectSettings::spray_threshold`], are flagged as a flood of their kind. Segments
//! with ACK or a bare RST (no SYN) from such sources are counted apart, less what their
//! receiver sends but resets, and flagged `other-attack` above the same threshold: an ACK,
//! PSH+ACK or RST flood from random sources, which its victim does not answer or answers
//! with resets, where a busy server answers its clients (`Spray::push`, "Floods of ACKs").
//! Such a segment is charged to its sender, and a bare RST or a PSH+ACK is a probe kind of a
//! victim's episode (`ProbeKind::of_victim`), so that a flood of them is a vector of its own.
//!
//! **Carpet floods** ([`crate::carpet`]). A flood spread over every address of a subnet gives
//! each a small share. The spray rule counts its new sources per victim network (a /24, a
//! /64) too, and flags their packets at [`crate::carpet::NETWORK_SPRAY_FACTOR`] times its
//! threshold; a one-source flood's echo requests, repeated to addresses that never answer, are
//! flagged by the repeated-ping rule (`carpet::RepeatedPings`). Flagged packets are
//! counted per victim network as per victim (a source's only until it reaches
//! [`DetectSettings::min_packets`]: after that it is alerted on its own); when a network's
//! episode ends (by quiet, or by [`DetectSettings::change_probes`] probes of another kind in a
//! row: spoofed floods of SYNs, then datagrams, over one subnet, are two attacks), the packets
//! of sources and victims that were not alerted on their own raise one victim alert about the
//! network (`dest_ip` its address, `nightjar.network` its prefix and the addresses hit) if
//! they make a victim alert's numbers and went to at least
//! [`crate::carpet::NETWORK_MIN_HOSTS`] addresses.
//!
//! **Sweep rule.** The lab's scans all target hosts that answer (SYN-ACKs, RSTs, ICMP errors),
//! and the network learnt scans from those answers; a scan of many addresses that mostly do not
//! answer (masscan or zmap over a subnet, nmap `-Pn` through a router) shows it none. A second
//! rule, in the manner of Zeek's address-scan detection (25 hosts by default), backs it up:
//! probes (TCP without ACK or RST, UDP) from one source to destination hosts it has not
//! probed in the last 30 s, less the answers it received (SYN-ACKs, UDP), as a damped count
//! with a 1 s half-life, at or above [`DetectSettings::sweep_threshold`], flag the source's
//! further probes as a scan of their kind. A client that opens connections to many new servers
//! gets an answer from each within a round trip, so its count stays near zero. The same count
//! is kept per source and destination port, of the hosts new to the source *on that port*,
//! less the answers from that port (a refusal too: the host exists), as Zeek keys its address
//! scans by scanner and port: an attacker who sweeps one subnet port after port, or tool after
//! tool, probes no new host after the first sweep.
//!
//! **Unanswered connections.** Behind a firewall a connect scan's SYNs draw nothing or an ICMP
//! refusal rate-limited to about one a second, and its kernel sends each again from its port; the
//! networks, which learnt closed ports from RSTs, may pass those. A rule ([`crate::unanswered`])
//! counts per (source, host) the connection attempts that failed so (sent again with no answer
//! between, or quoted by an ICMP destination unreachable of any code), damped over 10 s; past 25
//! the source's TCP probes of that host are a scan of their flags. Counted in
//! [`DetectStats::flagged_by_unanswered_rule`].
//!
//! **Slow scans.** A scan slower than the episodes' gap and the statistics' minute (`nmap
//! -T1`, `--scan-delay 10s`) is left to a third rule, [`crate::slowscan`] (Zeek's scan
//! detection: 15 failed ports of one host, or one port failed on 25 hosts, within 5 minutes;
//! [`DetectSettings::slow_scan`]). It runs on the scoring side, packet by packet after the
//! aggregator; each finding is one source alert, reported after the packet that completed it.
//! A fast finding (a scan at nmap's pace, the networks' to catch) is dropped when the networks
//! alerted its scanner over its span; a *later scan's* (a scan of one host after the slow-scan
//! episode's finding, [`Finding::later`]) only when, besides, they flagged that host at alert
//! volume from the scan's first probe to a gap after its threshold (its victim's episodes,
//! [`Aggregator::victim_flagged`]): a scan seconds after a scan of another host falls within
//! the first one's alerted episode, and the networks, whose minute-long statistics of the
//! source are full of the first scan, may pass every packet of the second (session 22). Such
//! a finding is decided at the end of its scanner's episode, or a gap after it was made if
//! that is later (the networks' first flagged packets may follow its fifteenth refusal).
//! A sweep of one port over a small block, most of it empty, is found below the host
//! threshold by its density (twelve failed hosts in a row filling half the addresses between
//! them: `slowscan`'s "Sparse blocks", session 26), as a held candidate; counted in
//! [`DetectStats::dense_sweeps`]. A sweep of several ports over such a block, whose ports
//! interleave (nmap's default order), is found the same way by one port's failed hosts over
//! the episode (`slowscan`'s "Blocks of many ports", session 27; [`DetectStats::dense_blocks`]).
//!
//! **ARP sweeps.** ARP messages ([`Record::Arp`]) never reach the feature state or the
//! networks (they were trained on IP packets only); they go to one rule, [`crate::arpsweep`]:
//! a sender asking for many addresses it then does not talk to (`nmap -sn` or `arp-scan` on
//! its own LAN) raises one `other-attack` alert per sweep, from the sender's protocol address
//! to the first address of the swept prefix, apart from the aggregator's episodes (a SYN scan
//! that follows nmap's ARP host discovery is its own alert when it reaches enough targets). A
//! sweep whose sender's first packets to the hosts that answered are probes of one kind (raw
//! SYNs, `connect()` SYNs, UDP: a scan of its own LAN, whose probes reach only the live hosts)
//! is that scan's host discovery, and its alert is named `scan-syn`, `scan-connect` or
//! `scan-udp` instead. An ARP message's verdict is the
//! rule's (`normal` or `other-attack`), with score 0; the IP packets feed the rule only with
//! who talked to whom.
//!
//! **IPv6 neighbour discovery and groups** ([`crate::neighbour`]). Floods of router or
//! neighbour advertisements or solicitations from random sources to a group, echo requests to
//! a group in a victim's name (smurf), packets from a group address, duplicate-address
//! probes answered for others and neighbour advertisements that contradict an address's
//! owner are a rule's, whatever the networks say (counted in
//! [`DetectStats::neighbour_flagged`]); each episode is one victim alert whose `dest_ip` is
//! the group (`ff02::1`, the link), the smurf's forged source or the host deceived, not the
//! aggregator's (it is fed those packets as normal: it takes no group for a victim, and
//! would make the smurf's victim and the hosts answering it attackers).
//!
//! **Two-way UDP.** A QUIC download, a call or a tunnel is a long run of UDP datagrams on one
//! pair of ports, thousands a second, which the networks, having learnt UDP only from floods,
//! scans and single queries, took for a flood. A UDP conversation in which each end has sent
//! [`DetectSettings::udp_settle`] (2) datagrams with payload is two-way
//! ([`crate::conversation`], conntrack's "assured" flows), and its datagrams are normal
//! whatever the networks and the spray and sweep rules say. It runs on the scoring side; the
//! datagrams cleared are counted in [`DetectStats::two_way_cleared`].
//!
//! **SCTP associations.** The networks never saw SCTP, and took an association's packets for
//! a flood (Wireshark's `netperfmeter.pcapng`: DATA one way, SACKs back). The packets of an
//! SCTP association both ends hold — its INIT answered by an INIT ACK and then a COOKIE ACK,
//! or its DATA acknowledged by the peer's SACK — are normal from then on, whatever the networks
//! and the spray and sweep rules say ([`crate::associations`],
//! [`DetectSettings::sctp_associations`]); counted in [`DetectStats::sctp_cleared`]. SCTP
//! scans (`nmap -sY`, `-sZ`) and INIT floods never complete an association.
//!
//! **Resets that close connections.** Many ordinary connections end with a reset, not a FIN:
//! wrk resets every connection at the end of a run, HTTP clients with `SO_LINGER` 0 (Java's,
//! Go's, .NET's) each of theirs, a download aborted with unread data in the socket is reset
//! (RFC 2525 §2.17), nginx resets timed-out connections (`reset_timedout_connection`),
//! HAProxy its health checks. The networks learnt resets from floods and scanners and flagged
//! them: 64 at once from one client made a "TCP reset flood" (wrk `-c 64`, session 15). A
//! reset that closes an established connection — its handshake completed, the reset's sender
//! received data on it, nothing refused it before — is the connection's own end, and so is,
//! after it, each reset an end's kernel sends to answer a segment still arriving
//! ([`crate::features::Extractor::closing_reset`], from the feature state's flow table), and
//! each reset after it from an end that had closed its side with a FIN once the connection
//! served it (its kernel's answers to the segments that crossed its FIN: a P2P node's next
//! messages to the peers that hung up on it, nDPI's `ethereum.pcap`, session 25): they
//! are normal whatever the networks and the rules say (counted in
//! [`DetectStats::closing_resets_cleared`] when they had flagged them). Nothing of an attack
//! the detector names is such a reset: a reset flood (`hping3 -R`) resets no connection, a
//! SYN scanner's kernel resets half-open ones, a connect scan closes connections that carried
//! nothing, slowloris (`slowhttptest -H`) resets at its end connections it was never answered
//! on; a forger that kills connections (`tcpkill`) sends several resets into each at once,
//! and only the first of them ends it: nothing called for the others.
//!
//! **Fragments.** A fragment after the first carries no transport header; it takes the verdict
//! and the ends of its datagram's first fragment ([`crate::fragments`]), so a flood of large
//! pings is charged to its sender, not (by its later fragments' ICMP type, which reads 0, an
//! echo reply) to its victim. A fragment ending past 65,535 bytes of datagram is a ping of
//! death ([`crate::fragments::ends_past_max`]), its sender's `other-attack`, and its episode
//! is alerted however few its packets ([`DetectStats::oversize_fragments`]).
//!
//! **Answered pings** ([`crate::echoes`]). The networks flag large pings (`ping -s 3000`,
//! fragments both ways) about two times in three. An echo request whose pair's previous one
//! was answered, at a ping's pace ([`DetectSettings::echo_pace`]), is normal with its reply
//! and fragments whatever the networks and the spray, sweep and ping rules say (the spray
//! rule's flood from forged sources excepted); counted in [`DetectStats::echoes_cleared`].
//! Pings at a ping's pace from many requesters at once to one responder, past
//! [`crate::echoes::CROWD`] together (a botnet's ICMP flood, each bot at 2 or 10 a second),
//! are not cleared: the networks judge them, and a victim alert gathers the bots too slow to
//! be alerted alone (counted in [`DetectStats::echoes_crowded`]).
//!
//! **LAN-service broadcasts** ([`crate::broadcasts`]): NetBIOS name and datagram broadcasts
//! and DHCP broadcasts (a client with no address yet, from 0.0.0.0) at a LAN's pace are
//! normal whatever the networks say (counted in [`DetectStats::broadcasts_cleared`]); a
//! sender's past [`crate::broadcasts::PACE`] (a DHCP starvation) are judged as before.
//!
//! **What the networks never saw.** Three kinds of attack lie outside the lab's training
//! captures, and the networks call their packets normal ([`crate::unlearned`]): ICMP errors
//! their sender made up (a "BlackNurse" flood of port unreachables quoting a packet the
//! victim never sent) and ICMP replies to requests never sent (an echo-reply flood) are
//! `flood-icmp` packets, whatever the networks say, charged to their sender; packets of other protocols than TCP, UDP and ICMP from a source that has sent one
//! host eight protocols (`nmap -sO`), or SCTP and UDP-Lite packets from a source that has sent
//! one host eight ports (`nmap -sY`), are `other-attack` when the networks call them normal.
//! Counted in [`DetectStats::forged_errors`] and [`DetectStats::flagged_by_protocol_rule`].
//!
//! **Password guessing.** A client guessing passwords (hydra, medusa, ncrack, patator against
//! SSH or FTP) completes every handshake and sends well-formed logins; the networks pass them. A
//! rule ([`crate::guessing`]) counts, per client and login service, the server's refusals —
//! answers that came a second or more after the client's request (servers delay their
//! refusals), or of the size of the answer before to a request like the one before (a refusal
//! is always the same message) — and, a tenth each, the short connections closed, damped with
//! a 60 s half-life; at or above [`DetectSettings::brute_force_threshold`] the client's
//! packets to the service and its answers are `other-attack`, and an episode most of whose
//! flagged packets are such is named password guessing against that service
//! ([`crate::profile::Rule::PasswordGuessing`]).
//! Counted in [`DetectStats::flagged_by_guessing_rule`].
//!
//! **TLS renegotiation floods.** thc-ssl-dos renegotiates a few TLS connections as fast as
//! the server completes the handshakes; each segment is a connection's own. A rule
//! ([`crate::renegotiation`]) reads the record type that begins a segment's payload: per
//! connection, the client's handshake records after its handshake completed, damped with a
//! 60 s half-life; at or above [`DetectSettings::renegotiation_threshold`] the connection's
//! packets, both ways, are its client's `other-attack`, whatever the networks said, and an
//! episode most of whose flagged packets are such is named TLS renegotiation
//! ([`crate::profile::Rule::TlsRenegotiation`]). Counted in
//! [`DetectStats::flagged_by_renegotiation_rule`].
//!
//! **Fuzzing.** A network fuzzer (SFuzz, the Kitsune dataset's "Fuzzing") opens connection
//! after connection to one service and sends random bytes on each; every connection is
//! answered. A rule ([`crate::fuzzing`]) reads the first payload byte of each connection's
//! first data segment from its opener (the feature state tells which segment that is:
//! [`Extractor::first_data`](crate::features::Extractor::first_data)): per (client, server,
//! port), the distinct ones within 60 s; a protocol's clients begin with a few, random bytes
//! with many. At or above [`DetectSettings::fuzzing_threshold`] the client's segments to
//! that service and the server's answers are the client's `other-attack`, and an episode most
//! of whose flagged packets are such is named fuzzing ([`crate::profile::Rule::Fuzzing`]).
//! Counted in [`DetectStats::flagged_by_fuzzing_rule`].
//!
//! **Slow requests held open.** Slowloris and slowhttptest's slow headers and slow body open a
//! few hundred connections to a web server and add a few bytes to each one's unfinished
//! request every few seconds; over HTTPS the networks see nothing of it. A rule
//! ([`crate::slowrequests`]) counts per (client, server, port) the connections on which the
//! client sent a small segment a pause after its last, the server silent since; at or above
//! [`DetectSettings::slow_request_threshold`] the packets of those connections, both ways, are
//! the client's `other-attack`, and an episode most of whose flagged packets are such is
//! named so ([`crate::profile::Rule::SlowRequests`]). The same rule counts a connection
//! whose client keeps its receive window shut a pause after it first did, the server's answer
//! waiting (slowhttptest's slow read, `-X`; session 28): an episode most of whose flagged
//! packets are of such connections is named slow reads ([`crate::profile::Rule::SlowReads`]);
//! a shut window is looked at past the established-sessions cut too. Counted in
//! [`DetectStats::flagged_by_slow_request_rule`].
//!
//! **Slow attacks' rounds.** DESIGN §7 and §12 want one alert per attacking source per attack.
//! A slow attack comes in rounds further apart than the gap: slowloris adds a header line to
//! each of its connections every 5–15 s, a slow UDP scan (`nmap -sU --scan-delay 4s`) probes
//! a few ports per few-port window; each round was an episode, and an alert, of its own (six
//! for one slowhttptest in the committed `http` capture, nine for three in `tlsdos`; session
//! 27, `lab/slowrounds.attacks`). The alert of an episode named by the slow-request rule, and
//! a few-port scan's finding, are now *held* ([`Aggregator::raise`], at most [`MAX_HELD`]):
//! the next round's alert of the same source, victim and class, by the same rule, is merged
//! into it (its span, packets and counts; counted in [`DetectStats::merged_alerts`]) when it
//! is that attack's round — for slow requests, an episode beginning at most
//! [`SLOW_REQUEST_HORIZON`] (30 s) after the held alert's last packet that adds to a
//! connection counted before, or adds nothing (the tool's closes), where a new attack's
//! episode adds its new connections' first requests only
//! ([`crate::slowrequests::Addition`]); for a few-port scan, a window of the same *chain*
//! (begun at most a window after the pair's last probe, [`crate::fewports`]) beginning at
//! most two windows after the held one's last probe. A held alert is reported once no round
//! came in time: [`SLOW_REQUEST_HORIZON`] and a gap after its last flagged packet (put off
//! while an episode of its source that began within the horizon is open, until a gap after
//! that one), three windows and the answer wait (32 s) for a few-port scan. With
//! [`DetectSettings::max_episode`] (a live capture's 60 s) no round is merged into an alert
//! it would make longer than that, nor put off for an episode that would, so an attack that
//! goes on is still reported piece by piece, each piece at most max_episode + 30 s + a gap
//! (94 s live) after its first packet. Another
//! attack of the source (a flood right after, another class) is alerted as before, when its
//! episode ends, and may so be reported before the held alert of the attack before it.
//!
//! **UDP floods of a service** ([`crate::udpfloods`]). hping3 `--udp` against a service that
//! takes the datagrams in silence (a resolver, chronyd, snmpd dropping what is not their
//! protocol) draws no ICMP refusal, and the networks, which learnt UDP floods with their
//! refusals, pass it; so they pass a flood of a closed port once a capture filter (`udp`) took
//! the refusals away. A client's datagrams of one size to one (server, port), damped with a
//! 1 s half-life, at or above [`DetectSettings::udp_flood_threshold`], fewer than one in four
//! answered from that port, to a port below 1,024 or mostly from a new source port each, are
//! `flood-udp` where the networks call them normal. Counted in
//! [`DetectStats::flagged_by_udp_flood_rule`]. A flood sent *from* a well-known port below its
//! receiver's (nping's default source port 53, hping3 `-s 53 -k`), which port order makes the
//! receiver's, is counted as its sender's when the receiver never asked the sender's port nor
//! sent anything back: past the threshold its datagrams are `flood-udp` whatever the networks
//! say, charged to the sender against the receiver, and so are the receiver's ICMP refusals of
//! them (the module's "Floods from below"; [`DetectStats::udp_floods_from_below`]).
//!
//! **Narrow scans.** An episode named a scan whose probes reached fewer than
//! [`SCAN_MIN_TARGETS`] (4) distinct targets scanned nothing (a client's queries to one
//! service, each from a new port) and raises no alert.
//!
//! **Handshakes sent again** ([`crate::handshakes`]). A QUIC client whose Initials go
//! unanswered (a server that does not speak its version, a blocked UDP path, a closed port)
//! sends each again from its socket with a doubling timeout, every one padded to 1,200
//! bytes; one that tries several servers, or one on its usual ports (443, 4433, 4434), gave
//! the networks many hosts with unanswered or refused ports, and its episode was named a UDP
//! scan (nDPI's `tests/pcap/quic_interop_V.pcapng`, session 25), or, its datagrams repeated
//! to each target, a UDP flood. An episode named a UDP scan or a UDP flood (not by
//! reflection) whose source's datagrams were mostly full-size
//! ([`crate::handshakes::FULL_SHARE`]), a quarter of those sent again on their conversation
//! at the same size with nothing back and no faster than a doubling retry timer
//! ([`crate::handshakes::RESENT_SHARE`]), to at most [`crate::handshakes::PORTS_PER_HOST`]
//! ports per host, raises no alert (counted in [`DetectStats::resent_handshakes`]); a scan's
//! probes are small or empty, a scanner's tries of a port come from new source ports, and a
//! flood does not back off. A source flagged at alert volume less than the gap before the
//! episode began is attacking: its episode is alerted.
//!
//! **Bursts of connections.** An episode named a SYN flood by repetition whose source opened
//! fewer than [`BURST_MAX_CONNECTIONS`] (250) connections, most of which carried a request
//! from it and an answer to it (counted by the client's ports of the data segments each way,
//! at least half as many as its SYNs), is a client fetching a batch of resources over short
//! connections (`ab -n 150 -c 8`, a `curl` loop, `git clone` over dumb HTTP) and raises no
//! alert. A SYN flood's connections carry nothing (hping3's are half-open), and the lab's HTTP
//! floods open more (counted in [`DetectStats::connection_bursts`]). A source flagged at alert
//! volume less than the gap before the episode began is attacking: its burst is alerted.
//!
//! **Bursts of questions.** An episode named a UDP flood (not by reflection) of fewer than
//! [`BURST_MAX_QUESTIONS`] (250) flagged packets, at least half as many of which were
//! datagrams with payload the source sent on one conversation (the ports of its first such
//! datagram to its victim), of which the victim answered at least half on that conversation,
//! is a client asking a server a batch of questions at once: a stub resolver (c-ares, a mail
//! relay's lookups) sends 15–40 queries to its resolver from one socket in a millisecond, each
//! answered a few milliseconds later, before the two-way rule ([`crate::conversation`]) has
//! seen its conversation go both ways; the networks flag the queries as a flood's datagrams
//! (session 21's `infra` lab). It raises no alert (counted in
//! [`DetectStats::question_bursts`]). A UDP flood to a closed port draws ICMP errors, not
//! datagrams; one to a victim that does not answer (LOIC, a flood of a port that only
//! listens) draws nothing; hping3 sends each datagram from a new port, so the lab's spoofed
//! floods of the victim's NTP-like service (`hping3 --udp -p 123 -a`, 50–200 datagrams from
//! each of a few forged addresses, each answered) are conversations of one question each and
//! stay floods; a reflected flood is named by reflection. What it gives away: a flood of fewer than 250 datagrams from one port to a
//! service that answers each (an echo or DNS port). A source flagged at alert volume less than
//! the gap before the episode began is attacking: its burst is alerted, as a burst of
//! connections is.
//!
//! **Bursts of lookups.** A host that resolves many names at once with glibc's `getaddrinfo`
//! (a crawler, a mail server, a monitoring host) asks each from a socket of its own, its A and
//! AAAA questions sent together, and hundreds within a second: past 250 flagged questions, many
//! conversations of two. An episode named a UDP flood (not by reflection) of fewer than
//! [`BURST_MAX_LOOKUPS`] (10,000) flagged packets whose first datagram with payload went to the
//! victim's port 53, at least half as many of which were questions to that port, the victim
//! answering at least half, and between a quarter and three quarters of those questions sent
//! from the port of one of the 16 questions before (`DNS_RECENT`), raises no alert (counted in
//! [`DetectStats::lookup_bursts`]; session 24's `lookups` lab: 150–1,500 names, 40–50% of the
//! questions from a recent port). hping3's floods and a random-subdomain flood's bots send each
//! question from a new port (none), nping `-g` all from one (all). Not told apart: reverse
//! lookups (`getnameinfo`, one PTR question a socket) from a random-subdomain flood, which
//! looks the same in ports, sizes, share answered and rate; past 250 flagged packets they are
//! alerted.
//!
//! **A connection's own data** (session 25). The networks name a packet from its window's
//! statistics, and after an idle spell a client's upload at full speed on a connection it
//! opened long before — its segments and the server's ACKs — looks to them like a flood:
//! nDPI's tests/pcap/whatsappfiles.pcap, a WhatsApp client's file upload over HTTPS, 32
//! packets named an ICMP flood (`lab/uploads.sh` makes the pattern: the idle spell is what
//! matters, not ECN or the round trip). Two rules. A source's episode in which the profile found
//! no probe at all (no SYN, no flag combination outside an established connection's, no
//! datagram, echo request or fragment: its class the networks' vote alone), more than half of
//! whose flagged packets were segments of established connections, some of them the peer's,
//! raises no alert ([`data_of_sessions`], counted in [`DetectStats::data_of_sessions`]): it
//! is what the established-sessions rule ([`DetectSettings::session_packets`]) takes as
//! normal after a connection's first 64 packets. The attacks made of connections are named by
//! what opens them (an HTTP flood's SYNs, slowloris's) or by their own rules (password
//! guessing, fuzzing, TLS renegotiation), and a flood without a handshake (PSH+ACKs with data,
//! t50's, Mirai's) holds no established segment. And an alert the networks' vote named with a
//! class of a protocol none of its flagged packets carry (an ICMP flood of TCP segments, a
//! UDP class of TCP segments, a TCP class of datagrams) is renamed `other-attack`
//! (`Tally::own_protocol`, [`Rule::AbsentProtocol`](crate::profile::Rule::AbsentProtocol)):
//! only the name, after the alert was decided on by the networks' class (too slow for a
//! flood, too narrow for a scan). Left alerted: an established connection's segments with
//! nothing seen from the peer (a capture of one direction), now named `other-attack`.
//!
//! **Bursts of exchanges.** dnscrypt-proxy measures its resolvers by "pinging" dozens at once:
//! to each, ~6 queries from fresh source ports within a millisecond, padded to 512 or 1,532
//! bytes (the larger fragmented), each answered within 0.2 s (nDPI's
//! `tests/pcap/dnscrypt-v1-and-resolver-pings.pcap`, session 25's `pings` lab). The networks flag
//! the later queries of each burst and their fragments as a flood's (or a UDP scan's: one
//! resolver after another), and the bursts a few ms apart make one episode. Each source episode
//! therefore keeps the UDP datagrams its source sends (up to `EXCHANGES_KEPT`, 1,024; a run of
//! `EXCHANGES_RUN`, 64, to one host, a flood's, ends the record: no burst), whether
//! each (or a later fragment of it, tied by its IP Identification) was flagged, and whether its
//! destination answered it with a datagram on the same port pair. An episode named a UDP flood
//! or scan (not by reflection) whose flagged packets were all such datagrams, their fragments
//! and answers, nine in ten of its flagged datagrams answered so, and whose datagrams went to
//! each host fewer than [`DetectSettings::min_packets`] times (as many as an alert needs), at
//! least twice on average, each from a source port of its own, raises no alert (counted in
//! [`DetectStats::exchange_bursts`]). A flood's datagrams go to one host, hundreds of them:
//! a flood the server answers one for one (hping3 at an open service port, a DNS query flood
//! a server keeps up with) is alerted as before, and so is one it partly answers. A scan's
//! probes draw ICMP errors or nothing, and those open ports answer are each asked once (nmap,
//! zmap) or again from one source port (masscan's retries). What it gives away: a UDP flood
//! spread over many hosts, fewer than 15 datagrams to each, each answered on its port pair,
//! which floods none of them. A source flagged at alert volume less than the gap before the
//! episode began is attacking: its burst is alerted, as the other bursts are.
//!
//! **Attacks back to back.** A script that runs `nmap -sS`, then `-sF`, then `hping3 --icmp`
//! against one host leaves no quiet between them, so they would make one episode, named after
//! the largest. Each source episode therefore keeps the kind of its probes (the flags that
//! define nmap's scan flavours; a SYN from the previous SYN's source port or from a new one;
//! UDP; ICMP echo: `ProbeKind`); [`DetectSettings::change_probes`] (10) consecutive probes
//! of another kind end it, and a new episode begins at the first of them. The probes before
//! the tenth stay with the attack before (they and their answers are a small part of any
//! alert). Only an attack that could be alerted alone ends so: if the episode held fewer than
//! [`DetectSettings::min_packets`] flagged packets (and no fragment past 65,535 bytes) when the
//! run began, what came before was the run's preamble, and the episode goes on, about the
//! run's kind (`Shift::preamble`, [`DetectStats::preambles`]). nmap across a router pings its
//! target first — an echo request, a SYN to 443 and an ACK to 80 from one port, a timestamp
//! request (on the target's own link it asks by ARP instead) — and a round trip later scans:
//! that discovery set the episode's kind, and each scan was alerted twice, a piece of ~20
//! packets (the discovery, the scan's first nine probes and their answers) and the scan
//! (session 23, `wan.pcap`). A small attack right before another (within the gap) is now in
//! the other's alert instead of a piece below the thresholds. Only the source's own probes
//! count: a connect scan's handshake ACKs come each after a SYN-ACK and make no run; an ACK
//! scan and a window scan send the same probes and stay one.
//! A SYN the networks passed whose connection then carries the source's data (a NAT's or a
//! busy workstation's clients loading pages while a scan from the same address pauses) leaves
//! the run again (`Shift::took_back`); a connect scan's connections carry none, and an HTTP
//! flood's SYNs the networks flag stay in it.
//! The mirror cases (session 21): an episode whose kind was set by SYNs the networks passed
//! holds that kind only *tentatively* (`Shift::tentative`) until one of them shows itself a
//! probe (flagged, refused, reset by its source, or no data before seven more SYNs); until
//! then the first probe of another kind that counts makes the episode about that kind, as if
//! it had been its first — a Maimon scan from a NAT's address, begun among its clients' page
//! loads, is no SYN flood. Such passed SYNs counted in the episode's profile as probes are
//! taken back from it when their connections carry data (`Shift::ordinary`,
//! `Profile::take_back_syn`): a connect scan's profile counts its own SYNs, not the clients'.
//! In an episode of SYNs a passed SYN no longer ends a run of probes of another kind at
//! once; it does when it shows itself a probe (bit 18 of its `Shift::kind_syns` entry). And
//! a FIN+ACK without data the networks passed, outside an established connection and owing
//! no close, counts as a Maimon probe against an episode of another kind (behind a NAT the
//! victim's resets may be all that is flagged of a Maimon scan) and in a Maimon episode's
//! profile; a FIN back ends a run of them only on one of their own connections. A close is
//! owed for each SYN-ACK the source received, but not one it refused with a bare reset (a
//! SYN flood's or a SYN scan's half-open connections: session 24, where the 800 SYN-ACKs of
//! an hping3 SYN flood made a Maimon scan a few attacks later 800 owed closes, no probes).
//! Attacks of one kind back to back (`nmap -sT` then `hping3 -S --flood -p 80`, both SYNs from
//! a new source port each; `nmap -sU` then a UDP flood) differ in where their probes go: a
//! scan's each to a new target (an address and port), a flood's to one over and over. An
//! episode's first [`DetectSettings::change_pattern`] (20) probes of its kind to one target in
//! a row, or to as many targets none of the latest four had, set its pattern; a probe (one
//! that counts for the change of kind: flagged, or unmistakable) that completes a run of the
//! other ends it — 20 in a row to one target after a scan, 20 more to new targets than to the
//! flood's after a flood — and the next begins at the run's first probe (`Targets`). A UDP
//! datagram the networks pass counts towards a run of its episode's kind (a UDP scan's, which
//! the networks leave to the refusals they draw), and names the scan of an episode whose
//! datagrams each go to a new target. A scan's retries come back to a recent target between
//! other ports' probes, a flood's source looks something up now and then and its next probe
//! goes to the flood's target again; a scan of one port on many hosts reaches a new target with
//! each probe.
//!
//! **Vectors of a spoofed flood** (session 24). A DDoS campaign switches vectors every few
//! seconds — a SYN flood from random source addresses, then a UDP flood, an ICMP flood, an ACK
//! or Xmas flood, back to SYNs — each an attack of its own class (DESIGN §12), while the
//! victim's episode, which alerts them, ended only by quiet: one alert named after the largest.
//! A victim's episode therefore keeps the kind of the probes sent to it (`ProbeKind`, every SYN
//! alike; `VicEp::switched`), and ends when the probes to it have been of one other kind than
//! the episode's, none of its own among them, for at least [`DetectSettings::change_probes`]
//! (10) probes and [`VICTIM_CHANGE_SECS`] (0.5 s), each within that time of the one before (a
//! flood's pace: stray flagged packets of ordinary clients, a second apart, make no run); the
//! next begins at the first of them, from its source. A switch of vector is a sustained change: the old kind stops. A botnet whose bots
//! send SYNs, datagrams and pings at once interleaves the kinds, each back within milliseconds,
//! and stays one episode, as does a short burst of another kind inside a flood. As for a
//! source, only an episode that could be alerted alone ends so: if what it held when the run
//! began was below the victim alert's thresholds ([`DetectSettings::victim_min_packets`] from
//! [`DetectSettings::victim_min_sources`] sources no source alert covered), the run is the
//! attack and what came before its preamble, and the episode goes on about the run's kind.
//! The run's first nine probes stay with the vector before (as a source's); from its tenth on,
//! while the run lasts, the episode keeps aside its state as it stood and the next episode's
//! from the run's first probe (`VicEp::held`), so the half second that confirms the switch is
//! the next vector's, not counted in the one before (where it could change the name). A victim network's episode has its own rule
//! (`NetEp::moved_on`).
//!
//! **Bounded memory.** The feature tables are bounded (`features::table`); the episode
//! tables hold at most [`DetectSettings::max_sources`] sources and as many victims, and evict
//! the one quiet longest (its episode ends early) when full.

use crate::alert::{Alert, Scope};
use crate::arpspoof::{ArpSpoof, ArpSpoofs};
use crate::arpsweep::{ArpSweep, ArpSweeps};
use crate::associations::Associations;
use crate::broadcasts::Broadcasts;
use crate::carpet::{
    network_of, prefix_len, Network, RepeatedPings, NETWORK_MIN_HOSTS, NETWORK_SPRAY_FACTOR,
};
use crate::class::Class;
use crate::connections::Connections;
use crate::conversation::Conversations;
use crate::copies::{Copies, RECENT};
use crate::echoes::{may_be_echo, Echoes};
use crate::features::table::{hash_key, hash_mixed, ip_key, mix, premix, SetAssoc};
use crate::features::window::ANSWER_SWAP;
use crate::features::{Extractor, FeatureKind, Snapshot};
use crate::fewports::FewPorts;
use crate::fragments::{ends_past_max, Fragments, Overlaps};
use crate::fuzzing::Fuzzing;
use crate::guessing::{Guessing, Login};
use crate::handshakes::Handshakes;
use crate::model::{Model, Net};
use crate::neighbour::{NdAttack, NeighbourRules};
use crate::profile::{
    os_syn, probe_scan, Distinct, Profile, Rule, BURST_MAX_CONNECTIONS, BURST_MAX_LOOKUPS,
    BURST_MAX_QUESTIONS, SCAN_MIN_TARGETS,
};
use crate::reflection::{Reflection, Unasked};
use crate::renegotiation::Renegotiation;
use crate::slowrequests::{Addition, SlowRequests};
use crate::slowscan::{Finding, SlowScan, SlowScanConfig};
use crate::timeline::Timeline;
use crate::udpfloods::{Flood, UdpFloods};
use crate::unanswered::Unanswered;
use crate::unlearned::{forged_error, icmp_query, Query, Unlearned, Verdict};
use crate::IdsError;
use nightjar_nn::{Matrix, Scratch};
use nightjar_packet::{PacketError, PacketRepr, Record};
use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The built-in detector: the binary `window` MLP (format and schema checked on load).
pub const BUILTIN_DETECTOR: &[u8] = include_bytes!("../models/window.njm");
/// The built-in namer: the multi-class `window` MLP.
pub const BUILTIN_NAMER: &[u8] = include_bytes!("../models/window-multi.njm");

/// The models `ids detect` runs.
#[derive(Clone, Debug)]
pub struct Models {
    /// Decides attack or normal per packet (binary, or multi-class naming classes itself).
    pub detector: Model,
    /// Names the attack class of flagged packets when the detector is binary.
    pub namer: Option<Model>,
}

impl Models {
    /// The built-in models.
    pub fn builtin() -> Result<Models, IdsError> {
        Ok(Models {
            detector: Model::from_bytes(BUILTIN_DETECTOR)?,
            namer: Some(Model::from_bytes(BUILTIN_NAMER)?),
        })
    }

    /// A user's model. A multi-class model names classes itself; a binary one borrows the
    /// built-in namer if that computes the same features with the same table sizes, and
    /// otherwise calls every flagged packet `other-attack`.
    pub fn with_model(detector: Model) -> Result<Models, IdsError> {
        let namer = if detector.binary {
            let n = Model::from_bytes(BUILTIN_NAMER)?;
            (n.kind == detector.kind && n.window == detector.window).then_some(n)
        } else {
            None
        };
        Ok(Models { detector, namer })
    }
}

/// The smallest [`DetectSettings::change_pattern`] but 0: a connect scan's last port, refused
/// by silence, has its SYN sent up to seven times in a row (Linux retransmits it six times),
/// which is no flood.
pub const MIN_CHANGE_PATTERN: u32 = 8;

/// Detection settings. The defaults were chosen on the validation captures (`val`, `val2`)
/// and `normal-only`, never on a test capture (see `crates/ids/models/SOURCE.md`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectSettings {
    /// An episode ends after this many seconds without a flagged packet.
    pub gap: f64,
    /// An episode that has lasted this many seconds ends at its next flagged packet, which
    /// starts the next one: an attack that goes on is reported piece by piece, one alert per
    /// piece, instead of once when it stops (a live capture wants its alert while the attack
    /// goes on). 0: no limit (one episode however long).
    pub max_episode: f64,
    /// Flagged packets an episode needs to be alerted.
    pub min_packets: u64,
    /// Fraction of the source's packets during the episode that must be flagged, or of the
    /// packets between the source and its main victim (with `min_packets` of them flagged to
    /// it: an attacker behind a NAT), and of the victim's, for a victim alert.
    pub min_fraction: f64,
    /// A flood's episode (an alert whose class is a flood, or an other-attack named for its
    /// volume) must average at least this many flagged packets a second, over its span or one
    /// second if shorter: hping3 at its default pace (one packet a second), pings of 1,400
    /// bytes twice a second or fragmented UDP exchanges are no floods, however their packets
    /// look. 0 turns the check off.
    pub flood_min_rate: f64,
    /// Flagged packets the source must have sent itself, or unmistakable probes of its
    /// episode's kind (SYNs for a SYN scan) that the networks passed (not only received: a
    /// victim's retransmitted SYN-ACKs to a spoofed address after the flood are no new
    /// attack).
    pub min_sent: u64,
    /// Victim alerts: flagged packets from sources not alerted on their own.
    pub victim_min_packets: u64,
    /// Victim alerts: distinct such sources.
    pub victim_min_sources: u64,
    /// Spray rule: unsolicited packets (TCP without ACK, UDP, ICMP echo) to one victim from
    /// sources not seen in the last 30 s, as a damped count with a 1 s half-life (≈ 1.44 × the
    /// rate per second), at or above which such packets are flagged as a flood whatever the
    /// network says (segments with ACK or a bare RST from such sources: counted apart, less
    /// what the victim sends but resets, `other-attack`); 0 turns the rule off. The MLP was trained on floods from a few spoofed
    /// sources; this catches the flood that sprays a new source address in every packet. The
    /// same count per victim network (a /24 or /64), at or above
    /// [`crate::carpet::NETWORK_SPRAY_FACTOR`] times this, flags them too: a flood spread
    /// over a subnet's addresses ("carpet bombing"); and the repeated-ping rule
    /// (`carpet::RepeatedPings`) takes it as its threshold of echo requests repeated
    /// to hosts that did not answer (0 turns it off too).
    pub spray_threshold: f32,
    /// Sweep rule: probes (TCP without ACK or RST, UDP) from one source to hosts it has not
    /// probed in the last 30 s, less the SYN-ACKs and UDP datagrams it received, as a damped
    /// count with a 1 s half-life, at or above which its further probes are flagged as a scan
    /// of their kind whatever the network says; 0 turns the rule off. The same count per
    /// source and destination port (hosts new to it on that port, less the SYN-ACKs,
    /// RST+ACKs and datagrams from that port) flags them too. The MLP learnt scans
    /// from the answers of the hosts scanned; this catches a sweep of addresses that do not
    /// answer. The default, 25, is Zeek's address-scan threshold (`Scan::addr_scan_threshold`).
    pub sweep_threshold: f32,
    /// A source's episode ends, and a new one begins, when this many consecutive probes it
    /// sends are of another kind than the episode's (module documentation, "Attacks back to
    /// back"): attacks run back to back (`nmap -sS`, then `-sF`, then `hping3 --icmp`, less
    /// than [`DetectSettings::gap`] apart) are alerted one by one, each with its class, instead
    /// of as one episode named after the largest. 0: never (an episode ends only by quiet or
    /// `max_episode`).
    pub change_probes: u32,
    /// A source's episode ends, and a new one begins, when this many consecutive probes of
    /// the episode's kind change pattern (module documentation, "Attacks back to back"): go
    /// to one target (a destination address and port) over and over after a run of probes
    /// each to a new one — a flood after a scan, `nmap -sT` then `hping3 -S --flood -p 80`,
    /// both SYNs from a new source port each —, or the reverse. Floods of one kind and scans
    /// of it run back to back are alerted one by one. 0: never; else at least
    /// [`MIN_CHANGE_PATTERN`] (a scan's retries repeat a target a few times).
    pub change_pattern: u32,
    /// The slow-scan rule ([`crate::slowscan`]): sources that failed to reach many ports of a
    /// host, or a port on many hosts, over minutes (a scan too slow for the episodes and the
    /// networks: `nmap -T1`, `--scan-delay 10s`); both thresholds 0 turn it off.
    pub slow_scan: SlowScanConfig,
    /// The few-port UDP scan rule ([`crate::fewports`]): this many distinct ports of one host
    /// refused or silent within seconds, none asked again, make a UDP scan (reported when the
    /// networks did not alert its source); 0 turns it off, else 2 to [`crate::fewports::SLOTS`].
    pub few_udp_ports: usize,
    /// Two-way UDP conversations ([`crate::conversation`]): once each end of a UDP
    /// conversation (a pair of address and port ends) has sent this many datagrams with
    /// payload, its datagrams are normal whatever the networks and the spray and sweep rules
    /// say (a QUIC download, a call, a tunnel), unless mirrored (a flood to an echo service);
    /// so are the datagrams of one-way streams of varying sizes nobody refuses (syslog,
    /// metrics, a camera's RTP). 0 turns the rule off, streams too.
    pub udp_settle: u32,
    /// SCTP associations ([`crate::associations`]): the packets of an SCTP association whose
    /// handshake was answered (INIT ACK, then COOKIE ACK) or whose DATA the peer acknowledged
    /// are normal whatever the networks and the spray and sweep rules say (NetPerfMeter,
    /// Diameter, SIGTRAN). false turns the rule off.
    pub sctp_associations: bool,
    /// Answered echo exchanges ([`crate::echoes`]): an echo request whose pair's previous
    /// request was answered, at least [`crate::echoes::MIN_GAP`] after it, with the pair's
    /// requests (damped, 1 s half-life) at most this many, is normal with its reply and its
    /// fragments, whatever the networks say (large pings at a ping's pace); default
    /// [`crate::echoes::PACE`], 0 turns the rule off.
    pub echo_pace: f32,
    /// Sources (and victims) with an open episode kept at most; the quietest is evicted.
    pub max_sources: usize,
    /// Records scored together.
    pub batch: usize,
    /// Verdict reuse, seconds (the fast path of DESIGN §9; 0 = off: every packet is scored
    /// by the full models): a packet whose context key (see
    /// [`WindowState::push_if`](crate::features::window::WindowState::push_if)) equals
    /// that of a packet scored at most this long before takes that packet's verdict (score
    /// and class) instead of being scored, and its feature vector is not computed; its
    /// statistics still enter the state, and the spray rule and the episodes still see it.
    pub reuse_age: f64,
    /// Verdict reuse: times at most one scored verdict is reused before the key is scored
    /// again.
    pub reuse_uses: u32,
    /// Established TCP sessions (the fast path of DESIGN §9 for bulk transfers; 0 = off):
    /// the packets of a TCP flow whose handshake completed and that nothing refused, after
    /// its first this many, are normal; they are counted in their flow's statistics only,
    /// not in the hosts' or the conversation's, and not scored
    /// ([`WindowState::set_session_after`](crate::features::window::WindowState::set_session_after)).
    /// The spray, sweep and protocol rules and the episodes still see them.
    pub session_packets: u32,
    /// Reflection rule ([`crate::reflection`]): UDP answers from a reflection service's port
    /// (DNS, NTP, SSDP, memcached…) that their receiver did not ask for, counted per receiver
    /// damped with a 1 s half-life; at or above this count, they are `flood-udp` charged to
    /// their senders, whatever the networks and the two-way UDP rule say. 0 turns it off.
    pub reflection_threshold: f32,
    /// Unanswered-connections rule ([`crate::unanswered`]): a source's failed TCP connection
    /// attempts to one host (its SYN sent again with nothing between, or an ICMP destination
    /// unreachable of any code quoting it), damped with a 10 s half-life; at or above this
    /// count, its TCP probes of that host that the networks pass are a scan of their flags (a
    /// firewalled host scanned). 0 turns it off.
    pub unanswered_threshold: f32,
    /// Connection-flood rule ([`crate::connections`]): a client's new TCP connections to one
    /// (server, port), damped with a 1 s half-life; at or above this count, its packets to
    /// that service are `flood-syn` where the networks call them normal (an HTTP flood
    /// without keep-alive). 0 turns it off.
    pub connection_threshold: f32,
    /// UDP-service-flood rule ([`crate::udpfloods`]): a client's datagrams of one size to one
    /// (server, port), damped with a 1 s half-life; at or above this count, fewer than one in
    /// four answered, to a port below 1,024 or mostly from a new source port each, they are
    /// `flood-udp` where the networks call them normal. 0 turns it off.
    pub udp_flood_threshold: f32,
    /// TLS renegotiation rule ([`crate::renegotiation`]): per connection, the handshake records
    /// its client began segments with after the handshake completed, damped with a 60 s
    /// half-life; at or above this count the connection's packets are the client's
    /// `other-attack` (thc-ssl-dos). 0 turns it off.
    pub renegotiation_threshold: f32,
    /// Fuzzing rule ([`crate::fuzzing`]): per (client, server, port), the distinct first bytes
    /// of the client's connections within 60 s; at or above this count, the client's
    /// segments to that service and its answers are the client's `other-attack` (SFuzz).
    /// 0 turns it off.
    pub fuzzing_threshold: f32,
    /// Slow-request rule ([`crate::slowrequests`]): per (client, server, port), the client's
    /// connections that added a small segment to a request the server left unanswered, a
    /// pause after the last, damped with a 60 s half-life; at or above this count, the
    /// packets of those connections, both ways, are the client's `other-attack` (slowloris,
    /// slowhttptest -H and -B, over HTTP or HTTPS). 0 turns it off.
    pub slow_request_threshold: f32,
    /// ARP-sweep rule ([`crate::arpsweep`]): a sender's ARP requests for addresses it had not
    /// asked for in a minute, less those it then talked to over IP, as damped counts with 1 s
    /// and 60 s half-lives; at or above this count (either), its further requests and the
    /// replies to it are `other-attack` and the run is alerted once (host discovery on a LAN:
    /// `nmap -sn`, `arp-scan`). 0 turns it off.
    pub arp_sweep_threshold: f32,
    /// ARP-spoofing rule ([`crate::arpspoof`]): per IPv4 address, the changes of the hardware
    /// address claiming it while the former one still held it and the unsolicited replies
    /// claiming it for another hardware address than its holder's, as a damped count (300 s
    /// half-life); at or above this count the claimant that sent more unsolicited replies
    /// (or came later) is spoofing the address: its further claims are `other-attack` and its
    /// episode is alerted once (ARP cache poisoning: arpspoof, ettercap). 0 turns it off.
    pub arp_spoof_threshold: f32,
    /// Neighbour-discovery rules ([`crate::neighbour`]): messages of one ICMPv6
    /// neighbour-discovery type (router and neighbour solicitations and advertisements,
    /// redirects) from sources that sent none in 30 s, as a damped count (1 s half-life); at
    /// or above this count they are `flood-icmp` (thc-ipv6's router- and
    /// neighbour-advertisement floods). 0 turns off this rule and the module's others (smurf,
    /// group sources, duplicate-address denial, neighbour spoofing).
    pub nd_flood_threshold: f32,
    /// Password-guessing rule ([`crate::guessing`]): per client and login service (SSH, FTP,
    /// ...), the server's refusals (answers 1 s or more after the request, or the same as the
    /// answer before to a like request) and, a tenth each, the short connections closed,
    /// damped with a 60 s half-life; at or above this count, the client's packets to that
    /// service and the service's answers are `other-attack` where the networks call them
    /// normal. 0 turns it off.
    pub brute_force_threshold: f32,
}

impl Default for DetectSettings {
    fn default() -> Self {
        DetectSettings {
            gap: 4.0,
            max_episode: 0.0,
            min_packets: 15,
            min_fraction: 0.1,
            min_sent: 5,
            flood_min_rate: 10.0,
            victim_min_packets: 100,
            victim_min_sources: 10,
            spray_threshold: 100.0,
            sweep_threshold: 25.0,
            change_probes: 10,
            change_pattern: 20,
            slow_scan: SlowScanConfig::default(),
            few_udp_ports: crate::fewports::MIN_PORTS,
            udp_settle: crate::conversation::DEFAULT_SETTLE,
            sctp_associations: true,
            echo_pace: crate::echoes::PACE,
            max_sources: 1 << 16,
            batch: 1024,
            reuse_age: 0.05,
            reuse_uses: 64,
            session_packets: DEFAULT_SESSION_PACKETS,
            reflection_threshold: crate::reflection::DEFAULT_THRESHOLD,
            unanswered_threshold: crate::unanswered::THRESHOLD,
            connection_threshold: crate::connections::DEFAULT_THRESHOLD,
            udp_flood_threshold: crate::udpfloods::DEFAULT_THRESHOLD,
            renegotiation_threshold: crate::renegotiation::DEFAULT_THRESHOLD,
            fuzzing_threshold: crate::fuzzing::DEFAULT_THRESHOLD,
            slow_request_threshold: crate::slowrequests::DEFAULT_THRESHOLD,
            arp_sweep_threshold: crate::arpsweep::DEFAULT_THRESHOLD,
            arp_spoof_threshold: crate::arpspoof::DEFAULT_THRESHOLD,
            nd_flood_threshold: crate::neighbour::DEFAULT_FLOOD_THRESHOLD,
            brute_force_threshold: crate::guessing::DEFAULT_THRESHOLD,
        }
    }
}

impl DetectSettings {
    /// Check the settings.
    pub fn validate(&self) -> Result<(), IdsError> {
        if !(self.echo_pace.is_finite() && self.echo_pace >= 0.0) {
            return Err(IdsError::Config(format!(
                "echo pace {} must be finite and >= 0",
                self.echo_pace
            )));
        }
        if !(self.gap.is_finite() && self.gap > 0.0) {
            return Err(IdsError::Config(format!("gap {} must be > 0", self.gap)));
        }
        if !(self.max_episode.is_finite() && self.max_episode >= 0.0) {
            return Err(IdsError::Config(format!(
                "maximum episode length {} must be a number of seconds ≥ 0",
                self.max_episode
            )));
        }
        if !(0.0..=1.0).contains(&self.min_fraction) {
            return Err(IdsError::Config(format!(
                "minimum fraction {} must be in [0, 1]",
                self.min_fraction
            )));
        }
        if !(self.flood_min_rate.is_finite() && self.flood_min_rate >= 0.0) {
            return Err(IdsError::Config(
                "minimum flood rate must be a number of packets per second ≥ 0".into(),
            ));
        }
        for (name, t) in [
            ("spray", self.spray_threshold),
            ("sweep", self.sweep_threshold),
            ("reflection", self.reflection_threshold),
            ("unanswered-connections", self.unanswered_threshold),
            ("connection", self.connection_threshold),
            ("UDP flood", self.udp_flood_threshold),
            ("renegotiation", self.renegotiation_threshold),
            ("fuzzing", self.fuzzing_threshold),
            ("slow-request", self.slow_request_threshold),
            ("ARP sweep", self.arp_sweep_threshold),
            ("ARP spoof", self.arp_spoof_threshold),
            ("neighbour-discovery flood", self.nd_flood_threshold),
            ("brute-force", self.brute_force_threshold),
        ] {
            if !(t.is_finite() && t >= 0.0) {
                return Err(IdsError::Config(format!(
                    "{name} threshold must be a number ≥ 0"
                )));
            }
        }
        if !(self.reuse_age.is_finite() && self.reuse_age >= 0.0) {
            return Err(IdsError::Config(
                "verdict reuse age must be a number of seconds ≥ 0".into(),
            ));
        }
        if (1..MIN_CHANGE_PATTERN).contains(&self.change_pattern) {
            return Err(IdsError::Config(format!(
                "change of pattern {} must be 0 (off) or at least {MIN_CHANGE_PATTERN}",
                self.change_pattern
            )));
        }
        self.slow_scan.validate()?;
        if self.few_udp_ports == 1 || self.few_udp_ports > crate::fewports::SLOTS {
            return Err(IdsError::Config(format!(
                "few UDP ports {} must be 0 (off) or 2 to {}",
                self.few_udp_ports,
                crate::fewports::SLOTS
            )));
        }
        if self.max_sources == 0 || self.batch == 0 {
            return Err(IdsError::Config(
                "max sources and batch size must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// The header fields of a decoded packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PacketInfo {
    pub src: IpAddr,
    pub dst: IpAddr,
    pub proto: u8,
    /// An ARP message, not an IP packet: `src` and `dst` are its sender and target protocol
    /// addresses, `proto` is 0.
    pub arp: bool,
}

/// The verdict on one record.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PacketVerdict {
    /// 0-based position of the record in its source.
    pub index: u64,
    pub ts: f64,
    /// `None` for a record that was neither a decoded IP packet nor an ARP message (verdict
    /// `undecoded`).
    pub packet: Option<PacketInfo>,
    /// Attack score in [0, 1] (0 for undecoded records and ARP messages, which the networks
    /// do not score).
    pub score: f32,
    /// `Normal` or the attack class.
    pub class: Class,
    /// The network's verdict was reused from an earlier packet in the same context (see
    /// [`DetectSettings::reuse_age`]) rather than computed for this packet.
    pub reused: bool,
    /// A TCP segment of an established connection (its handshake completed and nothing
    /// refused it): its ACKs, data and FIN are the connection's, not probes.
    pub established: bool,
    /// Flagged, and a packet of a connection to a login service whose client the
    /// password-guessing rule ([`crate::guessing`]) found guessing: that service.
    pub guessing: Option<Login>,
    /// An IP fragment that overlapped another of its datagram ([`crate::fragments::Overlaps`]):
    /// made by hand, its sender's attack.
    pub overlapping: bool,
    /// An IP fragment that ended past 65,535 bytes of datagram
    /// ([`crate::fragments::ends_past_max`]): a ping of death, its sender's attack.
    pub oversize: bool,
    /// Flagged by the TLS renegotiation rule ([`crate::renegotiation`]): a packet of a
    /// connection its client renegotiates over and over.
    pub renegotiating: bool,
    /// Flagged by the fuzzing rule ([`crate::fuzzing`]): a fuzzer's segment to the service it
    /// fuzzes, or the service's answer.
    pub fuzzing: bool,
    /// Flagged by the slow-request rule ([`crate::slowrequests`]): a packet of a service its
    /// client holds many slow requests open to (slowloris).
    pub slow_request: bool,
    /// For a packet flagged by the slow-request rule: what it added to the service's held
    /// requests ([`Addition`]: a connection's first addition, or its next round's).
    pub slow_addition: Addition,
    /// For a packet flagged by the slow-request rule: its connection was counted as a slow
    /// read (its client's receive window held shut), not a slow request.
    pub slow_read: bool,
    /// A full-size UDP datagram sent again on its conversation, nothing back
    /// ([`crate::handshakes::sent_again`]): a handshake retried (a QUIC Initial).
    pub resent: bool,
}

impl PacketVerdict {
    /// The verdict as written in score files: `undecoded`, `normal` or an attack label.
    pub fn label(&self) -> &'static str {
        if self.packet.is_none() {
            "undecoded"
        } else {
            self.class.as_str()
        }
    }
}

/// What the engine reports, as it happens.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A record's verdict (every record, in order).
    Packet(&'a PacketVerdict),
    /// An alert (when its episode ends).
    Alert(&'a Alert),
}

/// Counters of a run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DetectStats {
    pub records: u64,
    /// IP packets.
    pub packets: u64,
    /// ARP messages (IPv4 over Ethernet): given a verdict by the ARP-sweep and ARP-spoofing
    /// rules, not scored by the networks, counted neither in `packets` nor in `undecoded`.
    pub arp: u64,
    /// Records that were neither: `records = packets + arp + undecoded`.
    pub undecoded: u64,
    /// Packets flagged as attacks.
    pub flagged: u64,
    /// Of those, flagged by the repeated-ping rule (`carpet::RepeatedPings`; the
    /// networks had called them normal).
    pub flagged_by_ping_rule: u64,
    /// Of those, flagged by the spray rule (the network had called them normal).
    pub flagged_by_spray_rule: u64,
    /// Of those, flagged by the sweep rule (the network had called them normal).
    pub flagged_by_sweep_rule: u64,
    /// Of those, flagged by the unanswered-connections rule ([`crate::unanswered`]: probes of
    /// a host that drops or rejects with ICMP many of the source's connection attempts).
    pub flagged_by_unanswered_rule: u64,
    /// Of those, flagged by the reflection rule ([`DetectSettings::reflection_threshold`]),
    /// whatever the networks and the two-way UDP rule said.
    pub flagged_by_reflection_rule: u64,
    /// Of those, flagged by the connection-flood rule
    /// ([`DetectSettings::connection_threshold`]; the network had called them normal).
    pub flagged_by_connection_rule: u64,
    /// Of those, flagged by the UDP-service-flood rule
    /// ([`DetectSettings::udp_flood_threshold`]; the network had called them normal).
    pub flagged_by_udp_flood_rule: u64,
    /// Of those, datagrams sent from below their receiver's port (the rule's "Floods from
    /// below", [`crate::udpfloods::Flood::FromBelow`]), charged to their sender; taken whatever
    /// the networks said.
    pub udp_floods_from_below: u64,
    /// Of those, flagged by the TLS renegotiation rule
    /// ([`DetectSettings::renegotiation_threshold`]), whatever the networks said.
    pub flagged_by_renegotiation_rule: u64,
    /// Of those, flagged by the fuzzing rule ([`DetectSettings::fuzzing_threshold`]),
    /// whatever the networks said.
    pub flagged_by_fuzzing_rule: u64,
    /// Of those, flagged by the slow-request rule ([`DetectSettings::slow_request_threshold`]),
    /// whatever the networks said.
    pub flagged_by_slow_request_rule: u64,
    /// Of those, flagged by the password-guessing rule
    /// ([`DetectSettings::brute_force_threshold`]; the network had called them normal).
    pub flagged_by_guessing_rule: u64,
    /// Of those, forged ICMP errors ([`crate::unlearned`]), whatever the network said.
    pub forged_errors: u64,
    /// Of those, ICMP replies to requests their receiver never sent ([`crate::unlearned`]),
    /// whatever the network said.
    pub unsolicited_replies: u64,
    /// Of those, packets of IP protocol scans and of SCTP or UDP-Lite port scans
    /// ([`crate::unlearned`]; the network had called them normal).
    pub flagged_by_protocol_rule: u64,
    /// Packets of two-way tunnels and traceroute probes and their answers
    /// ([`crate::unlearned`]) that the networks or the spray or sweep rule flagged, taken as
    /// normal (not in `flagged`).
    pub protocol_rule_cleared: u64,
    /// Flagged packets per class.
    pub flagged_by_class: [u64; 15],
    pub alerts: u64,
    pub source_alerts: u64,
    pub victim_alerts: u64,
    /// Of the victim alerts, those about a victim network ([`crate::carpet`]).
    pub network_alerts: u64,
    /// Episodes that did not reach the thresholds (no alert): sources' and, among floods too
    /// slow to be floods, victims'.
    pub quiet_episodes: u64,
    /// Of those, and of the victims' episodes, floods too slow to be floods
    /// ([`DetectSettings::flood_min_rate`]).
    pub slow_floods: u64,
    /// Of those, scans of fewer than [`SCAN_MIN_TARGETS`] distinct targets.
    pub narrow_scans: u64,
    /// Of those, SYN floods of fewer than [`BURST_MAX_CONNECTIONS`] connections that carried
    /// data both ways: bursts of ordinary connections.
    pub connection_bursts: u64,
    /// Of those, UDP floods of fewer than [`BURST_MAX_QUESTIONS`] flagged packets, at least
    /// half as many of them questions on one conversation whose victim answered at least half
    /// on it: bursts of questions.
    pub question_bursts: u64,
    /// Of those, UDP floods of fewer than [`BURST_MAX_LOOKUPS`] flagged packets, questions to
    /// the victim's DNS port, mostly answered, asked two to a source port: bursts of lookups
    /// from a socket per name (glibc's `getaddrinfo`).
    pub lookup_bursts: u64,
    /// Of those, UDP scans and floods whose source's datagrams were mostly full-size
    /// handshakes sent again ([`crate::handshakes`]): a QUIC client whose Initials went
    /// unanswered.
    pub resent_handshakes: u64,
    /// Of those, UDP floods whose flagged packets were datagrams the source sent (and answers
    /// to them), nine in ten answered on their port pair, none of their hosts sent as many as
    /// an alert needs: bursts of exchanges with many servers (`SrcEp::burst_of_exchanges`).
    pub exchange_bursts: u64,
    /// Of those, scans most of whose flagged packets were segments of established connections
    /// ([`scan_of_sessions`]): a peer-to-peer client's connections beside the attempts its
    /// peers never answered.
    pub scans_of_sessions: u64,
    /// Of those, episodes with no probe at all (no SYN, no datagram, no echo request, no
    /// fragment: the profile named nothing) most of whose flagged packets were segments of
    /// established connections, some of them their peers' ([`data_of_sessions`]): a
    /// connection's own data, an upload at full speed after an idle spell.
    pub data_of_sessions: u64,
    /// Source alerts whose flagged packets were less than [`DetectSettings::min_fraction`] of
    /// the source's packets but at least that share of those it exchanged with its victim
    /// (an attacker behind a NAT, or on a busy workstation).
    pub paired_alerts: u64,
    /// Episodes ended early because the episode table was full.
    pub episode_evictions: u64,
    /// Source episodes ended because the source moved on to another kind of probe
    /// ([`DetectSettings::change_probes`]).
    pub attack_changes: u64,
    /// Source episodes ended because the source's probes of the episode's kind changed
    /// pattern ([`DetectSettings::change_pattern`]).
    pub pattern_changes: u64,
    /// Changes of probe kind that did not end a source's episode, its flagged packets before
    /// the run of the new kind too few to be an alert on their own: the attack's preamble
    /// (nmap's host discovery through a router before its scan), alerted with it.
    pub preambles: u64,
    /// Victim episodes ended because the probes sent to the victim moved on to another kind
    /// for [`DetectSettings::change_probes`] probes and [`VICTIM_CHANGE_SECS`]: a spoofed
    /// flood's next vector.
    pub victim_changes: u64,
    /// Alerts raised by the slow-scan rule (counted in `alerts` and `source_alerts` too).
    pub slow_scan_alerts: u64,
    /// Of those, the few-port UDP scan rule's ([`crate::fewports`]).
    pub few_port_scans: u64,
    /// Of those, scans faster than the rule's minimum interval that the networks had not
    /// caught ([`Finding::fast`]).
    pub fast_scans_missed_by_networks: u64,
    /// Fast findings of the slow-scan rule dropped because the networks flagged or alerted
    /// the scanner.
    pub fast_scans_left_to_networks: u64,
    /// Fast findings of the slow-scan rule dropped because the scanner asked its refused
    /// targets again within the hold ([`crate::slowscan::REPROBE_HOLD`]): a poller, not a
    /// scanner. Known at the end of the capture.
    pub polled_scans: u64,
    /// Findings of the slow-scan rule made by a sweep's density in one block, below its host
    /// threshold ([`crate::slowscan::DENSE_HOSTS`]), reported to the aggregator (which drops a
    /// fast one when the networks alerted its scanner). Known at the end of the capture.
    pub dense_sweeps: u64,
    /// Alerts of a slow attack merged into the alert of the same attack before it (its next
    /// round of slow requests, its next window of a few-port scan: "Slow attacks' rounds"),
    /// not reported apart (`alerts` counts the alerts reported).
    pub merged_alerts: u64,
    /// Findings of the slow-scan rule made by one port's failed hosts over a scanner's episode
    /// filling a small block, where the sweep's other ports cut the run on it
    /// (`slowscan`'s "Blocks of many ports"): made, whether then reported to the aggregator or
    /// dropped as a poller's (counted in `polled_scans` too). Known at the end of the capture.
    pub dense_blocks: u64,
    /// ACK and FIN+ACK probes the slow-scan rule took as targets that fail by silence too,
    /// their source port a raw scanner's (`slowscan`'s "ACK scans of silent blocks", session
    /// 28). Known at the end of the capture.
    pub raw_ack_probes: u64,
    /// ARP messages flagged `other-attack` by an ARP rule, sweep or spoofing (not in
    /// `flagged`, which counts IP packets).
    pub arp_flagged: u64,
    /// Alerts raised by the ARP-sweep rule (counted in `alerts` and `source_alerts` too).
    pub arp_sweep_alerts: u64,
    /// Of `arp_flagged`, the ARP-spoofing rule's (claims of an address another host holds).
    pub arp_spoof_flagged: u64,
    /// Alerts raised by the ARP-spoofing rule (counted in `alerts` and `source_alerts` too).
    pub arp_spoof_alerts: u64,
    /// IP packets flagged by the neighbour-discovery rules ([`crate::neighbour`]; in
    /// `flagged` too), whatever the networks said.
    pub neighbour_flagged: u64,
    /// Alerts raised by the neighbour-discovery rules (counted in `alerts` and
    /// `victim_alerts` too).
    pub neighbour_alerts: u64,
    /// Messages from the unspecified address (duplicate-address probes, router solicitations
    /// and listener reports of hosts without an address) that the networks or a rule flagged
    /// and the neighbour-discovery rules took as normal ([`crate::neighbour`]; not in
    /// `flagged`).
    pub neighbour_cleared: u64,
    /// Datagrams of two-way UDP conversations ([`DetectSettings::udp_settle`]) or of
    /// one-way application streams ([`crate::conversation`]) that the networks or the spray or
    /// sweep rule flagged, taken as normal (not in `flagged`).
    pub two_way_cleared: u64,
    /// Packets of SCTP associations that are up ([`DetectSettings::sctp_associations`],
    /// [`crate::associations`]) that the networks or the spray or sweep rule flagged, taken as
    /// normal (not in `flagged`).
    pub sctp_cleared: u64,
    /// TCP resets that closed an established connection their sender received data on, or
    /// answered a segment of one after that
    /// ([`crate::features::Extractor::closing_reset`]), and that the networks or a rule
    /// flagged, taken as normal (not in `flagged`).
    pub closing_resets_cleared: u64,
    /// IP fragments after the first that took their first fragment's verdict and ends
    /// ([`crate::fragments`]).
    pub fragments_as_first: u64,
    /// Later IP fragments written before their datagram's first fragment, which followed
    /// within [`crate::features::window::ANSWER_SWAP`] (`first_fragment_next`): charged to
    /// that fragment's ends, normal.
    pub fragments_before_first: u64,
    /// IP fragments that overlapped another of their datagram, flagged `other-attack`
    /// ([`crate::fragments::Overlaps`]).
    pub overlapping_fragments: u64,
    /// IP fragments that ended past 65,535 bytes of datagram, flagged `other-attack` (a ping
    /// of death: [`crate::fragments::ends_past_max`]).
    pub oversize_fragments: u64,
    /// ICMP echo requests and replies (whole or first fragments) of answered exchanges at a
    /// ping's pace ([`crate::echoes`]) that the networks or a rule flagged, taken as normal
    /// (not in `flagged`); their later fragments follow them.
    pub echoes_cleared: u64,
    /// Echo requests and replies at a ping's pace, pair by pair, left to the networks because
    /// their responder was pinged so by many requesters at once ([`crate::echoes::CROWD`]: a
    /// botnet's ICMP flood).
    pub echoes_crowded: u64,
    /// NetBIOS and DHCP broadcasts at a LAN's pace ([`crate::broadcasts`]) that the networks
    /// or a rule flagged, taken as normal (not in `flagged`).
    pub broadcasts_cleared: u64,
    /// ICMP errors flagged by the networks or a rule that a host sent about answers to its
    /// questions to a group, a fraggle's victim about the subnet's echoes
    /// ([`crate::reflection::Reflection::error_about_group_answer`]), taken as normal (not
    /// in `flagged`).
    pub group_errors_cleared: u64,
    /// Most sources with an open episode at once.
    pub peak_sources: usize,
    /// Entries evicted from the feature tables.
    pub feature_evictions: u64,
    /// Bytes the feature tables may hold at most (their capacity's).
    pub feature_memory: usize,
    /// Packets that took the verdict of an earlier packet with the same context key
    /// ([`DetectSettings::reuse_age`]) instead of being scored.
    pub verdicts_reused: u64,
    /// Packets of established TCP sessions after their first
    /// [`DetectSettings::session_packets`] (of connections seen one way only, from their
    /// first ACK), taken as normal without being scored.
    pub session_packets: u64,
    /// Points where the capture's clock went back for good ([`crate::timeline`]): at each,
    /// every open episode ended and detection started afresh.
    pub clock_restarts: u64,
    /// Records stamped out of line with those around them, taken at their neighbour's time
    /// ([`crate::timeline`]).
    pub out_of_line: u64,
    /// Points where the capture's clock stepped back by more than a second and at most
    /// [`crate::timeline::OUT_OF_LINE`] ([`crate::timeline::TimelineStats::steps_back`]).
    pub clock_steps_back: u64,
    /// IP packets that were copies of a packet just before them (a capture that saw packets
    /// more than once, [`crate::copies`]): each took its original's verdict and counted
    /// nowhere else (they are in `packets` and `flagged`, not in the episodes).
    pub copies: u64,
    /// TCP answers (a SYN-ACK, a reset) written before the request they answer, each the first
    /// packet of its flow, the request within [`crate::features::window::ANSWER_SWAP`] after
    /// it ([`crate::features::Extractor::answered_late`]): charged to the request's sender.
    pub answers_first: u64,
    /// ICMP replies written before the request they answer, the request within
    /// [`crate::features::window::ANSWER_SWAP`] after them (`asked_next`): no unsolicited
    /// replies ([`crate::unlearned`]).
    pub replies_first: u64,
}

/// Why a source episode flagged at alert volume raises no alert after all, each counted in
/// [`DetectStats`] besides `quiet_episodes`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dropped {
    /// A flood slower than [`DetectSettings::flood_min_rate`].
    SlowFlood,
    /// A scan of fewer than [`SCAN_MIN_TARGETS`] targets ([`too_narrow_for_a_scan`]).
    NarrowScan,
    /// A burst of ordinary connections (`SrcEp::burst_of_connections`).
    Burst,
    /// A burst of answered questions (`SrcEp::burst_of_questions`).
    Questions,
    /// A burst of lookups from a socket per name (`SrcEp::burst_of_lookups`).
    Lookups,
    /// A burst of exchanges answered one for one (`SrcEp::burst_of_exchanges`).
    Exchanges,
    /// A "scan" whose flagged packets were mostly connections' own ([`scan_of_sessions`]).
    Sessions,
    /// Established connections' own segments, no probe among them ([`data_of_sessions`]).
    SessionData,

    /// A UDP "scan" or "flood" of handshakes sent again (`SrcEp::resent_handshakes`).
    Handshakes,
}

impl Dropped {
    /// Its counter in `st`.
    fn counter(self, st: &mut DetectStats) -> &mut u64 {
        match self {
            Dropped::SlowFlood => &mut st.slow_floods,
            Dropped::NarrowScan => &mut st.narrow_scans,
            Dropped::Burst => &mut st.connection_bursts,
            Dropped::Questions => &mut st.question_bursts,
            Dropped::Lookups => &mut st.lookup_bursts,
            Dropped::Exchanges => &mut st.exchange_bursts,
            Dropped::Sessions => &mut st.scans_of_sessions,
            Dropped::SessionData => &mut st.data_of_sessions,

            Dropped::Handshakes => &mut st.resent_handshakes,
        }
    }
}

/// Whether source alert `a` names a scan whose probes reached fewer than
/// [`SCAN_MIN_TARGETS`] distinct targets: probes repeated to one or two ports below a flood's
/// volume (a client's queries to one service, each from a new port) scan nothing.
fn too_narrow_for_a_scan(a: &Alert) -> bool {
    a.profile.is_some_and(|e| {
        e.naming.class.is_scan() && e.probes > 0 && e.distinct_targets < SCAN_MIN_TARGETS
    })
}

/// Whether source alert `a` names a scan although more than half of its flagged packets
/// (`established` of them) were segments of established connections ([`PacketVerdict::established`]:
/// their handshake completed and nothing refused them), not probes or the answers to probes.
///
/// A scanner's flagged packets are its probes and what they draw: SYNs, FINs, datagrams, the
/// RSTs and unreachables back; a connect scan completes a handshake only on the few open ports
/// and closes it at once (nmap -sT of a thousand ports: a handful of established segments among
/// two thousand flagged). A peer-to-peer client is the other way round (session 19, a
/// BitTorrent swarm: aria2c): it connects to a few peers, some of them behind NAT or gone, whose
/// SYNs it sends again unanswered (they name a "connect scan" by their flags), and the networks,
/// seeing those failures in its statistics, flag the packets of its one connection that did
/// open, the BitTorrent handshake and messages both ways: 13 of 18 flagged packets.
fn scan_of_sessions(a: &Alert, established: u64) -> bool {
    a.profile.is_some_and(|e| e.naming.class.is_scan()) && established.saturating_mul(2) > a.packets
}

/// Whether source alert `a` holds no probe at all — the profile found no TCP probe (no SYN, no
/// flag combination outside an established connection's), no datagram, no echo request, no
/// fragment, and nothing else named it: its class is the networks' vote alone
/// ([`Rule::Networks`](crate::profile::Rule::Networks)) — while more than half of its flagged
/// packets (`established` of them) were segments of established connections
/// ([`PacketVerdict::established`]: their handshake completed and nothing refused them), and
/// some of those (`established_in`) its peer's, who was there answering them.
///
/// That is a connection's own talk, as the established-sessions rule
/// ([`DetectSettings::session_packets`]) takes it after a connection's first 64 packets: a
/// TCP stack sends no more than its peer's acknowledgements let it, and whatever it carries
/// (an upload at full speed after an idle spell: nDPI's tests/pcap/whatsappfiles.pcap, 32
/// segments and ACKs of one HTTPS connection named an ICMP flood, session 25) is no flood or
/// scan of the classes. The attacks that use connections are named by what opens them — an
/// HTTP flood's and slowloris's SYNs, a password guesser's, a fuzzer's, a renegotiator's
/// connections are named by their rules — and floods without a handshake (an ACK flood with
/// data, t50's, Mirai's) are no established connection's. Part of the established sessions:
/// off with them (`session_packets` 0, `--session-packets 0`).
fn data_of_sessions(a: &Alert, established: u64, established_in: u64) -> bool {
    a.profile.is_some_and(|e| {
        e.naming.rule == crate::profile::Rule::Networks
            && e.probes == 0
            && e.udp == 0
            && e.icmp_echo == 0
            && e.fragments == 0
    }) && established.saturating_mul(2) > a.packets
        && established_in > 0
}

/// The streaming detector.
pub struct Engine {
    models: Models,
    settings: DetectSettings,
    extractor: Extractor,
    reuse: ReuseTable,
    /// The copies of packets the capture saw more than once ([`crate::copies`]), found on the
    /// feature side.
    copies: Copies,
    /// The verdicts (score, class) of the last [`RECENT`] IP packets, packet `n` (counted by
    /// [`DetectStats::packets`]) in slot `n % RECENT`: a copy takes its original's from here.
    recent: [(f32, Class); RECENT],
    /// Per decoded packet of the batch: its [`ReuseTable`] slot, [`MISS`] set if it is scored.
    plan: Vec<u32>,
    /// The snapshots of the batch's packets to be scored.
    snaps: Snaps,
    /// The verdict last scored in each [`ReuseTable`] slot: (score, class before the spray
    /// rule).
    memo: Vec<(f32, Class)>,
    /// [`DetectStats::records`] before the batch being scored: a record's place in it is
    /// the count since (kept here, not in a local live across the per-record loop).
    batch_start: u64,
    pending: Vec<Record>,
    x: Vec<f32>,
    xb: Matrix,
    yb: Matrix,
    nb: Matrix,
    /// The rows of the batch the namer runs over (the flagged ones).
    pick: Vec<usize>,
    /// Per decoded packet of the batch: its row in `nb` ([`UNNAMED`]: none).
    named: Vec<u32>,
    scratch: Scratch,
    agg: Aggregator,
    spray: Spray,
    pings: RepeatedPings,
    sweep: Sweep,
    unanswered: Unanswered,
    reflection: Reflection,
    connections: Connections,
    udp_floods: UdpFloods,
    renegotiation: Renegotiation,
    fuzzing: Fuzzing,
    slow_requests: SlowRequests,
    guessing: Guessing,
    /// The slow-scan rule (on the scoring side, packet by packet after the aggregator: its
    /// findings are reported after the packet that made them).
    slow: SlowScan,
    /// The slow-scan rule over IPv6 neighbour discovery ([`SlowScan::neighbour_sweeps`]):
    /// on-link IPv6 sweeps, the counterpart of [`ArpSweeps`].
    nd: SlowScan,
    /// The few-port UDP scan rule ([`crate::fewports`]): its findings go where the slow-scan
    /// rule's fast ones do.
    few: FewPorts,
    /// The two-way UDP conversations (on the scoring side, whose thread has the lighter load).
    conv: Conversations,
    assocs: Associations,
    /// ARP sweeps ([`crate::arpsweep`]): with the spoofing rule, the only rules that see ARP
    /// messages.
    arp: ArpSweeps,
    /// ARP spoofing ([`crate::arpspoof`]): sees ARP messages only (IP packets only let time
    /// pass for it).
    arp_spoof: ArpSpoofs,
    /// The IPv6 neighbour-discovery and group rules ([`crate::neighbour`]).
    neighbour: NeighbourRules,
    /// Forged ICMP errors, protocol scans and SCTP/UDP-Lite port scans ([`crate::unlearned`]).
    unlearned: Unlearned,
    /// The verdicts and ends of recent first fragments, for their later fragments.
    frags: Fragments,
    /// The extents of recent fragments, for the overlapping ones.
    overlaps: Overlaps,
    /// Answered echo exchanges at a ping's pace.
    echoes: Echoes,
    broadcasts: Broadcasts,
    stats: DetectStats,
    /// The reservoir state of an echo-state detector after the last packet scored (empty for
    /// an MLP).
    esn_state: Vec<f32>,
    /// Feature-table evictions of the periods before this one ([`Engine::restart`]).
    earlier_evictions: u64,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("settings", &self.settings)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

/// A namer must be an MLP: it runs over the flagged packets only, and an echo-state network's
/// reservoir must see every packet in order.
fn check_namer(m: &Model) -> Result<(), IdsError> {
    match m.net {
        Net::Mlp(_) => Ok(()),
        Net::Esn(_) => Err(IdsError::Config(
            "the namer is an echo-state network; a namer runs over the flagged packets only, so it must be an MLP".into(),
        )),
    }
}

impl Engine {
    /// A fresh engine.
    ///
    /// An echo-state network as the detector runs its reservoir over every packet in capture
    /// order, one state carried from batch to batch (as `ids eval` runs a capture), so verdict
    /// reuse is turned off for it ([`Engine::settings`] shows the settings in force).
    pub fn new(models: Models, settings: DetectSettings) -> Result<Engine, IdsError> {
        settings.validate()?;
        let mut settings = settings;
        let esn_state = match &models.detector.net {
            Net::Esn(e) => {
                settings.reuse_age = 0.0;
                settings.session_packets = 0;
                e.zero_state()
            }
            Net::Mlp(_) => Vec::new(),
        };
        if let Some(n) = &models.namer {
            check_namer(n)?;
            if n.kind != models.detector.kind || n.binary {
                return Err(IdsError::Config(
                    "the namer must be a multi-class model on the detector's features".into(),
                ));
            }
        }
        let kind: FeatureKind = models.detector.kind;
        let cols = kind.n_features();
        let mut extractor = Extractor::new(kind, models.detector.window);
        extractor.set_session_after(settings.session_packets);
        Ok(Engine {
            extractor,
            reuse: ReuseTable::new(settings.reuse_age, settings.reuse_uses),
            copies: Copies::new(),
            recent: [(0.0, Class::Normal); RECENT],
            plan: Vec::with_capacity(settings.batch),
            snaps: Snaps::default(),
            memo: vec![(0.0, Class::Normal); REUSE_SLOTS],
            batch_start: 0,
            pending: Vec::with_capacity(settings.batch),
            x: Vec::with_capacity(settings.batch * cols),
            xb: Matrix::zeros(0, cols),
            yb: Matrix::zeros(0, models.detector.n_outputs()),
            nb: Matrix::zeros(0, models.namer.as_ref().map_or(1, |n| n.n_outputs())),
            pick: Vec::with_capacity(settings.batch),
            named: Vec::with_capacity(settings.batch),
            scratch: Scratch::new(),
            agg: Aggregator::new(settings),
            spray: Spray::new(settings.spray_threshold, settings.max_sources),
            pings: RepeatedPings::new(settings.spray_threshold, settings.max_sources),
            reflection: Reflection::new(settings.reflection_threshold),
            connections: Connections::new(settings.connection_threshold),
            udp_floods: UdpFloods::new(settings.udp_flood_threshold),
            renegotiation: Renegotiation::new(settings.renegotiation_threshold),
            fuzzing: Fuzzing::new(settings.fuzzing_threshold),
            slow_requests: SlowRequests::new(settings.slow_request_threshold),
            guessing: Guessing::new(settings.brute_force_threshold),
            sweep: Sweep::new(settings.sweep_threshold, settings.max_sources),
            unanswered: Unanswered::new(settings.max_sources, settings.unanswered_threshold),
            slow: SlowScan::new(settings.slow_scan)?,
            nd: SlowScan::neighbour_sweeps(settings.slow_scan)?,
            few: FewPorts::new(settings.few_udp_ports),
            conv: Conversations::new(settings.udp_settle),
            assocs: Associations::new(settings.sctp_associations),
            arp: ArpSweeps::new(
                settings.arp_sweep_threshold,
                settings.gap,
                settings.max_sources,
            ),
            arp_spoof: ArpSpoofs::new(settings.arp_spoof_threshold, settings.gap),
            neighbour: NeighbourRules::new(settings.nd_flood_threshold, settings.gap),
            unlearned: Unlearned::new(),
            frags: Fragments::new(),
            overlaps: Overlaps::new(),
            echoes: Echoes::new(settings.echo_pace),
            broadcasts: Broadcasts::new(),
            stats: DetectStats::default(),
            esn_state,
            earlier_evictions: 0,
            models,
            settings,
        })
    }

    /// The settings in force (those given, but verdict reuse off for an echo-state network).
    pub fn settings(&self) -> &DetectSettings {
        &self.settings
    }

    /// The models.
    pub fn models(&self) -> &Models {
        &self.models
    }

    /// Counters so far (`feature_*` are updated at each batch).
    pub fn stats(&self) -> &DetectStats {
        &self.stats
    }

    /// Add one record; a full batch is scored and reported through `sink`.
    #[inline]
    pub fn push(&mut self, r: Record, sink: &mut dyn FnMut(Event<'_>)) -> Result<(), IdsError> {
        self.pending.push(r);
        if self.pending.len() >= self.settings.batch {
            self.flush(sink)?;
        }
        Ok(())
    }

    /// Feed every record of `records`; stops at the first read error, which is returned
    /// (`Ok(Some(e))`) after everything before it was processed. Call [`Engine::finish`] after.
    ///
    /// The records go through a [`Timeline`]: one stamped out of line is taken at its
    /// neighbour's time, and where the capture's clock goes back for good the engine
    /// [restarts](Engine::restart) (counted in [`DetectStats::clock_restarts`] and
    /// [`DetectStats::out_of_line`]).
    pub fn run<I>(
        &mut self,
        records: I,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<Option<PacketError>, IdsError>
    where
        I: IntoIterator<Item = Result<Record, PacketError>>,
    {
        self.over_periods(records.into_iter(), sink, |e, t, s| e.run_period(t, s))
    }

    /// As [`Engine::run`], in two stages on two threads: a second thread pulls the records
    /// from `records` (reading and decoding the capture), cuts them into batches of
    /// [`DetectSettings::batch`] and takes them through the feature state (and the verdict
    /// reuse table); this thread makes their feature rows, scores each batch, reports the
    /// verdicts and alerts through `sink` and runs the rules (the slow-scan rule among them)
    /// and the aggregator. At most four batches are in flight, and their buffers are reused.
    /// Making the feature rows depends on each batch alone: the feature thread does it too
    /// for the batches it sends while others wait for this thread (it is ahead).
    ///
    /// The batches, the rows and the order of every step are those of [`Engine::run`], so the
    /// results are identical; only the two halves of the work overlap in time. A panic on the
    /// feature thread is resumed on this one. The records go through a [`Timeline`] as in
    /// [`Engine::run`].
    pub fn run_pipelined<I>(
        &mut self,
        records: I,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<Option<PacketError>, IdsError>
    where
        I: IntoIterator<Item = Result<Record, PacketError>>,
        I::IntoIter: Send,
    {
        self.over_periods(records.into_iter(), sink, |e, t, s| {
            e.run_pipelined_period(t, s)
        })
    }

    /// Run `period` over each period of `records`' [`Timeline`] in turn, the engine
    /// [restarted](Engine::restart) between them; stops at the end of the records or at a
    /// read error (returned, as [`Engine::run`] does).
    fn over_periods<It, F>(
        &mut self,
        records: It,
        sink: &mut dyn FnMut(Event<'_>),
        mut period: F,
    ) -> Result<Option<PacketError>, IdsError>
    where
        It: Iterator<Item = Result<Record, PacketError>>,
        F: FnMut(
            &mut Engine,
            &mut Timeline<It>,
            &mut dyn FnMut(Event<'_>),
        ) -> Result<Option<PacketError>, IdsError>,
    {
        let mut timeline = Timeline::new(records);
        loop {
            let err = period(self, &mut timeline, sink)?;
            self.stats.out_of_line = timeline.stats().out_of_line;
            self.stats.clock_steps_back = timeline.stats().steps_back;
            if err.is_some() || !timeline.restarted() {
                return Ok(err);
            }
            self.restart(sink)?;
            timeline.resume();
        }
    }

    /// End the period the engine is in, as the end of a capture would (every open episode
    /// ends and its alert is reported), and start afresh with the same models and settings:
    /// the capture's clock went back for good ([`crate::timeline`]), and the state built on
    /// the later time says nothing of the earlier one. The counters go on.
    pub fn restart(&mut self, sink: &mut dyn FnMut(Event<'_>)) -> Result<(), IdsError> {
        let fresh = Engine::new(self.models.clone(), self.settings)?;
        let old = std::mem::replace(self, fresh);
        let evictions = old.stats.feature_evictions;
        let mut stats = old.finish(sink)?;
        stats.clock_restarts += 1;
        self.stats = stats;
        self.earlier_evictions = evictions;
        Ok(())
    }

    /// [`Engine::run`] over one period of the capture's timeline.
    fn run_period<I>(
        &mut self,
        records: I,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<Option<PacketError>, IdsError>
    where
        I: IntoIterator<Item = Result<Record, PacketError>>,
    {
        for r in records {
            match r {
                Ok(r) => self.push(r, sink)?,
                Err(e) => {
                    self.flush(sink)?;
                    return Ok(Some(e));
                }
            }
        }
        self.flush(sink)?;
        Ok(None)
    }

    /// [`Engine::run_pipelined`] over one period of the capture's timeline.
    fn run_pipelined_period<I>(
        &mut self,
        records: I,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<Option<PacketError>, IdsError>
    where
        I: IntoIterator<Item = Result<Record, PacketError>>,
        I::IntoIter: Send,
    {
        // records pushed one by one before come first
        self.flush(sink)?;
        let size = self.settings.batch;
        let mut extractor = std::mem::replace(&mut self.extractor, Extractor::Paper7);
        let mut reuse = std::mem::replace(&mut self.reuse, ReuseTable::new(0.0, 0));
        let mut copies = std::mem::take(&mut self.copies);
        let records = records.into_iter();
        let cols = self.models.detector.kind.n_features();
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(PIPELINE_DEPTH);
        let (free_tx, free_rx) = std::sync::mpsc::channel::<Batch>();
        // batches sent and not yet taken by the scoring stage
        let waiting = AtomicUsize::new(0);
        let waiting = &waiting;
        std::thread::scope(|s| {
            let features = s.spawn(move || {
                let mut records = records;
                let mut read_err = None;
                loop {
                    let mut b = free_rx.try_recv().unwrap_or_else(|_| Batch {
                        records: Vec::with_capacity(size),
                        snaps: Snaps::default(),
                        plan: Vec::with_capacity(size),
                        features: None,
                        x: Vec::new(),
                        x_len: 0,
                        rows: false,
                    });
                    b.records.clear();
                    while b.records.len() < size {
                        match records.next() {
                            Some(Ok(r)) => b.records.push(r),
                            Some(Err(e)) => {
                                read_err = Some(e);
                                break;
                            }
                            None => break,
                        }
                    }
                    let last = b.records.len() < size;
                    if !b.records.is_empty() {
                        extract_rows(
                            &mut extractor,
                            &mut reuse,
                            &mut copies,
                            &b.records,
                            &mut b.snaps,
                            &mut b.plan,
                        );
                        b.features = feature_state(&extractor);
                        // Which stage is the slower one depends on the capture (and on what
                        // else the machine runs). While batches wait for the scoring stage,
                        // this one is ahead and makes their feature rows too: the same rows
                        // (`Snapshot::write` depends on the snapshot alone), on whichever
                        // thread has the time. (Running the networks here as well, when more
                        // batches wait, took more CPU time than it saved: their weights and
                        // buffers then crowd the feature tables out of this core's caches.)
                        b.rows = waiting.load(Ordering::Relaxed) >= ROWS_AHEAD;
                        if b.rows {
                            b.x_len = b.snaps.rows(cols, &mut b.x);
                        }
                        waiting.fetch_add(1, Ordering::Relaxed);
                        if full_tx.send(b).is_err() {
                            break; // the scoring stage stopped on an error
                        }
                    }
                    if last {
                        break;
                    }
                }
                (extractor, reuse, copies, read_err)
            });
            let mut scored = Ok(());
            for b in full_rx.iter() {
                waiting.fetch_sub(1, Ordering::Relaxed);
                scored = if b.rows {
                    let x = b.x.get(..b.x_len).unwrap_or(&[]);
                    self.score_rows(&b.records, x, &b.plan, b.features, sink)
                } else {
                    self.score(&b.records, &b.snaps, &b.plan, b.features, sink)
                };
                if scored.is_err() {
                    break;
                }
                // the feature stage may be done already: then the buffers are simply dropped
                let _ = free_tx.send(b);
            }
            drop(full_rx);
            match features.join() {
                Ok((extractor, reuse, copies, read_err)) => {
                    self.copies = copies;
                    self.extractor = extractor;
                    self.reuse = reuse;
                    scored.map(|()| read_err)
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }

    /// Let time pass with no packet: episodes quiet since before `now − gap` end (live sources).
    pub fn tick(&mut self, now: f64, sink: &mut dyn FnMut(Event<'_>)) -> Result<(), IdsError> {
        self.flush(sink)?;
        self.agg.advance(now, &mut self.stats, sink);
        let st = &mut self.stats;
        let agg = &mut self.agg;
        self.slow.tick(now, &mut |f| agg.finding(&f, st, sink));
        self.nd.tick(now, &mut |f| agg.finding(&f, st, sink));
        self.few.tick(now, &mut |f| agg.finding(&f, st, sink));
        self.arp
            .advance(now, &mut |s| arp_sweep_alert(&s, st, sink));
        self.arp_spoof
            .advance(now, &mut |s| arp_spoof_alert(&s, st, sink));
        self.neighbour
            .advance(now, &mut |a| neighbour_alert(&a, st, sink));
        Ok(())
    }

    /// Score the records waiting in the batch.
    pub fn flush(&mut self, sink: &mut dyn FnMut(Event<'_>)) -> Result<(), IdsError> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let mut snaps = std::mem::take(&mut self.snaps);
        let mut plan = std::mem::take(&mut self.plan);
        extract_rows(
            &mut self.extractor,
            &mut self.reuse,
            &mut self.copies,
            &self.pending,
            &mut snaps,
            &mut plan,
        );
        let features = feature_state(&self.extractor);
        let pending = std::mem::take(&mut self.pending);
        let scored = self.score(&pending, &snaps, &plan, features, sink);
        self.pending = pending;
        self.pending.clear();
        self.snaps = snaps;
        self.plan = plan;
        scored
    }

    /// Run the namer (if the detector is binary and has one) over the rows of `x` that the
    /// detector flagged, the only ones whose class is asked for, and note in `named` where each
    /// row's outputs are. A row's outputs do not depend on the other rows it is run with
    /// (`nightjar_nn`'s inference), so they are bit for bit those of a pass over every row.
    fn name_flagged(&mut self, x: &[f32], rows: usize) -> Result<(), IdsError> {
        self.named.clear();
        let det = &self.models.detector;
        let Some(namer) = self.models.namer.as_ref().filter(|_| det.binary) else {
            return Ok(());
        };
        let k = self.yb.cols.max(1);
        self.pick.clear();
        for (row, out) in self.yb.data.chunks_exact(k).take(rows).enumerate() {
            if det.verdict(out).is_attack() {
                self.named.push(self.pick.len() as u32);
                self.pick.push(row);
            } else {
                self.named.push(UNNAMED);
            }
        }
        infer(
            namer,
            x,
            self.pick.iter().copied(),
            &mut self.xb,
            &mut self.scratch,
            &mut self.nb,
        )
    }

    /// Score one batch: `records`, the snapshots of its decoded packets that are to be scored
    /// and the `plan` of every decoded packet, in order (as [`extract_rows`] makes them).
    /// Makes the feature rows of the snapshots, runs the detector (and the namer) over them,
    /// then reports every record's verdict (scored, or reused from its slot) and feeds the
    /// aggregator. `features` is the extractor's (evictions, memory) after the batch, for the
    /// counters.
    fn score(
        &mut self,
        records: &[Record],
        snaps: &Snaps,
        plan: &[u32],
        features: Option<(u64, usize)>,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), IdsError> {
        let cols = self.models.detector.kind.n_features();
        let mut x = std::mem::take(&mut self.x);
        let n = snaps.rows(cols, &mut x);
        let scored = self.score_rows(records, x.get(..n).unwrap_or(&[]), plan, features, sink);
        self.x = x;
        scored
    }

    /// In [`Engine::score_rows`], the place in its batch of the record after the one being
    /// scored (the records counted since `batch_start`).
    fn next_record(&self) -> u64 {
        self.stats.records - self.batch_start
    }

    /// [`Engine::score`] once the feature rows `x` are made.
    fn score_rows(
        &mut self,
        records: &[Record],
        x: &[f32],
        plan: &[u32],
        features: Option<(u64, usize)>,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), IdsError> {
        let cols = self.models.detector.kind.n_features();
        let rows = x.len() / cols;
        match &self.models.detector.net {
            Net::Esn(e) => {
                scale_rows(&self.models.detector, x, 0..rows, &mut self.xb)?;
                self.yb = e.try_predict_stream(&self.xb, &mut self.esn_state)?;
            }
            Net::Mlp(_) => infer(
                &self.models.detector,
                x,
                0..rows,
                &mut self.xb,
                &mut self.scratch,
                &mut self.yb,
            )?,
        }
        self.name_flagged(x, rows)?;
        let det = &self.models.detector;
        let k = self.yb.cols.max(1);
        let kn = self.nb.cols.max(1);
        let mut row = 0usize;
        let mut decoded = 0usize;
        self.batch_start = self.stats.records;
        for r in records {
            self.stats.records += 1;
            let v = match r {
                Record::Packet(p) => {
                    // Made here, long before its use: built next to that use, its addresses'
                    // odd-sized copies were read back while still being stored (a stall that
                    // took about a fifth of this loop).
                    let info = PacketInfo {
                        src: p.src,
                        dst: p.dst,
                        proto: p.proto,
                        arp: false,
                    };
                    let step = plan.get(decoded).copied().unwrap_or(MISS);
                    decoded += 1;
                    if step & COPY != 0 {
                        let n = self.stats.packets;
                        let back = u64::from(step & 0xff);
                        let (score, class) = n
                            .checked_sub(back)
                            .map_or((0.0, Class::Normal), |o| self.recent[o as usize % RECENT]);
                        count_packet(&mut self.stats, &mut self.recent, score, class);
                        self.stats.copies += 1;
                        sink(Event::Packet(&PacketVerdict {
                            index: p.index,
                            ts: p.ts,
                            packet: Some(info),
                            score,
                            class,
                            reused: true,
                            established: false,
                            guessing: None,
                            overlapping: false,
                            oversize: false,
                            renegotiating: false,
                            fuzzing: false,
                            slow_request: false,
                            slow_addition: Addition::None,
                            slow_read: false,
                            resent: false,
                        }));
                        continue;
                    }
                    let slot = (step & SLOT) as usize;
                    if step & ANSWER_FIRST != 0 {
                        self.stats.answers_first += 1;
                    }
                    let (score, net) = if step & SESSION != 0 {
                        self.stats.session_packets += 1;
                        (0.0, Class::Normal)
                    } else if step & MISS == 0 {
                        self.stats.verdicts_reused += 1;
                        self.memo[slot]
                    } else {
                        let out = self.yb.data.get(row * k..(row + 1) * k).unwrap_or(&[]);
                        let d = det.verdict(out);
                        let net = if !d.is_attack() {
                            Class::Normal
                        } else if !det.binary {
                            d.class
                        } else if let Some(n) = &self.models.namer {
                            let out = self.named.get(row).and_then(|&i| {
                                self.nb.data.get(i as usize * kn..(i as usize + 1) * kn)
                            });
                            out.map_or(Class::OtherAttack, |o| name_attack(n, o))
                        } else {
                            Class::OtherAttack
                        };
                        row += 1;
                        self.memo[slot] = (d.score, net);
                        (d.score, net)
                    };
                    let keys = AddrKeys::of(p);
                    let sprayed = self.spray.push(p, &keys);
                    let swept = self.sweep.push_keyed(p, &keys);
                    let unanswered = self.unanswered.push_keyed(p, &keys);
                    let pinged = self.pings.push_keyed(p, &keys);
                    let mut odd = self.unlearned.push(p);
                    if odd == Some(Verdict::Unsolicited)
                        && asked_next(p, records, self.next_record())
                    {
                        // a reply written before its request (see `asked_next`)
                        odd = None;
                        self.stats.replies_first += 1;
                    }
                    // an answer nobody asked for (and its receiver's error about it) is its
                    // sender's; past the reflection threshold, a flood
                    let unasked = self.reflection.push(p);
                    // (a question at a flood's pace is the flood's, against its sender)
                    let reflected = unasked
                        .map(|u| match u {
                            Unasked::Forged => (p.dst, p.src),
                            _ => (p.src, p.dst),
                        })
                        .or_else(|| self.reflection.error_about_unasked(p))
                        .or_else(|| self.udp_floods.error_about_flood(p, &keys));
                    // the victim of a fraggle refusing the subnet's echoes
                    let group_error =
                        p.inner.is_some() && self.reflection.error_about_group_answer(p);
                    let two_way = self.conv.push_keyed(p, &keys);
                    // (a flood from forged sources, each request a pair's first, is the spray
                    // rule's)
                    let echoed =
                        may_be_echo(p) && self.echoes.push_keyed(p, &keys) && sprayed.is_none();
                    let opened = self.connections.push_keyed(p, &keys);
                    let served = self.udp_floods.push_keyed(p, &keys);
                    // a flood sent from below its receiver's port is its sender's (see
                    // crate::udpfloods, "Floods from below")
                    let from_below = served == Some(Flood::FromBelow);
                    let opener = match (step & OPENER_KNOWN, step & BY_OPENER) {
                        (0, _) => None,
                        (_, by) => Some(by != 0),
                    };
                    let guessed = self.guessing.push_keyed(p, &keys, opener);
                    let renegotiating = self.renegotiation.push_keyed(p, &keys, opener);
                    let fuzzed = self
                        .fuzzing
                        .push_keyed(p, &keys, opener, step & FIRST_DATA != 0);
                    // (a connection past its first --session-packets is an established session's,
                    // whose packets the rule no longer judges: a slow request is counted long
                    // before, and a download's segments cost no look-up)
                    let slow = (step & SESSION == 0 || p.window == 0)
                        && self
                            .slow_requests
                            .push_keyed(p, &keys, opener, step & SESSION != 0);
                    // (set where the fuzzing rule decides the class)
                    let mut by_fuzzing = false;
                    // (set where the slow-request rule decides it)
                    let mut by_slow = false;
                    // (set where the spray rule decides it)
                    let mut by_spray = false;
                    let mut class = if matches!(unasked, Some(Unasked::Flood | Unasked::Forged)) {
                        self.stats.flagged_by_reflection_rule += 1;
                        Class::FloodUdp
                    } else if unasked == Some(Unasked::Amplified) {
                        self.stats.flagged_by_reflection_rule += 1;
                        if p.proto == nightjar_packet::proto::UDP {
                            Class::FloodUdp
                        } else {
                            Class::FloodIcmp
                        }
                    } else if group_error {
                        if net.is_attack() || sprayed.is_some() || swept.is_some() {
                            self.stats.group_errors_cleared += 1;
                        }
                        Class::Normal
                    } else if two_way {
                        if net.is_attack() || sprayed.is_some() || swept.is_some() {
                            self.stats.two_way_cleared += 1;
                        }
                        Class::Normal
                    } else if p.proto == nightjar_packet::proto::SCTP
                        && self.assocs.push(p, keys.src, keys.dst, keys.ms, keys.md)
                    {
                        // a packet of an SCTP association both ends hold (crate::associations;
                        // read here, where the verdict is made: no rule above takes an SCTP
                        // packet, so every one reaches it)
                        if net.is_attack() || sprayed.is_some() || swept.is_some() {
                            self.stats.sctp_cleared += 1;
                        }
                        Class::Normal
                    } else if echoed {
                        // a ping answered at a ping's pace (crate::echoes), whatever its size
                        if net.is_attack()
                            || sprayed.is_some()
                            || swept.is_some()
                            || pinged.is_some()
                            || odd.is_some_and(|u| u.class().is_attack())
                        {
                            self.stats.echoes_cleared += 1;
                        }
                        Class::Normal
                    } else if self.broadcasts.push(p) {
                        // a NetBIOS or DHCP broadcast at a LAN's pace (crate::broadcasts;
                        // taken here, not with the rules above, so that nothing stays live
                        // across them: every such broadcast reaches it but one the reflection
                        // rule takes for a flood's, which stays the flood's)
                        if net.is_attack()
                            || sprayed.is_some()
                            || swept.is_some()
                            || odd.is_some_and(|u| u.class().is_attack())
                        {
                            self.stats.broadcasts_cleared += 1;
                        }
                        Class::Normal
                    } else if step & CLOSING_RESET != 0 {
                        // a connection's own end, not a reset flood's: see the module's
                        // "Resets that close connections"
                        if net.is_attack()
                            || sprayed.is_some()
                            || swept.is_some()
                            || opened.is_some()
                            || guessed.is_some()
                        {
                            self.stats.closing_resets_cleared += 1;
                        }
                        Class::Normal
                    } else if let Some(u) = odd.filter(|u| u.overrides()) {
                        match u {
                            Verdict::Forged => self.stats.forged_errors += 1,
                            Verdict::Unsolicited => self.stats.unsolicited_replies += 1,
                            _ if net.is_attack() || sprayed.is_some() || swept.is_some() => {
                                self.stats.protocol_rule_cleared += 1;
                            }
                            _ => {}
                        }
                        u.class()
                    } else if renegotiating {
                        self.stats.flagged_by_renegotiation_rule += 1;
                        Class::OtherAttack
                    } else if fuzzed {
                        self.stats.flagged_by_fuzzing_rule += 1;
                        by_fuzzing = true;
                        Class::OtherAttack
                    } else if slow {
                        self.stats.flagged_by_slow_request_rule += 1;
                        by_slow = true;
                        Class::OtherAttack
                    } else if from_below {
                        self.stats.flagged_by_udp_flood_rule += 1;
                        self.stats.udp_floods_from_below += 1;
                        Class::FloodUdp
                    } else if net.is_attack() {
                        net
                    } else if let Some(c) = sprayed {
                        self.stats.flagged_by_spray_rule += 1;
                        by_spray = true;
                        c
                    } else if let Some(c) = swept {
                        self.stats.flagged_by_sweep_rule += 1;
                        c
                    } else if let Some(c) = unanswered {
                        self.stats.flagged_by_unanswered_rule += 1;
                        c
                    } else if let Some(c) = pinged {
                        self.stats.flagged_by_ping_rule += 1;
                        c
                    } else if let Some(c) = opened {
                        self.stats.flagged_by_connection_rule += 1;
                        c
                    } else if served.is_some() {
                        self.stats.flagged_by_udp_flood_rule += 1;
                        Class::FloodUdp
                    } else if guessed.is_some() {
                        self.stats.flagged_by_guessing_rule += 1;
                        Class::OtherAttack
                    } else if let Some(u) = odd {
                        self.stats.flagged_by_protocol_rule += 1;
                        u.class()
                    } else {
                        Class::Normal
                    };
                    // the neighbour-discovery and group rules: their packets are theirs (the
                    // aggregator takes them as normal: a smurf's packets would make its victim
                    // and the hosts answering it attackers)
                    let st = &mut self.stats;
                    let grouped = self
                        .neighbour
                        .push(p, &mut |a| neighbour_alert(&a, st, sink));
                    match grouped {
                        Some(c) if c.is_attack() => {
                            st.neighbour_flagged += 1;
                            class = c;
                        }
                        Some(_) if class.is_attack() => {
                            st.neighbour_cleared += 1;
                            class = Class::Normal;
                        }
                        _ => {}
                    }
                    // a rule decided the ends: a flood from below's datagram, and an ACK or
                    // reset of a flood from random sources (the spray rule's "Floods of
                    // ACKs"), are their sender's against their receiver, never charged to an
                    // episode the receiver has open (one made none of its own in a lab run,
                    // after a client's ping flagged to the victim)
                    let senders = (from_below && class == Class::FloodUdp)
                        || (by_spray && p.proto == 6 && p.tcp_flags & 0x14 != 0);
                    // and a reflected answer is its sender's (and so are its datagram's later
                    // fragments)
                    let mut fixed = reflected.is_some() || senders;
                    // a TCP segment is charged to the end that opened its flow, when known
                    let mut ends = match opener {
                        _ if reflected.is_some() => reflected,
                        _ if senders || odd == Some(Verdict::Unsolicited) => Some((p.src, p.dst)),
                        None => None,
                        Some(by) => {
                            // a SYN-ACK in a flow begun by a SYN answers the SYN's sender, and
                            // is charged to it, never to its own sender's open episode (a
                            // server sending its SYN-ACKs again to a SYN flood's forged
                            // sources, whose episodes have ended, while a false episode of its
                            // own is open, is no SYN flood of the server's). Only the SYN-ACK:
                            // the other segments of the connection still go to an open
                            // episode of either end (a flagged client's ACKs to a host in an
                            // attack's episode are that episode's, as they were; charged to
                            // the client they made a false alert of its own in a lab run)
                            fixed = step & OPENED_BY_SYN != 0 && p.tcp_flags & 0x12 == 0x12;
                            Some(if by { (p.src, p.dst) } else { (p.dst, p.src) })
                        }
                    };
                    let mut score = score;
                    let mut overlapping = false;
                    let mut oversize = false;
                    if p.fragment && ends_past_max(p) {
                        // a ping of death: no IP stack sends it, its sender's attack by itself,
                        // and so are its datagram's fragments still to come (the table is
                        // kept as before: an overlap over it is found still)
                        self.overlaps.push(p);
                        self.stats.oversize_fragments += 1;
                        oversize = true;
                        (class, ends, fixed) = (Class::OtherAttack, Some((p.src, p.dst)), true);
                        self.frags.datagram(p, class, score, (p.src, p.dst));
                    } else if p.fragment && self.overlaps.push(p) {
                        // made by hand (teardrop, IDS evasion): its sender's attack, and its
                        // datagram's later fragments too when it is a first one
                        self.stats.overlapping_fragments += 1;
                        overlapping = true;
                        (class, ends, fixed) = (Class::OtherAttack, Some((p.src, p.dst)), true);
                        self.frags.first(p, class, score, (p.src, p.dst), true);
                    } else if p.fragment {
                        match self.frags.later(p) {
                            Some(first) => {
                                (class, score, ends) = (first.class, first.score, Some(first.ends));
                                fixed = first.fixed;
                                self.stats.fragments_as_first += 1;
                            }
                            None => {
                                // written before its datagram's first fragment (see
                                // `first_fragment_next`): that fragment's ends, and no verdict
                                // of its own; the first fragment makes the datagram's
                                let first_next = p
                                    .later_fragment
                                    .then(|| first_fragment_next(p, records, self.next_record()))
                                    .flatten();
                                if let Some(q) = first_next {
                                    class = Class::Normal;
                                    ends = Some(attacker_and_victim(q));
                                    self.stats.fragments_before_first += 1;
                                } else {
                                    self.frags.first(
                                        p,
                                        class,
                                        score,
                                        ends.unwrap_or_else(|| attacker_and_victim(p)),
                                        fixed,
                                    );
                                }
                            }
                        }
                    }
                    count_packet(&mut self.stats, &mut self.recent, score, class);
                    let mut v = PacketVerdict {
                        index: p.index,
                        ts: p.ts,
                        packet: Some(info),
                        score,
                        class,
                        reused: step & (MISS | SESSION) == 0,
                        established: step & ESTABLISHED != 0,
                        guessing: guessed.filter(|_| class.is_attack()),
                        overlapping,
                        oversize,
                        renegotiating: renegotiating && class == Class::OtherAttack,
                        fuzzing: by_fuzzing && class == Class::OtherAttack,
                        slow_request: by_slow && class == Class::OtherAttack,
                        slow_addition: if by_slow && class == Class::OtherAttack {
                            self.slow_requests.added()
                        } else {
                            Addition::None
                        },
                        slow_read: by_slow
                            && class == Class::OtherAttack
                            && self.slow_requests.reading(),
                        // a full-size datagram sent again, nothing back (crate::handshakes:
                        // the tracker's word on this packet, read here, where it is needed)
                        resent: self.conv.resent(),
                    };
                    sink(Event::Packet(&v));
                    let ends = ends.unwrap_or_else(|| attacker_and_victim(p));
                    // (the verdict reported, changed in place for the aggregator: a copy of
                    // it for the aggregator was some ten instructions a packet)
                    if grouped.is_some() {
                        v.class = Class::Normal;
                    }
                    self.agg
                        .packet_with_ends((p, &keys), &v, ends, fixed, &mut self.stats, sink);
                    // the slow-scan rule: its findings come after the packet's verdict and the
                    // aggregator's alerts, as the packet's doings
                    let (agg, st) = (&mut self.agg, &mut self.stats);
                    self.slow
                        .push_keyed(p, &keys, &mut |f| agg.finding(&f, st, sink));
                    // (other packets only move its clock, and fail its waiting solicitations
                    // by silence: while none waits, the clock alone)
                    if p.proto == 58 || self.nd.waiting() {
                        self.nd
                            .push_keyed(p, &keys, &mut |f| agg.finding(&f, st, sink));
                    } else {
                        self.nd.clock_to(p.ts);
                    }
                    // the few-port UDP scan rule: findings as the slow-scan rule's fast ones
                    self.few.push(p, &mut |f| agg.finding(&f, st, sink));
                    // the ARP-sweep rule: the hosts a sender talks to over IP were no sweep's
                    // targets; sweeps that have ended are reported as time passes
                    self.arp.ip(p);
                    self.arp
                        .advance(p.ts, &mut |s| arp_sweep_alert(&s, st, sink));
                    // the ARP-spoofing rule: episodes quiet for the gap are reported
                    self.arp_spoof
                        .advance(p.ts, &mut |s| arp_spoof_alert(&s, st, sink));
                    continue;
                }
                Record::Arp(a) => {
                    self.stats.arp += 1;
                    let st = &mut self.stats;
                    let swept = self.arp.push(a, &mut |s| arp_sweep_alert(&s, st, sink));
                    let spoofed = self
                        .arp_spoof
                        .push(a, &mut |s| arp_spoof_alert(&s, st, sink));
                    if spoofed.is_attack() {
                        st.arp_spoof_flagged += 1;
                    }
                    // either rule's: the sweep rule's requests and replies, the spoofing
                    // rule's claims (both `other-attack`)
                    let class = if swept.is_attack() { swept } else { spoofed };
                    if class.is_attack() {
                        st.arp_flagged += 1;
                    }
                    PacketVerdict {
                        index: a.index,
                        ts: a.ts,
                        packet: Some(PacketInfo {
                            src: a.sender_ip.into(),
                            dst: a.target_ip.into(),
                            proto: 0,
                            arp: true,
                        }),
                        score: 0.0,
                        class,
                        reused: false,
                        established: false,
                        guessing: None,
                        overlapping: false,
                        oversize: false,
                        renegotiating: false,
                        fuzzing: false,
                        slow_request: false,
                        slow_addition: Addition::None,
                        slow_read: false,
                        resent: false,
                    }
                }
                Record::Undecoded { index, ts, .. } => {
                    self.stats.undecoded += 1;
                    PacketVerdict {
                        index: *index,
                        ts: *ts,
                        packet: None,
                        score: 0.0,
                        class: Class::Normal,
                        reused: false,
                        established: false,
                        guessing: None,
                        overlapping: false,
                        oversize: false,
                        renegotiating: false,
                        fuzzing: false,
                        slow_request: false,
                        slow_addition: Addition::None,
                        slow_read: false,
                        resent: false,
                    }
                }
            };
            sink(Event::Packet(&v));
        }
        if let Some((evictions, memory)) = features {
            self.stats.feature_evictions = self.earlier_evictions + evictions;
            self.stats.feature_memory = self.stats.feature_memory.max(memory);
        }
        Ok(())
    }

    /// Score what is left and end every open episode (alerts are reported); the final counters.
    pub fn finish(mut self, sink: &mut dyn FnMut(Event<'_>)) -> Result<DetectStats, IdsError> {
        self.flush(sink)?;
        self.agg.close_all(&mut self.stats, sink);
        let st = &mut self.stats;
        let agg = &mut self.agg;
        self.slow.finish(&mut |f| agg.finding(&f, st, sink));
        self.nd.finish(&mut |f| agg.finding(&f, st, sink));
        self.few.finish(&mut |f| agg.finding(&f, st, sink));
        // (a later scan's finding released by the rules' ends waits for no episode now)
        agg.decide_pending(st, sink);
        // (the few-port scans' alerts just held)
        agg.release_held(f64::INFINITY, true, sink);
        self.arp.finish(&mut |s| arp_sweep_alert(&s, st, sink));
        self.arp_spoof
            .finish(&mut |s| arp_spoof_alert(&s, st, sink));
        self.neighbour
            .finish(&mut |a| neighbour_alert(&a, st, sink));
        self.stats.polled_scans += self.slow.stats().polled;
        self.stats.dense_sweeps += self.slow.stats().dense_sweeps;
        self.stats.dense_blocks += self.slow.stats().dense_blocks;
        self.stats.raw_ack_probes += self.slow.stats().raw_ack_probes;
        self.stats.echoes_crowded += self.echoes.crowded();
        Ok(self.stats)
    }
}

/// Count an IP packet's verdict in `st`, and keep it in `recent` (packet `n` in slot
/// `n % RECENT`, `n` counted by [`DetectStats::packets`]) for the copies of the packet to come.
#[inline]
fn count_packet(
    st: &mut DetectStats,
    recent: &mut [(f32, Class); RECENT],
    score: f32,
    class: Class,
) {
    recent[st.packets as usize % RECENT] = (score, class);
    st.packets += 1;
    if class.is_attack() {
        st.flagged += 1;
        st.flagged_by_class[class.index()] += 1;
    }
}

/// Report a finding of the slow-scan rule as a source alert.
fn slow_scan_alert(f: &Finding, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
    count_slow_scan(f, st);
    sink(Event::Alert(&f.to_alert()));
}

/// Count a finding of the slow-scan rule reported as an alert of its own.
fn count_slow_scan(f: &Finding, st: &mut DetectStats) {
    st.alerts += 1;
    st.source_alerts += 1;
    st.slow_scan_alerts += 1;
    if f.trigger == crate::slowscan::Trigger::FewPorts {
        st.few_port_scans += 1;
    }
    if f.fast {
        st.fast_scans_missed_by_networks += 1;
    }
}

/// Report a sweep of the ARP-sweep rule as a source alert.
fn arp_sweep_alert(s: &ArpSweep, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
    st.alerts += 1;
    st.source_alerts += 1;
    st.arp_sweep_alerts += 1;
    sink(Event::Alert(&s.to_alert()));
}

/// Report an episode of the ARP-spoofing rule as a source alert.
fn arp_spoof_alert(s: &ArpSpoof, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
    st.alerts += 1;
    st.source_alerts += 1;
    st.arp_spoof_alerts += 1;
    sink(Event::Alert(&s.to_alert()));
}

/// Report an episode of the neighbour-discovery rules as a victim alert.
fn neighbour_alert(a: &NdAttack, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
    st.alerts += 1;
    st.victim_alerts += 1;
    st.neighbour_alerts += 1;
    sink(Event::Alert(&a.to_alert()));
}

/// Scanners remembered by the aggregator's tables of recent source alerts and of fast
/// findings reported ([`Aggregator::finding`]).
const RECENT_SCANNERS: usize = 4096;

/// A damped count and when it was last brought up to date: the connection-flood rule's
/// ([`crate::connections`]) and the password-guessing rule's ([`crate::guessing`]) count per
/// (client, server, service port).
#[derive(Clone, Copy, Default)]
pub(crate) struct DampedCount {
    n: f32,
    at: f64,
}

impl DampedCount {
    /// The count decayed to `now` with half-life `half_life` seconds (through `decay`).
    #[inline]
    pub(crate) fn value(&self, now: f64, half_life: f64, decay: &mut NegExp2) -> f32 {
        self.n * decay.get((now - self.at).max(0.0) / half_life) as f32
    }

    /// Decay the count to `now` and add `d`; the new count.
    #[inline]
    pub(crate) fn add(&mut self, now: f64, half_life: f64, d: f32, decay: &mut NegExp2) -> f32 {
        self.n = self.value(now, half_life, decay) + d;
        self.at = now;
        self.n
    }

    /// When the count was last added to.
    pub(crate) fn at(&self) -> f64 {
        self.at
    }
}

/// The table hash of a (client, server, service port) key, from the
/// [`premix`]es of the client's and the server's addresses, under a rule's own `seed`.
#[inline]
pub(crate) fn service_hash(seed: u64, client: u64, server: u64, port: u16) -> u64 {
    hash_mixed(hash_mixed(seed ^ u64::from(port) << 8, client), server)
}

/// `2^(−dt)` of recent `dt`s, direct-mapped by their bits: a damped count's decay factor.
/// The time since a count was last touched recurs (timestamps are whole microseconds, and a
/// flood touches its victim's count at a steady pace), and `exp2` is a call into libm per
/// packet otherwise. An answer is `(-dt).exp2()` of the same bits, so it is the same, bit for
/// bit.
pub(crate) struct NegExp2 {
    /// Per slot: the bits of a `dt` and `(-dt).exp2()` (at first: 0 and 1).
    slots: Box<[(u64, f64); NEG_EXP2_SLOTS]>,
}

/// Slots of a [`NegExp2`] (a power of two: 16 kB; with 64, most look-ups missed and called
/// `exp2`).
const NEG_EXP2_SLOTS: usize = 1024;

impl NegExp2 {
    pub(crate) fn new() -> NegExp2 {
        NegExp2 {
            slots: Box::new([(0f64.to_bits(), 1.0); NEG_EXP2_SLOTS]),
        }
    }

    /// `(-dt).exp2()`.
    #[inline]
    pub(crate) fn get(&mut self, dt: f64) -> f64 {
        let bits = dt.to_bits();
        let i = (bits.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - NEG_EXP2_SLOTS.trailing_zeros()))
            as usize
            % NEG_EXP2_SLOTS;
        let slot = &mut self.slots[i];
        if slot.0 != bits {
            *slot = (bits, (-dt).exp2());
        }
        slot.1
    }
}

/// A packet's two addresses as table keys ([`ip_key`]) and their [`premix`]es, computed once
/// per packet for the rules of [`Engine::score_rows`], whose tables hash them again and again
/// (`hash_key(seed, a)` is `hash_mixed(seed, premix(a))`).
#[derive(Clone, Copy)]
pub(crate) struct AddrKeys {
    pub(crate) src: u128,
    pub(crate) dst: u128,
    /// `premix(src)` and `premix(dst)`.
    pub(crate) ms: u64,
    pub(crate) md: u64,
}

impl AddrKeys {
    /// The [`premix`] of `ip`'s table key, where `p` is the packet these are the keys of: its
    /// source's or destination's at hand, another address's (a quoted packet's end) computed.
    #[inline]
    pub(crate) fn premix_of(&self, p: &PacketRepr, ip: IpAddr) -> u64 {
        if ip == p.src {
            self.ms
        } else if ip == p.dst {
            self.md
        } else {
            premix(ip_key(ip))
        }
    }

    #[inline]
    pub(crate) fn of(p: &PacketRepr) -> AddrKeys {
        let (src, dst) = (ip_key(p.src), ip_key(p.dst));
        AddrKeys {
            src,
            dst,
            ms: premix(src),
            md: premix(dst),
        }
    }
}

/// Counts per host damped with a 1 s half-life, in a bounded table: the spray, sweep and
/// reflection rules'.
pub(crate) struct Damped {
    table: SetAssoc<u128, f32>,
    seed: u64,
    decay: NegExp2,
}

impl Damped {
    pub(crate) fn new(cap: usize, seed: u64) -> Damped {
        Damped {
            table: SetAssoc::new(cap.max(1)),
            seed,
            decay: NegExp2::new(),
        }
    }

    /// Decay `host`'s count to `now`, add `delta`, keep it at `floor` or above; the count.
    pub(crate) fn add(&mut self, host: u128, delta: f32, now: f64, floor: f32) -> f32 {
        self.add_premixed((host, premix(host)), delta, now, floor)
    }

    /// `host`'s count as it stood when it was last added to, and when that was (`None`
    /// without an entry), read only: no entry is made.
    pub(crate) fn peek(&self, host: u128) -> Option<(f32, f64)> {
        let h = hash_mixed(self.seed, premix(host));
        self.table.get_stamped(&host, h).map(|(&v, t)| (v, t))
    }

    /// Decay the count of `host` (given with its [`premix`]) to `now` and take `delta` off,
    /// kept at 0 or above, if it has one: no entry is made.
    pub(crate) fn sub_if_present(&mut self, (host, mixed): (u128, u64), delta: f32, now: f64) {
        let h = hash_mixed(self.seed, mixed);
        if let Some((v, t)) = self.table.get_mut_stamped(&host, h, now) {
            *v = (*v * self.decay.get((now - t).max(0.0)) as f32 - delta).max(0.0);
        }
    }

    /// [`Damped::add`] of a host given with its [`premix`].
    pub(crate) fn add_premixed(
        &mut self,
        (host, mixed): (u128, u64),
        delta: f32,
        now: f64,
        floor: f32,
    ) -> f32 {
        let e = self.table.touch(host, hash_mixed(self.seed, mixed), now);
        let dt = e.prev_stamp.map_or(0.0, |t| (now - t).max(0.0));
        *e.val = (*e.val * self.decay.get(dt) as f32 + delta).max(floor);
        *e.val
    }
}

/// `ip_key(network_of(ip))` from `ip`'s key `key` (`ip_key(ip)`): its network's address as a
/// table key, the host bits cleared (an IPv4 key is the IPv4-mapped address, whose low 32 bits
/// are the address).
#[inline]
fn network_key(ip: IpAddr, key: u128) -> u128 {
    let host_bits = match ip {
        IpAddr::V4(_) => 32 - u32::from(crate::carpet::NETWORK_PREFIX_V4),
        IpAddr::V6(_) => 128 - u32::from(crate::carpet::NETWORK_PREFIX_V6),
    };
    key & (u128::MAX << host_bits)
}

/// The spray rule (see [`DetectSettings::spray_threshold`]), with bounded tables.
struct Spray {
    threshold: f32,
    seen: SetAssoc<u128, ()>,
    victims: Damped,
    /// The same counts per victim network ([`crate::carpet`]): a flood spread over a subnet
    /// gives each of its addresses a small share.
    networks: Damped,
    /// Per victim: damped segments with ACK or RST (no SYN) from new sources, less the
    /// segments it sent without RST, kept at 0 or above: the ACK floods' count
    /// ([`Spray::push`], "Floods of ACKs").
    acks: Damped,
    clock: f64,
}

/// A source not seen for this long is new again, seconds.
const SPRAY_HORIZON: f64 = 30.0;

impl Spray {
    fn new(threshold: f32, cap: usize) -> Spray {
        Spray {
            threshold,
            seen: SetAssoc::new(if threshold > 0.0 { cap.max(1) } else { 1 }),
            victims: Damped::new(
                if threshold > 0.0 {
                    (cap / 16).max(64)
                } else {
                    1
                },
                43,
            ),
            networks: Damped::new(
                if threshold > 0.0 {
                    (cap / 16).max(64)
                } else {
                    1
                },
                101,
            ),
            acks: Damped::new(
                if threshold > 0.0 {
                    (cap / 16).max(64)
                } else {
                    1
                },
                103,
            ),
            clock: f64::NEG_INFINITY,
        }
    }

    /// Update with `p`, whose addresses' keys are `k`; the flood class if the rule flags it.
    ///
    /// **Floods of ACKs.** A segment with ACK or RST and no SYN (bare ACK, PSH+ACK, FIN+ACK,
    /// a bare RST; not a RST+ACK, the refusal of a scan's probe) belongs to a connection, and a capture begun in the middle of many connections
    /// shows many from sources it has not seen. Such segments from new sources are counted
    /// apart, per victim ([`Spray::acks`]), less every segment the victim sends but resets,
    /// the count kept at 0 or above; at or above the threshold they are flagged
    /// (`other-attack`: DESIGN §12 has no class for them). A busy server answers its clients
    /// (data, ACKs) as fast as new ones appear, and a restarted server's resets go to clients
    /// it had seen (not new); an ACK or RST flood from random sources (hping3 `--rand-source
    /// -A`, `-PA`, `-R`) draws nothing, or one reset per segment (RFC 9293 §3.10.7.1), which
    /// the count does not take off. A flood slower than the victim's own sending is missed.
    fn push(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Class> {
        if self.threshold <= 0.0 {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let now = self.clock;
        let new = self
            .seen
            .touch(k.src, hash_mixed(41, k.ms), now)
            .prev_stamp
            .is_none_or(|t| now - t > SPRAY_HORIZON);
        let fl = p.tcp_flags;
        if p.proto == 6 && fl & 0x14 != 0 && fl & 0x02 == 0 {
            // with ACK or RST, no SYN ("Floods of ACKs" above); what the sender sends but
            // resets is an answer to the count's segments
            if fl & 0x04 == 0 {
                self.acks.sub_if_present((k.src, k.ms), 1.0, now);
            }
            // (a RST+ACK refuses a segment without ACK: a scan's SYN, FIN, NULL or Xmas probe)
            if fl & 0x14 == 0x14 || !new {
                return None;
            }
            let n = self.acks.add_premixed((k.dst, k.md), 1.0, now, 0.0);
            return (n >= self.threshold).then_some(Class::OtherAttack);
        }
        let class = match p.proto {
            6 if fl & 0x10 == 0 && fl & 0x04 == 0 => {
                if fl & 0x29 == 0x29 {
                    Class::FloodXmas
                } else if fl & 0x02 != 0 {
                    Class::FloodSyn
                } else {
                    Class::OtherAttack
                }
            }
            17 => Class::FloodUdp,
            1 if p.icmp_type == 8 => Class::FloodIcmp,
            58 if p.icmp_type == 128 => Class::FloodIcmp,
            _ => return None,
        };
        let d = f32::from(u8::from(new));
        let n = self
            .victims
            .add_premixed((k.dst, k.md), d, now, f32::NEG_INFINITY);
        let m = self
            .networks
            .add(network_key(p.dst, k.dst), d, now, f32::NEG_INFINITY);
        // per network, only the new sources' packets: a known client's request to a host of a
        // subnet under a carpet flood is its own (per victim, a flood that overwhelms the host
        // takes them all)
        let by_network = new && m >= self.threshold * NETWORK_SPRAY_FACTOR;
        (n >= self.threshold || by_network).then_some(class)
    }
}

/// The sweep rule (see [`DetectSettings::sweep_threshold`]), with bounded tables.
///
/// It counts twice. Per source, the hosts it probes that it had not probed in the last
/// [`SWEEP_HORIZON`], on any port: a sweep of new addresses. And per (source, destination
/// port), the hosts it probes on that port that it had not probed *on that port* in the last
/// [`SWEEP_HORIZON`], less the answers from that port (SYN-ACKs and RST+ACKs: a host that
/// refuses exists; UDP datagrams): a horizontal scan of one port, counted as Zeek's address
/// scan is, per scanner and port (`policy/misc/scan.zeek` keys `Scan::addr_scan` by the
/// scanner and the port). The first alone misses an attacker who sweeps one subnet again and
/// again, a port and a tool at a time (zmap `-p 80`, then masscan `-p 22`, pnscan, onesixtyone
/// and svmap over the same /24 less than 30 s apart: namespace lab, session 17): from the second
/// sweep on, no host is new to it.
struct Sweep {
    threshold: f32,
    /// (source, destination host) pairs probed in the last [`SWEEP_HORIZON`].
    probed: SetAssoc<(u128, u128), ()>,
    /// Per source: damped new hosts probed, less damped answers received.
    sources: Damped,
    /// (source, destination host, [`sweep_port`]) probed in the last [`SWEEP_HORIZON`].
    port_probed: SetAssoc<(u128, u128, u32), ()>,
    /// Per (source, [`sweep_port`]): damped new hosts probed on that port, less damped
    /// answers from it, each brought up to date from its entry's access time in the table (a
    /// count that kept its own time, as [`DampedCount`] does, held that same time twice).
    ports: SetAssoc<(u128, u32), f32>,
    decay: NegExp2,
    clock: f64,
}

/// A transport protocol and port as one key of the sweep rule's per-port tables.
fn sweep_port(proto: u8, port: u16) -> u32 {
    u32::from(proto) << 16 | u32::from(port)
}

/// A host a source has not probed for this long is new again, seconds.
const SWEEP_HORIZON: f64 = 30.0;

impl Sweep {
    fn new(threshold: f32, cap: usize) -> Sweep {
        let on = threshold > 0.0;
        Sweep {
            threshold,
            probed: SetAssoc::new(if on { cap.max(1) } else { 1 }),
            sources: Damped::new(if on { (cap / 16).max(64) } else { 1 }, 49),
            port_probed: SetAssoc::new(if on { cap.max(1) } else { 1 }),
            ports: SetAssoc::new(if on { (cap / 16).max(64) } else { 1 }),
            decay: NegExp2::new(),
            clock: f64::NEG_INFINITY,
        }
    }

    /// Add `delta` to the damped count of (`host`, `port`) ([`sweep_port`]; `mixed`: the
    /// host's [`premix`]), kept at minus the threshold or above as [`Sweep::count`] keeps
    /// its own; the count after it.
    fn count_port(&mut self, (host, mixed): (u128, u64), port: u32, delta: f32) -> f32 {
        let hash = hash_mixed(53 ^ u64::from(port) << 8, mixed);
        let now = self.clock;
        let e = self.ports.touch((host, port), hash, now);
        let dt = e.prev_stamp.map_or(0.0, |t| (now - t).max(0.0));
        *e.val = (*e.val * self.decay.get(dt) as f32 + delta).max(-self.threshold);
        *e.val
    }

    /// Add `delta` to the damped count of `host`; the count after it. Answers bring it down
    /// to minus the threshold at most: a host that received much (a server, a flood's victim)
    /// gets no lasting credit against a sweep of its own.
    fn count(&mut self, host: (u128, u64), delta: f32) -> f32 {
        self.sources
            .add_premixed(host, delta, self.clock, -self.threshold)
    }

    /// Update with `p`; the scan class if the rule flags it.
    #[cfg(test)]
    fn push(&mut self, p: &PacketRepr) -> Option<Class> {
        self.push_keyed(p, &AddrKeys::of(p))
    }

    /// [`Sweep::push`] of a packet whose addresses' keys are `k`.
    fn push_keyed(&mut self, p: &PacketRepr, k: &AddrKeys) -> Option<Class> {
        if self.threshold <= 0.0 {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let fl = p.tcp_flags;
        let class = match p.proto {
            // an answer to the receiver's probe: it does not count towards a sweep
            6 if fl & 0x12 == 0x12 => {
                self.count((k.dst, k.md), -1.0);
                self.count_port((k.dst, k.md), sweep_port(6, p.sport), -1.0);
                return None;
            }
            // a refusal: the host exists, an answer to the count of its port
            6 if fl & 0x14 == 0x14 => {
                self.count_port((k.dst, k.md), sweep_port(6, p.sport), -1.0);
                return None;
            }
            17 => {
                self.count((k.dst, k.md), -1.0);
                self.count_port((k.dst, k.md), sweep_port(17, p.sport), -1.0);
                Class::ScanUdp
            }
            // without ACK or RST: SYN, FIN, NULL, Xmas or another combination
            6 if fl & 0x14 == 0 => probe_scan(fl).unwrap_or(Class::OtherAttack),
            _ => return None,
        };
        let now = self.clock;
        let pair = hash_mixed(hash_mixed(47, k.ms), k.md);
        let new = self
            .probed
            .touch((k.src, k.dst), pair, now)
            .prev_stamp
            .is_none_or(|t| now - t > SWEEP_HORIZON);
        let n = self.count((k.src, k.ms), f32::from(u8::from(new)));
        let port = sweep_port(p.proto, p.dport);
        let new_on_port = self
            .port_probed
            .touch((k.src, k.dst, port), pair ^ u64::from(port), now)
            .prev_stamp
            .is_none_or(|t| now - t > SWEEP_HORIZON);
        let m = self.count_port((k.src, k.ms), port, f32::from(u8::from(new_on_port)));
        (n >= self.threshold || m >= self.threshold).then_some(class)
    }
}

/// Records looked at after an ICMP reply for the request it answers ([`asked_next`]).
const ASKED_AHEAD: usize = 16;

/// Whether the ICMP reply `p`, which answers no request its receiver sent (an unsolicited
/// reply, [`crate::unlearned`]), is answered by a request written after it (`records[next..]`,
/// `next` the place of the record after `p` in the batch): among the next
/// [`ASKED_AHEAD`] records of the batch, within [`ANSWER_SWAP`] of it, a request of the same
/// kind from its receiver to its sender. A sensor fed by a mirror port or a NIC's several
/// queues writes a ping's reply a few microseconds before its request now and then, and the
/// replying host was then the sender of a flood of unsolicited replies. A request in the next
/// batch is not seen.
#[cold]
#[inline(never)]
fn asked_next(p: &PacketRepr, records: &[Record], next: u64) -> bool {
    // the request's type: an echo reply (0) answers 8; the other replies (ICMP 14, 16 and 18,
    // ICMPv6 129) the type before theirs
    let asked = match p.icmp_type {
        0 => 8,
        t => t.saturating_sub(1),
    };
    written_next(p.ts, records, next).any(|q| {
        q.src == p.dst
            && q.dst == p.src
            && q.proto == p.proto
            && q.icmp_type == asked
            && icmp_query(q) == Some(Query::Request)
    })
}

/// The first fragment of the datagram of the later fragment `p`, whose first fragment was not
/// seen, when it is written after `p` (`records[next..]`, as for [`asked_next`]: among the
/// next [`ASKED_AHEAD`] records of the batch, within [`ANSWER_SWAP`] of it). A sensor fed by
/// a mirror port or a NIC's several queues writes a datagram's fragments out of order now and
/// then (and some stacks send the last first): such a later fragment, its datagram's first
/// seen, made the datagram's verdict and ends its own, and a server's fragmented answer was
/// charged to the server.
#[cold]
#[inline(never)]
fn first_fragment_next<'a>(
    p: &PacketRepr,
    records: &'a [Record],
    next: u64,
) -> Option<&'a PacketRepr> {
    written_next(p.ts, records, next).find(|q| {
        q.fragment
            && !q.later_fragment
            && q.frag_id == p.frag_id
            && (q.src, q.dst, q.proto) == (p.src, p.dst, p.proto)
    })
}

/// The decoded packets of `records[next..]` (`next` the place after a packet's record in its
/// batch), at most [`ASKED_AHEAD`] records on, written within [`ANSWER_SWAP`] after `ts`.
fn written_next(ts: f64, records: &[Record], next: u64) -> impl Iterator<Item = &PacketRepr> {
    let next = usize::try_from(next).map_or(&[][..], |at| records.get(at..).unwrap_or_default());
    next.iter()
        .take(ASKED_AHEAD)
        .filter_map(|r| match r {
            Record::Packet(q) => Some(q),
            _ => None,
        })
        .take_while(move |q| q.ts - ts <= ANSWER_SWAP)
}

/// Take the decoded packets of `records` into the extractor, in order; for each, note in
/// `plan` its [`ReuseTable`] slot and whether it is to be scored ([`MISS`]), and append the
/// feature row of each packet to be scored to `x` (both cleared first). Undecoded records
/// get neither.
fn extract_rows(
    extractor: &mut Extractor,
    reuse: &mut ReuseTable,
    copies: &mut Copies,
    records: &[Record],
    snaps: &mut Snaps,
    plan: &mut Vec<u32>,
) {
    // Each packet is prepared (its table keys computed, the table sets it updates fetched
    // into the CPU's caches) 8 packets ahead of its turn, and its table entries fetched 4
    // packets ahead: the tables are far larger than the caches and looked up at random.
    const AHEAD: usize = 8;
    const ENTRIES_AHEAD: usize = 4;
    plan.clear();
    snaps.used = 0;
    let mut packets = records.iter().filter_map(Record::packet);
    // the packets prepared and not yet taken: packet `i` (in the order prepared) in slot
    // `i % AHEAD` (a fixed ring of slots: a queue's bookkeeping took some 35 instructions a
    // packet)
    let mut ahead = [None; AHEAD];
    let mut prepared = 0;
    // the last packets of the batch that opened their flow as answers, with their places in
    // `plan` (WindowState::answered_late)
    let mut answers: [Option<(&PacketRepr, usize)>; 64] = [None; 64];
    let mut opened = 0usize;
    for (slot, p) in ahead.iter_mut().zip(packets.by_ref()) {
        *slot = Some(extractor.prepare(p));
        prepared += 1;
    }
    let mut i = 0;
    while i < prepared {
        let Some(next) = ahead[i % AHEAD] else { break };
        // packet `i + AHEAD` takes the slot of packet `i`, just taken
        if let Some(p) = packets.next() {
            ahead[prepared % AHEAD] = Some(extractor.prepare(p));
            prepared += 1;
        }
        if i + ENTRIES_AHEAD < prepared {
            if let Some(k) = &ahead[(i + ENTRIES_AHEAD) % AHEAD] {
                extractor.prefetch_entries(k);
            }
        }
        // a copy of a packet just seen ([`crate::copies`]): its original's verdict, and
        // nothing in the feature state
        if let Some(back) = copies.check(next.packet()) {
            plan.push(COPY | u32::from(back));
            i += 1;
            continue;
        }
        if snaps.used == snaps.buf.len() {
            snaps.buf.push(Snapshot::default());
        }
        let ts = next.packet().ts;
        let mut step = MISS;
        let scored = extractor.push_prepared(
            &next,
            |key| {
                step = reuse.lookup(key, ts);
                step & MISS != 0
            },
            &mut snaps.buf[snaps.used],
        );
        snaps.used += usize::from(scored);
        if extractor.in_session() {
            step = SESSION;
        }
        if extractor.flow_established() {
            step |= ESTABLISHED;
        }
        if extractor.closing_reset() {
            step |= CLOSING_RESET;
        }
        step |= match extractor.sent_by_opener() {
            Some(true) => OPENER_KNOWN | BY_OPENER,
            Some(false) => OPENER_KNOWN,
            None => 0,
        };
        if extractor.flow_opened_by_syn() {
            step |= OPENED_BY_SYN;
        }
        if extractor.first_data() {
            step |= FIRST_DATA;
        }
        let p = next.packet();
        if extractor.opened_by_answer() {
            answers[opened % answers.len()] = Some((p, plan.len()));
            opened += 1;
        } else if extractor.answered_late() {
            // the flow's first packet answers this one, written before it: that answer too is
            // this packet's sender's (charged to it, never to the answer's sender), when it is
            // in this batch and among the last answers that opened a flow
            let answer = answers.iter_mut().find(|a| {
                a.is_some_and(|(q, _)| {
                    (q.src, q.dst, q.sport, q.dport) == (p.dst, p.src, p.dport, p.sport)
                })
            });
            if let Some((_, at)) = answer.and_then(Option::take) {
                if let Some(s) = plan.get_mut(at) {
                    *s = (*s & !BY_OPENER) | ANSWER_FIRST;
                }
            }
        }
        plan.push(step);
        i += 1;
    }
}

/// The [`Snapshot`]s of the packets of a batch that are to be scored: the first `used` of
/// `buf` (the rest are slots kept for the next batch).
#[derive(Default)]
struct Snaps {
    buf: Vec<Snapshot>,
    used: usize,
}

impl Snaps {
    /// The feature rows of the snapshots, into `x[..n]` (its old contents there dropped),
    /// `cols` wide: each row the snapshot's features, zeros after them (a row too narrow for
    /// them: zeros). Returns `n`; `x` is grown to hold them, never shrunk.
    fn rows(&self, cols: usize, x: &mut Vec<f32>) -> usize {
        // Every element of `x[..n]` is written below, so the rows of the batch before are
        // overwritten rather than zeroed first (that was a pass over some 200 kB per batch);
        // and `x` keeps its length from batch to batch, so that only a batch with more rows
        // than any before has new elements to zero.
        let n = self.used * cols;
        if x.len() < n {
            x.resize(n, 0.0);
        }
        for (s, row) in self.buf.iter().zip(x[..n].chunks_exact_mut(cols)) {
            let k = s.n_features();
            if k <= cols {
                s.write(row);
                row[k..].fill(0.0);
            } else {
                row.fill(0.0);
            }
        }
        n
    }
}

/// [`DetectSettings::session_packets`] by default: a session's first 64 packets (its
/// handshake, a request and the start of the answer) count like any others.
pub const DEFAULT_SESSION_PACKETS: u32 = 64;

/// Slots of the verdict reuse table (a power of two).
const REUSE_SLOTS: usize = 1 << 14;
/// In a plan step: the packet is scored (else it reuses its slot's verdict).
const MISS: u32 = 1 << 31;
/// In a plan step: the feature state knows which end opened the packet's TCP flow.
const OPENER_KNOWN: u32 = 1 << 30;
/// In a plan step: the packet was sent by that end.
const BY_OPENER: u32 = 1 << 29;
/// In a plan step: the packet belongs to an established TCP session
/// ([`DetectSettings::session_packets`]): neither scored nor reused, normal.
const SESSION: u32 = 1 << 28;
/// In a plan step: the packet is a TCP segment of an established connection
/// ([`Extractor::flow_established`](crate::features::Extractor::flow_established)).
const ESTABLISHED: u32 = 1 << 27;
/// In a plan step: the packet is a copy of the packet this many (the low bits, 1 to
/// [`RECENT`]) before it ([`crate::copies`]): it takes that packet's verdict and counts nowhere
/// else.
const COPY: u32 = 1 << 26;
/// In a plan step: the packet is a TCP reset that closed an established connection its
/// sender received data on, or answered a segment of one after that
/// ([`Extractor::closing_reset`](crate::features::Extractor::closing_reset)): normal.
const CLOSING_RESET: u32 = 1 << 25;
/// In a plan step: the packet is a TCP segment of a flow its opener (the feature state knows
/// which end: [`OPENER_KNOWN`]) began with a SYN
/// ([`Extractor::flow_opened_by_syn`](crate::features::Extractor::flow_opened_by_syn)).
const OPENED_BY_SYN: u32 = 1 << 24;
/// In a plan step: the packet is the first TCP segment with payload that the opener of a flow
/// begun with a SYN sent ([`Extractor::first_data`](crate::features::Extractor::first_data)).
const FIRST_DATA: u32 = 1 << 23;
/// In a plan step: the packet opened its flow as an answer (a SYN-ACK, a reset) to a request
/// written after it ([`Extractor::answered_late`](crate::features::Extractor::answered_late)):
/// it is charged to its receiver, that request's sender ([`BY_OPENER`] cleared).
const ANSWER_FIRST: u32 = 1 << 22;
/// The slot bits of a plan step.
const SLOT: u32 = REUSE_SLOTS as u32 - 1;

/// Which context keys were scored recently (the feature stage's half of verdict reuse; the
/// scoring stage keeps the verdicts, slot by slot). Direct-mapped: a key takes slot
/// `key mod REUSE_SLOTS`, and a different key in that slot is simply scored and takes it over.
/// Decisions depend on the packets alone, in order, so results do not depend on threads or
/// batch sizes.
struct ReuseTable {
    max_age: f64,
    max_uses: u32,
    slots: Vec<ReuseSlot>,
    clock: f64,
}

/// One slot of a [`ReuseTable`]: the key scored last, when, and the packets that reused its
/// verdict since; together, so that a look-up reads one cache line rather than three.
#[derive(Clone, Copy)]
struct ReuseSlot {
    key: u64,
    stamp: f64,
    uses: u32,
}

impl ReuseTable {
    /// A table reusing a verdict for up to `max_age` seconds and `max_uses` packets (0: off).
    fn new(max_age: f64, max_uses: u32) -> ReuseTable {
        let on = max_age > 0.0 && max_uses > 0;
        let n = if on { REUSE_SLOTS } else { 0 };
        ReuseTable {
            max_age,
            max_uses,
            slots: vec![
                ReuseSlot {
                    key: 0,
                    stamp: f64::NEG_INFINITY,
                    uses: 0,
                };
                n
            ],
            clock: f64::NEG_INFINITY,
        }
    }

    /// The plan step of a packet with context key `key` at time `ts`: its slot, with [`MISS`]
    /// set if it is to be scored (then the slot is the key's from now on).
    fn lookup(&mut self, key: u64, ts: f64) -> u32 {
        if self.slots.is_empty() {
            return MISS;
        }
        if ts.is_finite() && ts > self.clock {
            self.clock = ts;
        }
        let now = self.clock;
        let slot = (key as usize) & (REUSE_SLOTS - 1);
        let e = &mut self.slots[slot];
        if e.key == key && now - e.stamp <= self.max_age && e.uses < self.max_uses {
            e.uses += 1;
            return slot as u32;
        }
        *e = ReuseSlot {
            key,
            stamp: now,
            uses: 0,
        };
        slot as u32 | MISS
    }
}

/// The extractor's (evictions, memory in bytes), for [`DetectStats`]; `None` if stateless.
fn feature_state(extractor: &Extractor) -> Option<(u64, usize)> {
    match extractor {
        Extractor::Window(w) => Some((w.evictions(), w.memory_bytes())),
        Extractor::Paper7 => None,
    }
}

/// One batch on its way from the feature stage to the scoring stage of
/// [`Engine::run_pipelined`]; the buffers go back to the feature stage to be reused.
struct Batch {
    records: Vec<Record>,
    snaps: Snaps,
    plan: Vec<u32>,
    features: Option<(u64, usize)>,
    /// The feature rows of the snapshots, `x[..x_len]`, if `rows` (made by the feature stage
    /// when it was ahead of the scoring stage; else the scoring stage makes them).
    x: Vec<f32>,
    x_len: usize,
    rows: bool,
}

/// In [`Engine::named`]: the row was not flagged, so not named.
const UNNAMED: u32 = u32::MAX;

/// Batches in flight between the two stages of [`Engine::run_pipelined`] (bounds its memory).
const PIPELINE_DEPTH: usize = 4;

/// In [`Engine::run_pipelined`]: with this many batches waiting for the scoring stage, the
/// feature stage makes the feature rows of the next one itself.
const ROWS_AHEAD: usize = 1;

/// Run `m` (an MLP) on the feature rows of `x` numbered by `rows`, in that order; outputs into
/// `y`, a row each. The rows are standardised by the model's [`Scaling`](crate::model::Scaling) as they are
/// copied into `xb` (the same arithmetic as `Scaling::apply`, in one pass over the data).
fn infer(
    m: &Model,
    x: &[f32],
    rows: impl IntoIterator<Item = usize>,
    xb: &mut Matrix,
    scratch: &mut Scratch,
    y: &mut Matrix,
) -> Result<(), IdsError> {
    let Net::Mlp(net) = &m.net else {
        return Err(IdsError::Config(
            "an echo-state network runs as the detector only".into(),
        ));
    };
    scale_rows(m, x, rows, xb)?;
    if xb.rows == 0 {
        y.rows = 0;
        y.data.clear();
        return Ok(());
    }
    net.try_predict_into(xb, scratch, y)?;
    Ok(())
}

/// Copy the feature rows of `x` numbered by `rows` into `xb`, standardised by the model's
/// [`Scaling`](crate::model::Scaling) (the arithmetic of `Scaling::apply`, in one pass).
fn scale_rows(
    m: &Model,
    x: &[f32],
    rows: impl IntoIterator<Item = usize>,
    xb: &mut Matrix,
) -> Result<(), IdsError> {
    let cols = m.kind.n_features();
    let s = &m.scaling;
    if s.mean.len() != cols || s.scale.len() != cols {
        return Err(IdsError::Config(format!(
            "the model's scaling does not have {cols} features"
        )));
    }
    xb.cols = cols;
    let clip = s.clip;
    // The rows of the call before are overwritten in place, and `xb` is cut to the rows
    // written after: only rows past its length are zeroed first (a row zeroed, then
    // overwritten, was a `memset` per row).
    let mut at = 0;
    for r in rows {
        let row = &x[r * cols..(r + 1) * cols];
        if xb.data.len() < at + cols {
            xb.data.resize(at + cols, 0.0);
        }
        let out = &mut xb.data[at..at + cols];
        wide::scale_row(out, row, (&s.mean, &s.scale), clip);
        at += cols;
    }
    xb.data.truncate(at);
    xb.rows = xb.data.len() / cols;
    Ok(())
}

/// One row of [`scale_rows`]: `out` is `row` standardised by `mean` and `scale` and clipped to
/// ±`clip`. Inlined into each of [`wide::scale_row`]'s variants.
#[inline(always)]
fn scale_row_portable(out: &mut [f32], row: &[f32], (mean, scale): (&[f32], &[f32]), clip: f32) {
    for (((o, v), mu), sc) in out.iter_mut().zip(row).zip(mean).zip(scale) {
        *o = ((*v - mu) * sc).clamp(-clip, clip);
    }
}

/// The only `unsafe` code of this module: [`scale_row_portable`] compiled for AVX2 (eight
/// features a step instead of four), after checking that the processor has it, as the
/// networks' layers are (`nightjar_nn`'s `mlp::infer`). The same code and the same
/// arithmetic (a subtraction, a multiplication and a clamp per feature, each rounded alike
/// at any vector width): the same rows to the bit.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod wide {
    /// [`super::scale_row_portable`] with AVX2 enabled.
    ///
    /// # Safety
    /// The processor must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn scale_row_avx2(out: &mut [f32], row: &[f32], ms: (&[f32], &[f32]), clip: f32) {
        super::scale_row_portable(out, row, ms, clip);
    }

    /// [`super::scale_row_portable`], on AVX2's vectors where the processor has them.
    #[inline]
    pub(super) fn scale_row(out: &mut [f32], row: &[f32], ms: (&[f32], &[f32]), clip: f32) {
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the processor supports AVX2 (just checked), the only requirement of
            // `scale_row_avx2`; everything else it does is safe Rust.
            unsafe { scale_row_avx2(out, row, ms, clip) }
        } else {
            super::scale_row_portable(out, row, ms, clip);
        }
    }
}

/// [`scale_row_portable`] elsewhere.
#[cfg(not(target_arch = "x86_64"))]
mod wide {
    #[inline]
    pub(super) fn scale_row(out: &mut [f32], row: &[f32], ms: (&[f32], &[f32]), clip: f32) {
        super::scale_row_portable(out, row, ms, clip);
    }
}

/// The most likely attack class of a multi-class output row (the normal output ignored).
fn name_attack(namer: &Model, row: &[f32]) -> Class {
    let mut best: Option<(usize, f32)> = None;
    for (i, (v, c)) in row.iter().zip(&namer.classes).enumerate() {
        if !c.is_attack() || v.is_nan() {
            continue;
        }
        if best.is_none_or(|(_, b)| *v > b) {
            best = Some((i, *v));
        }
    }
    best.and_then(|(i, _)| namer.classes.get(i).copied())
        .unwrap_or(Class::OtherAttack)
}

/// The attacking end of a packet and the other end: the client end of its conversation — for
/// TCP the sender of a SYN (the receiver of a SYN-ACK), otherwise the higher port (the lower one
/// is the service); for UDP between two ports ≥ 1024 (no well-known service), the sender —, the
/// requester for ICMP, or for an ICMP error the client end of the packet it quotes: the
/// quoted packet's source for TCP and other protocols (a refused connection attempt), the
/// client end by the UDP rules above for UDP — so the errors a UDP echo flood's sender returns
/// for the echoes it does not listen for (quoting a datagram from port 7 to a high port) are
/// charged to that sender, not to the echo service. (A flood from
/// low source ports to a high port, as hping3 sends, is so charged to its sender.) An ICMP
/// error its sender made up ([`forged_error`]: it quotes a packet its destination did not
/// send) names no one by its quote and is charged to its sender. An error whose quote the
/// capture cut (a snap length of 54 to 61 bytes keeps the outer headers only) is charged to its
/// destination, the sender of the packet it is about, as a quoted refused attempt is.
///
/// A multicast or broadcast address is never the attacking end: an IPv6 multicast listener
/// report, router advertisement or unsolicited neighbour advertisement, an mDNS or SSDP
/// answer to a group, is charged to its (unicast) sender.
pub fn attacker_and_victim(p: &PacketRepr) -> (IpAddr, IpAddr) {
    let (att, vic) = ends(p);
    if is_group(att) && !is_group(vic) {
        (vic, att)
    } else {
        (att, vic)
    }
}

/// Whether `p` is a probe by its sender, never an answer to one: a TCP segment without ACK
/// or RST (SYN, FIN, NULL, Xmas: every answer a TCP stack sends acknowledges, but for the
/// reset it answers a segment with ACK with, RFC 793 §3.4 — an ACK, Maimon or window scan's
/// probe draws a bare RST —; a fragment after the first shows no flags and is left out) or
/// an ICMP query (echo, timestamp, information and address-mask requests; ICMPv6 echo
/// request), or a UDP datagram from a port of 1024 or above to a well-known port below it (a
/// request to a service: a service answers from its own port, never to one; a UDP scan's
/// probe). The last matters where a capture lost packets: a scanned server whose flow with
/// some client was seen from its middle (the client's SYN lost) may have an episode of its
/// own open, and a UDP scan's probes charged to it made the scan that server's.
fn sent_as_probe(p: &PacketRepr) -> bool {
    const ACK_OR_RST: u8 = 0x10 | 0x04;
    match p.proto {
        6 => !p.later_fragment && p.tcp_flags & ACK_OR_RST == 0,
        17 => !p.later_fragment && p.sport >= 1024 && p.dport < 1024,
        1 => !p.later_fragment && matches!(p.icmp_type, 8 | 13 | 15 | 17),
        58 => !p.later_fragment && p.icmp_type == 128,
        _ => false,
    }
}

/// Whether the episode `e` of the other end of packet `p` (charged to `att`, which has none)
/// makes that end the known attacker, `p` its: when `p` comes from that end, or when the end
/// sent packets of its episode itself. An episode that holds only packets others sent it (an
/// ICMP error about its answer to a flood, charged to it by the quote's ports: hping3's
/// datagrams from ports above 1024 to an echoing 8443) makes no attacker of it: the datagrams
/// `att` sends stay `att`'s.
fn known_attacker(e: &SrcEp, p: &PacketRepr, att: IpAddr) -> bool {
    p.src != att || e.sent > 0
}

/// Whether `ip` names a group of hosts (multicast, or the IPv4 limited broadcast), never one
/// host that attacks or is attacked alone.
pub(crate) fn is_group(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => a.is_multicast() || a.is_broadcast(),
        IpAddr::V6(a) => a.is_multicast(),
    }
}

/// [`attacker_and_victim`] before the group rule.
fn ends(p: &PacketRepr) -> (IpAddr, IpAddr) {
    let icmp = p.proto == 1 || p.proto == 58;
    let ports = matches!(p.proto, 6 | 17 | 132 | 136);
    if icmp && p.later_fragment {
        // no ICMP header here (its type reads 0, an echo reply): the sender, as for any
        // unsolicited packet (a later fragment whose first one was seen takes that one's ends)
        return (p.src, p.dst);
    }
    if icmp && forged_error(p) {
        // an error its sender made up ([`crate::unlearned`]): the quote names no one
        return (p.src, p.dst);
    }
    if icmp {
        if let Some(q) = &p.inner {
            // an error about q (q.src → q.dst), sent to q.src
            if q.proto == 17 {
                return udp_client(q.src, q.dst, q.sport, q.dport);
            }
            return (q.src, q.dst);
        }
        if nightjar_packet::proto::icmp_error(p.proto, p.icmp_type) {
            // an error whose quote the capture's snap length cut (54 to 61 bytes: the outer
            // headers only; one too short to hold a quote was [`forged_error`]): sent to the
            // source of the packet it is about, which is charged as a quoted refused attempt
            // is — to its sender, the error's destination
            return (p.dst, p.src);
        }
        let request = matches!(
            (p.proto, p.icmp_type),
            (1, 8 | 13 | 15 | 17) | (58, 128 | 130 | 133 | 135)
        );
        let reply = matches!(
            (p.proto, p.icmp_type),
            (1, 0 | 14 | 16 | 18) | (58, 129 | 131 | 134 | 136)
        );
        if reply && !request {
            return (p.dst, p.src);
        }
        return (p.src, p.dst);
    }
    if p.proto == 6 && !p.fragment {
        // the SYN's sender opened the conversation, whatever its ports
        match p.tcp_flags & 0x17 {
            0x02 => return (p.src, p.dst),
            0x12 => return (p.dst, p.src),
            _ => {}
        }
    }
    if p.proto == 17 {
        return udp_client(p.src, p.dst, p.sport, p.dport);
    }
    if ports && p.sport < p.dport {
        return (p.dst, p.src);
    }
    (p.src, p.dst)
}

/// (client, server) of a UDP datagram `src:sport → dst:dport`: the sender when neither port is
/// well known (both ≥ 1024), else the end with the higher port.
fn udp_client(src: IpAddr, dst: IpAddr, sport: u16, dport: u16) -> (IpAddr, IpAddr) {
    if (sport >= 1024 && dport >= 1024) || sport >= dport {
        (src, dst)
    } else {
        (dst, src)
    }
}

/// A small count map of protocol numbers (at most 4 distinct kept).
#[derive(Clone, Copy, Debug, Default)]
struct Protos([(u8, u64); 4]);

impl Protos {
    fn add(&mut self, p: u8) {
        for s in self.0.iter_mut() {
            if s.1 > 0 && s.0 == p {
                s.1 += 1;
                return;
            }
        }
        if let Some(s) = self.0.iter_mut().find(|s| s.1 == 0) {
            *s = (p, 1);
        }
    }

    fn top(&self) -> u8 {
        self.0.iter().max_by_key(|s| s.1).map_or(0, |s| s.0)
    }

    /// The protocol of an attack of `class`: the most frequent of those its class is made of
    /// (TCP for the TCP scans and floods, UDP for the UDP ones, ICMP or ICMPv6 for the ICMP
    /// flood), else the most frequent of all. An episode's answers (a UDP scan's ICMP errors)
    /// or the first probes of the attack after it (see [`DetectSettings::change_probes`]) may
    /// outnumber its own protocol's packets.
    fn of_class(&self, class: Class) -> u8 {
        self.0
            .iter()
            .filter(|s| s.1 > 0 && own_protocols(class).contains(&s.0))
            .max_by_key(|s| s.1)
            .map_or_else(|| self.top(), |s| s.0)
    }

    /// Whether the episode's packets hold a protocol an attack of `class` is made of
    /// ([`own_protocols`]): always for `normal` and `other-attack`, and when the table is full
    /// (a fifth protocol went uncounted: the episode may hold any).
    fn holds(&self, class: Class) -> bool {
        let own = own_protocols(class);
        own.is_empty()
            || self.0.iter().all(|s| s.1 > 0)
            || self.0.iter().any(|s| s.1 > 0 && own.contains(&s.0))
    }
}

/// The IP protocols an attack of `class` is made of (TCP for the TCP scans and floods, UDP for
/// the UDP ones, ICMP or ICMPv6 for the ICMP flood); none for `normal` and `other-attack`,
/// which may be of any.
fn own_protocols(class: Class) -> &'static [u8] {
    match class {
        Class::ScanUdp | Class::FloodUdp => &[17],
        Class::FloodIcmp => &[1, 58],
        Class::Normal | Class::OtherAttack => &[],
        _ => &[6],
    }
}

/// What every open episode counts of its flagged packets.
#[derive(Clone, Debug)]
struct Tally {
    first: f64,
    last: f64,
    packets: u64,
    score: f64,
    classes: [u32; 15],
    protos: Protos,
    /// What the episode's end sent and received (its alert's class comes from it).
    profile: Profile,
    /// Of the flagged packets, the segments of a password guesser's established connections
    /// ([`PacketVerdict::guessing`] and [`PacketVerdict::established`]), and the service of
    /// the latest.
    guesses: u64,
    login: Option<Login>,
    /// Of the flagged packets, the overlapping fragments ([`PacketVerdict::overlapping`]).
    overlapping: u64,
    /// Of the flagged packets, the fragments past 65,535 bytes ([`PacketVerdict::oversize`]).
    oversize: u64,
    /// Of the flagged packets, those of renegotiated connections
    /// ([`PacketVerdict::renegotiating`]).
    renegotiating: u64,
    /// Of the flagged packets, segments of established connections
    /// ([`PacketVerdict::established`]).
    established: u64,
    /// Of those, the segments the episode's end received (its peer's: the ACKs of the data it
    /// sent, the answers).
    established_in: u64,
    /// Of the flagged packets, those of a fuzzer's connections ([`PacketVerdict::fuzzing`]).
    fuzzing: u64,
    /// Of the flagged packets, those of a service held by slow requests
    /// ([`PacketVerdict::slow_request`]).
    slow_requests: u64,
    /// Of those, the clients' additions: first ones of their connections, and next rounds on
    /// connections counted before ([`PacketVerdict::slow_addition`]).
    slow_first: u64,
    slow_again: u64,
    /// Of the slow requests' packets, those of connections counted as slow reads
    /// ([`PacketVerdict::slow_read`]).
    slow_reads: u64,
}

impl Tally {
    /// An episode opened at `now`, before its first packet is added.
    fn start(now: f64) -> Tally {
        Tally {
            first: now,
            last: now,
            packets: 0,
            score: 0.0,
            classes: [0; 15],
            protos: Protos::default(),
            profile: Profile::default(),
            guesses: 0,
            login: None,
            overlapping: 0,
            oversize: 0,
            renegotiating: 0,
            established: 0,
            established_in: 0,
            fuzzing: 0,
            slow_requests: 0,
            slow_first: 0,
            slow_again: 0,
            slow_reads: 0,
        }
    }

    /// Count a flagged packet (`towards`: sent by the episode's end to the other, as the
    /// profile sees it).
    /// `md`: the [`premix`] of the packet's destination's table key.
    fn add(&mut self, now: f64, p: &PacketRepr, v: &PacketVerdict, towards: bool, md: u64) {
        self.last = now;
        self.packets += 1;
        self.score += f64::from(v.score);
        self.classes[v.class.index()] += 1;
        self.protos.add(p.proto);
        self.profile.add_premixed(p, md, towards, v.established);
        if let Some(login) = v.guessing {
            // a login attempt is a connection's talk: a bare SYN (hping3 -S --flood at the
            // port a minute after hydra, the client still guessing for the rule) or a reset
            // is none, though the rule flags it while the client's count is high
            self.guesses += u64::from(v.established);
            self.login = Some(login);
        }
        self.overlapping += u64::from(v.overlapping);
        self.oversize += u64::from(v.oversize);
        self.renegotiating += u64::from(v.renegotiating);
        self.established += u64::from(v.established);
        self.established_in += u64::from(v.established && !towards);
        // (a branch: added like the counts above, they were made one vector sum that cost
        // every flagged packet more than without it)
        if v.fuzzing {
            self.fuzzing += 1;
        }
        if v.slow_request {
            self.slow_requests += 1;
            self.slow_reads += u64::from(v.slow_read);
            match v.slow_addition {
                Addition::First => self.slow_first += 1,
                Addition::Again => self.slow_again += 1,
                Addition::None => {}
            }
        }
    }

    /// Alert `a` (this episode's) named by the networks' vote alone
    /// ([`Rule::Networks`](crate::profile::Rule::Networks)) with a class of a protocol none of
    /// the episode's flagged packets carry — an ICMP flood of TCP segments, a UDP flood or
    /// scan of TCP segments, a TCP scan or flood of datagrams — is renamed `other-attack`
    /// ([`Rule::AbsentProtocol`](crate::profile::Rule::AbsentProtocol)), its protocol the most
    /// frequent of its packets'. The networks name a packet from its window's statistics, not
    /// its protocol, and such a class is wrong on its face (session 25: nDPI's
    /// tests/pcap/whatsappfiles.pcap, an HTTPS upload's segments and ACKs named an ICMP flood).
    /// Only the name changes, after the alert was decided on: whether the episode is alerted
    /// (too slow for a flood, too narrow for a scan, ...) is judged on the networks' class, as
    /// before.
    fn own_protocol(&self, a: &mut Alert) {
        let Some(e) = a.profile.as_mut() else {
            return;
        };
        if e.naming.rule != crate::profile::Rule::Networks || self.protos.holds(a.class) {
            return;
        }
        e.naming = crate::profile::Naming {
            class: Class::OtherAttack,
            rule: crate::profile::Rule::AbsentProtocol,
            alternatives: &[],
        };
        a.class = Class::OtherAttack;
        a.proto = self.protos.top();
    }

    /// The episode's alert, its class decided by the profile.
    fn alert(
        &self,
        scope: Scope,
        (src, dst): (IpAddr, IpAddr),
        (packets, total, sources): (u64, u64, u64),
    ) -> Alert {
        let counts = self.classes.map(u64::from);
        let evidence = self
            .profile
            .decide(&counts, scope == Scope::Victim)
            .with_guesses(self.guesses, self.packets, self.login)
            .with_overlaps(self.overlapping, self.packets)
            .with_renegotiations(self.renegotiating, self.packets)
            .with_fuzzing(self.fuzzing, self.packets)
            .with_slow_requests(self.slow_requests, self.slow_reads, self.packets)
            .with_oversize(self.oversize);
        Alert {
            scope,
            src,
            dst,
            proto: self.protos.of_class(evidence.naming.class),
            class: evidence.naming.class,
            packets,
            total,
            sources,
            score: (self.score / self.packets.max(1) as f64) as f32,
            first_seen: self.first,
            last_seen: self.last,
            class_counts: counts,
            profile: Some(evidence),
            slow_scan: None,
            arp_sweep: None,
            arp_spoof: None,
            network: None,
            neighbour: None,
        }
    }
}

/// What kind of probe a packet that a source sends is, to tell one attack from the next
/// ([`DetectSettings::change_probes`]): the TCP flag combinations that define nmap's scan
/// flavours (as in [`crate::profile`]; ECE and CWR left out), a bare SYN told apart by whether
/// it comes from the source port of the source's previous SYN (a raw scanner: `nmap -sS`,
/// masscan) or from another (a connect scan, hping3's SYN flood: a new port per probe) — the
/// source's first SYN is either —, a UDP datagram, an ICMP echo request. Anything else —
/// resets, data, replies — is no probe.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ProbeKind {
    SynFirst,
    SynSamePort,
    SynNewPort,
    Fin,
    Null,
    Xmas,
    Maimon,
    Ack,
    Udp,
    IcmpQuery,
    /// A TCP segment with data and ACK (PSH or not), no SYN, FIN or RST, outside an
    /// established connection: an ACK flood that carries data (t50's, Mirai's).
    Data,
    /// A packet of another protocol than TCP, UDP and ICMP (IGMP, GRE, OSPF, SCTP...), by its
    /// number: a flood of one such protocol after another is an attack of its own.
    Other(u8),
    /// A bare reset, in a victim's episode only ([`ProbeKind::of_victim`]): a reset flood
    /// from random sources (hping3 `--rand-source -R`) is an attack of its own.
    Rst,
}

/// A source episode's probe kind, and the run of consecutive probes of another kind that may
/// end it.
#[derive(Clone, Copy, Debug, Default)]
struct Shift {
    /// The kind of the episode's first probe (the one it is about).
    kind: Option<ProbeKind>,
    /// The kind of the latest probes, when not the episode's, how many in a row, and when
    /// the first of them came.
    other: Option<ProbeKind>,
    run: u32,
    since: f64,
    /// Whether the episode's flagged packets before the run's first probe could make an alert
    /// on their own ([`SrcEp::alertable`]); if not, the run that completes is the episode's
    /// attack and what came before its preamble: the episode goes on, about the run's kind
    /// ([`Shift::probe`]).
    run_alone: bool,
    /// Set when a run of another kind made the episode about its kind instead of ending it
    /// (counted in [`DetectStats::preambles`]); the caller takes it.
    preamble: bool,
    /// Source port of the source's latest SYN.
    syn_sport: Option<u16>,
    /// SYN-ACKs the source received, less the FIN+ACKs it sent to close those connections
    /// and the bare resets (RST alone, no ACK) it sent to refuse them; FINs it received, less
    /// the bare ACKs it sent to acknowledge them. A FIN+ACK or a bare ACK that these owe is a
    /// connection's end, not a Maimon or ACK probe: a connection flood (nping `--tcp-connect`)
    /// that closes thousands of connections at once has not moved on to another attack. A
    /// SYN-ACK the source refused with a bare reset (its kernel's answer to hping3's SYN
    /// flood of an open port, nmap's to its SYN scan's open ports) opened nothing and is owed
    /// no close: counted, the 800 SYN-ACKs of a SYN flood made the next 800 FIN+ACKs from
    /// the source closes, and a Maimon scan a few attacks later was no probe at all
    /// (session 24, [`Shift::take`]).
    open: u32,
    fins_in: u32,
    /// Source ports of the latest SYNs the networks passed that count in `run` (a run of SYNs
    /// in an episode of another kind), 0 for none: a SYN whose connection then carries the
    /// source's data is an ordinary connection's (a NAT's clients loading pages), taken back
    /// from the run ([`Shift::took_back`]). In a run of Maimon probes, their source ports: a
    /// FIN back to one of them shows the run closing connections ([`Shift::answer`]).
    run_syns: [u16; RUN_SYNS],
    /// Whether the episode's kind is a SYN kind set by SYNs the networks passed, none of which
    /// has yet shown itself a probe (a flagged SYN, or one pushed out of `kind_syns` before its
    /// connection carried data): the NAT's clients' connections may have set it. Such a kind
    /// gives way to the first probe of another kind that counts ([`Shift::probe`]).
    tentative: bool,
    /// The latest SYNs the networks passed that counted as probes of the episode's own (SYN)
    /// kind, and so in its profile ([`SrcEp::pass`]), each its source port, bit 16 set when
    /// it carried an operating system's options ([`os_syn`]), bit 17 always (0: none): one
    /// whose connection then carries the source's data is an ordinary client's, taken back
    /// from the profile ([`Shift::ordinary`]).
    kind_syns: [u32; KIND_SYNS],
    /// Whether the source's packet `take` saw last was a FIN+ACK without data outside an
    /// established connection, owing no close: a Maimon probe the networks may have passed.
    maimon: bool,
    /// Whether the passed SYN `probe` just took came during a run of another kind, which it
    /// leaves running until it shows itself a probe (bit 18 of its `kind_syns` entry).
    held: bool,
    /// Where the episode's probes of its kind go ([`DetectSettings::change_pattern`]).
    targets: Targets,
}

/// Passed SYNs of a source episode's own kind it remembers to take back from its profile
/// ([`Shift::kind_syns`]); one pushed out before its connection carried data makes the kind
/// no longer tentative.
const KIND_SYNS: usize = 8;

/// Put `x` first in `a` (a list of recent entries, newest first, 0 for none), and give back
/// the last, pushed out.
fn push_front<T: Copy>(a: &mut [T], x: T) -> T {
    a.rotate_right(1);
    std::mem::replace(&mut a[0], x)
}

/// Take entry `i` out of `a` (as [`push_front`] fills it), the later ones moving up and the
/// last left empty.
fn remove_at<T: Copy + Default>(a: &mut [T], i: usize) -> T {
    let x = a[i];
    a[i..].rotate_left(1);
    if let Some(last) = a.last_mut() {
        *last = T::default();
    }
    x
}

/// SYNs of a run a source episode remembers to take back ([`Shift::run_syns`]): a client's
/// connection carries its request within a round trip of its SYN, before a few more SYNs.
const RUN_SYNS: usize = 8;

/// How a source's probes of one kind spread over their targets (a destination address and
/// port; an ICMP query's, its address).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pattern {
    /// One target over and over: a flood (hping3 keeps its port), an HTTP flood's
    /// connections, a password guesser's.
    Focused,
    /// Each probe at a target none of the latest [`RECENT_TARGETS`] had: a scan of ports or
    /// of hosts (one port of many hosts is as many targets), a flood of ports counting up or
    /// drawn at random.
    Spread,
}

/// Targets a source episode remembers to tell a new one from a repeat: a scan's retries and
/// a flood to two or three targets at once come back to one of these.
const RECENT_TARGETS: usize = 4;

/// The pattern of a source episode's probes of its kind, and the counts that may change it
/// ([`DetectSettings::change_pattern`], `m` below). The first pattern an episode shows is
/// its own: `m` probes in a row to one target (Focused), or `m` to a target none of the
/// latest had (Spread, in any order: a scan's retries come between). It changes when
///
/// * a Spread episode sends `m` probes in a row to one target (a flood's source sends
///   nothing else; a scan's retries of a port come between other ports' probes), or
/// * a Focused episode sends `m` more probes to new targets than to its focus, the target
///   it repeated (a flood's source beside it looks something up now and then, and its next
///   probe goes to the focus again; a scan after it reaches new targets, its retries of
///   recent ones counting neither way).
#[derive(Clone, Copy, Debug, Default)]
struct Targets {
    /// Set by the episode's first run of either pattern.
    pattern: Option<Pattern>,
    /// The latest distinct targets (hashes, [`Targets::key`]), newest first; 0: none.
    recent: [u64; RECENT_TARGETS],
    /// Consecutive probes to `recent[0]`, and when the first of them came.
    same: u32,
    same_since: f64,
    /// Probes to targets not among `recent`, over the episode.
    fresh: u32,
    /// A Focused episode's focus.
    focus: u64,
    /// Probes to targets not among `recent` less those to `focus`, at least 0, and when it
    /// last rose from 0.
    drift: u32,
    drift_since: f64,
}

impl Targets {
    /// The target of probe `p` as a key: its destination address and port hashed, never 0.
    fn key(p: &PacketRepr) -> u64 {
        hash_key(0x7a26_e75c ^ u64::from(p.dport), ip_key(p.dst)) | 1
    }

    /// Take a probe of the episode's kind to `target` at `now`: the pattern the source turned
    /// to, if this probe changes it (see [`Targets`]; `m` = 0: the probe is counted, but sets
    /// or changes no pattern).
    fn take(&mut self, target: u64, now: f64, m: u32) -> Option<Pattern> {
        if target == self.recent[0] {
            self.same = self.same.saturating_add(1);
        } else {
            let old = self.recent.iter().position(|&t| t == target);
            // newest first, the target moved (or brought) to the front
            let end = old.unwrap_or(RECENT_TARGETS - 1);
            self.recent[..=end].rotate_right(1);
            self.recent[0] = target;
            self.same = 1;
            self.same_since = now;
            if old.is_none() {
                self.fresh = self.fresh.saturating_add(1);
                if self.drift == 0 {
                    self.drift_since = now;
                }
                self.drift = self.drift.saturating_add(1);
            }
        }
        if target == self.focus {
            self.drift = self.drift.saturating_sub(1);
        }
        if m == 0 {
            return None;
        }
        let (pattern, turned) = match self.pattern {
            None if self.same >= m => (Pattern::Focused, false),
            None if self.fresh >= m => (Pattern::Spread, false),
            Some(Pattern::Spread) if self.same >= m => (Pattern::Focused, true),
            Some(Pattern::Focused) if self.drift >= m => (Pattern::Spread, true),
            _ => return None,
        };
        self.pattern = Some(pattern);
        self.focus = if pattern == Pattern::Focused {
            target
        } else {
            0
        };
        self.drift = 0;
        turned.then_some(pattern)
    }

    /// When the run of `pattern` that changed the episode's began.
    fn since(&self, pattern: Pattern) -> f64 {
        match pattern {
            Pattern::Focused => self.same_since,
            Pattern::Spread => self.drift_since,
        }
    }
}

impl ProbeKind {
    /// The kind of `p`, a packet a source sent, by its headers alone: any SYN is `SynFirst`
    /// here (which SYN it is depends on the source's SYN before: [`Shift::kind_of`]).
    fn of(p: &PacketRepr) -> Option<ProbeKind> {
        match p.proto {
            17 => Some(ProbeKind::Udp),
            // echo, timestamp, information and address-mask requests alike: a timestamp flood
            // (hping3 --icmp -C 13) right before a SYN flood is an attack of its own
            1 | 58 => (icmp_query(p) == Some(Query::Request)).then_some(ProbeKind::IcmpQuery),
            6 if !p.fragment => ProbeKind::of_flags(p.tcp_flags, p.payload_len > 0),
            // a fragment that carried the flags byte (the decoder reads it in whichever
            // fragment holds it: nmap -f, --mtu); one that did not shows none, and a NULL
            // probe's cannot be told from it
            6 if p.tcp_flags & 0x3f != 0 => ProbeKind::of_flags(p.tcp_flags, false),
            6 => None,
            other if !p.later_fragment => Some(ProbeKind::Other(other)),
            _ => None,
        }
    }

    /// The kind of a packet sent to a victim, for its episode ([`VicEp::switched`]): as
    /// [`ProbeKind::of`], and a bare reset ([`ProbeKind::Rst`]) and a PSH+ACK without data
    /// (an ACK flood's, hping3 `-PA`: [`ProbeKind::Ack`]) have one too, so that a spoofed
    /// flood of them is an episode of its own (the spray rule's "Floods of ACKs").
    fn of_victim(p: &PacketRepr) -> Option<ProbeKind> {
        let k = ProbeKind::of(p);
        if k.is_some() || p.proto != 6 || p.fragment {
            return k;
        }
        match p.tcp_flags & 0x3f {
            0x04 => Some(ProbeKind::Rst),
            0x18 if p.payload_len == 0 => Some(ProbeKind::Ack),
            _ => None,
        }
    }

    /// The kind of a TCP probe with `flags`, carrying data or not.
    fn of_flags(flags: u8, data: bool) -> Option<ProbeKind> {
        match flags & 0x3f {
            0x02 => Some(ProbeKind::SynFirst),
            0x01 => Some(ProbeKind::Fin),
            0x00 => Some(ProbeKind::Null),
            0x29 | 0x3f => Some(ProbeKind::Xmas),
            0x11 if !data => Some(ProbeKind::Maimon),
            0x10 if !data => Some(ProbeKind::Ack),
            0x10 | 0x18 if data => Some(ProbeKind::Data),
            _ => None,
        }
    }

    /// A SYN, whichever.
    fn is_syn(self) -> bool {
        matches!(
            self,
            ProbeKind::SynFirst | ProbeKind::SynSamePort | ProbeKind::SynNewPort
        )
    }

    /// The kind as a victim's episode keeps it ([`VicEp::switched`]): every SYN alike.
    fn every_syn_alike(self) -> ProbeKind {
        if self.is_syn() {
            ProbeKind::SynFirst
        } else {
            self
        }
    }

    /// A probe no ordinary traffic sends alone in numbers: a SYN, a bare FIN, no flag, Xmas
    /// flags (unlike a download's bare ACKs, a connection's FIN+ACK close, DNS queries and
    /// pings).
    fn unmistakable(self) -> bool {
        self.is_syn() || matches!(self, ProbeKind::Fin | ProbeKind::Null | ProbeKind::Xmas)
    }
}

impl Shift {
    /// The kind of `p`, a packet the source sent (its SYN's source port is remembered); none
    /// for the FIN+ACK that closes a connection it opened or the ACK of a FIN it received.
    fn kind_of(&mut self, p: &PacketRepr) -> Option<ProbeKind> {
        let k = ProbeKind::of(p)?;
        let owed = match k {
            ProbeKind::Maimon => Some(&mut self.open),
            ProbeKind::Ack => Some(&mut self.fins_in),
            _ => None,
        };
        if let Some(n) = owed.filter(|n| **n > 0) {
            *n -= 1;
            return None;
        }
        if !k.is_syn() {
            return Some(k);
        }
        Some(match self.syn_sport.replace(p.sport) {
            None => ProbeKind::SynFirst,
            Some(s) if s == p.sport => ProbeKind::SynSamePort,
            Some(_) => ProbeKind::SynNewPort,
        })
    }

    /// Take a probe of kind `k` to `target` sent at `now`: the state of the next episode
    /// when this one ends here — the probe is the `n`-th in a row of another kind than the
    /// episode's, and the next is about kind `k` ([`Shift::moved_on`]); or, of the episode's
    /// kind, it completes a run of `m` in another pattern than the episode's ([`Targets`]),
    /// and the next is about that pattern ([`Shift::repatterned`]). The episode's first probe
    /// sets its kind (a first SYN, the next SYN). 0 turns either change off.
    ///
    /// A tentative kind ([`Shift::tentative`]: SYNs the networks passed, perhaps a NAT's
    /// clients' connections) gives way to the first probe of another kind that counts, which
    /// the episode is then about, as if it had been its first. `flagged`: the networks flagged
    /// the probe (a flagged SYN is a probe, not a client's connection).
    ///
    /// A run of another kind ends the episode only if what the episode held when the run
    /// began could be an alert on its own (`alone`, [`SrcEp::alertable`]). If not, the run
    /// is the episode's attack and the probes before it were its preamble — nmap's host
    /// discovery through a router (an echo request, a SYN to 443, an ACK to 80, a timestamp
    /// request) before its scan —: the episode goes on, about the run's kind from its `n`-th
    /// probe on, as if that had been its first ([`Shift::preamble`]). Two attacks back to
    /// back are still two alerts; a first one too small to be alerted is now part of the
    /// second's alert instead of a piece below the thresholds.
    fn probe(
        &mut self,
        k: ProbeKind,
        target: u64,
        now: f64,
        (n, m): (u32, u32),
        flagged: bool,
        alone: bool,
    ) -> Option<Shift> {
        if flagged && k.is_syn() {
            self.tentative = false;
        }
        self.held = false;
        match self.kind {
            None => {
                self.kind = Some(k);
                self.tentative = k.is_syn() && !flagged;
                self.targets.take(target, now, m);
                None
            }
            Some(ProbeKind::SynFirst) if k.is_syn() => {
                self.kind = Some(k);
                self.targets.take(target, now, m);
                None
            }
            Some(kind) if kind == k || k == ProbeKind::SynFirst => {
                if !flagged && k.is_syn() && self.run > 0 {
                    // a passed SYN may be a NAT's client's: it ends the run of another kind
                    // only once it shows itself a probe ([`Shift::proven`])
                    self.held = true;
                } else {
                    self.end_run();
                }
                let turned = self.targets.take(target, now, m)?;
                Some(self.repatterned(turned))
            }
            Some(_) if self.tentative && !k.is_syn() => {
                // the passed SYNs were no probes of this episode's: it is about this one
                self.about(k, target, now, m);
                None
            }
            Some(_) if n == 0 => None,
            Some(_) => {
                if self.other != Some(k) {
                    self.other = Some(k);
                    self.run = 0;
                    self.since = now;
                    self.run_syns = [0; RUN_SYNS];
                    self.run_alone = alone;
                }
                self.run += 1;
                if self.run < n {
                    return None;
                }
                if self.run_alone {
                    return Some(self.moved_on());
                }
                // what came before the run was its attack's preamble, no attack of its own
                self.preamble = true;
                self.about(k, target, now, m);
                None
            }
        }
    }

    /// The episode is about probes of kind `k` from this one (to `target` at `now`; `m` as in
    /// [`Shift::probe`]) on, as if it had been its first: what came before was no attack of
    /// its own (passed SYNs that proved no probes, or an attack's preamble).
    fn about(&mut self, k: ProbeKind, target: u64, now: f64, m: u32) {
        self.kind = Some(k);
        self.tentative = false;
        self.end_run();
        self.targets = Targets::default();
        self.targets.take(target, now, m);
    }

    /// The source received `p`: a SYN-ACK means SYN probes (or connections) are still being
    /// answered, so a run of bare ACKs is a connect scan completing its handshakes, not an ACK
    /// scan after it; a FIN means a run of FIN+ACKs is closing connections, not a Maimon scan.
    /// Both are owed an answer (see `open` and `fins_in`).
    fn answer(&mut self, p: &PacketRepr) {
        if p.proto != 6 || p.fragment {
            return;
        }
        if p.tcp_flags & 0x04 != 0 {
            self.reset(p.dport);
        } else if p.tcp_flags & 0x12 == 0x12 {
            self.open = self.open.saturating_add(1);
            if self.other == Some(ProbeKind::Ack) {
                self.other = None;
                self.run = 0;
            }
        } else if p.tcp_flags & 0x05 == 0x01 {
            // a FIN back on the connection of one of the run's FIN+ACKs: they closed
            // connections (a Maimon probe draws a RST or nothing); a FIN on another connection
            // (a NAT's client's page load closing) says nothing of them
            self.fins_in = self.fins_in.saturating_add(1);
            if self.other == Some(ProbeKind::Maimon) && self.run_syns.contains(&p.dport) {
                self.other = None;
                self.run = 0;
            }
        }
    }

    /// The source sent data from port `sport` on an established connection: if a SYN of the
    /// current run of SYNs opened it, the connection was an ordinary one (answered, carrying a
    /// request), not a probe of another attack, and its SYN leaves the run. A connect scan's
    /// connections carry no data; an HTTP flood's SYNs the networks flagged stay in the run.
    fn took_back(&mut self, sport: u16) {
        if sport == 0 || self.run == 0 || !self.other.is_some_and(ProbeKind::is_syn) {
            return;
        }
        if let Some(i) = self.run_syns.iter().position(|&s| s == sport) {
            remove_at(&mut self.run_syns, i);
            self.run -= 1;
        }
    }

    /// The source sent `p` on an established connection (`established`): if it carries data
    /// from the port of a passed SYN the episode's profile counted as a probe of its kind
    /// ([`Shift::kind_syns`]), that SYN opened an ordinary connection (answered, carrying a
    /// request: a NAT's client loading a page beside a connect scan), and is taken back —
    /// whether it carried an operating system's options, for [`Profile::take_back_syn`].
    fn ordinary(&mut self, p: &PacketRepr, established: bool) -> Option<bool> {
        // (no SYN, FIN or RST: a segment of the connection's talk)
        if self.kind_syns[0] == 0
            || !established
            || p.proto != 6
            || p.payload_len == 0
            || p.fragment
            || p.tcp_flags & 0x07 != 0
        {
            return None;
        }
        Some(self.take_kind_syn(p.sport)? & 1 << 16 != 0)
    }

    /// The [`Shift::kind_syns`] entry of source port `sport`, forgotten.
    fn take_kind_syn(&mut self, sport: u16) -> Option<u32> {
        let i = self
            .kind_syns
            .iter()
            .position(|&s| s != 0 && s as u16 == sport)?;
        Some(remove_at(&mut self.kind_syns, i))
    }

    /// Remember passed SYN `p`, counted as a probe of the episode's kind: the oldest
    /// remembered is forgotten, and if its connection has carried no data by then it was a
    /// probe (a connect scan's), and the kind no longer tentative.
    fn remember_kind_syn(&mut self, p: &PacketRepr) {
        let entry = u32::from(p.sport)
            | u32::from(os_syn(p)) << 16
            | 1 << 17
            | u32::from(std::mem::take(&mut self.held)) << 18;
        let oldest = push_front(&mut self.kind_syns, entry);
        if oldest != 0 {
            self.proven(oldest);
        }
    }

    /// A remembered passed SYN of the episode's kind (its [`Shift::kind_syns`] entry) showed
    /// itself a probe: refused, reset by its own source, or never carrying data before seven
    /// more. The kind is no longer tentative, and if the SYN came during a run of probes of
    /// another kind (bit 18), it ends that run as a probe of the episode's kind does.
    fn proven(&mut self, entry: u32) {
        self.tentative = false;
        if entry & 1 << 18 != 0 {
            self.end_run();
        }
    }

    /// No run of probes of another kind (any begun is over).
    fn end_run(&mut self) {
        self.other = None;
        self.run = 0;
        self.run_syns = [0; RUN_SYNS];
    }

    /// A reset on the connection from source port `sport` (the victim's refusal, or the
    /// source's own reset: a connect scan closing what an open port accepted): a remembered
    /// SYN from that port was a probe, forgotten ([`Shift::proven`]).
    fn reset(&mut self, sport: u16) {
        if self.kind_syns[0] == 0 {
            return;
        }
        if let Some(entry) = self.take_kind_syn(sport) {
            self.proven(entry);
        }
    }

    /// The state of the episode that begins after a change of kind: about the new kind, since
    /// the first probe of the run (which showed it is no client's: not tentative), its
    /// pattern to be seen.
    fn moved_on(&self) -> Shift {
        Shift {
            kind: self.other,
            other: None,
            run: 0,
            since: self.since,
            run_alone: false,
            preamble: false,
            syn_sport: self.syn_sport,
            open: self.open,
            fins_in: self.fins_in,
            run_syns: [0; RUN_SYNS],
            tentative: false,
            kind_syns: [0; KIND_SYNS],
            maimon: false,
            held: false,
            targets: Targets::default(),
        }
    }

    /// The state of the episode that begins after a change of pattern: of the same kind,
    /// about `pattern`, since the first probe of its run (its profile new: no SYN of it to
    /// take back).
    fn repatterned(&self, pattern: Pattern) -> Shift {
        Shift {
            other: None,
            run: 0,
            since: self.targets.since(pattern),
            kind_syns: [0; KIND_SYNS],
            held: false,
            ..*self
        }
    }

    /// Take packet `p` of the episode of source `att` at `now` (see [`Shift::probe`]: `runs`
    /// are its `n` and `m`, `alone` whether the episode so far could be an alert). A packet the
    /// networks did not flag (not `flagged`) counts only as an
    /// [unmistakable](ProbeKind::unmistakable) probe.
    #[allow(clippy::too_many_arguments)]
    fn take(
        &mut self,
        p: &PacketRepr,
        att: IpAddr,
        now: f64,
        runs: (u32, u32),
        flagged: bool,
        established: bool,
        alone: bool,
    ) -> Option<Shift> {
        if p.src != att {
            self.answer(p);
            return None;
        }
        // (kind_of first: it keeps the count of closes and acknowledgements owed)
        let k = self.kind_of(p);
        self.maimon = !established && k == Some(ProbeKind::Maimon);
        if p.proto == 6 && p.tcp_flags & 0x04 != 0 && !p.fragment {
            self.reset(p.sport);
            if p.tcp_flags & 0x3f == 0x04 {
                // a bare reset: a SYN-ACK refused (the answer to a segment with ACK set; a
                // connection's abort carries ACK), whose connection owes no close
                self.open = self.open.saturating_sub(1);
            }
        }
        if established && k == Some(ProbeKind::Data) {
            self.took_back(p.sport);
        }
        // an established connection's ACKs and FIN+ACKs are its own, no Maimon or ACK probe
        if established
            && matches!(
                k,
                Some(ProbeKind::Ack | ProbeKind::Maimon | ProbeKind::Data)
            )
        {
            return None;
        }
        let k = k?;
        // a Maimon probe the networks passed (outside an established connection, owing no
        // close) counts, as an unmistakable probe does, against an episode of another kind
        // (or none yet): behind a NAT the victim's resets to these probes may be all that is
        // flagged, and its clients' SYNs may have set the episode's kind; in a Maimon
        // episode it counts in the pattern only, as passed probes of the episode's kind do
        let maimon = self.maimon && self.kind != Some(ProbeKind::Maimon);
        if flagged || k.unmistakable() || maimon {
            let next = self.probe(k, Targets::key(p), now, runs, flagged, alone);
            if next.is_none() && k == ProbeKind::Maimon && self.other == Some(k) {
                // a FIN+ACK in a run of them: its port, to tell whether a FIN back closes
                // its connection (Shift::answer)
                push_front(&mut self.run_syns, p.sport);
            }
            if next.is_none() && !flagged && k.is_syn() {
                if self.other == Some(k) {
                    // a passed SYN in a run of SYNs: remembered, to be taken back if its
                    // connection carries data (the oldest forgotten)
                    push_front(&mut self.run_syns, p.sport);
                }
                if self.kind.is_some_and(ProbeKind::is_syn) {
                    // counted in the profile as a probe of the episode's kind (SrcEp::pass)
                    self.remember_kind_syn(p);
                }
            }
            return next;
        }
        // no sign of another attack (a lookup, a download's ACKs), but where a probe of the
        // episode's own kind goes is counted in its pattern (a UDP scan's datagrams, which the
        // networks leave to the refusals they draw); only a probe that counts above changes
        // it (a resolver that reflected a flood goes back to answering clients, a new port
        // each, all passed)
        if self.kind == Some(k) {
            self.targets.take(Targets::key(p), now, 0);
        }
        None
    }

    /// Whether `p`, a packet the source sent that the networks did not flag, is a UDP
    /// datagram of an episode of UDP probes each to a new target (its pattern Spread: a
    /// UDP scan).
    fn scanning_udp(&self, p: &PacketRepr) -> bool {
        p.proto == 17
            && !p.later_fragment
            && self.kind == Some(ProbeKind::Udp)
            && self.targets.pattern == Some(Pattern::Spread)
    }

    /// Whether `p`, a packet the source sent that the networks did not flag, is an
    /// [unmistakable](ProbeKind::unmistakable) probe of the episode's own kind (any SYN for
    /// a SYN episode), or a Maimon probe of a Maimon episode ([`Shift::maimon`]: `take`
    /// saw it last).
    fn probing(&self, p: &PacketRepr) -> bool {
        if self.maimon && self.kind == Some(ProbeKind::Maimon) {
            return true;
        }
        ProbeKind::of(p)
            .filter(|k| k.unmistakable())
            .is_some_and(|k| match self.kind {
                Some(own) if own.is_syn() => k.is_syn(),
                Some(own) => own == k,
                None => false,
            })
    }
}

/// An attacking source's open episode.
#[derive(Clone, Debug)]
struct SrcEp {
    tally: Tally,
    /// Packets the source sent itself that were flagged, or that were unmistakable probes of
    /// the episode's kind the networks passed (a scan whose refusals alone were flagged).
    sent: u64,
    total: u64,
    /// Victim of the first flagged packet, and flagged packets to it.
    victim: IpAddr,
    victim_packets: u64,
    /// Misra–Gries majority candidate of the victims.
    top_victim: IpAddr,
    top_count: u64,
    /// Flagged packets to `top_victim`, and packets between the source and it, flagged or
    /// not, since it became the candidate ([`SrcEp::pair_share`]).
    pair_flagged: u64,
    pair_total: u64,
    /// The kind of its probes, and a run of another kind.
    shift: Shift,
    /// Fast findings of the slow-scan rule about the source, waiting for this episode's end
    /// ([`Aggregator::finding`]; at most [`MAX_PARKED`]: the episode's own, and later scans of
    /// other hosts).
    parked: Vec<Finding>,
    /// What the source exchanged with its victim ([`SrcEp::burst_of_connections`]), from its
    /// first TCP segment with data (boxed: a flood's episodes, spoofed ones by the thousand,
    /// carry none).
    exchanges: Option<Box<Exchanges>>,
    /// Its flagged packets counted in their victim network's episode: those before it
    /// reached [`DetectSettings::min_packets`] (a source at alert volume is alerted on its own;
    /// a network's episode is about the many sources that never are).
    to_network: u64,
    /// The ports (the source's, the victim's) of the first UDP datagram with payload the
    /// source sent its episode's victim, and the datagrams with payload of that conversation
    /// each way, flagged or not ([`SrcEp::burst_of_questions`]).
    udp_pair: Option<(u16, u16)>,
    udp_asked: u32,
    udp_answered: u32,
    /// When that first datagram went to the victim's port 53: the source ports of the source's
    /// latest [`DNS_RECENT`] questions to 53 (a ring, the next to replace at `dns_next`), and
    /// its questions to 53 sent from one of those ports ([`SrcEp::burst_of_lookups`]).
    dns_ports: [u16; DNS_RECENT],
    dns_next: u8,
    dns_repeats: u32,
    /// The source's UDP datagrams, full-size ones and those sent again
    /// ([`SrcEp::resent_handshakes`]).
    handshakes: Handshakes,
    /// The UDP datagrams the source sent in the episode, to any host, each with whether it was
    /// flagged and answered on its port pair ([`SrcEp::burst_of_exchanges`]; allocated from
    /// its first one: most episodes send none), and whether a flagged packet of the episode was
    /// none of those datagrams, a later fragment of one or an answer to one, or the datagrams
    /// overflowed [`EXCHANGES_KEPT`] (then they are no longer kept).
    exchanged: Vec<Exchange>,
    exchanged_void: bool,
    /// How many of those it may keep now ([`exchange_cap`]: fewer while many episodes are
    /// open); set by the aggregator before each packet.
    exchange_cap: usize,
}

/// A UDP datagram a source sent in its episode ([`SrcEp::burst_of_exchanges`]): its
/// destination (a hash of the address), ports (source port high), the IP Identification of its
/// first fragment (`frag`: it was fragmented), whether it or a later fragment of it was
/// flagged, and whether its destination answered it with a datagram on the same port pair.
#[derive(Clone, Copy, Debug)]
struct Exchange {
    peer: u64,
    ports: u32,
    frag_id: u32,
    frag: bool,
    flagged: bool,
    answered: bool,
}

/// UDP datagrams a source's episode remembers ([`SrcEp::burst_of_exchanges`]): past them the
/// episode is judged as before (24 KiB at most; a client pinging 40 resolvers six times each
/// sends 240).
const EXCHANGES_KEPT: usize = 1024;

/// UDP datagrams all open source episodes may keep between them (24 MiB): with many episodes
/// open (a botnet's thousands of real sources, each spraying datagrams over a subnet) each
/// keeps its share, at most [`EXCHANGES_KEPT`]; one that sends past its share is no burst of
/// exchanges and is judged as before (its record voided), so memory stays bounded.
const EXCHANGE_BUDGET: usize = 1 << 20;

/// Whether source alert `a` names a UDP flood not by reflection (the class the bursts of a
/// client's UDP traffic take: questions, lookups, handshakes sent again, exchanges), or, with
/// `scans`, a UDP scan too. A reflected flood's datagrams are the reflectors' answers, no
/// client's.
fn udp_burst_class(a: &Alert, scans: bool) -> bool {
    a.profile.is_some_and(|ev| {
        (ev.naming.class == Class::FloodUdp && ev.naming.rule != Rule::Reflection)
            || (scans && ev.naming.class == Class::ScanUdp)
    })
}

/// A source episode's share of [`EXCHANGE_BUDGET`] while `open` episodes are open.
fn exchange_cap(open: usize) -> usize {
    (EXCHANGE_BUDGET / open.max(1)).min(EXCHANGES_KEPT)
}

/// UDP datagrams in a row to one host that void a source episode's record of them
/// ([`SrcEp::exchange`]): that host got more than an alert needs ([`DetectSettings::min_packets`],
/// 15 by default), which [`SrcEp::burst_of_exchanges`] would find at the end; a flood keeps no
/// more than these (with `--min-packets` above it, such a run is no burst either).
const EXCHANGES_RUN: usize = 64;

/// The DNS server port ([`SrcEp::burst_of_questions`]).
const DNS: u16 = 53;

/// Questions to a DNS server before a source's latest whose source ports it remembers
/// ([`SrcEp::burst_of_lookups`]): the A and AAAA questions of one name, sent together, may
/// have other lookups' questions between them on the wire (threads on other cores; the lab's
/// python threads put a few between them, 16 catch 80–100% of the pairs). A new port from the
/// kernel's random choice among 28,232 meets one of 16 once in 1,765.
const DNS_RECENT: usize = 16;

/// Client ports of the TCP segments with data a source sent its victim, and of those it
/// received from it, flagged or not: its connections that carried a request, and those
/// answered. A few hundred values matter; 256 bits count them.
#[derive(Clone, Debug, Default)]
struct Exchanges {
    asked: Distinct<4>,
    answered: Distinct<4>,
}

/// A victim's open episode (its tally's profile: what was sent to the victim and what it
/// answered).
#[derive(Clone, Debug)]
struct VicEp {
    tally: Tally,
    /// Packets of the victim's conversations (as the server end) while the episode is open,
    /// flagged or not.
    total: u64,
    sources: u64,
    covered_packets: u64,
    covered_sources: u64,
    first_src: IpAddr,
    /// Distinct attacking ends seen (a source whose own episode restarted counts once).
    distinct: Distinct<8>,
    /// SYN-ACKs the victim sent that the networks passed, while the episode is open: added
    /// to its profile when it ends ([`Profile::answered_syns`]).
    answered_syns: u32,
    /// The first [`OPENERS`] attacking ends to open a source episode against the victim, in
    /// order: each with the time of its first flagged packet to the victim, whether an alert
    /// of its own has covered it since ([`VicEp::cover`]) and the address that packet went
    /// to; the count of them; and the first end after them. A victim alert begins with the
    /// first of them no source or victim alert covered ([`VicEp::opener`]). In a network's
    /// episode the openers are the first ends to distinct addresses of it ([`VicEp::opened`]),
    /// and a victim alert of one of them covers its ends ([`VicEp::cover_victim`]).
    openers: [(IpAddr, f64, bool, IpAddr); OPENERS],
    n_openers: u8,
    later: Option<(IpAddr, f64, IpAddr)>,
    /// The kind of the episode's probes (of its first flagged packet sent to the victim that
    /// has one; every SYN is `SynFirst`), and the run of probes of one other kind since its
    /// latest ([`VicEp::switched`]): that kind, their count, the first's and the latest's
    /// time, the first's sender, and whether the episode could be an alert on its own when the
    /// run began.
    kind: Option<ProbeKind>,
    other: Option<ProbeKind>,
    run: u32,
    since: f64,
    last: f64,
    run_src: IpAddr,
    run_alone: bool,
    /// While a run of another kind has reached [`DetectSettings::change_probes`] probes (and
    /// the episode could be alerted alone): the episode as it stood before the run's last
    /// probe (its alert if the run completes a switch), and the next episode, from the run's
    /// first probe, with every flagged packet since (the one that begins if it does). A run
    /// that breaks drops both: this episode, which holds every packet, goes on.
    held: Option<Box<[VicEp; 2]>>,
}

/// Attacking ends a victim's episode remembers by name ([`VicEp::openers`]).
const OPENERS: usize = 3;

/// A victim's episode ends when the probes sent to it have been of other kinds than its own
/// for at least [`DetectSettings::change_probes`] probes and this many seconds, none of its
/// own among them ([`VicEp::switched`]): a flood's next vector, not kinds interleaved (a
/// botnet's bots sending SYNs, datagrams and pings at once) nor a short burst of another kind.
pub const VICTIM_CHANGE_SECS: f64 = 0.5;

/// A victim network's open episode ([`crate::carpet`]): every flagged packet to an address of
/// the network, as a victim's episode counts them, and the distinct addresses they went to.
#[derive(Clone, Debug)]
struct NetEp {
    vic: VicEp,
    hosts: Distinct<8>,
    /// Victims of the network alerted on their own.
    covered_hosts: u64,
    /// The kind of the episode's first probe to the network, and how many probes of another
    /// kind came in a row since its latest: spoofed floods of SYNs, then datagrams, then
    /// pings, over one subnet back to back, are three attacks (as a source's, see
    /// [`DetectSettings::change_probes`]).
    kind: Option<ProbeKind>,
    run: u32,
}

impl NetEp {
    /// Count probe `kind` (of a flagged packet sent to the network; `None` for another
    /// packet); whether it completes a run of `changes` probes of another kind than the
    /// episode's (0: never), which ends the episode.
    fn moved_on(&mut self, kind: Option<ProbeKind>, changes: u32) -> bool {
        let Some(k) = kind else { return false };
        let same = |a: ProbeKind, b: ProbeKind| a == b || (a.is_syn() && b.is_syn());
        match self.kind {
            None => self.kind = Some(k),
            Some(own) if same(own, k) => self.run = 0,
            Some(_) => self.run += 1,
        }
        changes > 0 && self.run >= changes
    }
}

impl SrcEp {
    /// An episode opened at `now` against `vic`, before its first packet is added.
    fn start(now: f64, vic: IpAddr) -> SrcEp {
        SrcEp {
            tally: Tally::start(now),
            sent: 0,
            total: 0,
            victim: vic,
            victim_packets: 0,
            top_victim: vic,
            top_count: 0,
            pair_flagged: 0,
            pair_total: 0,
            shift: Shift::default(),
            parked: Vec::new(),
            exchanges: None,
            to_network: 0,
            udp_pair: None,
            udp_asked: 0,
            udp_answered: 0,
            dns_ports: [0; DNS_RECENT],
            dns_next: 0,
            dns_repeats: 0,
            handshakes: Handshakes::default(),
            exchanged: Vec::new(),
            exchanged_void: false,
            exchange_cap: EXCHANGES_KEPT,
        }
    }

    /// Add a flagged packet to victim `vic` (`outbound`: the source sent it itself; `k`: the
    /// packet's address keys).
    fn add(
        &mut self,
        now: f64,
        p: &PacketRepr,
        v: &PacketVerdict,
        outbound: bool,
        vic: IpAddr,
        k: &AddrKeys,
    ) {
        self.tally.add(now, p, v, outbound, k.md);
        self.data(p, outbound);
        self.handshakes.push(p, outbound, v.resent);
        self.exchange(p, outbound, true);
        self.sent += u64::from(outbound);
        self.total += 1;
        if self.victim == vic {
            self.victim_packets += 1;
        }
        if self.top_victim == vic {
            self.top_count += 1;
            self.pair_flagged += 1;
            self.pair_total += 1;
        } else if self.top_count == 0 {
            self.top_victim = vic;
            self.top_count = 1;
            (self.pair_flagged, self.pair_total) = (1, 1);
        } else {
            self.top_count -= 1;
        }
    }

    /// Count a packet of the source's conversations the networks passed (`att`: the source).
    fn pass(&mut self, p: &PacketRepr, att: IpAddr, resent: bool) {
        self.total += 1;
        let peer = if p.src == att { p.dst } else { p.src };
        self.pair_total += u64::from(peer == self.top_victim);
        self.data(p, p.src == att);
        self.handshakes.push(p, p.src == att, resent);
        if p.proto == 17 {
            self.exchange(p, p.src == att, false);
        }
        if p.src == att && self.shift.probing(p) {
            // what it probed with names the attack; they are what it sent (a scan of ports it
            // scanned minutes before looks to the networks like a client coming back, and
            // only the refusals are flagged)
            self.tally.profile.add(p, true, false);
            self.sent += 1;
        } else if p.src == att && self.shift.scanning_udp(p) {
            // a UDP scan's datagrams, which the networks leave to the refusals they draw (and
            // a host rate-limits those): what it probed with names it, but no alert rests on
            // them (not counted as sent)
            self.tally.profile.add(p, true, false);
        }
    }

    /// Take back from the profile a passed SYN it counted as a probe, if `p`, a packet of the
    /// source's conversations (`att`: the source), shows its connection an ordinary one
    /// ([`Shift::ordinary`]).
    fn ordinary(&mut self, p: &PacketRepr, att: IpAddr, established: bool) {
        // (the cheap test first: most episodes remember no passed SYN)
        if self.shift.kind_syns[0] == 0 || p.src != att {
            return;
        }
        if let Some(os) = self.shift.ordinary(p, established) {
            self.tally.profile.take_back_syn(os);
            self.sent = self.sent.saturating_sub(1);
        }
    }

    /// Count a TCP segment with data that the source sent to its episode's victim
    /// (`outbound`) or received from it, by the client's port of its connection (the source's
    /// own port either way): what it exchanges with other hosts says nothing of the
    /// connections it opened to this one. A UDP datagram with payload each way is counted on
    /// the conversation of the source's first one (`burst_of_questions`).
    fn data(&mut self, p: &PacketRepr, outbound: bool) {
        let peer = if outbound { p.dst } else { p.src };
        if p.payload_len == 0 || p.fragment || peer != self.victim {
            return;
        }
        if p.proto == 17 {
            // a question, or its answer, on the conversation of the first question
            // (`burst_of_questions`)
            let ends = if outbound {
                (p.sport, p.dport)
            } else {
                (p.dport, p.sport)
            };
            if outbound && self.udp_pair.is_none() {
                self.udp_pair = Some(ends);
            }
            // a DNS server's port: any of the source's ports (glibc's and Go's resolvers ask
            // each name from a socket of its own, its A and AAAA questions together)
            let dns = self.udp_pair.is_some_and(|f| f.1 == DNS) && ends.1 == DNS;
            let asked = dns || self.udp_pair == Some(ends);
            if dns && outbound {
                // glibc's A and AAAA questions of one name, sent together from its socket
                // (`burst_of_lookups`)
                self.dns_repeats += u32::from(self.dns_ports.contains(&ends.0));
                self.dns_ports[usize::from(self.dns_next)] = ends.0;
                self.dns_next = (self.dns_next + 1) % DNS_RECENT as u8;
            }
            if asked {
                let n = if outbound {
                    &mut self.udp_asked
                } else {
                    &mut self.udp_answered
                };
                *n = n.saturating_add(1);
            }
            return;
        }
        if p.proto != 6 {
            return;
        }
        let x = self.exchanges.get_or_insert_with(Box::default);
        if outbound {
            x.asked.add(hash_key(67, u128::from(p.sport)));
        } else {
            x.answered.add(hash_key(67, u128::from(p.dport)));
        }
    }

    /// Keep what a packet of the source's conversations (`outbound`: the source sent it;
    /// `flagged` by the networks) tells of its UDP exchanges ([`SrcEp::burst_of_exchanges`]): a
    /// datagram it sent (a whole one or a first fragment) is kept; a later fragment it sent
    /// marks its datagram flagged if it is; a datagram it received answers the oldest it sent
    /// on that port pair, unanswered yet. A flagged packet that is none of these (a TCP segment,
    /// an ICMP message, a later fragment of no datagram kept, a datagram answering none), a
    /// datagram past [`EXCHANGES_KEPT`], or the [`EXCHANGES_RUN`]-th in a row to one host, voids
    /// them.
    fn exchange(&mut self, p: &PacketRepr, outbound: bool, flagged: bool) {
        if self.exchanged_void {
            return;
        }
        let x = &mut self.exchanged;
        let peer = || hash_key(89, ip_key(if outbound { p.dst } else { p.src }));
        let kept = match (p.proto == 17, outbound, p.later_fragment) {
            (true, true, false) => {
                let peer = peer();
                // (a flood: its datagrams to one host in a row; the first few are all it keeps)
                let run = x.iter().rev().take(EXCHANGES_RUN - 1);
                let flood = run.take_while(|d| d.peer == peer).count() == EXCHANGES_RUN - 1;
                let fits = x.len() < self.exchange_cap && !flood;
                if fits {
                    x.push(Exchange {
                        peer,
                        ports: u32::from(p.sport) << 16 | u32::from(p.dport),
                        frag_id: p.frag_id,
                        frag: p.fragment,
                        flagged,
                        answered: false,
                    });
                }
                fits
            }
            (true, true, true) => {
                // (fragments follow their first closely: the latest first)
                let peer = peer();
                match x
                    .iter_mut()
                    .rev()
                    .find(|d| d.frag && d.frag_id == p.frag_id && d.peer == peer)
                {
                    Some(d) => {
                        d.flagged |= flagged;
                        true
                    }
                    None => !flagged,
                }
            }
            (true, false, false) if !x.is_empty() => {
                let (peer, ports) = (peer(), u32::from(p.dport) << 16 | u32::from(p.sport));
                match x
                    .iter_mut()
                    .find(|d| !d.answered && d.ports == ports && d.peer == peer)
                {
                    Some(d) => {
                        d.answered = true;
                        true
                    }
                    None => !flagged,
                }
            }
            _ => !flagged,
        };
        if !kept {
            self.exchanged = Vec::new();
            self.exchanged_void = true;
        }
    }

    /// Whether `a`, this episode's alert, names a UDP flood (not by reflection) or a UDP scan
    /// whose flagged packets were all datagrams the source sent (whole, or fragments of them)
    /// and answers to them, at least nine in ten of the flagged datagrams answered by their
    /// destination with a datagram on their own port pair, and whose datagrams (flagged or not)
    /// went to each host in a burst of its own: fewer to each than `min_packets`
    /// ([`DetectSettings::min_packets`]: as many as an alert needs), at least two to each on
    /// average, each from a source port of its own: a client's exchanges with many servers at
    /// once, a few questions to each from fresh ports, each answered (dnscrypt-proxy pinging its
    /// resolvers, as in nDPI's `tests/pcap/dnscrypt-v1-and-resolver-pings.pcap`). A flood's
    /// datagrams go to one host, hundreds of them, answered or not; a scan's probes draw ICMP
    /// errors or nothing, and one that open ports answer asks each once (nmap, zmap) or
    /// again from its one source port (masscan's retries).
    fn burst_of_exchanges(&self, a: &Alert, min_packets: u64) -> bool {
        let x = &self.exchanged;
        if !udp_burst_class(a, true) || self.exchanged_void {
            return false;
        }
        let flagged = x.iter().filter(|d| d.flagged).count();
        let answered = x.iter().filter(|d| d.flagged && d.answered).count();
        if flagged == 0 || 10 * answered < 9 * flagged {
            return false;
        }
        // (host, source port) of each datagram: by host, each port once
        let mut ends: Vec<(u64, u16)> =
            x.iter().map(|d| (d.peer, (d.ports >> 16) as u16)).collect();
        ends.sort_unstable();
        let fresh = ends.windows(2).all(|w| w[0] != w[1]);
        let mut hosts = 0usize;
        let few = ends.chunk_by(|a, b| a.0 == b.0).all(|c| {
            hosts += 1;
            (c.len() as u64) < min_packets
        });
        fresh && few && ends.len() >= 2 * hosts
    }

    /// Whether its victim sent it a TCP segment with data: a real address, which completed a
    /// handshake (no spoofed source's can).
    fn answered(&self) -> bool {
        self.exchanges
            .as_ref()
            .is_some_and(|x| x.answered.estimate() >= 0.5)
    }

    /// Whether the episode's flagged packets so far could make an alert on their own: at least
    /// `min_packets` ([`DetectSettings::min_packets`]), or a fragment past 65,535 bytes (a
    /// ping of death, alerted however few). If not, a change of probe kind does not end the
    /// episode ([`Shift::probe`]).
    fn alertable(&self, min_packets: u64) -> bool {
        self.tally.packets >= min_packets || self.tally.oversize > 0
    }

    /// [`Shift::take`] of packet `p` (`flagged` by the networks or not), the episode's
    /// [`SrcEp::alertable`] with `min_packets` deciding whether a run of another kind ends it;
    /// a preamble found is counted in `st` ([`DetectStats::preambles`]).
    fn take_shift(
        &mut self,
        p: &PacketRepr,
        (att, now): (IpAddr, f64),
        runs: (u32, u32),
        (flagged, established): (bool, bool),
        min_packets: u64,
        st: &mut DetectStats,
    ) -> Option<Shift> {
        let alone = self.alertable(min_packets);
        let next = self
            .shift
            .take(p, att, now, runs, flagged, established, alone);
        if std::mem::take(&mut self.shift.preamble) {
            st.preambles += 1;
        }
        next
    }

    /// Whether the episode's flagged packets to its main victim (`top_victim`, since it became
    /// the candidate) are at least `min_packets` and make at least `min_fraction` of the
    /// packets between the source and that victim in that time
    /// ([`DetectSettings::min_fraction`]): an attack on one host from an address that also
    /// carries much else (a NAT's, a busy workstation's) is judged by its own conversation,
    /// not diluted by the source's traffic to other hosts.
    fn pair_share(&self, min_packets: u64, min_fraction: f64) -> bool {
        self.pair_flagged >= min_packets
            && self.pair_flagged as f64 >= min_fraction * self.pair_total.max(1) as f64
    }

    /// Whether `a`, this episode's alert, names a UDP flood (not by reflection) of fewer than
    /// [`BURST_MAX_QUESTIONS`] flagged packets, at least half as many of which were questions
    /// sent on one conversation (the ports of the source's first datagram with payload to its
    /// victim; when that went to the victim's port 53, every datagram to 53 and from it),
    /// which the victim answered at least half of on it: a burst of questions (a stub
    /// resolver's lookups sent at once from one socket, or from a socket per name as glibc's
    /// resolver does: a page's names looked up at once by a browser's resolver threads). A
    /// flood's datagrams draw ICMP errors or nothing, and hping3 sends each from a new port (a
    /// conversation of one question) to a service other than DNS.
    fn burst_of_questions(&self, a: &Alert) -> bool {
        udp_burst_class(a, false)
            && a.packets < BURST_MAX_QUESTIONS
            && 2 * u64::from(self.udp_asked) >= a.packets
            && 2 * u64::from(self.udp_answered) >= u64::from(self.udp_asked)
    }

    /// Whether `a`, this episode's alert, names a UDP flood (not by reflection) of fewer than
    /// [`BURST_MAX_LOOKUPS`] flagged packets, whose source's first datagram with payload to its
    /// victim went to port 53, at least half as many of which were questions to the victim's
    /// port 53 (from any port), which the victim answered at least half of, and of which
    /// between a quarter and three quarters came from the source port of one of the
    /// [`DNS_RECENT`] questions before: a burst of lookups by glibc's `getaddrinfo`, which asks
    /// each name from a socket of its own, its A and AAAA questions sent together (the second
    /// from the port of a recent one: half the questions, less the pairs too many other
    /// lookups' questions came between). A flood's questions come each from a new port
    /// (hping3, a random-subdomain flood's bots: none from a recent port) or all from one
    /// (nping `-g`: all but the first); a flood whose victim does not answer is not one either.
    fn burst_of_lookups(&self, a: &Alert) -> bool {
        let asked = u64::from(self.udp_asked);
        let repeats = u64::from(self.dns_repeats);
        udp_burst_class(a, false)
            && a.packets < BURST_MAX_LOOKUPS
            && self.udp_pair.is_some_and(|f| f.1 == DNS)
            && 2 * asked >= a.packets
            && 2 * u64::from(self.udp_answered) >= asked
            && 4 * repeats >= asked
            && 4 * repeats <= 3 * asked
    }

    /// Whether `a`, this episode's alert, names a UDP scan or a UDP flood (not by
    /// reflection) of at most [`crate::handshakes::PORTS_PER_HOST`] ports per host (distinct
    /// targets over distinct hosts) whose source's datagrams were handshakes sent again
    /// ([`Handshakes::resent`]): a QUIC client retrying its Initials where nothing answers.
    fn resent_handshakes(&self, a: &Alert) -> bool {
        udp_burst_class(a, true)
            && a.profile.is_some_and(|ev| {
                ev.distinct_targets <= crate::handshakes::PORTS_PER_HOST * ev.distinct_hosts
            })
            && self.handshakes.resent()
    }

    /// Whether `a`, this episode's alert, names a SYN flood by repetition of fewer than
    /// [`BURST_MAX_CONNECTIONS`] connections of which at least half as many as its SYNs
    /// carried a request from the source and an answer to it: a burst of complete, ordinary
    /// connections. A SYN flood's half-open connections carry nothing, and a session beside
    /// one (an SSH login) is one port, however much it carries.
    fn burst_of_connections(&self, a: &Alert) -> bool {
        a.profile.is_some_and(|ev| {
            let half = ev.probes as f64 / 2.0;
            ev.naming.class == Class::FloodSyn
                && ev.naming.rule == Rule::Repetition
                && ev.probes < BURST_MAX_CONNECTIONS
                && self
                    .exchanges
                    .as_ref()
                    .is_some_and(|x| x.asked.estimate() >= half && x.answered.estimate() >= half)
        })
    }
}

impl VicEp {
    /// An episode opened at `now` by source `first_src`, before its first packet is added.
    fn start(now: f64, first_src: IpAddr) -> VicEp {
        VicEp {
            tally: Tally::start(now),
            total: 0,
            sources: 0,
            covered_packets: 0,
            covered_sources: 0,
            first_src,
            distinct: Distinct::default(),
            answered_syns: 0,
            openers: [(first_src, now, false, first_src); OPENERS],
            n_openers: 0,
            later: None,
            kind: None,
            other: None,
            run: 0,
            since: now,
            last: now,
            run_src: first_src,
            run_alone: false,
            held: None,
        }
    }

    /// Take the kind `k` of a flagged packet sent to the victim at `now` by `src` (`None`: no
    /// probe kind); whether it ends the episode: it completes a run of at least `n` probes of
    /// one other kind than the episode's, none of its own among them and none more than
    /// [`VICTIM_CHANGE_SECS`] after the one before (a flood's, not stray packets of ordinary
    /// clients a second apart), over at least [`VICTIM_CHANGE_SECS`], and the episode could be
    /// an alert on its own when the run began (`alone`, asked then). If it could not, what
    /// came before was the run's preamble: the episode goes on, about kind `k`. The next
    /// episode begins at [`VicEp::since`] from [`VicEp::run_src`]. 0 for `n`: never.
    fn switched(
        &mut self,
        k: Option<ProbeKind>,
        (src, now): (IpAddr, f64),
        n: u32,
        alone: impl FnOnce(&VicEp) -> bool,
    ) -> bool {
        let Some(k) = k else { return false };
        let k = k.every_syn_alike();
        match self.kind {
            None => {
                self.kind = Some(k);
                return false;
            }
            Some(own) if own == k => {
                self.run = 0;
                self.held = None;
                return false;
            }
            Some(_) if n == 0 => return false,
            Some(_) => {}
        }
        if self.run == 0 || self.other != Some(k) || now - self.last > VICTIM_CHANGE_SECS {
            self.held = None;
            self.other = Some(k);
            self.run = 0;
            self.since = now;
            self.run_src = src;
            self.run_alone = alone(self);
        }
        self.run += 1;
        self.last = now;
        if self.run == n && self.run_alone {
            self.hold(k);
        }
        if self.run < n || now - self.since < VICTIM_CHANGE_SECS {
            return false;
        }
        if self.run_alone {
            return true;
        }
        // no attack of its own before the run: the run's preamble
        self.kind = Some(k);
        self.run = 0;
        false
    }

    /// Keep aside the episode as it stands and the one that would begin at the run's first
    /// probe ([`VicEp::held`]). Rare, and out of line: the two episodes built here would
    /// otherwise sit in the stack frame of every packet's pass through the aggregator.
    #[cold]
    #[inline(never)]
    fn hold(&mut self, k: ProbeKind) {
        let next = self.next(Some(k));
        self.held = Some(Box::new([self.clone(), next]));
    }

    /// The episode that would begin where `self` ends by [`VicEp::switched`]: at the run's
    /// first probe, from its sender, about kind `k`.
    fn next(&self, k: Option<ProbeKind>) -> VicEp {
        let mut e = VicEp::start(self.since, self.run_src);
        e.opened(self.run_src, self.since, None);
        e.kind = k.map(ProbeKind::every_syn_alike);
        e
    }

    /// Whether the episode's packets no source alert covered could make a victim alert on
    /// their own by count: `min_packets` of them from `min_sources` sources.
    fn alertable(&self, min_packets: u64, min_sources: u64) -> bool {
        self.tally.packets.saturating_sub(self.covered_packets) >= min_packets
            && self.distinct_sources().saturating_sub(self.covered_sources) >= min_sources
    }

    /// Remember attacking end `src`, which opened a source episode at `now`, if it is among
    /// the first [`OPENERS`] ends to, or the first after them. In a network's episode (`to`:
    /// the address its packet went to), only an end to an address none of them went to: a
    /// flood at one host of the network, alerted on its own, then a flood spread over the
    /// network (a victim alert covers the first, [`VicEp::cover_victim`]; the network alert is
    /// the second's, from its first end to another address), where the host's flood's
    /// thousands of sources would fill them all.
    fn opened(&mut self, src: IpAddr, now: f64, to: Option<IpAddr>) {
        let n = usize::from(self.n_openers);
        if self.openers[..n]
            .iter()
            .any(|o| o.0 == src || to.is_some_and(|a| o.3 == a))
        {
            return;
        }
        let to = to.unwrap_or(src);
        if n < OPENERS {
            self.openers[n] = (src, now, false, to);
            self.n_openers += 1;
        } else if self.later.is_none() {
            self.later = Some((src, now, to));
        }
    }

    /// A victim alert about address `vic` of this network's episode covered its packets from
    /// `first` to `last`: the ends whose first packet to the network went to it then.
    fn cover_victim(&mut self, vic: IpAddr, (first, last): (f64, f64)) {
        let n = usize::from(self.n_openers);
        let within = |t: f64| first <= t && t <= last;
        for o in &mut self.openers[..n] {
            if o.3 == vic && within(o.1) {
                o.2 = true;
            }
        }
        if self.later.is_some_and(|l| l.2 == vic && within(l.1)) {
            self.later = None;
        }
    }

    /// An alert of source `src`'s own covered its packets to the victim, or its episode
    /// ended as a client's (`Aggregator::close_source`).
    fn cover(&mut self, src: IpAddr) {
        let n = usize::from(self.n_openers);
        if let Some(o) = self.openers[..n].iter_mut().find(|o| o.0 == src) {
            o.2 = true;
        }
    }

    /// The attacking end, and its first packet's time, a victim alert names and begins with:
    /// the first opener no source (or, in a network's, victim) alert covered, else the first
    /// end after them, else the episode's first end at its start. (A scanner alerted on its
    /// own, then a flood from spoofed sources at the same victim within the gap: the victim
    /// alert is the flood's, from its first source, not the scanner's from the scan's start.)
    fn opener(&self) -> (IpAddr, f64) {
        let n = usize::from(self.n_openers);
        self.openers[..n]
            .iter()
            .find(|o| !o.2)
            .map(|o| (o.0, o.1))
            .or(self.later.filter(|_| n == OPENERS).map(|l| (l.0, l.1)))
            .unwrap_or((self.first_src, self.tally.first))
    }

    /// Add a flagged packet from attacking end `src` (`new_source`: it opened a source
    /// episode; `to`: in a network's episode, the address it went to).
    /// (`k`: the packet's address keys.)
    fn add(
        &mut self,
        now: f64,
        p: &PacketRepr,
        v: &PacketVerdict,
        (src, new_source, to): (IpAddr, bool, Option<IpAddr>),
        inbound: bool,
        k: &AddrKeys,
    ) {
        self.tally.add(now, p, v, inbound, k.md);
        self.total += 1;
        self.sources += u64::from(new_source);
        if new_source {
            self.opened(src, now, to);
        }
        // `hash_key(61, ip_key(src))`
        self.distinct.add(hash_mixed(61, k.premix_of(p, src)));
    }

    /// Distinct sources: the source episodes opened (exact), unless fewer than half as many
    /// distinct addresses opened them — a client whose flagged packets come more than the gap
    /// apart opens one each time —, then the estimated number of addresses (linear counting, a
    /// few percent off; HyperLogLog past a few thousand, ±13%: never taken for a count it is
    /// merely off from).
    fn distinct_sources(&self) -> u64 {
        let d = self.distinct.estimate().round();
        if d < 0.5 * self.sources as f64 {
            d as u64
        } else {
            self.sources
        }
    }
}

/// Alerted spans kept per source for the slow-scan rule's fast findings
/// ([`Aggregator::finding`]): enough for a scanner's alerts over the 90 s a finding of refused
/// targets is held ([`crate::slowscan::REPROBE_HOLD`]; the lab's captures run an attack every
/// 10–15 s). A new entry's spans are (0, 0), before any capture.
const FLAGGED_SPANS: usize = 16;

/// Flagged spans kept per victim for the slow-scan rule's later scans ([`Finding::later`]),
/// decided at the end of their scanner's episode, seconds after the scan: a few suffice.
const VICTIM_SPANS: usize = 4;

/// Fast findings parked in one source episode at most ([`SrcEp::parked`]); one more is
/// reported at once.
const MAX_PARKED: usize = 4;

/// The hash of the episode tables: from a random per-process seed, each word of the key
/// folded in with a multiplication, the whole mixed by SplitMix64's finaliser. The tables are
/// keyed by addresses an attacker chooses, so the seed is secret (as std's SipHash keys
/// are), yet an address costs a few multiplications, not a SipHash round per word. (Each
/// fold is a bijection of the word folded in and the finaliser a bijection, so two addresses
/// of one family never hash alike; where their hashes fall in a table depends on the seed.)
#[derive(Clone, Copy)]
struct SeededHash(u64);

impl SeededHash {
    fn new() -> SeededHash {
        use std::hash::{BuildHasher, Hasher};
        SeededHash(std::hash::RandomState::new().build_hasher().finish())
    }
}

impl std::hash::BuildHasher for SeededHash {
    type Hasher = SeededHasher;
    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(self.0)
    }
}

struct SeededHasher(u64);

impl SeededHasher {
    /// Fold one word in (the per-word step: one multiplication, the mixing left to
    /// [`std::hash::Hasher::finish`]; an address is hashed as a word or two and a family tag,
    /// several times per packet).
    #[inline(always)]
    fn fold(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::Hasher for SeededHasher {
    fn write(&mut self, bytes: &[u8]) {
        for c in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            self.fold(u64::from_le_bytes(w));
            self.fold(c.len() as u64);
        }
    }
    fn write_u8(&mut self, v: u8) {
        self.fold(u64::from(v));
    }
    fn write_u16(&mut self, v: u16) {
        self.fold(u64::from(v));
    }
    fn write_u32(&mut self, v: u32) {
        self.fold(u64::from(v));
    }
    fn write_u64(&mut self, v: u64) {
        self.fold(v);
    }
    fn write_u128(&mut self, v: u128) {
        self.fold(v as u64);
        self.fold((v >> 64) as u64);
    }
    fn write_usize(&mut self, v: usize) {
        self.fold(v as u64);
    }
    fn write_isize(&mut self, v: isize) {
        self.fold(v as u64);
    }
    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

/// A map with least-recently-touched order, for bounded episode tables: a queue of (key,
/// touch number), stale entries skipped lazily and compacted away. Each entry is boxed in a
/// slab (`slots`, its free places reused) and the hash table maps a key to its place: the
/// table then holds a key and an index per bucket, not a whole episode (some 700 bytes).
/// Under churn at the bound (a flood from random sources), the table keeps about four buckets
/// per entry (deleted buckets wait for its next rehash), so with the episodes inline it held
/// 256 MiB for 65,536 sources, and every insertion moved a whole episode into it.
///
/// The key found or inserted last and its place are remembered (`last`): a flood or a scan
/// looks up the same source, victim and network several times per packet (the swap of ends,
/// the cut of long episodes, the packet's own count), packet after packet, and each of those
/// look-ups then costs a comparison instead of a hash and a probe. A key keeps its place until
/// it is taken out (a replacing insertion keeps it), and taking a key out forgets it if it was
/// the one remembered, so the place remembered is always the one the table holds for that
/// key. (Remembering a look-up's absence too was tried: +17.6 M instructions on the benchmark
/// capture, more than it saves.)
struct Lru<V> {
    map: HashMap<IpAddr, u32, SeededHash>,
    /// The entries, by place: (touch number, value); `None` at a free place.
    slots: Vec<Option<Box<(u64, V)>>>,
    /// Free places in `slots`, the last freed taken first.
    free: Vec<u32>,
    /// The key found or inserted last, and its place (see the type's docs).
    last: Option<(IpAddr, u32)>,
    queue: VecDeque<(IpAddr, u64)>,
    seq: u64,
    /// Set when [`Lru::pop_quiet`] stopped at the least recently touched entry: the time it
    /// found that entry last active at. Until that entry is touched or any entry is taken out
    /// or replaced, the queue's front is that entry, and its time can only have grown (times
    /// come from a clock that never goes back), so an instant less than the gap after this
    /// one finds nothing quiet without a look.
    front_last: Option<f64>,
}

/// A present entry of an [`Lru`], to change and then mark as just touched.
struct Slot<'a, V> {
    k: IpAddr,
    e: &'a mut (u64, V),
    queue: &'a mut VecDeque<(IpAddr, u64)>,
    seq: &'a mut u64,
    front_last: &'a mut Option<f64>,
}

impl<V> Slot<'_, V> {
    fn val(&mut self) -> &mut V {
        &mut self.e.1
    }

    /// Mark the entry as just touched. Whether the queue grew (then [`Lru::compact`]).
    #[must_use]
    fn touch(self) -> bool {
        let (k, e) = (self.k, self.e);
        // the newest already (a flood touches one key packet after packet): the order
        // stays as it is, and no stale queue entry is made
        if e.0 == *self.seq && self.queue.back() == Some(&(k, *self.seq)) {
            return false;
        }
        if self.queue.front() == Some(&(k, e.0)) {
            // the oldest moves to the back: another becomes the oldest
            *self.front_last = None;
        }
        *self.seq += 1;
        e.0 = *self.seq;
        self.queue.push_back((k, *self.seq));
        true
    }
}

impl<V> Lru<V> {
    fn new() -> Lru<V> {
        Lru {
            map: HashMap::with_hasher(SeededHash::new()),
            slots: Vec::new(),
            free: Vec::new(),
            last: None,
            queue: VecDeque::new(),
            seq: 0,
            front_last: None,
        }
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    /// `k`'s place, if present: the one remembered, or the table's (then remembered).
    #[inline]
    fn place(&mut self, k: &IpAddr) -> Option<u32> {
        if let Some((lk, i)) = self.last {
            if lk == *k {
                return Some(i);
            }
        }
        let i = *self.map.get(k)?;
        self.last = Some((*k, i));
        Some(i)
    }

    /// The entry at place `i` (present: `i` came from the table or from `last`).
    #[inline]
    fn entry_at(&mut self, i: u32) -> Option<&mut (u64, V)> {
        self.slots.get_mut(i as usize)?.as_deref_mut()
    }

    fn get_mut(&mut self, k: &IpAddr) -> Option<&mut V> {
        let i = self.place(k)?;
        self.entry_at(i).map(|e| &mut e.1)
    }

    fn get(&self, k: &IpAddr) -> Option<&V> {
        self.peek(k).map(|e| &e.1)
    }

    /// `k`'s entry, if present, without remembering it.
    #[inline]
    fn peek(&self, k: &IpAddr) -> Option<&(u64, V)> {
        let i = match self.last {
            Some((lk, i)) if lk == *k => i,
            _ => *self.map.get(k)?,
        };
        self.slots.get(i as usize)?.as_deref()
    }

    /// `k`'s entry, if present, to change and then touch (one lookup for both).
    fn slot(&mut self, k: &IpAddr) -> Option<Slot<'_, V>> {
        let i = self.place(k)?;
        let e = &mut **self.slots.get_mut(i as usize)?.as_mut()?;
        Some(Slot {
            k: *k,
            e,
            queue: &mut self.queue,
            seq: &mut self.seq,
            front_last: &mut self.front_last,
        })
    }

    /// Drop the stale queue entries once they outnumber the live ones (by 1024 and twice).
    fn compact(&mut self) {
        if self.queue.len() > 2 * self.map.len() + 1024 {
            let (map, slots) = (&self.map, &self.slots);
            self.queue.retain(|(k, s)| {
                map.get(k)
                    .and_then(|&i| slots.get(i as usize))
                    .and_then(|e| e.as_deref())
                    .is_some_and(|e| e.0 == *s)
            });
        }
    }

    fn insert(&mut self, k: IpAddr, v: V) {
        // as inserting untouched and touching: a new entry is never the newest already
        self.seq += 1;
        let e = Some(Box::new((self.seq, v)));
        match self.map.entry(k) {
            Entry::Occupied(o) => {
                // replaced in its place
                if let Some(s) = self.slots.get_mut(*o.get() as usize) {
                    *s = e;
                }
                self.front_last = None;
            }
            Entry::Vacant(vac) => {
                let i = match self.free.pop() {
                    Some(i) => {
                        if let Some(s) = self.slots.get_mut(i as usize) {
                            *s = e;
                        }
                        i
                    }
                    None => {
                        self.slots.push(e);
                        // as many places as entries held at once, at most `max_sources`
                        // (2^32 would be some 3 TB of episodes)
                        (self.slots.len() - 1) as u32
                    }
                };
                vac.insert(i);
                // (looked up next, most often: the packet's episode just opened)
                self.last = Some((k, i));
            }
        }
        self.queue.push_back((k, self.seq));
        self.compact();
    }

    /// Take `k` out (its queue entries become stale and are skipped).
    fn remove(&mut self, k: &IpAddr) -> Option<V> {
        let i = self.map.remove(k)?;
        if self.last.is_some_and(|(lk, _)| lk == *k) {
            self.last = None;
        }
        let e = self.slots.get_mut(i as usize)?.take()?;
        self.free.push(i);
        self.front_last = None;
        Some(e.1)
    }

    /// Take `k` out if `pred` holds for its value.
    fn remove_if(&mut self, k: &IpAddr, pred: impl Fn(&V) -> bool) -> Option<V> {
        let i = self.place(k)?;
        if !pred(&self.entry_at(i)?.1) {
            return None;
        }
        self.remove(k)
    }

    /// The keys whose values `pred` holds for, least recently touched first.
    fn keys_where(&self, pred: impl Fn(&V) -> bool) -> Vec<IpAddr> {
        let mut v: Vec<(u64, IpAddr)> = self
            .map
            .iter()
            .filter_map(|(k, &i)| Some((k, self.slots.get(i as usize)?.as_deref()?)))
            .filter(|(_, e)| pred(&e.1))
            .map(|(k, e)| (e.0, *k))
            .collect();
        v.sort_unstable();
        v.into_iter().map(|(_, k)| k).collect()
    }

    /// The least recently touched entry (the stale queue entries in front of it dropped).
    fn oldest(&mut self) -> Option<(IpAddr, &V)> {
        while let Some(&(k, s)) = self.queue.front() {
            // (not remembered: the per-packet look-ups are of other keys)
            match self.peek(&k) {
                Some(e) if e.0 == s => return self.peek(&k).map(|e| (k, &e.1)),
                _ => {
                    self.queue.pop_front();
                }
            }
        }
        None
    }

    /// Take out `k`, the least recently touched entry ([`Lru::oldest`]).
    fn pop_front(&mut self, k: IpAddr) -> Option<(IpAddr, V)> {
        self.queue.pop_front();
        self.front_last = None;
        self.remove(&k).map(|v| (k, v))
    }

    /// The least recently touched entry, if `pred` holds for it.
    fn pop_oldest_if(&mut self, pred: impl Fn(&V) -> bool) -> Option<(IpAddr, V)> {
        let (k, v) = self.oldest()?;
        if !pred(v) {
            return None;
        }
        self.pop_front(k)
    }

    /// Whether [`Lru::pop_quiet`] at `now` may find something, or change anything: `false`
    /// when it would return `None` at once (the oldest entry known active within the gap, or
    /// no entry).
    #[inline]
    fn may_be_quiet(&self, now: f64, gap: f64) -> bool {
        !(self.queue.is_empty() || self.front_last.is_some_and(|t| now - t <= gap))
    }

    /// The least recently touched entry, if it is quiet at `now`: `now − last(value) > gap`
    /// (as [`Lru::pop_oldest_if`] with that condition, without a lookup while the oldest
    /// entry is known not to be).
    fn pop_quiet(&mut self, now: f64, gap: f64, last: impl Fn(&V) -> f64) -> Option<(IpAddr, V)> {
        // the oldest entry's time is at least `t`, so `now − its time` is at most `now − t`
        // (rounding keeps the order)
        if self.front_last.is_some_and(|t| now - t <= gap) {
            return None;
        }
        let (k, v) = self.oldest()?;
        let t = last(v);
        if now - t <= gap {
            self.front_last = Some(t);
            return None;
        }
        self.pop_front(k)
    }
}

/// Flagged packets → episodes → alerts.
struct Aggregator {
    s: DetectSettings,
    sources: Lru<SrcEp>,
    victims: Lru<VicEp>,
    /// Victim networks' episodes, at most [`Aggregator::max_networks`].
    networks: Lru<NetEp>,
    clock: f64,
    /// Per source: the first and last flagged packet of its latest [`FLAGGED_SPANS`] alerts, or
    /// episodes flagged at alert volume, newest first (a fast finding may be decided a while
    /// after its scan: the slow-scan rule holds those of refused targets to see whether their
    /// source polls, by which time the scanner may have been alerted for other attacks), and
    /// whether the episode was alerted: one of fifteen packets flagged among hundreds (less
    /// than [`DetectSettings::min_fraction`]) raised no alert, and covers no scan.
    flagged: SetAssoc<u128, [(f64, f64, bool); FLAGGED_SPANS]>,
    /// Per victim: the first and last flagged packet of its latest [`VICTIM_SPANS`] episodes
    /// flagged at alert volume ([`DetectSettings::min_packets`]), newest first: whether the
    /// networks flagged a later scan of that host ([`Aggregator::victim_flagged`]).
    victim_flagged: SetAssoc<u128, [(f64, f64); VICTIM_SPANS]>,
    /// Per source: the slow-scan episode of its latest fast finding reported.
    fast_reported: SetAssoc<u128, f64>,
    /// Later scans' fast findings ([`Finding::later`]) made while their scanner had no open
    /// episode, in the order made, each decided a gap after it was made (the networks'
    /// first flagged packets of the scan may come just after its fifteenth refusal); at most
    /// [`MAX_PARKED`] × 16, the oldest decided early when full.
    pending: VecDeque<Finding>,
    /// Alerts of slow attacks held for their attack's next round ("Slow attacks' rounds"), in
    /// the order raised; at most [`MAX_HELD`], the oldest reported early when full.
    held: VecDeque<Held>,
    /// No held alert is due before this time (a lower bound: a merge puts one's off).
    held_due: f64,
}

/// Alerts held at most for their attacks' next rounds ([`Aggregator::held`]).
const MAX_HELD: usize = 1024;

/// How long after a slow-request alert's last flagged packet the next round of its attack
/// may begin and still be that attack's, seconds: slowhttptest's rounds come every 10 s by
/// default (`-i`), slowloris.pl's and slowloris.py's every 15 s; twice the slower.
pub const SLOW_REQUEST_HORIZON: f64 = 30.0;

/// Which rule's rounds a held alert waits for ([`Aggregator::held`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// The slow-request rule's ([`crate::slowrequests`]): the next round of header lines or
    /// body bytes on the connections the attack holds.
    SlowRequests,
    /// The few-port UDP scan rule's ([`crate::fewports`]): the scan's next window of probes
    /// of the host, of the same chain ([`Finding::episode`]), one window between at most.
    FewPorts,
}

impl Hold {
    /// How long after the held alert's last flagged packet its attack's next round may begin.
    fn horizon(self) -> f64 {
        match self {
            Hold::SlowRequests => SLOW_REQUEST_HORIZON,
            Hold::FewPorts => 2.0 * crate::fewports::WINDOW,
        }
    }

    /// How long after the held alert's last flagged packet it is reported if no round
    /// followed: the horizon, and the time to raise the next round's alert (a slow-request
    /// episode ends a gap after its last packet; a few-port window is judged
    /// [`crate::fewports::WINDOW`] + [`crate::fewports::ANSWER_WAIT`] after its first probe,
    /// which comes at most two windows after the held one's last).
    fn wait(self, gap: f64) -> f64 {
        match self {
            Hold::SlowRequests => SLOW_REQUEST_HORIZON + gap,
            Hold::FewPorts => 3.0 * crate::fewports::WINDOW + crate::fewports::ANSWER_WAIT,
        }
    }
}

/// A held alert ([`Aggregator::held`]).
struct Held {
    alert: Alert,
    hold: Hold,
    /// When it is reported unless a round is merged into it ([`Hold::wait`] after its last
    /// flagged packet), or unless its source's open episode may be that round.
    due: f64,
}

impl Aggregator {
    fn new(s: DetectSettings) -> Aggregator {
        Aggregator {
            s,
            sources: Lru::new(),
            victims: Lru::new(),
            networks: Lru::new(),
            clock: f64::NEG_INFINITY,
            flagged: SetAssoc::new(RECENT_SCANNERS),
            victim_flagged: SetAssoc::new(RECENT_SCANNERS),
            fast_reported: SetAssoc::new(RECENT_SCANNERS),
            pending: VecDeque::new(),
            held: VecDeque::new(),
            held_due: f64::INFINITY,
        }
    }

    /// Report alert `a`, or hold it for its attack's next round when a rule that holds an
    /// attack across quiet gaps raised it (`hold`), or merge it into the held alert of its
    /// attack's round before: one of the same source, victim and class, of the same rule, that
    /// it began at most the rule's horizon after ([`Hold::horizon`]) — and, for slow requests,
    /// that is no new attack (`again`: an episode of slow requests with a connection's next
    /// round, or no addition at all, its tool's closes; a new attack's episode adds only its
    /// connections' first; always for a few-port scan's window, its chain telling its scan),
    /// and, with
    /// [`DetectSettings::max_episode`], that would last no longer than that with it.
    /// Returns whether `a` was merged (not an alert of its own).
    fn raise(
        &mut self,
        a: Alert,
        hold: Option<(Hold, bool)>,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) -> bool {
        let Some((hold, again)) = hold else {
            sink(Event::Alert(&a));
            return false;
        };
        let cap = self.s.max_episode;
        let chain = |x: &Alert| x.slow_scan.map(|f| f.episode);
        let same = |h: &Held| {
            h.hold == hold
                && h.alert.src == a.src
                && h.alert.dst == a.dst
                && h.alert.class == a.class
                && chain(&h.alert) == chain(&a)
                && a.first_seen >= h.alert.first_seen
                && a.first_seen <= h.alert.last_seen + hold.horizon()
                && (cap <= 0.0 || a.last_seen - h.alert.first_seen <= cap)
        };
        if again {
            if let Some(h) = self.held.iter_mut().rev().find(|h| same(h)) {
                h.alert.merge(&a);
                h.due = h.alert.last_seen + hold.wait(self.s.gap);
                st.merged_alerts += 1;
                return true;
            }
        }
        if self.held.len() >= MAX_HELD {
            if let Some(h) = self.held.pop_front() {
                sink(Event::Alert(&h.alert));
            }
        }
        let due = a.last_seen + hold.wait(self.s.gap);
        self.held_due = self.held_due.min(due);
        self.held.push_back(Held {
            alert: a,
            hold,
            due,
        });
        false
    }

    /// Report the held alerts due at `now` (all when `all`): those whose attack's next round
    /// did not come within its horizon. One whose source has an open episode that began
    /// within the horizon (the round, to be merged when it ends) is put off until a gap after
    /// that episode's last packet. A held alert is so reported at most [`Hold::wait`] after
    /// its last flagged packet, or a gap after the episode that might continue it; with
    /// [`DetectSettings::max_episode`], the rounds merged into it span at most that, and it
    /// is put off only while the open episode could still be merged (has not made it longer
    /// than that): on a live capture (60 s) an alert of a slow attack is reported at most
    /// max_episode + [`SLOW_REQUEST_HORIZON`] + a gap (94 s) after its first flagged packet
    /// (and the live tick, 250 ms).
    #[inline(never)]
    fn release_held(&mut self, now: f64, all: bool, sink: &mut dyn FnMut(Event<'_>)) {
        let (gap, cap) = (self.s.gap, self.s.max_episode);
        let mut next = f64::INFINITY;
        let mut i = 0;
        while i < self.held.len() {
            let h = &mut self.held[i];
            if !all && h.due > now {
                next = next.min(h.due);
                i += 1;
                continue;
            }
            let within = h.alert.last_seen + h.hold.horizon();
            // (an open episode that could still be merged: with max_episode, one that has
            // not yet made the alert longer than that)
            let open = self
                .sources
                .get(&h.alert.src)
                .filter(|e| e.tally.first <= within && e.tally.first >= h.alert.first_seen)
                .filter(|e| cap <= 0.0 || e.tally.last - h.alert.first_seen <= cap)
                .map(|e| e.tally.last + gap);
            if let Some(until) = open.filter(|&u| !all && u > now) {
                h.due = until.max(h.due);
                next = next.min(h.due);
                i += 1;
                continue;
            }
            if let Some(h) = self.held.remove(i) {
                sink(Event::Alert(&h.alert));
            }
        }
        self.held_due = next;
    }

    /// [`Aggregator::packet_with_ends`] with the packet's own ends ([`attacker_and_victim`]).
    #[cfg(test)]
    fn packet(
        &mut self,
        p: &PacketRepr,
        v: &PacketVerdict,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let keys = AddrKeys::of(p);
        self.packet_with_ends((p, &keys), v, attacker_and_victim(p), false, st, sink);
    }

    /// Count one packet's verdict, charged to its attacking end `att` and victim `vic` (its
    /// own, or for a later fragment its first fragment's). Unless `fixed` (a rule decided who
    /// sent it against whom: a reflected answer is the reflector's), a packet whose victim
    /// has an open source episode and whose attacker has none is charged to that episode (a
    /// scanner stays the attacker whichever port its peer answers from).
    /// The probes sent to `vic` moved on to another kind ([`VicEp::switched`]): the episode
    /// as it stood before the run's last probe ends; the next, with the run's packets since
    /// and packet `p`, goes on. Rare, and out of line: the episodes moved here would otherwise
    /// sit in the stack frame of every packet's pass through [`Aggregator::packet_with_ends`].
    #[cold]
    #[inline(never)]
    fn switch_victim(
        &mut self,
        (p, keys): (&PacketRepr, &AddrKeys),
        v: &PacketVerdict,
        (att, vic, new_source): (IpAddr, IpAddr, bool),
        (kind, now): (Option<ProbeKind>, f64),
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let Some(mut ended) = self.victims.remove(&vic) else {
            return;
        };
        let [old, mut e] = match ended.held.take() {
            Some(held) => *held,
            None => {
                let next = ended.next(kind);
                [ended, next]
            }
        };
        st.victim_changes += 1;
        self.close_victim(vic, old, st, sink);
        e.add(now, p, v, (att, new_source, None), p.dst == vic, keys);
        self.victims.insert(vic, e);
    }

    fn packet_with_ends(
        &mut self,
        (p, keys): (&PacketRepr, &AddrKeys),
        v: &PacketVerdict,
        (mut att, mut vic): (IpAddr, IpAddr),
        fixed: bool,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        if p.ts.is_finite() && p.ts > self.clock {
            self.advance(p.ts, st, sink);
        }
        let now = self.clock;
        let attack = v.class.is_attack();
        let runs = (self.s.change_probes, self.s.change_pattern);
        let shifts = runs != (0, 0);
        // a probe is its sender's, whoever else has an episode open: a scan of a host that
        // is itself in an episode (a false one, or the victim forged as a land's source) is
        // its scanner's, not charged to that host
        let fixed = fixed || (p.src == att && sent_as_probe(p));
        // an attack that goes on is reported piece by piece
        let cut = attack && self.s.max_episode > 0.0;
        if cut {
            // a known attacker stays the attacker whichever port its peer answers from
            if !fixed
                && self.sources.get_mut(&att).is_none()
                && self
                    .sources
                    .get_mut(&vic)
                    .is_some_and(|e| known_attacker(e, p, att))
            {
                std::mem::swap(&mut att, &mut vic);
            }
            self.cut_long(att, vic, now, st, sink);
        }
        // the source's episode (one lookup: the swap above, done here when there is no cut)
        // (only a UDP datagram is kept: no division for the rest)
        let cap = if p.proto == nightjar_packet::proto::UDP {
            exchange_cap(self.sources.len())
        } else {
            EXCHANGES_KEPT
        };
        let slot = match self.sources.slot(&att) {
            Some(s) => Some(s),
            None if !cut && !fixed => {
                let s = self.sources.slot(&vic);
                let s = s.filter(|s| known_attacker(&s.e.1, p, att));
                if s.is_some() {
                    std::mem::swap(&mut att, &mut vic);
                }
                s
            }
            None => None,
        };
        if !attack {
            // probes the networks leave to their answers (a connect scan's SYNs) show a change
            // of attack too
            let min = self.s.min_packets;
            let moved = slot.and_then(|mut s| {
                let e = s.val();
                e.exchange_cap = cap;
                let next = shifts
                    .then(|| e.take_shift(p, (att, now), runs, (false, v.established), min, st))
                    .flatten();
                if next.is_none() {
                    e.pass(p, att, v.resent);
                    e.ordinary(p, att, v.established);
                }
                next
            });
            if let Some(shift) = moved {
                let next = SrcEp {
                    shift,
                    exchange_cap: cap,
                    ..SrcEp::start(shift.since, vic)
                };
                self.restart_source(att, next, st, sink);
                if let Some(e) = self.sources.get_mut(&att) {
                    e.exchange_cap = cap;
                    e.pass(p, att, v.resent);
                }
            }
            // the victim's answer to a SYN (a botnet's raw SYNs, each bot's few passed):
            // the resets that answer it are no reset flood (Profile::answered_syns)
            let answer = || p.tcp_flags & 0x17 == 0x12 && p.proto == 6 && p.src == vic;
            if let Some(e) = self.victims.get_mut(&vic) {
                e.total += 1;
                if answer() {
                    e.answered_syns = e.answered_syns.saturating_add(1);
                }
                if let Some(h) = e.held.as_mut() {
                    h[1].total += 1;
                    h[1].answered_syns += u32::from(answer());
                }
            }
            if !self.networks.is_empty() {
                if let Some(e) = self.networks.get_mut(&network_of(vic)) {
                    e.vic.total += 1;
                    if answer() {
                        e.vic.answered_syns = e.vic.answered_syns.saturating_add(1);
                    }
                }
            }
            return;
        }
        // Ok: it went on (whether the queue grew); Err: it moved on to another kind of probe
        // (the next episode's shift), or it had none
        let min = self.s.min_packets;
        // whether the packet counts in its network's episode (see SrcEp::to_network)
        let mut to_network = true;
        let went_on = match slot {
            Some(mut s) => {
                let e = s.val();
                e.exchange_cap = cap;
                let next = shifts
                    .then(|| e.take_shift(p, (att, now), runs, (true, v.established), min, st))
                    .flatten();
                match next {
                    Some(next) => Err(Some(next)),
                    None => {
                        e.add(now, p, v, p.src == att, vic, keys);
                        e.ordinary(p, att, v.established);
                        to_network = e.tally.packets < min;
                        e.to_network += u64::from(to_network);
                        Ok(s.touch())
                    }
                }
            }
            None => Err(None),
        };
        let new_source = match went_on {
            Ok(grew) => {
                if grew {
                    self.sources.compact();
                }
                false
            }
            Err(Some(shift)) => {
                let mut next = SrcEp {
                    shift,
                    to_network: 1,
                    exchange_cap: cap,
                    ..SrcEp::start(shift.since, vic)
                };
                next.add(now, p, v, p.src == att, vic, keys);
                self.restart_source(att, next, st, sink);
                true
            }
            Err(None) => {
                if self.sources.len() >= self.s.max_sources {
                    if let Some((k, e)) = self.sources.pop_oldest_if(|_| true) {
                        st.episode_evictions += 1;
                        self.close_source(k, e, st, sink);
                    }
                }
                let mut first = SrcEp {
                    to_network: 1,
                    exchange_cap: cap,
                    ..SrcEp::start(now, vic)
                };
                if shifts {
                    // its first probe sets its kind
                    first
                        .shift
                        .take(p, att, now, runs, true, v.established, false);
                }
                first.add(now, p, v, p.src == att, vic, keys);
                self.sources.insert(att, first);
                st.peak_sources = st.peak_sources.max(self.sources.len());
                true
            }
        };
        // the victim's episode, unless the probes sent to it moved on to another kind
        let kind = (p.dst == vic).then(|| ProbeKind::of_victim(p)).flatten();
        let (vmin, vsrc) = (self.s.victim_min_packets, self.s.victim_min_sources);
        let mut switched = false;
        let known_victim = match self.victims.slot(&vic) {
            Some(mut s) => {
                let e = s.val();
                switched = e.switched(kind, (att, now), self.s.change_probes, |e| {
                    e.alertable(vmin, vsrc)
                });
                if !switched {
                    e.add(now, p, v, (att, new_source, None), p.dst == vic, keys);
                    if let Some(h) = e.held.as_mut() {
                        h[1].add(now, p, v, (att, new_source, None), p.dst == vic, keys);
                    }
                    if s.touch() {
                        self.victims.compact();
                    }
                }
                true
            }
            None => {
                if self.victims.len() >= self.s.max_sources {
                    if let Some((k, e)) = self.victims.pop_oldest_if(|_| true) {
                        st.episode_evictions += 1;
                        self.close_victim(k, e, st, sink);
                    }
                }
                let mut e = VicEp::start(now, att);
                // a new victim's first source counts whether or not the source was new
                e.add(now, p, v, (att, true, None), p.dst == vic, keys);
                self.victims.insert(vic, e);
                false
            }
        };
        if switched {
            self.switch_victim((p, keys), v, (att, vic, new_source), (kind, now), st, sink);
        }
        if !to_network {
            return;
        }
        // the victim network's episode, unless it moved on to another kind of probe
        let net = network_of(vic);
        let host = hash_key(103, ip_key(vic));
        let went_on = match self.networks.slot(&net) {
            Some(mut s) => {
                let e = s.val();
                let moved = e.moved_on(kind, self.s.change_probes);
                if !moved {
                    e.vic
                        .add(now, p, v, (att, new_source, Some(vic)), p.dst == vic, keys);
                    e.hosts.add(host);
                    if s.touch() {
                        self.networks.compact();
                    }
                }
                !moved
            }
            // a network's episode opens at the second flagged packet to one of its addresses
            // within the gap: traffic to random addresses over the whole address space
            // (`macof`'s), one packet to each, opens none (and costs no episode a packet)
            None if !known_victim => return,
            None => false,
        };
        if went_on {
            return;
        }
        if let Some(e) = self.networks.remove(&net) {
            self.close_network(net, e, st, sink);
        } else if self.networks.len() >= self.max_networks() {
            if let Some((k, e)) = self.networks.pop_oldest_if(|_| true) {
                st.episode_evictions += 1;
                self.close_network(k, e, st, sink);
            }
        }
        let mut e = NetEp {
            vic: VicEp::start(now, att),
            hosts: Distinct::default(),
            covered_hosts: 0,
            kind,
            run: 0,
        };
        e.vic
            .add(now, p, v, (att, true, Some(vic)), p.dst == vic, keys);
        e.hosts.add(host);
        self.networks.insert(net, e);
    }

    /// Victim networks with an open episode kept at most: a sixteenth of
    /// [`DetectSettings::max_sources`] (a carpet attack needs one; traffic that sends two
    /// packets each to random addresses over the whole address space opens one per two).
    fn max_networks(&self) -> usize {
        (self.s.max_sources / 16).max(16)
    }

    /// End the open episodes of source `att` and of victim `vic` that began at least
    /// [`DetectSettings::max_episode`] before `now`.
    fn cut_long(
        &mut self,
        att: IpAddr,
        vic: IpAddr,
        now: f64,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let cap = self.s.max_episode;
        let long = |first: f64| now - first >= cap;
        if let Some(e) = self.sources.remove_if(&att, |e| long(e.tally.first)) {
            self.close_source(att, e, st, sink);
        }
        if self
            .victims
            .get_mut(&vic)
            .is_some_and(|e| long(e.tally.first))
        {
            // its open sources first, while it is still in the table, as when episodes
            // end by quiet: closing them counts their packets as covered in it
            let theirs = self.sources.keys_where(|e| e.victim == vic);
            for k in theirs {
                if let Some(e) = self.sources.remove(&k) {
                    self.close_source(k, e, st, sink);
                }
            }
            if let Some(e) = self.victims.remove(&vic) {
                self.close_victim(vic, e, st, sink);
            }
        }
        // (its victims' open episodes go on: each covers the next piece of the network's)
        let net = network_of(vic);
        if let Some(e) = self.networks.remove_if(&net, |e| long(e.vic.tally.first)) {
            self.close_network(net, e, st, sink);
        }
    }

    /// A source that moves on to another kind of probe ([`DetectSettings::change_probes`]) or
    /// pattern ([`DetectSettings::change_pattern`]): its open episode ends and `next` (the
    /// shift's, against the packet's victim) begins.
    fn restart_source(
        &mut self,
        att: IpAddr,
        next: SrcEp,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        if let Some(e) = self.sources.remove(&att) {
            // a change of pattern keeps the kind
            if e.shift.kind == next.shift.kind {
                st.pattern_changes += 1;
            } else {
                st.attack_changes += 1;
            }
            self.close_source(att, e, st, sink);
        }
        self.sources.insert(att, next);
    }

    /// Move the clock to `now`, ending the episodes quiet for longer than the gap (sources
    /// before victims, victims before their networks: a victim's episode outlasts its
    /// sources', a network's its victims').
    ///
    /// (Inlined: at most instants nothing is quiet — each table's oldest entry is known to be
    /// active within the gap, or the table is empty —, no finding waits its turn and no held
    /// alert is due, which is told without a call.)
    #[inline]
    fn advance(&mut self, now: f64, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
        if !(now.is_finite() && now > self.clock) {
            return;
        }
        self.clock = now;
        let gap = self.s.gap;
        if self.sources.may_be_quiet(now, gap)
            || self.victims.may_be_quiet(now, gap)
            || self.networks.may_be_quiet(now, gap)
            || self
                .pending
                .front()
                .is_some_and(|f| f.detected_at + gap <= now)
            || now >= self.held_due
        {
            self.end_quiet(now, gap, st, sink);
        }
    }

    /// [`Aggregator::advance`]'s work when something may be due: the quiet episodes ended,
    /// the findings whose wait is over decided.
    #[inline(never)]
    fn end_quiet(
        &mut self,
        now: f64,
        gap: f64,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        while let Some((k, e)) = self.sources.pop_quiet(now, gap, |e| e.tally.last) {
            self.close_source(k, e, st, sink);
        }
        while let Some((k, e)) = self.victims.pop_quiet(now, gap, |e| e.tally.last) {
            self.close_victim(k, e, st, sink);
        }
        while let Some((k, e)) = self.networks.pop_quiet(now, gap, |e| e.vic.tally.last) {
            self.close_network(k, e, st, sink);
        }
        while self
            .pending
            .front()
            .is_some_and(|f| f.detected_at + gap <= now)
        {
            if let Some(f) = self.pending.pop_front() {
                self.decide(&f, false, st, sink);
            }
        }
        // (a comparison per call while no held alert is due: the look is out of line)
        if now >= self.held_due {
            self.release_held(now, false, sink);
        }
    }

    fn close_all(&mut self, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
        while let Some((k, e)) = self.sources.pop_oldest_if(|_| true) {
            self.close_source(k, e, st, sink);
        }
        while let Some((k, e)) = self.victims.pop_oldest_if(|_| true) {
            self.close_victim(k, e, st, sink);
        }
        while let Some((k, e)) = self.networks.pop_oldest_if(|_| true) {
            self.close_network(k, e, st, sink);
        }
        self.decide_pending(st, sink);
        self.release_held(self.clock, true, sink);
    }

    /// Decide every fast finding put off ([`Aggregator::decide`]'s `wait`): the end of the
    /// capture, after every episode ended (also after the rules' last findings, which the
    /// slow-scan rule's held ones are: a later scan's released then was left undecided before
    /// session 28).
    fn decide_pending(&mut self, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
        while let Some(f) = self.pending.pop_front() {
            self.decide(&f, false, st, sink);
        }
    }

    /// A finding of the slow-scan rule. One that is not fast is reported, unless a fast one
    /// of its episode was. A fast one ([`Finding::fast`]: a scan the networks usually catch)
    /// is dropped if the networks flagged its scanner at alert volume in an episode that
    /// overlaps the scan (a source alert, or an episode covered by a victim's), alerted: one
    /// flagged at volume but too small a share of its source's packets to be alerted
    /// ([`DetectSettings::min_fraction`]: 18 of pnscan's 500 packets, session 17) covers
    /// nothing; waits for the
    /// end of the scanner's open episode, if that began before the scan ended, to know; and is
    /// reported otherwise: a horizontal scan of silent
    /// addresses at nmap's pace (ten to twenty SYNs a second) is too slow for the networks'
    /// statistics and the sweep rule, too fast for this rule's minimum interval.
    fn finding(&mut self, f: &Finding, st: &mut DetectStats, sink: &mut dyn FnMut(Event<'_>)) {
        let k = ip_key(f.scanner);
        let h = hash_key(97, k);
        if !f.fast {
            if self.fast_reported.get(&k, h) != Some(&f.episode) {
                self.slow_scan_alert(f, st, sink);
            }
            return;
        }
        self.decide(f, f.later, st, sink);
    }

    /// Decide fast finding `f` (see [`Aggregator::finding`]): left to the networks, parked in
    /// its scanner's open episode, or reported — or, if `wait` (a later scan's, just made),
    /// put off for a gap when its scanner has no open episode.
    fn decide(
        &mut self,
        f: &Finding,
        wait: bool,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let k = ip_key(f.scanner);
        let h = hash_key(97, k);
        // an episode of the scanner's covers the scan when it overlaps the scan's span (each
        // widened by a gap); one that began later is another attack of the scanner's (a fast
        // finding by silence comes the answer timeout after the probes, when the scanner may
        // be at its next attack): the networks flagging that says nothing of this scan
        let (since, until) = (f.first_seen - self.s.gap, f.last_seen + self.s.gap);
        if self.flagged.get(&k, h).is_some_and(|spans| {
            spans
                .iter()
                .any(|&(first, last, alerted)| alerted && last >= since && first <= until)
        }) && self.victim_flagged(f)
        {
            st.fast_scans_left_to_networks += 1;
        } else if let Some(e) = self
            .sources
            .get_mut(&f.scanner)
            .filter(|e| e.tally.first <= until && e.parked.len() < MAX_PARKED)
        {
            e.parked.push(*f);
        } else if wait {
            if self.pending.len() >= 16 * MAX_PARKED {
                if let Some(old) = self.pending.pop_front() {
                    self.decide(&old, false, st, sink);
                }
            }
            self.pending.push_back(*f);
        } else {
            self.report_fast(f, (k, h), st, sink);
        }
    }

    /// Report finding `f` ([`slow_scan_alert`]); a few-port scan's is held for its scan's next
    /// window ([`Aggregator::raise`]).
    fn slow_scan_alert(
        &mut self,
        f: &Finding,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        if f.trigger != crate::slowscan::Trigger::FewPorts {
            return slow_scan_alert(f, st, sink);
        }
        // (counted as an alert only when not merged into the one held for its chain)
        if !self.raise(f.to_alert(), Some((Hold::FewPorts, true)), st, sink) {
            count_slow_scan(f, st);
        }
    }

    /// Report fast finding `f` (its scanner's table key and hash `kh`), and remember its
    /// episode so that a later finding of it is not reported again.
    fn report_fast(
        &mut self,
        f: &Finding,
        (k, h): (u128, u64),
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        // (a later scan's finding has an identity of its own, which no other finding shares)
        if !f.later {
            *self.fast_reported.touch(k, h, self.clock).val = f.episode;
        }
        self.slow_scan_alert(f, st, sink);
    }

    /// Whether the networks flagged the host of `f`, a later scan's finding ([`Finding::later`]),
    /// at alert volume while it was scanned: an episode of the victim's (open, or among its
    /// latest) with [`DetectSettings::min_packets`] flagged packets that overlaps the scan
    /// from its first probe to a gap after its threshold. (A scan right after a scan of
    /// another host comes within the gap of the first one's alerted episode, often in it: the
    /// networks, their minute-long statistics full of the first scan, may pass every packet
    /// of the second, and only its own host's episodes say so.) True of every other finding.
    fn victim_flagged(&self, f: &Finding) -> bool {
        if !f.later {
            return true;
        }
        let (since, until) = (f.first_seen, f.last_seen + self.s.gap);
        let overlaps = |(first, last): (f64, f64)| last >= since && first <= until;
        if self.victims.get(&f.victim).is_some_and(|e| {
            e.tally.packets >= self.s.min_packets && overlaps((e.tally.first, e.tally.last))
        }) {
            return true;
        }
        let k = ip_key(f.victim);
        self.victim_flagged
            .get(&k, hash_key(101, k))
            .is_some_and(|spans| spans.iter().any(|&s| s != (0.0, 0.0) && overlaps(s)))
    }

    /// The end of `src`'s episode `e`, flagged at alert volume or not (`flagged`), alerted or
    /// not (`alerted`), for the fast findings parked in it: each left to the networks if they
    /// alerted the episode (and, for a later scan's, flagged its host: see
    /// [`Aggregator::victim_flagged`]).
    fn settle_parked(
        &mut self,
        src: IpAddr,
        e: &mut SrcEp,
        (flagged, alerted): (bool, bool),
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let k = ip_key(src);
        let h = hash_key(97, k);
        if flagged {
            let spans = self.flagged.touch(k, h, self.clock).val;
            spans.rotate_right(1);
            spans[0] = (e.tally.first, e.tally.last, alerted);
        }
        for f in std::mem::take(&mut e.parked) {
            if alerted && self.victim_flagged(&f) {
                st.fast_scans_left_to_networks += 1;
            } else if alerted && f.later {
                // the networks may flag its host yet (the episode ended, by quiet or by a
                // change of probes, as the scan began): put off for a gap after it was made
                self.decide(&f, true, st, sink);
            } else {
                self.report_fast(&f, (k, h), st, sink);
            }
        }
    }

    fn close_source(
        &mut self,
        src: IpAddr,
        mut e: SrcEp,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        let packets = e.tally.packets;
        // a fragment past 65,535 bytes is an attack by itself (a ping of death: one datagram,
        // or a handful): alerted however few the episode's packets, and whatever else its
        // source sent
        let oversize = e.tally.oversize > 0;
        let volume = packets >= self.s.min_packets || oversize;
        let fraction = packets as f64 / e.total.max(1) as f64;
        // too small a share of the source's packets, unless a large enough share of those it
        // exchanged with its victim (an attack from a NAT's address among its clients' traffic)
        let diluted = fraction < self.s.min_fraction;
        let paired = diluted && e.pair_share(self.s.min_packets, self.s.min_fraction);
        let quiet = !volume || (!oversize && ((diluted && !paired) || e.sent < self.s.min_sent));
        let a = (!quiet).then(|| {
            e.tally
                .alert(Scope::Source, (src, e.top_victim), (packets, e.total, 1))
        });
        // an episode flagged at alert volume whose alert is dropped after all (too slow for a
        // flood, too narrow for a scan: an on-link IPv6 sweep's neighbour solicitations,
        // flagged as an ICMP flood at a sweep's pace) has not covered its scanner's fast
        // finding, which is reported
        let dropped = match &a {
            _ if oversize => None,
            Some(a) if self.too_slow_for_a_flood(a) => Some(Dropped::SlowFlood),
            Some(a) if too_narrow_for_a_scan(a) => Some(Dropped::NarrowScan),
            Some(a) if scan_of_sessions(a, e.tally.established) => Some(Dropped::Sessions),
            Some(a)
                if self.s.session_packets > 0
                    && data_of_sessions(a, e.tally.established, e.tally.established_in) =>
            {
                Some(Dropped::SessionData)
            }
            Some(a) if e.burst_of_connections(a) && !self.attacking_before(src, e.tally.first) => {
                Some(Dropped::Burst)
            }
            Some(a) if e.burst_of_questions(a) && !self.attacking_before(src, e.tally.first) => {
                Some(Dropped::Questions)
            }
            Some(a) if e.burst_of_lookups(a) && !self.attacking_before(src, e.tally.first) => {
                Some(Dropped::Lookups)
            }
            Some(a) if e.resent_handshakes(a) && !self.attacking_before(src, e.tally.first) => {
                Some(Dropped::Handshakes)
            }
            Some(a)
                if e.burst_of_exchanges(a, self.s.min_packets)
                    && !self.attacking_before(src, e.tally.first) =>
            {
                Some(Dropped::Exchanges)
            }
            _ => None,
        };
        let flagged = volume && dropped.is_none();
        self.settle_parked(src, &mut e, (flagged, flagged && !quiet), st, sink);
        let Some(mut a) = a else {
            st.quiet_episodes += 1;
            // a client with a real address (its victim answered data it sent, after a
            // handshake), a few of its packets flagged among many more not: no first end of
            // a flood at its victim (a normal client's flagged SYN just before a spoofed SYN
            // flood's vector begins does not name the vector's alert)
            if diluted && !paired && e.answered() {
                if let Some(v) = self.victims.get_mut(&e.victim) {
                    v.cover(src);
                    if let Some(h) = v.held.as_mut() {
                        h[1].cover(src);
                    }
                }
            }
            return;
        };
        if let Some(why) = dropped {
            st.quiet_episodes += 1;
            *why.counter(st) += 1;
            return;
        }
        if paired {
            st.paired_alerts += 1;
        }
        if let Some(v) = self.victims.get_mut(&e.victim) {
            v.covered_packets += e.victim_packets;
            v.covered_sources += 1;
            v.cover(src);
        }
        // (the first few of its packets only, and all counted in its top victim's network: a
        // source spraying several networks is alerted once, and it gave each too few for an
        // alert)
        if let Some(n) = self.networks.get_mut(&network_of(e.top_victim)) {
            n.vic.covered_packets += e.to_network;
            n.vic.covered_sources += 1;
            n.vic.cover(src);
        }
        e.tally.own_protocol(&mut a);
        let slow = a.profile.as_ref().is_some_and(|p| {
            matches!(
                p.naming.rule,
                crate::profile::Rule::SlowRequests | crate::profile::Rule::SlowReads
            )
        });
        // (an episode whose additions were all connections' first is a new attack, all its
        // connections new to the rule; one with a connection's next round, or none (the
        // tool's closes), continues the attack before)
        let again = e.tally.slow_again > 0 || e.tally.slow_first == 0;
        // (counted as an alert only when not merged into the one held for its attack)
        if !self.raise(a, slow.then_some((Hold::SlowRequests, again)), st, sink) {
            st.alerts += 1;
            st.source_alerts += 1;
        }
    }

    /// Whether source `src` had an episode flagged at alert volume that ended less than the
    /// gap before `first` (or later): an episode beginning then is the same attack's, split
    /// off only by a change of probe kind or pattern (`ab` right after `nmap -sT` from one
    /// host), and a burst of connections in it is no ordinary client's.
    fn attacking_before(&self, src: IpAddr, first: f64) -> bool {
        let k = ip_key(src);
        let since = first - self.s.gap;
        // (a new entry's unused spans are (0, 0))
        self.flagged.get(&k, hash_key(97, k)).is_some_and(|spans| {
            spans
                .iter()
                .any(|&(f, l, _)| (f, l) != (0.0, 0.0) && l >= since)
        })
    }

    /// Whether `a` names a flood whose flagged packets came slower than
    /// [`DetectSettings::flood_min_rate`].
    fn too_slow_for_a_flood(&self, a: &Alert) -> bool {
        let flood = a.profile.is_some_and(|e| e.naming.is_flood());
        let span = (a.last_seen - a.first_seen).max(1.0);
        flood && (a.packets as f64) < self.s.flood_min_rate * span
    }

    fn close_victim(
        &mut self,
        victim: IpAddr,
        mut e: VicEp,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        e.tally.profile.answered_syns(e.answered_syns);
        if e.tally.packets >= self.s.min_packets {
            let k = ip_key(victim);
            let spans = self
                .victim_flagged
                .touch(k, hash_key(101, k), self.clock)
                .val;
            spans.rotate_right(1);
            spans[0] = (e.tally.first, e.tally.last);
        }
        let packets = e.tally.packets.saturating_sub(e.covered_packets);
        let sources = e.distinct_sources().saturating_sub(e.covered_sources);
        // a group address (many hosts send to an mDNS or SSDP group) is no flood's victim, nor
        // a victim whose traffic was mostly not flagged (a few stray false positives a minute
        // from each of many ordinary clients)
        let fraction = e.tally.packets as f64 / e.total.max(1) as f64;
        if packets < self.s.victim_min_packets
            || sources < self.s.victim_min_sources
            || fraction < self.s.min_fraction
            || is_group(victim)
        {
            return;
        }
        let mut a = e.tally.alert(
            Scope::Victim,
            (e.first_src, victim),
            (packets, e.tally.packets, sources),
        );
        if self.too_slow_for_a_flood(&a) {
            st.quiet_episodes += 1;
            st.slow_floods += 1;
            return;
        }
        // (decided on the episode's whole span, as before; named and dated by its first end
        // that no source alert covered)
        (a.src, a.first_seen) = e.opener();
        e.tally.own_protocol(&mut a);
        if let Some(n) = self.networks.get_mut(&network_of(victim)) {
            n.vic.covered_packets += packets;
            n.vic.covered_sources += sources;
            n.covered_hosts += 1;
            n.vic.cover_victim(victim, (e.tally.first, e.tally.last));
        }
        st.alerts += 1;
        st.victim_alerts += 1;
        sink(Event::Alert(&a));
    }

    /// The end of victim network `net`'s episode `e`: one victim alert about the network
    /// ([`Alert::network`]) when the flagged packets that no source or victim alert covered
    /// went to at least [`NETWORK_MIN_HOSTS`] of its addresses and make a victim alert's
    /// numbers (a flood spread over a subnet from spoofed sources, each address's share too
    /// small for a victim alert of its own).
    fn close_network(
        &mut self,
        net: IpAddr,
        mut e: NetEp,
        st: &mut DetectStats,
        sink: &mut dyn FnMut(Event<'_>),
    ) {
        e.vic.tally.profile.answered_syns(e.vic.answered_syns);
        let t = &e.vic.tally;
        let packets = t.packets.saturating_sub(e.vic.covered_packets);
        let sources = e
            .vic
            .distinct_sources()
            .saturating_sub(e.vic.covered_sources);
        let addresses = e.hosts.estimate().round() as u64;
        let fraction = t.packets as f64 / e.vic.total.max(1) as f64;
        if packets < self.s.victim_min_packets
            || sources < self.s.victim_min_sources
            || addresses.saturating_sub(e.covered_hosts) < NETWORK_MIN_HOSTS
            || fraction < self.s.min_fraction
            || is_group(net)
        {
            return;
        }
        let mut a = t.alert(
            Scope::Victim,
            (e.vic.first_src, net),
            (packets, t.packets, sources),
        );
        a.network = Some(Network {
            addr: net,
            len: prefix_len(net),
            addresses,
        });
        if self.too_slow_for_a_flood(&a) {
            st.quiet_episodes += 1;
            st.slow_floods += 1;
            return;
        }
        // (as a victim's: named and dated by its first end no source or victim alert covered)
        (a.src, a.first_seen) = e.vic.opener();
        e.vic.tally.own_protocol(&mut a);
        st.alerts += 1;
        st.victim_alerts += 1;
        st.network_alerts += 1;
        sink(Event::Alert(&a));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{icmp_unreach, ip, tcp, udp};

    #[test]
    fn a_network_key_is_the_key_of_the_addresss_network() {
        // RFC 4632's /24 and RFC 4291's /64 (crate::carpet::network_of), as table keys
        for (a, net) in [
            ("198.18.1.77", "198.18.1.0"),
            ("198.18.1.255", "198.18.1.0"),
            ("0.0.0.1", "0.0.0.0"),
            ("255.255.255.255", "255.255.255.0"),
            ("2001:2::c612:10a", "2001:2::"),
            ("2001:2:0:5:ffff:ffff:ffff:ffff", "2001:2:0:5::"),
            // an IPv4-mapped IPv6 address is an IPv6 address: its /64, not a /24
            ("::ffff:198.18.1.77", "::"),
        ] {
            let key = network_key(ip(a), ip_key(ip(a)));
            assert_eq!(key, ip_key(ip(net)), "{a}");
            assert_eq!(key, ip_key(network_of(ip(a))), "{a}");
        }
    }

    #[test]
    fn feature_rows_scale_alike_on_any_vector_width() {
        // 181 features (a tail shorter than any vector), values through every case of the
        // clamp: inside, at and past ±clip, infinities, NaN (kept), signed zeros, subnormals
        let specials = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            4.9999,
            5.0,
            -5.0,
            5.0001,
            1e30,
            -1e30,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MIN_POSITIVE / 4.0,
            0.3,
            -2.7,
        ];
        let n = 181;
        let row: Vec<f32> = (0..n).map(|i| specials[i % specials.len()]).collect();
        let mean: Vec<f32> = (0..n).map(|i| (i % 7) as f32 * 0.25 - 0.5).collect();
        let scale: Vec<f32> = (0..n).map(|i| 1.0 + (i % 5) as f32 * 0.5).collect();
        let (mut wide_out, mut one_out) = (vec![7.0; n], vec![7.0; n]);
        wide::scale_row(&mut wide_out, &row, (&mean, &scale), 5.0);
        for (((o, v), mu), sc) in one_out.iter_mut().zip(&row).zip(&mean).zip(&scale) {
            *o = ((*v - mu) * sc).clamp(-5.0, 5.0);
        }
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<u32>>();
        assert_eq!(bits(&wide_out), bits(&one_out));
        assert!(wide_out[12].is_nan() && wide_out[10] == 5.0 && wide_out[11] == -5.0);
    }

    fn collect(
        models: Models,
        s: DetectSettings,
        recs: Vec<Record>,
    ) -> (Vec<PacketVerdict>, Vec<Alert>, DetectStats) {
        let mut e = Engine::new(models, s).unwrap();
        let mut v = Vec::new();
        let mut a = Vec::new();
        let mut sink = |ev: Event<'_>| match ev {
            Event::Packet(p) => v.push(*p),
            Event::Alert(x) => a.push(x.clone()),
        };
        assert!(e
            .run(recs.into_iter().map(Ok), &mut sink)
            .unwrap()
            .is_none());
        let st = e.finish(&mut sink).unwrap();
        (v, a, st)
    }

    #[test]
    fn icmp_errors_are_charged_to_the_client_end_of_the_packet_they_quote() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let (att, vic) = (ip("198.18.0.67"), ip("198.18.0.10"));
        // a UDP echo flood (hping3 --udp -p 7): the echoes come back to source ports nobody
        // listens on, and the sender's kernel refuses them; val3 charged the 1,600 packets of
        // such a flood to the echo service as a "scan-udp from 198.18.0.10"
        let echo = udp(1.0, "198.18.0.10", "198.18.0.67", 7, 2001, 92);
        let refused = icmp_unreach(1.0, "198.18.0.67", "198.18.0.10", &echo);
        assert_eq!(attacker_and_victim(&refused), (att, vic));
        assert_eq!(attacker_and_victim(&echo), (att, vic));
        // a UDP scan's probe refused by the victim: charged to the scanner, whatever its ports
        for (sport, dport) in [(41000, 53), (41000, 50000), (53, 7)] {
            let probe = udp(1.0, "198.18.0.67", "198.18.0.10", sport, dport, 28);
            let refused = icmp_unreach(1.0, "198.18.0.10", "198.18.0.67", &probe);
            assert_eq!(
                attacker_and_victim(&refused),
                (att, vic),
                "{sport} -> {dport}"
            );
            assert_eq!(
                attacker_and_victim(&probe),
                (att, vic),
                "{sport} -> {dport}"
            );
        }
        // a TCP packet quoted in an error is a refused connection attempt of its sender, even
        // to a port above its own
        let syn = tcp(1.0, "198.18.0.67", "198.18.0.10", 40000, 50000, 0x02);
        let refused = icmp_unreach(1.0, "198.18.0.10", "198.18.0.67", &syn);
        assert_eq!(attacker_and_victim(&refused), (att, vic));
        // a capture of snap length 54 keeps no quote (session 21): the error is about a packet
        // its destination sent, charged to that end as a quoted one is
        let cut = PacketRepr {
            inner: None,
            payload_len: 36,
            ..refused
        };
        assert!(!forged_error(&cut));
        assert_eq!(attacker_and_victim(&cut), (att, vic));
        // an error that cannot hold a quote was made up by its sender, and is its sender's;
        // ICMP queries and replies keep their rules
        let made_up = PacketRepr {
            payload_len: 0,
            ..cut
        };
        assert!(forged_error(&made_up));
        assert_eq!(attacker_and_victim(&made_up), (vic, att));
        assert_eq!(
            attacker_and_victim(&icmp(1.0, "198.18.0.10", "198.18.0.67", 0)),
            (att, vic)
        );
        assert_eq!(
            attacker_and_victim(&icmp(1.0, "198.18.0.10", "198.18.0.67", 8)),
            (vic, att)
        );
    }

    #[test]
    fn the_reuse_table_reuses_a_key_within_its_age_and_use_limits_only() {
        let mut t = ReuseTable::new(0.05, 3);
        let k = 0xdead_beef_0000_0042u64;
        let first = t.lookup(k, 10.0);
        assert_ne!(first & MISS, 0, "a new key is scored");
        let slot = first & !MISS;
        assert_eq!(slot as usize, k as usize & (REUSE_SLOTS - 1));
        // three uses within 50 ms, then it is scored again
        for ts in [10.01, 10.02, 10.03] {
            assert_eq!(t.lookup(k, ts), slot, "reused at {ts}");
        }
        assert_eq!(t.lookup(k, 10.031), slot | MISS, "use limit");
        // age: reused up to 50 ms after its last scoring, scored after that
        assert_eq!(t.lookup(k, 10.081), slot);
        assert_eq!(t.lookup(k, 10.0815), slot | MISS, "age limit");
        // another key of the same slot takes it over, and the first key is scored again
        let other = k ^ (1 << 40);
        assert_eq!(t.lookup(other, 10.09), slot | MISS);
        assert_eq!(t.lookup(k, 10.091), slot | MISS);
        // a timestamp going backwards is taken at the last time
        assert_eq!(t.lookup(k, 3.0), slot);
        assert_eq!(t.lookup(k, f64::NAN), slot);
        // off: every packet is scored
        let mut off = ReuseTable::new(0.0, 64);
        assert_eq!(off.lookup(k, 1.0), MISS);
        assert_eq!(off.lookup(k, 1.0), MISS);
        let mut off = ReuseTable::new(1.0, 0);
        assert_eq!(off.lookup(k, 1.0), MISS);
        assert_eq!(off.lookup(k, 1.0), MISS);
    }

    #[test]
    fn verdict_reuse_skips_the_networks_for_a_steady_flood_and_keeps_its_alert() {
        // a SYN flood from one source to one port, 20,000 packets in 2 s, with normal
        // traffic before it
        let mut recs = Vec::new();
        let t0 = 1_000_000.0;
        for k in 0..200u32 {
            let t = t0 + f64::from(k) * 0.05;
            let sport = 40000 + (k / 20) as u16;
            recs.push(tcp(t, "198.18.0.20", "198.18.0.10", sport, 80, 0x18));
            recs.push(tcp(
                t + 0.001,
                "198.18.0.10",
                "198.18.0.20",
                80,
                sport,
                0x10,
            ));
        }
        for k in 0..20_000u32 {
            let t = t0 + 20.0 + f64::from(k) * 1e-4;
            recs.push(tcp(
                t,
                "198.18.0.66",
                "198.18.0.10",
                1024 + (k % 60000) as u16,
                80,
                0x02,
            ));
        }
        let recs: Vec<Record> = recs
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.index = i as u64;
                Record::Packet(p)
            })
            .collect();
        let run = |reuse_age: f64| {
            collect(
                Models::builtin().unwrap(),
                DetectSettings {
                    reuse_age,
                    ..DetectSettings::default()
                },
                recs.clone(),
            )
        };
        let (ve, ae, se) = run(0.0);
        let (vr, ar, sr) = run(0.05);
        assert_eq!(se.verdicts_reused, 0);
        assert!(ve.iter().all(|v| !v.reused));
        assert_eq!(
            sr.verdicts_reused,
            vr.iter().filter(|v| v.reused).count() as u64
        );
        assert!(
            sr.verdicts_reused > 15_000,
            "a steady flood is mostly reused: {}",
            sr.verdicts_reused
        );
        // a scored packet gets the verdict exact scoring gives it (its features are the same)
        for (e, r) in ve.iter().zip(&vr) {
            assert_eq!(e.index, r.index);
            if !r.reused {
                assert_eq!(e.class, r.class, "packet {}", e.index);
                assert!((e.score - r.score).abs() < 1e-5, "packet {}", e.index);
            }
        }
        let key = |a: &Alert| (a.src, a.class);
        assert_eq!(
            ae.iter().map(key).collect::<Vec<_>>(),
            ar.iter().map(key).collect::<Vec<_>>()
        );
        assert!(
            ar.iter()
                .any(|a| a.src.to_string() == "198.18.0.66" && a.class == Class::FloodSyn),
            "{ar:?}"
        );
        let fe = se.flagged as f64;
        assert!(
            (sr.flagged as f64 - fe).abs() <= 0.01 * fe,
            "{} vs {}",
            sr.flagged,
            se.flagged
        );
    }

    /// 198.18.1.x, x = 1 + k (k < 250).
    fn host(k: u32) -> String {
        format!("198.18.1.{}", 1 + k)
    }

    #[test]
    fn the_sweep_rule_flags_probes_of_many_silent_hosts_once_past_its_threshold() {
        let t0 = 1_000.0;
        // masscan-like: SYNs to port 445 of 100 addresses, 2 ms apart, none answers
        let mut r = Sweep::new(25.0, 1024);
        let flagged: Vec<bool> = (0..100u32)
            .map(|k| {
                let p = tcp(
                    t0 + f64::from(k) * 0.002,
                    "198.18.0.66",
                    &host(k),
                    61000,
                    445,
                    0x02,
                );
                r.push(&p) == Some(Class::ScanSyn)
            })
            .collect();
        let first = flagged.iter().position(|&f| f).expect("flagged");
        assert!((24..=26).contains(&first), "first flagged probe {first}");
        assert!(flagged[first..].iter().all(|&f| f), "every probe after it");
        // a probe kind names the class: FIN, NULL, Xmas, UDP
        for (flags, class) in [
            (0x01, Class::ScanFin),
            (0x00, Class::ScanNull),
            (0x29, Class::ScanXmas),
        ] {
            let p = tcp(t0 + 0.3, "198.18.0.66", &host(200), 61000, 80, flags);
            assert_eq!(r.push(&p), Some(class));
        }
        let p = udp(t0 + 0.3, "198.18.0.66", &host(201), 61000, 161, 40);
        assert_eq!(r.push(&p), Some(Class::ScanUdp));
        // a reply to the sweeper, a bare ACK or RST it sends, an ICMP echo: never flagged
        for p in [
            tcp(t0 + 0.31, &host(3), "198.18.0.66", 445, 61000, 0x14),
            tcp(t0 + 0.31, "198.18.0.66", &host(3), 61000, 445, 0x04),
            tcp(t0 + 0.31, "198.18.0.66", &host(3), 61000, 445, 0x10),
        ] {
            assert_eq!(r.push(&p), None, "{p:?}");
        }
        // the count decays (1 s half-life): ten seconds later, probes of the same hosts are
        // not new and nothing is flagged
        let p = tcp(t0 + 10.0, "198.18.0.66", &host(5), 61000, 445, 0x02);
        assert_eq!(r.push(&p), None);
        // off
        let mut off = Sweep::new(0.0, 1024);
        for k in 0..100u32 {
            let p = tcp(
                t0 + f64::from(k) * 0.002,
                "198.18.0.66",
                &host(k),
                61000,
                445,
                0x02,
            );
            assert_eq!(off.push(&p), None);
        }
    }

    #[test]
    fn per_port_counts_by_the_entries_time_are_the_counts_kept_with_their_own() {
        // session 18 keeps the sweep rule's per-port counts as bare numbers brought up to date
        // from their entry's access time; until then each kept its own time (a DampedCount)
        // beside that access time. The same calls to both, over a table small enough to
        // evict (64 slots, hundreds of keys), a floor often reached (threshold 3), clocks
        // that repeat and jump, and deltas of probes, answers and nothing new: the same
        // count, bit for bit, every time
        let mut r = Sweep::new(3.0, 64 * 16);
        let mut old: SetAssoc<(u128, u32), DampedCount> = SetAssoc::new(64);
        let mut decay = NegExp2::new();
        let mut x = 7u64;
        let mut clamped = 0;
        for i in 0..200_000u32 {
            x = crate::features::table::mix(x);
            // phases of few keys and many answers (counts pushed to the floor), and of many
            // keys (evicting)
            let few = i / 10_000 % 2 == 0;
            let host = u128::from(x % if few { 3 } else { 40 });
            let port = sweep_port(if x >> 8 & 1 == 0 { 6 } else { 17 }, (x >> 16) as u16 % 12);
            let deltas = if few {
                [-1.0, -1.0, -1.0, 1.0]
            } else {
                [1.0, -1.0, 0.0, 1.0]
            };
            let delta = deltas[(x >> 24) as usize % 4];
            // a few calls at one time, steps of up to 4 ms, now and then a jump of up to 4 s
            if x >> 32 & 3 == 0 {
                r.clock += ((x >> 40) % 4_000) as f64 * 1e-6;
            }
            if x >> 34 & 255 == 0 {
                r.clock += ((x >> 40) % 4_000_000) as f64 * 1e-6;
            }
            if i == 0 {
                r.clock = 1_000.0;
            }
            let mixed = premix(host);
            let got = r.count_port((host, mixed), port, delta);
            // the count as it was kept
            let hash = hash_mixed(53 ^ u64::from(port) << 8, mixed);
            let c = old.touch((host, port), hash, r.clock).val;
            let n = c.add(r.clock, 1.0, delta, &mut decay);
            if n < -r.threshold {
                c.n = -r.threshold;
                clamped += 1;
            }
            let want = n.max(-r.threshold);
            assert_eq!(got.to_bits(), want.to_bits(), "call {i}");
        }
        assert!(r.ports.evictions() > 10_000, "{}", r.ports.evictions());
        assert!(clamped > 100, "{clamped} counts at the floor");
    }

    #[test]
    fn sweeps_of_one_subnet_port_after_port_are_each_flagged() {
        // zmap -p 80, then masscan -p 22 over the same 100 silent addresses 5 s later, then a
        // UDP sweep of port 161 (namespace lab, session 17): from the second sweep on no host
        // is new to the source, but each is new on the port
        let mut r = Sweep::new(25.0, 4096);
        let t0 = 1_000.0;
        let sweep = |r: &mut Sweep, start: f64, port: u16, udp_probe: bool| -> Vec<bool> {
            (0..100u32)
                .map(|k| {
                    let t = start + f64::from(k) * 0.005;
                    let p = if udp_probe {
                        udp(t, "198.18.0.66", &host(k), 40000, port, 40)
                    } else {
                        tcp(t, "198.18.0.66", &host(k), 61000, port, 0x02)
                    };
                    r.push(&p).is_some()
                })
                .collect()
        };
        for (i, (start, port, u)) in [
            (t0, 80, false),
            (t0 + 5.0, 22, false),
            (t0 + 10.0, 161, true),
        ]
        .into_iter()
        .enumerate()
        {
            let flagged = sweep(&mut r, start, port, u);
            let first = flagged.iter().position(|&f| f).expect("flagged");
            assert!(
                (24..=30).contains(&first),
                "sweep {i}: first flagged probe {first}"
            );
            assert!(
                flagged[first..].iter().all(|&f| f),
                "sweep {i}: every probe after it"
            );
        }
        // probes of hosts already probed on their port (a scanner's retries, 5 s after the
        // count has decayed) are no new targets: nothing is flagged
        let again = sweep(&mut r, t0 + 25.0, 22, false);
        assert!(again.iter().all(|&f| !f), "{again:?}");
        // one host, many ports (a port scan): one new host per port, the per-port counts
        // stay at 1 and the per-source count too: left to the networks
        let mut r = Sweep::new(25.0, 4096);
        for k in 0..500u32 {
            let p = tcp(
                t0 + f64::from(k) * 0.001,
                "198.18.0.66",
                "198.18.0.10",
                61000,
                1 + k as u16,
                0x02,
            );
            assert_eq!(r.push(&p), None, "{p:?}");
        }
    }

    #[test]
    fn a_poller_refused_on_one_port_of_the_hosts_it_watches_is_no_sweep() {
        // a Prometheus-like poller: port 9100 of 60 hosts, each answered by a SYN-ACK, then
        // port 80 of the same hosts, each refused by an RST+ACK within a millisecond: a host
        // that refuses exists, and its refusal answers the count of its port
        let mut r = Sweep::new(25.0, 4096);
        let t0 = 1_000.0;
        let c = "198.18.0.40";
        for (round, port) in [(0.0, 9100u16), (0.5, 80)] {
            for k in 0..60u32 {
                let t = t0 + round + f64::from(k) * 0.002;
                let sport = 30000 + (k as u16) + port % 7 * 100;
                let back = if port == 80 { 0x14 } else { 0x12 };
                for p in [
                    tcp(t, c, &host(k), sport, port, 0x02),
                    tcp(t + 0.001, &host(k), c, port, sport, back),
                ] {
                    assert_eq!(r.push(&p), None, "{p:?}");
                }
            }
        }
        // the same refusals without their RST+ACKs (silent hosts): a sweep of port 443
        let flagged = (0..60u32).any(|k| {
            let p = tcp(
                t0 + 1.0 + f64::from(k) * 0.002,
                c,
                &host(k),
                50000,
                443,
                0x02,
            );
            r.push(&p).is_some()
        });
        assert!(flagged, "an unanswered sweep of the hosts on a new port");
    }

    #[test]
    fn a_client_answered_by_every_new_server_is_no_sweep() {
        // a browser-like client: connections to 120 new servers, 5 ms apart, each answered
        // by a SYN-ACK within 2 ms, then some data
        let mut r = Sweep::new(25.0, 1024);
        let t0 = 1_000.0;
        for k in 0..120u32 {
            let t = t0 + f64::from(k) * 0.005;
            let c = "198.18.0.20";
            let sport = 40000 + k as u16;
            for p in [
                tcp(t, c, &host(k), sport, 443, 0x02),
                tcp(t + 0.002, &host(k), c, 443, sport, 0x12),
                tcp(t + 0.0021, c, &host(k), sport, 443, 0x10),
                tcp(t + 0.0022, c, &host(k), sport, 443, 0x18),
            ] {
                assert_eq!(r.push(&p), None, "{p:?}");
            }
        }
        // ...and a burst of 20 connections before any answer stays below the threshold
        for k in 120..140u32 {
            let p = tcp(t0 + 1.0, "198.18.0.20", &host(k), 50000, 443, 0x02);
            assert_eq!(r.push(&p), None);
        }
        // a server that received much gets no lasting credit: its own sweep is flagged
        // after at most twice the threshold
        let mut r = Sweep::new(25.0, 1024);
        for k in 0..500u32 {
            let p = udp(
                t0 + f64::from(k) * 0.001,
                &host(k % 50),
                "198.18.0.10",
                5000,
                53,
                60,
            );
            assert_eq!(
                r.push(&p),
                None,
                "a query to a DNS server is no sweep of it"
            );
        }
        let n = (0..100u32)
            .position(|k| {
                let p = tcp(
                    t0 + 0.6 + f64::from(k) * 0.001,
                    "198.18.0.10",
                    &host(100 + k),
                    999,
                    22,
                    0x02,
                );
                r.push(&p).is_some()
            })
            .expect("flagged");
        assert!(n <= 52, "flagged from probe {n}");
    }

    #[test]
    fn a_sweep_of_silent_hosts_raises_a_scan_alert_through_the_sweep_rule() {
        let mut recs = Vec::new();
        let t0 = 1_000_000.0;
        // normal traffic first, then SYNs to three ports of 120 silent addresses
        for k in 0..40u32 {
            let t = t0 + f64::from(k) * 0.25;
            recs.push(tcp(t, "198.18.0.20", "198.18.0.10", 40000, 80, 0x18));
            recs.push(tcp(
                t + 0.001,
                "198.18.0.10",
                "198.18.0.20",
                80,
                40000,
                0x18,
            ));
        }
        for k in 0..360u32 {
            let t = t0 + 20.0 + f64::from(k) * 0.002;
            let port = [22u16, 443, 3389][(k % 3) as usize];
            recs.push(tcp(t, "198.18.0.66", &host(k / 3), 61000, port, 0x02));
        }
        let recs: Vec<Record> = recs
            .into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.index = i as u64;
                Record::Packet(p)
            })
            .collect();
        let (v, alerts, st) = collect(
            Models::builtin().unwrap(),
            DetectSettings::default(),
            recs.clone(),
        );
        assert_eq!(v.len(), recs.len());
        assert!(st.flagged_by_sweep_rule > 200, "{st:?}");
        let a: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.src.to_string() == "198.18.0.66")
            .collect();
        assert_eq!(a.len(), 1, "{alerts:?}");
        assert_eq!(a[0].class, Class::ScanSyn, "{:?}", a[0]);
        assert!(
            alerts.iter().all(|a| a.src.to_string() == "198.18.0.66"),
            "{alerts:?}"
        );
        // the rule off: the networks alone
        let off = DetectSettings {
            sweep_threshold: 0.0,
            ..DetectSettings::default()
        };
        let (_, _, st) = collect(Models::builtin().unwrap(), off, recs);
        assert_eq!(st.flagged_by_sweep_rule, 0);
    }

    #[test]
    fn a_horizontal_scan_at_nmaps_pace_of_silent_hosts_is_alerted_once_and_a_caught_one_is_not_doubled(
    ) {
        let t0 = 1_000_000.0;
        // nmap -sS -Pn -p 80 of a routed /24 where nobody answers (namespace lab, session 10):
        // ten SYNs a second, too slow for the sweep rule and the networks, too fast for the
        // slow-scan rule's minimum interval: it was not alerted
        let mut pk: Vec<PacketRepr> = (0..120u32)
            .map(|k| {
                tcp(
                    t0 + f64::from(k) * 0.1,
                    "198.18.0.66",
                    &host(k),
                    61000,
                    80,
                    0x02,
                )
            })
            .collect();
        // and a client's normal traffic beside it
        for k in 0..40u32 {
            let t = t0 + f64::from(k) * 0.3 + 0.05;
            pk.push(tcp(t, "198.18.0.20", "198.18.0.10", 40000, 80, 0x18));
            pk.push(tcp(
                t + 0.001,
                "198.18.0.10",
                "198.18.0.20",
                80,
                40000,
                0x18,
            ));
        }
        let (_, alerts, st) = detect_default(pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(
            (a.src.to_string().as_str(), a.class),
            ("198.18.0.66", Class::ScanSyn)
        );
        assert!(a.slow_scan.is_some_and(|f| f.fast), "{a:?}");
        assert_eq!(
            (st.slow_scan_alerts, st.fast_scans_missed_by_networks),
            (1, 1)
        );
        // a fast scan of 300 closed ports the networks flag: their alert alone, the slow-scan
        // rule's fast finding left to them
        let mut pk = Vec::new();
        for k in 0..300u16 {
            let t = t0 + f64::from(k) * 0.0005;
            pk.push(tcp(t, "198.18.0.66", "198.18.0.10", 61000, 1000 + k, 0x02));
            pk.push(tcp(
                t + 0.0001,
                "198.18.0.10",
                "198.18.0.66",
                1000 + k,
                61000,
                0x14,
            ));
        }
        let (_, alerts, st) = detect_default(pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(alerts[0].slow_scan.is_none(), "{alerts:?}");
        assert_eq!(alerts[0].class, Class::ScanSyn);
        assert_eq!(
            (st.slow_scan_alerts, st.fast_scans_left_to_networks),
            (0, 1)
        );
    }

    #[test]
    fn an_on_link_ipv6_sweep_then_a_port_scan_from_its_source_are_two_alerts() {
        // the lab's attack order (session 14, ipv6.pcap): nmap -6 -sn 2001:2::c612:0/122 (a
        // neighbour solicitation to each address's solicited-node group, four live hosts
        // advertise back), then, 8 s later, a fast SYN scan of 300 closed ports of one host.
        // The sweep's failures are known by silence only 10 s after its solicitations, when
        // the port scan's episode is open: that episode, which began after the sweep, does
        // not cover it, and the sweep rule over neighbour discovery makes its own episode
        let t0 = 1_000_000.0;
        let (s, v) = ("2001:2::c612:42", "2001:2::c612:a");
        let mut pk = Vec::new();
        for k in 0..64u32 {
            let target: std::net::Ipv6Addr = format!("2001:2::c612:{k:x}").parse().unwrap();
            let group = std::net::Ipv6Addr::from(
                0xff02_0000_0000_0000_0000_0001_ff00_0000 | (u128::from(target) & 0xff_ffff),
            );
            let ts = t0 + f64::from(k) * 0.025;
            let ns = PacketRepr {
                proto: 58,
                icmp_type: 135,
                tcp_flags: 0,
                ..tcp(ts, s, &group.to_string(), 0, 0, 0)
            };
            pk.push(ns);
            if [0x1, 0xa, 0x14, 0x1f].contains(&k) {
                pk.push(PacketRepr {
                    icmp_type: 136,
                    src: IpAddr::V6(target),
                    dst: ns.src,
                    ts: ts + 0.0001,
                    ..ns
                });
            }
        }
        for k in 0..300u16 {
            let t = t0 + 8.0 + f64::from(k) * 0.0005;
            pk.push(tcp(t, s, v, 61000, 1000 + k, 0x02));
            pk.push(tcp(t + 0.0001, v, s, 1000 + k, 61000, 0x14));
        }
        let (_, alerts, st) = detect_default(pk);
        // every alert is the attacker's, a sweep or a SYN scan (here the port scan reaches
        // the slow-scan rule's port threshold 7 ms before the networks flag it, so its fast
        // finding is reported too: unchanged behaviour, the sweep's history is not involved)
        assert!(
            alerts.iter().all(|a| a.src.to_string() == s
                && matches!(a.class, Class::OtherAttack | Class::ScanSyn)),
            "{alerts:?}"
        );
        let sweeps: Vec<&Alert> = alerts
            .iter()
            .filter(|a| a.class == Class::OtherAttack)
            .collect();
        assert_eq!(sweeps.len(), 1, "{alerts:?}");
        let f = sweeps[0]
            .slow_scan
            .expect("the sweep is the slow-scan rule's");
        assert_eq!(
            (f.trigger, f.hosts, f.fast, f.first_seen),
            (
                crate::slowscan::Trigger::Hosts {
                    port: 135,
                    proto: 58
                },
                25,
                true,
                t0
            )
        );
        assert!(f.detected_at > t0 + 10.0, "{f:?}");
        assert!(
            alerts
                .iter()
                .any(|a| a.class == Class::ScanSyn && a.slow_scan.is_none()),
            "the networks' alert of the port scan: {alerts:?}"
        );
        assert!(st.fast_scans_missed_by_networks >= 1, "{st:?}");
    }

    #[test]
    fn a_held_finding_of_a_scan_the_networks_alerted_stays_dropped_after_later_alerts() {
        // seven fast SYN scans of 300 refused ports, each of another host, 12 s apart, from one
        // scanner (the lab's pace). The first one's slow-scan finding is of refused targets,
        // so it is held 90 s to see whether its source polls them (it does not); by then the
        // scanner has six more alerts. The networks' alert of the first scan still covers it:
        // one alert per scan, none by the slow-scan rule
        let t0 = 2_000_000.0;
        let s = "198.18.0.66";
        let mut pk = Vec::new();
        for scan in 0..7u16 {
            let v = format!("198.18.0.{}", 10 + scan);
            for k in 0..300u16 {
                let t = t0 + 12.0 * f64::from(scan) + f64::from(k) * 0.0005;
                pk.push(tcp(t, s, &v, 61000, 1000 + k, 0x02));
                pk.push(tcp(t + 0.0001, &v, s, 1000 + k, 61000, 0x14));
            }
        }
        let (_, alerts, st) = detect_default(pk);
        let from: Vec<&Alert> = alerts.iter().filter(|a| a.src.to_string() == s).collect();
        assert_eq!(from.len(), 7, "{alerts:?}");
        assert!(
            from.iter()
                .all(|a| a.class == Class::ScanSyn && a.slow_scan.is_none()),
            "{alerts:?}"
        );
        assert_eq!(st.slow_scan_alerts, 0, "{st:?}");
    }

    #[test]
    fn settings_that_make_no_sense_are_refused() {
        let d = DetectSettings::default();
        assert!(d.validate().is_ok());
        for bad in [-1.0, f32::NAN, f32::INFINITY] {
            let s = DetectSettings {
                sweep_threshold: bad,
                ..d
            };
            assert!(s.validate().is_err(), "sweep threshold {bad}");
            let s = DetectSettings {
                brute_force_threshold: bad,
                ..d
            };
            assert!(s.validate().is_err(), "brute-force threshold {bad}");
            let s = DetectSettings {
                renegotiation_threshold: bad,
                ..d
            };
            assert!(s.validate().is_err(), "renegotiation threshold {bad}");
            let s = DetectSettings {
                fuzzing_threshold: bad,
                ..d
            };
            assert!(s.validate().is_err(), "fuzzing threshold {bad}");
            let s = DetectSettings {
                slow_request_threshold: bad,
                ..d
            };
            assert!(s.validate().is_err(), "slow-request threshold {bad}");
        }
        assert_eq!(
            d.slow_request_threshold,
            crate::slowrequests::DEFAULT_THRESHOLD
        );
        assert!(DetectSettings {
            slow_request_threshold: 0.0,
            ..d
        }
        .validate()
        .is_ok());
        assert_eq!(d.fuzzing_threshold, crate::fuzzing::DEFAULT_THRESHOLD);
        // the few-port UDP scan rule: 0 (off) or 2 to its slots
        assert_eq!(d.few_udp_ports, crate::fewports::MIN_PORTS);
        for (n, ok) in [(0, true), (1, false), (2, true), (8, true), (9, false)] {
            let s = DetectSettings {
                few_udp_ports: n,
                ..d
            };
            assert_eq!(s.validate().is_ok(), ok, "few UDP ports {n}");
        }
        assert!(DetectSettings {
            fuzzing_threshold: 0.0,
            ..d
        }
        .validate()
        .is_ok());
        assert_eq!(d.brute_force_threshold, crate::guessing::DEFAULT_THRESHOLD);
        assert_eq!(
            d.renegotiation_threshold,
            crate::renegotiation::DEFAULT_THRESHOLD
        );
        let off = DetectSettings {
            brute_force_threshold: 0.0,
            ..d
        };
        assert!(off.validate().is_ok());
        for bad in [-1.0, f64::NAN, f64::INFINITY] {
            let s = DetectSettings {
                max_episode: bad,
                ..d
            };
            assert!(s.validate().is_err(), "max episode {bad}");
        }
        for (m, ok) in [
            (0, true),
            (1, false),
            (MIN_CHANGE_PATTERN - 1, false),
            (MIN_CHANGE_PATTERN, true),
        ] {
            let s = DetectSettings {
                change_pattern: m,
                ..d
            };
            assert_eq!(s.validate().is_ok(), ok, "change of pattern {m}");
        }
    }

    #[test]
    fn the_built_in_models_load_and_pass_their_checks() {
        let m = Models::builtin().unwrap();
        assert!(m.detector.binary);
        assert_eq!(m.detector.kind, FeatureKind::Window);
        let n = m.namer.unwrap();
        assert!(!n.binary && n.classes.len() > 2);
    }

    #[test]
    fn a_syn_sweep_raises_one_alert_naming_the_sender_and_every_record_gets_a_verdict() {
        let mut recs = Vec::new();
        let mut i = 0u64;
        let t0 = 1_000_000.0;
        // SYNs to 300 ports and the victim's RSTs
        for port in 1..=300u16 {
            let t = t0 + 30.0 + f64::from(port) * 0.001;
            let mut p = tcp(t, "198.18.0.66", "198.18.0.10", 51515, port, 0x02);
            p.index = i;
            i += 1;
            recs.push(Record::Packet(p));
            let mut r = tcp(t + 0.0001, "198.18.0.10", "198.18.0.66", port, 51515, 0x14);
            r.index = i;
            i += 1;
            recs.push(Record::Packet(r));
        }
        recs.push(Record::Undecoded {
            index: i,
            ts: t0 + 40.0,
            wire_len: 42,
            reason: "RARP",
        });
        let n = recs.len();
        let (v, alerts, st) = collect(
            Models::builtin().unwrap(),
            DetectSettings {
                batch: 64,
                ..DetectSettings::default()
            },
            recs,
        );
        assert_eq!(v.len(), n);
        assert!(v.iter().enumerate().all(|(k, p)| p.index == k as u64));
        assert_eq!(v[n - 1].label(), "undecoded");
        assert_eq!((st.records, st.undecoded), (n as u64, 1));
        let mine: Vec<_> = alerts
            .iter()
            .filter(|a| a.src.to_string() == "198.18.0.66")
            .collect();
        assert_eq!(mine.len(), 1, "{alerts:?}");
        // 300 bare SYNs in 0.3 s to 300 ports, once each, from one source port: a SYN scan
        assert_eq!(mine[0].class, Class::ScanSyn, "{:?}", mine[0]);
        assert_eq!(mine[0].dst.to_string(), "198.18.0.10");
        assert_eq!(alerts.len(), 1, "the victim's RSTs count for the scanner");
    }

    /// A QUIC-like download (a request to UDP 443, a burst of 1,250-byte datagrams at
    /// 2,000 a second, acknowledged every second one) and a call (172-byte datagrams at 50 a
    /// second each way), with a UDP flood from one fixed port to a closed port beside them.
    fn streams_and_a_flood() -> Vec<Record> {
        let (c, srv, c2, att) = ("198.18.0.20", "198.18.0.10", "198.18.0.21", "198.18.0.66");
        let mut pk = Vec::new();
        pk.push(udp(10.0, c, srv, 51000, 443, 60));
        for i in 0..6000u32 {
            let t = 10.01 + f64::from(i) / 2000.0;
            pk.push(udp(t, srv, c, 443, 51000, 1278));
            if i % 2 == 1 {
                pk.push(udp(t + 0.0002, c, srv, 51000, 443, 73));
            }
        }
        for i in 0..1500u32 {
            let t = 10.0 + f64::from(i) / 50.0;
            pk.push(udp(t, c2, srv, 16400, 16500, 200));
            pk.push(udp(t + 0.003, srv, c2, 16500, 16400, 200));
        }
        // the flood: 3,000 datagrams from one source port to a closed port, each refused
        for i in 0..3000u32 {
            let t = 50.0 + f64::from(i) / 1000.0;
            let d = udp(t, att, srv, 40000, 5000, 92);
            pk.push(icmp_unreach(t + 0.0001, srv, att, &d));
            pk.push(d);
        }
        records(pk)
    }

    #[test]
    fn two_way_udp_conversations_raise_no_alert_and_a_one_way_flood_beside_them_still_does() {
        let on = DetectSettings::default();
        assert_eq!(on.udp_settle, 2);
        let (v, alerts, st) = collect(Models::builtin().unwrap(), on, streams_and_a_flood());
        let names: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.class))
            .collect();
        assert_eq!(
            names,
            [("198.18.0.66".to_string(), Class::FloodUdp)],
            "{alerts:?}"
        );
        assert!(st.two_way_cleared > 0);
        // every datagram of the two conversations from the second each way on is normal
        let att: IpAddr = "198.18.0.66".parse().unwrap();
        let stream_flagged = v
            .iter()
            .filter(|x| x.packet.is_some_and(|p| p.src != att && p.dst != att))
            .filter(|x| x.class.is_attack())
            .count();
        assert!(
            stream_flagged <= 4,
            "{stream_flagged} stream packets flagged"
        );
        // without the rule the networks take the download for an attack
        let off = DetectSettings {
            udp_settle: 0,
            ..DetectSettings::default()
        };
        let (_, alerts, st) = collect(Models::builtin().unwrap(), off, streams_and_a_flood());
        assert_eq!(st.two_way_cleared, 0);
        assert!(
            alerts.iter().any(|a| a.src.to_string() != "198.18.0.66"),
            "{alerts:?}"
        );
    }

    /// Floods sent from below their receiver's port (nping's default source port 53, hping3
    /// `-s 19 -k` to a closed port, refused) beside a resolver answering one size 300 times a
    /// second to a client that asks from one socket: the floods are their sender's, named
    /// `flood-udp`,
    /// the refusals charged to it too; the resolver and its client raise nothing.
    fn floods_from_below() -> Vec<Record> {
        let (c, res, ntp, web, att) = (
            "198.18.0.20",
            "198.18.0.53",
            "198.18.0.123",
            "198.18.0.10",
            "198.18.0.66",
        );
        let mut pk = Vec::new();
        for i in 0..1500u32 {
            let t = 10.0 + f64::from(i) / 300.0;
            let port = 40000;
            pk.push(udp(t, c, res, port, 53, 55 + (i % 13) as u16));
            pk.push(udp(t + 2e-4, res, c, 53, port, 120));
        }
        for i in 0..900u32 {
            let t = 20.0 + f64::from(i) / 300.0;
            pk.push(udp(t, att, ntp, 53, 123, 76));
        }
        for i in 0..900u32 {
            let t = 30.0 + f64::from(i) / 300.0;
            let d = udp(t, att, web, 19, 1900, 68);
            if i % 50 == 0 {
                pk.push(icmp_unreach(t + 1e-4, web, att, &d));
            }
            pk.push(d);
        }
        records(pk)
    }

    #[test]
    fn floods_from_below_are_their_senders_and_a_resolvers_answers_are_not() {
        let (v, alerts, st) = collect(
            Models::builtin().unwrap(),
            DetectSettings::default(),
            floods_from_below(),
        );
        let ends: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class))
            .collect();
        let flood = |dst: &str| ("198.18.0.66".to_string(), dst.to_string(), Class::FloodUdp);
        assert_eq!(
            ends,
            [flood("198.18.0.123"), flood("198.18.0.10")],
            "{alerts:?}"
        );
        assert!(st.udp_floods_from_below > 1_000, "{st:?}");
        // nothing of the resolver's exchange flagged
        let att: IpAddr = "198.18.0.66".parse().unwrap();
        let other = v
            .iter()
            .filter(|x| x.packet.is_some_and(|p| p.src != att && p.dst != att))
            .filter(|x| x.class.is_attack())
            .count();
        assert_eq!(other, 0);
        // the rule off: neither flood is alerted, and nothing is charged to the victims
        let off = DetectSettings {
            udp_flood_threshold: 0.0,
            ..DetectSettings::default()
        };
        let (_, alerts, st) = collect(Models::builtin().unwrap(), off, floods_from_below());
        assert_eq!(st.udp_floods_from_below, 0);
        assert!(
            alerts
                .iter()
                .all(|a| a.src != att || a.class != Class::FloodUdp),
            "{alerts:?}"
        );
    }

    /// Session 19's swarm, made small: a peer (198.18.0.113, port 23109) in uTP transfers
    /// (BEP 29: BitTorrent over UDP) with ten peers leaves at 5 s; each peer's datagrams still
    /// in flight, and its retries, meet a closed port and draw a port unreachable back. Later
    /// a UDP scan of the host that left, from 198.18.0.66, refused port after port.
    fn a_peer_leaves_a_swarm() -> Vec<Record> {
        let (left, att) = ("198.18.0.113", "198.18.0.66");
        let mut pk = Vec::new();
        for k in 0..10u16 {
            let peer = format!("198.18.0.{}", 101 + k);
            let port = 20000 + 7 * k;
            let dk = f64::from(k) * 0.005;
            for i in 0..40u32 {
                let t = 1.0 + f64::from(i) * 0.1 + dk;
                pk.push(udp(t, &peer, left, port, 23109, 1400));
                pk.push(udp(t + 0.001, left, &peer, 23109, port, 40));
            }
            for i in 0..14u32 {
                // eight in flight, then retries further and further apart
                let t = 5.5
                    + dk
                    + if i < 8 {
                        f64::from(i) * 0.002
                    } else {
                        f64::from(i - 7)
                    };
                let d = udp(t, &peer, left, port, 23109, 1400);
                pk.push(icmp_unreach(t + 1e-4, left, &peer, &d));
                pk.push(d);
            }
        }
        for port in 1..=60u16 {
            let t = 30.0 + f64::from(port) * 0.02;
            let d = udp(t, att, left, 45000, port, 0);
            pk.push(icmp_unreach(t + 1e-4, left, att, &d));
            pk.push(d);
        }
        records(pk)
    }

    #[test]
    fn a_peer_that_left_refusing_its_peers_datagrams_is_no_scan_and_a_scans_refusals_still_are() {
        let left: IpAddr = "198.18.0.113".parse().unwrap();
        let att: IpAddr = "198.18.0.66".parse().unwrap();
        let refusals = |v: &[PacketVerdict], by_scan: bool| -> (usize, usize) {
            let r: Vec<_> = v
                .iter()
                .filter(|x| {
                    x.packet
                        .is_some_and(|p| p.proto == 1 && p.src == left && (p.dst == att) == by_scan)
                })
                .collect();
            (r.len(), r.iter().filter(|x| x.class.is_attack()).count())
        };
        let on = DetectSettings::default();
        let (v_on, alerts, st) = collect(Models::builtin().unwrap(), on, a_peer_leaves_a_swarm());
        // every unreachable the peer that left sent its peers is normal, and no alert names
        // it or its peers
        assert_eq!(refusals(&v_on, false), (140, 0));
        assert!(st.two_way_cleared > 0);
        assert!(alerts.iter().all(|a| a.src == att), "{alerts:?}");
        // without the two-way rule the networks flag them (so the test can fail)
        let off = DetectSettings {
            udp_settle: 0,
            ..DetectSettings::default()
        };
        let (v_off, _, _) = collect(Models::builtin().unwrap(), off, a_peer_leaves_a_swarm());
        let (n, flagged) = refusals(&v_off, false);
        assert!(n == 140 && flagged > 0, "{flagged} of {n}");
        // the scan's refusals are judged alike with the rule and without: no conversation was
        // two-way there
        let scan = |v: &[PacketVerdict]| -> Vec<Class> {
            v.iter()
                .filter(|x| x.packet.is_some_and(|p| p.src == att || p.dst == att))
                .map(|x| x.class)
                .collect()
        };
        assert_eq!(scan(&v_on).len(), 120);
        assert_eq!(scan(&v_on), scan(&v_off));
        assert!(
            refusals(&v_on, true).1 > 0,
            "the scan's refusals are flagged"
        );
    }

    /// One datagram of `len` IP payload bytes from `src` to `dst` in fragments of 1,480:
    /// the first with the transport header, the rest without (their type and ports read 0).
    fn fragmented(t: f64, first: PacketRepr, id: u32, len: u32) -> Vec<PacketRepr> {
        let n = len.div_ceil(1480);
        (0..n)
            .map(|k| {
                let later = k > 0;
                let size = if k + 1 < n {
                    1480
                } else {
                    len - 1480 * (n - 1)
                };
                PacketRepr {
                    ts: t + f64::from(k) * 1e-5,
                    fragment: true,
                    later_fragment: later,
                    frag_id: id,
                    frag_word: u16::from(k + 1 < n) << 13 | (k * 1480 / 8) as u16,
                    ip_len: size as u16 + 20,
                    payload_len: if later { size } else { size.saturating_sub(8) },
                    sport: if later { 0 } else { first.sport },
                    dport: if later { 0 } else { first.dport },
                    icmp_type: if later { 0 } else { first.icmp_type },
                    ..first
                }
            })
            .collect()
    }

    /// `pk` in time order as records, indexed.
    /// An ICMP packet of `ty` from `from` to `to` at `ts` (no quote).
    fn icmp(ts: f64, from: &str, to: &str, ty: u8) -> PacketRepr {
        PacketRepr {
            proto: 1,
            icmp_type: ty,
            tcp_flags: 0,
            window: 0,
            ..tcp(ts, from, to, 0, 0, 0)
        }
    }

    /// [`collect`] of `pk` (as [`records`]) with the built-in models and default settings.
    fn detect_default(pk: Vec<PacketRepr>) -> (Vec<PacketVerdict>, Vec<Alert>, DetectStats) {
        collect(
            Models::builtin().unwrap(),
            DetectSettings::default(),
            records(pk),
        )
    }

    fn records(mut pk: Vec<PacketRepr>) -> Vec<Record> {
        pk.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        pk.into_iter()
            .enumerate()
            .map(|(i, mut p)| {
                p.index = i as u64;
                Record::Packet(p)
            })
            .collect()
    }

    /// `n` connections of a load test from `c` to `s`:80 (wrk `-c n`): opened at 1 s, a
    /// request and an answer on each every 0.5 s until 10 s, then `close` on each at once
    /// (RST+ACK, wrk's end). Without `open`, only the resets: resets into no connection.
    fn load_test(n: u16, open: bool, close: u8) -> Vec<PacketRepr> {
        let (c, s) = ("198.18.0.20", "198.18.0.10");
        let data = |ts: f64, src: &str, dst: &str, sp: u16, dp: u16| PacketRepr {
            payload_len: 100,
            ip_len: 152,
            ..tcp(ts, src, dst, sp, dp, 0x18)
        };
        let mut pk = Vec::new();
        for i in 0..n {
            let (port, t) = (40000 + i, 1.0 + f64::from(i) * 1e-3);
            if open {
                pk.extend([
                    tcp(t, c, s, port, 80, 0x02),
                    tcp(t + 1e-4, s, c, 80, port, 0x12),
                    tcp(t + 2e-4, c, s, port, 80, 0x10),
                ]);
                for k in 0..19 {
                    let t = t + 3e-4 + f64::from(k) * 0.5;
                    pk.extend([data(t, c, s, port, 80), data(t + 1e-4, s, c, 80, port)]);
                }
            }
            pk.push(tcp(10.5 + f64::from(i) * 1e-5, c, s, port, 80, close));
        }
        pk
    }

    #[test]
    fn resets_that_close_a_load_tests_connections_are_normal_and_resets_into_none_a_flood() {
        use crate::profile::Rule;
        // the same 64 resets at once: into no connection, a reset flood the networks flag
        let (v, alerts, _) = detect_default(load_test(64, false, 0x14));
        assert!(v.iter().filter(|x| x.class.is_attack()).count() >= 50);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::OtherAttack);
        assert_eq!(alerts[0].profile.map(|e| e.naming.rule), Some(Rule::Resets));
        // closing 64 connections that carried requests and answers: each reset normal, whatever
        // the networks said of it, and no alert
        for close in [0x14, 0x04] {
            let (v, alerts, st) = detect_default(load_test(64, true, close));
            assert!(alerts.is_empty(), "{alerts:?}");
            let resets: Vec<_> = v
                .iter()
                .filter(|x| x.packet.is_some_and(|p| p.proto == 6) && x.ts >= 10.5)
                .collect();
            assert_eq!(resets.len(), 64);
            assert!(resets.iter().all(|x| x.class == Class::Normal));
            // (the networks did flag them: the rule, not the networks, passed them)
            assert!(st.closing_resets_cleared >= 50, "{st:?}");
        }
        // a connect scan's closes (handshake, no data, RST+ACK) are no connection's end
        let connect: Vec<PacketRepr> = (0..200u16)
            .flat_map(|i| {
                let (a, v, t) = ("198.18.0.66", "198.18.0.10", 1.0 + f64::from(i) * 1e-3);
                [
                    tcp(t, a, v, 41000 + i, 1 + i, 0x02),
                    tcp(t + 1e-4, v, a, 1 + i, 41000 + i, 0x12),
                    tcp(t + 2e-4, a, v, 41000 + i, 1 + i, 0x10),
                    tcp(t + 3e-4, a, v, 41000 + i, 1 + i, 0x14),
                ]
            })
            .collect();
        let (_, _, st) = detect_default(connect);
        assert_eq!(st.closing_resets_cleared, 0);
    }

    #[test]
    fn a_password_guesser_raises_one_alert_that_names_the_service_and_the_rule_off_none() {
        use crate::guessing::Login;
        use crate::profile::Rule;
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        // hydra -t 4 against sshd with PAM: four connections at a time, six passwords each,
        // every one refused 2 s after it was sent (the shape of the lab's runs)
        let data = |ts: f64, from: &str, to: &str, sp: u16, dp: u16, len: u32| PacketRepr {
            payload_len: len,
            ip_len: 52 + len as u16,
            ..tcp(ts, from, to, sp, dp, 0x18)
        };
        let mut pk = Vec::new();
        for wave in 0..4u16 {
            for task in 0..4u16 {
                let sp = 40000 + wave * 4 + task;
                let t = 1.0 + 13.0 * f64::from(wave) + 0.01 * f64::from(task);
                pk.push(tcp(t, att, vic, sp, 22, 0x02));
                pk.push(tcp(t + 1e-4, vic, att, 22, sp, 0x12));
                pk.push(tcp(t + 2e-4, att, vic, sp, 22, 0x10));
                pk.push(data(t + 3e-4, att, vic, sp, 22, 32));
                pk.push(data(t + 4e-4, vic, att, 22, sp, 40));
                for k in 0..6 {
                    let at = t + 0.01 + 2.05 * f64::from(k);
                    pk.push(data(at, att, vic, sp, 22, 100));
                    pk.push(data(at + 2.0, vic, att, 22, sp, 60));
                    pk.push(tcp(at + 2.0001, att, vic, sp, 22, 0x10));
                }
                let end = t + 12.5;
                pk.push(tcp(end, att, vic, sp, 22, 0x11));
                pk.push(tcp(end + 1e-4, vic, att, 22, sp, 0x11));
                pk.push(tcp(end + 2e-4, att, vic, sp, 22, 0x10));
            }
        }
        let (_, alerts, st) = detect_default(pk.clone());
        assert!(st.flagged_by_guessing_rule > 100, "{st:?}");
        let guessing: Vec<&Alert> = alerts
            .iter()
            .filter(|a| {
                a.profile
                    .is_some_and(|e| e.naming.rule == Rule::PasswordGuessing)
            })
            .collect();
        assert_eq!(guessing.len(), 1, "{alerts:?}");
        let a = guessing[0];
        assert_eq!((a.src, a.dst), (ip(att), ip(vic)));
        assert_eq!(a.class, Class::OtherAttack);
        assert_eq!(a.profile.and_then(|e| e.login), Some(Login::Ssh));
        assert!(
            a.signature().contains("(SSH password guessing)"),
            "{}",
            a.signature()
        );
        let off = DetectSettings {
            brute_force_threshold: 0.0,
            ..DetectSettings::default()
        };
        let (_, alerts, st) = collect(Models::builtin().unwrap(), off, records(pk));
        assert_eq!(st.flagged_by_guessing_rule, 0);
        assert!(alerts.iter().all(|a| a
            .profile
            .is_none_or(|e| e.naming.rule != Rule::PasswordGuessing)));
    }

    #[test]
    fn later_fragments_written_before_their_first_take_its_ends() {
        // a mirror port or a NIC's queues write a datagram's fragments out of order now and
        // then, and some stacks send the last first (session 22): a flood of fragmented pings
        // whose answers' fragments are written last first. Each later fragment, its
        // datagram's first seen, made the datagram's verdict and ends: the victim's answers
        // were the victim's own ICMP flood
        let (att, vic) = ("198.18.0.68", "198.18.0.10");
        let mut pk = Vec::new();
        for i in 0..2000u32 {
            let t = 50.0 + f64::from(i) * 5e-4;
            pk.extend(fragmented(t, icmp(t, att, vic, 8), i, 3008));
            let mut reply = fragmented(t + 1e-4, icmp(t, vic, att, 0), 40000 + i, 3008);
            let n = reply.len();
            for (k, f) in reply.iter_mut().enumerate() {
                f.ts = t + 1e-4 + (n - 1 - k) as f64 * 1e-5;
            }
            pk.extend(reply);
        }
        let (_, alerts, st) = detect_default(pk);
        // (all but the few whose first fragment fell in the next batch)
        assert!((3990..=4000).contains(&st.fragments_before_first), "{st:?}");
        let names: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class))
            .collect();
        assert_eq!(
            names,
            [(att.to_string(), vic.to_string(), Class::FloodIcmp)],
            "{alerts:?}"
        );
        // later fragments whose first comes 5 ms after, or never: as before
        let mut pk = Vec::new();
        for i in 0..50u32 {
            let t = 10.0 + f64::from(i) * 0.1;
            let mut f = fragmented(t, udp(t, att, vic, 40000, 7, 3008), i, 3008);
            f[0].ts = t + 5e-3;
            pk.extend(f);
            pk.push(fragmented(t, udp(t, att, vic, 40000, 7, 3008), 500 + i, 3008)[1]);
        }
        let (_, _, st) = detect_default(pk);
        assert_eq!(st.fragments_before_first, 0, "{st:?}");
    }

    #[test]
    fn a_flood_of_fragmented_pings_is_charged_to_its_sender_and_fragmented_echoes_are_normal() {
        let (att, vic, c) = ("198.18.0.68", "198.18.0.10", "198.18.0.20");
        // `hping3 --icmp -d 3000 -i u500`-like: 2,000 echo requests of 3,008 bytes, answered
        let mut pk = Vec::new();
        for i in 0..2000u32 {
            let t = 50.0 + f64::from(i) * 5e-4;
            pk.extend(fragmented(t, icmp(t, att, vic, 8), i, 3008));
            pk.extend(fragmented(t + 1e-4, icmp(t, vic, att, 0), 40000 + i, 3008));
        }
        let (_, alerts, st) = detect_default(pk);
        assert!(st.fragments_as_first > 0);
        assert_eq!(st.overlapping_fragments, 0);
        let names: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class))
            .collect();
        assert_eq!(
            names,
            [(att.to_string(), vic.to_string(), Class::FloodIcmp)],
            "{alerts:?}"
        );
        // a client's UDP echo exchanges of 4,000-byte datagrams on one socket, two a second
        // for a minute: the first fragments make the exchange two-way and the later ones
        // follow them (with the minimum flood rate off, so that it is not what keeps them
        // quiet)
        let mut pk = Vec::new();
        for i in 0..120u32 {
            let t = 10.0 + f64::from(i) * 0.5;
            let port = 40000;
            pk.extend(fragmented(t, udp(t, c, vic, port, 7, 4028), i, 4008));
            pk.extend(fragmented(
                t + 1e-3,
                udp(t, vic, c, 7, port, 4028),
                9000 + i,
                4008,
            ));
        }
        let off = DetectSettings {
            flood_min_rate: 0.0,
            ..DetectSettings::default()
        };
        let (v, alerts, st) = collect(Models::builtin().unwrap(), off, records(pk));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert!(st.fragments_as_first >= 240, "{st:?}");
        assert_eq!(st.overlapping_fragments, 0);
        assert!(v.iter().filter(|x| x.class.is_attack()).count() <= 12);
    }

    /// Server `vic` sends a client 6 s of UDP from 10 s on, 1,000 datagrams a second: an
    /// episode of its own (true or false) open when a scan of it begins at 12 s.
    fn server_in_an_episode_of_its_own(vic: &str) -> Vec<PacketRepr> {
        (0..6000u16)
            .map(|i| {
                let t = 10.0 + f64::from(i) * 1e-3;
                udp(t, vic, "198.18.0.20", 30000 + i % 4000, 53, 128)
            })
            .collect()
    }

    #[test]
    fn a_scan_of_a_host_in_an_episode_of_its_own_is_its_scanners() {
        // the victim floods a client with UDP (an episode of its own, true or false) while
        // an attacker SYN-scans it from one source port, its closed ports answering RST+ACK:
        // the probes are the scanner's, not charged to the victim's open episode
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = server_in_an_episode_of_its_own(vic);
        for i in 0..600u16 {
            let t = 12.0 + f64::from(i) * 3e-3;
            pk.push(tcp(t, att, vic, 41000, 1 + i, 0x02));
            pk.push(tcp(t + 1e-4, vic, att, 1 + i, 41000, 0x14));
        }
        let (_, alerts, _) = detect_default(pk);
        let names: Vec<_> = alerts.iter().map(|a| (a.src, a.class)).collect();
        assert!(names.contains(&(ip(att), Class::ScanSyn)), "{alerts:?}");
        assert!(
            alerts
                .iter()
                .all(|a| a.src != ip(vic) || a.class == Class::FloodUdp),
            "{alerts:?}"
        );
        // only probes keep their ends: answers and UDP are told by their episodes
        assert!(sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x02)));
        assert!(sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x29)));
        assert!(sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x00)));
        assert!(!sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x12)));
        assert!(!sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x14)));
        // the bare reset an ACK, Maimon or window probe draws (RFC 793 §3.4)
        assert!(!sent_as_probe(&tcp(0.0, att, vic, 1, 2, 0x04)));
        assert!(!sent_as_probe(&udp(0.0, att, vic, 1, 2, 100)));
        // a request to a UDP service is its sender's; its answer, and UDP between two high
        // ports or two low ones, are not probes
        assert!(sent_as_probe(&udp(0.0, att, vic, 41000, 53, 100)));
        assert!(!sent_as_probe(&udp(0.0, vic, att, 53, 41000, 100)));
        assert!(!sent_as_probe(&udp(0.0, att, vic, 41000, 5060, 100)));
        assert!(!sent_as_probe(&udp(0.0, att, vic, 123, 123, 48)));
        assert!(sent_as_probe(&icmp(0.0, att, vic, 8)));
        assert!(!sent_as_probe(&icmp(0.0, att, vic, 0)));
        let later = PacketRepr {
            fragment: true,
            later_fragment: true,
            ..tcp(0.0, att, vic, 0, 0, 0)
        };
        assert!(!sent_as_probe(&later));
    }

    #[test]
    fn a_udp_scan_of_a_host_in_an_episode_of_its_own_is_its_scanners() {
        // a lossy capture (session 21): the server's flow with a client seen from its middle
        // leaves the server an episode of its own open, and a UDP scan of its service ports
        // begins: the probes (high port to well-known port) are the scanner's, and so are the
        // port unreachables that quote them, not charged to the server's open episode
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = server_in_an_episode_of_its_own(vic);
        for i in 0..600u16 {
            let t = 12.0 + f64::from(i) * 3e-3;
            pk.push(udp(t, att, vic, 41000, 1 + i % 1000, 0));
            let mut err = icmp(t + 1e-4, vic, att, 3);
            err.icmp_code = 3;
            err.payload_len = 28;
            err.inner = Some(nightjar_packet::Inner {
                proto: 17,
                src: ip(att),
                dst: ip(vic),
                sport: 41000,
                dport: 1 + i % 1000,
            });
            pk.push(err);
        }
        let (_, alerts, _) = detect_default(pk);
        // the scan's 600 probes and 600 refusals in the scanner's alert (before: 15 of them,
        // the rest counted in the server's flood)
        assert!(
            alerts
                .iter()
                .any(|a| a.src == ip(att) && a.class == Class::ScanUdp && a.packets >= 1100),
            "{alerts:?}"
        );
        assert!(
            alerts
                .iter()
                .all(|a| a.src != ip(vic) || a.class == Class::FloodUdp),
            "{alerts:?}"
        );
    }

    #[test]
    fn answers_written_before_their_probes_are_the_probers() {
        // a sensor fed by a mirror port or a NIC's several queues writes an answer a few
        // microseconds before the probe it answers now and then (session 22): a NULL scan of
        // 1,000 ports whose first reset and every 20th come before their probe. The server,
        // the first sender of those flows, was their opener and was charged with them, and
        // with the other swapped resets once it had an episode open: a false scan-null alert
        // from the server. Each such answer and its flow are the prober's
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = Vec::new();
        for i in 0..1000u16 {
            let t = 10.0 + f64::from(i) * 2e-5;
            // (the records are taken in time order: a swapped answer is stamped first)
            let swapped = i % 20 == 0;
            let at = if swapped { t + 4e-6 } else { t };
            pk.push(tcp(at, att, vic, 59729, 1 + i, 0x00));
            pk.push(tcp(t + 2e-6, vic, att, 1 + i, 59729, 0x14));
        }
        let (_, alerts, stats) = detect_default(pk);
        assert!(
            alerts
                .iter()
                .any(|a| a.src == ip(att) && a.class == Class::ScanNull && a.packets >= 1900),
            "{alerts:?}"
        );
        assert!(alerts.iter().all(|a| a.src != ip(vic)), "{alerts:?}");
        assert_eq!(stats.answers_first, 50);
    }

    #[test]
    fn a_servers_syn_acks_sent_again_to_forged_sources_are_not_its_own_flood() {
        // seen in a fresh lab run (seed 1818): a SYN flood forged from one address, the
        // victim sending its SYN-ACKs again 1, 3, 7, 15 and 31 s after (the forged source
        // never answers). By the last ones the forged source's episode had ended, and the
        // victim had an episode of its own open (there, a false one: a late reset on an
        // idle keep-alive connection); the SYN-ACKs, charged to the end with an open
        // episode, made a flood-syn alert from the victim. A flow begun by a SYN is its
        // opener's. Here the victim's own episode is a UDP flood of a client.
        let (vic, forged, c) = ("198.18.0.10", "198.19.236.202", "198.18.0.20");
        let mut pk = Vec::new();
        for i in 0..200u16 {
            let t = 10.0 + f64::from(i) * 1e-3;
            pk.push(tcp(t, forged, vic, 2000 + i, 80, 0x02));
            for again in [0.0, 1.0, 3.0, 7.0, 15.0, 31.0] {
                pk.push(tcp(t + 1e-4 + again, vic, forged, 80, 2000 + i, 0x12));
            }
        }
        for i in 0..6000u16 {
            let t = 38.0 + f64::from(i) * 1e-3;
            pk.push(udp(t, vic, c, 30000 + i % 4000, 53, 128));
        }
        pk.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        let (v, alerts, _) = detect_default(pk);
        let again = v
            .iter()
            .filter(|x| x.ts > 40.0 && x.ts < 42.0 && x.class == Class::FloodSyn)
            .count();
        assert!(again >= 100, "the networks flag the last SYN-ACKs: {again}");
        let own: Vec<_> = alerts.iter().filter(|a| a.src == ip(vic)).collect();
        assert_eq!(own.len(), 1, "{alerts:?}");
        assert_eq!(own[0].class, Class::FloodUdp);
        assert_eq!(own[0].class_counts[Class::FloodSyn.index()], 0, "{own:?}");
    }

    /// Echo requests from `a` to `b` with `len` bytes of IP payload (8 of ICMP header), `n`
    /// of them `gap` seconds apart from `t`, in fragments of 1,480 when longer, each
    /// answered `rtt` after when `rtt` is some; `v6`: ICMPv6 (128 and 129), else ICMP.
    #[allow(clippy::too_many_arguments)]
    fn echo_pings(
        (a, b): (&str, &str),
        t: f64,
        n: u32,
        gap: f64,
        len: u32,
        rtt: Option<f64>,
        v6: bool,
        id: u32,
    ) -> Vec<PacketRepr> {
        let (request, reply, proto) = if v6 { (128, 129, 58) } else { (8, 0, 1) };
        let one = |t: f64, from: &str, to: &str, ty: u8, id: u32| {
            let p = PacketRepr {
                proto,
                ip_len: (len + 20).min(65535) as u16,
                payload_len: len - 8,
                ..icmp(t, from, to, ty)
            };
            if len > 1480 {
                fragmented(t, p, id, len)
            } else {
                vec![p]
            }
        };
        let mut pk = Vec::new();
        for i in 0..n {
            let at = t + f64::from(i) * gap;
            pk.extend(one(at, a, b, request, id + 2 * i));
            if let Some(rtt) = rtt {
                pk.extend(one(at + rtt, b, a, reply, id + 2 * i + 1));
            }
        }
        pk
    }

    #[test]
    fn a_ping_of_death_is_its_senders_attack_from_one_datagram_over_ipv4_and_ipv6() {
        // Scapy's `fragment(IP(dst=V)/ICMP()/("X"*65600))`: 65,608 bytes of ICMP in 45
        // fragments of 1,480, the last ending at 65,628 (header included) past 65,535; one
        // datagram, beside a client's ordinary small pings of the same host
        for (att, vic, c, v6) in [
            ("198.18.0.66", "198.18.0.10", "198.18.0.20", false),
            ("2001:2::c612:42", "2001:2::c612:a", "2001:2::c612:14", true),
        ] {
            let mut pk = echo_pings((att, vic), 20.0, 1, 1.0, 65608, None, v6, 2000);
            assert!(pk.last().is_some_and(ends_past_max), "{v6}");
            assert_eq!(pk.iter().filter(|p| ends_past_max(p)).count(), 1);
            pk.extend(echo_pings((c, vic), 10.0, 30, 1.0, 64, Some(3e-4), v6, 100));
            let (v, alerts, st) = detect_default(pk);
            assert_eq!(st.oversize_fragments, 1, "{v6}: {st:?}");
            assert_eq!(alerts.len(), 1, "{v6}: {alerts:?}");
            let a = &alerts[0];
            assert_eq!(
                (a.src, a.dst, a.class),
                (ip(att), ip(vic), Class::OtherAttack),
                "{v6}"
            );
            let e = a.profile.unwrap();
            assert_eq!(e.naming.rule, Rule::PingOfDeath);
            assert!(a.signature().contains("ping of death"), "{}", a.signature());
            assert_eq!(a.to_eve()["nightjar"]["profile"]["oversize_fragments"], 1);
            assert_eq!(a.to_eve()["nightjar"]["profile"]["rule"], "ping-of-death");
            // the oversize fragment is flagged whatever the networks said of it
            let big = v.iter().find(|x| x.oversize).unwrap();
            assert_eq!(big.class, Class::OtherAttack);
            assert_eq!(v.iter().filter(|x| x.oversize).count(), 1);
        }
    }

    #[test]
    fn the_largest_legal_datagram_is_no_ping_of_death() {
        // `ping -s 65507`: 65,507 + 8 + 20 = 65,535 bytes, the largest IPv4 datagram, its last
        // fragment ending at 65,535 exactly; IPv6's largest, 65,535 bytes of payload after the
        // fragment header; answered, at a ping's pace
        for (a, b, v6, len) in [
            ("198.18.0.20", "198.18.0.10", false, 65515),
            ("2001:2::c612:14", "2001:2::c612:a", true, 65535),
        ] {
            let pk = echo_pings((a, b), 10.0, 6, 1.0, len, Some(2e-3), v6, 300);
            assert!(!pk.iter().any(ends_past_max), "{v6}");
            let last = pk.iter().rev().find(|p| p.later_fragment).unwrap();
            let end = last.frag_offset()
                + if v6 {
                    last.payload_len
                } else {
                    u32::from(last.ip_len)
                };
            assert_eq!(end, 65535, "{v6}");
            let (v, alerts, st) = detect_default(pk);
            assert_eq!(st.oversize_fragments, 0);
            assert!(v.iter().all(|x| !x.oversize));
            assert!(alerts.is_empty(), "{v6}: {alerts:?}");
        }
    }

    #[test]
    fn large_pings_answered_at_a_pings_pace_raise_no_alert_both_ways() {
        // `ping -s 3000 -i 0.5` both ways between two hosts for two minutes (three fragments
        // each way), `ping -s 8000` at 1 s beside them, and ICMPv6 pings of 3,000 bytes: the
        // networks flag many of those fragments; after each pair's first exchange the rule
        // clears them, and no alert is raised
        let (c, vic) = ("198.18.0.20", "198.18.0.10");
        let (c6, vic6) = ("2001:2::c612:14", "2001:2::c612:a");
        let mut pk = echo_pings((c, vic), 10.0, 240, 0.5, 3008, Some(3e-4), false, 1000);
        pk.extend(echo_pings(
            (vic, c),
            10.25,
            240,
            0.5,
            3008,
            Some(3e-4),
            false,
            5000,
        ));
        pk.extend(echo_pings(
            (c, vic),
            10.1,
            120,
            1.0,
            8008,
            Some(5e-4),
            false,
            9000,
        ));
        pk.extend(echo_pings(
            (c6, vic6),
            10.3,
            240,
            0.5,
            3008,
            Some(3e-4),
            true,
            1000,
        ));
        let (v, alerts, st) = detect_default(pk);
        assert!(alerts.is_empty(), "{alerts:?}");
        assert!(st.echoes_cleared > 0, "{st:?}");
        // what is left flagged is at most each pair's first exchange (and its fragments)
        let flagged = v.iter().filter(|x| x.class.is_attack()).count();
        assert!(flagged <= 4 * 2 * 6, "{flagged} flagged");
    }

    #[test]
    fn large_ping_floods_are_still_icmp_floods_of_their_sender() {
        // `ping -f -s 3000`: each request as soon as the reply came (0.2 ms); hping3 `--icmp
        // -d 3000 -i u1000` without waiting for replies; both beside an ordinary large ping
        let (att, vic, c) = ("198.18.0.66", "198.18.0.10", "198.18.0.20");
        for (gap, rtt) in [(2e-4, Some(1e-4)), (1e-3, Some(4e-4)), (1e-3, None)] {
            let mut pk = echo_pings((att, vic), 20.0, 2000, gap, 3008, rtt, false, 100);
            pk.extend(echo_pings(
                (c, vic),
                10.0,
                40,
                1.0,
                3008,
                Some(3e-4),
                false,
                30000,
            ));
            let (_, alerts, st) = detect_default(pk);
            let names: Vec<_> = alerts.iter().map(|a| (a.src, a.class)).collect();
            assert_eq!(
                names,
                [(ip(att), Class::FloodIcmp)],
                "{gap} {rtt:?}: {alerts:?}"
            );
            // none of the flood's requests cleared but its first (a large ping's first
            // request is taken for a ping's), the client's may be
            assert!(st.echoes_cleared <= 2 * 40 + 2, "{st:?}");
            assert!(alerts[0].packets >= 3 * 2000 - 3, "{:?}", alerts[0]);
        }
    }

    #[test]
    fn the_echo_pace_can_be_turned_off_and_must_be_a_number() {
        // off: the answered large pings are the networks' again (they flag some)
        let (c, vic) = ("198.18.0.20", "198.18.0.10");
        let pk = echo_pings((c, vic), 10.0, 60, 0.5, 3008, Some(3e-4), false, 1000);
        let off = DetectSettings {
            echo_pace: 0.0,
            ..DetectSettings::default()
        };
        let (v, _, st) = collect(Models::builtin().unwrap(), off, records(pk.clone()));
        assert_eq!(st.echoes_cleared, 0);
        let flagged_off = v.iter().filter(|x| x.class.is_attack()).count();
        let (v, _, st) = detect_default(pk);
        let flagged_on = v.iter().filter(|x| x.class.is_attack()).count();
        assert!(st.echoes_cleared > 0);
        assert!(flagged_on < flagged_off, "{flagged_on} {flagged_off}");
        for bad in [f32::NAN, -1.0, f32::INFINITY] {
            let s = DetectSettings {
                echo_pace: bad,
                ..DetectSettings::default()
            };
            assert!(s.validate().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_large_ping_flood_from_forged_sources_is_still_an_icmp_flood() {
        // hping3 `--icmp -d 3000 --rand-source -i u500`: each request a new pair's first (a
        // large one, which the echo rule would take for a ping's), left to the spray rule
        let vic = "198.18.0.10";
        let mut pk = Vec::new();
        for i in 0..3000u32 {
            let src = format!("198.19.{}.{}", i / 250 % 250, i % 250 + 1);
            pk.extend(echo_pings(
                (&src, vic),
                10.0 + f64::from(i) * 5e-4,
                1,
                1.0,
                3008,
                None,
                false,
                i,
            ));
        }
        let (_, alerts, _) = detect_default(pk);
        assert!(
            alerts
                .iter()
                .any(|a| a.dst == ip(vic) && a.class == Class::FloodIcmp && a.packets >= 3000),
            "{alerts:?}"
        );
    }

    #[test]
    fn teardrop_is_an_attack_of_overlapping_fragments_from_its_sender() {
        // teardrop.c, 150 times, 10 ms apart: a first UDP fragment of 8 + 28 bytes, then the
        // last at offset 24 with 4 bytes, inside the first; beside a client's fragmented
        // echo exchanges with the same host
        let (att, vic, c) = ("198.18.0.66", "198.18.0.10", "198.18.0.20");
        let mut pk = Vec::new();
        for i in 0..150u16 {
            let t = 10.0 + f64::from(i) * 0.01;
            let first = PacketRepr {
                fragment: true,
                frag_id: 1000 + u32::from(i),
                frag_word: 1 << 13,
                ..udp(t, att, vic, 3000 + i, 3000 + i, 56)
            };
            let second = PacketRepr {
                ts: t + 1e-4,
                later_fragment: true,
                frag_word: 3,
                ip_len: 24,
                payload_len: 4,
                sport: 0,
                dport: 0,
                ..first
            };
            pk.extend([first, second]);
        }
        for i in 0..6u32 {
            let t = 10.0 + f64::from(i) * 0.25;
            pk.extend(fragmented(t, udp(t, c, vic, 40000, 7, 4028), 500 + i, 4008));
            pk.extend(fragmented(
                t + 1e-3,
                udp(t, vic, c, 7, 40000, 4028),
                900 + i,
                4008,
            ));
        }
        let (v, alerts, st) = detect_default(pk);
        assert_eq!(st.overlapping_fragments, 150, "{st:?}");
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(
            (a.src, a.dst, a.class),
            (ip(att), ip(vic), Class::OtherAttack)
        );
        let e = a.profile.unwrap();
        assert_eq!(e.naming.rule, Rule::OverlappingFragments);
        assert!(
            a.signature().contains("overlapping IP fragments"),
            "{}",
            a.signature()
        );
        assert_eq!(
            a.to_eve()["nightjar"]["profile"]["overlapping_fragments"],
            150
        );
        // every second fragment flagged, and none of the client's
        assert_eq!(v.iter().filter(|x| x.overlapping).count(), 150);
        assert!(v
            .iter()
            .filter(|x| x.packet.is_some_and(|p| p.src == ip(c) || p.dst == ip(c)))
            .all(|x| !x.overlapping));
    }

    #[test]
    fn a_connection_flood_that_closes_its_connections_at_once_stays_one_episode() {
        // nping --tcp-connect -p 80 --rate 400 -c 2000: handshakes from new source ports, then
        // every connection closed at once (FIN+ACK, the server's FIN+ACK, the last ACK)
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = Vec::new();
        for i in 0..2000u16 {
            let t = 10.0 + f64::from(i) * 2.5e-3;
            let sport = 30000 + i;
            pk.push(tcp(t, att, vic, sport, 80, 0x02));
            pk.push(tcp(t + 1e-4, vic, att, 80, sport, 0x12));
            pk.push(tcp(t + 2e-4, att, vic, sport, 80, 0x10));
        }
        for i in 0..2000u16 {
            let t = 15.1 + f64::from(i) * 2e-4;
            let sport = 30000 + i;
            pk.push(tcp(t, att, vic, sport, 80, 0x11));
            pk.push(tcp(t + 5e-5, vic, att, 80, sport, 0x11));
            pk.push(tcp(t + 1e-4, att, vic, sport, 80, 0x10));
        }
        let (_, alerts, st) = detect_default(pk);
        assert_eq!(st.attack_changes, 0, "{st:?}");
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string()))
            .collect();
        assert_eq!(got, [(att.to_string(), vic.to_string())], "{alerts:?}");
    }

    /// `sh.take` of a flagged packet `p` the attacker's episode sees at its own time, a change
    /// after ten probes of another kind.
    fn take(sh: &mut Shift, p: &PacketRepr, established: bool) -> bool {
        sh.take(p, ip(ATT), p.ts, (10, 0), true, established, true)
            .is_some()
    }

    /// `sh.take` of a packet the networks passed, with whether it is of an established
    /// connection (as [`connection`] gives them).
    fn passed(sh: &mut Shift, (p, est): &(PacketRepr, bool)) -> bool {
        sh.take(p, ip(ATT), p.ts, (10, 0), false, *est, true)
            .is_some()
    }

    #[test]
    fn acks_and_closes_of_established_connections_are_no_probes_and_an_ack_flood_still_is() {
        // a connection flood (ab): SYNs from new ports, then the connections' ACKs and
        // FIN+ACKs, more than ten in a row, which are theirs; then an ACK flood (hping3 -A),
        // no connection's: its tenth ACK ends the episode
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut sh = Shift::default();
        for i in 0..20u16 {
            let syn = tcp(0.0, att, vic, 30000 + i, 80, 0x02);
            assert!(!take(&mut sh, &syn, false));
        }
        for flags in [0x10, 0x11, 0x18] {
            for i in 0..20u16 {
                // the requests (PSH+ACK with data) too
                let own = PacketRepr {
                    payload_len: if flags == 0x18 { 120 } else { 0 },
                    ..tcp(0.5, att, vic, 30000 + i, 80, flags)
                };
                assert!(!take(&mut sh, &own, true), "{flags:#x}");
            }
        }
        let ends: Vec<bool> = (0..10u16)
            .map(|i| take(&mut sh, &tcp(3.0, att, vic, 1024 + i, 80, 0x10), false))
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // the profile counts the connections' ACKs and closes as theirs, not as probes
        let mut p = Profile::default();
        p.add(&tcp(0.0, att, vic, 30000, 80, 0x02), true, false);
        for _ in 0..50 {
            p.add(&tcp(0.5, att, vic, 30000, 80, 0x10), true, true);
        }
        p.add(&tcp(0.6, att, vic, 30000, 80, 0x11), true, true);
        let e = p.decide(&[0; 15], false);
        assert_eq!((e.probes, e.handshakes), (1, 50), "{e:?}");
    }

    /// A connection of a NAT's client to the victim's port 80 at `t`, from source port
    /// `sport`: its SYN (passed), the victim's SYN-ACK, the handshake's ACK, and — `data` — a
    /// request (established), or — not — the connect scan's reset.
    fn connection(t: f64, sport: u16, data: bool) -> Vec<(PacketRepr, bool)> {
        let (att, vic) = (ATT, "198.18.0.10");
        let last = if data {
            PacketRepr {
                payload_len: 80,
                ..tcp(t + 3e-4, att, vic, sport, 80, 0x18)
            }
        } else {
            tcp(t + 3e-4, att, vic, sport, 80, 0x14)
        };
        vec![
            (tcp(t, att, vic, sport, 80, 0x02), false),
            (tcp(t + 1e-4, vic, att, 80, sport, 0x12), false),
            (tcp(t + 2e-4, att, vic, sport, 80, 0x10), true),
            (last, data),
        ]
    }

    #[test]
    fn syns_of_connections_that_carry_data_are_taken_back_from_a_run_of_another_kind() {
        let vic = "198.18.0.10";
        // a FIN scan (its probes flagged), then a NAT's clients' page loads: twenty SYNs the
        // networks pass, each connection answered and carrying a request; the episode goes on
        let fin_scan = |sh: &mut Shift| {
            // (the source sent SYNs before: its first SYN is either kind)
            sh.syn_sport = Some(39999);
            for i in 0..5u16 {
                assert!(!take(sh, &tcp(0.0, ATT, vic, 50000, 100 + i, 0x01), false));
            }
        };
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        for i in 0..20u16 {
            for c in connection(1.0 + f64::from(i) * 0.01, 40000 + i, true) {
                assert!(!passed(&mut sh, &c), "{i}");
            }
        }
        assert_eq!((sh.kind, sh.run), (Some(ProbeKind::Fin), 0));
        // ... and so when eight connections open at once before their requests
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        for round in 0..3u16 {
            let cs: Vec<_> = (0..8u16)
                .map(|i| connection(1.0 + f64::from(round), 40000 + round * 8 + i, true))
                .collect();
            for c in &cs {
                assert!(!passed(&mut sh, &c[0]));
            }
            for c in &cs {
                for x in &c[1..] {
                    assert!(!passed(&mut sh, x));
                }
            }
        }
        assert_eq!(sh.run, 0);
        // a connect scan after the FIN scan: handshakes completed and reset, no data; its
        // tenth SYN ends the episode
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        let ends: Vec<bool> = (0..10u16)
            .map(|i| {
                connection(2.0 + f64::from(i) * 1e-3, 40000 + i, false)
                    .iter()
                    .any(|c| passed(&mut sh, c))
            })
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // an HTTP flood whose SYNs the networks flagged: its connections carry requests, but
        // its SYNs stay in the run, and the tenth ends the episode
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        let ends: Vec<bool> = (0..10u16)
            .map(|i| {
                let c = connection(2.0 + f64::from(i) * 1e-3, 40000 + i, true);
                let syn = take(&mut sh, &c[0].0, false);
                c[1..].iter().any(|x| passed(&mut sh, x)) || syn
            })
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // data on connections opened before the run (a download's) takes nothing back: nine
        // passed SYNs never answered, the download's segments, the tenth SYN ends the episode
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        for i in 0..9u16 {
            assert!(!passed(
                &mut sh,
                &(tcp(3.0, ATT, vic, 41000 + i, 22, 0x02), false)
            ));
            let data = PacketRepr {
                payload_len: 100,
                ..tcp(3.0, ATT, vic, 39000, 80, 0x18)
            };
            assert!(!passed(&mut sh, &(data, true)));
        }
        assert_eq!(sh.run, 9);
        assert!(passed(
            &mut sh,
            &(tcp(3.5, ATT, vic, 41009, 22, 0x02), false)
        ));
        // a taken-back SYN is taken back once: a second request on its connection counts for
        // nothing more
        let mut sh = Shift::default();
        fin_scan(&mut sh);
        for c in connection(4.0, 42000, true) {
            assert!(!passed(&mut sh, &c));
        }
        assert!(!passed(
            &mut sh,
            &(tcp(4.1, ATT, vic, 42001, 80, 0x02), false)
        ));
        let again = PacketRepr {
            payload_len: 80,
            ..tcp(4.2, ATT, vic, 42000, 80, 0x18)
        };
        assert!(!passed(&mut sh, &(again, true)));
        assert_eq!(sh.run, 1);
        assert_eq!(sh.run_syns[..2], [42001, 0]);
    }

    #[test]
    fn a_fin_scan_among_a_nats_page_loads_is_one_episode_and_a_connect_scan_after_it_another() {
        // a FIN scan from a NAT's address (probes and the victim's resets flagged), a pause of
        // its own with twelve page loads from the NAT's clients, then the rest of the scan; then,
        // `connect`, a connect scan of twelve ports in the pause instead
        let vic = "198.18.0.10";
        for connect in [false, true] {
            let mut pk = Vec::new();
            let fin = |pk: &mut Vec<_>, t0: f64, port0: u16| {
                for i in 0..40u16 {
                    let t = t0 + f64::from(i) * 0.05;
                    pk.push((
                        tcp(t, ATT, vic, 50000, port0 + i, 0x01),
                        Class::ScanFin,
                        false,
                    ));
                    pk.push((
                        tcp(t + 1e-4, vic, ATT, port0 + i, 50000, 0x14),
                        Class::ScanFin,
                        false,
                    ));
                }
            };
            fin(&mut pk, 10.0, 100);
            for i in 0..12u16 {
                for (p, est) in connection(12.1 + f64::from(i) * 0.1, 40000 + i, !connect) {
                    pk.push((p, Class::Normal, est));
                }
            }
            fin(&mut pk, 13.5, 200);
            let (alerts, st) = aggregate_sessions(&pk);
            // (the connect scan in the middle: the FIN scan, then it; its SYNs the networks
            // passed, nothing of it flagged, it could be no alert of its own, and the FIN
            // scan's next probes make its episode about them: their preamble, two alerts)
            let c = u64::from(connect);
            assert_eq!((st.attack_changes, st.preambles), (c, c), "{st:?}");
            let named: Vec<(Class, u64)> = alerts.iter().map(|a| (a.class, a.packets)).collect();
            if connect {
                assert_eq!(named, [(Class::ScanFin, 80), (Class::ScanFin, 80)]);
            } else {
                assert_eq!(named, [(Class::ScanFin, 160)]);
            }
        }
    }

    /// A client's page load from the attacker's address (a NAT's): [`connection`] with its
    /// request, then both ends' FIN+ACKs and the last ACK.
    fn page_load(t: f64, sport: u16) -> Vec<(PacketRepr, bool)> {
        let (att, vic) = (ATT, "198.18.0.10");
        let mut c = connection(t, sport, true);
        c.push((tcp(t + 4e-4, att, vic, sport, 80, 0x11), true));
        c.push((tcp(t + 5e-4, vic, att, 80, sport, 0x11), true));
        c.push((tcp(t + 6e-4, att, vic, sport, 80, 0x10), true));
        c
    }

    #[test]
    fn a_kind_set_by_a_nats_page_loads_gives_way_to_the_probes_after_them() {
        let vic = "198.18.0.10";
        // (as the aggregator does: each packet taken, then its SYN taken back if it shows
        // the connection an ordinary one)
        let page_loads = |sh: &mut Shift, n: u16| {
            for i in 0..n {
                for c in connection(1.0 + f64::from(i) * 0.01, 40000 + i, true) {
                    assert!(!passed(sh, &c), "{i}");
                    sh.ordinary(&c.0, c.1);
                }
            }
        };
        // the NAT's clients' page loads set a tentative SYN kind; all their SYNs are taken
        // back (their connections carried requests)
        let mut sh = Shift::default();
        page_loads(&mut sh, 3);
        assert!(sh.kind.is_some_and(ProbeKind::is_syn) && sh.tentative);
        assert_eq!(sh.kind_syns, [0; KIND_SYNS]);
        // a FIN scan's probe (flagged) makes the episode a FIN episode, no change of attack;
        // the clients' later SYNs are a run of another kind, taken back as before
        assert!(!take(&mut sh, &tcp(2.0, ATT, vic, 50000, 100, 0x01), false));
        assert_eq!(
            (sh.kind, sh.tentative, sh.run),
            (Some(ProbeKind::Fin), false, 0)
        );
        page_loads(&mut sh, 20);
        assert_eq!((sh.kind, sh.run), (Some(ProbeKind::Fin), 0));
        // Maimon probes the networks passed (only the victim's resets flagged) do as much,
        // and go on counting in the profile as the episode's probes
        let mut sh = Shift::default();
        page_loads(&mut sh, 3);
        // (the first three owed as the closes of the three connections left open)
        let maimon = tcp(2.0, ATT, vic, 50000, 100, 0x11);
        for _ in 0..4 {
            assert!(!passed(&mut sh, &(maimon, false)));
        }
        assert_eq!(sh.kind, Some(ProbeKind::Maimon));
        assert!(sh.probing(&maimon));
        // ... as with no kind yet; against a kind that is no client's (a FIN scan's) passed
        // Maimon probes are a run of another kind, the tenth ending the episode (a Maimon
        // scan after the FIN scan), and none counts in the FIN episode's profile
        let mut sh = Shift::default();
        assert!(!passed(&mut sh, &(maimon, false)));
        assert_eq!(sh.kind, Some(ProbeKind::Maimon));
        let mut sh = Shift::default();
        assert!(!take(&mut sh, &tcp(0.0, ATT, vic, 50000, 99, 0x01), false));
        let ends: Vec<bool> = (0..10u16)
            .map(|i| {
                let m = tcp(2.0, ATT, vic, 50000, 100 + i, 0x11);
                let end = passed(&mut sh, &(m, false));
                assert!(end || !sh.probing(&m));
                end
            })
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // a FIN back on one of the run's connections shows them closes (a connection flood's
        // ends): the run starts again; one on another connection (a client's page load
        // closing) does not
        let mut sh = Shift::default();
        assert!(!take(&mut sh, &tcp(0.0, ATT, vic, 50000, 99, 0x01), false));
        for i in 0..5u16 {
            assert!(!passed(
                &mut sh,
                &(tcp(2.0, ATT, vic, 30000 + i, 80, 0x11), false)
            ));
        }
        assert!(!passed(
            &mut sh,
            &(tcp(2.1, vic, ATT, 80, 40000, 0x11), false)
        ));
        assert_eq!(sh.run, 5);
        assert!(!passed(
            &mut sh,
            &(tcp(2.1, vic, ATT, 80, 30003, 0x11), false)
        ));
        assert_eq!(sh.run, 0);
        // nor a Maimon probe on an established connection (its close)
        let mut sh = Shift::default();
        page_loads(&mut sh, 1);
        let close = tcp(2.0, ATT, vic, 40000, 80, 0x11);
        assert!(!passed(&mut sh, &(close, true)));
        assert!(sh.tentative);
        // the legitimate look-alikes of a client's SYNs keep the kind: a connect scan (nine
        // handshakes without data: the first pushed out of the SYNs remembered), then a FIN
        // scan, whose tenth probe ends the episode
        let mut sh = Shift::default();
        for i in 0..9u16 {
            for c in connection(1.0 + f64::from(i) * 1e-3, 41000 + i, false) {
                assert!(!passed(&mut sh, &c));
            }
        }
        assert!(!sh.tentative);
        let ends: Vec<bool> = (0..10u16)
            .map(|i| take(&mut sh, &tcp(2.0, ATT, vic, 50000, 100 + i, 0x01), false))
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // ... and a SYN the networks flagged (a SYN flood's, an HTTP flood's)
        let mut sh = Shift::default();
        assert!(!take(&mut sh, &tcp(0.0, ATT, vic, 41000, 80, 0x02), false));
        assert!(!sh.tentative);
        let mut sh = Shift::default();
        page_loads(&mut sh, 1);
        assert!(!take(&mut sh, &tcp(1.5, ATT, vic, 41000, 80, 0x02), false));
        assert!(!sh.tentative);
        assert!(!take(&mut sh, &tcp(2.0, ATT, vic, 50000, 100, 0x01), false));
        assert_eq!((sh.kind.is_some_and(ProbeKind::is_syn), sh.run), (true, 1));
    }

    #[test]
    fn passed_syns_of_connections_that_carry_data_leave_the_episodes_profile() {
        let vic = "198.18.0.10";
        // a client's connection: its SYN remembered, taken back once by its request
        let mut sh = Shift::default();
        let c = connection(1.0, 40000, true);
        assert!(!passed(&mut sh, &c[0]));
        assert_eq!(sh.kind_syns[0], 40000 | 1 << 17);
        for x in &c[1..3] {
            assert!(!passed(&mut sh, x));
            assert_eq!(sh.ordinary(&x.0, x.1), None);
        }
        assert_eq!(sh.ordinary(&c[3].0, false), None, "no connection's data");
        assert_eq!(sh.ordinary(&c[3].0, true), Some(false));
        assert_eq!(sh.ordinary(&c[3].0, true), None, "once");
        assert_eq!(sh.kind_syns, [0; KIND_SYNS]);
        // a connect scan's connections carry nothing: none taken back
        let mut sh = Shift::default();
        for x in connection(1.0, 40001, false) {
            assert!(!passed(&mut sh, &x));
            assert_eq!(sh.ordinary(&x.0, x.1), None);
        }
        // in a connect scan's episode the clients' passed SYNs leave a run of probes of
        // another kind running (they may carry data yet); a SYN refused is the scan's, and
        // ends the run as before
        let mut sh = Shift::default();
        for i in 0..9u16 {
            for c in connection(1.0 + f64::from(i) * 1e-3, 41000 + i, false) {
                assert!(!passed(&mut sh, &c));
            }
        }
        for i in 0..5u16 {
            assert!(!take(
                &mut sh,
                &tcp(2.0, ATT, vic, 50000, 100 + i, 0x01),
                false
            ));
        }
        for c in connection(2.1, 40100, true) {
            assert!(!passed(&mut sh, &c));
            sh.ordinary(&c.0, c.1);
        }
        assert_eq!(sh.run, 5);
        assert!(!passed(
            &mut sh,
            &(tcp(2.2, ATT, vic, 41100, 7, 0x02), false)
        ));
        assert_eq!(sh.run, 5);
        assert!(!passed(
            &mut sh,
            &(tcp(2.2, vic, ATT, 7, 41100, 0x14), false)
        ));
        assert_eq!(sh.run, 0);
        // the aggregator: a connect scan of 40 ports (refusals flagged) among twenty page
        // loads of the NAT's clients; the profile counts the scan's 40 SYNs, not theirs
        // (the scan's SYNs with connect()'s options; its first came before the episode opened)
        let mut pk = Vec::new();
        for i in 0..40u16 {
            let t = 10.0 + f64::from(i) * 0.01;
            let syn = PacketRepr {
                ip_len: 60,
                ..tcp(t, ATT, vic, 45000 + i, 1000 + i * 7, 0x02)
            };
            pk.push((syn, Class::Normal, false));
            let refusal = tcp(t + 1e-4, vic, ATT, 1000 + i * 7, 45000 + i, 0x14);
            pk.push((refusal, Class::ScanConnect, false));
            if i % 2 == 0 {
                for (p, est) in page_load(t + 2e-3, 40000 + i) {
                    pk.push((p, Class::Normal, est));
                }
            }
        }
        let (alerts, _) = aggregate_sessions(&pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let ev = alerts[0].profile.unwrap();
        assert_eq!(
            (alerts[0].class, ev.probes),
            (Class::ScanConnect, 39),
            "{ev:?}"
        );
    }

    #[test]
    fn a_maimon_scan_after_a_nats_page_loads_is_named_by_its_probes() {
        // the NAT's clients load pages (passed), then a Maimon scan whose probes the networks
        // pass and whose victim's resets they flag, the clients' page loads going on
        let vic = "198.18.0.10";
        let mut pk = Vec::new();
        for i in 0..10u16 {
            for (p, est) in page_load(9.0 + f64::from(i) * 0.05, 40000 + i) {
                pk.push((p, Class::Normal, est));
            }
        }
        for i in 0..60u16 {
            let t = 10.0 + f64::from(i) * 0.02;
            let port = 1 + (i * 37) % 500;
            pk.push((tcp(t, ATT, vic, 50000, port, 0x11), Class::Normal, false));
            pk.push((
                tcp(t + 1e-4, vic, ATT, port, 50000, 0x04),
                Class::ScanUdp,
                false,
            ));
            if i % 3 == 0 {
                for (p, est) in page_load(t + 5e-3, 41000 + i) {
                    pk.push((p, Class::Normal, est));
                }
            }
        }
        let (alerts, st) = aggregate_sessions(&pk);
        assert_eq!(st.attack_changes, 0, "{st:?}");
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(
            (alerts[0].class, alerts[0].packets),
            (Class::ScanMaimon, 60)
        );
    }

    #[test]
    fn closes_owed_to_syn_acks_are_no_probes_but_a_maimon_scan_after_them_still_is() {
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut sh = Shift::default();
        // a SYN episode: three ports answered SYN-ACKs
        assert!(!take(&mut sh, &tcp(0.0, att, vic, 40000, 22, 0x02), false));
        for port in [22, 80, 443] {
            take(&mut sh, &tcp(0.1, vic, att, port, 40000, 0x12), false);
        }
        // three FIN+ACKs close them; ten more are Maimon probes, and the tenth ends the episode
        for i in 0..3u16 {
            assert!(!take(
                &mut sh,
                &tcp(1.0, att, vic, 40000, 22 + i, 0x11),
                false
            ));
        }
        let ends: Vec<bool> = (0..10u16)
            .map(|i| take(&mut sh, &tcp(2.0, att, vic, 50000, 1000 + i, 0x11), false))
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // a FIN received is owed one ACK; the next ACKs are probes of their own kind
        let mut sh = Shift::default();
        assert!(!take(&mut sh, &tcp(0.0, att, vic, 40000, 80, 0x02), false));
        take(&mut sh, &tcp(0.1, vic, att, 80, 40000, 0x11), false);
        assert_eq!(sh.kind_of(&tcp(0.2, att, vic, 40000, 80, 0x10)), None);
        assert_eq!(
            sh.kind_of(&tcp(0.3, att, vic, 40000, 81, 0x10)),
            Some(ProbeKind::Ack)
        );
    }

    #[test]
    fn syn_acks_refused_with_a_bare_reset_are_owed_no_close() {
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        // hping3 -S -p 80 of an open port: each SYN from a new port answered by a SYN-ACK,
        // which the attacker's kernel refuses with a bare reset; nothing is owed a close
        let syn_flood = |sh: &mut Shift, refuse: u8| {
            for i in 0..800u16 {
                let t = f64::from(i) * 1e-3;
                take(sh, &tcp(t, att, vic, 2000 + i, 80, 0x02), false);
                take(sh, &tcp(t + 1e-4, vic, att, 80, 2000 + i, 0x12), false);
                take(sh, &tcp(t + 2e-4, att, vic, 2000 + i, 80, refuse), false);
            }
        };
        let mut sh = Shift::default();
        syn_flood(&mut sh, 0x04);
        assert_eq!(sh.open, 0);
        // a Maimon scan after it: its tenth probe ends the episode (session 24: the 800
        // SYN-ACKs made its probes 800 owed closes, and the scan was no attack of its own)
        let ends: Vec<bool> = (0..10u16)
            .map(|i| take(&mut sh, &tcp(2.0, att, vic, 50000, 1000 + i, 0x11), false))
            .collect();
        assert_eq!(ends.iter().filter(|e| **e).count(), 1);
        assert!(ends[9]);
        // nmap -sS's own reset and its kernel's, two per SYN-ACK: none owed, never below 0
        let mut sh = Shift::default();
        take(&mut sh, &tcp(0.0, att, vic, 40000, 1, 0x02), false);
        for port in [22, 80] {
            take(&mut sh, &tcp(0.1, vic, att, port, 40000, 0x12), false);
            take(&mut sh, &tcp(0.2, att, vic, 40000, port, 0x04), false);
            take(&mut sh, &tcp(0.2, att, vic, 40000, port, 0x04), false);
        }
        assert_eq!(sh.open, 0);
        // the look-alikes: connections opened (the handshake's ACK) and aborted with a reset
        // that carries ACK owe their close still; so do connections whose source resets one
        // of its own after its FIN (a late segment): only bare resets settle, each one close
        let mut sh = Shift::default();
        syn_flood(&mut sh, 0x14);
        assert_eq!(sh.open, 800);
        let mut sh = Shift::default();
        syn_flood(&mut sh, 0x10);
        for i in 0..400u16 {
            assert!(!take(
                &mut sh,
                &tcp(1.0, att, vic, 2000 + i, 80, 0x11),
                false
            ));
        }
        assert_eq!(sh.open, 400);
        take(&mut sh, &tcp(1.5, att, vic, 2000, 80, 0x04), false);
        assert_eq!(sh.open, 399);
        // the other 399 closes still owed: no run of Maimon probes, no change of kind
        for i in 400..799u16 {
            assert!(!take(
                &mut sh,
                &tcp(2.0, att, vic, 2000 + i, 80, 0x11),
                false
            ));
        }
        assert_eq!(sh.open, 0);
        assert_ne!(sh.other, Some(ProbeKind::Maimon));
    }

    #[test]
    fn a_maimon_scan_after_a_syn_flood_of_an_open_port_is_an_attack_of_its_own() {
        // session 24's switches.pcap and session 23's w20 run: hping3 -S of an open port
        // (SYN-ACKs, the attacker's kernel's bare resets), an ICMP flood, then nmap -sM, each
        // within the gap of the one before: three alerts (at the base the Maimon probes were
        // the SYN flood's owed closes, and the ICMP flood's alert took the scan)
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = Vec::new();
        for i in 0..800u16 {
            let t = 10.0 + f64::from(i) * 1.5e-3;
            pk.push((tcp(t, att, vic, 2000 + i, 80, 0x02), Class::FloodSyn));
            pk.push((tcp(t + 1e-4, vic, att, 80, 2000 + i, 0x12), Class::FloodSyn));
            pk.push((tcp(t + 2e-4, att, vic, 2000 + i, 80, 0x04), Class::FloodSyn));
        }
        for i in 0..800u16 {
            let t = 13.5 + f64::from(i) * 1.5e-3;
            let echo = |src, dst, ty| PacketRepr {
                proto: 1,
                icmp_type: ty,
                ip_len: 148,
                ..tcp(t, src, dst, 0, 0, 0)
            };
            pk.push((echo(att, vic, 8), Class::FloodIcmp));
            pk.push((echo(vic, att, 0), Class::FloodIcmp));
        }
        pk.extend(tcp_probes(15.0, 200, 0x11, Some(50505), Class::ScanMaimon));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(
            named,
            [Class::FloodSyn, Class::FloodIcmp, Class::ScanMaimon],
            "{st:?}"
        );
        assert_eq!(st.attack_changes, 2, "{st:?}");
        // the scan's alert begins at its first probe
        assert!(
            (alerts[2].first_seen - 15.001).abs() < 1e-9,
            "{:?}",
            alerts[2]
        );
    }

    #[test]
    fn echo_replies_written_before_their_requests_are_no_unsolicited_replies() {
        // a mirror port or a NIC's several queues write a reply a few microseconds before the
        // request it answers now and then (session 22). Such a reply, its pair's first
        // exchange (nmap's host discovery pings each host once before its scan), answered no
        // request yet: an unsolicited reply, a flood-icmp packet of the replying host's, which
        // then took the swapped answers of the scan that followed as its own episode's. Here 50
        // hosts each answer one ping, the reply written 3 µs before the request
        let c = "198.18.0.20";
        let host = |i: u32| format!("198.18.1.{}", 10 + i);
        let mut pk = Vec::new();
        for i in 0..50u32 {
            let t = 10.0 + f64::from(i) * 0.01;
            pk.push(icmp(t, &host(i), c, 0));
            pk.push(icmp(t + 3e-6, c, &host(i), 8));
        }
        // not answers written early, each a pair's first exchange too: the request 5 ms after
        // the reply; the request within 1 ms but from another host; a timestamp reply (14)
        // followed by an echo request (8)
        for i in 0..20u32 {
            let t = 20.0 + f64::from(i) * 0.1;
            pk.push(icmp(t, &host(100 + i), c, 0));
            pk.push(icmp(t + 5e-3, c, &host(100 + i), 8));
            pk.push(icmp(t + 0.03, &host(200 + i % 50), c, 0));
            pk.push(icmp(t + 0.03 + 3e-6, "198.18.0.21", &host(200 + i % 50), 8));
            pk.push(icmp(t + 0.06, &host(150 + i), c, 14));
            pk.push(icmp(t + 0.06 + 3e-6, c, &host(150 + i), 8));
        }
        let (_, _, st) = detect_default(pk);
        assert_eq!(st.replies_first, 50, "{st:?}");
        assert_eq!(st.unsolicited_replies, 60, "{st:?}");
        // the timestamp reply before its timestamp request is answered by it
        let pk = vec![
            icmp(1.0, "198.18.0.10", c, 14),
            icmp(1.0 + 3e-6, c, "198.18.0.10", 13),
        ];
        let (_, _, st) = detect_default(pk);
        assert_eq!((st.replies_first, st.unsolicited_replies), (1, 0), "{st:?}");
    }

    #[test]
    fn a_flood_of_unasked_echo_replies_is_charged_to_its_sender_and_a_ping_is_not() {
        let (att, vic, c) = ("198.18.0.66", "198.18.0.10", "198.18.0.20");
        let mut pk = Vec::new();
        // hping3 --icmp -C 0 -i u300: echo replies nobody asked for
        for i in 0..3000u32 {
            pk.push(icmp(10.0 + f64::from(i) * 3e-4, att, vic, 0));
        }
        // a client's ping, answered
        for i in 0..30u32 {
            let t = 20.0 + f64::from(i);
            pk.push(icmp(t, c, vic, 8));
            pk.push(icmp(t + 1e-3, vic, c, 0));
        }
        let (_, alerts, st) = detect_default(pk);
        assert_eq!(st.unsolicited_replies, 3000, "{st:?}");
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class))
            .collect();
        assert_eq!(
            got,
            [(att.to_string(), vic.to_string(), Class::FloodIcmp)],
            "{alerts:?}"
        );
    }

    #[test]
    fn an_sctp_association_is_a_session_and_an_sctp_scan_beside_it_is_alerted() {
        use nightjar_packet::sctp_chunk::*;
        let (att, vic, c) = ("198.18.0.66", "198.18.0.10", "198.18.0.20");
        let sctp = |ts, from, to, sport: u16, dport: u16, chunk: u8, len: u32| PacketRepr {
            proto: 132,
            sport,
            dport,
            tcp_flags: 0,
            window: 0,
            ip_len: 20 + 12 + len as u16,
            payload_len: 12 + len,
            head: [chunk, 3, (len >> 8) as u8, len as u8],
            ..tcp(ts, from, to, 0, 0, 0)
        };
        let mut pk = Vec::new();
        // NetPerfMeter's pattern: the handshake, then 3,000 DATA chunks of 1,200 bytes one
        // way, 1 ms apart, and a SACK back for every second one
        let (cp, sp) = (48906, 9001);
        pk.push(sctp(1.0, c, vic, cp, sp, INIT, 20));
        pk.push(sctp(1.001, vic, c, sp, cp, INIT_ACK, 300));
        pk.push(sctp(1.002, c, vic, cp, sp, COOKIE_ECHO, 280));
        pk.push(sctp(1.003, vic, c, sp, cp, COOKIE_ACK, 4));
        for i in 0..3000u32 {
            let t = 1.004 + f64::from(i) * 1e-3;
            pk.push(sctp(t, c, vic, cp, sp, DATA, 1216));
            if i % 2 == 1 {
                pk.push(sctp(t + 1e-4, vic, c, sp, cp, SACK, 16));
            }
        }
        // nmap -sY from another host meanwhile: INITs to 300 ports, ABORTs back
        for port in 1..=300u16 {
            let t = 2.0 + f64::from(port) * 2e-3;
            pk.push(sctp(t, att, vic, 40000, port, INIT, 20));
            pk.push(sctp(t + 1e-4, vic, att, port, 40000, ABORT, 4));
        }
        let settings = DetectSettings::default();
        let (v, alerts, st) = collect(Models::builtin().unwrap(), settings, records(pk.clone()));
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.class, a.signature()))
            .collect();
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1), (att, Class::OtherAttack));
        assert!(got[0].2.contains("SCTP port scan"), "{got:?}");
        // every packet of the association from its COOKIE ACK on is normal, both ways
        let ends = |x: &PacketVerdict| {
            x.packet
                .is_some_and(|i| [i.src, i.dst].contains(&c.parse().unwrap()))
        };
        let after: Vec<_> = v.iter().filter(|x| ends(x) && x.ts >= 1.003).collect();
        assert_eq!(after.len(), 1 + 3000 + 1500);
        assert!(after.iter().all(|x| x.class == Class::Normal));
        // the rule off: nothing cleared, the association's packets judged by the networks
        let off = DetectSettings {
            sctp_associations: false,
            ..DetectSettings::default()
        };
        let (_, _, st_off) = collect(Models::builtin().unwrap(), off, records(pk));
        assert_eq!(st_off.sctp_cleared, 0);
        assert!(st.sctp_cleared <= 4501, "{st:?}");
    }

    #[test]
    fn forged_icmp_errors_protocol_scans_and_sctp_scans_are_alerted_from_their_senders() {
        let (att, vic, c) = ("198.18.0.66", "198.18.0.10", "198.18.0.20");
        let quote = |src: &str, dst: &str| {
            Some(nightjar_packet::Inner {
                proto: 17,
                src: src.parse().unwrap(),
                dst: dst.parse().unwrap(),
                sport: 40000,
                dport: 53,
            })
        };
        let error = |ts, from, to, inner| PacketRepr {
            proto: 1,
            icmp_type: 3,
            icmp_code: 3,
            tcp_flags: 0,
            window: 0,
            ip_len: 56,
            payload_len: 28,
            inner,
            ..tcp(ts, from, to, 0, 0, 0)
        };
        let other = |ts, from, to, protocol: u8, dport: u16| PacketRepr {
            proto: protocol,
            sport: if dport > 0 { 40000 } else { 0 },
            dport,
            tcp_flags: 0,
            window: 0,
            ..tcp(ts, from, to, 0, 0, 0)
        };
        let mut pk = Vec::new();
        // BlackNurse (hping3 --icmp -C 3 -K 3 -i u300): 3,000 port unreachables quoting a
        // packet from 1.2.3.4 to 5.6.7.8
        for i in 0..3000u32 {
            let t = 10.0 + f64::from(i) * 3e-4;
            pk.push(error(t, att, vic, quote("1.2.3.4", "5.6.7.8")));
        }
        // nmap -sO: every protocol number, one packet each, 2 ms apart
        for n in 0..=255u8 {
            let t = 30.0 + f64::from(n) * 2e-3;
            pk.push(other(t, att, vic, n, 0));
        }
        // nmap -sY: SCTP INITs to 300 ports, the host's ABORTs back to one port
        for port in 1..=300u16 {
            let t = 50.0 + f64::from(port) * 2e-3;
            pk.push(other(t, att, vic, 132, port));
            let mut abort = other(t + 1e-4, vic, att, 132, 40000);
            abort.sport = port;
            pk.push(abort);
        }
        // real errors: a client's queries to a closed port, answered by port unreachables
        for i in 0..20u32 {
            let t = 70.0 + f64::from(i) * 0.5;
            pk.push(udp(t, c, vic, 40000, 53, 60));
            pk.push(error(t + 1e-3, vic, c, quote(c, vic)));
        }
        let (v, alerts, st) = detect_default(pk);
        assert_eq!(st.forged_errors, 3000, "{st:?}");
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class, a.signature()))
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        let want = [
            (Class::FloodIcmp, "ICMP flood of forged errors"),
            (Class::OtherAttack, "IP protocol scan"),
            (Class::OtherAttack, "SCTP port scan"),
        ];
        for ((src, dst, class, sig), (c, what)) in got.iter().zip(want) {
            assert_eq!(
                (src.as_str(), dst.as_str(), *class),
                (att, vic, c),
                "{got:?}"
            );
            assert!(sig.contains(what), "{sig}");
        }
        assert_eq!(alerts[0].category(), "Attempted Denial of Service");
        assert_eq!(alerts[1].category(), "Detection of a Network Scan");
        assert_eq!(alerts[2].category(), "Detection of a Network Scan");
        // the real errors are not taken for forged ones
        let real = v.iter().filter(|x| x.ts >= 70.0);
        assert_eq!(real.clone().count(), 40);
        assert!(real.clone().all(|x| x.class != Class::FloodIcmp), "{v:?}");
    }

    #[test]
    fn spoofed_sources_too_small_to_alert_alone_raise_one_victim_alert() {
        // engine-level aggregator check with a fake verdict stream: 500 sources × 2 packets
        let pk: Vec<(PacketRepr, Class)> = (0..1000u32)
            .map(|k| {
                let src = format!("198.19.{}.{}", (k / 2) / 250, (k / 2) % 250 + 1);
                let t = 100.0 + f64::from(k) * 0.001;
                (udp(t, &src, "198.18.0.10", 2000, 123, 512), Class::FloodUdp)
            })
            .collect();
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].scope, Scope::Victim);
        assert_eq!(alerts[0].dst.to_string(), "198.18.0.10");
        assert_eq!(alerts[0].sources, 500);
        assert_eq!(alerts[0].packets, 1000);
        assert_eq!(alerts[0].class, Class::FloodUdp);
    }

    /// A scan of the victim from 198.18.0.66 (`scan_ports` SYNs to ports counting up from 1,
    /// one a millisecond from t = 100), then from t = 103 a SYN flood from 500 spoofed sources
    /// of 198.19.0.0/16, two SYNs each, one a millisecond; all flagged as their class.
    fn scan_then_spoofed_flood(scan_ports: u16) -> Vec<(PacketRepr, Class)> {
        let vic = "198.18.0.10";
        let mut pk: Vec<(PacketRepr, Class)> = (0..scan_ports)
            .map(|k| {
                let t = 100.0 + f64::from(k) * 0.001;
                (
                    tcp(t, "198.18.0.66", vic, 40000, k + 1, 0x02),
                    Class::ScanSyn,
                )
            })
            .collect();
        pk.extend((0..1000u32).map(|k| {
            let src = format!("198.19.{}.{}", (k / 2) / 250, (k / 2) % 250 + 1);
            let t = 103.0 + f64::from(k) * 0.001;
            (
                tcp(t, &src, vic, 1024 + k as u16, 80, 0x02),
                Class::FloodSyn,
            )
        }));
        pk
    }

    #[test]
    fn a_victim_alert_after_a_scan_alerted_on_its_own_is_dated_and_named_by_the_flood() {
        // the scanner's own alert covers its packets: the victim alert is the flood's, from
        // its first spoofed source at its first packet, not the scanner's from t = 100
        let (alerts, _) =
            aggregate_packets(DetectSettings::default(), &scan_then_spoofed_flood(300));
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        let scan = &alerts[0];
        assert_eq!(
            (scan.scope, scan.src.to_string(), scan.class),
            (Scope::Source, "198.18.0.66".to_string(), Class::ScanSyn),
            "{alerts:?}"
        );
        let flood = &alerts[1];
        assert_eq!((flood.scope, flood.class), (Scope::Victim, Class::FloodSyn));
        assert_eq!(flood.src.to_string(), "198.19.0.1", "{flood:?}");
        assert!((flood.first_seen - 103.0).abs() < 1e-9, "{flood:?}");
        assert!((flood.last_seen - 103.999).abs() < 1e-9, "{flood:?}");
        assert_eq!((flood.packets, flood.sources), (1000, 500), "{flood:?}");
        // a scanner too small for an alert of its own stays the victim alert's first end
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &scan_then_spoofed_flood(3));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].scope, Scope::Victim);
        assert_eq!(alerts[0].src.to_string(), "198.18.0.66", "{alerts:?}");
        assert!((alerts[0].first_seen - 100.0).abs() < 1e-9, "{alerts:?}");
        // a flood alone: its first source, its first packet (as it always was)
        let alone: Vec<_> = scan_then_spoofed_flood(0);
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &alone);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].src.to_string(), "198.19.0.1", "{alerts:?}");
        assert!((alerts[0].first_seen - 103.0).abs() < 1e-9, "{alerts:?}");
    }

    /// One vector of a spoofed flood at 198.18.0.10: `n` packets of kind `kind` (b'S': SYNs
    /// to 80, b'U': datagrams to 123, b'X': Xmas probes to 80), one every `step` s from `t0`,
    /// the `k`th from spoofed source `j + k` of 198.19.0.0/16; flagged as the flood of its kind.
    fn vector(kind: u8, t0: f64, n: u32, step: f64, j: u32) -> Vec<(PacketRepr, Class)> {
        (0..n)
            .map(|k| vector_packet(kind, t0 + f64::from(k) * step, j + k))
            .collect()
    }

    /// A packet of [`vector`]'s, from spoofed source `j`, at `t`.
    fn vector_packet(kind: u8, t: f64, j: u32) -> (PacketRepr, Class) {
        let src = format!("198.19.{}.{}", j / 250, j % 250 + 1);
        let (vic, sport) = ("198.18.0.10", 1024 + (j % 60_000) as u16);
        match kind {
            b'S' => (tcp(t, &src, vic, sport, 80, 0x02), Class::FloodSyn),
            b'U' => (udp(t, &src, vic, sport, 123, 64), Class::FloodUdp),
            _ => (tcp(t, &src, vic, sport, 80, 0x29), Class::FloodXmas),
        }
    }

    /// (class, source, first packet's time, packets) of each alert.
    fn vector_alerts(alerts: &[Alert]) -> Vec<(Class, String, f64, u64)> {
        alerts
            .iter()
            .map(|a| {
                assert_eq!(
                    (a.scope, a.dst.to_string()),
                    (Scope::Victim, "198.18.0.10".to_string())
                );
                (a.class, a.src.to_string(), a.first_seen, a.packets)
            })
            .collect()
    }

    #[test]
    fn a_spoofed_floods_change_of_vector_ends_the_victims_episode() {
        // SYNs, datagrams right after, Xmas probes 2 s later, SYNs again 0.5 s after: four
        // vectors, each 2,000 from new spoofed sources, one a millisecond — four alerts, each
        // named by its vector, from its first source at its first packet (a vector's first
        // nine packets are still counted in the one before)
        let mut pk = vector(b'S', 100.0, 2000, 0.001, 0);
        pk.extend(vector(b'U', 102.0, 2000, 0.001, 2000));
        pk.extend(vector(b'X', 106.0, 2000, 0.001, 4000));
        pk.extend(vector(b'S', 108.5, 2000, 0.001, 6000));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let got = vector_alerts(&alerts);
        let want = [
            (Class::FloodSyn, "198.19.0.1", 100.0, 2009),
            (Class::FloodUdp, "198.19.8.1", 102.0, 2000),
            (Class::FloodXmas, "198.19.16.1", 106.0, 2000),
            (Class::FloodSyn, "198.19.24.1", 108.5, 1991),
        ];
        assert_eq!(got.len(), want.len(), "{got:?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!((g.0, g.1.as_str()), (w.0, w.1), "{got:?}");
            assert!((g.2 - w.2).abs() < 1e-9, "{got:?}");
            assert!(g.3.abs_diff(w.3) <= 2, "{got:?}");
        }
        assert_eq!(st.victim_changes, 3, "{st:?}");
        // change_probes 0 turns it off: one episode, as before
        let off = DetectSettings {
            change_probes: 0,
            ..DetectSettings::default()
        };
        let (alerts, st) = aggregate_packets(off, &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(st.victim_changes, 0);
    }

    #[test]
    fn kinds_interleaved_from_many_spoofed_sources_stay_one_victims_episode() {
        // a botnet's SYNs, datagrams and Xmas probes at once (each kind a third, drawn at
        // random, 6,000 a millisecond apart), or datagrams with one SYN in ten, the first
        // packet a SYN: no switch, one alert
        let mut x: u32 = 12345;
        let mut draw = || {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) % 30
        };
        for (case, syns_in_30) in [("thirds", 10), ("one in ten", 3)] {
            let pk: Vec<_> = (0..6000u32)
                .map(|k| {
                    let d = draw();
                    let kind = match d {
                        _ if k == 0 || d < syns_in_30 => b'S',
                        _ if syns_in_30 == 3 || d < 20 => b'U',
                        _ => b'X',
                    };
                    vector_packet(kind, 100.0 + f64::from(k) * 0.001, k)
                })
                .collect();
            let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
            assert_eq!(alerts.len(), 1, "{case}: {alerts:?}");
            assert_eq!(alerts[0].packets, 6000, "{case}");
            assert_eq!(st.victim_changes, 0, "{case}: {st:?}");
        }
    }

    #[test]
    fn a_short_burst_or_stray_packets_of_another_kind_leave_a_flood_one_episode() {
        // a SYN flood that pauses for a burst of 300 datagrams in 0.3 s, then goes on
        let mut pk = vector(b'S', 100.0, 1500, 0.001, 0);
        pk.extend(vector(b'U', 101.5, 300, 0.001, 1500));
        pk.extend(vector(b'S', 101.8, 1500, 0.001, 1800));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::FloodSyn, "{alerts:?}");
        assert_eq!(st.victim_changes, 0, "{st:?}");
        // after a SYN flood, flagged datagrams 0.7 s apart (each a run of one: a stray
        // client's, not a flood's pace), then a UDP flood: the UDP flood's alert begins with
        // its own first packet, not with the strays
        let mut pk = vector(b'S', 100.0, 2000, 0.001, 0);
        for i in 0..3u32 {
            pk.push(vector_packet(b'U', 102.5 + f64::from(i) * 0.7, 2000 + i));
        }
        pk.extend(vector(b'U', 105.0, 2000, 0.001, 3000));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let got = vector_alerts(&alerts);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!((got[0].0, got[1].0), (Class::FloodSyn, Class::FloodUdp));
        assert_eq!(got[1].1, "198.19.12.1", "{got:?}");
        assert!((got[1].2 - 105.0).abs() < 1e-9, "{got:?}");
        assert_eq!(st.victim_changes, 1, "{st:?}");
    }

    #[test]
    fn a_normal_clients_flagged_syn_just_before_a_vector_does_not_name_its_alert() {
        // a spoofed UDP flood, then client 198.18.0.20's SYN flagged at 102.0 (a page it
        // loads: the handshake and 10 segments of data each way pass), then from 102.4 a
        // spoofed SYN flood: the run of SYNs that switches the vector begins with the
        // client's, but the SYN flood's alert is named by one of its own sources, from its
        // packets (the build before: 198.18.0.20 from 102.0)
        let (cl, vic) = ("198.18.0.20", "198.18.0.10");
        let page = |data: bool| {
            let mut pk = vec![
                (tcp(102.0, cl, vic, 40000, 80, 0x02), Class::FloodSyn),
                (tcp(102.0001, vic, cl, 80, 40000, 0x12), Class::Normal),
                (tcp(102.0002, cl, vic, 40000, 80, 0x10), Class::Normal),
            ];
            for i in 0..10u32 {
                let t = 102.001 + f64::from(i) * 0.001;
                let (ask, answer) = if data { (100, 1400) } else { (0, 0) };
                let mut q = tcp(t, cl, vic, 40000, 80, 0x18);
                q.payload_len = ask;
                let mut r = tcp(t + 0.0005, vic, cl, 80, 40000, 0x18);
                r.payload_len = answer;
                pk.extend([(q, Class::Normal), (r, Class::Normal)]);
            }
            pk
        };
        for (data, named_by_flood) in [(true, true), (false, false)] {
            let mut pk = vector(b'U', 100.0, 2000, 0.001, 0);
            pk.extend(page(data));
            pk.extend(vector(b'S', 102.4, 2000, 0.001, 2000));
            let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
            let got = vector_alerts(&alerts);
            assert_eq!(got.len(), 2, "{data}: {got:?}");
            assert_eq!((got[0].0, got[1].0), (Class::FloodUdp, Class::FloodSyn));
            assert_eq!(st.victim_changes, 1, "{st:?}");
            if named_by_flood {
                assert!(got[1].1.starts_with("198.19."), "{got:?}");
                assert!(got[1].2 >= 102.4, "{got:?}");
            } else {
                // no data answered: nothing tells it from a flood's first source
                assert_eq!((got[1].1.as_str(), got[1].2), (cl, 102.0), "{got:?}");
            }
        }
    }

    #[test]
    fn a_vector_too_small_to_alert_alone_is_the_next_ones_preamble() {
        // 60 spoofed SYNs (below the victim alert's 100 packets), then a UDP flood: one
        // episode, about the datagrams, from the first SYN
        let mut pk = vector(b'S', 100.0, 60, 0.01, 0);
        pk.extend(vector(b'U', 100.6, 2000, 0.001, 60));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let got = vector_alerts(&alerts);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].0, Class::FloodUdp, "{got:?}");
        assert_eq!(
            (got[0].1.as_str(), got[0].3),
            ("198.19.0.1", 2060),
            "{got:?}"
        );
        assert_eq!(st.victim_changes, 0, "{st:?}");
    }

    /// 40 bots (198.18.1.x, their own addresses) each sending the victim's port 80 a raw SYN
    /// twice a second for 12 s (hping3 `-S -i u500000 -c 24`, lab/botnet.sh), the networks
    /// flagging one SYN in eight and every bare RST the bot's kernel sends; the victim's
    /// SYN-ACK to each SYN when `answered` (passed), else none (the resets then answer
    /// nothing: a reset flood from many sources).
    fn bots_syns(answered: bool) -> Vec<(PacketRepr, Class)> {
        let v = "198.18.0.10";
        let mut pk = Vec::new();
        for r in 0..24u32 {
            for b in 0..40u32 {
                let bot = format!("198.18.1.{b}");
                let t = 100.0 + f64::from(r) * 0.5 + f64::from(b) * 0.01;
                let sport = 1024 + (r * 40 + b) as u16;
                let syn = if r % 8 == 0 {
                    Class::FloodSyn
                } else {
                    Class::Normal
                };
                pk.push((tcp(t, &bot, v, sport, 80, 0x02), syn));
                if answered {
                    pk.push((tcp(t + 1e-4, v, &bot, 80, sport, 0x12), Class::Normal));
                }
                pk.push((tcp(t + 2e-4, &bot, v, sport, 80, 0x04), Class::FloodSyn));
            }
        }
        pk
    }

    #[test]
    fn a_botnets_raw_syns_answered_by_the_victim_are_a_syn_flood_not_a_reset_flood() {
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &bots_syns(true));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].scope, Scope::Victim);
        assert_eq!(alerts[0].dst.to_string(), "198.18.0.10");
        assert_eq!(alerts[0].sources, 40);
        assert_eq!(alerts[0].class, Class::FloodSyn, "{alerts:?}");
        // the same resets with no SYN-ACK from the victim: a reset flood, as before
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &bots_syns(false));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].scope, Scope::Victim);
        assert_eq!(alerts[0].class, Class::OtherAttack, "{alerts:?}");
    }

    /// `n` SYNs (`udp_flood`: datagrams to port 123), one a millisecond from `t0`, packet `k`
    /// to `to(k)`, each from a new spoofed source of 198.19.0.0/16 (the `j`th from `Some(j)`
    /// on), or all from 198.18.0.66 (`None`); all flagged as the flood of their kind.
    fn carpet(
        t0: f64,
        n: u32,
        udp_flood: bool,
        spoofed: Option<u32>,
        to: impl Fn(u32) -> String,
    ) -> Vec<(PacketRepr, Class)> {
        (0..n)
            .map(|k| {
                let src = match spoofed {
                    Some(j) => format!("198.19.{}.{}", (j + k) / 250, (j + k) % 250 + 1),
                    None => "198.18.0.66".to_string(),
                };
                let t = t0 + f64::from(k) * 0.001;
                let sport = 1024 + (k % 60_000) as u16;
                if udp_flood {
                    (udp(t, &src, &to(k), sport, 123, 64), Class::FloodUdp)
                } else {
                    (tcp(t, &src, &to(k), sport, 80, 0x02), Class::FloodSyn)
                }
            })
            .collect()
    }

    /// `n` segments with `flags` to 198.18.0.10:80 from a new source each, 1,000 a second
    /// from `t0`, each followed 0.1 ms later by the victim's `answer` to its source (flags),
    /// if any, through a fresh spray rule; the index of the first segment flagged and the
    /// classes given.
    fn spray_acks(t0: f64, n: u32, flags: u8, answer: Option<u8>) -> (Option<u32>, Vec<Class>) {
        let mut spray = Spray::new(100.0, 65_536);
        let mut push = |p: &PacketRepr| spray.push(p, &AddrKeys::of(p));
        let (mut first, mut classes) = (None, Vec::new());
        for k in 0..n {
            let src = format!("198.19.{}.{}", k / 250, k % 250 + 1);
            let t = t0 + f64::from(k) * 0.001;
            let sport = 1024 + (k % 60_000) as u16;
            if let Some(c) = push(&tcp(t, &src, "198.18.0.10", sport, 80, flags)) {
                first.get_or_insert(k);
                classes.push(c);
            }
            if let Some(a) = answer {
                // the victim's answers are never flagged
                assert_eq!(
                    push(&tcp(t + 0.0001, "198.18.0.10", &src, 80, sport, a)),
                    None
                );
            }
        }
        (first, classes)
    }

    #[test]
    fn the_spray_rule_flags_acks_and_resets_from_new_sources_that_the_victim_does_not_answer() {
        // hping3 --rand-source -A, -PA, -R, and FIN+ACKs: the victim silent (the lab's, with
        // no route back), or answering each with a bare reset (RFC 9293 §3.10.7.1)
        for flags in [0x10, 0x18, 0x04, 0x11] {
            for answer in [None, Some(0x04)] {
                if flags == 0x04 && answer.is_some() {
                    continue; // a reset is not answered
                }
                let (first, classes) = spray_acks(100.0, 1000, flags, answer);
                let first = first.unwrap_or_else(|| panic!("{flags:#x} {answer:?}"));
                // the damped count reaches 100 after about 0.15 s of 1,000 a second
                assert!(
                    (100..200).contains(&first),
                    "{flags:#x} {answer:?}: {first}"
                );
                assert_eq!(classes.len() as u32, 1000 - first, "{flags:#x} {answer:?}");
                assert!(classes.iter().all(|&c| c == Class::OtherAttack));
            }
        }
        // a FIN, a SYN: the rule's other kinds, as before
        assert_eq!(spray_acks(100.0, 1000, 0x01, None).1[0], Class::OtherAttack);
        assert_eq!(spray_acks(100.0, 1000, 0x02, None).1[0], Class::FloodSyn);
        // SYN+ACKs and RST+ACKs from new sources (the answers to a SYN, FIN, NULL or Xmas scan
        // of a subnet) are not the rule's
        assert_eq!(spray_acks(100.0, 1000, 0x12, None), (None, vec![]));
        assert_eq!(spray_acks(100.0, 1000, 0x14, None), (None, vec![]));
        // off at threshold 0
        let mut off = Spray::new(0.0, 65_536);
        for k in 0..1000u32 {
            let p = tcp(
                100.0 + f64::from(k) * 0.001,
                &format!("198.19.{}.{}", k / 250, k % 250 + 1),
                "198.18.0.10",
                1024,
                80,
                0x10,
            );
            assert_eq!(off.push(&p, &AddrKeys::of(&p)), None);
        }
    }

    #[test]
    fn the_spray_rule_leaves_acks_the_receiver_answers_and_those_of_known_sources() {
        // a capture begun in the middle of 1,000 connections to a busy server, each client's
        // first segment seen within one second (ACKs, data), each answered by the server
        // (data or an ACK): every client new, none flagged
        for (flags, answer) in [(0x10, 0x18), (0x18, 0x10), (0x11, 0x11), (0x10, 0x10)] {
            assert_eq!(
                spray_acks(100.0, 1000, flags, Some(answer)),
                (None, vec![]),
                "{flags:#x} answered {answer:#x}"
            );
        }
        // a client that closes with a reset, after the server's data
        let mut spray = Spray::new(100.0, 65_536);
        let mut push = |p: &PacketRepr| spray.push(p, &AddrKeys::of(p));
        for k in 0..1000u32 {
            let src = format!("198.19.{}.{}", k / 250, k % 250 + 1);
            let t = 100.0 + f64::from(k) * 0.001;
            let sport = 1024 + (k % 60_000) as u16;
            assert_eq!(push(&tcp(t, "198.18.0.10", &src, 80, sport, 0x18)), None);
            assert_eq!(push(&tcp(t, &src, "198.18.0.10", sport, 80, 0x04)), None);
        }
        // a server's clients, answered with data, then 20 s later, the server restarted, go on
        // sending ACKs and it answers them with resets: seen in the last 30 s, not new
        let mut spray = Spray::new(100.0, 65_536);
        let mut push = |p: &PacketRepr| spray.push(p, &AddrKeys::of(p));
        for round in 0..2 {
            for k in 0..1000u32 {
                let src = format!("198.19.{}.{}", k / 250, k % 250 + 1);
                let t = 100.0 + f64::from(round * 20) + f64::from(k) * 0.001;
                let sport = 1024 + (k % 60_000) as u16;
                assert_eq!(push(&tcp(t, &src, "198.18.0.10", sport, 80, 0x10)), None);
                let answer = if round == 0 { 0x18 } else { 0x04 };
                assert_eq!(push(&tcp(t, "198.18.0.10", &src, 80, sport, answer)), None);
            }
        }
        // one source's ACK flood (hping3 -A, nmap -sA from one address): new once; the
        // networks' to judge, as before
        let mut spray = Spray::new(100.0, 65_536);
        for k in 0..5000u32 {
            let p = tcp(
                100.0 + f64::from(k) * 0.0002,
                "198.18.0.66",
                "198.18.0.10",
                1024 + k as u16,
                80,
                0x10,
            );
            assert_eq!(spray.push(&p, &AddrKeys::of(&p)), None);
        }
        // an ACK scan of a /22 (nmap -sA): the scanner gets a reset from each of 1,000 new
        // hosts, each after its own probe: never counted up
        let mut spray = Spray::new(100.0, 65_536);
        let mut push = |p: &PacketRepr| spray.push(p, &AddrKeys::of(p));
        for k in 0..1000u32 {
            let dst = format!("198.19.{}.{}", k / 250, k % 250 + 1);
            let t = 100.0 + f64::from(k) * 0.001;
            let _ = push(&tcp(t, "198.18.0.66", &dst, 40000, 80, 0x10));
            assert_eq!(
                push(&tcp(t + 0.0001, &dst, "198.18.0.66", 80, 40000, 0x04)),
                None
            );
        }
    }

    #[test]
    fn the_spray_rule_counts_new_sources_per_subnet_and_flags_only_theirs_there() {
        let mut spray = Spray::new(100.0, 65_536);
        let mut push = |p: &PacketRepr| spray.push(p, &AddrKeys::of(p));
        // a client known before the flood
        assert_eq!(
            push(&tcp(99.0, "198.18.0.20", "198.18.5.10", 40000, 80, 0x02)),
            None
        );
        // SYNs from a new source each, 1,000 a second over 200 addresses of 198.18.5.0/24
        // (5 a second each: far below 100 for any one); the subnet's damped count passes
        // twice the threshold (200) after about 0.2 s
        let mut first = None;
        for k in 0..1000u32 {
            let src = format!("198.19.{}.{}", k / 250, k % 250 + 1);
            let dst = format!("198.18.5.{}", (k * 37) % 200);
            let t = 100.0 + f64::from(k) * 0.001;
            if let Some(c) = push(&tcp(t, &src, &dst, 1024, 80, 0x02)) {
                assert_eq!(c, Class::FloodSyn);
                first.get_or_insert(k);
            }
        }
        let first = first.expect("flagged");
        assert!((150..260).contains(&first), "first flagged: {first}");
        // meanwhile, the known client's request to a host of the subnet is its own
        assert_eq!(
            push(&tcp(101.0, "198.18.0.20", "198.18.5.11", 40001, 80, 0x02)),
            None
        );
        // and a new source's datagram to another subnet is nobody's flood
        assert_eq!(
            push(&udp(101.0, "198.19.200.1", "198.18.6.1", 5000, 53, 40)),
            None
        );
        // off at threshold 0
        let mut off = Spray::new(0.0, 65_536);
        for k in 0..1000u32 {
            let p = tcp(
                100.0 + f64::from(k) * 0.001,
                &format!("198.19.{}.{}", k / 250, k % 250 + 1),
                "198.18.5.1",
                1024,
                80,
                0x02,
            );
            assert_eq!(off.push(&p, &AddrKeys::of(&p)), None);
        }
    }

    #[test]
    fn spoofed_sources_spread_over_a_subnet_raise_one_alert_for_the_network() {
        // hping3 -S --rand-source --rand-dest 198.18.5.x: 3,000 SYNs over 200 addresses, 15
        // each (no victim alert: 100 needed), each from a new source (no source alert)
        let pk = carpet(100.0, 3000, false, Some(0), |k| {
            format!("198.18.5.{}", (k * 37) % 200)
        });
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!((a.scope, a.class), (Scope::Victim, Class::FloodSyn));
        assert_eq!(a.dst.to_string(), "198.18.5.0");
        // the network's episode opened at the second SYN to one address (packet 200: the
        // first round went to 200 new addresses), and holds the 2,800 from there on
        assert_eq!((a.packets, a.sources), (2800, 2800));
        assert_eq!(a.first_seen, 100.2);
        let n = a.network.expect("a network alert");
        assert_eq!(n.to_string(), "198.18.5.0/24");
        // linear counting over 512 bits: a few percent off at most
        assert!((190..=210).contains(&n.addresses), "{n:?}");
        assert_eq!((st.victim_alerts, st.network_alerts), (1, 1));
        assert!(
            a.signature().contains("against 198.18.5.0/24"),
            "{}",
            a.signature()
        );
    }

    #[test]
    fn a_network_alert_after_a_scan_of_the_subnet_alerted_on_its_own_is_the_floods() {
        // nmap -sS of five hosts of 198.18.5.0/24 from 198.18.0.66 (300 SYNs from t = 100,
        // its own alert), then from t = 103 the spoofed SYNs of the network test above: the
        // network alert is the flood's first source's, from its first packet
        let mut pk: Vec<(PacketRepr, Class)> = (0..300u16)
            .map(|k| {
                let t = 100.0 + f64::from(k) * 0.001;
                let host = format!("198.18.5.{}", k % 5 + 1);
                (
                    tcp(t, "198.18.0.66", &host, 40000, k / 5 + 1, 0x02),
                    Class::ScanSyn,
                )
            })
            .collect();
        pk.extend(carpet(103.0, 3000, false, Some(0), |k| {
            format!("198.18.5.{}", (k * 37) % 200)
        }));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(st.network_alerts, 1, "{alerts:?}");
        let scan: Vec<_> = alerts.iter().filter(|a| a.scope == Scope::Source).collect();
        assert_eq!(scan.len(), 1, "{alerts:?}");
        assert_eq!(scan[0].src.to_string(), "198.18.0.66");
        let net: Vec<_> = alerts.iter().filter(|a| a.network.is_some()).collect();
        assert_eq!(net[0].src.to_string(), "198.19.0.1", "{:?}", net[0]);
        assert!(net[0].first_seen >= 103.0, "{:?}", net[0]);
    }

    #[test]
    fn a_network_alert_after_a_hosts_flood_alerted_on_its_own_is_the_spread_floods() {
        // 2,000 forged SYNs at 198.18.5.7 from t = 100 (its own victim alert), then from
        // t = 103 3,000 forged SYNs spread over 200 addresses of 198.18.5.0/24, first from
        // 198.19.40.1: the network alert is the spread flood's, from its first source and
        // packet, not the host's flood's second source at 100.001 (its three openers all went
        // to 198.18.5.7, and its alert covered them)
        let mut pk = carpet(100.0, 2000, false, Some(0), |_| "198.18.5.7".to_string());
        pk.extend(carpet(103.0, 3000, false, Some(10_000), |k| {
            format!("198.18.5.{}", (k * 37) % 200)
        }));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!((st.victim_alerts, st.network_alerts), (2, 1), "{alerts:?}");
        let host: Vec<_> = alerts
            .iter()
            .filter(|a| a.network.is_none() && a.scope == Scope::Victim)
            .collect();
        assert_eq!(host[0].dst.to_string(), "198.18.5.7", "{alerts:?}");
        assert_eq!(host[0].src.to_string(), "198.19.0.1", "{:?}", host[0]);
        let net: Vec<_> = alerts.iter().filter(|a| a.network.is_some()).collect();
        assert_eq!(net[0].src.to_string(), "198.19.40.1", "{:?}", net[0]);
        assert!((net[0].first_seen - 103.0).abs() < 1e-9, "{:?}", net[0]);
        // the same host's flood too small for an alert of its own (60 SYNs): its packets are
        // the network's, and so is its start
        let mut pk = carpet(100.0, 60, false, Some(0), |_| "198.18.5.7".to_string());
        pk.extend(carpet(101.0, 3000, false, Some(10_000), |k| {
            format!("198.18.5.{}", (k * 37) % 200)
        }));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!((st.victim_alerts, st.network_alerts), (1, 1), "{alerts:?}");
        assert_eq!(alerts[0].src.to_string(), "198.19.0.2", "{alerts:?}");
        assert!((alerts[0].first_seen - 100.001).abs() < 1e-9, "{alerts:?}");
    }

    #[test]
    fn a_networks_openers_are_its_first_ends_to_distinct_addresses() {
        let e = |n: u32| {
            let mut e = VicEp::start(100.0, ip("198.19.0.1"));
            for k in 0..n {
                let to = ip(&format!("198.18.5.{}", [7, 7, 9, 7, 11, 12][k as usize]));
                let src = ip(&format!("198.19.0.{}", k + 1));
                e.opened(src, 100.0 + f64::from(k), Some(to));
            }
            e
        };
        // the ends to 198.18.5.7 after the first are not remembered
        let mut a = e(6);
        let remembered: Vec<_> = a.openers.iter().map(|o| (o.0.to_string(), o.1)).collect();
        assert_eq!(
            remembered,
            [
                ("198.19.0.1".to_string(), 100.0),
                ("198.19.0.3".to_string(), 102.0),
                ("198.19.0.5".to_string(), 104.0)
            ]
        );
        assert_eq!(a.later, Some((ip("198.19.0.6"), 105.0, ip("198.18.5.12"))));
        assert_eq!(a.opener(), (ip("198.19.0.1"), 100.0));
        // a victim alert about 198.18.5.7 from 99 to 101 covers its end; one about 198.18.5.9
        // that began after its end's first packet does not
        a.cover_victim(ip("198.18.5.9"), (102.5, 110.0));
        assert_eq!(a.opener(), (ip("198.19.0.1"), 100.0));
        a.cover_victim(ip("198.18.5.7"), (99.0, 101.0));
        assert_eq!(a.opener(), (ip("198.19.0.3"), 102.0));
        a.cover_victim(ip("198.18.5.9"), (101.5, 110.0));
        a.cover(ip("198.19.0.5"));
        assert_eq!(a.opener(), (ip("198.19.0.6"), 105.0));
        a.cover_victim(ip("198.18.5.12"), (105.0, 105.0));
        assert_eq!(a.opener(), (ip("198.19.0.1"), 100.0));
        // a victim's own episode (no address) remembers its first ends, whatever they hit
        let mut v = VicEp::start(100.0, ip("198.19.0.1"));
        for k in 1..=4u8 {
            v.opened(ip(&format!("198.19.0.{k}")), 100.0 + f64::from(k), None);
        }
        assert_eq!(v.n_openers, 3);
        assert_eq!(v.later, Some((ip("198.19.0.4"), 104.0, ip("198.19.0.4"))));
    }

    #[test]
    fn a_network_alert_needs_sixteen_addresses_hit_and_leaves_a_victims_flood_to_its_own_alert() {
        // 15 addresses, 20 SYNs each from spoofed sources: too few addresses for a network
        let few = carpet(100.0, 300, false, Some(0), |k| {
            format!("198.18.5.{}", k % 15)
        });
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &few);
        assert_eq!(alerts, [], "{st:?}");
        // 16 addresses: one
        let sixteen = carpet(100.0, 320, false, Some(0), |k| {
            format!("198.18.5.{}", k % 16)
        });
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &sixteen);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].network.map(|n| n.addresses), Some(16));
        // a spoofed flood of one host, with a few of its packets to 20 others of its /24: the
        // host's victim alert covers its packets, and the rest (40) is no network's flood
        let one = carpet(100.0, 2000, false, Some(0), |k| {
            if k % 50 == 0 {
                format!("198.18.5.{}", 100 + (k / 50) % 20)
            } else {
                "198.18.5.7".to_string()
            }
        });
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &one);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].dst.to_string(), "198.18.5.7");
        assert_eq!(alerts[0].network, None);
        assert_eq!(st.network_alerts, 0);
    }

    #[test]
    fn packets_to_random_addresses_one_each_open_no_network_episode() {
        // macof's traffic: every SYN from a random source to a random address (here each to
        // its own /24); a carpet over one /24: its network's episode
        let random = carpet(100.0, 2000, false, Some(0), |k| {
            format!("{}.{}.{}.9", 11 + k / 250, k % 250, (k * 7) % 256)
        });
        let subnet = carpet(100.0, 2000, false, Some(0), |k| {
            format!("198.18.5.{}", k % 200)
        });
        for (pk, networks) in [(random, 0), (subnet, 1)] {
            let mut agg = Aggregator::new(DetectSettings::default());
            let mut st = DetectStats::default();
            for (k, (p, class)) in pk.iter().enumerate() {
                let v = flagged(k as u64, p.ts, *class);
                agg.packet(p, &v, &mut st, &mut |_| {});
            }
            assert_eq!(agg.networks.len(), networks);
            assert_eq!(agg.victims.len(), 2000 - 1800 * networks);
        }
    }

    #[test]
    fn one_source_spraying_a_subnet_is_alerted_as_that_source_not_as_a_network() {
        let pk = carpet(100.0, 3000, false, None, |k| {
            format!("198.18.5.{}", (k * 37) % 200)
        });
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!((a.scope, a.class), (Scope::Source, Class::FloodSyn));
        assert_eq!(a.src.to_string(), "198.18.0.66");
        assert_eq!(a.network, None);
        assert_eq!(st.network_alerts, 0);
    }

    #[test]
    fn spoofed_floods_of_two_kinds_over_one_subnet_back_to_back_are_two_network_alerts() {
        let to = |k: u32| format!("198.18.5.{}", (k * 37) % 200);
        let mut pk = carpet(100.0, 2000, false, Some(0), to);
        // the datagrams from other spoofed sources, right after the SYNs (no quiet between)
        pk.extend(carpet(102.0, 2000, true, Some(2000), to));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.class, a.dst.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                (Class::FloodSyn, "198.18.5.0".to_string()),
                (Class::FloodUdp, "198.18.5.0".to_string())
            ],
            "{alerts:?}"
        );
        assert_eq!(st.network_alerts, 2);
        // with change_probes 0 (no change of kind ends an episode): one
        let s = DetectSettings {
            change_probes: 0,
            ..DetectSettings::default()
        };
        let (alerts, _) = aggregate_packets(s, &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
    }

    #[test]
    fn group_addresses_are_never_victims_nor_attackers_and_a_victim_alert_needs_its_traffic_flagged(
    ) {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        // an MLDv2 report and an unsolicited neighbour advertisement to a group: the sender
        let icmp6 = |ty: u8, dst: &str| PacketRepr {
            proto: 58,
            icmp_type: ty,
            ..tcp(1.0, "fe80::1", dst, 0, 0, 0)
        };
        assert_eq!(
            attacker_and_victim(&icmp6(143, "ff02::16")),
            (ip("fe80::1"), ip("ff02::16"))
        );
        assert_eq!(
            attacker_and_victim(&icmp6(136, "ff02::1")),
            (ip("fe80::1"), ip("ff02::1"))
        );
        // a solicited advertisement still answers the host that asked
        assert_eq!(
            attacker_and_victim(&icmp6(136, "fe80::2")),
            (ip("fe80::2"), ip("fe80::1"))
        );
        // 40 hosts, 5 flagged mDNS packets each (200 in all), to `vic`, each flagged packet
        // followed by `m` ordinary ones of the same host
        let lan = |vic: &str, m: u32| {
            let mut pk = Vec::new();
            for k in 0..40 * 5 * (1 + m) {
                let host = format!("2001:2::{:x}", 0x100 + k % 40);
                let t = 100.0 + f64::from(k) * 0.001;
                let class = if (k / 40) % (1 + m) == 0 {
                    Class::FloodUdp
                } else {
                    Class::Normal
                };
                pk.push((udp(t, &host, vic, 5353, 5353, 120), class));
            }
            aggregate_packets(DetectSettings::default(), &pk).0
        };
        let unicast = lan("2001:2::10", 0);
        assert_eq!(unicast.len(), 1, "{unicast:?}");
        assert_eq!(unicast[0].scope, Scope::Victim);
        assert_eq!(unicast[0].sources, 40);
        assert_eq!(lan("ff02::fb", 0), [], "a group is no victim");
        assert_eq!(
            lan("2001:2::10", 19),
            [],
            "5% of the victim's packets flagged"
        );
        assert_eq!(lan("2001:2::10", 3).len(), 1, "25% of them flagged");
    }

    /// Feed `packets` (source, time, class) to an aggregator with `max_episode`, each a SYN
    /// to 198.18.0.10:80 from its own source port; the alerts.
    fn aggregate(max_episode: f64, packets: &[(String, f64, Class)]) -> Vec<Alert> {
        let s = DetectSettings {
            max_episode,
            ..DetectSettings::default()
        };
        let pk: Vec<(PacketRepr, Class)> = packets
            .iter()
            .enumerate()
            .map(|(k, (src, ts, class))| {
                let sport = 1024 + (k % 60000) as u16;
                (tcp(*ts, src, "198.18.0.10", sport, 80, 0x02), *class)
            })
            .collect();
        aggregate_packets(s, &pk).0
    }

    /// The alerts and counters of the aggregator alone (settings `s`) over packets with their
    /// verdicts.
    fn aggregate_verdicts(
        s: DetectSettings,
        packets: impl IntoIterator<Item = (PacketRepr, PacketVerdict)>,
    ) -> (Vec<Alert>, DetectStats) {
        let mut agg = Aggregator::new(s);
        let mut st = DetectStats::default();
        let mut alerts = Vec::new();
        let mut sink = |ev: Event<'_>| {
            if let Event::Alert(a) = ev {
                alerts.push(a.clone())
            }
        };
        for (p, v) in packets {
            agg.packet(&p, &v, &mut st, &mut sink);
        }
        agg.close_all(&mut st, &mut sink);
        (alerts, st)
    }

    /// The alerts and counters of the aggregator alone over `packets` (each with the class a
    /// network would have given it).
    fn aggregate_packets(
        s: DetectSettings,
        packets: &[(PacketRepr, Class)],
    ) -> (Vec<Alert>, DetectStats) {
        let verdicts = packets.iter().enumerate();
        aggregate_verdicts(
            s,
            verdicts.map(|(k, (p, class))| (*p, flagged(k as u64, p.ts, *class))),
        )
    }

    /// hping3 `--udp -p 8443 -d 1500` from ports above 1024 at a server that echoes each
    /// datagram; the attacker's kernel refuses the echoes (ICMP port unreachable). By the
    /// quote's ports (both above 1024: its sender the client) such an error is the server's,
    /// and when it was the first flagged packet the server had an episode of its own, into
    /// which every datagram of the flood went (`lab/pings.fragments.attacks`, the flood of .102:
    /// no alert). The datagrams are their sender's; the server's episode, which sent nothing,
    /// makes no attacker of it.
    #[test]
    fn a_flood_is_its_senders_though_an_error_about_its_answers_came_first() {
        use crate::features::tests::icmp_unreach;
        let (att, vic) = ("198.18.0.66", "198.18.0.102");
        let mut pk = Vec::new();
        for i in 0..600u16 {
            let t = 10.0 + f64::from(i) * 1e-3;
            let sport = 2085 + i;
            let probe = udp(t, att, vic, sport, 8443, 1500);
            let echo = udp(t + 2e-4, vic, att, 8443, sport, 184);
            let error = icmp_unreach(t + 3e-4, att, vic, &echo);
            if i > 0 {
                pk.push((probe, Class::ScanUdp));
            }
            pk.push((echo, Class::Normal));
            pk.push((
                error,
                if i == 0 {
                    Class::FloodUdp
                } else {
                    Class::Normal
                },
            ));
        }
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &pk);
        let names: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.packets))
            .collect();
        assert_eq!(
            names,
            [(att.to_string(), vic.to_string(), 599)],
            "{alerts:?}"
        );
        // a known attacker (its episode holds packets it sent) keeps its peer's answers
        let mut pk = Vec::new();
        for i in 0..600u16 {
            let t = 10.0 + f64::from(i) * 1e-3;
            pk.push((udp(t, att, vic, 40000, 1 + i, 0), Class::ScanUdp));
            let refusal = udp(t + 1e-4, att, vic, 40000, 1 + i, 0);
            pk.push((icmp_unreach(t + 2e-4, vic, att, &refusal), Class::ScanUdp));
        }
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(
            (alerts[0].src.to_string(), alerts[0].packets),
            (att.to_string(), 1200)
        );
    }

    #[test]
    fn a_syn_flood_at_a_guessed_port_is_a_flood_and_the_guessing_before_it_guessing() {
        use crate::guessing::Login;
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        // each packet flagged other-attack and marked by the password-guessing rule, whose
        // count for the client is still high (60 s half-life); `established`: a segment of an
        // established connection
        let run = |pk: &[(PacketRepr, bool)]| {
            let verdicts = pk.iter().enumerate().map(|(k, (p, established))| {
                let v = PacketVerdict {
                    established: *established,
                    guessing: Some(Login::Smb),
                    ..flagged(k as u64, p.ts, Class::OtherAttack)
                };
                (*p, v)
            });
            aggregate_verdicts(DetectSettings::default(), verdicts).0
        };
        // hydra against SMB: a connection per password, SYN then the handshake's ACK, a
        // request and the close, all but the SYN segments of an established connection
        let mut hydra = Vec::new();
        for k in 0..60u16 {
            let (t, sp) = (10.0 + f64::from(k) * 0.1, 40000 + k);
            hydra.push((tcp(t, att, vic, sp, 445, 0x02), false));
            for (dt, fl) in [(0.001, 0x10), (0.002, 0x18), (0.004, 0x11)] {
                hydra.push((tcp(t + dt, att, vic, sp, 445, fl), true));
            }
        }
        let a = run(&hydra);
        assert_eq!(a.len(), 1, "{a:?}");
        assert!(a[0].signature().contains("SMB password guessing"), "{a:?}");
        // hping3 -S -p 445 --flood a minute later: bare SYNs and the client's kernel's
        // resets, no connection's talk, however high the guessing count still is
        let flood: Vec<_> = (0..2000u16)
            .flat_map(|k| {
                let (t, sp) = (70.0 + f64::from(k) * 5e-4, 1024 + k);
                [
                    (tcp(t, att, vic, sp, 445, 0x02), false),
                    (tcp(t + 1e-4, att, vic, sp, 445, 0x04), false),
                ]
            })
            .collect();
        let a = run(&flood);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].class, Class::FloodSyn, "{a:?}");
    }

    /// The aggregator's alerts over `pk` (packet, class, a segment of an established
    /// connection) with the default settings.
    fn aggregate_sessions(pk: &[(PacketRepr, Class, bool)]) -> (Vec<Alert>, DetectStats) {
        let verdicts = pk.iter().enumerate().map(|(k, (p, class, established))| {
            let v = PacketVerdict {
                established: *established,
                ..flagged(k as u64, p.ts, *class)
            };
            (*p, v)
        });
        aggregate_verdicts(DetectSettings::default(), verdicts)
    }

    #[test]
    fn a_scan_whose_flagged_packets_are_mostly_a_connections_own_is_no_scan() {
        // session 19's swarm (aria2c): SYNs to three peers behind NAT or gone, sent again a
        // second apart and never answered (the networks pass them; they name a connect scan
        // by their flags), and beside them the one connection that opened, its BitTorrent
        // handshake and messages both ways, which the networks flagged
        let (c, ok) = ("198.18.0.106", "198.18.0.109");
        let mut pk = Vec::new();
        for (i, peer) in ["198.18.0.108", "198.18.0.112", "198.18.0.111"]
            .iter()
            .enumerate()
        {
            for k in 0..5u16 {
                let t = 10.0 + f64::from(k) + i as f64 * 1e-3;
                let mut syn = tcp(t, c, peer, 47000 + i as u16, 18004, 0x02);
                syn.ip_len = 60;
                pk.push((syn, Class::Normal, false));
            }
        }
        let mut syn = tcp(10.01, c, ok, 48944, 37679, 0x02);
        syn.ip_len = 60;
        pk.push((syn, Class::FloodSyn, false));
        pk.push((
            tcp(10.0101, ok, c, 37679, 48944, 0x12),
            Class::FloodSyn,
            false,
        ));
        for k in 0..16u16 {
            let t = 10.02 + f64::from(k) * 0.3;
            let (from, to, sp, dp) = if k % 2 == 0 {
                (c, ok, 48944, 37679)
            } else {
                (ok, c, 37679, 48944)
            };
            let mut seg = tcp(t, from, to, sp, dp, 0x18);
            seg.payload_len = 100 + u32::from(k) * 20;
            pk.push((seg, Class::ScanConnect, true));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = aggregate_sessions(&pk);
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.scans_of_sessions, 1);
        // nmap -sT of 40 ports, three of them open (SYN, SYN-ACK, the handshake's ACK, an
        // RST+ACK to close): a connect scan, a few established segments among 80 packets
        let mut pk: Vec<_> = connect_scan(20.0, 40)
            .into_iter()
            .map(|(p, c)| (p, c, false))
            .collect();
        for (k, port) in [22u16, 80, 443].into_iter().enumerate() {
            let t = 20.5 + k as f64 * 0.01;
            pk.push((
                tcp(t, ATT, VIC, 50000 + port, port, 0x02),
                Class::ScanConnect,
                false,
            ));
            pk.push((
                tcp(t + 1e-4, VIC, ATT, port, 50000 + port, 0x12),
                Class::ScanConnect,
                false,
            ));
            pk.push((
                tcp(t + 2e-4, ATT, VIC, 50000 + port, port, 0x10),
                Class::ScanConnect,
                true,
            ));
            pk.push((
                tcp(t + 3e-4, ATT, VIC, 50000 + port, port, 0x14),
                Class::ScanConnect,
                false,
            ));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = aggregate_sessions(&pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::ScanConnect);
        assert_eq!(st.scans_of_sessions, 0);
        // the boundary: more than half of the flagged packets, and a scan only
        let a = &alerts[0];
        assert!(!scan_of_sessions(a, a.packets / 2));
        assert!(scan_of_sessions(a, a.packets / 2 + 1));
        let flood: Vec<_> = syn_flood(30.0, 200, 80)
            .into_iter()
            .map(|(p, c)| (p, c, true))
            .collect();
        let (alerts, st) = aggregate_sessions(&flood);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(!scan_of_sessions(&alerts[0], alerts[0].packets));
        assert_eq!(st.scans_of_sessions, 0);
    }

    /// nDPI's tests/pcap/whatsappfiles.pcap (session 25): a client's HTTPS upload after 24 s
    /// idle, one connection's segments from `t0`, every one flagged `class`: `n` data segments
    /// of 1,398 bytes (ACK, a segment of an established connection), and with `acks` the
    /// server's ACK after every third, its own established segments.
    fn upload(t0: f64, n: u16, class: Class, acks: bool) -> Vec<(PacketRepr, Class, bool)> {
        let (c, s) = ("198.18.0.20", "198.18.0.10");
        let mut pk = Vec::new();
        for k in 0..n {
            let t = t0 + f64::from(k) * 0.007;
            let mut seg = tcp(t, c, s, 49674, 443, 0x10);
            seg.payload_len = 1398;
            seg.ip_len = 1450;
            pk.push((seg, class, true));
            if acks && k % 3 == 2 {
                pk.push((tcp(t + 0.003, s, c, 443, 49674, 0x10), class, true));
            }
        }
        pk
    }

    #[test]
    fn an_upload_on_an_established_connection_is_no_flood_whatever_the_networks_call_it() {
        // the upload, its segments and the server's ACKs named an ICMP flood: no probe in it,
        // every packet an established connection's, the peer's among them
        let (alerts, st) = aggregate_sessions(&upload(10.0, 24, Class::FloodIcmp, true));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.data_of_sessions, 1);
        assert_eq!(st.scans_of_sessions, 0);
        // named a SYN or a UDP flood by the networks: the same; named a scan, the scans'
        // rule (`scan_of_sessions`) drops it first
        for class in [Class::FloodSyn, Class::FloodUdp] {
            let (alerts, st) = aggregate_sessions(&upload(10.0, 24, class, true));
            assert!(alerts.is_empty(), "{class:?}: {alerts:?}");
            assert_eq!(st.data_of_sessions, 1, "{class:?}");
        }
        let (alerts, st) = aggregate_sessions(&upload(10.0, 24, Class::ScanAck, true));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!((st.scans_of_sessions, st.data_of_sessions), (1, 0));
        // nothing seen from the peer (one direction captured, or segments pushed into a
        // connection nobody answers): still alerted, but never an ICMP class on TCP alone
        let (alerts, st) = aggregate_sessions(&upload(10.0, 24, Class::FloodIcmp, false));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::OtherAttack, "{alerts:?}");
        assert_eq!(alerts[0].proto, 6);
        assert!(alerts[0]
            .profile
            .is_some_and(|e| e.naming.rule == crate::profile::Rule::AbsentProtocol));
        assert!(
            alerts[0]
                .signature()
                .contains("TCP packets the networks took for another protocol's attack"),
            "{}",
            alerts[0].signature()
        );
        assert_eq!(st.data_of_sessions, 0);
        // the same segments outside an established connection (no handshake: a flood of
        // PSH+ACKs with data, t50's, Mirai's): alerted, named by the profile as before
        let raw: Vec<_> = (0..300u16)
            .map(|k| {
                let t = 10.0 + f64::from(k) * 1e-3;
                let mut p = tcp(t, ATT, VIC, 2000 + k, 443, 0x18);
                p.payload_len = 200;
                (p, Class::FloodIcmp, false)
            })
            .collect();
        let (alerts, st) = aggregate_sessions(&raw);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::OtherAttack, "{alerts:?}");
        assert!(
            alerts[0].signature().contains("TCP PSH+ACK flood"),
            "{alerts:?}"
        );
        assert_eq!(st.data_of_sessions, 0);
        // the boundary: more than half of the flagged packets established, and the peer's
        // among them
        let a = &alerts[0];
        assert!(a
            .profile
            .is_some_and(|e| e.naming.rule != crate::profile::Rule::Networks));
        let (alerts, _) = aggregate_sessions(&upload(10.0, 24, Class::FloodSyn, false));
        let a = &alerts[0];
        assert_eq!(a.class, Class::FloodSyn, "{a:?}");
        assert!(a
            .profile
            .is_some_and(|e| e.naming.rule == crate::profile::Rule::Networks));
        assert!(!data_of_sessions(a, a.packets / 2, 1));
        assert!(data_of_sessions(a, a.packets / 2 + 1, 1));
        assert!(!data_of_sessions(a, a.packets, 0));
        // look-alikes that stay alerted with their class: a SYN flood (probes, however its
        // packets are marked), an echo flood, a connect scan
        let flood: Vec<_> = syn_flood(30.0, 200, 443)
            .into_iter()
            .map(|(p, c)| (p, c, true))
            .collect();
        let (alerts, st) = aggregate_sessions(&flood);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::FloodSyn);
        assert_eq!(st.data_of_sessions, 0);
        let pings: Vec<_> = (0..300u16)
            .map(|k| {
                let t = 40.0 + f64::from(k) * 1e-3;
                let mut p = icmp(t, ATT, VIC, 8);
                p.ip_len = 84;
                (p, Class::FloodIcmp, false)
            })
            .collect();
        let (alerts, st) = aggregate_sessions(&pings);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::FloodIcmp);
        assert_eq!(st.data_of_sessions, 0);
        let scan: Vec<_> = connect_scan(50.0, 40)
            .into_iter()
            .map(|(p, c)| (p, c, false))
            .collect();
        let (alerts, st) = aggregate_sessions(&scan);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::ScanConnect);
        assert_eq!(st.data_of_sessions, 0);
    }

    #[test]
    fn an_alert_is_never_named_by_a_class_of_a_protocol_its_packets_do_not_carry() {
        let holds = |protos: &[u8], class: Class| {
            let mut p = Protos::default();
            for &x in protos {
                p.add(x);
            }
            p.holds(class)
        };
        // TCP alone: no ICMP or UDP class; TCP's, other-attack and normal are fine
        assert!(!holds(&[6, 6], Class::FloodIcmp));
        assert!(!holds(&[6], Class::FloodUdp));
        assert!(!holds(&[6], Class::ScanUdp));
        assert!(holds(&[6], Class::ScanWindow));
        assert!(holds(&[6], Class::OtherAttack));
        assert!(holds(&[6], Class::Normal));
        // datagrams alone (a UDP flood's fragments are UDP): no TCP or ICMP class
        assert!(!holds(&[17], Class::FloodSyn));
        assert!(!holds(&[17], Class::FloodIcmp));
        assert!(holds(&[17, 1], Class::FloodIcmp));
        assert!(holds(&[58], Class::FloodIcmp));
        // every slot taken: a fifth protocol may have gone uncounted
        assert!(holds(&[17, 47, 50, 89], Class::FloodSyn));
        assert!(!holds(&[17, 47, 50], Class::FloodSyn));
        // through the aggregator: TCP segments (no probe: data and ACKs outside any
        // established connection the detector saw, a capture begun mid-connection) named an ICMP
        // flood by the networks are alerted as other-attack, their protocol TCP; a UDP flood's
        // datagrams named a SYN flood by them, other-attack of UDP
        let tcp_only: Vec<_> = upload(10.0, 40, Class::FloodIcmp, true)
            .into_iter()
            .map(|(mut p, c, _)| {
                p.tcp_flags = 0x10;
                (p, c, false)
            })
            .collect();
        let (alerts, _) = aggregate_sessions(&tcp_only);
        assert!(
            alerts.iter().all(|a| a.class != Class::FloodIcmp),
            "{alerts:?}"
        );
        let datagrams: Vec<_> = (0..300u16)
            .map(|k| {
                let t = 20.0 + f64::from(k) * 1e-3;
                let mut p = udp(t, ATT, VIC, 40000, 9999, 128);
                p.payload_len = 100;
                (p, Class::FloodSyn, false)
            })
            .collect();
        let (alerts, _) = aggregate_sessions(&datagrams);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_ne!(alerts[0].class, Class::FloodSyn, "{alerts:?}");
        assert_eq!(alerts[0].proto, 17);
        // only the name changes: an episode of TCP segments named an ICMP flood and too slow
        // for a flood (a miner's stratum connection, nDPI's tests/pcap/monero.pcap: 15 packets
        // over 5.5 s) stays unalerted, as the networks' flood class had it
        let miner = "198.18.0.20";
        let slow: Vec<_> = (0..15u16)
            .map(|k| {
                let t = 30.0 + f64::from(k) * 0.4;
                // the miner's shares (ACK and PSH+ACK with data), the pool's ACKs and jobs
                let mut p = match k % 5 {
                    0 => tcp(t, miner, VIC, 46838, 3333, 0x10),
                    1 => tcp(t, miner, VIC, 46838, 3333, 0x18),
                    2 | 3 => tcp(t, VIC, miner, 3333, 46838, 0x18),
                    _ => tcp(t, VIC, miner, 3333, 46838, 0x10),
                };
                p.payload_len = if k % 5 == 4 { 0 } else { 1430 };
                (p, Class::FloodIcmp, false)
            })
            .collect();
        let (alerts, st) = aggregate_sessions(&slow);
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.slow_floods, 1);
    }

    #[test]
    fn a_scan_whose_probes_the_networks_pass_is_alerted_from_its_flagged_refusals() {
        // nmap -sV over ports scanned minutes before: to the networks the SYNs look like a
        // client coming back, and only the host's RST+ACKs are flagged
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut pk = Vec::new();
        for i in 0..200u16 {
            let t = 10.0 + f64::from(i) * 5e-4;
            let port = 1 + (i * 37) % 200;
            pk.push((tcp(t, att, vic, 45000, port, 0x02), Class::Normal));
            pk.push((tcp(t + 1e-4, vic, att, port, 45000, 0x14), Class::ScanSyn));
        }
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let got: Vec<_> = alerts
            .iter()
            .map(|a| (a.src.to_string(), a.dst.to_string(), a.class, a.packets))
            .collect();
        assert_eq!(
            got,
            [(att.to_string(), vic.to_string(), Class::ScanSyn, 200)],
            "{st:?}"
        );
        // refusals alone, with nothing the source sent (a victim's RSTs to a spoofed address
        // after a flood), are still no attack of that address
        let refusals: Vec<_> = pk
            .into_iter()
            .filter(|(p, _)| p.src.to_string() == vic)
            .collect();
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &refusals);
        assert!(alerts.is_empty(), "{alerts:?}");
    }

    /// `n` ICMP echo requests of 1,400 bytes from `src` at `rate` a second, each answered,
    /// every packet flagged as `flood-icmp`.
    #[test]
    fn a_timestamp_flood_then_a_syn_scan_are_two_alerts() {
        // hping3 --icmp -C 13, then nmap -sS, with less than the gap between them: ICMP
        // timestamp requests are probes of their own kind, as echo requests are
        let mut pk = Vec::new();
        for k in 0..200u16 {
            let t = 10.0 + f64::from(k) * 1e-3;
            let ts = PacketRepr {
                proto: 1,
                icmp_type: 13,
                ip_len: 40,
                ..tcp(t, ATT, VIC, 0, 0, 0)
            };
            pk.push((ts, Class::FloodIcmp));
        }
        pk.extend(tcp_probes(10.5, 200, 0x02, Some(50505), Class::ScanSyn));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(named, [Class::FloodIcmp, Class::ScanSyn], "{alerts:?}");
        assert_eq!(st.attack_changes, 1);
    }

    /// nmap's host discovery of [`VIC`] at `t`, as a scanner sends it through a router (no ARP
    /// ping off its own link): an echo request, a SYN to 443 and an ACK to 80 from one port, a
    /// timestamp request, each answered, flagged as the networks flagged them in `wan.pcap`.
    fn host_discovery(t: f64) -> Vec<(PacketRepr, Class)> {
        let icmp = |t, src, dst, ty| PacketRepr {
            proto: 1,
            icmp_type: ty,
            ip_len: 28,
            ..tcp(t, src, dst, 0, 0, 0)
        };
        vec![
            (icmp(t, ATT, VIC, 8), Class::FloodIcmp),
            (icmp(t + 1e-5, VIC, ATT, 0), Class::Normal),
            (tcp(t + 2e-5, ATT, VIC, 60068, 443, 0x02), Class::Normal),
            (tcp(t + 3e-5, VIC, ATT, 443, 60068, 0x14), Class::ScanSyn),
            (tcp(t + 4e-5, ATT, VIC, 60068, 80, 0x10), Class::ScanSyn),
            (tcp(t + 5e-5, VIC, ATT, 80, 60068, 0x04), Class::ScanSyn),
            (icmp(t + 6e-5, ATT, VIC, 13), Class::FloodIcmp),
            (icmp(t + 7e-5, VIC, ATT, 14), Class::FloodIcmp),
        ]
    }

    #[test]
    fn host_discovery_before_a_scan_is_its_preamble_not_an_attack_of_its_own() {
        // nmap across a router: its host discovery, a round trip later the scan (session
        // 23's wan.pcap: two alerts per scan, the first of ~20 packets, before this rule)
        for (flags, class) in [
            (0x02, Class::ScanSyn),
            (0x01, Class::ScanFin),
            (0x00, Class::ScanNull),
            (0x29, Class::ScanXmas),
        ] {
            let mut pk = host_discovery(10.0);
            pk.extend(tcp_probes(10.2, 200, flags, Some(60324), class));
            let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
            let got: Vec<(Class, u64)> = alerts.iter().map(|a| (a.class, a.packets)).collect();
            // every flagged packet in the one alert, from the echo request on
            assert_eq!(got, [(class, 6 + 400)], "{flags:#x}: {st:?}");
            assert!(
                (alerts[0].first_seen - 10.0).abs() < 1e-9,
                "{:?}",
                alerts[0]
            );
            assert_eq!((st.attack_changes, st.preambles), (0, 1), "{flags:#x}");
        }
        // a UDP scan after it
        let mut pk = host_discovery(10.0);
        for k in 1..=40u16 {
            let t = 10.2 + f64::from(k) * 1e-3;
            let probe = udp(t, ATT, VIC, 41000, k, 28);
            let refused = icmp_unreach(t + 1e-4, VIC, ATT, &probe);
            pk.push((probe, Class::ScanUdp));
            pk.push((refused, Class::ScanUdp));
        }
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(named, [Class::ScanUdp], "{st:?}");
        assert_eq!((st.attack_changes, st.preambles), (0, 1));
        // --change-probes 0: no change of kind, no preamble either
        let s = DetectSettings {
            change_probes: 0,
            ..DetectSettings::default()
        };
        let (alerts, st) = aggregate_packets(s, &pk);
        assert_eq!(alerts.len(), 1);
        assert_eq!((st.attack_changes, st.preambles), (0, 0));
    }

    #[test]
    fn an_attack_before_a_change_of_kind_that_could_be_alerted_alone_still_is() {
        // `n` echo requests (a short ping flood), then a SYN scan from one port without quiet
        // between (its first SYN, the source's first, counts as the episode's own kind: the
        // run begins at the second): at 14 flagged packets before the run (under
        // --min-packets, 15) they are the scan's preamble, one alert; at 15 they could be an
        // alert alone, and are
        for (n, alerts_expected) in [(12u16, 1usize), (13, 2)] {
            let mut pk: Vec<_> = (0..n)
                .map(|k| {
                    let echo = PacketRepr {
                        proto: 1,
                        icmp_type: 8,
                        ip_len: 84,
                        ..tcp(10.0 + f64::from(k) * 1e-3, ATT, VIC, 0, 0, 0)
                    };
                    (echo, Class::FloodIcmp)
                })
                .collect();
            pk.extend(tcp_probes(10.1, 200, 0x02, Some(50505), Class::ScanSyn));
            let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
            let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
            assert_eq!(named.len(), alerts_expected, "{n}: {named:?} {st:?}");
            assert_eq!(named.last(), Some(&Class::ScanSyn), "{n}");
            let split = u64::from(alerts_expected == 2);
            assert_eq!((st.attack_changes, st.preambles), (split, 1 - split), "{n}");
            if split == 1 {
                // the scan's alert begins at the run's first probe, as before
                assert!(
                    (alerts[1].first_seen - 10.102).abs() < 1e-9,
                    "{:?}",
                    alerts[1]
                );
            }
        }
    }

    #[test]
    fn whether_the_episode_could_be_alerted_is_taken_when_the_run_begins() {
        let echo = PacketRepr {
            proto: 1,
            icmp_type: 8,
            ..tcp(0.0, ATT, VIC, 0, 0, 0)
        };
        // the source's first SYN counts as the episode's own kind (either SYN kind), the
        // run of SYNs from its port begins at the second
        let syn = |k: u16| tcp(0.1 + f64::from(k) * 1e-3, ATT, VIC, 60324, 1 + k, 0x02);
        for alone_at_start in [false, true] {
            let mut sh = Shift::default();
            assert!(sh
                .take(&echo, ip(ATT), 0.0, (10, 0), true, false, false)
                .is_none());
            assert_eq!(sh.kind, Some(ProbeKind::IcmpQuery));
            let mut ends = Vec::new();
            for k in 0..11u16 {
                // after the run began, what the caller says no longer matters
                let alone = if k == 1 {
                    alone_at_start
                } else {
                    !alone_at_start
                };
                let p = syn(k);
                ends.push(sh.take(&p, ip(ATT), p.ts, (10, 0), true, false, alone));
            }
            assert!(ends[..10].iter().all(Option::is_none));
            if alone_at_start {
                // the run ends the episode; the next is about SYNs from one port
                let next = ends[10].expect("a change of kind");
                assert_eq!(next.kind, Some(ProbeKind::SynSamePort));
                assert!(!sh.preamble);
            } else {
                // the episode goes on, about the run's kind, no run left
                assert!(ends[10].is_none());
                assert_eq!(sh.kind, Some(ProbeKind::SynSamePort));
                assert!(sh.preamble && !sh.tentative);
                assert_eq!((sh.other, sh.run), (None, 0));
                // its own kind's probes go on without a run; an echo request starts one
                let p = syn(11);
                assert!(sh
                    .take(&p, ip(ATT), p.ts, (10, 0), true, false, true)
                    .is_none());
                assert_eq!(sh.run, 0);
                assert!(sh
                    .take(&echo, ip(ATT), 0.2, (10, 0), true, false, true)
                    .is_none());
                assert_eq!((sh.other, sh.run), (Some(ProbeKind::IcmpQuery), 1));
            }
        }
    }

    fn pings(src: &str, rate: f64, n: u32) -> Vec<(PacketRepr, Class)> {
        let mut pk = Vec::new();
        for i in 0..n {
            let t = 100.0 + f64::from(i) / rate;
            let echo = |ts, from, to, ty| PacketRepr {
                proto: 1,
                icmp_type: ty,
                sport: 0,
                dport: 0,
                tcp_flags: 0,
                ip_len: 1428,
                payload_len: 1400,
                ..tcp(ts, from, to, 0, 0, 0)
            };
            pk.push((echo(t, src, "198.18.0.10", 8), Class::FloodIcmp));
            pk.push((echo(t + 0.0005, "198.18.0.10", src, 0), Class::FloodIcmp));
        }
        pk
    }

    #[test]
    fn a_scan_of_fewer_than_four_targets_raises_no_alert_and_twelve_ports_do() {
        // queries to one service, each from a new source port and answered, that the
        // networks called a UDP scan: nothing was scanned
        let mut pk = Vec::new();
        for i in 0..35u16 {
            let t = 100.0 + f64::from(i) * 0.8;
            pk.push((udp(t, ATT, VIC, 50000 + i, 5353, 60), Class::ScanUdp));
            pk.push((
                udp(t + 0.01, VIC, ATT, 5353, 50000 + i, 1500),
                Class::ScanUdp,
            ));
        }
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.narrow_scans, 1);
        // twelve ports probed twice each, each refused: a scan
        let mut pk = Vec::new();
        for i in 0..24u16 {
            let t = 100.0 + f64::from(i) * 0.05;
            let probe = udp(t, ATT, VIC, 41000, 1 + (i % 12) * 37, 28);
            pk.push((icmp_unreach(t + 1e-3, VIC, ATT, &probe), Class::ScanUdp));
            pk.push((probe, Class::ScanUdp));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::ScanUdp);
        assert_eq!(st.narrow_scans, 0);
    }

    #[test]
    fn a_flood_slower_than_the_minimum_flood_rate_raises_no_alert_and_a_slow_scan_still_does() {
        // two large pings a second for a minute: 240 flagged packets, 4 a second
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pings(ATT, 2.0, 120));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!((st.slow_floods, st.quiet_episodes), (1, 1));
        // the same pings 100 a second are a flood
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pings(ATT, 100.0, 120));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::FloodIcmp);
        assert_eq!(st.slow_floods, 0);
        // with the check off, the slow pings are alerted as before
        let off = DetectSettings {
            flood_min_rate: 0.0,
            ..DetectSettings::default()
        };
        let (alerts, _) = aggregate_packets(off, &pings(ATT, 2.0, 120));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        // a scan two probes a second (nmap -T2 is slower still) is no flood: still alerted
        let pk: Vec<_> = (1..=200u16)
            .flat_map(|k| {
                let t = 100.0 + f64::from(k) * 0.5;
                let port = 1 + (k * 97) % 1000;
                [
                    (tcp(t, ATT, VIC, 40000, port, 0x02), Class::ScanSyn),
                    (tcp(t + 1e-4, VIC, ATT, port, 40000, 0x14), Class::ScanSyn),
                ]
            })
            .collect();
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(alerts[0].class, Class::ScanSyn);
        assert_eq!(st.slow_floods, 0);
        // a minimum rate that is no number is refused
        for bad in [f64::NAN, -1.0, f64::INFINITY] {
            let s = DetectSettings {
                flood_min_rate: bad,
                ..DetectSettings::default()
            };
            assert!(s.validate().is_err(), "{bad}");
        }
    }

    /// The aggregator's alerts over `pk`, checked to name `classes` in order, after `changes`
    /// changes of probe kind.
    fn alerts_named(pk: &[(PacketRepr, Class)], classes: &[Class], changes: u64) -> Vec<Alert> {
        let (alerts, st) = aggregate_packets(DetectSettings::default(), pk);
        let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(named, classes, "{alerts:?}");
        assert_eq!(st.attack_changes, changes);
        alerts
    }

    const ATT: &str = "198.18.0.66";
    const VIC: &str = "198.18.0.10";

    /// `n` TCP probes with `flags` from the attacker (from `sport`, or a new port each when
    /// `None`) to distinct ports in a scrambled order (as nmap's), each refused by the victim,
    /// from `t0` at 1 ms steps.
    fn tcp_probes(
        t0: f64,
        n: u16,
        flags: u8,
        sport: Option<u16>,
        class: Class,
    ) -> Vec<(PacketRepr, Class)> {
        (1..=n)
            .flat_map(|k| {
                let t = t0 + f64::from(k) * 1e-3;
                let sp = sport.unwrap_or(40000 + k);
                let port = 1 + (k * 97) % 1000;
                [
                    (tcp(t, ATT, VIC, sp, port, flags), class),
                    (tcp(t + 1e-4, VIC, ATT, port, sp, 0x14), class),
                ]
            })
            .collect()
    }

    #[test]
    fn attacks_run_back_to_back_are_alerted_one_by_one() {
        // nmap -sS, then -sF, then -sU, then an ICMP echo flood, from one source with no
        // quiet between them (less than the 4 s gap)
        let mut pk = tcp_probes(10.0, 40, 0x02, Some(50505), Class::ScanSyn);
        pk.extend(tcp_probes(10.1, 40, 0x01, Some(50506), Class::ScanFin));
        for k in 1..=40u16 {
            let t = 10.2 + f64::from(k) * 1e-3;
            let probe = udp(t, ATT, VIC, 41000, k, 28);
            let refused = icmp_unreach(t + 1e-4, VIC, ATT, &probe);
            pk.push((probe, Class::ScanUdp));
            pk.push((refused, Class::ScanUdp));
        }
        for k in 0..100u16 {
            let t = 10.3 + f64::from(k) * 1e-4;
            let echo = PacketRepr {
                proto: 1,
                icmp_type: 8,
                ip_len: 84,
                ..tcp(t, ATT, VIC, 0, 0, 0)
            };
            pk.push((echo, Class::FloodIcmp));
        }
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let named: Vec<(Class, u64)> = alerts.iter().map(|a| (a.class, a.packets)).collect();
        assert_eq!(
            named.iter().map(|a| a.0).collect::<Vec<_>>(),
            [
                Class::ScanSyn,
                Class::ScanFin,
                Class::ScanUdp,
                Class::FloodIcmp
            ],
            "{named:?}"
        );
        assert_eq!(st.attack_changes, 3);
        // each but the first begins at the first probe of its kind; the 9 probes before the
        // 10th (and their answers) stay with the attack before
        assert!(
            (alerts[1].first_seen - 10.101).abs() < 1e-9,
            "{:?}",
            alerts[1]
        );
        assert!(
            (alerts[2].first_seen - 10.201).abs() < 1e-9,
            "{:?}",
            alerts[2]
        );
        assert_eq!(named[0].1, 80 + 18);
        assert_eq!(named[3].1, 100 - 9);
        assert_eq!(
            alerts[2].proto, 17,
            "a UDP scan is UDP, whatever else it holds"
        );
        assert_eq!(alerts.iter().map(|a| a.packets).sum::<u64>(), 80 * 3 + 100);
        // off: one episode, named after the largest
        let off = DetectSettings {
            change_probes: 0,
            ..DetectSettings::default()
        };
        let (alerts, st) = aggregate_packets(off, &pk);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!(st.attack_changes, 0);
    }

    #[test]
    fn one_attack_whose_probes_vary_stays_one_episode() {
        // a connect scan: SYNs from a new port each, the open ports' SYN-ACKs answered by bare
        // ACKs (a run of 20 ACKs, each after a SYN-ACK) and closed with RST+ACK
        let mut pk = tcp_probes(10.0, 30, 0x02, None, Class::ScanConnect);
        for k in 0..20u16 {
            let t = 10.1 + f64::from(k) * 1e-3;
            let sp = 45000 + k;
            pk.push((tcp(t, VIC, ATT, 1000 + k, sp, 0x12), Class::ScanConnect));
            pk.push((
                tcp(t + 1e-4, ATT, VIC, sp, 1000 + k, 0x10),
                Class::ScanConnect,
            ));
            pk.push((
                tcp(t + 2e-4, ATT, VIC, sp, 1000 + k, 0x14),
                Class::ScanConnect,
            ));
        }
        pk.extend(tcp_probes(10.2, 30, 0x02, None, Class::ScanConnect));
        // a SYN scan whose retransmissions come from a second source port, interleaved
        for k in 0..60u16 {
            let t = 20.0 + f64::from(k) * 1e-3;
            let sp = if k % 3 == 2 { 50001 } else { 50000 };
            pk.push((tcp(t, ATT, VIC, sp, 100 + k, 0x02), Class::ScanSyn));
            pk.push((tcp(t + 1e-4, VIC, ATT, 100 + k, sp, 0x14), Class::ScanSyn));
        }
        // two episodes, ended by the quiet between them, neither by a change of probe kind
        alerts_named(&pk, &[Class::ScanConnect, Class::ScanSyn], 0);
    }

    #[test]
    fn unflagged_probes_show_a_change_and_unflagged_traffic_does_not() {
        // a FIN scan, then a connect scan (connect()'s SYNs: a 40-byte TCP header) half of
        // whose SYNs the networks leave to their (flagged) answers: the SYNs, flagged or not,
        // end the FIN scan's episode and name the next
        let mut pk = tcp_probes(10.0, 40, 0x01, Some(50506), Class::ScanFin);
        for (k, (mut p, c)) in tcp_probes(10.1, 40, 0x02, None, Class::ScanConnect)
            .into_iter()
            .enumerate()
        {
            if p.src == ip(ATT) {
                p.ip_len = 60;
            }
            let unflagged = k % 4 == 0;
            pk.push((p, if unflagged { Class::Normal } else { c }));
        }
        alerts_named(&pk, &[Class::ScanFin, Class::ScanConnect], 1);
        // a FIN scan with the attacker's download going on beside it: 40 bare ACKs and a
        // FIN+ACK close in a row, unflagged, are no change
        let mut pk = tcp_probes(10.0, 20, 0x01, Some(50506), Class::ScanFin);
        for k in 0..40u16 {
            let t = 10.03 + f64::from(k) * 1e-4;
            pk.push((tcp(t, ATT, VIC, 45000, 9000, 0x10), Class::Normal));
        }
        pk.push((tcp(10.035, ATT, VIC, 45000, 9000, 0x11), Class::Normal));
        pk.extend(tcp_probes(10.04, 20, 0x01, Some(50506), Class::ScanFin));
        alerts_named(&pk, &[Class::ScanFin], 0);
    }

    /// The aggregator's alerts over `pk` with `s`: their classes and first packets' times, and
    /// the changes of pattern counted.
    fn alerts_with_starts(
        s: DetectSettings,
        pk: &[(PacketRepr, Class)],
    ) -> (Vec<(Class, f64)>, u64) {
        let (alerts, st) = aggregate_packets(s, pk);
        let named = alerts.iter().map(|a| (a.class, a.first_seen)).collect();
        (named, st.pattern_changes)
    }

    /// `n` SYNs of a flood to `port` of the victim from a new source port each (hping3 -S
    /// --flood: `SynNewPort`, as a connect scan's), each refused, from `t0` at 0.1 ms steps.
    fn syn_flood(t0: f64, n: u16, port: u16) -> Vec<(PacketRepr, Class)> {
        (0..n)
            .flat_map(|k| {
                let t = t0 + f64::from(k) * 1e-4;
                [
                    (tcp(t, ATT, VIC, 20000 + k, port, 0x02), Class::FloodSyn),
                    (
                        tcp(t + 5e-5, VIC, ATT, port, 20000 + k, 0x14),
                        Class::FloodSyn,
                    ),
                ]
            })
            .collect()
    }

    /// A connect scan (`nmap -sT`: connect()'s SYNs, 60 bytes, a new source port each) of `n`
    /// ports, from `t0`.
    fn connect_scan(t0: f64, n: u16) -> Vec<(PacketRepr, Class)> {
        tcp_probes(t0, n, 0x02, None, Class::ScanConnect)
            .into_iter()
            .map(|(mut p, c)| {
                if p.src == ip(ATT) {
                    p.ip_len = 60;
                }
                (p, c)
            })
            .collect()
    }

    #[test]
    fn a_scan_and_a_flood_of_one_kind_back_to_back_are_two_alerts_either_way() {
        let m = DetectSettings::default().change_pattern;
        assert_eq!(m, 20);
        // nmap -sT of 40 ports, then hping3 -S --flood -p 80 at once: SYNs from a new source
        // port each, both (one kind); the flood's 20th SYN in a row to port 80 ends the scan's
        // episode, and the flood's begins at its first
        let mut pk = connect_scan(10.0, 40);
        pk.extend(syn_flood(10.05, 200, 80));
        let (named, changes) = alerts_with_starts(DetectSettings::default(), &pk);
        assert_eq!(changes, 1);
        assert_eq!(
            named.iter().map(|a| a.0).collect::<Vec<_>>(),
            [Class::ScanConnect, Class::FloodSyn],
            "{named:?}"
        );
        assert!((named[1].1 - 10.05).abs() < 1e-9, "{named:?}");
        let (alerts, _) = aggregate_packets(DetectSettings::default(), &pk);
        // the flood's first 19 SYNs and their refusals stay with the scan
        assert_eq!(alerts[0].packets, 80 + 2 * 19);
        assert_eq!(alerts[1].packets, 2 * (200 - 19));
        // the flood, then the scan: 20 probes to new targets more than to the flood's port
        // end the flood's episode, and the scan's begins at its first probe
        let mut pk = syn_flood(10.0, 200, 80);
        pk.extend(connect_scan(10.05, 40));
        let (named, changes) = alerts_with_starts(DetectSettings::default(), &pk);
        assert_eq!(changes, 1);
        assert_eq!(
            named.iter().map(|a| a.0).collect::<Vec<_>>(),
            [Class::FloodSyn, Class::ScanConnect],
            "{named:?}"
        );
        assert!((named[1].1 - 10.051).abs() < 1e-9, "{named:?}");
        // off: one episode, named after the larger
        let off = DetectSettings {
            change_pattern: 0,
            ..DetectSettings::default()
        };
        let (named, changes) = alerts_with_starts(off, &pk);
        assert_eq!((named.len(), changes), (1, 0), "{named:?}");
    }

    #[test]
    fn a_udp_scan_whose_probes_the_networks_pass_then_a_udp_flood_are_two_alerts() {
        // nmap -sU of 60 ports (the networks flag every other probe and every refusal) then
        // hping3 --udp --flood -p 53: the scan's unflagged datagrams count where they go
        let mut pk = Vec::new();
        for k in 1..=60u16 {
            let t = 10.0 + f64::from(k) * 1e-3;
            let probe = udp(t, ATT, VIC, 41000, 1 + (k * 97) % 1000, 28);
            let refused = icmp_unreach(t + 1e-4, VIC, ATT, &probe);
            let class = if k % 2 == 0 {
                Class::ScanUdp
            } else {
                Class::Normal
            };
            pk.push((probe, class));
            pk.push((refused, Class::ScanUdp));
        }
        for k in 0..300u16 {
            let t = 10.1 + f64::from(k) * 1e-4;
            pk.push((udp(t, ATT, VIC, 30000 + k, 53, 60), Class::FloodUdp));
        }
        let (named, changes) = alerts_with_starts(DetectSettings::default(), &pk);
        assert_eq!(changes, 1);
        assert_eq!(
            named.iter().map(|a| a.0).collect::<Vec<_>>(),
            [Class::ScanUdp, Class::FloodUdp],
            "{named:?}"
        );
        assert!((named[1].1 - 10.1).abs() < 1e-9, "{named:?}");
    }

    #[test]
    fn one_attack_whose_targets_repeat_or_vary_stays_one_episode() {
        let s = DetectSettings::default();
        let mut pk = Vec::new();
        // a SYN scan of 100 ports from one source port, each probed again five probes later
        // (a retry), the last port's SYN retransmitted seven times at the end
        let mut t = 10.0;
        let syn = |pk: &mut Vec<(PacketRepr, Class)>, t: f64, port: u16, c: Class| {
            pk.push((tcp(t, ATT, VIC, 50505, port, 0x02), c));
            pk.push((tcp(t + 1e-4, VIC, ATT, port, 50505, 0x14), c));
        };
        for k in 0..100u16 {
            t += 1e-3;
            syn(&mut pk, t, 1 + (k * 97) % 1000, Class::ScanSyn);
            if k >= 5 {
                t += 1e-3;
                syn(&mut pk, t, 1 + ((k - 5) * 97) % 1000, Class::ScanSyn);
            }
        }
        for _ in 0..7 {
            t += 0.3;
            syn(&mut pk, t, 4242, Class::ScanSyn);
        }
        // a horizontal scan: port 445 on 200 hosts, one SYN each, some answered
        for k in 0..200u16 {
            let t = 20.0 + f64::from(k) * 1e-3;
            let host = format!("198.18.{}.{}", 1 + k / 250, 1 + k % 250);
            pk.push((tcp(t, ATT, &host, 50505, 445, 0x02), Class::ScanSyn));
            if k % 10 == 0 {
                pk.push((tcp(t + 1e-4, &host, ATT, 445, 50505, 0x14), Class::ScanSyn));
            }
        }
        // an HTTP flood (ab): connections to port 80 from a new port each, every tenth
        // connection of the source's to another server (a page's resources, a lookup)
        for k in 0..300u16 {
            let t = 30.0 + f64::from(k) * 1e-3;
            let (to, port) = if k % 10 == 9 {
                (format!("198.18.2.{}", k / 10), 443)
            } else {
                (VIC.to_string(), 80)
            };
            pk.push((tcp(t, ATT, &to, 30000 + k, port, 0x02), Class::FloodSyn));
            pk.push((
                tcp(t + 1e-4, &to, ATT, port, 30000 + k, 0x12),
                Class::FloodSyn,
            ));
        }
        // a flood of random ports from a new source port each (t50)
        for k in 0..300u16 {
            let t = 40.0 + f64::from(k) * 1e-4;
            let port = 1 + (k.wrapping_mul(7919)) % 60000;
            pk.push((tcp(t, ATT, VIC, 20000 + k, port, 0x02), Class::FloodSyn));
        }
        let (named, changes) = alerts_with_starts(s, &pk);
        assert_eq!(changes, 0, "{named:?}");
        assert_eq!(named.len(), 4, "{named:?}");
        let (_, st) = aggregate_packets(s, &pk);
        assert_eq!(st.attack_changes, 0);
    }

    #[test]
    fn a_pattern_is_set_by_its_first_run_and_changed_by_a_run_of_the_other() {
        let mut tg = Targets::default();
        let (a, b) = (3, 5);
        let take = |tg: &mut Targets, target: u64, t: f64| tg.take(target, t, 4);
        // four probes to one target set Focused, no change
        for k in 0..4 {
            assert_eq!(take(&mut tg, a, f64::from(k)), None);
        }
        assert_eq!(tg.pattern, Some(Pattern::Focused));
        // new targets each followed by the focus do not drift
        for k in 0..10u32 {
            assert_eq!(take(&mut tg, 101 + 2 * u64::from(k), 10.0), None);
            assert_eq!(take(&mut tg, a, 10.0), None);
        }
        // four new targets more than the focus: Spread, since the first of them
        assert_eq!(take(&mut tg, 201, 20.0), None);
        assert_eq!(take(&mut tg, 203, 21.0), None);
        // a retry of a recent target counts neither way
        assert_eq!(take(&mut tg, 201, 21.5), None);
        assert_eq!(take(&mut tg, 205, 22.0), None);
        assert_eq!(take(&mut tg, 207, 23.0), Some(Pattern::Spread));
        assert_eq!(tg.since(Pattern::Spread), 20.0);
        // three in a row to one target are no change; the fourth is, since the first
        for k in 0..3 {
            assert_eq!(take(&mut tg, b, 30.0 + f64::from(k)), None);
        }
        assert_eq!(take(&mut tg, b, 33.0), Some(Pattern::Focused));
        assert_eq!(tg.since(Pattern::Focused), 30.0);
        // m = 0: never a pattern
        let mut off = Targets::default();
        for k in 0..100u64 {
            assert_eq!(off.take(1 + 2 * k, 0.0, 0), None);
        }
        assert_eq!(off.pattern, None);
        // the first run of new targets sets Spread, in any order
        let mut sp = Targets::default();
        for k in 0..4u64 {
            assert_eq!(sp.take(301 + 2 * k, 0.0, 4), None);
            assert_eq!(sp.take(301, 0.0, 4), None);
        }
        assert_eq!(sp.pattern, Some(Pattern::Spread));
    }

    #[test]
    fn probe_kinds_follow_the_flags_that_define_each_scan() {
        use ProbeKind::*;
        let mut sh = Shift::default();
        let mut kind = |p: PacketRepr| sh.kind_of(&p);
        let t = |sport: u16, flags: u8| tcp(1.0, ATT, VIC, sport, 80, flags);
        assert_eq!(kind(t(5000, 0x02)), Some(SynFirst));
        assert_eq!(kind(t(5000, 0x02)), Some(SynSamePort));
        assert_eq!(kind(t(5001, 0x02)), Some(SynNewPort));
        assert_eq!(
            kind(t(5001, 0xc2)),
            Some(SynSamePort),
            "ECE and CWR left out"
        );
        assert_eq!(kind(t(5001, 0x01)), Some(Fin));
        assert_eq!(kind(t(5001, 0x00)), Some(Null));
        assert_eq!(kind(t(5001, 0x29)), Some(Xmas));
        assert_eq!(kind(t(5001, 0x3f)), Some(Xmas));
        assert_eq!(kind(t(5001, 0x11)), Some(Maimon));
        assert_eq!(kind(t(5001, 0x10)), Some(Ack));
        for (flags, why) in [
            (0x04, "RST"),
            (0x14, "RST+ACK"),
            (0x12, "SYN-ACK"),
            (0x18, "PSH+ACK without data"),
            (0x19, "FIN+PSH+ACK with data"),
        ] {
            let p = PacketRepr {
                payload_len: if flags == 0x19 { 10 } else { 0 },
                ..t(5001, flags)
            };
            assert_eq!(kind(p), None, "{why}");
        }
        // data with ACK (PSH or not) is a kind of its own: an ACK flood that carries data
        // (t50's, Mirai's); an established connection's data is its own (Shift::take)
        for flags in [0x10, 0x18] {
            let with_data = PacketRepr {
                payload_len: 10,
                ..t(5001, flags)
            };
            assert_eq!(kind(with_data), Some(Data), "{flags:#x}");
        }
        // a fragment that carried the flags byte (nmap -f, --mtu) is a probe of its flags,
        // data or not (a fragment's length says nothing of the segment's); one that shows no
        // flags carried none, or a NULL probe's, and is none
        let frag = |flags: u8, later: bool| PacketRepr {
            fragment: true,
            later_fragment: later,
            payload_len: 8,
            ..t(5001, flags)
        };
        assert_eq!(kind(frag(0x01, false)), Some(Fin));
        assert_eq!(kind(frag(0x29, true)), Some(Xmas));
        assert_eq!(kind(frag(0x10, true)), Some(Ack));
        assert_eq!(kind(frag(0x00, false)), None);
        assert_eq!(kind(frag(0x00, true)), None);
        assert_eq!(kind(frag(0x18, true)), None);
        // another IP protocol is a kind of its own, by its number
        let other = |protocol: u8, later: bool| PacketRepr {
            proto: protocol,
            later_fragment: later,
            ..t(0, 0)
        };
        assert_eq!(kind(other(47, false)), Some(Other(47)));
        assert_eq!(kind(other(2, false)), Some(Other(2)));
        assert_eq!(kind(other(47, true)), None);
        assert_eq!(kind(udp(1.0, ATT, VIC, 5000, 53, 40)), Some(Udp));
        let echo = PacketRepr {
            proto: 1,
            icmp_type: 8,
            ..t(0, 0)
        };
        assert_eq!(kind(echo), Some(IcmpQuery));
        for ty in [13, 15, 17] {
            let query = PacketRepr {
                proto: 1,
                icmp_type: ty,
                ..t(0, 0)
            };
            assert_eq!(kind(query), Some(IcmpQuery), "ICMP type {ty}");
        }
        for ty in [0, 3, 14] {
            let reply = PacketRepr {
                proto: 1,
                icmp_type: ty,
                ..t(0, 0)
            };
            assert_eq!(kind(reply), None, "ICMP type {ty}");
        }
    }

    #[test]
    fn an_attack_that_goes_on_is_reported_piece_by_piece_with_max_episode() {
        // one source's SYN flood, 20 packets a second for 150 s
        let flood: Vec<(String, f64, Class)> = (0..3000u32)
            .map(|k| {
                (
                    "198.18.0.66".to_string(),
                    100.0 + f64::from(k) * 0.05,
                    Class::FloodSyn,
                )
            })
            .collect();
        let one = aggregate(0.0, &flood);
        assert_eq!(one.len(), 1, "{one:?}");
        assert_eq!(one[0].packets, 3000);
        let pieces = aggregate(60.0, &flood);
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert!(pieces
            .iter()
            .all(|a| a.scope == Scope::Source && a.class == Class::FloodSyn));
        assert_eq!(
            pieces.iter().map(|a| a.packets).collect::<Vec<_>>(),
            [1200, 1200, 600]
        );
        assert!(
            (pieces[1].first_seen - 160.0).abs() < 1e-9,
            "{:?}",
            pieces[1]
        );
        // a flood from 400 spoofed sources that each send a few packets, for 150 s: one victim
        // alert per piece, no source alert, no victim alert for a single source's flood
        let spoofed: Vec<(String, f64, Class)> = (0..3000u32)
            .map(|k| {
                let n = k % 400;
                (
                    format!("198.19.{}.{}", n / 200, n % 200 + 1),
                    100.0 + f64::from(k) * 0.05,
                    Class::FloodSyn,
                )
            })
            .collect();
        let one = aggregate(0.0, &spoofed);
        assert_eq!(one.len(), 1, "{one:?}");
        assert_eq!(one[0].scope, Scope::Victim);
        let pieces = aggregate(60.0, &spoofed);
        assert_eq!(pieces.len(), 3, "{pieces:?}");
        assert!(pieces
            .iter()
            .all(|a| a.scope == Scope::Victim && a.class == Class::FloodSyn));
        assert_eq!(pieces.iter().map(|a| a.packets).sum::<u64>(), 3000);
        // an attack shorter than the limit is one alert either way
        let short = &flood[..1000];
        assert_eq!(aggregate(60.0, short).len(), 1);
    }

    #[test]
    fn a_victim_alert_counts_distinct_sources_not_their_episodes() {
        // eight clients, each with one flagged packet every 5 s for 100 s (each its own
        // one-packet episode, the gap being 4 s): 160 packets from 8 sources, no flood
        let mut pk: Vec<(String, f64, Class)> = Vec::new();
        for k in 0..160u32 {
            let client = format!("198.18.0.{}", 20 + k % 8);
            pk.push((
                client,
                100.0 + f64::from(k / 8) * 5.0 + f64::from(k % 8) * 0.01,
                Class::FloodUdp,
            ));
        }
        assert!(aggregate(0.0, &pk).is_empty(), "8 sources are not 10");
        // the same from 80 clients (16 packets a second: a flood's pace) is a victim alert
        // naming 80 sources
        let pk: Vec<(String, f64, Class)> = (0..400u32)
            .map(|k| {
                (
                    format!("198.18.1.{}", 1 + k % 80),
                    100.0 + f64::from(k) * 5.0 / 80.0,
                    Class::FloodUdp,
                )
            })
            .collect();
        let a = aggregate(0.0, &pk);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].scope, Scope::Victim);
        assert!((78..=82).contains(&a[0].sources), "{:?}", a[0]);
    }

    /// A NAT's address (198.18.0.1) over 10 s: `fins` bare FINs to the victim's ports 1.. (the
    /// flagged ones `class`, the rest passed) each refused by an RST (passed), and beside them,
    /// from the NAT's other clients, a ping a second to the victim (request and reply) and a
    /// UDP stream from the server .11 (100 datagrams a second, the `stream_flagged` first of
    /// them flagged a flood), all sorted by time.
    fn behind_a_nat(fins: u16, flagged_fins: u16, stream_flagged: u16) -> Vec<(PacketRepr, Class)> {
        let (nat, vic, srv) = ("198.18.0.1", "198.18.0.10", "198.18.0.11");
        let mut pk = Vec::new();
        for k in 0..fins {
            let t = 1.0 + f64::from(k) * 8.0 / f64::from(fins);
            let class = if k < flagged_fins {
                Class::ScanFin
            } else {
                Class::Normal
            };
            pk.push((tcp(t, nat, vic, 54782, 1 + k, 0x01), class));
            pk.push((tcp(t + 1e-4, vic, nat, 1 + k, 54782, 0x04), Class::Normal));
        }
        for k in 0..10u16 {
            let t = 0.5 + f64::from(k);
            let mut req = tcp(t, nat, vic, 0, 0, 0);
            (req.proto, req.icmp_type) = (1, 8);
            let mut rep = tcp(t + 1e-4, vic, nat, 0, 0, 0);
            (rep.proto, rep.icmp_type) = (1, 0);
            pk.push((req, Class::Normal));
            pk.push((rep, Class::Normal));
        }
        for k in 0..1000u16 {
            let t = 0.2 + f64::from(k) * 0.01;
            let class = if k < stream_flagged {
                Class::FloodUdp
            } else {
                Class::Normal
            };
            pk.push((udp(t, srv, nat, 5004, 40000, 1000), class));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        pk
    }

    #[test]
    fn an_attack_from_a_nat_is_judged_by_its_share_of_the_pairs_packets() {
        // a FIN scan of 60 ports from behind a NAT, 40 probes flagged: 40 of the address's
        // ~1,140 packets (3.5%, less than min_fraction), but 40 of the 140 it exchanged with
        // the victim
        let (a, st) = aggregate_packets(DetectSettings::default(), &behind_a_nat(60, 40, 0));
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(a[0].src, ip("198.18.0.1"));
        assert_eq!(a[0].dst, ip("198.18.0.10"));
        assert_eq!(a[0].class, Class::ScanFin);
        assert_eq!(st.paired_alerts, 1);
        // the same scan from a host alone: the share of its own packets decides, as before
        let alone: Vec<_> = behind_a_nat(60, 40, 0)
            .into_iter()
            .filter(|(p, _)| p.proto == 6)
            .collect();
        let (a, st) = aggregate_packets(DetectSettings::default(), &alone);
        assert_eq!(a.len(), 1, "{a:?}");
        assert_eq!(st.paired_alerts, 0);
    }

    #[test]
    fn a_nats_stray_false_positives_stay_below_the_pairs_share() {
        // the same address's ordinary traffic: 30 of the stream's 1,000 datagrams flagged
        // (3% of the pair's packets, as of the address's), the FINs passed
        let (a, st) = aggregate_packets(DetectSettings::default(), &behind_a_nat(60, 0, 30));
        assert!(a.is_empty(), "{a:?}");
        assert_eq!(st.paired_alerts, 0);
        // the share and the count, at their bounds: 15 flagged packets (min_packets) of 150
        // exchanged with the victim (min_fraction) are an attack's, 14 or 151 not
        let mut e = SrcEp::start(0.0, ip("198.18.0.10"));
        for (flagged, total, share) in [(15, 150, true), (14, 20, false), (15, 151, false)] {
            (e.pair_flagged, e.pair_total) = (flagged, total);
            assert_eq!(e.pair_share(15, 0.1), share, "{flagged} of {total}");
        }
    }

    /// The verdict of packet `index` at `ts` as the networks would give it: `class`, score
    /// 0.9, no rule's mark; for driving the [`Aggregator`] directly.
    fn flagged(index: u64, ts: f64, class: Class) -> PacketVerdict {
        PacketVerdict {
            index,
            ts,
            packet: None,
            score: 0.9,
            class,
            reused: false,
            established: false,
            guessing: None,
            overlapping: false,
            oversize: false,
            renegotiating: false,
            fuzzing: false,
            slow_request: false,
            slow_addition: Addition::None,
            slow_read: false,
            resent: false,
        }
    }

    #[test]
    fn a_fast_finding_is_left_to_the_networks_only_when_they_alerted_its_span() {
        // pnscan over a routed /24 (namespace lab, session 17): its SYNs to silent hosts pass
        // the networks, which flag 20 of its 320 packets in its span (less than the tenth
        // an alert needs, min_fraction); the slow-scan rule's fast finding of the sweep was
        // left to those networks as if they had alerted it, and the scan went unalerted
        let run = |flagged_every: u64| -> (Vec<Alert>, DetectStats) {
            let mut agg = Aggregator::new(DetectSettings::default());
            let mut st = DetectStats::default();
            let mut alerts = Vec::new();
            let mut sink = |e: Event<'_>| {
                if let Event::Alert(a) = e {
                    alerts.push(a.clone());
                }
            };
            let t0 = 1_000.0;
            for k in 0..320u64 {
                let t = t0 + k as f64 * 0.03;
                let host = format!("198.18.0.{}", 1 + k % 250);
                let p = tcp(t, "198.18.1.66", &host, 40000 + k as u16, 80, 0x02);
                let v = if k % flagged_every == 0 {
                    flagged(k, t, Class::ScanSyn)
                } else {
                    PacketVerdict {
                        score: 0.1,
                        class: Class::Normal,
                        ..flagged(k, t, Class::Normal)
                    }
                };
                agg.packet(&p, &v, &mut st, &mut sink);
                if k == 200 {
                    let f = Finding {
                        scanner: "198.18.1.66".parse().unwrap(),
                        victim: "198.18.0.25".parse().unwrap(),
                        class: Class::ScanConnect,
                        proto: 6,
                        trigger: crate::slowscan::Trigger::Hosts { port: 80, proto: 6 },
                        first_seen: t0,
                        last_seen: t0 + 0.75,
                        detected_at: t,
                        probes: 25,
                        targets: 25,
                        hosts: 25,
                        victim_ports: 1,
                        answered: 0,
                        fast: true,
                        episode: t0,
                        later: false,
                    };
                    agg.finding(&f, &mut st, &mut sink);
                }
            }
            agg.advance(t0 + 60.0, &mut st, &mut sink);
            agg.close_all(&mut st, &mut sink);
            (alerts, st)
        };
        // one packet in 16 flagged (20 of 320): no alert of the networks; the finding is
        let (alerts, st) = run(16);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(alerts[0].slow_scan.is_some(), "{:?}", alerts[0]);
        assert_eq!(alerts[0].class, Class::ScanConnect);
        assert_eq!(
            (
                st.fast_scans_missed_by_networks,
                st.fast_scans_left_to_networks
            ),
            (1, 0)
        );
        // one in 2 flagged: the networks alerted the scan, the finding is left to them
        let (alerts, st) = run(2);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(alerts[0].slow_scan.is_none(), "{:?}", alerts[0]);
        assert_eq!(st.fast_scans_left_to_networks, 1);
    }

    #[test]
    fn a_later_scans_fast_finding_is_left_to_the_networks_only_when_they_flagged_its_host() {
        // lab/wan.sh (session 22): nmap -sS of one host, then within seconds nmap -sS -T3 of
        // another; the networks, their minute-long statistics full of the first scan, flagged
        // none of the second's packets, and its fast finding (a later scan's, of another
        // host) was left to them as covered by the first scan's alert
        // (`flagged_from`: the second scan's packets the networks flag, from that index on;
        // `t1`: when it begins)
        let run = |flagged_from: Option<u64>, later: bool, t1: f64| -> (Vec<Alert>, DetectStats) {
            let mut agg = Aggregator::new(DetectSettings::default());
            let mut st = DetectStats::default();
            let mut alerts = Vec::new();
            let mut sink = |e: Event<'_>| {
                if let Event::Alert(a) = e {
                    alerts.push(a.clone());
                }
            };
            let t0 = 1_000.0;
            for k in 0..600u64 {
                let (t, host, on) = if k < 300 {
                    (t0 + k as f64 * 0.01, "198.18.0.10", true)
                } else {
                    let on = flagged_from.is_some_and(|from| k >= from);
                    (t1 + (k - 300) as f64 * 0.01, "198.18.0.12", on)
                };
                let p = tcp(t, "198.18.1.66", host, 50000, 1 + k as u16, 0x02);
                let v = if on {
                    flagged(k, t, Class::ScanSyn)
                } else {
                    PacketVerdict {
                        score: 0.1,
                        class: Class::Normal,
                        ..flagged(k, t, Class::Normal)
                    }
                };
                agg.packet(&p, &v, &mut st, &mut sink);
                if k == 320 {
                    let f = Finding {
                        scanner: ip("198.18.1.66"),
                        victim: ip("198.18.0.12"),
                        class: Class::ScanSyn,
                        proto: 6,
                        trigger: crate::slowscan::Trigger::Ports,
                        first_seen: t1,
                        last_seen: t,
                        detected_at: t,
                        probes: 15,
                        targets: 15,
                        hosts: 1,
                        victim_ports: 15,
                        answered: 0,
                        fast: true,
                        episode: t1,
                        later,
                    };
                    agg.finding(&f, &mut st, &mut sink);
                }
            }
            agg.advance(t1 + 60.0, &mut st, &mut sink);
            agg.close_all(&mut st, &mut sink);
            (alerts, st)
        };
        // the second scan passed by the networks: its finding is reported, about its host
        let (alerts, st) = run(None, true, 1_004.0);
        // (the first scan's episode ended as the second began: the finding was put off for
        // a gap, and reported after that episode's own alert)
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert!(alerts[0].slow_scan.is_none(), "{:?}", alerts[0]);
        assert_eq!(alerts[0].dst, ip("198.18.0.10"));
        assert!(alerts[1].slow_scan.is_some(), "{:?}", alerts[1]);
        assert_eq!(alerts[1].class, Class::ScanSyn);
        assert_eq!(alerts[1].dst, ip("198.18.0.12"));
        assert_eq!(
            (
                st.fast_scans_missed_by_networks,
                st.fast_scans_left_to_networks
            ),
            (1, 0)
        );
        // flagged by the networks (in the first scan's episode: it came within the gap):
        // its host's own episode says so, and the finding is left to them
        let (alerts, st) = run(Some(300), true, 1_004.0);
        assert!(alerts.iter().all(|a| a.slow_scan.is_none()), "{alerts:?}");
        assert_eq!(
            (
                st.fast_scans_missed_by_networks,
                st.fast_scans_left_to_networks
            ),
            (0, 1)
        );
        // an episode's own fast finding (not a later scan's) is covered by its scanner's
        // alerted span, whatever host it names, as before
        let (alerts, st) = run(None, false, 1_004.0);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert!(alerts[0].slow_scan.is_none(), "{:?}", alerts[0]);
        assert_eq!(st.fast_scans_left_to_networks, 1);
        // the scanner quiet when the finding is made, and the networks' first flagged packets
        // of the scan just after it (a connect scan through a NAT, natsyns): put off for a
        // gap, it finds them, and is left to them, no second alert
        let (alerts, st) = run(Some(330), true, 1_010.0);
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert!(alerts.iter().all(|a| a.slow_scan.is_none()), "{alerts:?}");
        assert_eq!(
            (
                st.fast_scans_missed_by_networks,
                st.fast_scans_left_to_networks
            ),
            (0, 1)
        );
        // ... and none of its packets flagged: reported once the gap is over
        let (alerts, st) = run(None, true, 1_010.0);
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert!(alerts[1].slow_scan.is_some(), "{:?}", alerts[1]);
        assert_eq!(st.fast_scans_missed_by_networks, 1);
    }

    #[test]
    fn the_episode_table_never_holds_more_than_its_cap() {
        let s = DetectSettings {
            max_sources: 100,
            ..DetectSettings::default()
        };
        let mut agg = Aggregator::new(s);
        let mut st = DetectStats::default();
        let mut sink = |_: Event<'_>| {};
        for k in 0..5000u32 {
            let src = format!("198.19.{}.{}", k / 250, k % 250 + 1);
            let p = udp(100.0, &src, "198.18.0.10", 2000, 123, 512);
            let v = flagged(u64::from(k), p.ts, Class::FloodUdp);
            agg.packet(&p, &v, &mut st, &mut sink);
            assert!(agg.sources.len() <= 100);
            assert!(agg.sources.queue.len() <= 2 * 100 + 1025);
        }
        assert_eq!(st.peak_sources, 100);
        assert_eq!(st.episode_evictions, 4900);
    }

    #[test]
    fn the_remembered_key_answers_as_the_table_does() {
        // random look-ups, touches, insertions (new and replacing), removals (plain, by
        // predicate, the oldest) over few keys, each key often asked several times in a row
        // (as the aggregator asks of a flood's source): every answer, and the order of the
        // keys, as a plain map of (value, last touch) gives them
        let mut l: Lru<u64> = Lru::new();
        let mut model: HashMap<IpAddr, (u64, u64)> = HashMap::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |m: u64| {
            x = mix(x.wrapping_add(0x632b_e59b_d9b4_e019));
            x % m
        };
        let mut touch = 0u64;
        let mut k = IpAddr::from([10, 0, 0, 0]);
        let mut hits = 0;
        for step in 0..300_000u64 {
            if rnd(3) == 0 {
                k = if rnd(4) == 0 {
                    IpAddr::from([0xfd00, 0, 0, 0, 0, 0, 0, rnd(8) as u16])
                } else {
                    IpAddr::from([10, 0, 0, rnd(24) as u8])
                };
            }
            match rnd(16) {
                0..=3 => {
                    let want = model.get(&k).map(|e| e.0);
                    assert_eq!(l.get_mut(&k).copied(), want, "{step}");
                    assert_eq!(l.get(&k).copied(), want, "{step}");
                    hits += usize::from(want.is_some());
                }
                4..=7 => match l.slot(&k) {
                    Some(mut s) => {
                        let e = model.get_mut(&k).expect("present");
                        assert_eq!(*s.val(), e.0, "{step}");
                        *s.val() = step;
                        touch += 1;
                        *e = (step, touch);
                        if s.touch() {
                            l.compact();
                        }
                    }
                    None => assert!(!model.contains_key(&k), "{step}"),
                },
                8..=10 => {
                    l.insert(k, step);
                    touch += 1;
                    model.insert(k, (step, touch));
                }
                11 => {
                    assert_eq!(l.remove(&k), model.remove(&k).map(|e| e.0), "{step}");
                }
                12 => {
                    let odd = |v: &u64| v % 2 == 1;
                    let want = match model.get(&k) {
                        Some(e) if odd(&e.0) => model.remove(&k).map(|e| e.0),
                        _ => None,
                    };
                    assert_eq!(l.remove_if(&k, odd), want, "{step}");
                }
                13 => {
                    let want = model
                        .iter()
                        .min_by_key(|(_, e)| e.1)
                        .map(|(k, e)| (*k, e.0));
                    if let Some((wk, _)) = want {
                        model.remove(&wk);
                    }
                    assert_eq!(l.pop_oldest_if(|_| true), want, "{step}");
                }
                _ => {
                    let mut want: Vec<(u64, IpAddr)> =
                        model.iter().map(|(k, e)| (e.1, *k)).collect();
                    want.sort_unstable();
                    let want: Vec<IpAddr> = want.into_iter().map(|(_, k)| k).collect();
                    assert_eq!(l.keys_where(|_| true), want, "{step}");
                    assert_eq!(l.len(), model.len());
                }
            }
        }
        assert!(hits > 10_000, "{hits}");
        // every place in the slab is an entry's or free
        assert_eq!(l.slots.len(), l.len() + l.free.len());
    }

    #[test]
    fn the_quiet_pop_ends_what_a_look_at_the_oldest_ends() {
        // the same touches, insertions, removals and clock steps on two tables of last-active
        // times, one ended by a look at the oldest entry at every step (`pop_oldest_if`), the
        // other by `pop_quiet`; some entries begin before the oldest's time (an episode begun
        // at the start of a run of probes), and times never go back
        let mut a: Lru<f64> = Lru::new();
        let mut b: Lru<f64> = Lru::new();
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = |m: u64| {
            x = mix(x.wrapping_add(0x632b_e59b_d9b4_e019));
            x % m
        };
        let (mut now, gap) = (0.0f64, 5.0f64);
        let (mut ended, mut skipped) = (0, 0);
        for _ in 0..200_000 {
            let k = IpAddr::from([10, 0, 0, rnd(40) as u8]);
            let op = rnd(20);
            let back = rnd(8) as f64;
            for l in [&mut a, &mut b] {
                match op {
                    0..=9 => match l.slot(&k) {
                        Some(mut s) => {
                            *s.val() = now;
                            if s.touch() {
                                l.compact();
                            }
                        }
                        None => l.insert(k, now),
                    },
                    10 => {
                        l.remove(&k);
                        l.insert(k, now - back);
                    }
                    11 => {
                        l.remove(&k);
                    }
                    _ => {}
                }
            }
            if op >= 12 {
                now += rnd(200) as f64 / 64.0;
                let mut ea = Vec::new();
                while let Some(e) = a.pop_oldest_if(|t| now - t > gap) {
                    ea.push(e);
                }
                // (as `Aggregator::advance` does: no pop at all where none may be quiet)
                let mut eb = Vec::new();
                if b.may_be_quiet(now, gap) {
                    while let Some(e) = b.pop_quiet(now, gap, |t| *t) {
                        eb.push(e);
                    }
                } else {
                    skipped += 1;
                }
                assert_eq!(ea, eb, "at {now}");
                ended += ea.len();
            }
            assert_eq!(a.keys_where(|_| true), b.keys_where(|_| true));
        }
        assert!(ended > 10_000, "{ended}");
        assert!(skipped > 1_000, "{skipped}");
    }

    /// What each of `n` connections from ATT to VIC:80 carries, a new client port each.
    #[derive(Clone, Copy)]
    struct Exchange {
        /// The client sends a request.
        request: bool,
        /// The server sends an answer.
        answer: bool,
        /// The client's kernel resets the SYN-ACK (a raw SYN flood: half-open).
        reset: bool,
    }

    /// `n` connections as a packet capture shows them, 1 ms apart from `t0`, with the
    /// networks' verdicts seen on a namespace run of `ab -n 150 -c 8` (SYN and SYN-ACK flagged,
    /// the rest passed); the client's ports start at `sport`.
    fn connections(t0: f64, n: u16, sport: u16, x: Exchange) -> Vec<(PacketRepr, Class)> {
        let data = |t, src, dst, sp, dp, len: u16| PacketRepr {
            payload_len: u32::from(len),
            ip_len: 52 + len,
            ..tcp(t, src, dst, sp, dp, 0x18)
        };
        let mut pk = Vec::new();
        for k in 0..n {
            let t = t0 + f64::from(k) * 1e-3;
            let c = sport + k;
            pk.push((tcp(t, ATT, VIC, c, 80, 0x02), Class::ScanConnect));
            pk.push((tcp(t + 1e-5, VIC, ATT, 80, c, 0x12), Class::ScanConnect));
            if x.reset {
                pk.push((tcp(t + 2e-5, ATT, VIC, c, 80, 0x04), Class::Normal));
                continue;
            }
            pk.push((tcp(t + 2e-5, ATT, VIC, c, 80, 0x10), Class::Normal));
            if x.request {
                pk.push((data(t + 3e-5, ATT, VIC, c, 80, 90), Class::Normal));
            }
            if x.answer {
                pk.push((data(t + 4e-5, VIC, ATT, 80, c, 1200), Class::Normal));
            }
            pk.push((tcp(t + 5e-5, ATT, VIC, c, 80, 0x11), Class::Normal));
            pk.push((tcp(t + 6e-5, VIC, ATT, 80, c, 0x11), Class::Normal));
            pk.push((tcp(t + 7e-5, ATT, VIC, c, 80, 0x10), Class::Normal));
        }
        pk
    }

    /// How the resolver met a stub resolver's burst of `n` queries (62-byte datagrams) sent
    /// 10 µs apart from one socket (port 42116 to 53, from 10 s): answered (a 78-byte answer
    /// from port 53 a few ms later, passed by the networks), refused by an ICMP port
    /// unreachable, or not at all.
    #[derive(Clone, Copy, PartialEq)]
    enum Met {
        Answered,
        Refused,
        Silent,
    }

    /// The burst: its queries flagged as a UDP flood's datagrams (as the networks flagged 18
    /// of 32 in session 21's `infra` lab), the first `answered` of them met as `met` says and
    /// the rest unanswered.
    fn questions(n: u16, answered: u16, met: Met) -> Vec<(PacketRepr, Class)> {
        let mut pk = Vec::new();
        for k in 0..n {
            let q = udp(10.0 + f64::from(k) * 1e-5, ATT, VIC, 42116, 53, 62);
            pk.push((q, Class::FloodUdp));
        }
        for k in 0..answered {
            let t = 10.003 + f64::from(k) * 1e-5;
            match met {
                Met::Answered => pk.push((udp(t, VIC, ATT, 53, 42116, 78), Class::Normal)),
                Met::Refused => {
                    let q = pk[usize::from(k)].0;
                    pk.push((icmp_unreach(t, VIC, ATT, &q), Class::FloodUdp))
                }
                Met::Silent => {}
            }
        }
        pk
    }

    #[test]
    fn a_burst_of_answered_questions_raises_no_alert_and_a_flood_or_unanswered_ones_do() {
        let run = |pk: &[(PacketRepr, Class)]| aggregate_packets(DetectSettings::default(), pk);
        let classes = |a: &[Alert]| a.iter().map(|a| a.class).collect::<Vec<_>>();
        // 32 lookups at once, each answered: a burst of questions, no alert
        let (alerts, st) = run(&questions(32, 32, Met::Answered));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!((st.question_bursts, st.quiet_episodes), (1, 1));
        assert_eq!(st.connection_bursts, 0);
        // half of them answered is still a burst; fewer is a flood
        let (alerts, st) = run(&questions(32, 16, Met::Answered));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.question_bursts, 1);
        let (alerts, st) = run(&questions(32, 15, Met::Answered));
        assert_eq!(classes(&alerts), [Class::FloodUdp]);
        assert_eq!(st.question_bursts, 0);
        // the same datagrams unanswered (a flood of a port that only listens) or refused (a
        // flood of a closed port): a UDP flood as before
        for met in [Met::Silent, Met::Refused] {
            let (alerts, st) = run(&questions(32, 32, met));
            assert_eq!(classes(&alerts), [Class::FloodUdp]);
            assert_eq!(st.question_bursts, 0);
        }
        // hping3 --udp against a service that answers: each datagram from a new port, each
        // answered (the lab's spoofed floods of NTP: 50-200 from each address): a flood
        let mut hping = Vec::new();
        for k in 0..100u16 {
            let t = 10.0 + f64::from(k) * 1e-3;
            hping.push((udp(t, ATT, VIC, 2000 + k, 7, 128), Class::FloodUdp));
            hping.push((udp(t + 1e-4, VIC, ATT, 7, 2000 + k, 128), Class::Normal));
        }
        let (alerts, st) = run(&hping);
        assert_eq!(classes(&alerts), [Class::FloodUdp]);
        assert_eq!(st.question_bursts, 0);
        // the bound: one flagged datagram fewer than it is a burst, as many a flood, however
        // well answered
        let n = BURST_MAX_QUESTIONS as u16;
        let (alerts, st) = run(&questions(n - 1, n - 1, Met::Answered));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.question_bursts, 1);
        let (alerts, st) = run(&questions(n, n, Met::Answered));
        assert_eq!(classes(&alerts), [Class::FloodUdp]);
        assert_eq!(st.question_bursts, 0);
        // a UDP scan's probes answered by the ports that listen is no flood and is judged
        // as before: its alert names a scan
        let mut scan = Vec::new();
        for k in 1..=40u16 {
            let t = 10.0 + f64::from(k) * 1e-3;
            let probe = udp(t, ATT, VIC, 41000, k, 40);
            scan.push((probe, Class::ScanUdp));
            scan.push((udp(t + 1e-4, VIC, ATT, k, 41000, 60), Class::Normal));
        }
        let (alerts, st) = run(&scan);
        assert_eq!(classes(&alerts), [Class::ScanUdp]);
        assert_eq!(st.question_bursts, 0);
    }

    /// glibc's resolver asks each name from a socket of its own, its A and AAAA questions
    /// together; a browser's resolver threads ask a page's names at once (session 21, `infra`
    /// lab with `SOCKETS=each`: four false alerts of 108–224 datagrams from stub clients). To a
    /// DNS server's port 53 that is a burst of questions; the same from a new port each to
    /// another service (NTP's 123, as hping3's forged floods in `test4` and `train2`) is not.
    #[test]
    fn lookups_from_a_socket_per_name_are_a_burst_and_other_services_floods_are_not() {
        let run = |pk: &[(PacketRepr, Class)]| aggregate_packets(DetectSettings::default(), pk);
        let per_socket = |port: u16, answered: bool| {
            let mut pk = Vec::new();
            for k in 0..60u16 {
                let t = 10.0 + f64::from(k) * 2e-5;
                for q in 0..2 {
                    pk.push((udp(t, ATT, VIC, 40000 + k, port, 40 + q), Class::FloodUdp));
                }
                if answered {
                    for q in 0..2 {
                        let a = udp(t + 3e-3, VIC, ATT, port, 40000 + k, 90 + q);
                        pk.push((a, Class::Normal));
                    }
                }
            }
            pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
            pk
        };
        let (alerts, st) = run(&per_socket(53, true));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.question_bursts, 1);
        for pk in [per_socket(53, false), per_socket(123, true)] {
            let (alerts, st) = run(&pk);
            let classes: Vec<Class> = alerts.iter().map(|a| a.class).collect();
            assert_eq!(classes, [Class::FloodUdp]);
            assert_eq!(st.question_bursts, 0);
        }
    }

    /// `names` lookups at 10,000 a second from ATT to VIC's `port`, each from a port of its
    /// own (as glibc's `getaddrinfo` asks) sending `per_port` questions (its second and later
    /// `between` other questions after its first on the wire: other threads' lookups), the first
    /// `answered` of them answered 1 ms later; flagged `FloodUdp` as the networks flag them.
    fn lookups(
        names: u16,
        per_port: u16,
        between: u16,
        answered: u16,
        port: u16,
    ) -> Vec<(PacketRepr, Class)> {
        let mut pk = Vec::new();
        for k in 0..names {
            let t = 10.0 + f64::from(k) * 1e-4;
            let sport = 20000 + k;
            for q in 0..per_port {
                // the k-th name's later questions among the next names' first ones
                let tq = t + if q == 0 {
                    0.0
                } else {
                    f64::from(between) * 1e-4 + 5e-5
                };
                pk.push((udp(tq, ATT, VIC, sport, port, 40), Class::FloodUdp));
                if k < answered {
                    pk.push((udp(tq + 1e-3, VIC, ATT, port, sport, 90), Class::Normal));
                }
            }
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        pk
    }

    /// A host that resolves many names at once with glibc's `getaddrinfo` (session 24's
    /// `lookups` lab: 150-1,500 names, alerted as floods past 250 flagged questions) asks each
    /// name's A and AAAA questions together from a socket of its own: a burst of lookups. The
    /// floods of a DNS server that look like it ask one question a port (hping3, a
    /// random-subdomain flood; and reverse lookups, one PTR question a socket, look the same:
    /// alerted) or all from one (nping -g); unanswered, or to another service, it is a flood.
    #[test]
    fn many_lookups_at_once_are_a_burst_and_dns_floods_are_not() {
        let run = |pk: &[(PacketRepr, Class)]| aggregate_packets(DetectSettings::default(), pk);
        let classes = |a: &[Alert]| a.iter().map(|a| a.class).collect::<Vec<_>>();
        let flood = |pk: &[(PacketRepr, Class)]| {
            let (alerts, st) = run(pk);
            assert_eq!(classes(&alerts), [Class::FloodUdp]);
            assert_eq!((st.lookup_bursts, st.question_bursts), (0, 0));
        };
        // 1,000 names, A and AAAA from a socket each, answered: no alert, whether the two
        // questions are next to each other on the wire or 14 other questions came between (7
        // names' first, 7 names' second)
        for between in [0, 3, 7] {
            let (alerts, st) = run(&lookups(1000, 2, between, 1000, DNS));
            assert!(alerts.is_empty(), "{between}: {alerts:?}");
            assert_eq!((st.lookup_bursts, st.question_bursts), (1, 0));
            assert_eq!(st.quiet_episodes, 1);
        }
        // more than 16 between: the pairs are not seen (a flood)
        flood(&lookups(1000, 2, 9, 1000, DNS));
        // half of them answered is still a burst; fewer is a flood
        let (alerts, st) = run(&lookups(1000, 2, 0, 500, DNS));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.lookup_bursts, 1);
        flood(&lookups(1000, 2, 0, 499, DNS));
        // a question a port, answered (a random-subdomain flood, hping3 against a server
        // that answers; reverse lookups look the same): a flood
        flood(&lookups(2000, 1, 0, 2000, DNS));
        // all from one port, answered (nping -g 40000 -p 53 --data QUERY)
        let mut nping = Vec::new();
        for k in 0..2000u16 {
            let t = 10.0 + f64::from(k) * 1e-3;
            nping.push((udp(t, ATT, VIC, 40000, DNS, 40), Class::FloodUdp));
            nping.push((udp(t + 1e-4, VIC, ATT, DNS, 40000, 90), Class::Normal));
        }
        flood(&nping);
        // four questions a port (glibc's retries, or its search domains): still a burst; the
        // same pairs to another service (an NTP-like one): a flood
        let (alerts, st) = run(&lookups(600, 4, 0, 600, DNS));
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.lookup_bursts, 1);
        flood(&lookups(1000, 2, 0, 1000, 123));
        // the bound: one flagged question fewer than it is a burst, as many a flood
        let n = (BURST_MAX_LOOKUPS / 2) as u16;
        let mut pk = lookups(n - 1, 2, 0, n, DNS);
        let t = 10.0 + f64::from(n) * 1e-4;
        pk.push((udp(t, ATT, VIC, 20000 + n, DNS, 40), Class::FloodUdp));
        pk.push((udp(t + 1e-3, VIC, ATT, DNS, 20000 + n, 90), Class::Normal));
        let (alerts, st) = run(&pk);
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.lookup_bursts, 1);
        flood(&lookups(n, 2, 0, n, DNS));
        // right after an attack from the same source (within the gap): alerted
        let mut pk = tcp_probes(9.0, 60, 0x02, Some(50505), Class::ScanSyn);
        pk.extend(
            lookups(1000, 2, 0, 1000, DNS)
                .into_iter()
                .map(|(mut p, c)| {
                    p.ts += 0.5;
                    (p, c)
                }),
        );
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = run(&pk);
        assert!(classes(&alerts).contains(&Class::FloodUdp), "{alerts:?}");
        assert_eq!(st.lookup_bursts, 0);
    }

    /// dnscrypt-proxy pinging `hosts` resolvers (198.18.1.k, port 443) from ATT, from `t0`, 2 ms
    /// apart: to each `per` queries at once, each from a port of its own (`sport`: the port of
    /// query `q` to host `k`), every other one 1,532 bytes (two fragments, tied by their IP
    /// Identification); the first `flag_from` of each burst passed, the later ones and their
    /// fragments flagged `class` (as the networks flag them); query `q` of host `k` answered
    /// 0.2 s later on its port pair when `answer(k, q)`. In time order.
    fn resolver_pings(
        t0: f64,
        (hosts, per, flag_from): (u16, u16, u16),
        class: Class,
        sport: &dyn Fn(u16, u16) -> u16,
        answer: &dyn Fn(u16, u16) -> bool,
    ) -> Vec<(PacketRepr, Class)> {
        let mut pk = Vec::new();
        for k in 0..hosts {
            let host = format!("198.18.{}.{}", 1 + k / 250, 1 + k % 250);
            for q in 0..per {
                let t = t0 + f64::from(k) * 2e-3 + f64::from(q) * 1e-5;
                let c = if q < flag_from { Class::Normal } else { class };
                let sp = sport(k, q);
                let query = udp(t, ATT, &host, sp, 443, 540);
                if q % 2 == 1 {
                    let id = u32::from(k) << 8 | u32::from(q);
                    for f in fragmented(t, query, id, 1540) {
                        pk.push((f, c));
                    }
                } else {
                    pk.push((query, c));
                }
                if answer(k, q) {
                    pk.push((udp(t + 0.2, &host, ATT, 443, sp, 347), Class::Normal));
                }
            }
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        pk
    }

    #[test]
    fn the_datagrams_episodes_keep_share_one_budget() {
        // few episodes open: each keeps up to EXCHANGES_KEPT; the table full (65,536 by
        // default): 16 each, 24 MiB in all; past its share an episode's record is void
        assert_eq!(exchange_cap(0), EXCHANGES_KEPT);
        assert_eq!(exchange_cap(1), EXCHANGES_KEPT);
        assert_eq!(exchange_cap(1024), EXCHANGES_KEPT);
        assert_eq!(exchange_cap(2048), 512);
        assert_eq!(exchange_cap(65_536), 16);
        for open in [1, 100, 5000, 65_536, 1 << 20] {
            assert!(exchange_cap(open) * open.max(1) <= EXCHANGE_BUDGET.max(EXCHANGES_KEPT));
        }
        let udp = |ts: f64, to: &str, sport: u16| PacketRepr {
            proto: 17,
            tcp_flags: 0,
            window: 0,
            payload_len: 512,
            ..tcp(ts, "198.18.0.20", to, sport, 443, 0)
        };
        let mut e = SrcEp::start(0.0, "198.18.0.100".parse().unwrap());
        e.exchange_cap = 16;
        for i in 0..16u16 {
            // to a new host each time: no run to one host
            let to = format!("198.18.0.{}", 100 + i);
            e.exchange(&udp(f64::from(i) * 0.001, &to, 40000 + i), true, true);
        }
        assert_eq!((e.exchanged.len(), e.exchanged_void), (16, false));
        e.exchange(&udp(0.02, "198.18.0.200", 41000), true, true);
        assert!(e.exchanged_void && e.exchanged.is_empty());
    }

    /// A DNSCrypt client measuring its resolvers (nDPI's
    /// `tests/pcap/dnscrypt-v1-and-resolver-pings.pcap`: alerted as a UDP flood by the base of
    /// session 25) sends each a burst of queries from fresh ports, each answered on its port
    /// pair: a burst of exchanges, named a flood or a scan. A flood of one host (answered one for
    /// one or not), a sweep answered once a host, retries from one port, a burst with a stray
    /// flagged packet or too many datagrams to keep: alerted as before.
    #[test]
    fn resolvers_pinged_with_answers_are_a_burst_and_floods_they_answer_are_not() {
        let run = |pk: &[(PacketRepr, Class)]| aggregate_packets(DetectSettings::default(), pk);
        let classes = |a: &[Alert]| a.iter().map(|a| a.class).collect::<Vec<_>>();
        let fresh = |k: u16, q: u16| 20000 + k * 16 + q;
        let all = |_: u16, _: u16| true;
        let burst = |pk: &[(PacketRepr, Class)]| {
            let (alerts, st) = run(pk);
            assert!(alerts.is_empty(), "{alerts:?}");
            assert_eq!(st.exchange_bursts, 1);
            assert_eq!(st.quiet_episodes, 1);
        };
        let alerted = |pk: &[(PacketRepr, Class)], class: Class| {
            let (alerts, st) = run(pk);
            assert_eq!(classes(&alerts), [class]);
            assert_eq!(st.exchange_bursts, 0);
        };
        // 12 resolvers, 6 queries each, the later 4 of each burst flagged (as nDPI's capture
        // is), or all of them; named a flood or a scan: no alert
        for (flag_from, class) in [
            (2, Class::FloodUdp),
            (0, Class::FloodUdp),
            (2, Class::ScanUdp),
        ] {
            burst(&resolver_pings(
                10.0,
                (12, 6, flag_from),
                class,
                &fresh,
                &all,
            ));
        }
        // one flagged query in 10 unanswered: still a burst; more: alerted
        burst(&resolver_pings(
            10.0,
            (10, 6, 0),
            Class::FloodUdp,
            &fresh,
            &|k, q| k * 6 + q < 54,
        ));
        let some = |k: u16, q: u16| k * 6 + q < 53;
        alerted(
            &resolver_pings(10.0, (10, 6, 0), Class::FloodUdp, &fresh, &some),
            Class::FloodUdp,
        );
        // answered from another port (not on the query's port pair): alerted
        let mut moved = resolver_pings(10.0, (12, 6, 0), Class::FloodUdp, &fresh, &all);
        for (p, _) in moved.iter_mut().filter(|(p, _)| p.dst == ip(ATT)) {
            p.sport = 444;
        }
        alerted(&moved, Class::FloodUdp);
        // the bound: 14 datagrams to each host, a burst; 15 (as many as an alert needs) to one
        // of them, a flood
        burst(&resolver_pings(
            10.0,
            (3, 14, 0),
            Class::FloodUdp,
            &fresh,
            &all,
        ));
        let mut one = resolver_pings(10.0, (3, 14, 0), Class::FloodUdp, &fresh, &all);
        one.extend(resolver_pings(
            10.001,
            (1, 1, 0),
            Class::FloodUdp,
            &|_, _| 30000,
            &all,
        ));
        one.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        alerted(&one, Class::FloodUdp);
        // the 15th after other hosts' datagrams, not next to the host's 14: a flood as well
        let mut later = resolver_pings(10.0, (3, 14, 0), Class::FloodUdp, &fresh, &all);
        later.extend(resolver_pings(
            10.01,
            (1, 1, 0),
            Class::FloodUdp,
            &|_, _| 30000,
            &all,
        ));
        later.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        alerted(&later, Class::FloodUdp);
        // with --min-packets 100, 63 datagrams in a row to each of 3 hosts are a burst; the
        // 64th in a row to one host voids the record (a flood keeps no more): alerted
        let s100 = DetectSettings {
            min_packets: 100,
            ..DetectSettings::default()
        };
        let (alerts, st) = aggregate_packets(
            s100,
            &resolver_pings(10.0, (3, 63, 0), Class::FloodUdp, &fresh, &all),
        );
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.exchange_bursts, 1);
        let (alerts, st) = aggregate_packets(
            s100,
            &resolver_pings(10.0, (3, 64, 0), Class::FloodUdp, &fresh, &all),
        );
        assert_eq!(classes(&alerts), [Class::FloodUdp]);
        assert_eq!(st.exchange_bursts, 0);
        // hping3 at a service that answers each datagram (a new port each, the lab's run 1:
        // `hping3 --udp -p 443` at a resolver), some of them fragmented: a flood
        alerted(
            &resolver_pings(10.0, (1, 300, 0), Class::FloodUdp, &fresh, &all),
            Class::FloodUdp,
        );
        // a sweep answered by every host, one datagram each (an SNMP sweep of a printer fleet):
        // a scan
        alerted(
            &resolver_pings(10.0, (40, 1, 0), Class::ScanUdp, &fresh, &all),
            Class::ScanUdp,
        );
        // retries from one source port (masscan's, answered): a scan
        let one_port = |_: u16, _: u16| 40000;
        alerted(
            &resolver_pings(10.0, (20, 3, 0), Class::ScanUdp, &one_port, &all),
            Class::ScanUdp,
        );
        // a flagged packet that is none of its datagrams (a SYN), or a later fragment of a
        // datagram not seen: alerted
        let mut syn = resolver_pings(10.0, (12, 6, 0), Class::FloodUdp, &fresh, &all);
        syn.push((tcp(10.01, ATT, VIC, 50000, 80, 0x02), Class::FloodUdp));
        syn.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        alerted(&syn, Class::FloodUdp);
        let mut stray = resolver_pings(10.0, (12, 6, 0), Class::FloodUdp, &fresh, &all);
        let lone = fragmented(10.01, udp(10.01, ATT, VIC, 50000, 443, 540), 9999, 1540)[1];
        stray.push((lone, Class::FloodUdp));
        stray.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        alerted(&stray, Class::FloodUdp);
        // more datagrams than an episode keeps (170 resolvers: 1,020; 171: 1,026)
        burst(&resolver_pings(
            10.0,
            (170, 6, 0),
            Class::FloodUdp,
            &fresh,
            &all,
        ));
        alerted(
            &resolver_pings(10.0, (171, 6, 0), Class::FloodUdp, &fresh, &all),
            Class::FloodUdp,
        );
        // right after an attack from the same source (within the gap): alerted
        let mut pk = tcp_probes(9.0, 60, 0x02, Some(50505), Class::ScanSyn);
        pk.extend(resolver_pings(
            10.5,
            (12, 6, 0),
            Class::FloodUdp,
            &fresh,
            &all,
        ));
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = run(&pk);
        assert!(classes(&alerts).contains(&Class::FloodUdp), "{alerts:?}");
        assert_eq!(st.exchange_bursts, 0);
    }

    #[test]
    fn a_burst_of_questions_right_after_an_attack_from_its_source_is_alerted() {
        // a SYN scan, then (less than the gap after it) the burst of answered questions:
        // the attacker's, alerted
        let mut pk = tcp_probes(9.0, 60, 0x02, Some(50505), Class::ScanSyn);
        pk.extend(
            questions(32, 32, Met::Answered)
                .into_iter()
                .map(|(mut p, c)| {
                    p.ts += 0.5;
                    (p, c)
                }),
        );
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let classes: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert!(classes.contains(&Class::FloodUdp), "{alerts:?}");
        assert_eq!(st.question_bursts, 0);
    }

    #[test]
    fn a_burst_of_complete_connections_raises_no_alert_and_a_flood_or_half_open_ones_do() {
        let complete = Exchange {
            request: true,
            answer: true,
            reset: false,
        };
        let alerted = |pk: &[(PacketRepr, Class)]| {
            let (alerts, st) = aggregate_packets(DetectSettings::default(), pk);
            assert_eq!(st.connection_bursts, 0);
            alerts.iter().map(|a| a.class).collect::<Vec<_>>()
        };
        // `ab -n 150 -c 8`: 150 requests answered, each on a connection of its own, in 0.15 s
        let (alerts, st) = aggregate_packets(
            DetectSettings::default(),
            &connections(10.0, 150, 30000, complete),
        );
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!((st.connection_bursts, st.quiet_episodes), (1, 1));
        // the bound: one connection fewer than it is a burst, as many are a flood (the lab's
        // smallest HTTP flood opened 292 in its episode)
        let n = BURST_MAX_CONNECTIONS as u16;
        let (alerts, st) = aggregate_packets(
            DetectSettings::default(),
            &connections(10.0, n - 1, 30000, complete),
        );
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.connection_bursts, 1);
        assert_eq!(
            alerted(&connections(10.0, n, 30000, complete)),
            [Class::FloodSyn]
        );
        // the same 150 connections half-open (hping3 -S: the kernel resets each SYN-ACK), or
        // closed without a request (nping --tcp-connect), or answered without one (a server
        // that speaks first: an SSH banner to each of a connection flood's connections), or
        // asked without an answer: a SYN flood as before
        for x in [
            Exchange {
                request: false,
                answer: false,
                reset: true,
            },
            Exchange {
                request: false,
                answer: false,
                reset: false,
            },
            Exchange {
                request: false,
                answer: true,
                reset: false,
            },
            Exchange {
                request: true,
                answer: false,
                reset: false,
            },
        ] {
            assert_eq!(
                alerted(&connections(10.0, 150, 30000, x)),
                [Class::FloodSyn]
            );
        }
        // half-open SYNs beside a busy session of the same source (one connection, however
        // much it carries): still a flood
        let mut pk = connections(
            10.0,
            150,
            30000,
            Exchange {
                request: false,
                answer: false,
                reset: true,
            },
        );
        for k in 0..300u16 {
            let t = 10.0 + f64::from(k) * 5e-4;
            let (sp, dp) = (50000, 22);
            let req = PacketRepr {
                payload_len: 48,
                ip_len: 100,
                ..tcp(t, ATT, VIC, sp, dp, 0x18)
            };
            let ans = PacketRepr {
                payload_len: 96,
                ip_len: 148,
                ..tcp(t + 1e-5, VIC, ATT, dp, sp, 0x18)
            };
            pk.push((req, Class::Normal));
            pk.push((ans, Class::Normal));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        assert_eq!(alerted(&pk), [Class::FloodSyn]);
        // half-open SYNs beside as many complete exchanges with another host (a crawl the
        // networks passed): what it exchanges there says nothing of this victim's connections
        let half_open = Exchange {
            request: false,
            answer: false,
            reset: true,
        };
        // (90 and 120: the SYNs to the other host count as the source's probes too, 210 in
        // all, under the bound, and the exchanges there are more than half of them)
        let mut pk = connections(10.0, 90, 30000, half_open);
        let other = "198.18.0.11";
        for (p, _) in connections(10.0, 120, 40000, complete) {
            let (src, dst) = if p.src == ip(VIC) {
                (ip(other), p.dst)
            } else {
                (p.src, ip(other))
            };
            pk.push((PacketRepr { src, dst, ..p }, Class::Normal));
        }
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        assert_eq!(alerted(&pk), [Class::FloodSyn]);
        // the burst right after a ping flood of its source, within the gap (a new episode
        // only because the probes changed kind), is the attack going on; 10 s after it, a
        // client's burst again
        let mut pk = pings(ATT, 100.0, 120);
        pk.extend(connections(101.3, 150, 30000, complete));
        assert_eq!(alerted(&pk), [Class::FloodIcmp, Class::FloodSyn]);
        let mut pk = pings(ATT, 100.0, 120);
        pk.extend(connections(110.0, 150, 30000, complete));
        let (alerts, st) = aggregate_packets(DetectSettings::default(), &pk);
        let named: Vec<Class> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(named, [Class::FloodIcmp]);
        assert_eq!(st.connection_bursts, 1);
    }

    mod engine_properties {
        //! Hostile and odd packets through the whole engine — every rule, the episodes, the
        //! alerts — with the built-in models: no panic, a verdict for every record, alerts
        //! that are consistent. The decoder yields such packets from any capture: forged
        //! sources equal to their destination, group and unspecified addresses as either end,
        //! ICMP errors quoting anything, fragments of every kind, clocks that stand still, jump
        //! or go back.
        use super::*;
        use nightjar_packet::Inner;
        use proptest::prelude::*;

        const V4: [&str; 8] = [
            "198.18.0.10",
            "198.18.0.66",
            "198.18.0.255",
            "198.18.1.7",
            "255.255.255.255",
            "224.0.0.251",
            "0.0.0.0",
            "198.19.200.1",
        ];
        const V6: [&str; 4] = ["2001:2::c612:a", "2001:2::c612:42", "ff02::1", "::"];

        fn any_packet() -> impl Strategy<Value = PacketRepr> {
            (
                (
                    prop_oneof![Just(0.0), 0.0f64..20.0, 1e9f64..1e9 + 20.0, Just(4e9)],
                    any::<bool>(),
                    0usize..8,
                    0usize..8,
                    prop::sample::select(vec![6u8, 17, 1, 58, 47, 132, 2]),
                    any::<u16>(),
                    any::<u16>(),
                ),
                (
                    any::<u8>(),
                    prop::sample::select(vec![0u8, 3, 5, 8, 11, 13, 128, 129, 135, 1]),
                    any::<u8>(),
                    any::<u32>(),
                    0u8..4,
                    any::<bool>(),
                    any::<u32>(),
                ),
            )
                .prop_map(
                    |(
                        (ts, six, s, d, proto, sport, dport),
                        (flags, ty, code, pl, frag, inner, id),
                    )| {
                        let (src, dst) = if six {
                            (V6[s % 4], V6[d % 4])
                        } else {
                            (V4[s], V4[d])
                        };
                        let mut p = tcp(ts, src, dst, sport, dport, flags);
                        p.proto = proto;
                        if proto != 6 {
                            p.tcp_flags = 0;
                            p.window = 0;
                        }
                        if matches!(proto, 1 | 58) {
                            (p.sport, p.dport, p.icmp_type, p.icmp_code) = (0, 0, ty, code);
                            if inner {
                                p.inner = Some(Inner {
                                    proto: [6, 17, 1][usize::from(code % 3)],
                                    src: p.dst,
                                    dst: p.src,
                                    sport: dport,
                                    dport: sport,
                                });
                            }
                        }
                        p.payload_len = pl % 70_000;
                        p.ip_len = (pl % 65_536) as u16;
                        // not a fragment, a first one, a later one, a later one with flags
                        p.fragment = frag > 0;
                        p.later_fragment = frag > 1;
                        p.frag_id = if frag > 0 { id } else { 0 };
                        if p.later_fragment {
                            (p.sport, p.dport) = (0, 0);
                            if frag == 2 {
                                p.tcp_flags = 0;
                            }
                        }
                        p.copy_key = id;
                        p
                    },
                )
        }

        fn check(pk: Vec<PacketRepr>, s: DetectSettings) -> Result<(), TestCaseError> {
            let n = pk.len();
            // in the order given: the clock may go back
            let recs = pk
                .into_iter()
                .enumerate()
                .map(|(i, mut p)| {
                    p.index = i as u64;
                    Record::Packet(p)
                })
                .collect();
            let (v, alerts, st) = collect(Models::builtin().unwrap(), s, recs);
            prop_assert_eq!(v.len(), n);
            prop_assert_eq!(st.packets, n as u64);
            prop_assert!(v.iter().enumerate().all(|(i, x)| x.index == i as u64));
            for a in &alerts {
                prop_assert!(a.packets >= 1, "{:?}", a);
                prop_assert!(a.first_seen <= a.last_seen, "{:?}", a);
                prop_assert!(a.class.is_attack(), "{:?}", a);
                prop_assert!(a.score.is_finite(), "{:?}", a);
            }
            Ok(())
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(48))]

            #[test]
            fn odd_and_hostile_packets_never_panic_the_engine(
                pk in proptest::collection::vec(any_packet(), 1..400)
            ) {
                check(pk.clone(), DetectSettings::default())?;
                // tiny tables: every table evicts, every episode is ended early
                check(pk, DetectSettings { max_sources: 4, batch: 3, ..DetectSettings::default() })?;
            }
        }
    }

    /// A client's UDP datagrams of `payload` bytes to `hosts` (198.18.0.X) on each of
    /// `ports`, `tries` rounds with the gap doubling from 0.2 s, each flagged a UDP scan's
    /// probe, each conversation's port `40000 + k` (or, `new_port`, a new one each round as
    /// nmap's tries), each refused with an ICMP port unreachable if `refused`; with the
    /// verdicts' `resent` as the two-way tracker tells it.
    fn retries(
        hosts: &[u8],
        ports: &[u16],
        (tries, payload, new_port, refused): (u32, u16, bool, bool),
    ) -> Vec<(PacketRepr, PacketVerdict)> {
        let mut conv = Conversations::new(crate::conversation::DEFAULT_SETTLE);
        let mut out = Vec::new();
        let (mut t, mut gap) = (10.0, 0.2);
        for r in 0..tries {
            let mut k = 0u16;
            for &h in hosts {
                for &port in ports {
                    let sport = 40000 + k + if new_port { 1000 * r as u16 } else { 0 };
                    let dst = format!("198.18.0.{h}");
                    let p = udp(t, ATT, &dst, sport, port, 28 + payload);
                    let mut pk = vec![(p, Class::ScanUdp)];
                    if refused {
                        pk.push((icmp_unreach(t + 1e-4, &dst, ATT, &p), Class::ScanUdp));
                    }
                    for (p, class) in pk {
                        conv.push(&p);
                        let v = PacketVerdict {
                            resent: conv.resent(),
                            ..flagged(out.len() as u64, p.ts, class)
                        };
                        out.push((p, v));
                    }
                    k += 1;
                    t += 1e-3;
                }
            }
            t += gap;
            gap *= 2.0;
        }
        out
    }

    #[test]
    fn a_client_sending_its_handshakes_again_is_no_udp_scan_and_scanners_still_are() {
        let run = |pk: Vec<(PacketRepr, PacketVerdict)>| {
            aggregate_verdicts(DetectSettings::default(), pk)
        };
        let classes = |a: &[Alert]| a.iter().map(|a| a.class).collect::<Vec<_>>();
        let unmarked = |mut pk: Vec<(PacketRepr, PacketVerdict)>| {
            pk.iter_mut().for_each(|(_, v)| v.resent = false);
            pk
        };
        let quic = [443, 4433, 4434];
        // a QUIC client's Initials (1,200 bytes) to four servers' three ports, each sent six
        // times where nothing answers, or refused: no alert
        for refused in [false, true] {
            let pk = retries(&[11, 12, 13, 21], &quic, (6, 1200, false, refused));
            assert!(pk.iter().any(|(_, v)| v.resent));
            let (alerts, st) = run(pk.clone());
            assert!(alerts.is_empty(), "{alerts:?}");
            assert_eq!((st.resent_handshakes, st.quiet_episodes), (1, 1));
            // the same datagrams not taken for copies: the UDP scan they looked like
            let (alerts, st) = run(unmarked(pk));
            assert_eq!(classes(&alerts), [Class::ScanUdp]);
            assert_eq!(st.resent_handshakes, 0);
        }
        // nmap -sU -g: the same ports and tries, its small DTLS probe (65 bytes) or none
        for payload in [65, 0] {
            let pk = retries(&[11, 12, 13, 21], &quic, (6, payload, false, true));
            assert!(pk.iter().all(|(_, v)| !v.resent));
            let (alerts, st) = run(pk);
            assert_eq!(classes(&alerts), [Class::ScanUdp]);
            assert_eq!(st.resent_handshakes, 0);
        }
        // nmap --data-length 1200: full-size probes, each try from a new source port
        let pk = retries(&[11, 12, 13, 21], &quic, (6, 1200, true, true));
        assert!(pk.iter().all(|(_, v)| !v.resent));
        assert_eq!(classes(&run(pk).0), [Class::ScanUdp]);
        // the same client's datagrams taken for a flood's (the networks' classes split
        // between the two: the episode named a UDP flood): no alert either
        let mut pk = retries(&[11, 12, 13, 21], &quic, (6, 1200, false, true));
        pk.iter_mut().for_each(|(_, v)| v.class = Class::FloodUdp);
        let (alerts, st) = run(pk.clone());
        assert!(alerts.is_empty(), "{alerts:?}");
        assert_eq!(st.resent_handshakes, 1);
        assert_eq!(classes(&run(unmarked(pk)).0), [Class::FloodUdp]);
        // hping3 --udp -k -d 1200: full-size datagrams from one port to three ports of a host,
        // 20 a second each, for 5 s: copies the first few, then faster than any back-off
        let mut conv = Conversations::new(crate::conversation::DEFAULT_SETTLE);
        let mut flood = Vec::new();
        for k in 0..100u16 {
            for port in quic {
                let p = udp(10.0 + f64::from(k) * 0.05, ATT, VIC, 40000, port, 1228);
                conv.push(&p);
                let v = PacketVerdict {
                    resent: conv.resent(),
                    ..flagged(flood.len() as u64, p.ts, Class::FloodUdp)
                };
                flood.push((p, v));
            }
        }
        let (alerts, st) = run(flood);
        assert_eq!(classes(&alerts), [Class::FloodUdp]);
        assert_eq!(st.resent_handshakes, 0);
        // full-size probes sent again from one port, but to 40 ports of a host: a port scan
        let ports: Vec<u16> = (1000..1040).collect();
        let pk = retries(&[11], &ports, (3, 1200, false, true));
        assert!(pk.iter().any(|(_, v)| v.resent));
        let (alerts, st) = run(pk);
        assert_eq!(classes(&alerts), [Class::ScanUdp]);
        assert_eq!(st.resent_handshakes, 0);
    }

    /// Slowloris's rounds from 198.18.0.66 at 198.18.0.10:443 as the slow-request rule flags
    /// them: for each round time, `conns` connections (ports from `port0`) each add a line
    /// (`add`: the connection's first or next round) and the server acknowledges it; a round
    /// `None` is the tool's close (a FIN each, no addition).
    fn slow_rounds(
        rounds: &[(f64, Option<Addition>)],
        conns: u16,
        port0: u16,
    ) -> Vec<(PacketRepr, PacketVerdict)> {
        let (att, vic) = ("198.18.0.66", "198.18.0.10");
        let mut v = Vec::new();
        for &(t, add) in rounds {
            for i in 0..conns {
                let t = t + f64::from(i) * 1e-3;
                let port = port0 + i;
                let mark = |p: PacketRepr, add: Addition| {
                    let mut f = flagged(u64::from(port), p.ts, Class::OtherAttack);
                    (f.slow_request, f.slow_addition) = (true, add);
                    (p, f)
                };
                let mut line = tcp(t, att, vic, port, 443, 0x18);
                match add {
                    Some(a) => {
                        line.payload_len = 24;
                        let x = mark(line, a);
                        v.push(x);
                        let x = mark(tcp(t + 2e-4, vic, att, 443, port, 0x10), Addition::None);
                        v.push(x);
                    }
                    None => {
                        line.tcp_flags = 0x11;
                        let x = mark(line, Addition::None);
                        v.push(x);
                    }
                }
            }
        }
        v
    }

    fn run_slow(
        s: DetectSettings,
        pk: Vec<(PacketRepr, PacketVerdict)>,
    ) -> (Vec<Alert>, DetectStats) {
        let mut pk = pk;
        pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
        aggregate_verdicts(s, pk)
    }

    #[test]
    fn a_slow_request_attacks_rounds_further_apart_than_the_gap_are_one_alert() {
        use Addition::{Again, First};
        // slowhttptest -H -c 40 -i 10: a round of lines every 10 s (more than the 4 s gap),
        // then its closes: one alert over it all (four before)
        let t = 1_000.0;
        let one = [
            (t, Some(First)),
            (t + 10.0, Some(Again)),
            (t + 20.0, Some(Again)),
            (t + 25.0, None),
        ];
        let (alerts, st) = run_slow(DetectSettings::default(), slow_rounds(&one, 40, 40_000));
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        let a = &alerts[0];
        assert_eq!(a.class, Class::OtherAttack);
        assert!(
            a.first_seen == t && (a.last_seen - (t + 25.039)).abs() < 1e-6,
            "{a:?}"
        );
        assert_eq!(a.packets, 3 * 80 + 40);
        assert_eq!(a.profile.map(|p| p.slow_requests), Some(280));
        assert_eq!((st.alerts, st.source_alerts, st.merged_alerts), (1, 1, 3));
        // a second attack 12 s after the first one's closes (new connections: first
        // additions only) is an alert of its own, its rounds merged into it
        let mut pk = slow_rounds(&one, 40, 40_000);
        let two = [(t + 37.0, Some(First)), (t + 44.0, Some(Again))];
        pk.extend(slow_rounds(&two, 30, 50_000));
        let (alerts, st) = run_slow(DetectSettings::default(), pk);
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        assert_eq!((alerts[1].first_seen, alerts[1].packets), (t + 37.0, 120));
        assert_eq!((st.alerts, st.merged_alerts), (2, 4));
        // a round more than the horizon (30 s) after the last is another alert
        let late = [
            (t, Some(First)),
            (t + 10.0 + SLOW_REQUEST_HORIZON, Some(Again)),
        ];
        let (alerts, _) = run_slow(DetectSettings::default(), slow_rounds(&late, 40, 40_000));
        assert_eq!(alerts.len(), 2, "{alerts:?}");
        // another class of the source right after (a flood of SYNs from it) is its own alert,
        // reported when its episode ends, before the held one
        let mut pk = slow_rounds(&one[..2], 40, 40_000);
        for k in 0..400u16 {
            let ts = t + 12.0 + f64::from(k) * 1e-3;
            let p = tcp(ts, "198.18.0.66", "198.18.0.10", 1024 + k, 443, 0x02);
            pk.push((p, flagged(10_000 + u64::from(k), ts, Class::FloodSyn)));
        }
        let (alerts, _) = run_slow(DetectSettings::default(), pk);
        let classes: Vec<_> = alerts.iter().map(|a| a.class).collect();
        assert_eq!(classes, [Class::FloodSyn, Class::OtherAttack], "{alerts:?}");
        // with --max-episode 15 (a live capture's 60 s, shorter), the rounds merged into one
        // alert span at most that: the attack goes on in another
        let s = DetectSettings {
            max_episode: 15.0,
            ..DetectSettings::default()
        };
        let (alerts, _) = run_slow(s, slow_rounds(&one, 40, 40_000));
        let ms = |x: f64| ((x - t) * 1e4).round() / 1e4;
        let spans: Vec<_> = alerts
            .iter()
            .map(|a| (ms(a.first_seen), ms(a.last_seen)))
            .collect();
        assert_eq!(spans, [(0.0, 10.0392), (20.0, 25.039)], "{alerts:?}");
    }

    #[test]
    fn a_held_slow_request_alert_is_reported_a_horizon_and_a_gap_after_its_last_round() {
        use Addition::{Again, First};
        let t = 1_000.0;
        // the alerts reported after each advance to `at`
        let run = |extra: &[(f64, Option<Addition>)], at: &[f64]| -> Vec<usize> {
            let mut agg = Aggregator::new(DetectSettings::default());
            let mut st = DetectStats::default();
            let n = std::cell::Cell::new(0);
            let mut sink = |ev: Event<'_>| {
                if matches!(ev, Event::Alert(_)) {
                    n.set(n.get() + 1);
                }
            };
            let mut pk = slow_rounds(&[(t, Some(First)), (t + 10.0, Some(Again))], 40, 40_000);
            pk.extend(slow_rounds(extra, 2, 40_000));
            pk.sort_by(|a, b| a.0.ts.total_cmp(&b.0.ts));
            for (p, v) in pk {
                agg.packet(&p, &v, &mut st, &mut sink);
            }
            let mut seen = Vec::new();
            for &now in at {
                agg.advance(now, &mut st, &mut sink);
                seen.push(n.get());
            }
            agg.close_all(&mut st, &mut sink);
            seen.push(n.get());
            seen
        };
        // the last round's last packet at t + 10.0392; the alert is due the horizon and a gap
        // after it (a round begun within the horizon has ended by then, or is still open)
        let due = t + 10.0392 + SLOW_REQUEST_HORIZON + 4.0;
        assert_eq!(run(&[], &[t + 20.0, due - 0.01, due + 0.01]), [0, 0, 1, 1]);
        // a long round (a line each 0.9 s on two connections, 11.7 s in all) begun 29 s after
        // the last, its episode still open when the held alert falls due: put off until a gap
        // after that episode's last packet, which is then merged into it
        let long: Vec<_> = (0..14u16)
            .map(|k| (t + 10.04 + 29.0 + f64::from(k) * 0.9, Some(Again)))
            .collect();
        let end = t + 10.04 + 29.0 + 13.0 * 0.9 + 0.0012;
        let wait = SLOW_REQUEST_HORIZON + 4.0;
        let at = [due + 0.01, end + 4.1, end + wait - 0.01, end + wait + 0.01];
        assert_eq!(run(&long, &at), [0, 0, 0, 1, 1]);
    }

    #[test]
    fn a_slow_attack_that_goes_on_is_reported_within_max_episode_and_the_horizon() {
        use Addition::{Again, First};
        // a slowloris round every 5 s for 200 s on a live capture (max_episode 60): reported
        // piece by piece, each at most max_episode + the horizon + a gap after its first packet
        let t = 1_000.0;
        let s = DetectSettings {
            max_episode: 60.0,
            ..DetectSettings::default()
        };
        let rounds: Vec<_> = (0..40u16)
            .map(|k| {
                (
                    t + 5.0 * f64::from(k),
                    Some(if k == 0 { First } else { Again }),
                )
            })
            .collect();
        let mut agg = Aggregator::new(s);
        let mut st = DetectStats::default();
        let now = std::cell::Cell::new(t);
        let mut seen = Vec::new();
        let mut sink = |ev: Event<'_>| {
            if let Event::Alert(a) = ev {
                seen.push((a.first_seen, a.last_seen, now.get()));
            }
        };
        for (p, v) in slow_rounds(&rounds, 40, 40_000) {
            now.set(p.ts);
            agg.packet(&p, &v, &mut st, &mut sink);
        }
        for k in 0..400 {
            now.set(t + 200.0 + f64::from(k) * 0.25);
            agg.advance(now.get(), &mut st, &mut sink);
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
        for &(first, last, at) in &seen {
            assert!(last - first <= 60.0, "{seen:?}");
            assert!(
                at - first <= 60.0 + SLOW_REQUEST_HORIZON + 4.0 + 0.25,
                "{seen:?}"
            );
        }
    }

    #[test]
    fn a_few_port_scans_windows_of_one_chain_are_one_alert() {
        let finding = |first: f64, probes: u64, episode: f64, victim: &str| Finding {
            scanner: ip("198.18.1.66"),
            victim: ip(victim),
            class: Class::ScanUdp,
            proto: 17,
            trigger: crate::slowscan::Trigger::FewPorts,
            first_seen: first,
            last_seen: first + 8.0,
            detected_at: first + 12.0,
            probes,
            targets: 3,
            hosts: 1,
            victim_ports: 3,
            answered: 0,
            fast: true,
            episode,
            later: false,
        };
        let t = 1_000.0;
        let run = |fs: &[Finding]| {
            let mut agg = Aggregator::new(DetectSettings::default());
            let mut st = DetectStats::default();
            let mut alerts = Vec::new();
            let mut sink = |ev: Event<'_>| {
                if let Event::Alert(a) = ev {
                    alerts.push(a.clone())
                }
            };
            for f in fs {
                agg.advance(f.detected_at, &mut st, &mut sink);
                agg.finding(f, &mut st, &mut sink);
            }
            agg.close_all(&mut st, &mut sink);
            (alerts, st)
        };
        // nmap -sU --scan-delay 4s of ten ports: three windows of one chain, one alert
        let (alerts, st) = run(&[
            finding(t, 3, t, "198.18.0.10"),
            finding(t + 12.0, 3, t, "198.18.0.10"),
            finding(t + 24.0, 4, t, "198.18.0.10"),
        ]);
        assert_eq!(alerts.len(), 1, "{alerts:?}");
        assert_eq!((alerts[0].first_seen, alerts[0].last_seen), (t, t + 32.0));
        let f = alerts[0].slow_scan.unwrap();
        assert_eq!((alerts[0].packets, f.probes, f.targets), (10, 10, 9));
        assert_eq!(
            (st.alerts, st.slow_scan_alerts, st.few_port_scans),
            (1, 1, 1)
        );
        assert_eq!((st.merged_alerts, st.fast_scans_missed_by_networks), (2, 1));
        // another chain (a scan after a pause), another host, or a window more than two
        // windows after the held one's last probe: alerts of their own
        let (alerts, _) = run(&[
            finding(t, 3, t, "198.18.0.10"),
            finding(t + 12.0, 3, t + 12.0, "198.18.0.10"),
            finding(t + 24.0, 3, t + 24.0, "198.18.0.11"),
            finding(t + 36.0, 3, t + 24.0, "198.18.0.11"),
            finding(t + 36.0 + 8.0 + 20.5, 3, t + 24.0, "198.18.0.11"),
        ]);
        assert_eq!(alerts.len(), 4, "{alerts:?}");
        // a held alert is reported 3 windows and an answer wait after its last probe
        let mut agg = Aggregator::new(DetectSettings::default());
        let mut st = DetectStats::default();
        let mut n = 0;
        let mut sink = |ev: Event<'_>| n += usize::from(matches!(ev, Event::Alert(_)));
        agg.advance(t + 12.0, &mut st, &mut sink);
        agg.finding(&finding(t, 3, t, "198.18.0.10"), &mut st, &mut sink);
        agg.advance(t + 8.0 + 31.9, &mut st, &mut sink);
        agg.advance(t + 8.0 + 32.1, &mut st, &mut sink);
        assert_eq!(n, 1);
    }
}
