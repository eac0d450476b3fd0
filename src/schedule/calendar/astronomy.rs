//! The astronomy under the lunar calendar: Julian day numbers, the moments of new moons
//! (Meeus' full series with the planetary terms) and the Sun's longitude (Bretagnon and
//! Simon), with ΔT, so a month begins on the right local day. Pure arithmetic; knows nothing
//! of months, years or names.

use chrono::{Datelike, NaiveDate};

// ---------------------------------------------------------------------------
// Day numbers
// ---------------------------------------------------------------------------

/// Julian day number of 0001-01-01 minus one: turns chrono's day count into
/// the Julian day numbers the astronomical formulas use.
pub(super) const CE_TO_JULIAN_DAY: i64 = 1_721_425;

/// Julian day number of a solar date (2000-01-01 is 2 451 545).
pub(super) fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) + CE_TO_JULIAN_DAY
}

/// The solar date of a Julian day number, None beyond chrono's range.
pub(super) fn date_from_day_number(day: i64) -> Option<NaiveDate> {
    let days_from_ce = i32::try_from(day - CE_TO_JULIAN_DAY).ok()?;
    NaiveDate::from_num_days_from_ce_opt(days_from_ce)
}

/// Julian day number of 1 January of a (proleptic Gregorian) year; works for
/// years chrono cannot represent, which the month search may touch.
pub(super) fn new_year_day_number(year: i64) -> i64 {
    let before = year - 1;
    CE_TO_JULIAN_DAY + 1 + 365 * before + before.div_euclid(4) - before.div_euclid(100)
        + before.div_euclid(400)
}

/// Whether a lunar year's dates can be represented as solar dates at all.
pub(super) fn representable(year: i32) -> bool {
    (NaiveDate::MIN.year()..=NaiveDate::MAX.year()).contains(&year)
}

// ---------------------------------------------------------------------------
// Astronomy
// ---------------------------------------------------------------------------
//
// Hồ Ngọc Đức's published sample code uses a short new-moon series that can be
// off by a few minutes; that moves a month's first day whenever a new moon
// falls within minutes of local midnight (20 Jun 1944, 9 Dec 2072 and
// 15 Nov 2077 in Hanoi, 7 Aug 2097 in Beijing). So the moments come from the
// full series instead: Meeus' chapter 49 for new moons, Bretagnon and Simon's
// 49-term solar longitude (as in Reingold and Dershowitz's "Calendrical
// Calculations", which Hồ Ngọc Đức's own tables are built on), and the
// Espenak–Meeus ΔT polynomials. Over 1900–2100 the new moons agree with JPL's
// DE421 ephemeris to within 22 s (5 s typical), the Sun to within 3″.

/// Julian day number of 1900-01-01, the day of new moon number 0.
pub(super) const LUNATION_EPOCH: i64 = 2_415_021;

/// Meeus numbers lunations from the new moon of 6 January 2000, this one.
pub(super) const MEEUS_LUNATION_OFFSET: i64 = 1237;

/// Where Meeus' series (within about ±20 s of JPL's DE421 ephemeris over
/// 1900–2100) puts a new moon on the wrong side of local midnight at UTC+7 or
/// UTC+8: lunation number and correction in seconds. Lunation 835 came 3 s
/// after midnight in Hanoi on 8 July 1967 (17:00:02 UT); the series puts it
/// 5 s earlier. Cases decided by ΔT, unknown decades ahead, are left alone.
pub(super) const NEW_MOON_CORRECTIONS: [(i64, f64); 1] = [(835, 5.0)];

/// Mean length of a synodic month in days.
pub(super) const SYNODIC_MONTH: f64 = 29.530_588_853;

/// Julian day of J2000.0 (2000-01-01 12:00 TT).
pub(super) const J2000: f64 = 2_451_545.0;

