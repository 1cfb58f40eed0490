//! A capture's timeline: records whose timestamps are out of line, and the points where the
//! capture's clock goes back for good.
//!
//! The detector's state (damped statistics, episodes, the rules' windows) runs on the
//! capture's clock and needs it to go forward. Within a capture, small steps back (packets of
//! two interfaces written a little out of order) are harmless: each stage takes a time before
//! its clock as its clock. Two things are not:
//!
//! * **A clock that goes back for good.** Captures concatenated out of order (`mergecap -a`
//!   of a ring buffer's files in name order, a day's file after the next day's), or a capture
//!   host whose clock was stepped back. Taken at the last time, every packet after the step
//!   would carry that time until the capture's clock caught up again: alerts with wrong times
//!   and no duration, and the attacks of two periods merged into one episode. At such a point
//!   the engine restarts instead ([`crate::detect::Engine`]): every open episode ends (its
//!   alert is reported), and the state starts afresh, as for a new capture.
//! * **A single record out of line.** One record stamped far from its neighbours (a zero or
//!   garbled timestamp in a damaged capture, a driver's bad stamp). Taken as it is, one far in
//!   the future would move every stage's clock there and the rest of the capture would be
//!   "before" it. Such a record is taken at the time of the record before it (its neighbour's
//!   for the first record), and counted.
//!
//! Smaller steps back, of more than [`STEP_BACK`] seconds and up to [`OUT_OF_LINE`], are
//! taken at the clock's time as any step back is, and counted ([`TimelineStats::steps_back`]):
//! a sensor's clock stepped back by a few seconds, or files merged out of order by that much,
//! leaves the packets behind it at one instant, and the user is told that rates there may be
//! off.
//!
//! Which of the two a step is, is told by the records after it: a step of more than
//! [`OUT_OF_LINE`] seconds (back, or forward) starts a new period when most of the next
//! [`LOOKAHEAD`] records follow the record that stepped; when most of them stay with the
//! records before it, that record alone was out of line. A step forward that the records
//! after it follow is simply a quiet period and changes nothing.
//!
//! Pure logic over an iterator of records: [`Timeline`] yields the records of one period and
//! then `None` ([`Timeline::restarted`] says whether a new period follows;
//! [`Timeline::resume`] goes on with it).

use std::collections::VecDeque;

use nightjar_packet::{PacketError, Record};

/// Seconds a record's time may differ from the capture's clock before it is a step to be
/// judged (a new period, or a record out of line). Records of two interfaces written out of
/// order, or a clock slewed by NTP, differ by far less; a ring buffer's files or a day's
/// captures concatenated out of order by minutes or more.
pub const OUT_OF_LINE: f64 = 10.0;

/// Seconds a record's time may be before the record's before it without counting as a step
/// back ([`TimelineStats::steps_back`]): packets of two interfaces or NIC queues written out
/// of order differ by milliseconds.
pub const STEP_BACK: f64 = 1.0;

/// Records read after a step to judge it (most of them decide).
pub const LOOKAHEAD: usize = 8;

/// Counts of what a [`Timeline`] found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimelineStats {
    /// Points where the capture's clock went back by more than [`OUT_OF_LINE`] seconds for
    /// good: each started a new period.
    pub restarts: u64,
    /// Records out of line with those around them, taken at their neighbour's time.
    pub out_of_line: u64,
    /// Records stamped more than [`STEP_BACK`] and at most [`OUT_OF_LINE`] seconds before the
    /// record before them (points where the clock stepped back a little).
    pub steps_back: u64,
}

/// The records of an iterator, period by period (module documentation).
#[derive(Debug)]
pub struct Timeline<I> {
    inner: I,
    /// Records read ahead to judge a step, in capture order.
    ahead: VecDeque<Result<Record, PacketError>>,
    /// The latest time of the period so far (`-inf` before its first record).
    clock: f64,
    /// The time the record before was yielded at (`-inf` before the period's first).
    last: f64,
    /// A new period begins at the front of `ahead`; nothing is yielded until
    /// [`Timeline::resume`].
    stopped: bool,
    stats: TimelineStats,
}

