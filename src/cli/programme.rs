//! `loaxa plan` and `loaxa calendar`: what the programme will air, and the holidays it marks.
//! Parsing and printing only; the plan is `schedule`'s and the holidays its calendar's.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use loaxa::schedule::calendar::{self, VIETNAM_UTC_OFFSET};
use loaxa::schedule::files;
use loaxa::schedule::plan::{Content, holidays_between};
use loaxa::schedule::plan_from_store;
use loaxa::store::Store;

/// Options of `loaxa plan`.
#[derive(Debug, clap::Args)]
pub struct PlanArgs {
    /// Ngày đầu / first day (YYYY-MM-DD), default today.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Ngày cuối (tính cả) / last day, inclusive (YYYY-MM-DD), default a week from the first.
    #[arg(long)]
    to: Option<NaiveDate>,
    /// In JSON, for scripts.
    #[arg(long)]
    json: bool,
}

/// Options of `loaxa calendar`.
#[derive(Debug, clap::Args)]
pub struct CalendarArgs {
    /// Năm dương lịch / solar year.
    #[arg(long)]
    year: i32,
    /// In JSON, for scripts.
    #[arg(long)]
    json: bool,
}

/// Print the plan between two days.
pub fn plan(config_path: Option<&Path>, args: PlanArgs) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    let tz = config.timezone;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = args.from.unwrap_or(today);
    let last = args.to.unwrap_or(first + chrono::Duration::days(6));
    if last < first || (last - first).num_days() > 366 {
        bail!(
            "--to phải sau --from và trong vòng 366 ngày / --to must follow --from, within 366 days"
        );
    }
    let (programme, problems) = files::load(
        &config.schedule.schedules_dir,
        &config.schedule.playlists_dir,
    );
    for p in &problems {
        eprintln!("⚠ {p}");
    }
    let start = |d: NaiveDate| -> DateTime<Utc> {
        d.and_hms_opt(0, 0, 0)
            .and_then(|n| tz.from_local_datetime(&n).earliest())
            .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
    };
    let store = Store::open(&config.database_path())?;
    let plan = store.with(|c| {
        Ok(plan_from_store(
            c,
            &programme,
            start(first),
            start(last + chrono::Duration::days(1)),
            tz,
        )?)
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
        return Ok(ExitCode::SUCCESS);
    }
    let holidays = holidays_between(&programme, first, last);
    let mut day = None;
    for cue in &plan.cues {
        let local = cue.start.with_timezone(&tz);
        if day != Some(local.date_naive()) {
            day = Some(local.date_naive());
            let lunar = calendar::solar_to_lunar(local.date_naive(), VIETNAM_UTC_OFFSET);
            let names: Vec<&str> = holidays
                .get(&local.date_naive())
                .map(|hs| hs.iter().map(|h| h.title.as_str()).collect())
                .unwrap_or_default();
            let weekday = loaxa::text::weekday_vi(chrono::Datelike::weekday(&local));
            println!(
                "\n{weekday} {} ({}){}",
                local.format("%d/%m/%Y"),
                lunar.short_with_year(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" — {}", names.join(", "))
                }
            );
        }
        let what = match &cue.content {
            Content::Item { item_id, .. } => format!("#{item_id}"),
            Content::Relayed {
                item_id: Some(id), ..
            } => format!("#{id}"),
            Content::Jingle { .. } | Content::Relayed { .. } => "♪".to_string(),
            Content::Stream { url, .. } => format!("📻 {url}"),
        };
        let zones = if cue.zones.is_empty() {
            String::new()
        } else {
            format!("  [{}]", cue.zones.join(", "))
        };
        println!(
            "  {}  {:<18} {:>5}  {} {}{zones}",
            local.format("%H:%M:%S"),
            cue.slot_title,
            minutes(cue.length_ms),
            what,
            cue.title
        );
    }
    if plan.cues.is_empty() {
        println!("Không có gì trong lịch / nothing is scheduled.");
    }
    for l in &plan.left_out {
        println!(
            "✗ {} ({}): {} {} — {}",
            l.slot,
            l.slot_start.with_timezone(&tz).format("%d/%m %H:%M"),
            l.item_id.map(|i| format!("#{i}")).unwrap_or_default(),
            l.title,
            l.reason
        );
    }
    for w in &plan.warnings {
        println!("⚠ {w}");
    }
    if !plan.empty_slots.is_empty() {
        println!(
            "({} buổi không có bản tin đã duyệt nên không phát / slots with no approved item do not air)",
            plan.empty_slots.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn minutes(ms: u64) -> String {
    let s = (ms + 500) / 1000;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Print the year's holidays with their solar dates.
pub fn calendar(config_path: Option<&Path>, args: CalendarArgs) -> Result<ExitCode> {
    let config = super::load_config(config_path)?.config;
    if !calendar::SUPPORTED_YEARS.contains(&args.year) {
        bail!(
            "năm {} nằm ngoài 1900–2100 / year {} is outside 1900–2100",
            args.year,
            args.year
        );
    }
    let (programme, problems) = files::load(
        &config.schedule.schedules_dir,
        &config.schedule.playlists_dir,
    );
    for p in &problems {
        eprintln!("⚠ {p}");
    }
    #[derive(serde::Serialize)]
    struct Row {
        name: String,
        title: String,
        dates: Vec<NaiveDate>,
        lunar: String,
        greeting: bool,
    }
    let mut rows: Vec<Row> = programme
        .holidays
        .values()
        .filter_map(|h| {
            let dates = h.days_in_year(args.year);
            let first = *dates.first()?;
            Some(Row {
                name: h.name.clone(),
                title: h.title.clone(),
                lunar: calendar::solar_to_lunar(first, VIETNAM_UTC_OFFSET).to_vietnamese(),
                dates,
                greeting: h.greeting,
            })
        })
        .collect();
    rows.sort_by_key(|r| r.dates.first().copied());
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitCode::SUCCESS);
    }
    let tet = calendar::lunar_to_solar(
        calendar::LunarDate {
            year: args.year,
            month: 1,
            day: 1,
            leap: false,
        },
        VIETNAM_UTC_OFFSET,
    );
    println!(
        "Năm {} — âm lịch năm {}{}",
        args.year,
        calendar::year_name(args.year),
        tet.map_or(String::new(), |t| format!(
            ", Tết ngày {}",
            t.format("%d/%m/%Y")
        ))
    );
    for r in rows {
        let dates = match (r.dates.first(), r.dates.last()) {
            (Some(a), Some(b)) if a != b => {
                format!("{} – {}", a.format("%d/%m"), b.format("%d/%m"))
            }
            (Some(a), _) => a.format("%d/%m").to_string(),
            _ => String::new(),
        };
        println!(
            "  {dates:<14} {}{}  ({})",
            r.title,
            if r.greeting { " ✉" } else { "" },
            r.lunar
        );
    }
    Ok(ExitCode::SUCCESS)
}
