//! The first-order Reed–Muller code RM(1, m), also called the augmented (biorthogonal) Hadamard
//! code: `2^m`-bit codewords carrying `m + 1` bits, minimum distance `2^(m−1)`. It is the inner
//! code of Hao, Anderson and Daugman's iris key binding (there with m = 6: 64-bit blocks, 7 bits,
//! correcting up to 25 % bit errors per block).
//!
//! **Encoding.** A symbol `v < 2^(m+1)` is split into its top bit `a0 = v >> m` and its low bits
//! `u = v mod 2^m`; codeword bit `x` (for `0 ≤ x < 2^m`) is `a0 ⊕ parity(u AND x)`. The
//! codewords are the rows of the Sylvester–Hadamard matrix `H_{2^m}` and their complements
//! (with 0 ↔ +1, 1 ↔ −1).
//!
//! **Decoding** is maximum-likelihood by the fast Hadamard transform on soft values: each
//! received bit becomes +1 (a 0), −1 (a 1) or 0 (an erasure: a bit that is not usable, such as
//! an iris bit hidden by an eyelid). The transform gives the correlation `F(u)` of the received
//! word with every Hadamard row in `m·2^m` additions; the decoded symbol is the row with the
//! largest `|F(u)|` and `a0 = 1` when `F(u) < 0`. With `e` errors and `f` erasures the correct
//! symbol wins whenever `2e + f < 2^(m−1)`; the **margin** `|F(best)| − max_{u'≠u}|F(u')|`
//! (0 for a tie) measures how reliable the decision is, which the outer Reed–Solomon decoder
//! uses to choose erasures.

/// Smallest supported `m`.
pub const MIN_M: u32 = 3;
/// Largest supported `m`.
pub const MAX_M: u32 = 9;

/// A soft received bit: +1 for a 0, −1 for a 1, 0 for an erasure.
pub type Soft = i32;

/// The result of decoding one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RmDecoded {
    /// The decoded symbol, `m + 1` bits.
    pub symbol: u16,
    /// `|F(best)| − max over other rows |F|`: 0 means a tie (the symbol is a guess).
    pub margin: u32,
    /// `|F(best)|`: unerased bits minus twice the disagreements with the decoded codeword.
    pub correlation: u32,
}

/// Codeword bit `x` of symbol `v` in RM(1, m).
#[inline]
pub fn bit(m: u32, v: u16, x: usize) -> bool {
    let a0 = (v >> m) & 1 == 1;
    let u = usize::from(v) & ((1usize << m) - 1);
    a0 ^ ((u & x).count_ones() & 1 == 1)
}

/// The `2^m` codeword bits of symbol `v` (`v < 2^(m+1)`; higher bits are ignored).
pub fn encode(m: u32, v: u16) -> Vec<bool> {
    (0..1usize << m).map(|x| bit(m, v, x)).collect()
}

/// In-place fast Walsh–Hadamard transform (natural order): `y[u] ← Σ_x y[x]·(−1)^{u·x}`.
pub fn fht(y: &mut [Soft]) {
    let n = y.len();
    let mut h = 1;
    if n >= 8 && n % 8 == 0 {
        // The first three stages as one unrolled 8-point transform per group of 8.
        for g in y.chunks_exact_mut(8) {
            let (a0, a1) = (g[0] + g[1], g[0] - g[1]);
            let (a2, a3) = (g[2] + g[3], g[2] - g[3]);
            let (a4, a5) = (g[4] + g[5], g[4] - g[5]);
            let (a6, a7) = (g[6] + g[7], g[6] - g[7]);
            let (b0, b2) = (a0 + a2, a0 - a2);
            let (b1, b3) = (a1 + a3, a1 - a3);
            let (b4, b6) = (a4 + a6, a4 - a6);
            let (b5, b7) = (a5 + a7, a5 - a7);
            g[0] = b0 + b4;
            g[4] = b0 - b4;
            g[1] = b1 + b5;
            g[5] = b1 - b5;
            g[2] = b2 + b6;
            g[6] = b2 - b6;
            g[3] = b3 + b7;
            g[7] = b3 - b7;
        }
        h = 8;
    }
    while h < n {
        for pair in y.chunks_exact_mut(2 * h) {
            let (lo, hi) = pair.split_at_mut(h);
            for (a, b) in lo.iter_mut().zip(hi.iter_mut()) {
                let (x, z) = (*a, *b);
                *a = x + z;
                *b = x - z;
            }
        }
        h *= 2;
    }
}

