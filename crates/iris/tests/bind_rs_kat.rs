//! Known-answer tests of the Reed–Solomon and Reed–Muller codes used by key binding.
//!
//! Every vector below was published by someone else; the source of each is named beside it.
//! All of them use the conventions of `nightjar_iris::ecc::rs`: primitive polynomial as listed,
//! generator roots α^0, α^1, …, systematic encoding with the message first.

use nightjar_iris::ecc::rm;
use nightjar_iris::ecc::{ReedSolomon, RsError};

/// RS over GF(2^8) mod x^8+x^4+x^3+x^2+1 (0x11D) with `nsym` parity bytes, as in QR codes.
fn qr_parity(data: &[u16], nsym: usize) -> Vec<u16> {
    let rs = ReedSolomon::new(8, data.len() + nsym, data.len()).unwrap();
    rs.encode(data).unwrap()[data.len()..].to_vec()
}

fn hex(s: &str) -> Vec<u16> {
    s.split_whitespace()
        .map(|b| u16::from_str_radix(b, 16).unwrap())
        .collect()
}

/// ISO/IEC 18004:2000 (QR code), Annex I "Symbol encoding example": "01234567" as a 1-M symbol,
/// data codewords `10 20 0C 56 61 80 EC 11 EC 11 EC 11 EC 11 EC 11`, error correction codewords
/// `A5 24 D4 C1 ED 36 C7 87 2C 55`.
#[test]
fn iso_18004_annex_i_1m_example() {
    let data = hex("10 20 0C 56 61 80 EC 11 EC 11 EC 11 EC 11 EC 11");
    assert_eq!(qr_parity(&data, 10), hex("A5 24 D4 C1 ED 36 C7 87 2C 55"));
}

/// Wikiversity, "Reed–Solomon codes for coders", §4.2 "RS encoding" (the "hello world" 1-M QR
/// message): `40 d2 75 47 76 17 32 06 27 26 96 c6 c6 96 70 ec` gives the ten ECC bytes
/// `bc 2a 90 13 6b af ef fd 4b e0`; §4.2.3: the generator polynomial for 10 ECC symbols is
/// `01 d8 c2 9f 6f c7 5e 5f 71 9d c1`.
#[test]
fn wikiversity_hello_world_example() {
    let data = hex("40 d2 75 47 76 17 32 06 27 26 96 c6 c6 96 70 ec");
    assert_eq!(qr_parity(&data, 10), hex("bc 2a 90 13 6b af ef fd 4b e0"));
    let rs = ReedSolomon::new(8, 26, 16).unwrap();
    assert_eq!(rs.generator(), &hex("01 d8 c2 9f 6f c7 5e 5f 71 9d c1")[..]);

    // §4.3 "RS decoding", "wrapping up with an example": the first byte damaged (set to 0),
    // then decoded back; and the same with erasures at known positions.
    let mut cw = data.clone();
    cw.extend(hex("bc 2a 90 13 6b af ef fd 4b e0"));
    let mut damaged = cw.clone();
    damaged[0] = 0;
    assert_eq!(rs.decode(&damaged, &[]).unwrap().codeword, cw);
    let mut erased = cw.clone();
    for p in [0usize, 1, 2, 3, 4, 5, 6, 7, 8, 9] {
        erased[p] = 0;
    }
    let all: Vec<usize> = (0..10).collect();
    assert_eq!(rs.decode(&erased, &all).unwrap().codeword, cw);
}

/// Thonky.com QR code tutorial, "Error correction coding" (worked example "HELLO WORLD", 1-M):
/// data codewords 32 91 11 120 209 114 220 77 67 64 236 17 236 17 236 17, error correction
/// codewords 196 35 39 119 235 215 231 226 93 23; and the same text as 1-Q (13 data codewords,
/// 13 EC codewords 168 72 22 82 217 54 156 0 46 15 180 122 16).
#[test]
fn thonky_hello_world_1m_and_1q() {
    let m = [
        32u16, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17,
    ];
    assert_eq!(
        qr_parity(&m, 10),
        vec![196, 35, 39, 119, 235, 215, 231, 226, 93, 23]
    );
    let q = hex("20 5b 0b 78 d1 72 dc 4d 43 40 ec 11 ec");
    assert_eq!(
        qr_parity(&q, 13),
        vec![168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16]
    );

    // Five symbol errors (the most RS(26,16) corrects) in the published 1-M codeword:
    // 32→33, 209→219, 114→144, 235→251, 23→92.
    let mut cw = m.to_vec();
    cw.extend([196, 35, 39, 119, 235, 215, 231, 226, 93, 23]);
    let bad = [
        33u16, 91, 11, 120, 219, 144, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17, 196, 35, 39, 119,
        251, 215, 231, 226, 93, 92,
    ];
    let rs = ReedSolomon::new(8, 26, 16).unwrap();
    let d = rs.decode(&bad, &[]).unwrap();
    assert_eq!(d.codeword, cw);
    assert_eq!(d.errors, 5);
}

