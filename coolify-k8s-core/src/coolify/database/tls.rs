//! `enable_ssl`: a database serving TLS with the certificate Coolify issued it from the
//! server's CA, as each `app/Actions/Database/Start*.php` sets it up on Docker:
//!
//! - the certificate and key are the database's file storages that Coolify's `SslHelper`
//!   writes under the kind's certificate folder (`server.crt` and `server.key`; MongoDB's
//!   `server.pem` holds both). They arrive in `file_storages` like any other; the key goes
//!   into a Secret (it is a private key), and the files get the owner Coolify's action
//!   gives them (`chown postgres:postgres …` run in the image, or `chown 999:999` on the
//!   server), since the database refuses a key it cannot read;
//! - the server's CA certificate (`/data/coolify/ssl/coolify-ca.crt`, bind-mounted into
//!   every kind but PostgreSQL) is not among a database's columns: the caller passes it as
//!   the attribute `ca_certificate` (the PEM of the server's CA `SslCertificate`);
//! - the start command gets the kind's TLS arguments; Redis and KeyDB serve TLS on a second
//!   port, 6380, which the Service exposes (on Docker every port of the container is
//!   reachable on its network).
//!
//! Coolify has no TLS for ClickHouse: `enable_ssl` does nothing there, as on Docker.

use super::DatabaseKind;
use crate::compose::{ExposedPort, HealthcheckTest, MountType, Protocol, Service};
use crate::coolify::attributes::{volume, Attrs};
use crate::error::Error;
use crate::path::InputPath;
use crate::report::{Outcome, Report};

/// Where the server's CA lives on a Coolify server.
const SERVER_CA: &str = "/data/coolify/ssl/coolify-ca.crt";
/// The TLS port of Redis and KeyDB.
const REDIS_TLS_PORT: u16 = 6380;

/// What one kind needs for TLS.
struct KindTls {
    /// The folder `SslHelper` writes the files for (its `mountPath`).
    dir: &'static str,
    /// The files there that Coolify gives an owner.
    files: &'static [&'static str],
    /// That owner.
    owner: &'static str,
    /// Where the CA is mounted, if it is.
    ca: Option<&'static str>,
}

fn kind_tls(kind: DatabaseKind) -> Option<KindTls> {
    let redis_like = |dir: &'static str, ca: &'static str| KindTls {
        dir,
        files: &["server.crt", "server.key"],
        owner: "999:999",
        ca: Some(ca),
    };
    Some(match kind {
        DatabaseKind::Postgresql => KindTls {
            dir: "/var/lib/postgresql/certs",
            files: &["server.crt", "server.key"],
            owner: "postgres:postgres",
            ca: None,
        },
        DatabaseKind::Mysql | DatabaseKind::Mariadb => KindTls {
            dir: "/etc/mysql/certs",
            files: &["server.crt", "server.key"],
            owner: "mysql:mysql",
            ca: Some("/etc/mysql/certs/coolify-ca.crt"),
        },
        DatabaseKind::Mongodb => KindTls {
            dir: "/etc/mongo/certs",
            files: &["server.pem"],
            owner: "mongodb:mongodb",
            ca: Some("/etc/mongo/certs/ca.pem"),
        },
        DatabaseKind::Redis => redis_like("/etc/redis/certs", "/etc/redis/certs/coolify-ca.crt"),
        DatabaseKind::Keydb => redis_like("/etc/keydb/certs", "/etc/keydb/certs/coolify-ca.crt"),
        DatabaseKind::Dragonfly => redis_like(
            "/etc/dragonfly/certs",
            "/etc/dragonfly/certs/coolify-ca.crt",
        ),
        DatabaseKind::Clickhouse => return None,
    })
}

