//! Bounded, set-associative tables: the bounded memory of the `window` features.
//!
//! A table is made with a capacity it never grows past. A key hashes to one set of [`WAYS`]
//! slots; a miss takes a free slot of the set, or evicts the slot touched longest ago (least
//! recently used within the set). This is how a CPU cache bounds memory: an attacker who sprays
//! packets from 100,000 spoofed sources can only make the tables forget old entries, never grow
//! them past their capacity. Hashing is a fixed function (no per-process random seed), so
//! features are reproducible run to run.
//!
//! **Grown on demand, decided as at full size.** A table starts with a few sets and doubles its
//! sets when a key finds its set full, up to its capacity; only at full size does a full set
//! evict. It decides exactly as a table allocated at full size from the start would, down to
//! which entry an eviction takes: a set of the full-size table that overflows holds more than
//! [`WAYS`] live keys, all of which fall in one set at every smaller size too, so the table has
//! grown to full size before it must evict; and while it grows it keeps, per entry, the set and
//! the way the entry has at full size (the way a full-size table gives it: the first one free
//! in its set), so that at full size every entry sits where it would have sat, and LRU ties
//! (equal access times, broken by the lowest way) fall the same way. A capture with few hosts
//! touches little memory; a flood makes the tables grow to their capacity and no further.

use std::net::IpAddr;

/// Slots per set.
pub const WAYS: usize = 8;

/// Sets a table starts with (all of them if its capacity is smaller).
const FIRST_SETS: usize = 16;

/// Where, in a growing table's word per slot, the slot's way at full size starts; the bits
/// below hold the set the slot's key falls in at full size (its home).
const WAY_SHIFT: u32 = 29;

/// The home bits of a growing table's word per slot.
const HOME_MASK: u32 = (1 << WAY_SHIFT) - 1;

/// The sets of a table of `capacity` slots at full size: at least one, a power of two.
fn full_sets(capacity: usize) -> usize {
    capacity.div_ceil(WAYS).max(1).next_power_of_two()
}

/// The sets a table with `full` sets at full size starts with: a table too large to keep its
/// slots' homes in a word each starts at full size.
fn first_sets(full: usize) -> usize {
    if full > 1 << WAY_SHIFT {
        full
    } else {
        full.min(FIRST_SETS)
    }
}

/// The set a key hashed to `hash` falls in among `mask + 1` sets.
fn set_of(hash: u64, mask: usize) -> usize {
    (hash >> 7) as usize & mask
}

/// The word a growing table keeps for a new entry that falls in set `home` at full size,
/// where the occupied slots of its set (`occupied`) have the words `words`: the home, and the
/// first way of the home set at full size that no entry of that home holds — the way a
/// full-size table would give it.
fn home_word(words: &[u32], occupied: impl Fn(usize) -> bool, home: u32) -> u32 {
    let mut used = 0u32;
    for (i, &w) in words.iter().enumerate().take(WAYS) {
        if occupied(i) && w & HOME_MASK == home {
            used |= 1 << (w >> WAY_SHIFT);
        }
    }
    // fewer than WAYS entries of one home share a set with a free slot: a way is free
    home | used.trailing_ones() << WAY_SHIFT
}

/// A set-associative map from `K` to `V` with LRU eviction inside each set, grown on demand up
/// to its capacity (see the module's documentation).
///
/// Laid out for the lookup: the 32-bit tags (from the hash; 0 = free) and access times of a
/// set's slots sit together, apart from the keys and values, so a lookup reads one set's tags
/// and times (two cache lines) and touches a key and a value only where the tag matches.
pub struct SetAssoc<K, V> {
    heads: Vec<Head>,
    keys: Vec<K>,
    vals: Vec<V>,
    /// Sets now, less one.
    set_mask: usize,
    /// Sets at full size, less one.
    full_mask: usize,
    /// While below full size, per slot: its entry's home and way at full size (`home_word`);
    /// empty at full size.
    homes: Vec<u32>,
    len: usize,
    evictions: u64,
    /// The slot of the entry [`SetAssoc::touch`] found or made last ([`NO_SLOT`]: none since
    /// the table grew): a key touched again before any other (a flood's pair, a port scan's
    /// source and victim) is found there without searching its set.
    last: usize,
}

