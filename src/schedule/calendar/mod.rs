//! The Vietnamese lunar calendar (âm lịch): solar ↔ lunar date conversion,
//! month lengths, leap months and Can-Chi year names.
//!
//! This module owns every lunar-date computation of the controller. The
//! scheduler asks it which lunar day a solar day is (for the mùng 1 and rằm
//! announcements, Tết, Giỗ Tổ Hùng Vương, Trung thu…) and on which solar day a
//! lunar date falls; the LED panels show its short text form. It depends on
//! nothing else in the crate.
//!
//! # Why the UTC offset matters
//!
//! The calendar is astronomical, not tabular: a lunar month begins on the
//! *local* day that contains the new moon, and the month containing the
//! December solstice is month 11. Vietnam computes both for UTC+7 (the
//! 105° E meridian); China uses UTC+8. When a new moon or a solstice falls
//! between 16:00 and 17:00 UTC the two calendars disagree on the day, and
//! sometimes on a whole month: Tết 1985 was on 21 January in Vietnam but
//! 20 February in China, Tết 2007 on 17 February in Vietnam but 18 February in
//! China. So Vietnamese dates must always be computed with
//! [`VIETNAM_UTC_OFFSET`]; other offsets (e.g. [`CHINA_UTC_OFFSET`]) are for
//! comparison. History: North Vietnam moved its calendar from UTC+8 to UTC+7
//! in August 1967 (the South in 1976), so the dates actually used before
//! lunar year 1968 are essentially those of [`CHINA_UTC_OFFSET`]; with
//! [`VIETNAM_UTC_OFFSET`] earlier years get the modern rules projected back.
//!
//! # Algorithm
//!
//! Hồ Ngọc Đức's method applies these rules to computed new moons and solar
//! terms:
//!
//! 1. a month begins on the local day of the new moon;
//! 2. the month containing the December solstice is month 11;
//! 3. when 13 months separate two months 11, the first of them (after
//!    month 11) that contains no major solar term (trung khí) is a leap month
//!    and takes the number of the month before it.
//!
//! His short published sample code gets new moons wrong by a few minutes, which
//! moves a month whenever one falls within minutes of local midnight. Here
//! the moments come from fuller series (see the astronomy section below),
//! which agree with a JPL ephemeris to within seconds over 1900–2100.
//!
//! # Range and cost
//!
//! Results are verified for solar years 1900–2100 ([`SUPPORTED_YEARS`]). The
//! months of lunar years 1899–2101 are computed once per UTC offset (about
//! 2,500 months, a few milliseconds) and cached, so a conversion in that range
//! is a binary search. Outside it nothing is clamped and nothing fails: the
//! same formulas compute the months on each call (about 0.1 ms), but those
//! results are not verified and lose accuracy centuries away from today. The
//! `lunar_*` functions return `None` only for months and dates that do not
//! exist, which includes years no [`NaiveDate`] can hold.
//!
//! A handful of new moons in the range fall within a minute of midnight in
//! Hanoi. Decades ahead those depend on ΔT, the slowing of Earth's rotation,
//! which nobody can predict to the minute: this module follows the Espenak–Meeus
//! model, and so starts month 4 of 2054 on 8 May where Hồ Ngọc Đức's tables,
//! built with an older ΔT model, say 7 May.

use std::cmp::Ordering;
use std::fmt;
use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Vietnam's offset from UTC in hours, for the Vietnamese calendar.
pub const VIETNAM_UTC_OFFSET: f64 = 7.0;

/// China's offset from UTC in hours: gives the Chinese calendar, which is
/// what most printed "lunar calendars" show and which sometimes differs from
/// the Vietnamese one.
pub const CHINA_UTC_OFFSET: f64 = 8.0;

/// Solar years for which the results have been checked against published
/// tables and a JPL ephemeris. Outside them the functions still answer, with
/// unverified results (see the module docs).
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 1900..=2100;

/// A date of the lunar calendar.
///
/// `year` is the lunar year, which starts at Tết and so differs from the solar
/// year in January and February. `leap` marks the leap month (tháng nhuận)
/// that follows the ordinary month with the same number.
///
/// Ordering is chronological: a leap month sorts after the ordinary month of
/// the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LunarDate {
    /// Lunar year, e.g. 2026 for Bính Ngọ (starting 17 February 2026).
    pub year: i32,
    /// Month 1 (Giêng) to 12 (Chạp).
    pub month: u8,
    /// Day 1 to 29 or 30.
    pub day: u8,
    /// True in a leap month.
    pub leap: bool,
}

