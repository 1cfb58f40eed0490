//! Fixed-capacity, set-associative tables: the bounded memory of the `window` features.
//!
//! A table is allocated once with its capacity and never grows. A key hashes to one set of
//! [`WAYS`] slots; a miss takes a free slot of the set, or evicts the slot touched longest ago
//! (least recently used within the set). This is how a CPU cache bounds memory: an attacker who
//! sprays packets from 100,000 spoofed sources can only make the tables forget old entries,
//! never grow them. Hashing is a fixed function (no per-process random seed), so features are
//! reproducible run to run.

use std::net::IpAddr;

/// Slots per set.
pub const WAYS: usize = 8;

/// A set-associative map from `K` to `V` with LRU eviction inside each set.
///
/// Laid out for the lookup: the 32-bit tags (from the hash; 0 = free) and access times of a
/// set's slots sit together, apart from the keys and values, so a lookup reads one set's tags
/// and times (two cache lines) and touches a key and a value only where the tag matches.
pub struct SetAssoc<K, V> {
    heads: Vec<Head>,
    keys: Vec<K>,
    vals: Vec<V>,
    set_mask: usize,
    len: usize,
    evictions: u64,
}

/// The tags and access times of one set of a [`SetAssoc`]: 96 bytes, placed so that they
/// span two cache lines.
#[derive(Clone)]
#[repr(C, align(32))]
struct Head {
    /// Per slot: 32 bits of its key's hash (0: the slot is free).
    tags: [u32; WAYS],
    /// Time of the last access per slot (seconds): the eviction order.
    stamps: [f64; WAYS],
}

/// What a lookup found.
pub struct Entry<'a, V> {
    pub val: &'a mut V,
    /// Time of the previous access, `None` if the key was not in the table.
    pub prev_stamp: Option<f64>,
}

impl<K: Copy + Eq + Default, V: Clone + Default> SetAssoc<K, V> {
    /// A table of at least `capacity` slots (rounded up to a power of two, at least one set).
    pub fn new(capacity: usize) -> SetAssoc<K, V> {
        let sets = capacity.div_ceil(WAYS).max(1).next_power_of_two();
        let n = sets * WAYS;
        SetAssoc {
            heads: vec![
                Head {
                    tags: [0; WAYS],
                    stamps: [f64::NEG_INFINITY; WAYS],
                };
                sets
            ],
            keys: vec![K::default(); n],
            vals: vec![V::default(); n],
            set_mask: sets - 1,
            len: 0,
            evictions: 0,
        }
    }

    /// Find `key` (hashed to `hash`) or insert it with `V::default()`, evicting the least recently
    /// used entry of its set if the set is full; the entry's access time becomes `now`.
    pub fn touch(&mut self, key: K, hash: u64, now: f64) -> Entry<'_, V> {
        let set = self.set(hash);
        let base = set * WAYS;
        let tag = tag_of(hash);
        let head = &mut self.heads[set];
        let keys = &self.keys[base..base + WAYS];
        let (way, found) = find_way(
            |i| (head.tags[i] != 0).then(|| head.tags[i] == tag && keys[i] == key),
            |i| head.stamps[i],
        )
        .settle(&mut self.len, &mut self.evictions);
        let pick = base + way;
        let prev_stamp = if found {
            Some(head.stamps[way])
        } else {
            head.tags[way] = tag;
            self.keys[pick] = key;
            self.vals[pick] = V::default();
            None
        };
        head.stamps[way] = now;
        Entry {
            val: &mut self.vals[pick],
            prev_stamp,
        }
    }

    /// Fetch into the CPU's caches the tags and access times of the set `hash` falls in: a hint,
    /// ahead of a [`SetAssoc::touch`] with that hash, that changes nothing.
    pub fn prefetch(&self, hash: u64) {
        prefetch(&self.heads[self.set(hash)]);
    }

    /// Fetch into the CPU's caches the key and value of the slot that a [`SetAssoc::touch`]
    /// with `hash` would take if it came now: the slot whose tag matches, else the one it
    /// would fill or evict. It reads the set's tags and access times (best fetched first with
    /// [`SetAssoc::prefetch`]); a hint that changes nothing.
    pub fn prefetch_slot(&self, hash: u64) {
        let set = self.set(hash);
        let head = &self.heads[set];
        let tag = tag_of(hash);
        let way = find_way(
            |i| (head.tags[i] != 0).then(|| head.tags[i] == tag),
            |i| head.stamps[i],
        )
        .slot();
        prefetch(&self.keys[set * WAYS + way]);
        prefetch(&self.vals[set * WAYS + way]);
    }

    /// The set `hash` falls in.
    fn set(&self, hash: u64) -> usize {
        (hash >> 7) as usize & self.set_mask
    }

    /// The slot that holds `key` (hashed to `hash`), if any.
    fn find(&self, key: &K, hash: u64) -> Option<usize> {
        let set = self.set(hash);
        let (head, tag) = (&self.heads[set], tag_of(hash));
        (0..WAYS)
            .find(|&i| head.tags[i] == tag && self.keys[set * WAYS + i] == *key)
            .map(|i| set * WAYS + i)
    }

    /// The value of `key` (hashed to `hash`), if present, without inserting it; its access time
    /// is unchanged.
    pub fn get(&self, key: &K, hash: u64) -> Option<&V> {
        self.find(key, hash).map(|i| &self.vals[i])
    }

    /// The value of `key` (hashed to `hash`), if present, without inserting it; its access time
    /// becomes `now`.
    pub fn get_mut(&mut self, key: &K, hash: u64, now: f64) -> Option<&mut V> {
        let i = self.find(key, hash)?;
        self.heads[i / WAYS].stamps[i % WAYS] = now;
        Some(&mut self.vals[i])
    }

    /// Take `key` (hashed to `hash`) out, if present: its slot is free again.
    pub fn remove(&mut self, key: &K, hash: u64) {
        if let Some(i) = self.find(key, hash) {
            let head = &mut self.heads[i / WAYS];
            head.tags[i % WAYS] = 0;
            head.stamps[i % WAYS] = f64::NEG_INFINITY;
            self.len -= 1;
        }
    }

    /// Entries in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no entry is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots allocated (the bound on `len`).
    pub fn capacity(&self) -> usize {
        self.heads.len() * WAYS
    }

    /// Entries evicted so far.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Bytes held by the slots (fixed at construction).
    pub fn memory_bytes(&self) -> usize {
        self.heads.capacity() * std::mem::size_of::<Head>()
            + self.keys.capacity() * std::mem::size_of::<K>()
            + self.vals.capacity() * std::mem::size_of::<V>()
    }
}