impl<I> Timeline<I>
where
    I: Iterator<Item = Result<Record, PacketError>>,
{
    /// The timeline of `inner`'s records.
    pub fn new(inner: I) -> Timeline<I> {
        Timeline {
            inner,
            ahead: VecDeque::with_capacity(LOOKAHEAD + 1),
            clock: f64::NEG_INFINITY,
            last: f64::NEG_INFINITY,
            stopped: false,
            stats: TimelineStats::default(),
        }
    }

    /// Whether the iteration stopped because a new period begins (not at the end).
    pub fn restarted(&self) -> bool {
        self.stopped
    }

    /// Go on with the next period (after [`Timeline::restarted`]).
    pub fn resume(&mut self) {
        self.stopped = false;
    }

    /// What was found so far.
    pub fn stats(&self) -> TimelineStats {
        self.stats
    }

    /// Read records ahead until [`LOOKAHEAD`] timestamps are known (or the input ends, or an
    /// error comes: nothing is read past it).
    fn read_ahead(&mut self) {
        while self.ahead.len() < LOOKAHEAD {
            if matches!(self.ahead.back(), Some(Err(_))) {
                return;
            }
            match self.inner.next() {
                Some(r) => self.ahead.push_back(r),
                None => return,
            }
        }
    }

    /// Of the records read ahead with a usable time: how many, and how many go with a step
    /// to `t` rather than with the records before it: after a step back, those that stay
    /// more than [`OUT_OF_LINE`] before the clock; after a step forward (or at the first
    /// record), those not more than [`OUT_OF_LINE`] before `t`.
    fn follow(&self, t: f64) -> (usize, usize) {
        let back = self.clock.is_finite() && t < self.clock;
        let times = self.ahead.iter().filter_map(|r| match r {
            Ok(r) if r.ts().is_finite() => Some(r.ts()),
            _ => None,
        });
        let mut n = 0;
        let mut with = 0;
        for u in times {
            n += 1;
            let goes_with = if back {
                u < self.clock - OUT_OF_LINE
            } else {
                u >= t - OUT_OF_LINE
            };
            if goes_with {
                with += 1;
            }
        }
        (n, with)
    }
}

/// Set a record's timestamp.
fn set_ts(r: &mut Record, t: f64) {
    match r {
        Record::Packet(p) => p.ts = t,
        Record::Arp(a) => a.ts = t,
        Record::Undecoded { ts, .. } => *ts = t,
    }
}

