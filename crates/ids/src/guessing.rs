//! Password guessing: a client that tries password after password against a login service.
//!
//! An online password attack (hydra, medusa, ncrack, patator against SSH or FTP; the
//! "SSH-Patator" and "FTP-Patator" days of CIC-IDS2017) opens connections that complete their
//! handshakes and carry a short, well-formed exchange: each, alone, is a failed login, and the
//! networks, which learnt attacks from scans and floods, pass them (a namespace run of `hydra
//! -t 8` against an sshd, 48 connections in 40 s, raised no alert). What gives it away is what a
//! refused password looks like from outside, payload unseen (it is encrypted, or past the snap
//! length): the server answers it only after a delay (pam_unix: about 2 s; vsftpd: 1 s more;
//! Dovecot's `auth_failure_delay`, 2 s; Postfix and login(1) alike), so that each guess costs
//! the guesser time; and a refusal is always the same message, so that the next password,
//! a request like the one before, draws an answer of the very same size. A client whose
//! requests are refused so again and again, on connection after connection, is guessing.
//!
//! The rule, per (client, server, service port) on login services ([`Login`]: SSH on port 22
//! and on any port where a server's first words are an `SSH-` banner; FTP, Telnet, SMTP
//! submission, POP3, IMAP, SMB, RDP, VNC on their ports): a
//! damped count with a [`HALF_LIFE`] of 60 s of the server's *refusals* — an answer (server
//! data, the client having spoken since the server's answer before) that comes at least
//! [`SLOW_ANSWER`] (1 s) after the client's last data, or that has the size of the answer
//! before to a request of a password's size ([`REPEAT_MIN_REQUEST`], 64 bytes: no keystroke)
//! within [`REPEAT_SLACK`] (16 bytes) of the request before, among the connection's first
//! [`REPEAT_WITHIN`] (12) answers, where the login is — and, at [`CONNECTION_WEIGHT`]
//! (a tenth) each, of the *short connections* closed that had a refusal — handshake
//! completed, data both ways, closed by FIN or RST; all only while the connection has carried at most [`SHORT_BYTES`]
//! (8 KiB) each way (a transfer is no login attempt). At or above the threshold
//! ([`crate::detect::DetectSettings::brute_force_threshold`]; the default,
//! [`DEFAULT_THRESHOLD`], 12), the client's packets to the service and the server's answers
//! are `other-attack`, and the episode's profile names it "SSH password guessing"
//! ([`crate::profile::Rule::PasswordGuessing`]).
//!
//! **SMB.** An SMB server refuses a password at once (Samba and Windows alike) and a guesser
//! that tries one password per connection (hydra's `smb` module, nmap's `smb-brute`,
//! NetExec) asks nothing twice on a connection: neither sign above shows. What does is the
//! refusal's shape, seen in the first four bytes of the answer (the NetBIOS session header,
//! [`smb_error`]): an SMB error response — 39 bytes for SMB1, 77 for SMB2, whatever the
//! status — that answers a request of a password's size among the connection's first
//! [`SMB_LOGIN_ANSWERS`] answers but the first (the negotiation comes first, then the session
//! setup), after which the
//! client closes the connection without another word. Such a connection adds 1 to the count,
//! as a slow answer does. A client that goes on after the error is no guesser (smbclient
//! with a Kerberos ticket that the server cannot take falls back to NTLM on the same
//! connection, after a 77-byte error); an error later in a connection (a file not found, the
//! end of a directory listing, SMB1's 39-byte tree-disconnect answer) is a session's, not a
//! login's. In `lab/office.sh` (session 20) hydra `-t 4 smb://` (SMB1, 60 passwords, one
//! connection each, refused in 8 ms) is alerted from its 12th connection; six desktops'
//! smbclient sessions (share lists, copies, anonymous reads, Kerberos fallbacks) never add
//! to a count.
//!
//! Measured on namespace runs (sshd of OpenSSH 9.2 with PAM, and without it, `UsePAM no`;
//! vsftpd 3.0.3; Dovecot 2.3; snap length 96; each attack read alone, 40–150 s): 19 of 26
//! guessing runs alerted, all named right, within 0 to 25 s of their start, and no false
//! alert. With PAM: hydra `-t 16` against SSH on port 2222 and against FTP, hydra `-t 4`
//! against SSH, FTP (also with `-W 3`) and IMAP, ncrack, medusa `-t 4` and patator against SSH
//! and FTP, medusa `-t 1` against SSH. Without PAM (a refused password answered in 0.1 to 0.3
//! s, always of one size): hydra `-t 8` and `-t 4` (a wave of connections, six passwords each,
//! every 32 s; alerted in the first), ncrack, medusa `-t 4`, patator. Not alerted: hydra `-t 1`
//! and `-c 3` against SSH with PAM (below), medusa `-t 4` against IMAP (its four connections
//! tried 12 passwords in 60 s), and three Telnet runs in which hydra and medusa stalled
//! against inetutils' telnetd and hardly guessed at all. The normal client — ten ssh
//! commands in a minute, an interactive session, scp and sftp transfers, 30 ansible-like
//! sessions that each upload a module, 30 tasks of three ssh connections each (two of them
//! without data), 40 ssh commands two seconds apart, FTP downloads, a mail client polling
//! IMAP every 5 s and every second, five wrong passwords typed 3 s apart — was never flagged,
//! nor with a threshold of 6 (it is with 4).
//!
//! What it gives away: a guesser slower than one refused password every 7 s or so (a count
//! of 12 held) is not seen at all: hydra `-t 1` and `-c 3` against sshd with PAM (six
//! passwords per connection, a connection every 50 s) were not alerted in two minutes
//! (`--brute-force-threshold 6` catches them, with half the margin over the normal client's
//! counts). The packets before the count reaches the threshold are not flagged: hydra `-t 4`
//! against sshd with PAM, whose four connections try 24 passwords in 20 s and then stop, is
//! alerted on the 40 packets of its last 6 s. A
//! service that answers a refused password at once and in a size of its own each time (or
//! a tool that tries one password per connection against such a service) is counted by its
//! connections only, a tenth each: about 85 a minute are needed. Telnet is not measured.
//! SMTP on port 25 is left out: a relay delivering mail to a filtering server waits for the
//! filter's answer on every message. So are databases and directories (MySQL, PostgreSQL, MS
//! SQL, LDAP): an application server without a connection pool opens a short connection per
//! request, logs in and sends queries whose answers repeat in size, a few a second from one
//! client to one server — the shape of guessing by every signal here; and their servers refuse
//! a password at once, so slow refusals would not find their guessers either. HTTP basic
//! authentication is out of scope (one service among many on port 80). A short connection
//! counts only if the server refused one of its requests: counted alone, 300 successful
//! key-authenticated `ssh HOST true` in 90 s from one client (automation without connection
//! sharing) were "SSH password guessing" in a namespace run; and a repeated answer counts
//! only among a connection's first answers: 200 `scp` in 41 s and 400 `ssh` commands in 43 s
//! were alerted by the repeated sizes of SCP's and the session's own requests after the login.
//!
//! Sans-IO, bounded and deterministic: two set-associative tables ([`FLOWS`] connections,
//! [`CAPACITY`] counts; least recently used evicted) and a bitmap of the ports SSH banners
//! were seen on.

