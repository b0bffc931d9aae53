//! A private PostgreSQL server for the stories that stop and start the database
//! itself: made with the machine's own `initdb` and `pg_ctl` in a temporary directory,
//! on a free port, so restarting it disturbs nothing else (the shared server at
//! `TEST_DATABASE_URL` keeps serving every other test).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A PostgreSQL cluster of the test's own, stopped and removed on drop.
pub struct PgCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// Root runs the server as `postgres` (PostgreSQL refuses to run as root).
    run_as_postgres: bool,
}

/// The newest PostgreSQL server binaries installed (Debian keeps them per version).
fn server_bindir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    dirs.sort_by_key(|d| d.parent().and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok()).unwrap_or(0));
    dirs.pop()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

impl PgCluster {
    /// Makes and starts a cluster (None where the server binaries are not installed;
    /// CI installs them, so there it is an error).
    pub fn start() -> Option<PgCluster> {
        let Some(bin) = server_bindir() else {
            assert!(std::env::var("CI").is_err(), "CI machines have PostgreSQL's server binaries");
            eprintln!("no PostgreSQL server binaries under /usr/lib/postgresql: story skipped");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("parley-pg-{}", uuid::Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let cluster = PgCluster { bin, dir, port, run_as_postgres: is_root() };
        if cluster.run_as_postgres {
            let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(&cluster.dir).status().unwrap();
            assert!(ok.success(), "chown {}", cluster.dir.display());
        }
        let data = cluster.data_dir();
        cluster.run("initdb", &["-D", path(&data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        cluster.ctl_start();
        Some(cluster)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.join("data")
    }

    /// One of the server's tools, run as the user that owns the cluster.
    fn command(&self, tool: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(tool);
        let mut cmd = if self.run_as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(&self.dir);
        cmd
    }

    fn run(&self, tool: &str, args: &[&str]) -> Output {
        let out = self.command(tool, args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn ctl_start(&self) {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60",
            self.port,
            self.dir.display()
        );
        let data = self.data_dir();
        let log = self.dir.join("server.log");
        self.run("pg_ctl", &["-D", path(&data), "-l", path(&log), "-o", &opts, "-w", "-t", "60", "start"]);
    }

    /// The superuser URL of database `name` (`postgres` always exists).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Stops the server the way an operator's restart does (`-m fast`: every session
    /// is cut, open transactions roll back) and starts it again after `down`.
    pub fn restart(&self, down: std::time::Duration) {
        self.stop();
        std::thread::sleep(down);
        self.ctl_start();
    }

    /// Stops the server as [`PgCluster::restart`] does, and leaves it down.
    pub fn stop(&self) {
        let data = self.data_dir();
        self.run("pg_ctl", &["-D", path(&data), "-m", "fast", "-w", "-t", "60", "stop"]);
    }

    /// Starts a stopped server again.
    pub fn start_again(&self) {
        self.ctl_start();
    }
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let data = self.data_dir();
        let _ = self.command("pg_ctl", &["-D", path(&data), "-m", "immediate", "-w", "stop"]).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