/// Maximum-likelihood decoding of one block of `2^m` soft bits (the slice is used as scratch
/// space and overwritten). `soft.len()` must be a power of two `2^m` with
/// `MIN_M ≤ m ≤ MAX_M`; returns `None` otherwise.
pub fn decode(soft: &mut [Soft]) -> Option<RmDecoded> {
    let n = soft.len();
    if !n.is_power_of_two() {
        return None;
    }
    let m = n.trailing_zeros();
    if !(MIN_M..=MAX_M).contains(&m) {
        return None;
    }
    fht(soft);
    // The largest |F(u)| (first on ties), then the largest among the others.
    let mut best = 0usize;
    let mut best_abs = 0u32;
    for (u, &f) in soft.iter().enumerate() {
        let a = f.unsigned_abs();
        if a > best_abs {
            best_abs = a;
            best = u;
        }
    }
    let second = soft
        .iter()
        .enumerate()
        .filter(|&(u, _)| u != best)
        .map(|(_, f)| f.unsigned_abs())
        .max()
        .unwrap_or(0);
    let a0 = u16::from(soft[best] < 0);
    Some(RmDecoded {
        symbol: (a0 << m) | best as u16,
        margin: best_abs - second,
        correlation: best_abs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn soft_of(bits: &[bool]) -> Vec<Soft> {
        bits.iter().map(|&b| if b { -1 } else { 1 }).collect()
    }

    #[test]
    fn hadamard_rows_are_the_codewords() {
        // m = 2 by hand: u = 0b01 → parity(x & 1) over x = 0..3 → 0 1 0 1; with a0 → 1 0 1 0.
        assert_eq!(encode(2, 0b001), vec![false, true, false, true]);
        assert_eq!(encode(2, 0b101), vec![true, false, true, false]);
        assert_eq!(encode(2, 0b011), vec![false, true, true, false]);
        // The code is linear with minimum distance 2^(m−1).
        let m = 5;
        for a in 0..64u16 {
            for b in 0..64u16 {
                let d = encode(m, a)
                    .iter()
                    .zip(encode(m, b))
                    .filter(|(x, y)| **x != *y)
                    .count();
                match (a == b, a ^ b == 1 << m) {
                    (true, _) => assert_eq!(d, 0),
                    (false, true) => assert_eq!(d, 32),
                    (false, false) => assert_eq!(d, 16),
                }
            }
        }
    }

    #[test]
    fn clean_blocks_decode_with_full_correlation() {
        for m in MIN_M..=MAX_M {
            for v in [0u16, 1, 5, (1 << (m + 1)) - 1] {
                let mut s = soft_of(&encode(m, v));
                let d = decode(&mut s).unwrap();
                assert_eq!(d.symbol, v);
                assert_eq!(d.correlation, 1 << m);
            }
        }
    }

    #[test]
    fn fast_transform_matches_its_definition() {
        for n in [2usize, 4, 8, 16, 64, 128] {
            let y: Vec<Soft> = (0..n).map(|i| ((i * 37 + 11) % 7) as i32 - 3).collect();
            let mut fast = y.clone();
            fht(&mut fast);
            for (u, &f) in fast.iter().enumerate() {
                let direct: i32 = (0..n)
                    .map(|x| {
                        if (u & x).count_ones() % 2 == 0 {
                            y[x]
                        } else {
                            -y[x]
                        }
                    })
                    .sum();
                assert_eq!(f, direct, "n={n} u={u}");
            }
        }
    }

    #[test]
    fn rejects_lengths_that_are_not_supported_powers_of_two() {
        assert!(decode(&mut [1; 48]).is_none());
        assert!(decode(&mut [1; 4]).is_none());
        assert!(decode(&mut [1; 1024]).is_none());
    }
}