use crate::detect::{service_hash, AddrKeys, DampedCount, NegExp2};
use crate::features::table::{hash_mixed, SetAssoc};
use nightjar_packet::{proto, PacketRepr};

/// [`crate::detect::DetectSettings::brute_force_threshold`] by default.
pub const DEFAULT_THRESHOLD: f32 = 12.0;
/// Half-life of the counts, seconds.
pub const HALF_LIFE: f64 = 60.0;
/// A server's answer that comes at least this long after the client's last data is slow:
/// a refused password, seconds.
pub const SLOW_ANSWER: f64 = 1.0;
/// What a short connection closed adds to the count, if the server refused at least one of
/// its requests (a slow answer adds 1).
pub const CONNECTION_WEIGHT: f32 = 0.1;
/// A repeated answer counts only among a connection's first this many answers: the login
/// comes first (an SSH client's key exchange takes three, its password attempts the next
/// ones), and the requests of a session that logged in (SFTP's, SCP's) repeat in size too.
pub const REPEAT_WITHIN: u8 = 12;
/// A request at least this long (bytes of payload) whose answer repeats the answer to the
/// request before is a refusal: an SSH password request (user, service, method and password,
/// padded to the cipher's block, with its MAC) is 68 bytes or more, a keystroke 52 at most.
pub const REPEAT_MIN_REQUEST: u32 = 64;
/// How much two requests answered alike may differ and still be two tries of one kind (two
/// passwords of different lengths padded to 8- or 16-byte blocks), bytes.
pub const REPEAT_SLACK: u32 = 16;
/// Payload bytes a connection may carry each way and still be a login attempt.
pub const SHORT_BYTES: u32 = 8192;
/// Connections followed at once.
pub const FLOWS: usize = 1 << 14;
/// (client, server, port) counts remembered.
pub const CAPACITY: usize = 1 << 12;
/// (Server, port) pairs found speaking SSH by their banners, kept at most.
pub const SSH_SERVERS: usize = 1 << 10;
/// An SMB login ends within a connection's first this many answers: the negotiation (two
/// answers when a client's SMB1 negotiate names SMB2 dialects and the server answers it with
/// an SMB2 one, as Windows and smbclient negotiate), then the session setup (one answer for
/// SMB1 without extended security, two for NTLMSSP: the challenge, then the verdict).
pub const SMB_LOGIN_ANSWERS: u8 = 4;

/// Whether `p` is, whole, an SMB error response: one NetBIOS session message (its 4-byte
/// header, RFC 1002 §4.3.1: type 0 and the length, which [`PacketRepr::head`] holds) of
/// 35 bytes — an SMB1 header (32 bytes) with no parameter words and no data, as every SMB1
/// error is sent (MS-CIFS §2.2.3.1) — or of 73 bytes — an SMB2 header (64 bytes) and the
/// 9-byte ERROR body with no error data (MS-SMB2 §2.2.2) —: what a refused session setup
/// (STATUS_LOGON_FAILURE) is, whatever the password and the client's name.
pub fn smb_error(p: &PacketRepr) -> bool {
    let len = u32::from_be_bytes(p.head) & 0x00ff_ffff;
    p.head[0] == 0 && (len == 35 || len == 73) && p.payload_len == len + 4
}

/// A login service.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Login {
    #[default]
    Ssh,
    Ftp,
    Telnet,
    Smtp,
    Pop3,
    Imap,
    Smb,
    Rdp,
    Vnc,
}

impl Login {
    /// The service IANA's port registry gives `port` (SMTP: the submission ports 587 and 465
    /// only), if a login service.
    pub fn of_port(port: u16) -> Option<Login> {
        Some(match port {
            22 => Login::Ssh,
            21 => Login::Ftp,
            23 => Login::Telnet,
            465 | 587 => Login::Smtp,
            110 | 995 => Login::Pop3,
            143 | 993 => Login::Imap,
            445 => Login::Smb,
            3389 => Login::Rdp,
            5900 => Login::Vnc,
            _ => return None,
        })
    }

    /// The service's usual name, as an alert says it ("SSH password guessing").
    pub fn name(self) -> &'static str {
        match self {
            Login::Ssh => "SSH",
            Login::Ftp => "FTP",
            Login::Telnet => "Telnet",
            Login::Smtp => "SMTP",
            Login::Pop3 => "POP3",
            Login::Imap => "IMAP",
            Login::Smb => "SMB",
            Login::Rdp => "RDP",
            Login::Vnc => "VNC",
        }
    }

    /// Name in JSON (`nightjar.profile.service`).
    pub fn as_str(self) -> &'static str {
        match self {
            Login::Ssh => "ssh",
            Login::Ftp => "ftp",
            Login::Telnet => "telnet",
            Login::Smtp => "smtp",
            Login::Pop3 => "pop3",
            Login::Imap => "imap",
            Login::Smb => "smb",
            Login::Rdp => "rdp",
            Login::Vnc => "vnc",
        }
    }
}

/// Flow state bits.
const SYNACK: u8 = 1;
const ESTABLISHED: u8 = 2;
/// The client sent data since the server's last.
const CLIENT_SPOKE: u8 = 4;
const CLOSED: u8 = 8;
/// The server refused a request of the connection (a slow or a repeated answer).
const REFUSED: u8 = 16;
/// A connection followed since its client's `SSH-` banner, to a port not known as SSH's: its
/// server has not spoken yet. Its first words decide: an `SSH-` banner makes the port SSH's
/// (and the connection goes on as one to SSH), anything else makes the connection
/// [`NOT_SSH`]. A client's banner alone says nothing of the server: scanssh sends its
/// identification to every port it scans (`SSH-1.0-SSH_Version_Mapper`), and once taken as
/// SSH's a web server's port made a content-discovery run's repeated 404 answers "SSH password
/// guessing" (BENCHMARKS.md, session 19, RustScan and application-level recon tools).
const UNCONFIRMED: u8 = 32;
/// A connection whose client sent an `SSH-` banner and whose server answered with no banner:
/// not followed (its packets are no login service's).
const NOT_SSH: u8 = 64;
/// The server's last answer on an SMB connection was an SMB error response ([`smb_error`])
/// among the connection's first [`SMB_LOGIN_ANSWERS`] answers but the first (the
/// negotiation's: a login is refused after it), to a request of at least
/// [`REPEAT_MIN_REQUEST`] bytes, and the client has sent nothing since: if the connection
/// closes now, its login was refused ([`Guessing::push_keyed`], "SMB").
const SMB_REFUSED: u8 = 128;