/// [`SetAssoc::last`] when no slot is remembered.
const NO_SLOT: usize = usize::MAX;

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

impl Head {
    /// A set with every slot free.
    const FREE: Head = Head {
        tags: [0; WAYS],
        stamps: [f64::NEG_INFINITY; WAYS],
    };
}

/// What a lookup found.
pub struct Entry<'a, V> {
    pub val: &'a mut V,
    /// Time of the previous access, `None` if the key was not in the table.
    pub prev_stamp: Option<f64>,
}

impl<K: Copy + Eq + Default, V: Clone + Default> SetAssoc<K, V> {
    /// A table of at least `capacity` slots (rounded up to a power of two, at least one set),
    /// starting small.
    pub fn new(capacity: usize) -> SetAssoc<K, V> {
        let full = full_sets(capacity);
        SetAssoc::with_sets(first_sets(full), full)
    }

    /// A table with `sets` sets now and `full` at full size (powers of two, `sets <= full`).
    fn with_sets(sets: usize, full: usize) -> SetAssoc<K, V> {
        let n = sets * WAYS;
        SetAssoc {
            heads: vec![Head::FREE; sets],
            keys: vec![K::default(); n],
            vals: vec![V::default(); n],
            set_mask: sets - 1,
            full_mask: full - 1,
            homes: if sets < full { vec![0; n] } else { Vec::new() },
            len: 0,
            evictions: 0,
            last: NO_SLOT,
        }
    }