/// Set up TLS on `svc` when `enable_ssl` is on: owners of the certificate files, the CA
/// file, the command's TLS arguments (`config` is the kind's configuration file, which
/// some commands name), the TLS port. Errors name the missing file storage or
/// `ca_certificate`.
pub(super) fn apply(
    kind: DatabaseKind,
    a: &Attrs<'_>,
    svc: &mut Service,
    config: Option<&str>,
    errors: &mut Vec<Error>,
    report: &mut Report,
) {
    if !a.flag("enable_ssl", false) {
        return;
    }
    let Some(tls) = kind_tls(kind) else { return };
    for file in tls.files {
        let target = format!("{}/{file}", tls.dir);
        match svc
            .volumes
            .iter_mut()
            .find(|v| v.target == target && v.content.is_some())
        {
            Some(v) => {
                v.owner.get_or_insert_with(|| tls.owner.to_string());
            }
            None => errors.push(Error::new(
                InputPath::root().key("file_storages"),
                format!(
                    "enable_ssl: no file storage at {target}: pass the database's file storages, where \
                     Coolify's SslHelper writes the certificate and key it issues at the first start with SSL"
                ),
            )),
        }
    }
    if let Some(ca) = tls.ca {
        match a.string("ca_certificate").filter(|c| !c.trim().is_empty()) {
            Some(pem) => {
                let mut v = volume(
                    MountType::Bind,
                    Some(SERVER_CA.to_string()),
                    ca.to_string(),
                    Some(pem),
                    Some(false),
                );
                v.read_only = true;
                svc.volumes.push(v);
            }
            None => errors.push(Error::new(
                InputPath::root().key("ca_certificate"),
                format!(
                    "enable_ssl: {kind} needs the server's CA certificate ({SERVER_CA}, mounted at {ca}): \
                     pass the PEM of the server's CA SslCertificate as ca_certificate"
                ),
            )),
        }
    }
    svc.command = Some(command(kind, tls.dir, a, svc.command.take(), config));
    if kind == DatabaseKind::Dragonfly {
        dragonfly_check_over_tls(svc, report);
    }
    if matches!(kind, DatabaseKind::Redis | DatabaseKind::Keydb) {
        svc.expose.push(ExposedPort {
            target: REDIS_TLS_PORT,
            protocol: Protocol::Tcp,
        });
    }
}

/// With `enable_ssl` off, each `Start*.php` deletes the database's file storages at the
/// kind's certificate paths before it starts it (and its `ssl` folder): a certificate and
/// key left from an earlier start with SSL are not mounted. `origins` are the storages the
/// volumes came from (see `apply_storages`), kept in step.
pub(super) fn drop_stale_files(
    kind: DatabaseKind,
    a: &Attrs<'_>,
    svc: &mut Service,
    origins: &mut Vec<InputPath>,
    report: &mut Report,
) {
    if a.flag("enable_ssl", false) {
        return;
    }
    let Some(tls) = kind_tls(kind) else { return };
    let stale = |target: &str| {
        target
            .strip_prefix(tls.dir)
            .and_then(|f| f.strip_prefix('/'))
            .is_some_and(|f| tls.files.contains(&f))
    };
    let mut i = 0;
    while i < svc.volumes.len() {
        if i < origins.len() && stale(&svc.volumes[i].target) {
            svc.volumes.remove(i);
            report.add(
                origins.remove(i),
                Outcome::Dropped,
                "enable_ssl is off: Coolify deletes this TLS file storage before the database starts, so it is not mounted",
            );
        } else {
            i += 1;
        }
    }
}

/// `--tls` makes every Dragonfly port TLS-only, so Coolify's plain `redis-cli ping` fails.
/// On Docker that only marks the container unhealthy; here the check is the readiness
/// probe, which would keep the Service from ever sending it traffic. The check therefore
/// speaks TLS (without verifying the name: it connects to 127.0.0.1).
fn dragonfly_check_over_tls(svc: &mut Service, report: &mut Report) {
    let Some(HealthcheckTest::Shell(test)) = svc.healthcheck.as_mut().and_then(|h| h.test.as_mut())
    else {
        return;
    };
    if let Some(rest) = test.strip_prefix("redis-cli ") {
        *test = format!("redis-cli --tls --insecure {rest}");
        report.add(
            InputPath::root().key("enable_ssl"),
            Outcome::Approximated,
            "Dragonfly with --tls serves TLS only: the health check (Coolify's plain redis-cli ping, which fails on Docker \
             without stopping traffic) speaks TLS here, since it gates the Service",
        );
    }
}