/// One connection to a login service.
#[derive(Clone, Copy, Default)]
struct Flow {
    login: Login,
    state: u8,
    client_bytes: u32,
    server_bytes: u32,
    /// When the client last sent data.
    client_at: f64,
    /// Bytes of the client's request since the server's last answer; of the request before
    /// that answer, and the answer's first segment.
    request: u32,
    last_request: u32,
    last_answer: u32,
    /// Requests the server has answered so far (counted up to 255).
    answers: u8,
}

impl Flow {
    fn short(&self) -> bool {
        self.client_bytes <= SHORT_BYTES && self.server_bytes <= SHORT_BYTES
    }
}

/// (client, server, client port << 16 | server port).
type FlowKey = (u128, u128, u32);

/// The password-guessing rule's state.
pub struct Guessing {
    threshold: f32,
    flows: SetAssoc<FlowKey, Flow>,
    /// (client, server, server port) → its damped count of slow answers and short
    /// connections.
    counts: SetAssoc<(u128, u128, u16), DampedCount>,
    /// Ports some server sent an `SSH-` banner from (bit per port): a cheap first look
    /// before [`Guessing::ssh_servers`].
    ssh_ports: Box<[u64; 1024]>,
    /// (server, port) pairs an `SSH-` banner came from: SSH on another server's port of that
    /// number is not assumed (one `sslh` sharing 443 between SSH and HTTPS must not make every
    /// server's HTTPS a login service).
    ssh_servers: SetAssoc<(u128, u16), u8>,
    clock: f64,
    /// No count is at the threshold after this time (a count decays from its last rise), so
    /// until a count rises again no packet needs its look-up.
    hot_until: f64,
    decay: NegExp2,
}

impl Guessing {
    /// The rule with its threshold (0: off).
    pub fn new(threshold: f32) -> Guessing {
        let on = threshold > 0.0;
        Guessing {
            threshold,
            flows: SetAssoc::new(if on { FLOWS } else { 1 }),
            counts: SetAssoc::new(if on { CAPACITY } else { 1 }),
            ssh_ports: Box::new([0; 1024]),
            ssh_servers: SetAssoc::new(if on { SSH_SERVERS } else { 1 }),
            clock: f64::NEG_INFINITY,
            hot_until: f64::NEG_INFINITY,
            decay: NegExp2::new(),
        }
    }

    /// Take the next packet; the service guessed at if it is a packet of a client's
    /// connection to a login service (either way) whose count is at the threshold.
    pub fn push(&mut self, p: &PacketRepr) -> Option<Login> {
        self.push_keyed(p, &AddrKeys::of(p), None)
    }

    /// The login service on `server`'s `port` (`sm`: the premix of the server's address), if
    /// any: by the port's number, or an SSH banner seen from that server's port.
    #[inline]
    fn login(&self, server: u128, sm: u64, port: u16) -> Option<Login> {
        let i = usize::from(port);
        if self.ssh_ports[i / 64] >> (i % 64) & 1 != 0
            && self
                .ssh_servers
                .get(&(server, port), server_hash(sm, port))
                .is_some()
        {
            return Some(Login::Ssh);
        }
        Login::of_port(port)
    }

    /// [`Guessing::push`] of a packet whose addresses' keys are `k`; `opener`: whether its
    /// sender opened its flow, when known (the features saw the flow's first packet).
    ///
    /// Inlined at the call: a segment that neither goes to nor comes from a login service nor
    /// carries an SSH banner (nearly every one) goes no further than the clock.
    #[inline]
    pub(crate) fn push_keyed(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
    ) -> Option<Login> {
        if self.threshold <= 0.0 || p.proto != proto::TCP || p.fragment {
            return None;
        }
        if p.ts.is_finite() && p.ts > self.clock {
            self.clock = p.ts;
        }
        let to = self.login(k.dst, k.md, p.dport);
        let from = self.login(k.src, k.ms, p.sport);
        let banner = p.payload_len > 0 && p.head == *b"SSH-";
        if to.is_none() && from.is_none() && !banner {
            return None;
        }
        self.push_login(p, k, opener, to, banner)
    }

