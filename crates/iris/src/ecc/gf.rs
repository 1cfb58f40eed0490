//! Arithmetic in the binary extension fields GF(2^s), 3 ≤ s ≤ 10, by log/antilog tables.
//!
//! An element is a `u16` below `2^s` whose bits are the coefficients of a polynomial over GF(2)
//! (bit `i` = coefficient of `x^i`); addition is XOR and multiplication is polynomial
//! multiplication modulo the field's primitive polynomial ([`primitive_poly`]). The primitive
//! element α is the polynomial `x` (the integer 2), so `α^i` is `exp(i)`.

/// The primitive polynomial used for GF(2^s), as an integer with bit `s` set, or `None` when
/// `s` is outside `3..=10`.
///
/// | s | polynomial | value |
/// |---|---|---|
/// | 3 | x³ + x + 1 | `0x00B` |
/// | 4 | x⁴ + x + 1 | `0x013` (BBC WHP031) |
/// | 5 | x⁵ + x² + 1 | `0x025` |
/// | 6 | x⁶ + x + 1 | `0x043` |
/// | 7 | x⁷ + x³ + 1 | `0x089` |
/// | 8 | x⁸ + x⁴ + x³ + x² + 1 | `0x11D` (QR codes, ISO/IEC 18004; DVB-T) |
/// | 9 | x⁹ + x⁴ + 1 | `0x211` |
/// | 10 | x¹⁰ + x³ + 1 | `0x409` |
pub const fn primitive_poly(s: u32) -> Option<u32> {
    match s {
        3 => Some(0x00B),
        4 => Some(0x013),
        5 => Some(0x025),
        6 => Some(0x043),
        7 => Some(0x089),
        8 => Some(0x11D),
        9 => Some(0x211),
        10 => Some(0x409),
        _ => None,
    }
}

/// The field GF(2^s) with its tables.
#[derive(Clone, Debug)]
pub struct Gf {
    bits: u32,
    /// `exp[i] = α^i` for `0 ≤ i < 2·(q−1)` (doubled so products need no reduction).
    exp: Vec<u16>,
    /// `log[x]` for `x ≠ 0`; `log[0]` is unused.
    log: Vec<u16>,
}

impl Gf {
    /// GF(2^s), or `None` when `s` is outside `3..=10`.
    pub fn new(s: u32) -> Option<Gf> {
        let poly = primitive_poly(s)?;
        let q = 1usize << s;
        let order = q - 1;
        let mut exp = vec![0u16; 2 * order];
        let mut log = vec![0u16; q];
        let mut x: u32 = 1;
        for (i, e) in exp.iter_mut().take(order).enumerate() {
            *e = x as u16;
            log[x as usize] = i as u16;
            x <<= 1;
            if x & (1 << s) != 0 {
                x ^= poly;
            }
        }
        for i in order..2 * order {
            exp[i] = exp[i - order];
        }
        Some(Gf { bits: s, exp, log })
    }

    /// Bits per element, `s`.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Number of elements, `2^s`.
    pub fn size(&self) -> usize {
        1 << self.bits
    }

    /// Order of the multiplicative group, `2^s − 1`.
    pub fn order(&self) -> usize {
        self.size() - 1
    }

    /// `α^i` for any `i` (reduced modulo the group order).
    #[inline]
    pub fn exp(&self, i: usize) -> u16 {
        self.exp[i % self.order()]
    }

    /// `log_α(x)`; `None` for 0.
    #[inline]
    pub fn log(&self, x: u16) -> Option<usize> {
        (x != 0).then(|| usize::from(self.log[usize::from(x)]))
    }

    /// Product.
    #[inline]
    pub fn mul(&self, a: u16, b: u16) -> u16 {
        if a == 0 || b == 0 {
            0
        } else {
            self.exp[usize::from(self.log[usize::from(a)]) + usize::from(self.log[usize::from(b)])]
        }
    }

    /// Multiplicative inverse; `None` for 0.
    #[inline]
    pub fn inv(&self, a: u16) -> Option<u16> {
        (a != 0).then(|| self.exp[self.order() - usize::from(self.log[usize::from(a)])])
    }

    /// Quotient `a / b`; `None` when `b` is 0.
    #[inline]
    pub fn div(&self, a: u16, b: u16) -> Option<u16> {
        let ib = self.inv(b)?;
        Some(self.mul(a, ib))
    }

    /// Evaluates the polynomial `p` (coefficients from the highest power down) at `x` (Horner).
    pub fn poly_eval(&self, p: &[u16], x: u16) -> u16 {
        p.iter().fold(0u16, |acc, &c| self.mul(acc, x) ^ c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_polynomial_is_primitive() {
        for s in 3..=10 {
            let gf = Gf::new(s).unwrap();
            let mut seen = vec![false; gf.size()];
            for i in 0..gf.order() {
                let x = gf.exp(i);
                assert!(x != 0 && !seen[usize::from(x)], "s={s}: α^{i} repeats");
                seen[usize::from(x)] = true;
            }
        }
        assert!(Gf::new(2).is_none() && Gf::new(11).is_none());
    }

    #[test]
    fn gf256_matches_the_qr_tables() {
        // Wikiversity, "Reed–Solomon codes for coders", §Multiplication with logarithms:
        // in GF(2^8) mod 0x11D, α^8 = 0x1D (29) and log(3) = 25.
        let gf = Gf::new(8).unwrap();
        assert_eq!(gf.exp(8), 29);
        assert_eq!(gf.log(3), Some(25));
        assert_eq!(gf.mul(0x89, 0x2A), 0xC3); // ibid., "multiplication" worked example
    }

    #[test]
    fn inverse_and_division_agree_with_multiplication() {
        let gf = Gf::new(7).unwrap();
        for a in 1..128u16 {
            let ia = gf.inv(a).unwrap();
            assert_eq!(gf.mul(a, ia), 1);
            for b in [1u16, 2, 77, 127] {
                assert_eq!(gf.mul(gf.div(a, b).unwrap(), b), a);
            }
        }
        assert_eq!(gf.inv(0), None);
        assert_eq!(gf.div(5, 0), None);
    }
}
