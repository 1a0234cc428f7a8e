//! The eight kinds of standalone database and what Coolify's `app/Actions/Database/Start*.php`
//! run for each: port, credential variables, health check, start command, configuration file.

use std::fmt;

/// A kind of standalone database (Coolify's `Standalone*` models).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DatabaseKind {
    /// `StandalonePostgresql`.
    Postgresql,
    /// `StandaloneMysql`.
    Mysql,
    /// `StandaloneMariadb`.
    Mariadb,
    /// `StandaloneMongodb`.
    Mongodb,
    /// `StandaloneRedis`.
    Redis,
    /// `StandaloneKeydb`.
    Keydb,
    /// `StandaloneDragonfly`.
    Dragonfly,
    /// `StandaloneClickhouse`.
    Clickhouse,
}

/// Every kind, in Coolify's order.
pub const ALL: [DatabaseKind; 8] = [
    DatabaseKind::Postgresql,
    DatabaseKind::Mysql,
    DatabaseKind::Mariadb,
    DatabaseKind::Mongodb,
    DatabaseKind::Redis,
    DatabaseKind::Keydb,
    DatabaseKind::Dragonfly,
    DatabaseKind::Clickhouse,
];

/// A configuration column written to a file in the pod.
#[derive(Debug, Clone, Copy)]
pub struct ConfigFile {
    /// The column holding the file's text (`postgres_conf`).
    pub column: &'static str,
    /// Where Coolify mounts it.
    pub target: &'static str,
}

