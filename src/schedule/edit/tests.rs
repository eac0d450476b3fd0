//! The editor on commented files in a temporary programme: each kind added, changed and
//! removed; what the forms do not manage kept byte for byte; a breaking change refused with
//! the words `loaxa check` prints.

use super::*;
use crate::schedule::files;

const SCHEDULE: &str = "# Lịch thử / a test schedule\n# (comments stay)\n\n[quiet]\nhours = [\"21:30-05:30\"]  # giờ yên tĩnh\n\n[[volume]]\nhours = [\"21:00-05:30\"]\ngain_db = -6\n\n# Buổi sáng / morning\n[[slot]]\nname = \"sang\"\ntitle = \"Buổi sáng\"\ntime = \"06:00\"   # giờ / time\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\"]\nplaylist = \"p\"\n\n[[slot]]\nname = \"ve-sinh\"\ncron = \"30 6 * * 6\"\nplaylist = \"p\"\n\n[[holiday]]\nname = \"tet\"\ntitle = \"Tết\"\nlunar = \"01-01\"\noffset_days = 0\ndays = 3\ngreeting = true\n\n[[once]]\nname = \"hop\"\nat = \"2027-01-05 19:30\"\nplaylist = \"p\"\n";

const PLAYLIST: &str = "# Danh sách / playlist\ntitle = \"P\"\nmax_minutes = 30\noverflow = \"drop\"\n\n[[part]]\njingle = \"Nhạc hiệu\"\n\n# Bản tin\n[[part]]\ncategory = \"bulletin\"\norder = \"newest\"\nlimit = 5\n\n[[part]]\nrelay = \"http://dai-tinh.invalid/live.mp3\"\ntitle = \"Đài tỉnh\"\nminutes = 10\nfallback = \"jingle\"\nsilence_seconds = 20\n";

struct Fixture {
    _dir: tempfile::TempDir,
    editor: Editor,
    schedule: PathBuf,
    playlist: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (s, p) = (dir.path().join("schedules"), dir.path().join("playlists"));
    std::fs::create_dir_all(&s).unwrap();
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(s.join("a.toml"), SCHEDULE).unwrap();
    std::fs::write(p.join("p.toml"), PLAYLIST).unwrap();
    Fixture {
        editor: Editor::new(&s, &p),
        schedule: s.join("a.toml"),
        playlist: p.join("p.toml"),
        _dir: dir,
    }
}

impl Fixture {
    fn edit(&self, kind: FileKind, changes: &[Change]) -> Result<Programme, EditError> {
        let file = if kind == FileKind::Schedule {
            "a.toml"
        } else {
            "p.toml"
        };
        let v = self.editor.read(kind, file).unwrap().version;
        self.editor.change(kind, file, &v, changes).map(|(_, p)| p)
    }
    fn schedule(&self) -> String {
        std::fs::read_to_string(&self.schedule).unwrap()
    }
    fn playlist(&self) -> String {
        std::fs::read_to_string(&self.playlist).unwrap()
    }
}

fn noon() -> SlotInput {
    SlotInput {
        name: "trua".into(),
        title: "Buổi trưa".into(),
        time: "11:30".into(),
        days: vec!["t2".into(), "t4".into()],
        playlist: "p".into(),
        ..SlotInput::default()
    }
}

