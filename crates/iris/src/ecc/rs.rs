//! Reed–Solomon codes over GF(2^s): a systematic encoder and an errors-and-erasures decoder
//! (Berlekamp–Massey initialised with the erasure locator, Chien search, Forney's formula).
//!
//! Conventions (the same as QR codes, ISO/IEC 18004, and the Wikiversity article "Reed–Solomon
//! codes for coders"): the generator polynomial is `g(x) = (x − α^0)(x − α^1)…(x − α^(n−k−1))`
//! (first consecutive root α^0); a codeword of length `n` is a polynomial whose coefficients are
//! listed from the **highest power down**, so array index `i` holds the coefficient of
//! `x^(n−1−i)`; encoding is systematic: the `k` message symbols come first, then the `n − k`
//! parity symbols (the remainder of `m(x)·x^(n−k)` divided by `g(x)`). Codes shorter than
//! `2^s − 1` are shortened codes (leading zero symbols left out).
//!
//! The decoder corrects any `e` errors at unknown positions together with `f` erasures at known
//! positions when `2e + f ≤ n − k`, and otherwise either reports [`RsError::Uncorrectable`] or,
//! when the word happens to lie within that distance of another codeword, returns that codeword
//! (no decoder can do better; callers needing certainty check the result, as key binding does
//! with its key-check tag).

use super::gf::Gf;

/// Why a Reed–Solomon operation failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RsError {
    /// The parameters do not describe a code (need 1 ≤ k < n ≤ 2^s − 1 and a supported `s`).
    BadParameters,
    /// An input has the wrong length, or a symbol does not fit in `s` bits.
    BadInput,
    /// An erasure position is out of range or repeated, or there are more than `n − k`.
    BadErasures,
    /// The word is too far from every codeword to be decoded.
    Uncorrectable,
}

/// A Reed–Solomon code RS(n, k) over GF(2^s).
#[derive(Clone, Debug)]
pub struct ReedSolomon {
    gf: Gf,
    n: usize,
    k: usize,
    /// Generator polynomial, monic, coefficients from the highest power down (`n − k + 1`).
    generator: Vec<u16>,
}

/// A successful decoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RsDecoded {
    /// The corrected codeword (`n` symbols).
    pub codeword: Vec<u16>,
    /// Symbols changed at positions that were not declared erased (errors corrected).
    pub errors: usize,
    /// Declared erasures.
    pub erasures: usize,
}

impl RsDecoded {
    /// The message part (the first `k` symbols).
    pub fn message(&self, k: usize) -> &[u16] {
        &self.codeword[..k]
    }
}

impl ReedSolomon {
    /// RS(n, k) over GF(2^s), `3 ≤ s ≤ 10`, `1 ≤ k < n ≤ 2^s − 1`.
    pub fn new(s: u32, n: usize, k: usize) -> Result<ReedSolomon, RsError> {
        let gf = Gf::new(s).ok_or(RsError::BadParameters)?;
        if k == 0 || k >= n || n > gf.order() {
            return Err(RsError::BadParameters);
        }
        // g(x) = Π_{j<n−k} (x − α^j), built highest power first.
        let mut generator = vec![1u16];
        for j in 0..n - k {
            let root = gf.exp(j);
            let mut next = vec![0u16; generator.len() + 1];
            for (i, &c) in generator.iter().enumerate() {
                next[i] ^= c;
                next[i + 1] ^= gf.mul(c, root);
            }
            generator = next;
        }
        Ok(ReedSolomon {
            gf,
            n,
            k,
            generator,
        })
    }

    /// Code length in symbols.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Message length in symbols.
    pub fn k(&self) -> usize {
        self.k
    }

    /// Parity symbols, `n − k`.
    pub fn parity(&self) -> usize {
        self.n - self.k
    }

    /// The field.
    pub fn field(&self) -> &Gf {
        &self.gf
    }

    /// The generator polynomial, monic, highest power first.
    pub fn generator(&self) -> &[u16] {
        &self.generator
    }

    fn check_symbols(&self, word: &[u16]) -> Result<(), RsError> {
        if word.iter().any(|&s| usize::from(s) >= self.gf.size()) {
            Err(RsError::BadInput)
        } else {
            Ok(())
        }
    }

    /// The systematic codeword of `message` (`k` symbols): the message, then `n − k` parity
    /// symbols.
    pub fn encode(&self, message: &[u16]) -> Result<Vec<u16>, RsError> {
        if message.len() != self.k {
            return Err(RsError::BadInput);
        }
        self.check_symbols(message)?;
        let nsym = self.parity();
        // Synthetic division of message·x^nsym by the monic generator.
        let mut work = message.to_vec();
        work.resize(self.n, 0);
        for i in 0..self.k {
            let coef = work[i];
            if coef != 0 {
                for j in 1..=nsym {
                    work[i + j] ^= self.gf.mul(self.generator[j], coef);
                }
            }
        }
        let mut out = message.to_vec();
        out.extend_from_slice(&work[self.k..]);
        Ok(out)
    }

