//! The three monthly reports a commune sends its province, as Vietnamese broadcasting systems
//! export them: plays per item ([`plays`]), each node's offline and online periods
//! ([`connectivity`]), and each node's condition ([`condition`]). The page, the API and
//! `loaxa report` all call [`report`] (or [`report_blocking`]) and present the same [`Table`]s.
//!
//! A month is a calendar month in the commune's time zone. Reading is all this does: the data
//! was written as things happened (the as-run log, the node transitions and condition samples
//! the head-end keeps); no SQL here (the store's `asrun`, `cluster` and item rows), and no HTML
//! or HTTP.

pub mod condition;
pub mod connectivity;
pub mod plays;

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use rusqlite::Connection;
use serde::Serialize;

use crate::model::Said;
use crate::model::said;
use crate::store::{Store, StoreError};

/// What the reports call this machine's own speakers (a single Pi, or the head-end's own).
pub const MAIN_STATION: &str = "trạm chính";

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum ReportError {
    /// Not a `YYYY-MM` month.
    Month(String),
    /// Not one of the three reports.
    Kind(String),
    /// The database could not be read.
    Store(#[from] StoreError),
}

impl ReportError {
    /// Why the report cannot be made, in each language.
    pub fn said(&self) -> Said {
        match self {
            ReportError::Month(month) => said!(
                "tháng \"{month}\" không hợp lệ (YYYY-MM, ví dụ 2026-11)",
                "\"{month}\" is not a month (YYYY-MM, e.g. 2026-11)"
            ),
            ReportError::Kind(kind) => said!(
                "không có báo cáo \"{kind}\": plays, connectivity, condition",
                "no report \"{kind}\": plays, connectivity, condition"
            ),
            ReportError::Store(e) => e.said(),
        }
    }
}

/// A calendar month, `2026-11`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// The month a query names, or the last full month before `now` in `tz` when it names none.
    pub fn parse_or_last(
        text: Option<&str>,
        now: DateTime<Utc>,
        tz: Tz,
    ) -> Result<Month, ReportError> {
        match text.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => s.parse(),
            None => Ok(Month::last_full(now, tz)),
        }
    }

    /// The last month that has ended at `now` in `tz`.
    pub fn last_full(now: DateTime<Utc>, tz: Tz) -> Month {
        let today = now.with_timezone(&tz).date_naive();
        let this = today.with_day(1).unwrap_or(today);
        Month {
            first: this.pred_opt().map_or(this, |d| d.with_day(1).unwrap_or(d)),
        }
    }

    /// The month after this one.
    pub fn next(self) -> Month {
        Month {
            first: self
                .first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }

    /// The month before this one.
    pub fn previous(self) -> Month {
        Month {
            first: self
                .first
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(self.first),
        }
    }

    /// Its span in UTC: `[first day 00:00, next month's first day 00:00)` in `tz`.
    pub fn bounds(self, tz: Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (midnight(self.first, tz), midnight(self.next().first, tz))
    }

    /// As people write it on a report: `11/2026`.
    pub fn label(self) -> String {
        self.first.format("%m/%Y").to_string()
    }
}

fn midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|n| n.and_local_timezone(tz).earliest())
        .map_or_else(
            || day.and_time(chrono::NaiveTime::MIN).and_utc(),
            |t| t.with_timezone(&Utc),
        )
}

impl std::str::FromStr for Month {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Month, ReportError> {
        let bad = || ReportError::Month(s.to_string());
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (y, m) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        NaiveDate::from_ymd_opt(y, m, 1)
            .filter(|d| (2000..=2100).contains(&d.year()))
            .map(|first| Month { first })
            .ok_or_else(bad)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One of the three reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plays per item.
    Plays,
    /// Each node's offline and online periods.
    Connectivity,
    /// Each node's restarts, errors, temperature, under-voltage.
    Condition,
}

impl Kind {
    /// Every report, in the order the page lists them.
    pub const ALL: [Kind; 3] = [Kind::Plays, Kind::Connectivity, Kind::Condition];

    /// Its name in paths and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Plays => "plays",
            Kind::Connectivity => "connectivity",
            Kind::Condition => "condition",
        }
    }

    /// Its title on the page and the printout.
    pub fn title_vi(self) -> &'static str {
        match self {
            Kind::Plays => "Số lần phát theo bản tin",
            Kind::Connectivity => "Kết nối của các cụm loa",
            Kind::Condition => "Tình trạng các cụm loa",
        }
    }

    /// The downloaded file's name for `month`.
    pub fn file_name(self, month: Month) -> String {
        let stem = match self {
            Kind::Plays => "bao-cao-phat",
            Kind::Connectivity => "bao-cao-ket-noi",
            Kind::Condition => "bao-cao-tinh-trang",
        };
        format!("{stem}-{month}.csv")
    }
}

impl std::str::FromStr for Kind {
    type Err = ReportError;
    fn from_str(s: &str) -> Result<Kind, ReportError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ReportError::Kind(s.to_string()))
    }
}

/// What a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    /// The month.
    pub month: Month,
    /// The commune's time zone (the month's edges, the times shown).
    pub tz: Tz,
    /// Now: a month not over yet is reported up to now.
    pub now: DateTime<Utc>,
    /// The commune's nodes (the registry's), so one never heard from is listed too.
    pub nodes: Vec<String>,
}

impl Scope {
    /// The month's span in UTC.
    pub fn span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        self.month.bounds(self.tz)
    }

    /// A moment as the report shows it: `2026-11-03 14:05:09`, the commune's time.
    pub fn time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }
}