/// The start command with TLS, as each `Start*` action builds it (`dir`: the kind's certificate
/// folder).
fn command(
    kind: DatabaseKind,
    dir: &str,
    a: &Attrs<'_>,
    plain: Option<Vec<String>>,
    config: Option<&str>,
) -> Vec<String> {
    let words = |w: &[&str]| w.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    match kind {
        DatabaseKind::Postgresql => {
            let mut c = plain.unwrap_or_else(|| words(&["postgres"]));
            c.extend(words(&[
                "-c",
                "ssl=on",
                "-c",
                "ssl_cert_file=/var/lib/postgresql/certs/server.crt",
                "-c",
                "ssl_key_file=/var/lib/postgresql/certs/server.key",
            ]));
            c
        }
        DatabaseKind::Mysql | DatabaseKind::Mariadb => {
            let server = if kind == DatabaseKind::Mysql {
                "mysqld"
            } else {
                "mariadbd"
            };
            words(&[
                server,
                "--ssl-cert=/etc/mysql/certs/server.crt",
                "--ssl-key=/etc/mysql/certs/server.key",
                "--ssl-ca=/etc/mysql/certs/coolify-ca.crt",
                "--require-secure-transport=1",
            ])
        }
        DatabaseKind::Mongodb => {
            let mut c = if config.is_some() {
                words(&["mongod", "--config", "/etc/mongo/mongod.conf"])
            } else {
                words(&["mongod"])
            };
            let mode: &[&str] = match a.text("ssl_mode").as_deref() {
                Some("allow") => &[
                    "--tlsMode=allowTLS",
                    "--tlsAllowConnectionsWithoutCertificates",
                    "--tlsAllowInvalidHostnames",
                ],
                Some("prefer") => &[
                    "--tlsMode=preferTLS",
                    "--tlsAllowConnectionsWithoutCertificates",
                    "--tlsAllowInvalidHostnames",
                ],
                Some("require") => &[
                    "--tlsMode=requireTLS",
                    "--tlsAllowConnectionsWithoutCertificates",
                    "--tlsAllowInvalidHostnames",
                ],
                Some("verify-full") => &["--tlsMode=requireTLS", "--tlsAllowInvalidHostnames"],
                _ => &[],
            };
            c.extend(words(mode));
            c.extend(words(&[
                "--tlsCAFile",
                "/etc/mongo/certs/ca.pem",
                "--tlsCertificateKeyFile",
                "/etc/mongo/certs/server.pem",
            ]));
            c
        }
        DatabaseKind::Redis | DatabaseKind::Keydb => {
            let mut c = plain.unwrap_or_default();
            c.extend([
                "--tls-port".to_string(),
                REDIS_TLS_PORT.to_string(),
                "--tls-cert-file".to_string(),
                format!("{dir}/server.crt"),
                "--tls-key-file".to_string(),
                format!("{dir}/server.key"),
                "--tls-ca-cert-file".to_string(),
                format!("{dir}/coolify-ca.crt"),
                "--tls-auth-clients".to_string(),
                "optional".to_string(),
            ]);
            c
        }
        DatabaseKind::Dragonfly => {
            let mut c = plain.unwrap_or_default();
            c.extend(words(&[
                "--tls",
                "--tls_cert_file",
                "/etc/dragonfly/certs/server.crt",
                "--tls_key_file",
                "/etc/dragonfly/certs/server.key",
                "--tls_ca_cert_file",
                "/etc/dragonfly/certs/coolify-ca.crt",
            ]));
            c
        }
        DatabaseKind::Clickhouse => plain.unwrap_or_default(),
    }
}