#[test]
fn a_slot_is_added_after_the_others_and_nothing_else_moves() {
    let f = fixture();
    let p = f
        .edit(FileKind::Schedule, &[noon().change("").unwrap()])
        .unwrap();
    assert!(p.slots.iter().any(|s| s.name == "trua"));
    let added = "\n[[slot]]\nname = \"trua\"\ntitle = \"Buổi trưa\"\ntime = \"11:30\"\ndays = [\"t2\", \"t4\"]\nplaylist = \"p\"\n";
    let at = SCHEDULE.find("\n[[holiday]]").unwrap();
    let expected = format!("{}{added}{}", &SCHEDULE[..at], &SCHEDULE[at..]);
    assert_eq!(f.schedule(), expected);
    let (_, problems) = files::load(f.schedule.parent().unwrap(), f.playlist.parent().unwrap());
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_slot_changed_keeps_comments_and_the_same_days_spelt_otherwise() {
    let f = fixture();
    let input = SlotInput {
        name: "sang".into(),
        title: "Buổi sáng".into(),
        time: "06:15".into(),
        days: ["t2", "t3", "t4", "t5", "t6", "t7"]
            .map(String::from)
            .to_vec(),
        playlist: "p".into(),
        ..SlotInput::default()
    };
    f.edit(FileKind::Schedule, &[input.change("sang").unwrap()])
        .unwrap();
    assert_eq!(f.schedule(), SCHEDULE.replace("\"06:00\"", "\"06:15\""));
}

#[test]
fn a_cron_line_takes_the_place_of_time_and_days() {
    let f = fixture();
    let input = SlotInput {
        cron: "0 7 * * 0".into(),
        ..noon()
    };
    f.edit(FileKind::Schedule, &[input.change("").unwrap()])
        .unwrap();
    assert!(f.schedule().contains(
        "name = \"trua\"\ntitle = \"Buổi trưa\"\ncron = \"0 7 * * 0\"\nplaylist = \"p\"\n"
    ));
}

#[test]
fn a_slot_removed_takes_only_its_lines() {
    let f = fixture();
    f.edit(FileKind::Schedule, &[remove("slot", "ve-sinh")])
        .unwrap();
    assert_eq!(
        f.schedule(),
        SCHEDULE.replace(
            "\n[[slot]]\nname = \"ve-sinh\"\ncron = \"30 6 * * 6\"\nplaylist = \"p\"\n",
            ""
        )
    );
}

#[test]
fn a_breaking_change_is_refused_in_the_words_of_loaxa_check_and_the_file_stays() {
    let f = fixture();
    let input = SlotInput {
        time: "25:00".into(),
        ..noon()
    };
    let Err(EditError::Refused(problems)) =
        f.edit(FileKind::Schedule, &[input.change("").unwrap()])
    else {
        panic!("25:00 was accepted");
    };
    assert_eq!(f.schedule(), SCHEDULE, "nothing was written");
    // What `loaxa check` says of the same text in the files.
    let bad = SCHEDULE.to_string()
        + "\n[[slot]]\nname = \"trua\"\ntitle = \"Buổi trưa\"\ntime = \"25:00\"\ndays = [\"t2\", \"t4\"]\nplaylist = \"p\"\n";
    std::fs::write(&f.schedule, bad).unwrap();
    let (_, check) = files::load(f.schedule.parent().unwrap(), f.playlist.parent().unwrap());
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].message, check[0].message);
    assert_eq!(problems[0].fix, check[0].fix);
    assert!(problems[0].message.to_string().contains("25:00"));
    assert!(problems[0].line.is_some());
}

#[test]
fn an_unknown_playlist_or_a_slot_in_quiet_hours_is_refused() {
    let f = fixture();
    let unknown = SlotInput {
        playlist: "khong-co".into(),
        ..noon()
    };
    let err = f
        .edit(FileKind::Schedule, &[unknown.change("").unwrap()])
        .unwrap_err();
    assert!(err.to_string().contains("khong-co"), "{err}");
    let night = SlotInput {
        time: "23:00".into(),
        ..noon()
    };
    let err = f
        .edit(FileKind::Schedule, &[night.change("").unwrap()])
        .unwrap_err();
    assert!(matches!(err, EditError::Refused(_)), "{err}");
    assert_eq!(f.schedule(), SCHEDULE);
}

#[test]
fn a_stale_form_is_refused() {
    let f = fixture();
    let old = f.editor.read(FileKind::Schedule, "a.toml").unwrap().version;
    f.edit(FileKind::Schedule, &[remove("once", "hop")])
        .unwrap();
    let err = f
        .editor
        .change(
            FileKind::Schedule,
            "a.toml",
            &old,
            &[noon().change("").unwrap()],
        )
        .unwrap_err();
    assert!(matches!(err, EditError::Stale(_)), "{err}");
    assert!(!f.schedule().contains("trua"));
}

#[test]
fn only_the_folders_own_files_can_be_named() {
    let f = fixture();
    for file in ["../playlists/p.toml", "/etc/passwd", "b.toml"] {
        let err = f.editor.read(FileKind::Schedule, file).unwrap_err();
        assert!(matches!(err, EditError::NoFile(_)), "{file}: {err}");
    }
}

#[test]
fn holidays_are_added_changed_and_removed_keeping_what_the_form_does_not_show() {
    let f = fixture();
    let tet = HolidayInput {
        name: "tet".into(),
        title: "Tết Nguyên Đán".into(),
        calendar: "lunar".into(),
        date: "01-01".into(),
        days: "3".into(),
        greeting: true,
    };
    f.edit(FileKind::Schedule, &[tet.change("tet").unwrap()])
        .unwrap();
    assert_eq!(
        f.schedule(),
        SCHEDULE.replace("title = \"Tết\"", "title = \"Tết Nguyên Đán\""),
        "offset_days stays"
    );
    let women = HolidayInput {
        name: "phu-nu".into(),
        title: "Ngày Phụ nữ".into(),
        calendar: "solar".into(),
        date: "10-20".into(),
        ..HolidayInput::default()
    };
    let p = f
        .edit(FileKind::Schedule, &[women.change("").unwrap()])
        .unwrap();
    assert!(!p.holidays["phu-nu"].greeting);
    let bad = HolidayInput {
        date: "02-31".into(),
        ..women.clone()
    };
    let err = f
        .edit(FileKind::Schedule, &[bad.change("phu-nu").unwrap()])
        .unwrap_err();
    assert!(err.to_string().contains("02-31"), "{err}");
    f.edit(FileKind::Schedule, &[remove("holiday", "phu-nu")])
        .unwrap();
    assert_eq!(
        f.schedule(),
        SCHEDULE.replace("title = \"Tết\"", "title = \"Tết Nguyên Đán\"")
    );
}