    /// [`Guessing::push_keyed`] of a segment to (`to`: the service) or from a login service,
    /// or with an SSH `banner`, the clock moved.
    #[inline(never)]
    fn push_login(
        &mut self,
        p: &PacketRepr,
        k: &AddrKeys,
        opener: Option<bool>,
        to: Option<Login>,
        banner: bool,
    ) -> Option<Login> {
        let now = self.clock;
        let fl = p.tcp_flags;
        let out_key = (k.src, k.dst, u32::from(p.sport) << 16 | u32::from(p.dport));
        let out_hash = flow_hash(k.ms, k.md, out_key.2);
        // a SYN to a login service opens a connection (a port reused: a new one)
        if fl & 0x12 == 0x02 {
            let login = to?;
            *self.flows.touch(out_key, out_hash, now).val = Flow {
                login,
                ..Flow::default()
            };
            return self.verdict(k.src, k.dst, k.ms, k.md, p.dport, login, now);
        }
        let back_key = (k.dst, k.src, u32::from(p.dport) << 16 | u32::from(p.sport));
        let back_hash = flow_hash(k.md, k.ms, back_key.2);
        let outbound = if self.flows.get(&out_key, out_hash).is_some() {
            true
        } else if self.flows.get(&back_key, back_hash).is_some() {
            false
        } else if banner {
            // the first SSH banner of a connection to a port not known as SSH's (either end
            // may send its banner first): the server is the end that did not open the flow,
            // else the one on the lower port; its port is remembered as SSH's
            // (its server's own banner, [`UNCONFIRMED`])
            let from_server = opener.map_or(p.sport < p.dport, |o| !o);
            let (key, hash, state) = if from_server {
                self.mark_ssh(k.src, k.ms, p.sport, now);
                (back_key, back_hash, SYNACK | ESTABLISHED)
            } else {
                (out_key, out_hash, SYNACK | ESTABLISHED | UNCONFIRMED)
            };
            *self.flows.touch(key, hash, now).val = Flow {
                login: Login::Ssh,
                state,
                ..Flow::default()
            };
            !from_server
        } else {
            return None;
        };
        let flow = if outbound {
            self.flows.get_mut(&out_key, out_hash, now)
        } else {
            self.flows.get_mut(&back_key, back_hash, now)
        }?;
        if flow.state & NOT_SSH != 0 {
            return None;
        }
        let data = p.payload_len;
        if !outbound && data > 0 && flow.state & UNCONFIRMED != 0 {
            // the server's first words, after its client's banner
            if !banner {
                flow.state |= NOT_SSH;
                return None;
            }
            flow.state &= !UNCONFIRMED;
            self.mark_ssh(k.src, k.ms, p.sport, now);
            return self.push_login(p, k, opener, to, banner);
        }
        let mut add = 0.0f32;
        if outbound {
            if fl & 0x10 != 0 && flow.state & SYNACK != 0 {
                flow.state |= ESTABLISHED;
            }
            if data > 0 {
                flow.client_bytes = flow.client_bytes.saturating_add(data);
                flow.client_at = now;
                // the client went on after an error (a Kerberos token refused, then NTLM)
                flow.state &= !SMB_REFUSED;
                if flow.state & CLIENT_SPOKE == 0 {
                    flow.request = 0;
                }
                flow.request = flow.request.saturating_add(data);
                flow.state |= CLIENT_SPOKE;
            }
        } else {
            if fl & 0x12 == 0x12 {
                flow.state |= SYNACK;
            }
            if data > 0 {
                flow.server_bytes = flow.server_bytes.saturating_add(data);
                if flow.state & CLIENT_SPOKE != 0 {
                    // a refusal: answered slowly, or the same answer as to the request
                    // before, to a request like it and of a password's size
                    let slow = now - flow.client_at >= SLOW_ANSWER;
                    flow.answers = flow.answers.saturating_add(1);
                    let again = data == flow.last_answer
                        && flow.answers <= REPEAT_WITHIN
                        && flow.request >= REPEAT_MIN_REQUEST
                        && flow.request.abs_diff(flow.last_request) <= REPEAT_SLACK;
                    if (slow || again) && flow.short() {
                        add += 1.0;
                        flow.state |= REFUSED;
                    }
                    flow.state &= !SMB_REFUSED;
                    if flow.login == Login::Smb
                        && (2..=SMB_LOGIN_ANSWERS).contains(&flow.answers)
                        && flow.request >= REPEAT_MIN_REQUEST
                        && smb_error(p)
                    {
                        flow.state |= SMB_REFUSED;
                    }
                    flow.last_request = flow.request;
                    flow.last_answer = data;
                }
                flow.state &= !CLIENT_SPOKE;
            }
        }
        if fl & 0x05 != 0 && flow.state & CLOSED == 0 {
            flow.state |= CLOSED;
            if flow.state & SMB_REFUSED != 0 && flow.short() {
                // an SMB login refused, and the connection given up at once: one password
                // tried (SMB servers answer a wrong one at once, in the one size of an error)
                add += 1.0;
                flow.state |= REFUSED;
            }
            if flow.state & (ESTABLISHED | REFUSED) == ESTABLISHED | REFUSED
                && flow.client_bytes > 0
                && flow.server_bytes > 0
                && flow.short()
            {
                add += CONNECTION_WEIGHT;
            }
        }
        let login = flow.login;
        let (c, s, cm, sm, port) = if outbound {
            (k.src, k.dst, k.ms, k.md, p.dport)
        } else {
            (k.dst, k.src, k.md, k.ms, p.sport)
        };
        if add > 0.0 {
            // the count just brought up to date is the verdict's (no second look-up)
            let n = self
                .counts
                .touch((c, s, port), count_hash(cm, sm, port), now)
                .val
                .add(now, HALF_LIFE, add, &mut self.decay);
            if n < self.threshold {
                return None;
            }
            let until = now + HALF_LIFE * f64::from(n / self.threshold).log2();
            self.hot_until = self.hot_until.max(until);
            return Some(login);
        }
        self.verdict(c, s, cm, sm, port, login, now)
    }

    /// Remember `server`'s `port` (`sm`: the premix of the server's address) as SSH's: its
    /// server sent an `SSH-` banner from it.
    fn mark_ssh(&mut self, server: u128, sm: u64, port: u16, now: f64) {
        let i = usize::from(port);
        self.ssh_ports[i / 64] |= 1 << (i % 64);
        *self
            .ssh_servers
            .touch((server, port), server_hash(sm, port), now)
            .val = 1;
    }

    /// `login` if the count of (`client`, `server`, `port`) (the premixes of the addresses'
    /// keys `cm`, `sm`), decayed to `now`, is at the threshold.
    #[allow(clippy::too_many_arguments)]
    fn verdict(
        &mut self,
        client: u128,
        server: u128,
        cm: u64,
        sm: u64,
        port: u16,
        login: Login,
        now: f64,
    ) -> Option<Login> {
        if now > self.hot_until {
            return None;
        }
        let c = self
            .counts
            .get(&(client, server, port), count_hash(cm, sm, port))?;
        (c.value(now, HALF_LIFE, &mut self.decay) >= self.threshold).then_some(login)
    }

    /// Connections followed now (at most [`FLOWS`]).
    pub fn flows(&self) -> usize {
        self.flows.len()
    }
}

/// The hash of a connection's table entry, from the premixes of its client's and server's
/// addresses and its ports.
fn flow_hash(client: u64, server: u64, ports: u32) -> u64 {
    hash_mixed(hash_mixed(83 ^ u64::from(ports) << 8, client), server)
}

/// The hash of a (server, port) entry of the SSH servers found by their banners.
fn server_hash(server: u64, port: u16) -> u64 {
    hash_mixed(97 ^ u64::from(port) << 8, server)
}

