//! The station the bench runs against: its folder, config and programme, and `loaxa serve`
//! as a child process, with what `/proc` says of its CPU and threads.

use super::*;

/// `loaxa` with none of this process's `LOAXA_*` variables.
pub(super) fn loaxa() -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("LOAXA_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// A temporary station: config, programme, database with the approved bulletin.
pub(super) struct Station {
    pub(super) dir: PathBuf,
    pub(super) _temp: Option<tempfile::TempDir>,
    pub(super) config: PathBuf,
}

impl Station {
    pub(super) fn new(knobs: &Knobs, bulletin: &Path) -> Result<Station, String> {
        let temp = tempfile::Builder::new()
            .prefix("loaxa-load-")
            .tempdir()
            .map_err(|e| e.to_string())?;
        let dir = temp.path().to_path_buf();
        let data = dir.join("data");
        let (schedules, playlists) = (dir.join("schedules"), dir.join("playlists"));
        for d in [&data, &schedules, &playlists] {
            std::fs::create_dir_all(d).map_err(|e| e.to_string())?;
        }
        let q = |p: &Path| toml::Value::String(p.display().to_string()).to_string();
        let config = dir.join("loaxa.toml");
        let text = format!(
            "data_dir = {}\n[audio]\noutput = {}\n[web]\nlisten = \"127.0.0.1:8080\"\n\
             [schedule]\nschedules_dir = {}\nplaylists_dir = {}\nrequire_time_sync = false\npreroll_seconds = 1\n",
            q(&data),
            toml::Value::String(knobs.output.clone()),
            q(&schedules),
            q(&playlists)
        );
        std::fs::write(&config, text).map_err(|e| e.to_string())?;
        std::fs::write(
            playlists.join("tin.toml"),
            "title = \"Bản tin\"\nmax_minutes = 120\noverflow = \"extend\"\n[[part]]\ncategory = \"bulletin\"\n",
        )
        .map_err(|e| e.to_string())?;
        // The slot of the current minute: already due and within the grace window, so the
        // runner airs it as soon as the service starts.
        let now = chrono::Utc::now().with_timezone(&chrono_tz::Asia::Ho_Chi_Minh);
        std::fs::write(
            schedules.join("tai.toml"),
            format!(
                "[[once]]\nname = \"tai\"\nat = \"{}\"\nplaylist = \"tin\"\n",
                now.format("%Y-%m-%d %H:%M")
            ),
        )
        .map_err(|e| e.to_string())?;
        {
            let store = Store::open(&data.join("loaxa.sqlite3")).map_err(|e| e.to_string())?;
            let library = MediaLibrary::new(&data, store.clone(), LoudnessPolicy::default());
            support::approved_item(&store, &library, bulletin, BULLETIN, Category::Bulletin)?;
        }
        let (temp, dir) = if knobs.keep {
            (None, temp.keep())
        } else {
            (Some(temp), dir)
        };
        Ok(Station {
            dir,
            _temp: temp,
            config,
        })
    }

    pub(super) fn cli(&self, args: &[&str]) -> Result<String, String> {
        let out = loaxa()
            .arg("--config")
            .arg(&self.config)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("{BIN}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "loaxa {args:?}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub(super) fn log(&self) -> PathBuf {
        self.dir.join("serve.log")
    }

    pub(super) fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log()).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub(super) fn serve(&self) -> Result<Server, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let log = std::fs::File::create(self.log()).map_err(|e| e.to_string())?;
        let err = log.try_clone().map_err(|e| e.to_string())?;
        let child = loaxa()
            .arg("--config")
            .arg(&self.config)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("LOAXA_LOG", "info,symphonia=error")
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("{BIN}: {e}"))?;
        Ok(Server { child, port })
    }
}

/// The running `loaxa serve`, stopped (SIGTERM, then SIGKILL) when dropped.
pub(super) struct Server {
    pub(super) child: Child,
    pub(super) port: u16,
}

impl Server {
    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // By the system call, never the `kill` command (procps-ng 4.0.2's can signal everyone).
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGTERM,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// CPU seconds a process has used (user + system), from `/proc`.
pub(super) fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = after
        .split_whitespace()
        .map(|v| v.parse().unwrap_or(0.0))
        .collect();
    // utime and stime are fields 14 and 15; `after` starts at field 3. Ticks of 1/100 s.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

/// How many threads a process has, from `/proc`.
pub(super) fn threads(pid: &str) -> usize {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

pub(super) fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}