/// A set of non-zero 64-bit keys, each with its last access time, bounded like [`SetAssoc`]
/// and with its placement and eviction order (set from `hash`, [`WAYS`] slots per set, the
/// least recently touched evicted), laid out for a set that is mostly a cache miss: one
/// set's keys and times fill two adjacent cache lines, and no value is kept. The `window`
/// features' "seen recently" set.
pub struct StampSet {
    sets: Vec<StampWays>,
    set_mask: usize,
    len: usize,
    evictions: u64,
}

/// One set of a [`StampSet`]: keys (0 = free) and access times.
#[derive(Clone)]
#[repr(C, align(64))]
struct StampWays {
    keys: [u64; WAYS],
    stamps: [f64; WAYS],
}

impl StampSet {
    /// A set of at least `capacity` slots (rounded up to a power of two, at least one set).
    pub fn new(capacity: usize) -> StampSet {
        let sets = capacity.div_ceil(WAYS).max(1).next_power_of_two();
        StampSet {
            sets: vec![
                StampWays {
                    keys: [0; WAYS],
                    stamps: [f64::NEG_INFINITY; WAYS],
                };
                sets
            ],
            set_mask: sets - 1,
            len: 0,
            evictions: 0,
        }
    }

    /// Find `key` (non-zero, hashed to `hash`) or insert it, evicting the least recently used
    /// key of its set if the set is full; its access time becomes `now`. Returns the time of
    /// its previous access, `None` if it was not in the set. (Key 0 is never found.)
    pub fn touch(&mut self, key: u64, hash: u64, now: f64) -> Option<f64> {
        let set = &mut self.sets[(hash >> 7) as usize & self.set_mask];
        let (pick, found) = find_way(
            |i| (set.keys[i] != 0).then(|| set.keys[i] == key),
            |i| set.stamps[i],
        )
        .settle(&mut self.len, &mut self.evictions);
        let prev = if found {
            Some(set.stamps[pick])
        } else {
            set.keys[pick] = key;
            None
        };
        set.stamps[pick] = now;
        prev
    }

    /// Fetch into the CPU's caches the set `hash` falls in: a hint, ahead of a
    /// [`StampSet::touch`] with that hash, that changes nothing.
    pub fn prefetch(&self, hash: u64) {
        prefetch(&self.sets[(hash >> 7) as usize & self.set_mask]);
    }

    /// Keys in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots allocated (the bound on `len`).
    pub fn capacity(&self) -> usize {
        self.sets.len() * WAYS
    }

    /// Keys evicted so far.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Bytes held by the slots (fixed at construction).
    pub fn memory_bytes(&self) -> usize {
        self.sets.capacity() * std::mem::size_of::<StampWays>()
    }
}

/// Where a key goes in a set of [`WAYS`] slots (the one LRU policy of [`SetAssoc`] and
/// [`StampSet`]).
enum Way {
    /// The slot that holds it.
    Hit(usize),
    /// The first free slot.
    Free(usize),
    /// The slot touched longest ago (the first of equals): its entry is evicted.
    Evict(usize),
}

