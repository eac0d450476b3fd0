//! The files the Debian package installs from `deploy/`: the production config must load with
//! no problem, and it, the systemd unit, the maintainer scripts and the package's asset list
//! must name the same paths.

use std::path::Path;

use loaxa::config;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap()
}

#[test]
fn the_packaged_config_is_valid_and_points_where_the_package_installs() {
    let path = Path::new(ROOT).join("deploy/debian/loaxa.toml");
    let loaded = config::load(Some(&path), std::iter::empty()).unwrap();
    let problems = loaded.problems();
    assert!(problems.is_empty(), "{problems:?}");
    let c = &loaded.config;
    assert_eq!(c.data_dir, Path::new("/var/lib/loaxa"));
    assert_eq!(c.web.listen.to_string(), "0.0.0.0:8080");
    assert_eq!(c.schedule.schedules_dir, Path::new("/etc/loaxa/schedules"));
    assert_eq!(c.schedule.playlists_dir, Path::new("/etc/loaxa/playlists"));
    assert_eq!(c.emergency.chime, "/usr/share/loaxa/assets/chuong-bao.ogg");
    assert!(Path::new(ROOT).join("assets/chuong-bao.ogg").exists());
}

#[test]
fn the_unit_scripts_and_assets_agree_on_paths() {
    let unit = read("deploy/loaxa.service");
    assert!(unit.contains("\nExecStart=/usr/bin/loaxa serve --config /etc/loaxa/loaxa.toml\n"));
    assert!(unit.contains("\nReadWritePaths=/var/lib/loaxa\n"));
    let node = read("deploy/loaxa-node.service");
    assert!(node.contains("\nExecStart=/usr/bin/loaxa node --config /etc/loaxa/loaxa.toml\n"));
    assert!(node.contains("\nReadWritePaths=/var/lib/loaxa\n"));
    assert!(
        node.contains("\nConflicts=loaxa.service\n"),
        "one player per Pi"
    );
    assert!(
        cargo_lists_unit("loaxa-node"),
        "the package installs the node's unit"
    );
    let postinst = read("deploy/debian/postinst");
    assert!(postinst.contains("install -d -o loaxa -g loaxa -m 0750 /var/lib/loaxa"));
    assert!(postinst.contains("cp -R \"/usr/share/loaxa/$dir\" \"/etc/loaxa/$dir\""));
    let cargo = read("Cargo.toml");
    for asset in [
        r#"["deploy/debian/loaxa.toml", "etc/loaxa/loaxa.toml", "644"]"#,
        r#"["schedules/*.toml", "usr/share/loaxa/schedules/", "644"]"#,
        r#"["playlists/*.toml", "usr/share/loaxa/playlists/", "644"]"#,
        r#"["assets/*.ogg", "usr/share/loaxa/assets/", "644"]"#,
    ] {
        assert!(
            cargo.contains(asset),
            "{asset} missing from [package.metadata.deb]"
        );
    }
}

/// Whether `[package.metadata.deb]` has a `systemd-units` entry for `unit`.
fn cargo_lists_unit(unit: &str) -> bool {
    read("Cargo.toml").contains(&format!("unit-name = \"{unit}\""))
}