#[test]
fn one_offs_are_added_and_removed() {
    let f = fixture();
    let meeting = OnceInput {
        name: "hop-2".into(),
        title: "Họp dân".into(),
        at: "2027-02-01T19:00".into(),
        playlist: "p".into(),
        zones: Vec::new(),
    };
    let p = f
        .edit(FileKind::Schedule, &[meeting.change("").unwrap()])
        .unwrap();
    assert!(p.slots.iter().any(|s| s.name == "hop-2"));
    assert!(f.schedule().ends_with("[[once]]\nname = \"hop-2\"\ntitle = \"Họp dân\"\nat = \"2027-02-01 19:00\"\nplaylist = \"p\"\n"));
    f.edit(FileKind::Schedule, &[remove("once", "hop-2")])
        .unwrap();
    assert_eq!(f.schedule(), SCHEDULE);
}

#[test]
fn playlist_parts_keep_their_order_and_limit_and_relays_are_edited() {
    let f = fixture();
    let notices = PartInput {
        kind: "category".into(),
        category: "notice".into(),
        ..PartInput::default()
    };
    f.edit(FileKind::Playlist, &[notices.change(Some(1)).unwrap()])
        .unwrap();
    assert_eq!(f.playlist(), PLAYLIST.replace("\"bulletin\"", "\"notice\""));
    let relay = PartInput {
        kind: "relay".into(),
        relay: "http://dai-tinh.invalid/live.mp3".into(),
        title: "Đài tỉnh".into(),
        until: "20:00".into(),
        fallback: "jingle".into(),
        silence_seconds: "20".into(),
        ..PartInput::default()
    };
    let p = f
        .edit(FileKind::Playlist, &[relay.change(Some(2)).unwrap()])
        .unwrap();
    assert!(matches!(p.playlists["p"].parts[2], files::Part::Relay(_)));
    assert!(f.playlist().contains(
        "title = \"Đài tỉnh\"\nfallback = \"jingle\"\nsilence_seconds = 20\nuntil = \"20:00\"\n"
    ));
    // A jingle in place of the relay drops the relay's keys.
    let chime = PartInput {
        kind: "jingle".into(),
        jingle: "Chuông".into(),
        ..PartInput::default()
    };
    f.edit(FileKind::Playlist, &[chime.change(Some(2)).unwrap()])
        .unwrap();
    assert!(
        f.playlist().ends_with("[[part]]\njingle = \"Chuông\"\n"),
        "{}",
        f.playlist()
    );
    f.edit(FileKind::Playlist, &[remove_part(2)]).unwrap();
    f.edit(
        FileKind::Playlist,
        &[PartInput::header("P2", "20", "extend").unwrap()],
    )
    .unwrap();
    assert!(f.playlist().starts_with(
        "# Danh sách / playlist\ntitle = \"P2\"\nmax_minutes = 20\noverflow = \"extend\"\n"
    ));
    let broken = PartInput {
        kind: "category".into(),
        category: "tin-tuc".into(),
        ..PartInput::default()
    };
    let err = f
        .edit(FileKind::Playlist, &[broken.change(None).unwrap()])
        .unwrap_err();
    assert!(err.to_string().contains("tin-tuc"), "{err}");
}

#[test]
fn quiet_hours_are_edited_for_the_commune_and_a_zone() {
    let f = fixture();
    let quiet = QuietInput {
        hours: "22:00-05:00".into(),
        zones: vec![("Thôn Chợ".into(), "20:00-06:00".into())],
    };
    let p = f.edit(FileKind::Schedule, &quiet.changes()).unwrap();
    assert!(p.quiet.zones.contains_key("Thôn Chợ"));
    let text = f.schedule();
    assert!(
        text.contains("hours = [\"22:00-05:00\"]  # giờ yên tĩnh\n"),
        "{text}"
    );
    assert!(
        text.contains("[quiet.zones]\n\"Thôn Chợ\" = [\"20:00-06:00\"]\n"),
        "{text}"
    );
    let err = f
        .edit(
            FileKind::Schedule,
            &QuietInput {
                hours: "22:00-29:00".into(),
                zones: Vec::new(),
            }
            .changes(),
        )
        .unwrap_err();
    assert!(err.to_string().contains("29:00"), "{err}");
}