impl Way {
    /// The slot, whatever the case.
    fn slot(&self) -> usize {
        match *self {
            Way::Hit(i) | Way::Free(i) | Way::Evict(i) => i,
        }
    }

    /// The slot and whether the key was there; a new entry or an eviction is counted.
    fn settle(self, len: &mut usize, evictions: &mut u64) -> (usize, bool) {
        match self {
            Way::Hit(i) => (i, true),
            Way::Free(i) => {
                *len += 1;
                (i, false)
            }
            Way::Evict(i) => {
                *evictions += 1;
                (i, false)
            }
        }
    }
}

/// The 32-bit tag of a [`SetAssoc`] slot holding a key hashed to `hash` (never 0, which marks a
/// free slot).
fn tag_of(hash: u64) -> u32 {
    (hash >> 32) as u32 | 1
}

/// Fetch every cache line of `*r` into the CPU's caches: a hint that changes nothing.
fn prefetch<T>(r: &T) {
    let start = std::ptr::from_ref(r).cast::<u8>();
    // the first byte of every 64-byte line `*r` overlaps (a line may hold bytes before it)
    let first = start.wrapping_sub(start as usize % 64);
    let end = start.wrapping_add(std::mem::size_of::<T>().max(1));
    let mut line = first;
    while line < end {
        prefetch_line(line);
        line = line.wrapping_add(64);
    }
}

/// Fetch the cache line that holds `p` into the CPU's caches (`prefetcht0`): a hint, with no
/// effect on what the program computes.
#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
#[inline(always)]
fn prefetch_line(p: *const u8) {
    use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    // SAFETY: a prefetch reads nothing the program sees and never faults, whatever the
    // address (callers pass addresses in or next to a live object anyway); the one target
    // feature it needs, SSE, is in every x86_64 CPU (a baseline feature of the target).
    unsafe { _mm_prefetch::<_MM_HINT_T0>(p.cast()) }
}

/// Fetch the cache line that holds `p`: no such hint here.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch_line(_p: *const u8) {}

/// Look a key up in one set: `holds(i)` is `None` for a free slot, else whether slot `i` holds
/// the key; `stamp(i)` is slot `i`'s access time.
fn find_way(holds: impl Fn(usize) -> Option<bool>, stamp: impl Fn(usize) -> f64) -> Way {
    let mut free = None;
    let (mut oldest, mut oldest_stamp) = (0, f64::INFINITY);
    for i in 0..WAYS {
        match holds(i) {
            Some(true) => return Way::Hit(i),
            Some(false) => {
                let t = stamp(i);
                if t < oldest_stamp {
                    (oldest, oldest_stamp) = (i, t);
                }
            }
            None => {
                if free.is_none() {
                    free = Some(i);
                }
            }
        }
    }
    free.map_or(Way::Evict(oldest), Way::Free)
}

/// SplitMix64's finaliser: a fixed, well-mixing 64-bit hash step.
pub const fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An address as a table key: IPv4 as its IPv4-mapped IPv6 form.
pub fn ip_key(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(a) => u128::from(a.to_ipv6_mapped()),
        IpAddr::V6(a) => u128::from(a),
    }
}

/// Hash a 128-bit key with a seed.
pub fn hash_key(seed: u64, k: u128) -> u64 {
    hash_mixed(seed, premix(k))
}

/// The part of [`hash_key`] that depends on the key alone: `hash_key(seed, k)` is
/// `hash_mixed(seed, premix(k))`, so a key hashed with several seeds is mixed once.
pub fn premix(k: u128) -> u64 {
    /// `mix(0)`: the high half of every IPv4 address as a key ([`ip_key`]) and of every
    /// 64-bit number.
    const MIX_0: u64 = mix(0);
    let hi = (k >> 64) as u64;
    let hi = if hi == 0 { MIX_0 } else { mix(hi) };
    hi ^ mix(k as u64).rotate_left(17)
}