/// A report made: one of the three.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "report", rename_all = "snake_case")]
pub enum Report {
    /// Plays per item.
    Plays(plays::Plays),
    /// Each node's periods.
    Connectivity(connectivity::Connectivity),
    /// Each node's condition.
    Condition(condition::Condition),
}

/// A report's rows as people read them: every value already in words, in Vietnamese.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What it lists.
    pub caption: &'static str,
    /// The column names.
    pub header: Vec<&'static str>,
    /// The rows, one value per column.
    pub rows: Vec<Vec<String>>,
}

impl Report {
    /// Its tables for the page, the CLI and the CSV.
    pub fn tables(&self, scope: &Scope) -> Vec<Table> {
        match self {
            Report::Plays(r) => vec![r.table()],
            Report::Connectivity(r) => r.tables(scope),
            Report::Condition(r) => vec![r.table(scope)],
        }
    }

    /// The CSV a spreadsheet opens: UTF-8 with a byte-order mark (so Excel reads the Vietnamese
    /// right), CRLF lines, each table under its own header row, a blank line between tables.
    pub fn csv(&self, scope: &Scope) -> String {
        to_csv(&self.tables(scope))
    }
}

/// Tables as one CSV file.
pub fn to_csv(tables: &[Table]) -> String {
    let mut out = String::from('\u{feff}');
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        let line = |cells: &mut dyn Iterator<Item = &str>| {
            cells
                .map(crate::text::csv_field)
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        };
        out.push_str(&line(&mut t.header.iter().copied()));
        for row in &t.rows {
            out.push_str(&line(&mut row.iter().map(String::as_str)));
        }
    }
    out
}

/// Make a report (the web's way: off the async threads).
pub async fn report(store: &Store, kind: Kind, scope: Scope) -> Result<Report, ReportError> {
    Ok(store.run(move |c| read(c, kind, &scope)).await?)
}

/// Make a report now (the CLI's way).
pub fn report_blocking(store: &Store, kind: Kind, scope: &Scope) -> Result<Report, ReportError> {
    Ok(store.with(|c| read(c, kind, scope))?)
}

fn read(c: &Connection, kind: Kind, scope: &Scope) -> Result<Report, StoreError> {
    Ok(match kind {
        Kind::Plays => Report::Plays(plays::read(c, scope)?),
        Kind::Connectivity => Report::Connectivity(connectivity::read(c, scope)?),
        Kind::Condition => Report::Condition(condition::read(c, scope)?),
    })
}

/// `h:mm:ss` for a span, as the tables show lengths.
pub fn hms(ms: i64) -> String {
    let s = (ms.max(0) + 500) / 1000;
    format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_the_communes_calendar_month() {
        let tz: Tz = "Asia/Ho_Chi_Minh".parse().unwrap();
        let m: Month = "2026-11".parse().unwrap();
        // 1 November 00:00 in Hà Nội is 31 October 17:00 UTC.
        assert_eq!(
            m.bounds(tz),
            (t("2026-10-31T17:00:00Z"), t("2026-11-30T17:00:00Z"))
        );
        assert_eq!(m.to_string(), "2026-11");
        assert_eq!(m.label(), "11/2026");
        assert_eq!(m.next().to_string(), "2026-12");
        assert_eq!(m.previous().previous().to_string(), "2026-09");
        // 30 November 18:00 UTC is already 1 December in Hà Nội: November is the last full
        // month there, though it is not over in UTC.
        assert_eq!(Month::last_full(t("2026-11-30T18:00:00Z"), tz), m);
        assert_eq!(
            Month::last_full(t("2026-11-30T16:00:00Z"), tz).to_string(),
            "2026-10"
        );
        assert_eq!(
            Month::last_full(t("2027-01-05T00:00:00Z"), tz).to_string(),
            "2026-12"
        );
        for bad in [
            "2026-13",
            "2026-1",
            "26-11",
            "2026/11",
            "tháng 11",
            "2026-00",
        ] {
            assert!(bad.parse::<Month>().is_err(), "{bad}");
        }
        assert_eq!(
            Month::parse_or_last(Some(" "), t("2026-12-01T05:00:00Z"), tz)
                .unwrap()
                .to_string(),
            "2026-11"
        );
    }

    #[test]
    fn the_csv_opens_in_excel_with_vietnamese_and_awkward_text_intact() {
        let tables = [
            Table {
                caption: "a",
                header: vec!["Tên bản tin", "Số lần phát"],
                rows: vec![
                    vec!["Chúc mừng năm mới, Bính Ngọ".into(), "3".into()],
                    vec!["Thông báo \"khẩn\"".into(), "1".into()],
                    vec!["=cmd|'/c calc'!A1".into(), "0".into()],
                ],
            },
            Table {
                caption: "b",
                header: vec!["Cụm loa"],
                rows: vec![vec!["thon-2".into()]],
            },
        ];
        let csv = to_csv(&tables);
        assert!(csv.starts_with("\u{feff}\"Tên bản tin\",\"Số lần phát\"\r\n"));
        let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(lines[1], "\"Chúc mừng năm mới, Bính Ngọ\",\"3\"");
        assert_eq!(lines[2], "\"Thông báo \"\"khẩn\"\"\",\"1\"");
        assert_eq!(lines[3], "\"'=cmd|'/c calc'!A1\",\"0\"");
        assert_eq!(&lines[4..], ["", "\"Cụm loa\"", "\"thon-2\"", ""]);
    }
}
