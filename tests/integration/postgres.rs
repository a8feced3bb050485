//! A real Postgres for the tests, owned by them: a cluster of Debian's `postgresql` package
//! (`scripts/provision` installs it; `ELIXIR_CNB_PG_BIN` says where its binaries are) in a temporary dir,
//! listening on 127.0.0.1 on a free port, stopped and removed when dropped. Each test gets a database of
//! its own. The server runs as the `postgres` user (it refuses root) and trusts local connections: the
//! apps connect with the `postgres:postgres` a `DATABASE_URL` of Heroku Postgres has the shape of.
//! Containers on Docker's bridge network (the classic harness's dynos) reach it on the bridge's gateway
//! address, where it also listens, trusting that network only.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) struct Postgres {
    dir: PathBuf,
    bin: PathBuf,
    pub(crate) port: u16,
    /// The address of Docker's bridge on this host (`docker0`), where containers reach the host.
    bridge: String,
}

/// `docker0`'s IPv4 address (`172.17.0.1`).
fn bridge_address() -> String {
    let output = Command::new("ip")
        .args(["-4", "-o", "addr", "show", "docker0"])
        .output()
        .expect("ip addr");
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .skip_while(|word| *word != "inet")
        .nth(1)
        .and_then(|cidr| cidr.split('/').next())
        .unwrap_or_else(|| panic!("no IPv4 address on docker0: {text}"))
        .to_string()
}

fn bin_dir() -> PathBuf {
    std::env::var_os("ELIXIR_CNB_PG_BIN")
        .map_or_else(|| PathBuf::from("/usr/lib/postgresql/15/bin"), PathBuf::from)
}

/// Runs one of Postgres's programs as the `postgres` user; panics with its output when it fails.
fn as_postgres(bin: &Path, program: &str, args: &[&str]) -> String {
    let output = Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(bin.join(program))
        .args(args)
        .current_dir("/")
        .output()
        .unwrap_or_else(|error| panic!("runuser {program}: {error}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{program} {args:?} failed:\n{text}");
    String::from_utf8_lossy(&output.stdout).to_string()
}

impl Postgres {
    pub(crate) fn start() -> Self {
        let bin = bin_dir();
        assert!(
            bin.join("postgres").is_file(),
            "no PostgreSQL at {}: run the integration tests through scripts/test (it provisions it)",
            bin.display()
        );
        let port = crate::heroku::free_port();
        let dir = std::env::temp_dir().join(format!("elixir-cnb-pg-{port}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("mkdir");
        let chown = Command::new("chown")
            .args(["postgres:postgres", &dir.to_string_lossy()])
            .status()
            .expect("chown");
        assert!(chown.success());
        let data = dir.join("data").to_string_lossy().to_string();
        as_postgres(
            &bin,
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "postgres",
                "--auth=trust",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ],
        );
        let bridge = bridge_address();
        let mut hba = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join("data/pg_hba.conf"))
            .expect("pg_hba.conf");
        std::io::Write::write_all(&mut hba, format!("host all all {bridge}/16 trust\n").as_bytes())
            .expect("write pg_hba.conf");
        let options = format!(
            "-p {port} -h 127.0.0.1,{bridge} -k {} -c fsync=off -c full_page_writes=off",
            dir.display()
        );
        let log = dir.join("server.log").to_string_lossy().to_string();
        as_postgres(
            &bin,
            "pg_ctl",
            &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
        );
        Self {
            dir,
            bin,
            port,
            bridge,
        }
    }

    /// A new database; returns its URL as Heroku Postgres gives it (`postgres://...`).
    pub(crate) fn database(&self, name: &str) -> String {
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        format!("postgres://postgres:postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The URL of `database` (made with [`Self::database`]) from a container on Docker's bridge network.
    pub(crate) fn url_from_containers(&self, name: &str) -> String {
        format!(
            "postgres://postgres:postgres@{}:{}/{name}",
            self.bridge, self.port
        )
    }

    /// Runs `sql` in `database`; returns the rows, one per line, columns separated by `|`.
    pub(crate) fn psql(&self, database: &str, sql: &str) -> String {
        as_postgres(
            &self.bin,
            "psql",
            &[
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tA",
                "-c",
                sql,
            ],
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").to_string_lossy().to_string();
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .args(["-D", &data, "-m", "immediate", "stop"])
            .current_dir("/")
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
