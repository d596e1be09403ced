//! The TLS-only servers of one test: a certificate authority made for the
//! test, a PostgreSQL cluster that accepts nothing but `hostssl`, and a
//! `redis-server` that listens only on its TLS port. Both serve a
//! certificate for 127.0.0.1 and localhost signed by the test's CA, and
//! both are stopped when dropped. `build.rs` finds the programs (cfg
//! `herald_tls`); PostgreSQL refuses to run as root, so under root the
//! cluster runs as the `postgres` account.

use std::{
    net::TcpListener,
    os::unix::{fs::PermissionsExt, process::CommandExt},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tempfile::TempDir;

use crate::kit::WAIT;

/// A CA of one test and the server certificate it signed.
pub struct TestCa {
    /// Holds `ca.pem`, for the clients (Herald runs in the test process).
    dir: TempDir,
    server_cert: String,
    server_key: String,
}

impl TestCa {
    pub fn new() -> TestCa {
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Herald test CA");
        ca.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca_key = KeyPair::generate().unwrap();
        let ca_cert = ca.self_signed(&ca_key).unwrap();
        let (server_cert, server_key) = server_identity(&Issuer::new(ca, ca_key));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).unwrap();
        TestCa {
            dir,
            server_cert,
            server_key,
        }
    }

    /// The CA certificate, PEM: what clients must trust.
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// Writes the server's certificate and key (mode 0600) into `dir`,
    /// owned by `owner`; returns their paths.
    fn write_server_identity(&self, dir: &Path, owner: Option<Account>) -> (PathBuf, PathBuf) {
        let (cert, key) = (dir.join("server.crt"), dir.join("server.key"));
        std::fs::write(&cert, &self.server_cert).unwrap();
        std::fs::write(&key, &self.server_key).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        for file in [&cert, &key] {
            give_to(file, owner);
        }
        (cert, key)
    }
}

/// A certificate for 127.0.0.1 and localhost signed by `ca`, and its
/// key, both PEM.
fn server_identity(ca: &Issuer<'_, KeyPair>) -> (String, String) {
    let mut server = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    server
        .distinguished_name
        .push(DnType::CommonName, "localhost");
    server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let key = KeyPair::generate().unwrap();
    let cert = server.signed_by(&key, ca).unwrap();
    (cert.pem(), key.serialize_pem())
}

/// A uid and gid to run a server as.
#[derive(Clone, Copy)]
struct Account {
    uid: u32,
    gid: u32,
}