    /// Syndromes `S_j = r(α^j)`, `j = 0 … n−k−1`; all zero exactly for codewords.
    pub fn syndromes(&self, word: &[u16]) -> Vec<u16> {
        (0..self.parity())
            .map(|j| self.gf.poly_eval(word, self.gf.exp(j)))
            .collect()
    }

    /// The locator `X = α^(n−1−i)` of array position `i`.
    fn locator(&self, i: usize) -> u16 {
        self.gf.exp(self.n - 1 - i)
    }

    /// Decodes `word` (`n` symbols) with the given erasure positions (array indices, distinct,
    /// at most `n − k`). Corrects `e` errors and `f` erasures whenever `2e + f ≤ n − k`.
    pub fn decode(&self, word: &[u16], erasures: &[usize]) -> Result<RsDecoded, RsError> {
        if word.len() != self.n {
            return Err(RsError::BadInput);
        }
        self.check_symbols(word)?;
        let synd = self.syndromes(word);
        self.decode_with_syndromes(word, &synd, erasures)
    }

    /// [`decode`](Self::decode) with the syndromes of `word` already computed (they do not
    /// depend on the erasures, so a caller trying several erasure sets computes them once).
    /// `synd` must be `self.syndromes(word)`; a mismatch gives `Uncorrectable` or a wrong
    /// codeword, never a panic.
    pub fn decode_with_syndromes(
        &self,
        word: &[u16],
        synd: &[u16],
        erasures: &[usize],
    ) -> Result<RsDecoded, RsError> {
        if word.len() != self.n || synd.len() != self.parity() {
            return Err(RsError::BadInput);
        }
        self.check_symbols(word)?;
        let nsym = self.parity();
        if erasures.len() > nsym {
            return Err(RsError::BadErasures);
        }
        let mut seen = vec![false; self.n];
        for &e in erasures {
            if e >= self.n || seen[e] {
                return Err(RsError::BadErasures);
            }
            seen[e] = true;
        }

        if synd.iter().all(|&s| s == 0) {
            return Ok(RsDecoded {
                codeword: word.to_vec(),
                errors: 0,
                erasures: erasures.len(),
            });
        }

        let gf = &self.gf;
        // Polynomials below are stored lowest power first.
        // Erasure locator Γ(x) = Π (1 − X_i x).
        let mut gamma = vec![1u16];
        for &e in erasures {
            let x = self.locator(e);
            let mut next = vec![0u16; gamma.len() + 1];
            for (i, &c) in gamma.iter().enumerate() {
                next[i] ^= c;
                next[i + 1] ^= gf.mul(c, x);
            }
            gamma = next;
        }

        // Berlekamp–Massey for errors and erasures (Blahut): Λ = B = Γ, L = ρ.
        let rho = erasures.len();
        let mut lambda = gamma.clone();
        let mut b = gamma;
        let mut l = rho;
        for r in rho..nsym {
            let mut delta = 0u16;
            for (i, &c) in lambda.iter().enumerate() {
                if i <= r {
                    delta ^= gf.mul(c, synd[r - i]);
                }
            }
            // x·B
            b.insert(0, 0);
            if delta != 0 {
                // T = Λ − Δ·x·B
                let mut t = lambda.clone();
                if t.len() < b.len() {
                    t.resize(b.len(), 0);
                }
                for (i, &c) in b.iter().enumerate() {
                    t[i] ^= gf.mul(delta, c);
                }
                if 2 * l <= r + rho {
                    let inv = gf.inv(delta).ok_or(RsError::Uncorrectable)?;
                    b = lambda.iter().map(|&c| gf.mul(c, inv)).collect();
                    l = r + 1 + rho - l;
                }
                lambda = t;
            }
        }
        while lambda.len() > 1 && lambda.last() == Some(&0) {
            lambda.pop();
        }
        let degree = lambda.len() - 1;
        if degree != l || l == 0 || l < rho || 2 * (l - rho) + rho > nsym {
            return Err(RsError::Uncorrectable);
        }

        // Chien search over the n positions of the (possibly shortened) code.
        let order = gf.order();
        let mut positions = Vec::with_capacity(l);
        for i in 0..self.n {
            let power = self.n - 1 - i;
            let x_inv = gf.exp((order - power % order) % order);
            let mut v = 0u16;
            for &c in lambda.iter().rev() {
                v = gf.mul(v, x_inv) ^ c;
            }
            if v == 0 {
                positions.push(i);
            }
        }
        if positions.len() != l {
            return Err(RsError::Uncorrectable);
        }

        // Ω(x) = S(x)·Λ(x) mod x^nsym.
        let mut omega = vec![0u16; nsym];
        for (i, &lc) in lambda.iter().enumerate() {
            if lc == 0 {
                continue;
            }
            for (j, &s) in synd.iter().enumerate() {
                if i + j < nsym {
                    omega[i + j] ^= gf.mul(lc, s);
                }
            }
        }

        // Forney, first root α^0: Y = X · Ω(X⁻¹) / Λ'(X⁻¹).
        let mut codeword = word.to_vec();
        let mut errors = 0usize;
        for &i in &positions {
            let x = self.locator(i);
            let x_inv = gf.inv(x).ok_or(RsError::Uncorrectable)?;
            let mut om = 0u16;
            for &c in omega.iter().rev() {
                om = gf.mul(om, x_inv) ^ c;
            }
            // Formal derivative in characteristic 2: odd-power terms only.
            let mut der = 0u16;
            let mut xp = 1u16; // (X⁻¹)^(i−1) for odd i, stepping by X⁻²
            let x_inv2 = gf.mul(x_inv, x_inv);
            for (pow, &c) in lambda.iter().enumerate() {
                if pow % 2 == 1 {
                    der ^= gf.mul(c, xp);
                    xp = gf.mul(xp, x_inv2);
                }
            }
            let value = gf.div(gf.mul(x, om), der).ok_or(RsError::Uncorrectable)?;
            if value != 0 && !seen[i] {
                errors += 1;
            }
            codeword[i] ^= value;
        }
        if self.syndromes(&codeword).iter().any(|&s| s != 0) {
            return Err(RsError::Uncorrectable);
        }
        Ok(RsDecoded {
            codeword,
            errors,
            erasures: rho,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator for tests (SplitMix64).
    struct Mix(u64);
    impl Mix {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn rejects_impossible_parameters() {
        assert_eq!(
            ReedSolomon::new(8, 256, 200).err(),
            Some(RsError::BadParameters)
        );
        assert_eq!(
            ReedSolomon::new(8, 20, 20).err(),
            Some(RsError::BadParameters)
        );
        assert_eq!(
            ReedSolomon::new(8, 20, 0).err(),
            Some(RsError::BadParameters)
        );
        assert_eq!(
            ReedSolomon::new(11, 20, 10).err(),
            Some(RsError::BadParameters)
        );
        assert!(ReedSolomon::new(7, 127, 1).is_ok());
    }

    #[test]
    fn corrects_every_mix_of_errors_and_erasures_within_the_bound() {
        let mut rng = Mix(7);
        for &(s, n, k) in &[
            (4u32, 15usize, 11usize),
            (7, 64, 20),
            (8, 32, 16),
            (6, 40, 21),
        ] {
            let rs = ReedSolomon::new(s, n, k).unwrap();
            let q = 1usize << s;
            let nsym = n - k;
            for trial in 0..300 {
                let msg: Vec<u16> = (0..k).map(|_| rng.below(q) as u16).collect();
                let cw = rs.encode(&msg).unwrap();
                let f = trial % (nsym + 1);
                let e = (nsym - f) / 2;
                let mut pos: Vec<usize> = (0..n).collect();
                for i in 0..n {
                    let j = i + rng.below(n - i);
                    pos.swap(i, j);
                }
                let mut word = cw.clone();
                for &p in &pos[..e] {
                    word[p] ^= 1 + rng.below(q - 1) as u16;
                }
                let erased: Vec<usize> = pos[e..e + f].to_vec();
                for &p in &erased {
                    word[p] = rng.below(q) as u16; // anything, possibly the right value
                }
                let d = rs
                    .decode(&word, &erased)
                    .unwrap_or_else(|err| panic!("RS({n},{k}) s={s} e={e} f={f}: {err:?}"));
                assert_eq!(d.codeword, cw);
                assert_eq!(d.errors, e);
                assert_eq!(d.message(k), &msg[..]);
            }
        }
    }

    #[test]
    fn never_returns_a_non_codeword() {
        let mut rng = Mix(99);
        let rs = ReedSolomon::new(7, 64, 20).unwrap();
        for _ in 0..2000 {
            let word: Vec<u16> = (0..64).map(|_| rng.below(128) as u16).collect();
            if let Ok(d) = rs.decode(&word, &[]) {
                assert!(rs.syndromes(&d.codeword).iter().all(|&s| s == 0));
                let dist = d.codeword.iter().zip(&word).filter(|(a, b)| a != b).count();
                assert!(dist <= 22);
            }
        }
    }

    #[test]
    fn rejects_bad_inputs() {
        let rs = ReedSolomon::new(4, 15, 11).unwrap();
        assert_eq!(rs.encode(&[1; 10]).err(), Some(RsError::BadInput));
        assert_eq!(rs.encode(&[16; 11]).err(), Some(RsError::BadInput));
        let cw = rs.encode(&[1; 11]).unwrap();
        assert_eq!(rs.decode(&cw[..14], &[]).err(), Some(RsError::BadInput));
        assert_eq!(rs.decode(&cw, &[15]).err(), Some(RsError::BadErasures));
        assert_eq!(rs.decode(&cw, &[3, 3]).err(), Some(RsError::BadErasures));
        assert_eq!(
            rs.decode(&cw, &[0, 1, 2, 3, 4]).err(),
            Some(RsError::BadErasures)
        );
    }
}