impl<I> Iterator for Timeline<I>
where
    I: Iterator<Item = Result<Record, PacketError>>,
{
    type Item = Result<Record, PacketError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.stopped {
            return None;
        }
        let mut r = if self.ahead.is_empty() {
            self.inner.next()?
        } else {
            self.ahead.pop_front()?
        };
        let t = match &r {
            Ok(rec) => rec.ts(),
            Err(_) => return Some(r),
        };
        // in line with the clock (the common case; a NaN time is left to the stages)
        if !(t < self.clock - OUT_OF_LINE || t > self.clock + OUT_OF_LINE) {
            if t < self.last - STEP_BACK {
                self.stats.steps_back += 1;
            }
            self.last = t;
            self.clock = self.clock.max(t);
            return Some(r);
        }
        let step = t - self.clock;
        let Ok(rec) = &mut r else {
            return Some(r);
        };
        if !t.is_finite() {
            return Some(r);
        }
        // the first record, or a step: the records after it tell which
        self.read_ahead();
        let (n, with) = self.follow(t);
        if n == 0 || 2 * with > n {
            // they follow it: the capture's first period, a quiet period, or a new period
            if self.clock.is_finite() && step < 0.0 {
                self.stats.restarts += 1;
                self.stopped = true;
                self.clock = f64::NEG_INFINITY;
                self.last = f64::NEG_INFINITY;
                self.ahead.push_front(r);
                return None;
            }
            self.clock = t;
            self.last = t;
            return Some(r);
        }
        // most of them do not: this record alone is out of line
        self.stats.out_of_line += 1;
        let at = if self.clock.is_finite() {
            self.clock
        } else {
            // the first record: its neighbour's time
            self.ahead
                .iter()
                .find_map(|r| match r {
                    Ok(r) if r.ts().is_finite() => Some(r.ts()),
                    _ => None,
                })
                .unwrap_or(t)
        };
        set_ts(rec, at);
        self.clock = at;
        self.last = at;
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(index: u64, ts: f64) -> Result<Record, PacketError> {
        Ok(Record::Undecoded {
            index,
            ts,
            wire_len: 60,
            reason: "non-IP EtherType",
        })
    }

    fn of(times: &[f64]) -> Vec<Result<Record, PacketError>> {
        times
            .iter()
            .enumerate()
            .map(|(i, &t)| rec(i as u64, t))
            .collect()
    }

    /// The periods a timeline cuts `times` into: each as (index, time) pairs.
    fn periods(times: &[f64]) -> (Vec<Vec<(u64, f64)>>, TimelineStats) {
        let mut tl = Timeline::new(of(times).into_iter());
        let mut out = Vec::new();
        loop {
            let p: Vec<(u64, f64)> = tl
                .by_ref()
                .map(|r| {
                    let r = r.expect("no error");
                    (r.index(), r.ts())
                })
                .collect();
            out.push(p);
            if !tl.restarted() {
                break;
            }
            tl.resume();
        }
        (out, tl.stats())
    }

    fn corrupt() -> PacketError {
        PacketError::Corrupt {
            offset: 1234,
            records: 5,
            detail: "record length 4294967295 past the end".into(),
        }
    }

    fn ramp(from: f64, n: usize) -> Vec<f64> {
        (0..n).map(|i| from + i as f64 * 0.5).collect()
    }

    #[test]
    fn a_capture_in_order_is_one_period_unchanged() {
        let times = [ramp(1000.0, 20), ramp(5000.0, 20)].concat(); // a quiet hour between
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].iter().map(|x| x.1).collect::<Vec<_>>(), times);
        assert_eq!(st, TimelineStats::default());
    }

    #[test]
    fn small_steps_back_are_left_to_the_stages() {
        // 0.3 s back (two interfaces' packets out of order) is not counted; 6 s back is a
        // step back, counted, and left to the stages as well
        let times = [100.0, 100.5, 100.2, 101.0, 95.0, 101.5, 102.0];
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].iter().map(|x| x.1).collect::<Vec<_>>(), times);
        let one = TimelineStats {
            steps_back: 1,
            ..TimelineStats::default()
        };
        assert_eq!(st, one);
        let (_, st) = periods(&[100.0, 100.5, 100.2, 101.0, 100.1, 101.5]);
        assert_eq!(st, TimelineStats::default());
    }

    #[test]
    fn a_clock_stepped_back_a_few_seconds_is_counted_once_and_changes_nothing() {
        // a sensor's clock stepped back by 5 s and going on from there (session 21's
        // `lab/impair.py step --delta -5`): one step back, no new period, no time changed
        let times = [ramp(1000.0, 20), ramp(1004.0, 20)].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].iter().map(|x| x.1).collect::<Vec<_>>(), times);
        assert_eq!((st.steps_back, st.restarts, st.out_of_line), (1, 0, 0));
        // twice, 3 s back each time
        let times = [ramp(1000.0, 10), ramp(1001.5, 10), ramp(1003.0, 10)].concat();
        assert_eq!(periods(&times).1.steps_back, 2);
    }

    #[test]
    fn a_clock_that_goes_back_for_good_starts_a_new_period() {
        // a later file first, then the earlier one (mergecap -a in the wrong order)
        let times = [ramp(2000.0, 30), ramp(1000.0, 30)].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].len(), 30);
        assert_eq!(p[1].len(), 30);
        assert_eq!(
            p[1][0],
            (30, 1000.0),
            "the new period begins with the step's record"
        );
        assert_eq!(st.restarts, 1);
        assert_eq!(st.out_of_line, 0);
        // nothing lost, nothing reordered, no time changed
        let all: Vec<(u64, f64)> = p.concat();
        assert_eq!(all.len(), 60);
        assert!(all.iter().enumerate().all(|(i, x)| x.0 == i as u64));
        assert_eq!(all.iter().map(|x| x.1).collect::<Vec<_>>(), times);
    }

    #[test]
    fn three_files_concatenated_backwards_are_three_periods() {
        let times = [ramp(3000.0, 12), ramp(2000.0, 12), ramp(1000.0, 12)].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.iter().map(Vec::len).collect::<Vec<_>>(), [12, 12, 12]);
        assert_eq!(st.restarts, 2);
    }

    #[test]
    fn a_record_stamped_far_off_alone_takes_its_neighbours_time() {
        // one record of 1970 and one of the far future in the middle of a capture
        let mut times = ramp(1_700_000_000.0, 20);
        times[7] = 0.0;
        times[13] = 4_000_000_000.0;
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1, "no new period");
        assert_eq!(st.out_of_line, 2);
        assert_eq!(st.restarts, 0);
        assert_eq!(p[0][7].1, times[6], "taken at the time before it");
        assert_eq!(p[0][13].1, times[12]);
        assert_eq!(p[0][14].1, times[14], "the rest unchanged");
        assert_eq!(p[0].len(), 20);
    }

    #[test]
    fn a_first_record_out_of_line_takes_the_next_ones_time() {
        let mut times = ramp(500.0, 10);
        times[0] = 4_000_000_000.0;
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(st.out_of_line, 1);
        assert_eq!(p[0][0].1, 500.5);
        assert_eq!(p[0][1].1, 500.5);
        // one stamped in 1970 before the rest only opens the capture early: left as it is
        times[0] = 0.0;
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(st, TimelineStats::default());
        assert_eq!(p[0][0].1, 0.0);
    }

    #[test]
    fn a_sparse_capture_is_not_out_of_line() {
        // a probe every 15 s (nmap -T1), then a pause of a minute, then more
        let times: Vec<f64> = (0..20)
            .map(|i| 1000.0 + 15.0 * i as f64 + if i >= 10 { 60.0 } else { 0.0 })
            .collect();
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(st, TimelineStats::default());
        assert_eq!(p[0].iter().map(|x| x.1).collect::<Vec<_>>(), times);
        // and the same sparse capture after a later one: one restart, nothing out of line
        let times = [ramp(5000.0, 10), times].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.iter().map(Vec::len).collect::<Vec<_>>(), [10, 20]);
        assert_eq!(st.restarts, 1);
        assert_eq!(st.out_of_line, 0);
    }

    #[test]
    fn a_step_at_the_very_end_is_judged_by_nothing_and_taken_as_a_new_period() {
        let times = [ramp(2000.0, 10), vec![1000.0]].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.iter().map(Vec::len).collect::<Vec<_>>(), [10, 1]);
        assert_eq!(st.restarts, 1);
        // forward at the very end: a quiet period
        let times = [ramp(2000.0, 10), vec![9000.0]].concat();
        let (p, st) = periods(&times);
        assert_eq!(p.len(), 1);
        assert_eq!(st, TimelineStats::default());
    }

    #[test]
    fn errors_and_unusable_times_pass_through_and_reading_stops_at_an_error() {
        let mut v = of(&ramp(100.0, 5));
        v.insert(
            2,
            Ok(Record::Undecoded {
                index: 99,
                ts: f64::NAN,
                wire_len: 1,
                reason: "non-IP EtherType",
            }),
        );
        v.push(Err(corrupt()));
        v.push(rec(7, 50.0)); // the engine stops at the error: not read ahead of it
        let mut tl = Timeline::new(v.into_iter());
        let got: Vec<_> = tl.by_ref().take(7).collect();
        assert_eq!(got.len(), 7);
        assert!(got[2].as_ref().is_ok_and(|r| r.ts().is_nan()));
        assert!(got[6].is_err());
        assert!(!tl.restarted());
        // a step judged while an error is ahead: only the records before the error count
        let mut v = of(&[2000.0, 2000.5, 2001.0, 2001.5, 1000.0]);
        v.push(Err(corrupt()));
        let mut tl = Timeline::new(v.into_iter());
        assert_eq!(tl.by_ref().count(), 4);
        assert!(tl.restarted());
        tl.resume();
        let rest: Vec<_> = tl.by_ref().collect();
        assert_eq!(rest.len(), 2);
        assert!(rest[1].is_err());
    }
}