impl LunarDate {
    /// Builds a lunar date without checking that it exists; use
    /// [`lunar_to_solar`] to find out.
    #[must_use]
    pub const fn new(year: i32, month: u8, day: u8, leap: bool) -> Self {
        Self {
            year,
            month,
            day,
            leap,
        }
    }

    /// Full Vietnamese text for announcements and the web UI, e.g.
    /// "Mùng 1 tháng Giêng năm Bính Ngọ", "Ngày 15 tháng 8 năm Ất Tỵ",
    /// "Ngày 20 tháng 2 nhuận năm Quý Mão".
    #[must_use]
    pub fn to_vietnamese(&self) -> String {
        let day = if self.day <= 10 {
            format!("Mùng {}", self.day)
        } else {
            format!("Ngày {}", self.day)
        };
        format!(
            "{day} tháng {}{} năm {}",
            month_name(self.month),
            if self.leap { " nhuận" } else { "" },
            year_name(self.year)
        )
    }

    /// Compact text for small LED panels: "15/8", "3/4N" in a leap month, and
    /// on New Year's day the year name as well: "1/1 Bính Ngọ".
    #[must_use]
    pub fn short(&self) -> String {
        if self.month == 1 && self.day == 1 && !self.leap {
            self.short_with_year()
        } else {
            self.day_month()
        }
    }

    /// Compact text that always names the year, e.g. "15/8 Ất Tỵ", for
    /// panels wide enough to show it.
    #[must_use]
    pub fn short_with_year(&self) -> String {
        format!("{} {}", self.day_month(), year_name(self.year))
    }

    /// "day/month", with an "N" (nhuận) after a leap month.
    fn day_month(&self) -> String {
        let leap = if self.leap { "N" } else { "" };
        format!("{}/{}{leap}", self.day, self.month)
    }

    /// The fields in chronological order, for comparisons.
    fn chronological_key(&self) -> (i32, u8, bool, u8) {
        (self.year, self.month, self.leap, self.day)
    }
}

impl fmt::Display for LunarDate {
    /// Same as [`LunarDate::to_vietnamese`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_vietnamese())
    }
}

impl Ord for LunarDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.chronological_key().cmp(&other.chronological_key())
    }
}

impl PartialOrd for LunarDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The lunar date of a solar day, for the calendar of the given UTC offset
/// (pass [`VIETNAM_UTC_OFFSET`] for Vietnam).
///
/// Never fails; a non-finite offset is taken as Vietnam's and others are
/// clamped to −12…+14 hours.
#[must_use]
pub fn solar_to_lunar(date: NaiveDate, utc_offset_hours: f64) -> LunarDate {
    let day = day_number(date);
    months_for(date.year(), utc_offset_hours)
        .locate(day)
        // Unreachable: the table for a year covers every day of that year.
        .unwrap_or(LunarDate::new(date.year(), 1, 1, false))
}

/// The solar day of a lunar date, so that lunar festivals can be scheduled.
///
/// None when that lunar date does not exist (day 30 of a 29-day month, a leap
/// month the year lacks, month 0/13, day 0…).
#[must_use]
pub fn lunar_to_solar(date: LunarDate, utc_offset_hours: f64) -> Option<NaiveDate> {
    if date.day == 0 {
        return None;
    }
    let (start, length) = month_bounds(date.year, date.month, date.leap, utc_offset_hours)?;
    if date.day > length {
        return None;
    }
    date_from_day_number(start + i64::from(date.day) - 1)
}

/// Days (29 or 30) in a lunar month, None if the month does not exist that
/// year: lets the scheduler move a "day 30" event to the last day of the month.
#[must_use]
pub fn lunar_month_length(year: i32, month: u8, leap: bool, utc_offset_hours: f64) -> Option<u8> {
    month_bounds(year, month, leap, utc_offset_hours).map(|(_, length)| length)
}

/// The leap month of a lunar year (e.g. 2023 has a leap 2nd month; 2025 a
/// leap 6th), if any: a year has 13 months when it has one.
#[must_use]
pub fn leap_month(year: i32, utc_offset_hours: f64) -> Option<u8> {
    if !representable(year) {
        return None;
    }
    months_for(year, utc_offset_hours).leap_month(year)
}