/// Who runs PostgreSQL: this process's user, or `postgres` under root.
fn postgres_account() -> Option<Account> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return None;
    }
    let id = |flag: &str| -> u32 {
        let out = Command::new("id")
            .args([flag, "postgres"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "running as root, the TLS tests need a `postgres` account to run PostgreSQL as"
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    Some(Account {
        uid: id("-u"),
        gid: id("-g"),
    })
}

fn give_to(path: &Path, owner: Option<Account>) {
    if let Some(Account { uid, gid }) = owner {
        std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    }
}

/// A port nothing listens on right now.
fn spare_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A PostgreSQL program found by `build.rs`.
fn postgres_program(name: &str) -> Command {
    let Some(bin) = option_env!("HERALD_TLS_PG_BIN") else {
        panic!("build.rs did not find initdb and pg_ctl");
    };
    Command::new(Path::new(bin).join(name))
}

/// A PostgreSQL cluster of one test that accepts only TLS connections
/// from 127.0.0.1, as `postgres`, to any database, without a password.
pub struct TlsPostgres {
    dir: TempDir,
    owner: Option<Account>,
    pub port: u16,
}

impl TlsPostgres {
    /// Creates the cluster, lets it speak TLS only, and starts it.
    pub fn start(ca: &TestCa) -> TlsPostgres {
        let dir = tempfile::tempdir().unwrap();
        let owner = postgres_account();
        give_to(dir.path(), owner);
        let (cert, key) = ca.write_server_identity(dir.path(), owner);
        let postgres = TlsPostgres {
            dir,
            owner,
            port: spare_port(),
        };
        postgres.run(
            postgres_program("initdb")
                .args(["-U", "postgres", "-A", "trust", "--no-sync"])
                .args(["--no-locale", "-E", "UTF8", "-D"])
                .arg(postgres.data()),
        );
        postgres.configure(&cert, &key);
        let log = postgres.dir.path().join("postgres.log");
        let started = postgres.try_run(
            postgres_program("pg_ctl")
                .args(["-w", "-l"])
                .arg(&log)
                .arg("-D")
                .arg(postgres.data())
                .arg("start"),
        );
        assert!(
            started,
            "PostgreSQL did not start:\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        postgres
    }

    /// TLS on with `cert` and `key`, on this cluster's port of 127.0.0.1,
    /// and no way in without TLS.
    fn configure(&self, cert: &Path, key: &Path) {
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nport = {}\nunix_socket_directories = '{}'\n\
             ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\nfsync = off\n",
            self.port,
            self.dir.path().display(),
            cert.display(),
            key.display(),
        );
        append(&self.data().join("postgresql.conf"), &settings);
        // Only `hostssl`: a connection without TLS matches no line.
        std::fs::write(
            self.data().join("pg_hba.conf"),
            "hostssl all all 127.0.0.1/32 trust\n",
        )
        .unwrap();
    }

    /// The URL of the `postgres` database with `query` (`sslmode=…`).
    pub fn url(&self, query: &str) -> String {
        format!(
            "postgres://postgres@127.0.0.1:{}/postgres?{query}",
            self.port
        )
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn run(&self, command: &mut Command) {
        assert!(self.try_run(command), "{command:?} failed");
    }

    /// Runs `command` as the cluster's owner, in its directory (the
    /// owner may not be allowed into the test's working directory).
    fn try_run(&self, command: &mut Command) -> bool {
        command.current_dir(self.dir.path()).stdout(Stdio::null());
        if let Some(Account { uid, gid }) = self.owner {
            command.uid(uid).gid(gid);
        }
        command.status().unwrap().success()
    }
}

impl Drop for TlsPostgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.try_run(
            postgres_program("pg_ctl")
                .args(["-m", "immediate", "-D"])
                .arg(data)
                .arg("stop"),
        );
    }
}

fn append(file: &Path, text: &str) {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new().append(true).open(file).unwrap();
    file.write_all(text.as_bytes()).unwrap();
}

/// A `redis-server` of one test that listens only on a TLS port and does
/// not ask clients for certificates.
pub struct TlsRedis {
    _dir: TempDir,
    server: Child,
    pub port: u16,
}

impl TlsRedis {
    /// Starts the server and waits until it answers a client that trusts
    /// `ca`.
    pub async fn start(ca: &TestCa) -> TlsRedis {
        let dir = tempfile::tempdir().unwrap();
        let (cert, key) = ca.write_server_identity(dir.path(), None);
        let port = spare_port();
        let Some(program) = option_env!("HERALD_TLS_REDIS_SERVER") else {
            panic!("build.rs did not find a TLS-capable redis-server");
        };
        let server = Command::new(program)
            .args(["--bind", "127.0.0.1", "--port", "0"])
            .args(["--tls-port", &port.to_string()])
            .arg("--tls-cert-file")
            .arg(&cert)
            .arg("--tls-key-file")
            .arg(&key)
            .arg("--tls-ca-cert-file")
            .arg(ca.file())
            .args([
                "--tls-auth-clients",
                "no",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .arg("--dir")
            .arg(dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("start redis-server");
        let redis = TlsRedis {
            _dir: dir,
            server,
            port,
        };
        redis.until_it_answers(ca).await;
        redis
    }

    pub fn url(&self) -> String {
        format!("rediss://127.0.0.1:{}", self.port)
    }

    async fn until_it_answers(&self, ca: &TestCa) {
        let client = herald::broker::redis_client(&self.url(), Some(&ca.file())).unwrap();
        let deadline = tokio::time::Instant::now() + WAIT;
        while client.get_multiplexed_async_connection().await.is_err() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "redis-server did not answer over TLS"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}