/// Periodic terms of the true new moon (Meeus table 49.A): coefficient in
/// days, power of the eccentricity factor E, and the multiples of the Sun's
/// mean anomaly M, the Moon's mean anomaly M′ and its argument of latitude F.
pub(super) const NEW_MOON_TERMS: [(f64, i32, f64, f64, f64); 24] = [
    (-0.407_20, 0, 0.0, 1.0, 0.0),
    (0.172_41, 1, 1.0, 0.0, 0.0),
    (0.016_08, 0, 0.0, 2.0, 0.0),
    (0.010_39, 0, 0.0, 0.0, 2.0),
    (0.007_39, 1, -1.0, 1.0, 0.0),
    (-0.005_14, 1, 1.0, 1.0, 0.0),
    (0.002_08, 2, 2.0, 0.0, 0.0),
    (-0.001_11, 0, 0.0, 1.0, -2.0),
    (-0.000_57, 0, 0.0, 1.0, 2.0),
    (0.000_56, 1, 1.0, 2.0, 0.0),
    (-0.000_42, 0, 0.0, 3.0, 0.0),
    (0.000_42, 1, 1.0, 0.0, 2.0),
    (0.000_38, 1, 1.0, 0.0, -2.0),
    (-0.000_24, 1, -1.0, 2.0, 0.0),
    (-0.000_07, 0, 2.0, 1.0, 0.0),
    (0.000_04, 0, 0.0, 2.0, -2.0),
    (0.000_04, 0, 3.0, 0.0, 0.0),
    (0.000_03, 0, 1.0, 1.0, -2.0),
    (0.000_03, 0, 0.0, 2.0, 2.0),
    (-0.000_03, 0, 1.0, 1.0, 2.0),
    (0.000_03, 0, -1.0, 1.0, 2.0),
    (-0.000_02, 0, -1.0, 1.0, -2.0),
    (-0.000_02, 0, 1.0, 3.0, 0.0),
    (0.000_02, 0, 0.0, 4.0, 0.0),
];

/// Planetary corrections to the new moon (Meeus A2…A14): phase in degrees,
/// degrees per lunation, amplitude in days. A1 has a T² term and is separate.
pub(super) const NEW_MOON_PLANETARY_TERMS: [(f64, f64, f64); 13] = [
    (251.88, 0.016_321, 0.000_165),
    (251.83, 26.651_886, 0.000_164),
    (349.42, 36.412_478, 0.000_126),
    (84.66, 18.206_239, 0.000_110),
    (141.74, 53.303_771, 0.000_062),
    (207.14, 2.453_732, 0.000_060),
    (154.84, 7.306_860, 0.000_056),
    (34.52, 27.261_239, 0.000_047),
    (207.19, 0.121_824, 0.000_042),
    (291.34, 1.844_379, 0.000_040),
    (161.72, 24.198_154, 0.000_037),
    (239.56, 25.513_099, 0.000_035),
    (331.55, 3.592_518, 0.000_023),
];

/// Bretagnon and Simon's periodic terms of the Sun's longitude: amplitude
/// (in 10⁻⁷ radians), phase in degrees, degrees per Julian century.
pub(super) const SOLAR_LONGITUDE_TERMS: [(f64, f64, f64); 49] = [
    (403_406.0, 270.548_61, 0.928_789_2),
    (195_207.0, 340.191_28, 35_999.137_695_8),
    (119_433.0, 63.918_54, 35_999.408_966_6),
    (112_392.0, 331.262_20, 35_998.728_738_5),
    (3_891.0, 317.843, 71_998.202_61),
    (2_819.0, 86.631, 71_998.440_3),
    (1_721.0, 240.052, 36_000.357_26),
    (660.0, 310.26, 71_997.481_2),
    (350.0, 247.23, 32_964.467_8),
    (334.0, 260.87, -19.441_0),
    (314.0, 297.82, 445_267.111_7),
    (268.0, 343.14, 45_036.884_0),
    (242.0, 166.79, 3.100_8),
    (234.0, 81.53, 22_518.443_4),
    (158.0, 3.50, -19.973_9),
    (132.0, 132.75, 65_928.934_5),
    (129.0, 182.95, 9_038.029_3),
    (114.0, 162.03, 3_034.768_4),
    (99.0, 29.8, 33_718.148),
    (93.0, 266.4, 3_034.448),
    (86.0, 249.2, -2_280.773),
    (78.0, 157.6, 29_929.992),
    (72.0, 257.8, 31_556.493),
    (68.0, 185.1, 149.588),
    (64.0, 69.9, 9_037.750),
    (46.0, 8.0, 107_997.405),
    (38.0, 197.1, -4_444.176),
    (37.0, 250.4, 151.771),
    (32.0, 65.3, 67_555.316),
    (29.0, 162.7, 31_556.080),
    (28.0, 341.5, -4_561.540),
    (27.0, 291.6, 107_996.706),
    (27.0, 98.5, 1_221.655),
    (25.0, 146.7, 62_894.167),
    (24.0, 110.0, 31_437.369),
    (21.0, 5.2, 14_578.298),
    (21.0, 342.6, -31_931.757),
    (20.0, 230.9, 34_777.243),
    (18.0, 256.1, 1_221.999),
    (17.0, 45.3, 62_894.511),
    (14.0, 242.9, -4_442.039),
    (13.0, 115.2, 107_997.909),
    (13.0, 151.8, 119.066),
    (13.0, 285.3, 16_859.071),
    (12.0, 53.3, -4.578),
    (10.0, 126.6, 26_895.292),
    (10.0, 205.7, -39.127),
    (10.0, 85.9, 12_297.536),
    (10.0, 146.1, 90_073.778),
];

