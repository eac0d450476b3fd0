//! The lunar months themselves: month 11 at the December solstice, the leap month where a
//! year has 13, each month's first day and length, computed once per UTC offset and cached. Pure
//! astronomy and arithmetic: no clock, files or database.

use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};

use super::astronomy::*;
use super::{LunarDate, VIETNAM_UTC_OFFSET};

// ---------------------------------------------------------------------------
// Month tables
// ---------------------------------------------------------------------------

/// First day of one lunar month and its name.
#[derive(Debug, Clone, Copy)]
pub(super) struct MonthStart {
    /// Julian day number of day 1.
    pub(super) day: i64,
    pub(super) year: i32,
    pub(super) month: u8,
    pub(super) leap: bool,
}

impl MonthStart {
    /// Sort key; increases with time because a leap month follows the
    /// ordinary month of the same number.
    pub(super) fn key(&self) -> (i32, u8, bool) {
        (self.year, self.month, self.leap)
    }
}

/// Consecutive lunar months, from month 11 of a year to month 10 (or its
/// leap month) of a later year.
#[derive(Debug)]
pub(super) struct MonthTable {
    pub(super) months: Vec<MonthStart>,
    /// Julian day number of the day after the last month.
    pub(super) end: i64,
}

impl MonthTable {
    /// The months of the cycles that start at month 11 of each of `years`.
    pub(super) fn build(years: RangeInclusive<i32>, utc_offset: f64) -> Self {
        let mut months = Vec::with_capacity(years.clone().count() * 13);
        let mut start = month11_lunation(i64::from(*years.start()), utc_offset);
        for year in years {
            let end = month11_lunation(i64::from(year) + 1, utc_offset);
            push_cycle(&mut months, year, start..=end, utc_offset);
            start = end;
        }
        Self {
            months,
            end: new_moon_day(start, utc_offset),
        }
    }

    /// The lunar date of a Julian day number, None outside the table.
    pub(super) fn locate(&self, day: i64) -> Option<LunarDate> {
        let index = self
            .months
            .partition_point(|m| m.day <= day)
            .checked_sub(1)?;
        let month = self.months.get(index)?;
        if day >= self.month_end(index) {
            return None;
        }
        let day_of_month = u8::try_from(day - month.day + 1).ok()?;
        Some(LunarDate::new(
            month.year,
            month.month,
            day_of_month,
            month.leap,
        ))
    }

    /// First day and length of a month, None if it is not in the table.
    pub(super) fn bounds(&self, year: i32, month: u8, leap: bool) -> Option<(i64, u8)> {
        let index = self
            .months
            .binary_search_by(|m| m.key().cmp(&(year, month, leap)))
            .ok()?;
        let start = self.months.get(index)?.day;
        let length = u8::try_from(self.month_end(index) - start).ok()?;
        Some((start, length))
    }

    /// The number of the leap month of a lunar year in the table.
    pub(super) fn leap_month(&self, year: i32) -> Option<u8> {
        let first = self.months.partition_point(|m| m.year < year);
        self.months
            .iter()
            .skip(first)
            .take_while(|m| m.year == year)
            .find(|m| m.leap)
            .map(|m| m.month)
    }

    /// First day after the month at `index`.
    pub(super) fn month_end(&self, index: usize) -> i64 {
        self.months.get(index + 1).map_or(self.end, |next| next.day)
    }
}

/// Appends the months from month 11 of `year` (new moon `lunations.start()`)
/// up to, not including, month 11 of the next year (`lunations.end()`),
/// naming them 11, 12, 1, … 10 with the leap month, if any, inserted.
pub(super) fn push_cycle(
    months: &mut Vec<MonthStart>,
    year: i32,
    lunations: RangeInclusive<i64>,
    utc_offset: f64,
) {
    let starts: Vec<i64> = lunations.map(|k| new_moon_day(k, utc_offset)).collect();
    let count = starts.len().saturating_sub(1);
    let leap_index = (count > 12)
        .then(|| first_month_without_major_term(&starts, utc_offset).unwrap_or(count - 1));
    for (index, &day) in starts.iter().take(count).enumerate() {
        // Position among the ordinary months: 0 is month 11, 2 is month 1.
        let (position, leap) = match leap_index {
            Some(leap_index) if index >= leap_index => (index - 1, index == leap_index),
            _ => (index, false),
        };
        months.push(MonthStart {
            day,
            year: if position < 2 { year } else { year + 1 },
            month: ((position + 10) % 12 + 1) as u8,
            leap,
        });
    }
}

/// Index of the first month after month 11 (index 0) that contains no major
/// solar term, given the first days of the months and of the month after.
pub(super) fn first_month_without_major_term(starts: &[i64], utc_offset: f64) -> Option<usize> {
    let sectors: Vec<i64> = starts.iter().map(|&d| sun_sector(d, utc_offset)).collect();
    sectors
        .windows(2)
        .enumerate()
        .skip(1)
        .find(|(_, pair)| pair[0] == pair[1])
        .map(|(index, _)| index)
}

/// Cycles kept in the cache: they hold every month of lunar years 1899–2101
/// and every day of solar years 1899–2101.
pub(super) const CACHED_CYCLES: RangeInclusive<i32> = 1898..=2101;

/// Offsets whose tables are kept; the controller uses one, tests two.
pub(super) const MAX_CACHED_OFFSETS: usize = 4;

/// Month tables of [`CACHED_CYCLES`], one per UTC offset (keyed by its bits).
pub(super) static CACHE: Mutex<Vec<(u64, Arc<MonthTable>)>> = Mutex::new(Vec::new());

/// A table holding every day of solar year `year` and every month of lunar
/// year `year`: the cached one when possible, otherwise one built for it.
pub(super) fn months_for(year: i32, utc_offset: f64) -> Arc<MonthTable> {
    let offset = sanitize_offset(utc_offset);
    let cycles = year.saturating_sub(1)..=year;
    if CACHED_CYCLES.contains(cycles.start()) && CACHED_CYCLES.contains(cycles.end()) {
        cached_table(offset)
    } else {
        Arc::new(MonthTable::build(cycles, offset))
    }
}

/// The cached table for an offset, built on first use.
pub(super) fn cached_table(offset: f64) -> Arc<MonthTable> {
    let key = offset.to_bits();
    // A panic elsewhere cannot leave the list half-updated, so a poisoned
    // lock is still usable.
    let mut tables = CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, table)) = tables.iter().find(|(k, _)| *k == key) {
        return Arc::clone(table);
    }
    let table = Arc::new(MonthTable::build(CACHED_CYCLES, offset));
    if tables.len() >= MAX_CACHED_OFFSETS {
        tables.remove(0);
    }
    tables.push((key, Arc::clone(&table)));
    table
}

/// Keeps the formulas meaningful: real offsets lie within −12…+14 hours.
pub(super) fn sanitize_offset(utc_offset: f64) -> f64 {
    if utc_offset.is_finite() {
        utc_offset.clamp(-12.0, 14.0)
    } else {
        VIETNAM_UTC_OFFSET
    }
}

/// First day and length of a lunar month, None if it does not exist.
pub(super) fn month_bounds(year: i32, month: u8, leap: bool, utc_offset: f64) -> Option<(i64, u8)> {
    if !(1..=12).contains(&month) || !representable(year) {
        return None;
    }
    months_for(year, utc_offset).bounds(year, month, leap)
}
