//! End-to-end test of `nightjar ids detect` on an idle scan written out of order by a sensor
//! whose NIC drains its receive queues unevenly, driving the real binary with the built-in
//! models on the committed capture `idlelag` (`data/captures/SOURCE.md`, "nmap's idle scan
//! written by a NIC's queues drained late"; made by `lab/impair.py`, seeded): the committed
//! `idlescan` capture rewritten as four NIC queues by direction, each queue's packets written
//! late by up to 500 µs (seed 2, `lab/jitter.sh`'s `lag500`).
//!
//! The idle scan's target (198.18.0.10) answers the SYNs forged from the zombie (198.18.0.40)
//! in bursts of 30 to 40 resets and SYN-ACKs within 20 µs, here written some 250–400 µs before
//! the SYNs. Each opens its flow as an answer, and the flow goes back to the request's sender
//! when the request follows within 1 ms (`WindowState::answered_late`). The build before
//! (main f7f13c6) remembered those flows in a direct-mapped table of 256: two of a burst
//! sharing a slot, the first one's request found the other flow there, that flow stayed the
//! target's for good, and every later forged SYN to its port (nmap probes each port several
//! times) was charged to the target: a false alert "other-attack (TCP SYN+ACK probes) from
//! 198.18.0.10 against 198.18.0.40" (24 packets), 99 answers given back. Now the table is in
//! sets of four ways (a flow remembered more than 1 ms ago gives its way up): 102, every one
//! whose request follows within 1 ms, and no false alert.
//!
//! Known answers from tcpdump 4.99 (an independent decoder) on the capture: 2,805 frames, 18 of
//! them ARP; `'src host 198.18.0.10 and dst host 198.18.0.40 and (tcp[13]==0x14 or
//! tcp[13]==0x12)'` 866 resets with ACK and SYN-ACKs of the target to the zombie;
//! `'src host 198.18.0.40 and dst host 198.18.0.10 and tcp[13]==0x02'` 854 forged SYNs. The
//! test checks its own reading of the frames against them.

mod common;
use common::*;

#[test]
fn a_burst_of_answers_written_before_the_forged_syns_is_the_zombies() {
    let bytes = std::fs::read(cap("idlelag.pcap")).unwrap();
    assert_eq!(pcap_records(&bytes).len(), 2805);
    let between = |src: [u8; 4], dst: [u8; 4], flags: &'static [u8]| {
        count_ipv4(&bytes, move |ip, ihl| {
            ip.get(9) == Some(&6)
                && ip.get(12..16) == Some(&src[..])
                && ip.get(16..20) == Some(&dst[..])
                && ip.get(ihl + 13).is_some_and(|f| flags.contains(f))
        })
    };
    let (target, zombie) = ([198, 18, 0, 10], [198, 18, 0, 40]);
    assert_eq!(between(target, zombie, &[0x14, 0x12]), 866);
    assert_eq!(between(zombie, target, &[0x02]), 854);
    let eps = episodes("idlelag");
    assert_eq!(eps.len(), 6);
    for extra in [&[][..], &["--threads", "1"]] {
        let j = detect_json_with("idlelag", extra);
        let what = format!("{extra:?}: ");
        assert_eq!(j["records"], 2805);
        assert_eq!(j["arp"], 18);
        assert_eq!(j["undecoded"], 0);
        assert_all_alerted_right(&what, &j, &eps);
        for a in j["alerts"].as_array().unwrap() {
            assert_ne!(a["src_ip"], "198.18.0.10", "{what}{}", show(a));
        }
        assert_eq!(j["answers_before_requests"], 102, "{what}");
    }
}