/// BBC R&D White Paper WHP 031, C.K.P. Clarke, "Reed-Solomon error correction" (2002), §2 and
/// §3 worked example: RS(15,11) over GF(16) with field generator x^4 + x + 1; the code generator
/// polynomial is g(x) = x^4 + 15x^3 + 3x^2 + x + 12, and the message 1, 2, …, 11 has check
/// symbols 3, 3, 12, 12. The decoding example corrupts two symbols (6th → 11, 13th → 1).
#[test]
fn bbc_whp031_rs_15_11_example() {
    let rs = ReedSolomon::new(4, 15, 11).unwrap();
    assert_eq!(rs.generator(), &[1, 15, 3, 1, 12]);
    let msg: Vec<u16> = (1..=11).collect();
    let cw = rs.encode(&msg).unwrap();
    assert_eq!(&cw[11..], &[3, 3, 12, 12]);
    let bad = [1u16, 2, 3, 4, 5, 11, 7, 8, 9, 10, 11, 3, 1, 12, 12];
    let d = rs.decode(&bad, &[]).unwrap();
    assert_eq!(d.codeword, cw);
    assert_eq!(d.errors, 2);
}

/// The DVB-T outer code (ETSI EN 300 744 §4.3.2: RS(255,239), shortened to RS(204,188), field
/// generator x^8+x^4+x^3+x^2+1, code generator roots λ^0 … λ^15). The parity of the message
/// 1, 2, …, 239 as published in the test suite of Ahmet Inan's `aicodix/code` library
/// (tests/reed_solomon_encoder_test.cc, "DVB-T RS(255, 239) T=8").
#[test]
fn dvb_t_rs_255_239_parity() {
    let rs = ReedSolomon::new(8, 255, 239).unwrap();
    let msg: Vec<u16> = (1..=239).collect();
    let cw = rs.encode(&msg).unwrap();
    assert_eq!(
        &cw[239..],
        &[1, 126, 147, 48, 155, 224, 3, 157, 29, 226, 40, 114, 61, 30, 244, 75]
    );
    // Eight errors at unknown positions are corrected; a ninth is too many for t = 8.
    let mut bad = cw.clone();
    for (j, p) in [0usize, 17, 40, 99, 128, 200, 238, 254].iter().enumerate() {
        bad[*p] ^= 1 + j as u16;
    }
    assert_eq!(rs.decode(&bad, &[]).unwrap().codeword, cw);
    bad[150] ^= 0x55;
    match rs.decode(&bad, &[]) {
        Err(RsError::Uncorrectable) => {}
        Ok(d) => assert_ne!(d.codeword, cw, "nine errors cannot decode to the sent word"),
        Err(e) => panic!("{e:?}"),
    }
}

/// Reed–Muller RS(1,m) / augmented Hadamard decoding: every pattern of `e` errors and `f`
/// erasures with `2e + f < 2^(m−1)` (the minimum distance) is corrected — checked exhaustively
/// over all 2^(m+1) symbols for the worst case the bound allows, with the errors placed where
/// they hurt most (on bits where the sent codeword differs from another codeword).
#[test]
fn reed_muller_corrects_up_to_its_bound() {
    for m in [5u32, 6, 7] {
        let n = 1usize << m;
        let d = n / 2;
        for v in 0..(1u16 << (m + 1)) {
            let sent = rm::encode(m, v);
            // The nearest competitor: flip the lowest Hadamard row bit (u ^ 1).
            let rival = rm::encode(m, v ^ 1);
            let differ: Vec<usize> = (0..n).filter(|&x| sent[x] != rival[x]).collect();
            assert_eq!(differ.len(), d);
            for f in [0usize, 1, 2, 7, d - 1] {
                let e = (d - 1 - f) / 2; // largest e with 2e + f < d
                let mut soft: Vec<i32> = sent.iter().map(|&b| if b { -1 } else { 1 }).collect();
                for &x in &differ[..e] {
                    soft[x] = -soft[x];
                }
                for &x in &differ[e..e + f] {
                    soft[x] = 0;
                }
                let got = rm::decode(&mut soft).unwrap();
                assert_eq!(got.symbol, v, "m={m} v={v} e={e} f={f}");
                assert!(got.margin > 0);
            }
        }
    }
}

/// …and beyond the bound maximum-likelihood decoding must pick the nearer wrong codeword:
/// d/2 errors on the differing bits make a tie (margin 0); d/2 + 1 make the rival win.
#[test]
fn reed_muller_fails_beyond_its_bound() {
    for m in [5u32, 6, 7] {
        let n = 1usize << m;
        let d = n / 2;
        for v in [0u16, 3, (1 << (m + 1)) - 2] {
            let sent = rm::encode(m, v);
            let rival_symbol = v ^ 1;
            let rival = rm::encode(m, rival_symbol);
            let differ: Vec<usize> = (0..n).filter(|&x| sent[x] != rival[x]).collect();
            let base: Vec<i32> = sent.iter().map(|&b| if b { -1 } else { 1 }).collect();

            let mut tie = base.clone();
            for &x in &differ[..d / 2] {
                tie[x] = -tie[x];
            }
            assert_eq!(rm::decode(&mut tie).unwrap().margin, 0, "m={m} v={v}");

            let mut over = base.clone();
            for &x in &differ[..d / 2 + 1] {
                over[x] = -over[x];
            }
            assert_eq!(rm::decode(&mut over).unwrap().symbol, rival_symbol);

            // The same with erasures: f erasures and e errors with 2e + f = d + 1 > d.
            let mut mixed = base.clone();
            let e = d / 4 + 1;
            let f = d + 1 - 2 * e;
            for &x in &differ[..e] {
                mixed[x] = -mixed[x];
            }
            for &x in &differ[e..e + f] {
                mixed[x] = 0;
            }
            // The remaining d − e − f differing bits favour the sent word, e favour the rival,
            // which is now strictly nearer.
            let r = rm::decode(&mut mixed).unwrap();
            assert_eq!(r.symbol, rival_symbol, "m={m} v={v}");
        }
    }
}