/// [`hash_key`] of a key whose [`premix`] is `m`.
pub fn hash_mixed(seed: u64, m: u64) -> u64 {
    mix(seed ^ m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_inserted_and_remembers_the_previous_access() {
        let mut t: SetAssoc<u64, u32> = SetAssoc::new(64);
        let e = t.touch(5, mix(5), 1.0);
        assert!(e.prev_stamp.is_none());
        *e.val = 7;
        let e = t.touch(5, mix(5), 2.0);
        assert_eq!(e.prev_stamp, Some(1.0));
        assert_eq!(*e.val, 7);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn looks_up_without_inserting_and_removes() {
        let mut t: SetAssoc<u64, u32> = SetAssoc::new(WAYS);
        assert_eq!(t.get(&5, 0), None);
        assert!(t.get_mut(&5, 0, 1.0).is_none());
        assert_eq!(t.len(), 0, "a look-up inserts nothing");
        for k in 0..WAYS as u64 {
            *t.touch(k, 0, k as f64).val = k as u32 + 100;
        }
        assert_eq!(t.get(&3, 0), Some(&103));
        // get leaves the access time alone, get_mut renews it: key 0 stays the oldest after
        // a get, key 1 becomes it after key 0's get_mut
        t.get(&0, 0);
        *t.get_mut(&0, 0, 50.0).unwrap() += 1;
        assert_eq!(t.get(&0, 0), Some(&101));
        t.touch(999, 0, 60.0);
        assert_eq!(t.get(&1, 0), None, "the oldest, key 1, was evicted");
        assert_eq!(t.get(&0, 0), Some(&101));
        // a removed key is gone, its slot free: the next new key takes it, evicting nothing
        t.remove(&0, 0);
        assert_eq!(t.get(&0, 0), None);
        assert_eq!(t.len(), WAYS - 1);
        let evicted = t.evictions();
        t.touch(1000, 0, 70.0);
        assert_eq!(t.evictions(), evicted);
        assert_eq!(t.len(), WAYS);
        t.remove(&12345, 0); // absent: nothing happens
        assert_eq!(t.len(), WAYS);
    }

    #[test]
    fn a_full_set_evicts_its_least_recently_used_entry() {
        // one set only: capacity WAYS
        let mut t: SetAssoc<u64, u32> = SetAssoc::new(WAYS);
        assert_eq!(t.capacity(), WAYS);
        for k in 0..WAYS as u64 {
            *t.touch(k, 0, k as f64).val = k as u32 + 100;
        }
        t.touch(0, 0, 50.0); // key 0 becomes the most recent; key 1 is now the oldest
        let e = t.touch(999, 0, 60.0);
        assert!(e.prev_stamp.is_none());
        assert_eq!(*e.val, 0, "a new entry starts from the default");
        assert_eq!(t.evictions(), 1);
        assert!(t.touch(0, 0, 61.0).prev_stamp.is_some(), "recent key kept");
        assert!(
            t.touch(1, 0, 62.0).prev_stamp.is_none(),
            "oldest key evicted"
        );
        assert_eq!(t.len(), WAYS);
    }

    #[test]
    fn the_stamp_set_decides_as_a_set_assoc_table_of_the_same_capacity() {
        // keys crowded into few sets (small capacity) so that sets fill and evict
        let mut a: SetAssoc<u64, ()> = SetAssoc::new(256);
        let mut b = StampSet::new(256);
        assert_eq!(a.capacity(), b.capacity());
        let mut x = 7u64;
        for i in 0..200_000u32 {
            x = mix(x);
            let key = (x % 3000) | 1; // revisits keys, both recent and evicted ones
            let h = mix(key ^ 0x55);
            let now = f64::from(i) * 0.001 + if i % 7 == 0 { -0.5 } else { 0.0 };
            assert_eq!(
                a.touch(key, h, now).prev_stamp,
                b.touch(key, h, now),
                "step {i}"
            );
        }
        assert_eq!((a.len(), a.evictions()), (b.len(), b.evictions()));
        assert!(b.evictions() > 100_000 && b.len() == b.capacity());
        assert_eq!(std::mem::size_of::<StampWays>(), 128);
        // a set's tags and times take what they took as two arrays (memory figures unchanged)
        assert_eq!(std::mem::size_of::<Head>(), WAYS * (4 + 8));
    }

    #[test]
    fn hashing_in_two_steps_is_hashing_in_one() {
        let one =
            |seed: u64, k: u128| mix(seed ^ mix((k >> 64) as u64) ^ mix(k as u64).rotate_left(17));
        let mut x = 3u64;
        for i in 0..10_000u32 {
            x = mix(x);
            let k = match i % 3 {
                0 => u128::from(x),
                1 => ip_key(IpAddr::from((x as u32).to_be_bytes())),
                _ => u128::from(x) << 64 | u128::from(mix(x)),
            };
            assert_eq!(hash_key(x >> 3, k), one(x >> 3, k), "{k:x}");
            assert_eq!(hash_mixed(17, premix(k)), one(17, k));
        }
        assert_eq!(hash_key(0, 0), one(0, 0));
    }

    #[test]
    fn memory_is_fixed_whatever_is_inserted() {
        let mut t: SetAssoc<u128, [f32; 16]> = SetAssoc::new(1000);
        let before = t.memory_bytes();
        for i in 0..100_000u32 {
            let k = ip_key(IpAddr::from(i.to_be_bytes()));
            t.touch(k, hash_key(1, k), f64::from(i));
        }
        assert_eq!(t.memory_bytes(), before);
        assert!(t.len() <= t.capacity());
        assert_eq!(t.capacity(), 1024);
    }
}