impl DatabaseKind {
    /// `postgresql`, `standalone-postgresql` (Coolify's `database_type`) or the model's class
    /// name (`StandalonePostgresql`), case-insensitive.
    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim().to_ascii_lowercase();
        let t = t
            .strip_prefix("standalone-")
            .or_else(|| t.strip_prefix("app\\models\\standalone"))
            .or_else(|| t.strip_prefix("standalone"))
            .unwrap_or(&t);
        ALL.into_iter().find(|k| k.name() == t)
    }

    /// The short name (`postgresql`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Postgresql => "postgresql",
            Self::Mysql => "mysql",
            Self::Mariadb => "mariadb",
            Self::Mongodb => "mongodb",
            Self::Redis => "redis",
            Self::Keydb => "keydb",
            Self::Dragonfly => "dragonfly",
            Self::Clickhouse => "clickhouse",
        }
    }

    /// The port the database listens on (`StartDatabaseProxy`'s `$internalPort`).
    pub fn port(self) -> u16 {
        match self {
            Self::Postgresql => 5432,
            Self::Mysql | Self::Mariadb => 3306,
            Self::Mongodb => 27017,
            Self::Redis | Self::Keydb | Self::Dragonfly => 6379,
            Self::Clickhouse => 9000,
        }
    }

    /// The variables Coolify adds from the model's columns when no stored variable has the
    /// name (`generate_environment_variables()`): `(variable, column)`. All go into the
    /// resource Secret.
    pub fn credentials(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::Postgresql => &[
                ("POSTGRES_USER", "postgres_user"),
                ("PGUSER", "postgres_user"),
                ("POSTGRES_PASSWORD", "postgres_password"),
                ("POSTGRES_DB", "postgres_db"),
            ],
            Self::Mysql => &[
                ("MYSQL_ROOT_PASSWORD", "mysql_root_password"),
                ("MYSQL_DATABASE", "mysql_database"),
                ("MYSQL_USER", "mysql_user"),
                ("MYSQL_PASSWORD", "mysql_password"),
            ],
            Self::Mariadb => &[
                ("MARIADB_ROOT_PASSWORD", "mariadb_root_password"),
                ("MARIADB_DATABASE", "mariadb_database"),
                ("MARIADB_USER", "mariadb_user"),
                ("MARIADB_PASSWORD", "mariadb_password"),
            ],
            Self::Mongodb => &[
                ("MONGO_INITDB_ROOT_USERNAME", "mongo_initdb_root_username"),
                ("MONGO_INITDB_ROOT_PASSWORD", "mongo_initdb_root_password"),
                ("MONGO_INITDB_DATABASE", "mongo_initdb_database"),
            ],
            // StartRedis sets the stored REDIS_PASSWORD to the column; the start command
            // needs it, so it is always there.
            Self::Redis => &[("REDIS_PASSWORD", "redis_password")],
            Self::Keydb => &[("REDIS_PASSWORD", "keydb_password")],
            Self::Dragonfly => &[("REDIS_PASSWORD", "dragonfly_password")],
            Self::Clickhouse => &[
                ("CLICKHOUSE_USER", "clickhouse_admin_user"),
                ("CLICKHOUSE_PASSWORD", "clickhouse_admin_password"),
                ("CLICKHOUSE_DB", "clickhouse_db"),
            ],
        }
    }

    /// Coolify's health check, through `sh -c` so that credentials come from the
    /// container's environment (the Secret), never from the probe's command.
    pub fn health_check(self) -> &'static str {
        match self {
            Self::Postgresql => r#"psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -c 'SELECT 1'"#,
            Self::Mysql => r#"mysqladmin ping -h localhost -u root -p"$MYSQL_ROOT_PASSWORD""#,
            Self::Mariadb => "healthcheck.sh --connect --innodb_initialized",
            Self::Mongodb => "echo ok",
            Self::Redis => "redis-cli ping",
            Self::Keydb => r#"keydb-cli --pass "$REDIS_PASSWORD" ping"#,
            Self::Dragonfly => r#"redis-cli -a "$REDIS_PASSWORD" ping"#,
            Self::Clickhouse => {
                r#"clickhouse-client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --query 'SELECT 1'"#
            }
        }
    }

    /// The configuration column and where its file goes.
    pub fn config_file(self) -> Option<ConfigFile> {
        let (column, target) = match self {
            Self::Postgresql => ("postgres_conf", "/etc/postgresql/postgresql.conf"),
            Self::Mysql => ("mysql_conf", "/etc/mysql/conf.d/custom-config.cnf"),
            Self::Mariadb => ("mariadb_conf", "/etc/mysql/conf.d/custom-config.cnf"),
            Self::Mongodb => ("mongo_conf", "/etc/mongo/mongod.conf"),
            Self::Redis => ("redis_conf", "/usr/local/etc/redis/redis.conf"),
            Self::Keydb => ("keydb_conf", "/etc/keydb/keydb.conf"),
            Self::Dragonfly | Self::Clickhouse => return None,
        };
        Some(ConfigFile { column, target })
    }

    /// Whether `init_scripts` (`[{filename, content}]`) go to `/docker-entrypoint-initdb.d/`.
    pub fn has_init_scripts(self) -> bool {
        matches!(
            self,
            Self::Postgresql | Self::Mysql | Self::Mariadb | Self::Mongodb
        )
    }

    /// The start command Coolify gives, given whether a configuration file is set and
    /// whether it sets `requirepass`. `password` is the reference to the password variable
    /// (`$(REDIS_PASSWORD)`): Kubernetes fills it in from the Secret when it starts the
    /// container, so the manifest never holds it. `None`: the image's own command.
    pub fn command(self, config: Option<&str>, password: &str) -> Option<Vec<String>> {
        let words: &[&str] = match (self, config) {
            (Self::Postgresql, Some(_)) => &[
                "postgres",
                "-c",
                "config_file=/etc/postgresql/postgresql.conf",
            ],
            (Self::Mongodb, Some(_)) => &["mongod", "--config", "/etc/mongo/mongod.conf"],
            (Self::Redis, None) => &[
                "redis-server",
                "--requirepass",
                "{pw}",
                "--appendonly",
                "yes",
            ],
            (Self::Redis, Some(c)) if c.contains("requirepass") => {
                &["redis-server", "/usr/local/etc/redis/redis.conf"]
            }
            (Self::Redis, Some(_)) => &[
                "redis-server",
                "/usr/local/etc/redis/redis.conf",
                "--requirepass",
                "{pw}",
            ],
            (Self::Keydb, None) => &[
                "keydb-server",
                "--requirepass",
                "{pw}",
                "--appendonly",
                "yes",
            ],
            (Self::Keydb, Some(c)) if c.contains("requirepass") => {
                &["keydb-server", "/etc/keydb/keydb.conf"]
            }
            (Self::Keydb, Some(_)) => &[
                "keydb-server",
                "/etc/keydb/keydb.conf",
                "--requirepass",
                "{pw}",
            ],
            (Self::Dragonfly, _) => &["dragonfly", "--requirepass", "{pw}"],
            _ => return None,
        };
        Some(
            words
                .iter()
                .map(|w| {
                    if *w == "{pw}" {
                        password.to_string()
                    } else {
                        (*w).to_string()
                    }
                })
                .collect(),
        )
    }
}

impl fmt::Display for DatabaseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_coolify_type_names() {
        assert_eq!(
            DatabaseKind::parse("standalone-postgresql"),
            Some(DatabaseKind::Postgresql)
        );
        assert_eq!(DatabaseKind::parse("KeyDB"), Some(DatabaseKind::Keydb));
        assert_eq!(
            DatabaseKind::parse("App\\Models\\StandaloneClickhouse"),
            Some(DatabaseKind::Clickhouse)
        );
        assert_eq!(DatabaseKind::parse("sqlite"), None);
        for k in ALL {
            assert_eq!(DatabaseKind::parse(k.name()), Some(k));
        }
    }

    #[test]
    fn password_is_the_reference_given() {
        assert_eq!(
            DatabaseKind::Redis.command(None, "$(REDIS_PASSWORD)"),
            Some(
                [
                    "redis-server",
                    "--requirepass",
                    "$(REDIS_PASSWORD)",
                    "--appendonly",
                    "yes"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert_eq!(
            DatabaseKind::Redis.command(Some("requirepass x"), "$(P)"),
            Some(
                ["redis-server", "/usr/local/etc/redis/redis.conf"]
                    .map(String::from)
                    .to_vec()
            )
        );
        assert_eq!(DatabaseKind::Mysql.command(Some("x"), "$(P)"), None);
    }
}