    /// Find `key` (hashed to `hash`) or insert it with `V::default()`, evicting the least recently
    /// used entry of its set if the set is full and the table at full size (growing it if not);
    /// the entry's access time becomes `now`.
    ///
    /// The slot touched last is tried first: if it holds `key` (its tag and key match, in the
    /// set `hash` falls in), that is the slot a search of the set finds, since a set holds a
    /// key in one slot at most; so the answer, the access times and every later eviction are
    /// those of the search.
    #[inline]
    pub fn touch(&mut self, key: K, hash: u64, now: f64) -> Entry<'_, V> {
        let (last, way) = (self.last, self.last % WAYS);
        let remembered = last / WAYS == self.set(hash)
            && self
                .heads
                .get(last / WAYS)
                .is_some_and(|head| head.tags[way] == tag_of(hash))
            && self.keys.get(last) == Some(&key);
        match (remembered, self.heads.get_mut(last / WAYS)) {
            (true, Some(head)) => {
                let prev = std::mem::replace(&mut head.stamps[way], now);
                Entry {
                    val: &mut self.vals[last],
                    prev_stamp: Some(prev),
                }
            }
            _ => self.touch_searched(key, hash, now),
        }
    }

    /// [`SetAssoc::touch`] by a search of the key's set.
    fn touch_searched(&mut self, key: K, hash: u64, now: f64) -> Entry<'_, V> {
        let tag = tag_of(hash);
        let (set, way, found) = loop {
            let set = self.set(hash);
            let base = set * WAYS;
            let head = &self.heads[set];
            let keys = &self.keys[base..base + WAYS];
            let way = find_way(
                |i| (head.tags[i] != 0).then(|| head.tags[i] == tag && keys[i] == key),
                |i| head.stamps[i],
            );
            if matches!(way, Way::Evict(_)) && self.set_mask < self.full_mask {
                self.grow();
                continue;
            }
            let (way, found) = way.settle(&mut self.len, &mut self.evictions);
            break (set, way, found);
        };
        let pick = set * WAYS + way;
        let head = &mut self.heads[set];
        let prev_stamp = if found {
            Some(head.stamps[way])
        } else {
            if self.set_mask < self.full_mask {
                let base = set * WAYS;
                let home = set_of(hash, self.full_mask) as u32;
                self.homes[pick] =
                    home_word(&self.homes[base..base + WAYS], |i| head.tags[i] != 0, home);
            }
            head.tags[way] = tag;
            self.keys[pick] = key;
            self.vals[pick] = V::default();
            None
        };
        head.stamps[way] = now;
        self.last = pick;
        Entry {
            val: &mut self.vals[pick],
            prev_stamp,
        }
    }

    /// Double the sets: each entry of set `s` stays or moves to set `s + old sets`, by its
    /// home; at full size, every entry takes its way at full size.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        // entries move between slots
        self.last = NO_SLOT;
        let old = self.set_mask + 1;
        let sets = old * 2;
        let last = sets - 1 == self.full_mask;
        self.heads.reserve_exact(old);
        self.heads.resize(sets, Head::FREE);
        self.keys.reserve_exact(old * WAYS);
        self.keys.resize(sets * WAYS, K::default());
        self.vals.reserve_exact(old * WAYS);
        self.vals.resize(sets * WAYS, V::default());
        if !last {
            self.homes.reserve_exact(old * WAYS);
            self.homes.resize(sets * WAYS, 0);
        }
        self.set_mask = sets - 1;
        redistribute(self, old, last);
        if last {
            self.homes = Vec::new();
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

    /// The set `hash` falls in now.
    fn set(&self, hash: u64) -> usize {
        set_of(hash, self.set_mask)
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

    /// The value of `key` (hashed to `hash`) and its last access time, if present, without
    /// inserting it; its access time is unchanged.
    pub fn get_stamped(&self, key: &K, hash: u64) -> Option<(&V, f64)> {
        self.find(key, hash)
            .map(|i| (&self.vals[i], self.heads[i / WAYS].stamps[i % WAYS]))
    }

    /// The value of `key` (hashed to `hash`), if present, without inserting it; its access time
    /// becomes `now`.
    pub fn get_mut(&mut self, key: &K, hash: u64, now: f64) -> Option<&mut V> {
        let i = self.find(key, hash)?;
        self.heads[i / WAYS].stamps[i % WAYS] = now;
        Some(&mut self.vals[i])
    }

    /// The value of `key` (hashed to `hash`) and its access time before this one, if present,
    /// without inserting it; its access time becomes `now` (one search of its set).
    pub fn get_mut_stamped(&mut self, key: &K, hash: u64, now: f64) -> Option<(&mut V, f64)> {
        let i = self.find(key, hash)?;
        let prev = std::mem::replace(&mut self.heads[i / WAYS].stamps[i % WAYS], now);
        Some((&mut self.vals[i], prev))
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

    /// Slots at full size (the bound on `len`).
    pub fn capacity(&self) -> usize {
        (self.full_mask + 1) * WAYS
    }

    /// Entries evicted so far.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Bytes the slots take at full size: the bound on [`SetAssoc::allocated_bytes`], fixed at
    /// construction.
    pub fn memory_bytes(&self) -> usize {
        let sets = self.full_mask + 1;
        sets * std::mem::size_of::<Head>()
            + sets * WAYS * (std::mem::size_of::<K>() + std::mem::size_of::<V>())
    }

    /// Bytes allocated now (slots, and the words kept while growing): at most
    /// [`SetAssoc::memory_bytes`].
    pub fn allocated_bytes(&self) -> usize {
        self.heads.capacity() * std::mem::size_of::<Head>()
            + self.keys.capacity() * std::mem::size_of::<K>()
            + self.vals.capacity() * std::mem::size_of::<V>()
            + self.homes.capacity() * std::mem::size_of::<u32>()
    }
}

impl<K: Copy + Eq + Default, V: Clone + Default> Slots for SetAssoc<K, V> {
    fn occupied(&self, i: usize) -> bool {
        self.heads[i / WAYS].tags[i % WAYS] != 0
    }

    fn home(&self, i: usize) -> u32 {
        self.homes[i]
    }

    /// Exchange slots `a` and `b`, tag, access time, key, value and (where kept) word.
    fn swap_slots(&mut self, a: usize, b: usize) {
        let (ta, sa) = {
            let h = &self.heads[a / WAYS];
            (h.tags[a % WAYS], h.stamps[a % WAYS])
        };
        let hb = &mut self.heads[b / WAYS];
        let (tb, sb) = (
            std::mem::replace(&mut hb.tags[b % WAYS], ta),
            std::mem::replace(&mut hb.stamps[b % WAYS], sa),
        );
        let ha = &mut self.heads[a / WAYS];
        (ha.tags[a % WAYS], ha.stamps[a % WAYS]) = (tb, sb);
        self.keys.swap(a, b);
        self.vals.swap(a, b);
        if a.max(b) < self.homes.len() {
            self.homes.swap(a, b);
        }
    }
}

/// The slots of a growing table (set `i / WAYS`, way `i % WAYS`), for [`redistribute`].
trait Slots {
    /// Whether slot `i` holds an entry.
    fn occupied(&self, i: usize) -> bool;
    /// The word of slot `i`: its entry's home (its set at full size) and way at full size.
    fn home(&self, i: usize) -> u32;
    /// Exchange slots `a` and `b`: everything the slot holds and (where kept) its word.
    fn swap_slots(&mut self, a: usize, b: usize);
}

/// After a table's sets doubled from `old`: each entry of set `s` whose home has the bit `old`
/// moves to set `s + old`, to its way at full size if the table is now full size (`last`; the
/// entries of one home have distinct ways), else to the same way; at full size the entries that
/// stay, all of home `s`, take their ways at full size too, each swap putting one entry where it
/// belongs for good.
fn redistribute(t: &mut impl Slots, old: usize, last: bool) {
    for s in 0..old {
        for w in 0..WAYS {
            let word = t.home(s * WAYS + w);
            if t.occupied(s * WAYS + w) && (word & HOME_MASK) as usize & old != 0 {
                let to = if last {
                    (word >> WAY_SHIFT) as usize
                } else {
                    w
                };
                t.swap_slots(s * WAYS + w, (s + old) * WAYS + to);
            }
        }
        if last {
            for w in 0..WAYS {
                while t.occupied(s * WAYS + w) {
                    let to = (t.home(s * WAYS + w) >> WAY_SHIFT) as usize;
                    if to == w {
                        break;
                    }
                    t.swap_slots(s * WAYS + w, s * WAYS + to);
                }
            }
        }
    }
}

/// A set of non-zero 64-bit keys, each with its last access time, bounded and grown like
/// [`SetAssoc`] and with its placement and eviction order (set from `hash`, [`WAYS`] slots per
/// set, the least recently touched evicted), laid out for a set that is mostly a cache miss:
/// one set's keys and times fill two adjacent cache lines, and no value is kept. The `window`
/// features' "seen recently" set.
pub struct StampSet {
    sets: Vec<StampWays>,
    /// Sets now, less one.
    set_mask: usize,
    /// Sets at full size, less one.
    full_mask: usize,
    /// While below full size, per slot: its key's home and way at full size (`home_word`);
    /// empty at full size.
    homes: Vec<u32>,
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

impl StampWays {
    /// A set with every slot free.
    const FREE: StampWays = StampWays {
        keys: [0; WAYS],
        stamps: [f64::NEG_INFINITY; WAYS],
    };
}

impl StampSet {
    /// A set of at least `capacity` slots (rounded up to a power of two, at least one set),
    /// starting small.
    pub fn new(capacity: usize) -> StampSet {
        let full = full_sets(capacity);
        StampSet::with_sets(first_sets(full), full)
    }

    /// A set with `sets` sets now and `full` at full size (powers of two, `sets <= full`).
    fn with_sets(sets: usize, full: usize) -> StampSet {
        StampSet {
            sets: vec![StampWays::FREE; sets],
            set_mask: sets - 1,
            full_mask: full - 1,
            homes: if sets < full {
                vec![0; sets * WAYS]
            } else {
                Vec::new()
            },
            len: 0,
            evictions: 0,
        }
    }

    /// Find `key` (non-zero, hashed to `hash`) or insert it, evicting the least recently used
    /// key of its set if the set is full and the set at full size (growing it if not); its
    /// access time becomes `now`. Returns the time of its previous access, `None` if it was
    /// not in the set. (Key 0 is never found.)
    pub fn touch(&mut self, key: u64, hash: u64, now: f64) -> Option<f64> {
        let (s, pick, found) = loop {
            let s = set_of(hash, self.set_mask);
            let set = &self.sets[s];
            let way = find_way(
                |i| (set.keys[i] != 0).then(|| set.keys[i] == key),
                |i| set.stamps[i],
            );
            if matches!(way, Way::Evict(_)) && self.set_mask < self.full_mask {
                self.grow();
                continue;
            }
            let (pick, found) = way.settle(&mut self.len, &mut self.evictions);
            break (s, pick, found);
        };
        let set = &mut self.sets[s];
        let prev = if found {
            Some(set.stamps[pick])
        } else {
            if self.set_mask < self.full_mask {
                let base = s * WAYS;
                let home = set_of(hash, self.full_mask) as u32;
                self.homes[base + pick] =
                    home_word(&self.homes[base..base + WAYS], |i| set.keys[i] != 0, home);
            }
            set.keys[pick] = key;
            None
        };
        set.stamps[pick] = now;
        prev
    }

    /// Double the sets, as [`SetAssoc`] does.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let old = self.set_mask + 1;
        let sets = old * 2;
        let last = sets - 1 == self.full_mask;
        self.sets.reserve_exact(old);
        self.sets.resize(sets, StampWays::FREE);
        if !last {
            self.homes.reserve_exact(old * WAYS);
            self.homes.resize(sets * WAYS, 0);
        }
        self.set_mask = sets - 1;
        redistribute(self, old, last);
        if last {
            self.homes = Vec::new();
        }
    }

    /// Fetch into the CPU's caches the set `hash` falls in: a hint, ahead of a
    /// [`StampSet::touch`] with that hash, that changes nothing.
    pub fn prefetch(&self, hash: u64) {
        prefetch(&self.sets[set_of(hash, self.set_mask)]);
    }

    /// Keys in use.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no key is in use.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Slots at full size (the bound on `len`).
    pub fn capacity(&self) -> usize {
        (self.full_mask + 1) * WAYS
    }

    /// Keys evicted so far.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Bytes the slots take at full size: the bound on [`StampSet::allocated_bytes`], fixed at
    /// construction.
    pub fn memory_bytes(&self) -> usize {
        (self.full_mask + 1) * std::mem::size_of::<StampWays>()
    }

    /// Bytes allocated now (slots, and the words kept while growing): at most
    /// [`StampSet::memory_bytes`].
    pub fn allocated_bytes(&self) -> usize {
        self.sets.capacity() * std::mem::size_of::<StampWays>()
            + self.homes.capacity() * std::mem::size_of::<u32>()
    }
}

impl Slots for StampSet {
    fn occupied(&self, i: usize) -> bool {
        self.sets[i / WAYS].keys[i % WAYS] != 0
    }

    fn home(&self, i: usize) -> u32 {
        self.homes[i]
    }

    /// Exchange slots `a` and `b`, key, access time and (where kept) word.
    fn swap_slots(&mut self, a: usize, b: usize) {
        let (ka, sa) = {
            let x = &self.sets[a / WAYS];
            (x.keys[a % WAYS], x.stamps[a % WAYS])
        };
        let y = &mut self.sets[b / WAYS];
        let (kb, sb) = (
            std::mem::replace(&mut y.keys[b % WAYS], ka),
            std::mem::replace(&mut y.stamps[b % WAYS], sa),
        );
        let x = &mut self.sets[a / WAYS];
        (x.keys[a % WAYS], x.stamps[a % WAYS]) = (kb, sb);
        if a.max(b) < self.homes.len() {
            self.homes.swap(a, b);
        }
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
#[inline(always)]
fn prefetch<T>(r: &T) {
    let start = std::ptr::from_ref(r).cast::<u8>();
    let size = std::mem::size_of::<T>().max(1);
    // The lines of bytes 0, 64, 128, … of `*r` and of its last byte are every line it
    // overlaps (one may be fetched twice, which costs little): a sequence whose length is
    // known when compiled, unrolled, rather than a loop over the lines from the first.
    let mut at = 0;
    while at < size {
        prefetch_line(start.wrapping_add(at));
        at += 64;
    }
    prefetch_line(start.wrapping_add(size - 1));
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
/// the key; `stamp(i)` is slot `i`'s access time. The first slot that holds the key, else the
/// first free one, else the one touched longest ago (the first of equals). (The slots are
/// searched for the key first, and for a free or the oldest slot only if it is not there: a
/// look-up that finds its key, as most do, compares no access time.)
fn find_way(holds: impl Fn(usize) -> Option<bool>, stamp: impl Fn(usize) -> f64) -> Way {
    let mut free = None;
    for i in 0..WAYS {
        match holds(i) {
            Some(true) => return Way::Hit(i),
            Some(false) => {}
            None => {
                if free.is_none() {
                    free = Some(i);
                }
            }
        }
    }
    if let Some(i) = free {
        return Way::Free(i);
    }
    let (mut oldest, mut oldest_stamp) = (0, f64::INFINITY);
    for i in 0..WAYS {
        let t = stamp(i);
        if t < oldest_stamp {
            (oldest, oldest_stamp) = (i, t);
        }
    }
    Way::Evict(oldest)
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

    impl<K: Copy + Eq + Default, V: Clone + Default> SetAssoc<K, V> {
        /// A table at full size from the start: the reference a growing table must match.
        fn fixed(capacity: usize) -> SetAssoc<K, V> {
            let full = full_sets(capacity);
            SetAssoc::with_sets(full, full)
        }

        /// Per slot of the table at full size, the entry it holds (key, value, access time):
        /// where it is now at full size, where it will be while growing.
        fn layout(&self) -> Vec<Option<(K, V, f64)>> {
            let mut out = vec![None; self.capacity()];
            for (s, head) in self.heads.iter().enumerate() {
                for w in 0..WAYS {
                    if head.tags[w] != 0 {
                        let i = s * WAYS + w;
                        let at = if self.set_mask < self.full_mask {
                            let word = self.homes[i];
                            (word & HOME_MASK) as usize * WAYS + (word >> WAY_SHIFT) as usize
                        } else {
                            i
                        };
                        assert!(out[at].is_none(), "two entries at full-size slot {at}");
                        out[at] = Some((self.keys[i], self.vals[i].clone(), head.stamps[w]));
                    }
                }
            }
            out
        }
    }

    impl StampSet {
        /// A set at full size from the start: the reference a growing set must match.
        fn fixed(capacity: usize) -> StampSet {
            let full = full_sets(capacity);
            StampSet::with_sets(full, full)
        }

        /// Per slot at full size, the key it holds and its access time (see
        /// `SetAssoc::layout`).
        fn layout(&self) -> Vec<Option<(u64, f64)>> {
            let mut out = vec![None; self.capacity()];
            for (s, set) in self.sets.iter().enumerate() {
                for w in 0..WAYS {
                    if set.keys[w] != 0 {
                        let i = s * WAYS + w;
                        let at = if self.set_mask < self.full_mask {
                            let word = self.homes[i];
                            (word & HOME_MASK) as usize * WAYS + (word >> WAY_SHIFT) as usize
                        } else {
                            i
                        };
                        assert!(out[at].is_none(), "two keys at full-size slot {at}");
                        out[at] = Some((set.keys[w], set.stamps[w]));
                    }
                }
            }
            out
        }
    }

    /// A hash for `key` whose set bits are cut to `set_bits` bits (crowding keys into few
    /// sets at full size) unless `set_bits` is 64.
    fn crowded_hash(key: u64, set_bits: u32) -> u64 {
        let h = mix(key ^ 0x5eed);
        if set_bits >= 57 {
            h
        } else {
            h & !(((1u64 << (57 - set_bits)) - 1) << (7 + set_bits))
        }
    }

    #[test]
    fn a_growing_table_finds_every_entry_it_holds_after_each_doubling() {
        let mut t: SetAssoc<u64, u64> = SetAssoc::new(1 << 14);
        assert!(t.allocated_bytes() < t.memory_bytes() / 64, "starts small");
        let mut sets = t.set_mask + 1;
        let mut inserted = Vec::new();
        let mut x = 11u64;
        while t.set_mask < t.full_mask {
            x = mix(x);
            let key = x | 1;
            *t.touch(key, mix(key), inserted.len() as f64).val = key ^ 0xabc;
            inserted.push(key);
            if t.set_mask + 1 != sets {
                sets = t.set_mask + 1;
                for (i, k) in inserted.iter().enumerate() {
                    assert_eq!(t.get(k, mix(*k)), Some(&(k ^ 0xabc)), "after {sets} sets");
                    let e = t.touch(*k, mix(*k), 1e9);
                    assert_eq!(e.prev_stamp, Some(i as f64));
                    *t.get_mut(k, mix(*k), i as f64).unwrap() += 0; // stamp back
                }
            }
        }
        assert_eq!(t.evictions(), 0, "no eviction while growing");
        assert_eq!(t.len(), inserted.len());
        for k in &inserted {
            assert_eq!(t.get(k, mix(*k)), Some(&(k ^ 0xabc)));
        }
        assert!(
            t.homes.capacity() == 0,
            "the words kept while growing are dropped"
        );
    }

    /// Run one random sequence of touches (each key, half the time, the one touched before:
    /// the slot remembered), look-ups and removals through a table, touched as
    /// [`SetAssoc::touch`] touches, and another whose every touch searches its set, and
    /// compare every answer, the slots' layout, the counts and evictions after every step.
    fn same_as_searched(capacity: usize, keys: u64, set_bits: u32, seed: u64) {
        let mut t: SetAssoc<u64, u32> = SetAssoc::new(capacity);
        let mut r: SetAssoc<u64, u32> = SetAssoc::new(capacity);
        let (mut x, mut key, mut hits) = (seed, 1, 0);
        for i in 0..30_000u32 {
            x = mix(x);
            if x >> 63 == 0 {
                key = x % keys + 1;
            }
            let h = crowded_hash(key, set_bits);
            let now = f64::from(i / 8);
            match (x >> 40) % 16 {
                0 => {
                    t.remove(&key, h);
                    r.remove(&key, h);
                }
                1 => {
                    let (a, b) = (t.get_mut(&key, h, now), r.get_mut(&key, h, now));
                    assert_eq!(a.as_deref(), b.as_deref(), "step {i}");
                    if let (Some(a), Some(b)) = (a, b) {
                        (*a, *b) = (i, i);
                    }
                }
                _ => {
                    let last = t.last;
                    hits += u32::from(last != NO_SLOT && t.find(&key, h) == Some(last));
                    let (a, b) = (t.touch(key, h, now), r.touch_searched(key, h, now));
                    assert_eq!(a.prev_stamp, b.prev_stamp, "step {i}");
                    assert_eq!(*a.val, *b.val, "step {i}");
                    *a.val += i;
                    *b.val += i;
                }
            }
            assert_eq!(t.layout(), r.layout(), "step {i}");
            assert_eq!(
                (t.len(), t.evictions(), t.set_mask),
                (r.len(), r.evictions(), r.set_mask),
                "step {i}"
            );
        }
        assert!(hits > 5_000, "{hits} touches of the slot remembered");
    }

    #[test]
    fn a_touch_of_the_slot_remembered_is_a_touch_that_searches() {
        // roomy, crowded into a few sets (evicting), and a table that grows meanwhile
        for (capacity, keys, set_bits, seed) in [
            (64, 40, 64, 1),
            (64, 500, 2, 2),
            (256, 5_000, 3, 3),
            (1 << 12, 3_000, 64, 4),
            (8, 30, 64, 5),
        ] {
            same_as_searched(capacity, keys, set_bits, seed);
        }
    }

    /// Run one random sequence of touches, look-ups and removals through a growing table and a
    /// full-size one and compare everything after every step.
    fn same_as_fixed(capacity: usize, keys: u64, set_bits: u32, seed: u64) {
        let mut g: SetAssoc<u64, u32> = SetAssoc::new(capacity);
        let mut f: SetAssoc<u64, u32> = SetAssoc::fixed(capacity);
        let mut gs = StampSet::new(capacity);
        let mut fs = StampSet::fixed(capacity);
        assert_eq!(g.memory_bytes(), f.memory_bytes());
        assert_eq!(g.capacity(), f.capacity());
        assert_eq!(gs.memory_bytes(), fs.memory_bytes());
        let mut x = seed;
        for i in 0..30_000u32 {
            x = mix(x);
            let key = x % keys + 1;
            let h = crowded_hash(key, set_bits);
            // coarse times: many entries share an access time, so LRU ties are broken by way
            let now = f64::from(i / 16);
            match (x >> 40) % 16 {
                0 => {
                    g.remove(&key, h);
                    f.remove(&key, h);
                }
                1 => assert_eq!(g.get(&key, h), f.get(&key, h), "step {i}"),
                2 => {
                    let (a, b) = (g.get_mut(&key, h, now), f.get_mut(&key, h, now));
                    assert_eq!(a.as_deref(), b.as_deref(), "step {i}");
                    if let (Some(a), Some(b)) = (a, b) {
                        (*a, *b) = (i, i);
                    }
                }
                _ => {
                    g.prefetch(h);
                    g.prefetch_slot(h);
                    let (a, b) = (g.touch(key, h, now), f.touch(key, h, now));
                    assert_eq!(a.prev_stamp, b.prev_stamp, "step {i}");
                    assert_eq!(*a.val, *b.val, "step {i}");
                    *a.val += i;
                    *b.val += i;
                }
            }
            gs.prefetch(h);
            assert_eq!(gs.touch(key, h, now), fs.touch(key, h, now), "step {i}");
            assert_eq!(g.layout(), f.layout(), "step {i}");
            assert_eq!(gs.layout(), fs.layout(), "step {i}");
            assert_eq!((g.len(), g.evictions()), (f.len(), f.evictions()));
            assert_eq!((gs.len(), gs.evictions()), (fs.len(), fs.evictions()));
            assert!(g.allocated_bytes() <= g.memory_bytes(), "step {i}");
            assert!(gs.allocated_bytes() <= gs.memory_bytes(), "step {i}");
        }
        assert!(
            f.evictions() > 0 && fs.evictions() > 0,
            "the sequence evicts"
        );
        assert_eq!(g.set_mask, g.full_mask);
        assert_eq!(g.allocated_bytes(), f.allocated_bytes());
    }

    #[test]
    fn a_growing_table_evicts_exactly_what_a_full_size_table_evicts() {
        // keys spread over all sets, many more keys than slots
        same_as_fixed(256, 1000, 64, 1);
        same_as_fixed(1024, 3000, 64, 2);
        // keys crowded into few sets at full size: sets overflow while the table is small
        same_as_fixed(1024, 400, 2, 3);
        same_as_fixed(2048, 200, 0, 4);
        // a single set, and fewer sets than a table starts with
        same_as_fixed(WAYS, 50, 64, 5);
        same_as_fixed(64, 300, 64, 6);
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
        // the bound is what a table allocated at full size holds, and what this one now does
        assert_eq!(before, 128 * 96 + 1024 * (16 + 64));
        assert_eq!(t.allocated_bytes(), before);
        let s = StampSet::new(1000);
        assert_eq!(s.memory_bytes(), 128 * 128);
        assert!(s.allocated_bytes() < s.memory_bytes());
    }

    #[test]
    fn allocated_memory_never_exceeds_the_bound_while_growing() {
        let mut t: SetAssoc<u128, [f32; 16]> = SetAssoc::new(65536);
        let mut s = StampSet::new(65536);
        let start = t.allocated_bytes();
        assert!(start * 100 < t.memory_bytes(), "{start}");
        for i in 0..200_000u32 {
            let k = ip_key(IpAddr::from(i.to_be_bytes()));
            t.touch(k, hash_key(1, k), f64::from(i));
            s.touch(u64::from(i) + 1, hash_key(2, k), f64::from(i));
            assert!(t.allocated_bytes() <= t.memory_bytes());
            assert!(s.allocated_bytes() <= s.memory_bytes());
        }
        assert_eq!(
            t.allocated_bytes(),
            t.memory_bytes(),
            "a flood grows it to full size"
        );
        assert_eq!(s.allocated_bytes(), s.memory_bytes());
    }
}