pub(super) fn sin_degrees(degrees: f64) -> f64 {
    degrees.to_radians().sin()
}

/// Value of the polynomial with coefficients `c[0] + c[1]·x + c[2]·x² …`.
pub(super) fn polynomial(x: f64, coefficients: &[f64]) -> f64 {
    coefficients.iter().rev().fold(0.0, |sum, c| sum * x + c)
}

/// Espenak and Meeus' polynomial fits of ΔT in seconds (NASA, 2006): each
/// holds before its end year, in powers of years since its origin.
pub(super) const DELTA_T_FITS: [(f64, f64, &[f64]); 10] = [
    (1700.0, 1600.0, &[120.0, -0.9808, -0.015_32, 1.0 / 7129.0]),
    (
        1800.0,
        1700.0,
        &[8.83, 0.1603, -0.005_928_5, 0.000_133_36, -1.0 / 1_174_000.0],
    ),
    (
        1860.0,
        1800.0,
        &[
            13.72,
            -0.332_447,
            0.006_861_2,
            0.004_111_6,
            -0.000_374_36,
            0.000_012_127_2,
            -0.000_000_169_9,
            0.000_000_000_875,
        ],
    ),
    (
        1900.0,
        1860.0,
        &[
            7.62,
            0.5737,
            -0.251_754,
            0.016_806_68,
            -0.000_447_362_4,
            1.0 / 233_174.0,
        ],
    ),
    (
        1920.0,
        1900.0,
        &[-2.79, 1.494_119, -0.059_893_9, 0.006_196_6, -0.000_197],
    ),
    (1941.0, 1920.0, &[21.20, 0.844_93, -0.076_100, 0.002_093_6]),
    (1961.0, 1950.0, &[29.07, 0.407, -1.0 / 233.0, 1.0 / 2547.0]),
    (1986.0, 1975.0, &[45.45, 1.067, -1.0 / 260.0, -1.0 / 718.0]),
    (
        2005.0,
        2000.0,
        &[
            63.86,
            0.3345,
            -0.060_374,
            0.001_727_5,
            0.000_651_814,
            0.000_023_735_99,
        ],
    ),
    (2050.0, 2000.0, &[62.92, 0.322_17, 0.005_589]),
];

/// ΔT = TT − UT in days at Julian day `jd`: Earth's rotation lags uniform
/// time by about a minute, enough to move a new moon across midnight.
pub(super) fn delta_t(jd: f64) -> f64 {
    let year = 2000.0 + (jd - J2000) / 365.25;
    let fitted = DELTA_T_FITS
        .iter()
        .find(|&&(end, _, _)| year < end)
        .filter(|_| year >= 1600.0)
        .map(|&(_, origin, coefficients)| polynomial(year - origin, coefficients));
    let seconds = match fitted {
        Some(seconds) => seconds,
        None if (2050.0..2150.0).contains(&year) => {
            long_term_delta_t(year) - 0.5628 * (2150.0 - year)
        }
        None => long_term_delta_t(year),
    };
    seconds / 86_400.0
}

/// Morrison and Stephenson's long-term parabola for ΔT, in seconds.
pub(super) fn long_term_delta_t(year: f64) -> f64 {
    let centuries = (year - 1820.0) / 100.0;
    -20.0 + 32.0 * centuries * centuries
}

/// Moment (Julian day, UT) of new moon number `lunation`, counted from the
/// new moon of 1 January 1900 (Meeus, Astronomical Algorithms, ch. 49).
pub(super) fn new_moon_moment(lunation: i64) -> f64 {
    let k = (lunation - MEEUS_LUNATION_OFFSET) as f64;
    let t = k / 1236.85; // Julian centuries since J2000.0
    let mean = 2_451_550.097_66
        + 29.530_588_861 * k
        + polynomial(
            t,
            &[0.0, 0.0, 0.000_154_37, -0.000_000_150, 0.000_000_000_73],
        );
    let known_error = NEW_MOON_CORRECTIONS
        .iter()
        .find(|&&(number, _)| number == lunation)
        .map_or(0.0, |&(_, seconds)| seconds / 86_400.0);
    let dynamical = mean + lunar_terms(k, t) + planetary_terms(k, t) + known_error;
    dynamical - delta_t(dynamical)
}