/// The hash of a (client, server, port) count's table entry.
fn count_hash(client: u64, server: u64, port: u16) -> u64 {
    service_hash(89, client, server, port)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::tests::{ip, tcp};

    const C: &str = "198.18.0.66";
    const S: &str = "198.18.0.10";

    /// A segment with `len` bytes of data starting with `head`.
    fn data(ts: f64, from: &str, to: &str, sport: u16, dport: u16, len: u32) -> PacketRepr {
        PacketRepr {
            payload_len: len,
            ip_len: 52 + len as u16,
            head: *b"\x00\x00\x01\x2c",
            ..tcp(ts, from, to, sport, dport, 0x18)
        }
    }

    /// Whether any of `ps` was flagged, pushed in order (`opener`: the client's packets are
    /// known to be the opener's).
    fn push_all(r: &mut Guessing, ps: &[PacketRepr]) -> Vec<Option<Login>> {
        ps.iter().map(|p| r.push(p)).collect()
    }

    /// One connection from `C:sport` to `S:port` opened at `t`: handshake, both banners, then
    /// `rounds` requests of `req` bytes each answered `answer` seconds later with `ans`
    /// bytes, `gap` seconds apart, then closed by the client (FIN) and the server.
    #[allow(clippy::too_many_arguments)]
    fn connection(
        t: f64,
        sport: u16,
        port: u16,
        rounds: u32,
        (req, ans): (u32, u32),
        answer: f64,
        gap: f64,
    ) -> Vec<PacketRepr> {
        let mut v = vec![
            tcp(t, C, S, sport, port, 0x02),
            tcp(t + 1e-4, S, C, port, sport, 0x12),
            tcp(t + 2e-4, C, S, sport, port, 0x10),
            PacketRepr {
                head: *b"SSH-",
                ..data(t + 3e-4, C, S, sport, port, 30)
            },
            PacketRepr {
                head: *b"SSH-",
                ..data(t + 4e-4, S, C, port, sport, 40)
            },
        ];
        let mut at = t + 1e-3;
        for _ in 0..rounds {
            v.push(data(at, C, S, sport, port, req));
            v.push(data(at + answer, S, C, port, sport, ans));
            v.push(tcp(at + answer + 1e-4, C, S, sport, port, 0x10));
            at += answer + gap;
        }
        v.push(tcp(at, C, S, sport, port, 0x11));
        v.push(tcp(at + 1e-4, S, C, port, sport, 0x11));
        v.push(tcp(at + 2e-4, C, S, sport, port, 0x10));
        v
    }

    /// The `i`th connection of hydra against sshd with PAM on `port`, one every 14 s from 1 s:
    /// six passwords, each refused after 2 s.
    fn pam_guesses(i: u16, port: u16) -> Vec<PacketRepr> {
        connection(
            1.0 + 14.0 * f64::from(i),
            40000 + i,
            port,
            6,
            (100, 80),
            2.0,
            0.01,
        )
    }

    /// `ps` with the sizes of its data segments after the banners varied (16 bytes times the
    /// segment's number, modulo 5): no answer the same as the one before.
    fn varied(ps: Vec<PacketRepr>) -> Vec<PacketRepr> {
        let mut n = 0;
        ps.into_iter()
            .map(|p| {
                if p.payload_len == 0 || p.head == *b"SSH-" {
                    return p;
                }
                n += 1;
                PacketRepr {
                    payload_len: p.payload_len + 16 * (n % 5),
                    ..p
                }
            })
            .collect()
    }

    #[test]
    fn logins_that_succeed_at_a_scripts_pace_are_never_flagged() {
        // `ssh HOST true` in a loop, key authentication: 300 short connections in 90 s, each
        // answered at once and in sizes of its own, none refused
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut flagged = 0;
        for i in 0..300u16 {
            let ps = varied(connection(
                1.0 + 0.3 * f64::from(i),
                30000 + i,
                22,
                3,
                (100, 80),
                0.02,
                0.01,
            ));
            flagged += push_all(&mut r, &ps).iter().filter(|f| f.is_some()).count();
        }
        assert_eq!(flagged, 0);
    }

    #[test]
    fn a_sessions_own_repeated_requests_after_its_login_are_no_refusals() {
        // `scp` or `sftp` in a loop, key authentication: each connection's key exchange and
        // login (twelve answers, sizes of their own), then its file requests, 68 bytes each,
        // every answer 52 bytes; 200 connections in 40 s
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut flagged = 0;
        for i in 0..200u16 {
            let t = 1.0 + 0.2 * f64::from(i);
            let login = varied(connection(t, 30000 + i, 22, 12, (100, 80), 0.002, 0.001));
            let (close, mut ps) = (login[login.len() - 3..].to_vec(), login);
            ps.truncate(ps.len() - 3);
            let mut at = t + 0.1;
            for _ in 0..10 {
                ps.push(data(at, C, S, 30000 + i, 22, 68));
                ps.push(data(at + 0.001, S, C, 22, 30000 + i, 52));
                at += 0.002;
            }
            for (k, p) in close.into_iter().enumerate() {
                ps.push(PacketRepr {
                    ts: at + k as f64 * 1e-4,
                    ..p
                });
            }
            flagged += push_all(&mut r, &ps).iter().filter(|f| f.is_some()).count();
        }
        assert_eq!(flagged, 0);
    }

    #[test]
    fn a_guessing_client_crosses_the_threshold_and_names_the_service() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        // hydra against sshd with PAM: six passwords per connection, each refused after 2 s
        let mut flagged = Vec::new();
        for i in 0..6u16 {
            let ps = pam_guesses(i, 22);
            flagged.extend(push_all(&mut r, &ps));
        }
        // two connections bring 12 slow answers, less their decay (15% in 14 s): the
        // first flagged packet is a slow answer of the third, not its first
        let first = flagged.iter().position(|f| f.is_some()).unwrap();
        let per = flagged.len() / 6;
        assert!(
            first > 2 * per + 6 && first < 3 * per,
            "{first} of {}",
            flagged.len()
        );
        assert!(flagged[first..].iter().all(|f| *f == Some(Login::Ssh)));
        // the same against FTP
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut last = None;
        for i in 0..40u16 {
            let ps = connection(
                1.0 + 3.0 * f64::from(i),
                41000 + i,
                21,
                1,
                (20, 30),
                2.5,
                0.0,
            );
            last = push_all(&mut r, &ps).into_iter().last().flatten();
        }
        assert_eq!(last, Some(Login::Ftp));
        // turned off, never
        let mut off = Guessing::new(0.0);
        for i in 0..40u16 {
            let ps = connection(
                1.0 + 3.0 * f64::from(i),
                41000 + i,
                21,
                1,
                (20, 30),
                2.5,
                0.0,
            );
            assert!(push_all(&mut off, &ps).iter().all(Option::is_none));
        }
    }

    #[test]
    fn refusals_answered_at_once_count_when_they_repeat_the_answer_before() {
        // hydra -t 8 against an sshd without PAM (UsePAM no: a refused password is answered
        // in 0.1 to 0.3 s): eight connections at a time, six 84-byte password requests each,
        // every one refused with the same 52-byte answer after 0.1 s
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut flagged = Vec::new();
        for wave in 0..2u16 {
            let mut ps = Vec::new();
            for task in 0..8u16 {
                let t = 1.0 + 32.0 * f64::from(wave) + 0.001 * f64::from(task);
                ps.extend(connection(
                    t,
                    40000 + 8 * wave + task,
                    22,
                    6,
                    (84, 52),
                    0.1,
                    0.001,
                ));
            }
            ps.sort_by(|a, b| a.ts.total_cmp(&b.ts));
            flagged.extend(push_all(&mut r, &ps));
        }
        // eight repeated refusals per round of the first wave: its third round crosses 12
        // (no packet flagged before its second)
        let first = flagged.iter().position(|f| f.is_some()).unwrap();
        let wave = flagged.len() / 2;
        assert!(
            first > wave / 3 && first < wave,
            "{first} of {}",
            flagged.len()
        );
        assert_eq!(flagged.last(), Some(&Some(Login::Ssh)));
        // keystrokes echoed at once (36 bytes each way: no password's size), requests of
        // changing sizes answered alike, and one-line commands answered alike but each in a
        // connection of its own: never
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        for i in 0..60u16 {
            let t = 1.0 + 2.0 * f64::from(i);
            let typing = connection(t, 30000 + i, 22, 100, (36, 36), 0.002, 0.005);
            assert!(push_all(&mut r, &typing).iter().all(Option::is_none), "{i}");
        }
        for i in 0..60u16 {
            let t = 200.0 + 2.0 * f64::from(i);
            let mut ps = connection(t, 31000 + i, 22, 0, (0, 0), 0.0, 0.0);
            let close = ps.split_off(ps.len() - 3);
            for k in 0..10u32 {
                let at = t + 0.01 + 0.02 * f64::from(k);
                ps.push(data(at, C, S, 31000 + i, 22, 100 + 40 * k));
                ps.push(data(at + 0.005, S, C, 22, 31000 + i, 52));
            }
            ps.extend(close.into_iter().map(|p| PacketRepr {
                ts: p.ts + 0.5,
                ..p
            }));
            assert!(push_all(&mut r, &ps).iter().all(Option::is_none), "{i}");
            let once = connection(t + 1.0, 32000 + i, 22, 1, (120, 300), 0.01, 0.0);
            assert!(push_all(&mut r, &once).iter().all(Option::is_none), "{i}");
        }
    }

    #[test]
    fn once_the_guesser_stops_its_count_decays_and_a_login_later_is_normal() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        for i in 0..10u16 {
            let ps = pam_guesses(i, 22);
            push_all(&mut r, &ps);
        }
        // the count was about 60 at 141 s: below 20 about two half-lives later
        let late = connection(141.0 + 3.0 * HALF_LIFE, 50000, 22, 2, (100, 80), 0.01, 0.5);
        assert!(push_all(&mut r, &late).iter().all(Option::is_none));
    }

    #[test]
    fn an_ssh_server_on_another_port_is_known_by_its_banner_whichever_end_sends_first() {
        let mut seen = Vec::new();
        for client_first in [true, false] {
            let mut r = Guessing::new(DEFAULT_THRESHOLD);
            let mut flagged = 0;
            for i in 0..8u16 {
                let mut ps = pam_guesses(i, 2222);
                if !client_first {
                    ps.swap(3, 4);
                }
                flagged += push_all(&mut r, &ps)
                    .iter()
                    .filter(|f| **f == Some(Login::Ssh))
                    .count();
            }
            // from the fourth connection or so on, of eight
            assert!(flagged > 3 * 26, "client first {client_first}: {flagged}");
            seen.push(flagged);
        }
        assert_eq!(seen[0], seen[1]);
    }

    #[test]
    fn a_banner_makes_its_own_servers_port_ssh_and_no_other_servers() {
        // SSH on 443 of one server (sslh shares the port with HTTPS): the same guessing
        // against another server's 443, which never sent a banner, is not counted
        let other = "198.18.0.11";
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut flagged = [0, 0];
        for i in 0..8u16 {
            for (n, server) in [S, other].into_iter().enumerate() {
                let mut ps = pam_guesses(i, 443);
                for p in &mut ps {
                    if n == 1 {
                        if p.src == ip(S) {
                            p.src = ip(server);
                        }
                        if p.dst == ip(S) {
                            p.dst = ip(server);
                        }
                        // the other server's first words are no banner
                        if p.head == *b"SSH-" {
                            p.head = *b"HTTP";
                        }
                    }
                }
                flagged[n] += push_all(&mut r, &ps).iter().filter(|f| f.is_some()).count();
            }
        }
        assert!(flagged[0] > 3 * 26, "{flagged:?}");
        assert_eq!(flagged[1], 0, "{flagged:?}");
    }

    #[test]
    fn a_clients_banner_makes_no_port_ssh_until_its_server_answers_with_one() {
        // scanssh sends `SSH-1.0-SSH_Version_Mapper` to every port it probes; a web server on
        // 8080 answers it with an HTTP error. Then a client's slow answers with no banner on
        // 8080 (hydra's timing, heads "GET " and "HTTP") are no login's. The same probe to a
        // server that answers with its own `SSH-` banner makes that server's 8080 SSH's, and
        // the same connections to it are counted (the rule's own logic, so the first half
        // cannot pass by the connections alone counting nothing)
        let other = "198.18.0.11";
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut flagged = [0, 0];
        for (n, server) in [S, other].into_iter().enumerate() {
            let probe = [
                tcp(0.1, C, server, 50000, 8080, 0x02),
                tcp(0.1001, server, C, 8080, 50000, 0x12),
                tcp(0.1002, C, server, 50000, 8080, 0x10),
                PacketRepr {
                    head: *b"SSH-",
                    ..data(0.1003, C, server, 50000, 8080, 28)
                },
                PacketRepr {
                    head: if n == 0 { *b"HTTP" } else { *b"SSH-" },
                    ..data(0.1004, server, C, 8080, 50000, 150)
                },
                tcp(0.1005, server, C, 8080, 50000, 0x11),
                tcp(0.1006, C, server, 50000, 8080, 0x11),
            ];
            flagged[n] += push_all(&mut r, &probe)
                .iter()
                .filter(|f| f.is_some())
                .count();
            for i in 0..8u16 {
                let mut ps = pam_guesses(i, 8080);
                for p in &mut ps {
                    if p.src == ip(S) {
                        p.src = ip(server);
                    }
                    if p.dst == ip(S) {
                        p.dst = ip(server);
                    }
                    if p.head == *b"SSH-" {
                        p.head = if p.sport == 8080 { *b"HTTP" } else { *b"GET " };
                    }
                }
                flagged[n] += push_all(&mut r, &ps).iter().filter(|f| f.is_some()).count();
            }
        }
        assert_eq!(flagged[0], 0, "{flagged:?}");
        assert!(flagged[1] > 3 * 26, "{flagged:?}");
    }

    #[test]
    fn normal_use_of_login_services_is_never_flagged() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut t = 1.0;
        // an admin running ten ssh commands in a minute, answered at once (a session's
        // messages, each of its own size)
        for i in 0..10u16 {
            let ps = varied(connection(
                t + 6.0 * f64::from(i),
                30000 + i,
                22,
                12,
                (300, 280),
                0.005,
                0.01,
            ));
            assert!(
                push_all(&mut r, &ps).iter().all(Option::is_none),
                "command {i}"
            );
        }
        t += 61.0;
        // an interactive session of ten minutes: a keystroke a second echoed at once, and a
        // command every ten seconds whose output comes after 3 s
        let mut ps = connection(t, 31000, 22, 0, (0, 0), 0.0, 0.0);
        let close = ps.split_off(ps.len() - 3);
        for k in 0..600 {
            let at = t + 1.0 + f64::from(k);
            let answer = if k % 10 == 9 { 3.0 } else { 0.01 };
            ps.push(data(at, C, S, 31000, 22, 36));
            ps.push(data(
                at + answer,
                S,
                C,
                22,
                31000,
                36 + 200 * u32::from(answer > 1.0),
            ));
        }
        ps.extend(close.into_iter().map(|p| PacketRepr {
            ts: p.ts + t + 700.0,
            ..p
        }));
        ps.sort_by(|a, b| a.ts.total_cmp(&b.ts));
        assert!(push_all(&mut r, &ps).iter().all(Option::is_none));
        t += 800.0;
        // an ansible-like loop: 60 sessions, each logging in, uploading a module (40 kB in
        // a stream of segments) and running it (a slow answer: the command runs), a second
        // apart
        for i in 0..60u16 {
            let mut ps = varied(connection(
                t + 1.0 * f64::from(i),
                32000 + i,
                22,
                6,
                (300, 280),
                0.005,
                0.0,
            ));
            let close = ps.split_off(ps.len() - 3);
            let mut at = ps.last().map_or(t, |p| p.ts) + 0.01;
            for _ in 0..30 {
                ps.push(data(at, C, S, 32000 + i, 22, 1400));
                at += 1e-4;
            }
            ps.push(data(at + 1.5, S, C, 22, 32000 + i, 900));
            ps.extend(close.into_iter().map(|p| PacketRepr {
                ts: p.ts + 2.0,
                ..p
            }));
            assert!(
                push_all(&mut r, &ps).iter().all(Option::is_none),
                "session {i}"
            );
        }
        t += 100.0;
        // an FTP client downloading files: a control connection per file, its answers at once
        for i in 0..60u16 {
            let ps = connection(
                t + 1.0 * f64::from(i),
                33000 + i,
                21,
                6,
                (20, 60),
                0.002,
                0.0,
            );
            assert!(
                push_all(&mut r, &ps).iter().all(Option::is_none),
                "download {i}"
            );
        }
        // (the short connections alone, 60 a minute at a tenth each, would settle at
        // 1/s × 0.1 × 60 s / ln 2 ≈ 8.7, under the threshold)
    }

    #[test]
    fn transfers_refused_connections_and_other_ports_never_count() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        // scp sessions of 100 kB each, the server slow to answer after each 10 kB chunk
        for i in 0..40u16 {
            let ps = connection(
                1.0 + 3.0 * f64::from(i),
                30000 + i,
                22,
                10,
                (10_000, 40),
                1.5,
                0.0,
            );
            assert!(
                push_all(&mut r, &ps).iter().all(Option::is_none),
                "transfer {i}"
            );
        }
        // a thousand connections refused (SYN, RST+ACK) and a thousand never answered
        for i in 0..1000u16 {
            let t = 200.0 + f64::from(i) * 0.01;
            assert_eq!(r.push(&tcp(t, C, S, 20000 + i, 22, 0x02)), None);
            assert_eq!(r.push(&tcp(t + 1e-4, S, C, 22, 20000 + i, 0x14)), None);
            assert_eq!(r.push(&tcp(t + 5e-3, C, S, 30000 + i, 21, 0x02)), None);
        }
        // the guesser's pattern against a port that is no login service (and sends no SSH
        // banner)
        for i in 0..40u16 {
            let ps: Vec<PacketRepr> = connection(
                300.0 + 14.0 * f64::from(i),
                40000 + i,
                8080,
                6,
                (100, 80),
                2.0,
                0.01,
            )
            .into_iter()
            .map(|p| PacketRepr { head: [0; 4], ..p })
            .collect();
            assert!(
                push_all(&mut r, &ps).iter().all(Option::is_none),
                "port 8080, {i}"
            );
        }
        // the transfers and the refused connections followed; port 8080 not at all
        assert_eq!(r.flows(), 40 + 2000);
    }

    /// A segment of `len` bytes from `from` that is one whole NetBIOS session message.
    fn smb(ts: f64, from: &str, to: &str, (sport, dport): (u16, u16), len: u32) -> PacketRepr {
        PacketRepr {
            head: (len - 4).to_be_bytes(),
            ..data(ts, from, to, sport, dport, len)
        }
    }

    /// One SMB connection from `C:sport` to `S:445` at `t`: handshake, then the client's
    /// requests and the server's answers of the sizes in `exchanges` (each answered 8 ms
    /// later), then closed by the client.
    fn smb_connection(t: f64, sport: u16, exchanges: &[(u32, u32)]) -> Vec<PacketRepr> {
        let p = (sport, 445);
        let b = (445, sport);
        let mut v = vec![
            tcp(t, C, S, sport, 445, 0x02),
            tcp(t + 1e-4, S, C, 445, sport, 0x12),
            tcp(t + 2e-4, C, S, sport, 445, 0x10),
        ];
        let mut at = t + 1e-3;
        for &(req, ans) in exchanges {
            v.push(smb(at, C, S, p, req));
            v.push(smb(at + 8e-3, S, C, b, ans));
            v.push(tcp(at + 9e-3, C, S, sport, 445, 0x10));
            at += 0.01;
        }
        v.push(tcp(at, C, S, sport, 445, 0x11));
        v.push(tcp(at + 1e-4, S, C, 445, sport, 0x11));
        v.push(tcp(at + 2e-4, C, S, sport, 445, 0x10));
        v
    }

    #[test]
    fn smb_errors_are_known_by_their_netbios_length() {
        let p = |len: u32, head: [u8; 4]| PacketRepr {
            head,
            ..data(1.0, S, C, 445, 40000, len)
        };
        assert!(smb_error(&p(39, [0, 0, 0, 35])));
        assert!(smb_error(&p(77, [0, 0, 0, 73])));
        // another message type (a session keepalive is type 0x85), or a segment that holds
        // more than one message, or only the start of a longer one
        assert!(!smb_error(&p(39, [0x85, 0, 0, 35])));
        assert!(!smb_error(&p(78, [0, 0, 0, 73])));
        assert!(!smb_error(&p(39, [0, 0, 1, 35])));
        // other answers: a negotiate, a challenge, a logoff (72), SMB1's logoff (43)
        for len in [111, 241, 288, 72, 43, 85] {
            assert!(!smb_error(&p(len, (len - 4).to_be_bytes())), "{len}");
        }
    }

    #[test]
    fn smb_logins_refused_and_given_up_at_once_are_guessing_from_the_twelfth() {
        // hydra's smb module as in lab/office.sh: SMB1, a connection per password, the
        // negotiate (194 → 111), the session setup (154 → an error of 39 bytes), FIN;
        // a connection every 80 ms
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let mut first = None;
        for i in 0..50u16 {
            let ps = smb_connection(
                1.0 + 0.08 * f64::from(i),
                40000 + i,
                &[(194, 111), (154, 39)],
            );
            if push_all(&mut r, &ps).contains(&Some(Login::Smb)) && first.is_none() {
                first = Some(i);
            }
        }
        // 1.1 a connection (the refusal, and the short connection it makes): the 11th
        // reaches 12.1 at its close, and the next connection is flagged from its SYN
        assert_eq!(first, Some(10));
        // SMB2 with NTLMSSP after a multi-protocol negotiate: the refusal (77 bytes) is the
        // fourth answer
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        let login = [(234, 288), (180, 300), (166, 241), (512, 77)];
        let flagged = (0..20u16)
            .filter(|&i| {
                let ps = smb_connection(1.0 + 0.1 * f64::from(i), 40000 + i, &login);
                push_all(&mut r, &ps).contains(&Some(Login::Smb))
            })
            .count();
        assert_eq!(flagged, 10);
    }

    #[test]
    fn smb_errors_that_a_session_goes_on_after_or_that_come_late_are_no_refusals() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        for i in 0..200u16 {
            let t = 1.0 + 0.1 * f64::from(i);
            let sessions: [&[(u32, u32)]; 5] = [
                // smbclient with a Kerberos ticket the server cannot take: a 77-byte error,
                // then NTLM on the same connection, then a directory listing
                &[
                    (234, 288),
                    (166, 241),
                    (258, 77),
                    (166, 241),
                    (512, 105),
                    (112, 84),
                ],
                // a listing ended by STATUS_NO_MORE_FILES (an error of 77 bytes), then closed
                &[(234, 288), (166, 241), (512, 105), (112, 84), (120, 77)],
                // SMB1: a session, a tree connect, its tree disconnect (a 39-byte request
                // answered in 39 bytes: no password's size), closed
                &[(194, 111), (154, 126), (90, 60), (39, 39)],
                // a refusal to a request too short to carry a password
                &[(194, 111), (60, 39)],
                // an error as the first answer (a negotiate refused), then closed
                &[(194, 39)],
            ];
            let ps = smb_connection(t, 40000 + i, sessions[usize::from(i) % 5]);
            assert!(push_all(&mut r, &ps).iter().all(Option::is_none), "{i}");
        }
        // a refused login that the server closes while the client had more to say: counted
        // only once the client has said nothing since the error
        let mut ps = smb_connection(30.0, 50000, &[(194, 111), (154, 39)]);
        ps.insert(ps.len() - 3, smb(30.0205, C, S, (50000, 445), 154));
        assert!(push_all(&mut r, &ps).iter().all(Option::is_none));
        // and port 139 (NetBIOS session service) is not followed
        let ps: Vec<PacketRepr> = smb_connection(40.0, 50001, &[(194, 111), (154, 39)])
            .into_iter()
            .map(|p| PacketRepr {
                sport: if p.sport == 445 { 139 } else { p.sport },
                dport: if p.dport == 445 { 139 } else { p.dport },
                ..p
            })
            .collect();
        assert!(push_all(&mut r, &ps).iter().all(Option::is_none));
        assert_eq!(r.counts.len(), 0);
    }

    #[test]
    fn its_memory_is_bounded_whatever_the_connections() {
        let mut r = Guessing::new(DEFAULT_THRESHOLD);
        for i in 0..100_000u32 {
            let src = format!("198.19.{}.{}", i / 250 % 250, i % 250);
            let t = 1.0 + f64::from(i) * 1e-4;
            r.push(&tcp(t, &src, S, 40000, 22, 0x02));
            r.push(&tcp(t + 5e-5, S, &src, 22, 40000, 0x04));
        }
        assert!(r.flows() <= FLOWS, "{}", r.flows());
        assert!(r.counts.len() <= CAPACITY);
    }

    #[test]
    fn login_services_are_known_by_their_iana_ports() {
        // IANA Service Name and Transport Protocol Port Number Registry
        for (port, login, name) in [
            (22, Login::Ssh, "SSH"),
            (21, Login::Ftp, "FTP"),
            (23, Login::Telnet, "Telnet"),
            (587, Login::Smtp, "SMTP"),
            (465, Login::Smtp, "SMTP"),
            (110, Login::Pop3, "POP3"),
            (995, Login::Pop3, "POP3"),
            (143, Login::Imap, "IMAP"),
            (993, Login::Imap, "IMAP"),
            (445, Login::Smb, "SMB"),
            (3389, Login::Rdp, "RDP"),
            (5900, Login::Vnc, "VNC"),
        ] {
            assert_eq!(Login::of_port(port), Some(login), "{port}");
            assert_eq!(login.name(), name);
        }
        for port in [0, 25, 53, 80, 389, 443, 1433, 2222, 3306, 5432, 8080] {
            assert_eq!(Login::of_port(port), None, "{port}");
        }
    }
}