/// Can-Chi name of a lunar year in Vietnamese with diacritics, e.g. 2026 ->
/// "Bính Ngọ", 2025 -> "Ất Tỵ", 2024 -> "Giáp Thìn": how years are named in
/// announcements.
#[must_use]
pub fn year_name(lunar_year: i32) -> String {
    const STEMS: [&str; 10] = [
        "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý",
    ];
    const BRANCHES: [&str; 12] = [
        "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
    ];
    // Year 4 CE was Giáp Tý, the first of the 60-year cycle.
    let cycle_index = i64::from(lunar_year) - 4;
    let stem = STEMS[cycle_index.rem_euclid(10) as usize];
    let branch = BRANCHES[cycle_index.rem_euclid(12) as usize];
    format!("{stem} {branch}")
}

/// Month names as spoken: 1 is "Giêng", 12 is "Chạp", the others are numbers.
fn month_name(month: u8) -> String {
    match month {
        1 => "Giêng".to_owned(),
        12 => "Chạp".to_owned(),
        other => other.to_string(),
    }
}

mod astronomy;
mod months;

use astronomy::*;
use months::*;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    const VN: f64 = VIETNAM_UTC_OFFSET;
    const CN: f64 = CHINA_UTC_OFFSET;

    fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).expect("valid test date")
    }

    fn new_year(year: i32) -> LunarDate {
        LunarDate::new(year, 1, 1, false)
    }

    /// Tết in Vietnam, from Hồ Ngọc Đức's published tables (which agree with
    /// a JPL-ephemeris computation for UTC+7). Before 1968 only years where
    /// UTC+7 and the UTC+8 calendar then in use agree are listed.
    const TET_VIETNAM: [(i32, u32, u32); 44] = [
        (1900, 1, 31),
        (1901, 2, 19),
        (1906, 1, 25),
        (1912, 2, 18),
        (1920, 2, 20),
        (1924, 2, 5),
        (1930, 1, 30),
        (1940, 2, 8),
        (1945, 2, 13),
        (1950, 2, 17),
        (1954, 2, 3),
        (1960, 1, 28),
        (1968, 1, 29),
        (1975, 2, 11),
        (1976, 1, 31),
        (1980, 2, 16),
        (1985, 1, 21),
        (1990, 1, 27),
        (1995, 1, 31),
        (2000, 2, 5),
        (2007, 2, 17),
        (2010, 2, 14),
        (2015, 2, 19),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2030, 2, 2),
        (2033, 1, 31),
        (2040, 2, 12),
        (2050, 1, 23),
        (2053, 2, 18),
        (2060, 2, 2),
        (2070, 2, 11),
        (2080, 1, 22),
        (2090, 1, 30),
        (2096, 1, 25),
        (2099, 1, 21),
        (2100, 2, 9),
    ];

    #[test]
    fn tet_in_vietnam() {
        for (year, month, day) in TET_VIETNAM {
            let tet = ymd(year, month, day);
            assert_eq!(lunar_to_solar(new_year(year), VN), Some(tet), "Tết {year}");
            assert_eq!(solar_to_lunar(tet, VN), new_year(year), "{tet}");
            let eve = tet.pred_opt().expect("valid date");
            let last_day = solar_to_lunar(eve, VN);
            assert_eq!((last_day.year, last_day.month), (year - 1, 12), "{eve}");
        }
    }

    /// Years whose New Year differs between Vietnam (UTC+7) and China (UTC+8):
    /// Hồ Ngọc Đức lists 1968, 1985, 2007, 2030 and 2053.
    #[test]
    fn tet_differs_from_chinese_new_year() {
        let cases = [
            (1968, ymd(1968, 1, 29), ymd(1968, 1, 30)),
            (1985, ymd(1985, 1, 21), ymd(1985, 2, 20)),
            (2007, ymd(2007, 2, 17), ymd(2007, 2, 18)),
            (2030, ymd(2030, 2, 2), ymd(2030, 2, 3)),
            (2053, ymd(2053, 2, 18), ymd(2053, 2, 19)),
        ];
        for (year, vietnam, china) in cases {
            assert_eq!(
                lunar_to_solar(new_year(year), VN),
                Some(vietnam),
                "{year} VN"
            );
            assert_eq!(lunar_to_solar(new_year(year), CN), Some(china), "{year} CN");
            assert_eq!(solar_to_lunar(china, CN), new_year(year));
        }
        // Tết 1985 in Vietnam was a whole month earlier: on the Chinese New
        // Year the Vietnamese calendar was already at the first of month 2.
        assert_eq!(
            solar_to_lunar(ymd(1985, 2, 20), VN),
            LunarDate::new(1985, 2, 1, false)
        );
        assert_eq!(leap_month(1985, VN), Some(2));
        assert_eq!(leap_month(1985, CN), None);
        assert_eq!(leap_month(1984, CN), Some(10));
    }

    /// Before 1968 Vietnam used UTC+8 (China's time) for its calendar.
    #[test]
    fn historic_dates_need_utc8() {
        assert_eq!(lunar_to_solar(new_year(1965), CN), Some(ymd(1965, 2, 2)));
        // The new moon came at 23:35 Hanoi time on 1 February.
        assert_eq!(lunar_to_solar(new_year(1965), VN), Some(ymd(1965, 2, 1)));
    }

    #[test]
    fn festivals() {
        let cases = [
            // Giỗ Tổ Hùng Vương, 10/3.
            (LunarDate::new(2024, 3, 10, false), ymd(2024, 4, 18)),
            (LunarDate::new(2025, 3, 10, false), ymd(2025, 4, 7)),
            (LunarDate::new(2026, 3, 10, false), ymd(2026, 4, 26)),
            // Trung thu, 15/8.
            (LunarDate::new(2024, 8, 15, false), ymd(2024, 9, 17)),
            (LunarDate::new(2025, 8, 15, false), ymd(2025, 10, 6)),
        ];
        for (lunar, solar) in cases {
            assert_eq!(lunar_to_solar(lunar, VN), Some(solar), "{lunar:?}");
            assert_eq!(solar_to_lunar(solar, VN), lunar, "{solar}");
        }
    }

    #[test]
    fn leap_months() {
        let leap_years = [
            (1985, 2),
            (2001, 4),
            (2004, 2),
            (2006, 7),
            (2009, 5),
            (2012, 4),
            (2014, 9),
            (2017, 6),
            (2020, 4),
            (2023, 2),
            (2025, 6),
            (2028, 5),
            (2031, 3),
            (2033, 11),
            (2036, 6),
        ];
        for (year, month) in leap_years {
            assert_eq!(leap_month(year, VN), Some(month), "{year}");
            assert!(lunar_to_solar(LunarDate::new(year, month, 1, true), VN).is_some());
        }
        for year in [2021, 2022, 2024, 2026, 2027] {
            assert_eq!(leap_month(year, VN), None, "{year}");
        }
        // 2023's leap 2nd month began on 22 March 2023.
        let leap = LunarDate::new(2023, 2, 1, true);
        assert_eq!(lunar_to_solar(leap, VN), Some(ymd(2023, 3, 22)));
    }

    /// Month lengths of lunar year 2025 (leap 6th month), from Hồ Ngọc Đức's
    /// tables.
    #[test]
    fn month_lengths_2025() {
        let expected = [
            (1, false, 30),
            (2, false, 29),
            (3, false, 30),
            (4, false, 29),
            (5, false, 29),
            (6, false, 30),
            (6, true, 29),
            (7, false, 30),
            (8, false, 29),
            (9, false, 30),
            (10, false, 30),
            (11, false, 30),
            (12, false, 29),
        ];
        for (month, leap, days) in expected {
            assert_eq!(
                lunar_month_length(2025, month, leap, VN),
                Some(days),
                "{month}"
            );
        }
    }

    /// New moons within seconds of midnight, where Hồ Ngọc Đức's short
    /// formulas and the full series disagree; the answers agree with his
    /// published tables (2072, 2077) and the JPL DE421 ephemeris (1967).
    #[test]
    fn new_moons_near_midnight() {
        let cases = [
            (LunarDate::new(1967, 6, 1, false), ymd(1967, 7, 8)),
            (LunarDate::new(2072, 11, 1, false), ymd(2072, 12, 9)),
            (LunarDate::new(2077, 10, 1, false), ymd(2077, 11, 15)),
        ];
        for (lunar, solar) in cases {
            assert_eq!(lunar_to_solar(lunar, VN), Some(solar), "{lunar:?}");
        }
    }

    #[test]
    fn nonexistent_dates() {
        let missing = [
            LunarDate::new(2025, 2, 30, false), // month 2 has 29 days
            LunarDate::new(2025, 6, 30, true),  // so has the leap 6th month
            LunarDate::new(2024, 5, 1, true),   // 2024 has no leap month
            LunarDate::new(2025, 5, 1, true),   // 2025's leap month is the 6th
            LunarDate::new(2025, 0, 1, false),
            LunarDate::new(2025, 13, 1, false),
            LunarDate::new(2025, 1, 0, false),
            LunarDate::new(2025, 1, 31, false),
            LunarDate::new(i32::MAX, 1, 1, false),
            LunarDate::new(i32::MIN, 1, 1, false),
        ];
        for date in missing {
            assert_eq!(lunar_to_solar(date, VN), None, "{date:?}");
        }
        assert_eq!(
            lunar_to_solar(LunarDate::new(2025, 6, 30, false), VN),
            Some(ymd(2025, 7, 24))
        );
        assert_eq!(lunar_month_length(2024, 5, true, VN), None);
        assert_eq!(lunar_month_length(2024, 13, false, VN), None);
        assert_eq!(leap_month(i32::MAX, VN), None);
    }

    /// Every lunar year of the supported range has 12 months, or 13 with
    /// exactly one leap month, each 29 or 30 days long.
    #[test]
    fn lunar_years_are_well_formed() {
        for year in SUPPORTED_YEARS {
            let leap = leap_month(year, VN);
            let mut days = 0_u32;
            let mut months = 0;
            for month in 1..=12 {
                for is_leap in [false, true] {
                    if let Some(length) = lunar_month_length(year, month, is_leap, VN) {
                        assert!(length == 29 || length == 30, "{year}/{month}");
                        if is_leap {
                            assert_eq!(leap, Some(month), "{year}/{month}");
                        }
                        days += u32::from(length);
                        months += 1;
                    }
                }
            }
            let expected_days = if leap.is_some() { 383..=385 } else { 353..=355 };
            assert_eq!(months, if leap.is_some() { 13 } else { 12 }, "{year}");
            assert!(expected_days.contains(&days), "{year}: {days} days");
        }
    }

    /// Steps through the days of `days`, checking that each converts back to
    /// itself and follows the previous one in the lunar calendar.
    fn check_days(days: RangeInclusive<NaiveDate>, utc_offset: f64) -> usize {
        let mut previous: Option<LunarDate> = None;
        let mut count = 0;
        for date in days.start().iter_days().take_while(|d| d <= days.end()) {
            let lunar = solar_to_lunar(date, utc_offset);
            assert_eq!(
                lunar_to_solar(lunar, utc_offset),
                Some(date),
                "{date} {lunar:?}"
            );
            if let Some(before) = previous {
                assert!(before < lunar, "{date}");
                check_successor(before, lunar, utc_offset);
            }
            previous = Some(lunar);
            count += 1;
        }
        count
    }

    /// `after` must be the day after `before`.
    fn check_successor(before: LunarDate, after: LunarDate, utc_offset: f64) {
        if after.day == before.day + 1 {
            assert_eq!(
                (after.year, after.month, after.leap),
                (before.year, before.month, before.leap)
            );
            return;
        }
        assert_eq!(after.day, 1, "{before:?} -> {after:?}");
        let length = lunar_month_length(before.year, before.month, before.leap, utc_offset);
        assert!(before.day == 29 || before.day == 30, "{before:?}");
        assert_eq!(length, Some(before.day), "{before:?}");
        let expected = if after.leap {
            (before.year, before.month)
        } else if before.month == 12 {
            (before.year + 1, 1)
        } else {
            (before.year, before.month + 1)
        };
        assert_eq!(
            (after.year, after.month),
            expected,
            "{before:?} -> {after:?}"
        );
        assert!(!(after.leap && before.leap), "{before:?} -> {after:?}");
    }

    #[test]
    fn round_trip_every_day_1900_to_2100() {
        let started = Instant::now();
        let count = check_days(ymd(1900, 1, 1)..=ymd(2100, 12, 31), VN);
        let elapsed = started.elapsed();
        eprintln!("round trip of {count} days took {elapsed:?}");
        assert_eq!(count, 73_414);
    }

    #[test]
    fn round_trip_china_and_outside_supported_range() {
        check_days(ymd(1984, 1, 1)..=ymd(1986, 12, 31), CN);
        check_days(ymd(1850, 1, 1)..=ymd(1851, 12, 31), VN);
        check_days(ymd(2200, 1, 1)..=ymd(2201, 12, 31), VN);
    }

    #[test]
    fn extreme_inputs_do_not_panic() {
        for date in [
            NaiveDate::MIN,
            NaiveDate::MAX,
            ymd(1, 1, 1),
            ymd(-500, 6, 15),
        ] {
            let lunar = solar_to_lunar(date, VN);
            assert!((1..=12).contains(&lunar.month) && (1..=30).contains(&lunar.day));
        }
        let tet = ymd(2026, 2, 17);
        assert_eq!(solar_to_lunar(tet, f64::NAN), new_year(2026));
        assert_eq!(solar_to_lunar(tet, f64::INFINITY), new_year(2026));
        assert_eq!(solar_to_lunar(tet, 100.0), solar_to_lunar(tet, 14.0));
    }

    #[test]
    fn year_names() {
        let cases = [
            (2026, "Bính Ngọ"),
            (2025, "Ất Tỵ"),
            (2024, "Giáp Thìn"),
            (2023, "Quý Mão"),
            (2000, "Canh Thìn"),
            (1985, "Ất Sửu"),
            (1968, "Mậu Thân"),
            (1900, "Canh Tý"),
            (2100, "Canh Thân"),
            (4, "Giáp Tý"),
            (3, "Quý Hợi"),
            (-56, "Giáp Tý"),
        ];
        for (year, name) in cases {
            assert_eq!(year_name(year), name, "{year}");
        }
    }

    #[test]
    fn vietnamese_text() {
        let tet = new_year(2026);
        assert_eq!(tet.to_vietnamese(), "Mùng 1 tháng Giêng năm Bính Ngọ");
        assert_eq!(tet.to_string(), tet.to_vietnamese());
        assert_eq!(tet.short(), "1/1 Bính Ngọ");
        let mid_autumn = LunarDate::new(2025, 8, 15, false);
        assert_eq!(mid_autumn.to_vietnamese(), "Ngày 15 tháng 8 năm Ất Tỵ");
        assert_eq!(mid_autumn.short(), "15/8");
        assert_eq!(mid_autumn.short_with_year(), "15/8 Ất Tỵ");
        let late = LunarDate::new(2025, 12, 10, false);
        assert_eq!(late.to_vietnamese(), "Mùng 10 tháng Chạp năm Ất Tỵ");
        let leap = LunarDate::new(2023, 2, 20, true);
        assert_eq!(leap.to_vietnamese(), "Ngày 20 tháng 2 nhuận năm Quý Mão");
        assert_eq!(leap.short(), "20/2N");
        let leap_first = LunarDate::new(2025, 6, 1, true);
        assert_eq!(leap_first.to_vietnamese(), "Mùng 1 tháng 6 nhuận năm Ất Tỵ");
    }

    /// Vietnamese letters all have precomposed code points, so NFC text has
    /// no combining marks.
    #[test]
    fn text_is_nfc() {
        let mut texts: Vec<String> = (2000..2060).map(year_name).collect();
        for (month, leap) in [(1, false), (4, true), (12, false)] {
            let date = LunarDate::new(2026, month, 5, leap);
            texts.extend([date.to_vietnamese(), date.short_with_year()]);
        }
        for text in texts {
            let combining = text.chars().find(|c| ('\u{0300}'..='\u{036F}').contains(c));
            assert_eq!(combining, None, "{text}");
        }
        assert_eq!(year_name(2025), "\u{1EA4}t T\u{1EF5}");
        assert_eq!(month_name(1), "Gi\u{00EA}ng");
        assert_eq!(month_name(12), "Ch\u{1EA1}p");
    }

    #[test]
    fn leap_month_sorts_after_its_month() {
        let ordinary = LunarDate::new(2025, 6, 30, false);
        let leap = LunarDate::new(2025, 6, 1, true);
        let next = LunarDate::new(2025, 7, 1, false);
        assert!(ordinary < leap && leap < next);
    }
}