/// Sum of the periodic terms of the true new moon that depend on the orbits
/// of the Sun and the Moon, in days.
pub(super) fn lunar_terms(k: f64, t: f64) -> f64 {
    let e = polynomial(t, &[1.0, -0.002_516, -0.000_007_4]);
    let sun_anomaly =
        2.5534 + 29.105_356_70 * k + polynomial(t, &[0.0, 0.0, -0.000_001_4, -0.000_000_11]);
    let moon_anomaly = 201.5643
        + 385.816_935_28 * k
        + polynomial(t, &[0.0, 0.0, 0.010_758_2, 0.000_012_38, -0.000_000_058]);
    let moon_latitude = 160.7108
        + 390.670_502_84 * k
        + polynomial(t, &[0.0, 0.0, -0.001_611_8, -0.000_002_27, 0.000_000_011]);
    let node = 124.7746 - 1.563_755_88 * k + polynomial(t, &[0.0, 0.0, 0.002_067_2, 0.000_002_15]);
    NEW_MOON_TERMS
        .iter()
        .map(|&(coefficient, e_power, m, mp, f)| {
            coefficient
                * e.powi(e_power)
                * sin_degrees(m * sun_anomaly + mp * moon_anomaly + f * moon_latitude)
        })
        .sum::<f64>()
        - 0.000_17 * sin_degrees(node)
}

/// Sum of the planetary corrections to the true new moon, in days.
pub(super) fn planetary_terms(k: f64, t: f64) -> f64 {
    NEW_MOON_PLANETARY_TERMS
        .iter()
        .map(|&(phase, rate, amplitude)| amplitude * sin_degrees(phase + rate * k))
        .sum::<f64>()
        + 0.000_325 * sin_degrees(299.77 + 0.107_408 * k - 0.009_173 * t * t)
}

/// Julian day number of the local day on which new moon `lunation` falls:
/// the first day of a lunar month.
pub(super) fn new_moon_day(lunation: i64, utc_offset: f64) -> i64 {
    (new_moon_moment(lunation) + 0.5 + utc_offset / 24.0).floor() as i64
}

/// The Sun's apparent ecliptic longitude in degrees, 0 ≤ λ < 360, at Julian
/// day `jd` (UT): Bretagnon and Simon's series plus aberration and nutation.
pub(super) fn sun_longitude(jd: f64) -> f64 {
    let c = (jd + delta_t(jd) - J2000) / 36_525.0; // Julian centuries (TT)
    let periodic: f64 = SOLAR_LONGITUDE_TERMS
        .iter()
        .map(|&(amplitude, phase, rate)| amplitude * sin_degrees(phase + rate * c))
        .sum();
    let geometric = 282.777_183_4 + 36_000.769_537_44 * c + periodic * 1e-7_f64.to_degrees();
    let aberration = 0.000_097_4 * (177.63 + 35_999.018_48 * c).to_radians().cos() - 0.005_575;
    let nutation = -0.004_778 * sin_degrees(polynomial(c, &[124.90, -1_934.134, 0.002_063]))
        - 0.000_366_7 * sin_degrees(polynomial(c, &[201.11, 72_001.537_7, 0.000_57]));
    (geometric + aberration + nutation).rem_euclid(360.0)
}

/// The 30° sector of the ecliptic the Sun is in at the local midnight that
/// starts `day`: 0 from the March equinox, 9 from the December solstice.
/// A month whose first day and the next month's first day are in the same
/// sector contains no major solar term (trung khí).
pub(super) fn sun_sector(day: i64, utc_offset: f64) -> i64 {
    let local_midnight = day as f64 - 0.5 - utc_offset / 24.0;
    (sun_longitude(local_midnight) / 30.0).floor() as i64
}

/// Number of the new moon that starts month 11 of `year`: the last one whose
/// day is on or before the December solstice.
pub(super) fn month11_lunation(year: i64, utc_offset: f64) -> i64 {
    let december_31 = new_year_day_number(year + 1) - 1;
    let lunation = ((december_31 - LUNATION_EPOCH) as f64 / SYNODIC_MONTH).floor() as i64;
    if sun_sector(new_moon_day(lunation, utc_offset), utc_offset) >= 9 {
        lunation - 1
    } else {
        lunation
    }
}
