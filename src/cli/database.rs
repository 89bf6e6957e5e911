//! The database a command names: its URL as the user gave it (an SQLite
//! file is created when missing, as the default URL does), shown without its
//! password, and plain words for why it could not be opened.

use std::time::Duration;

use sea_orm::DbErr;
use url::Url;

/// The URL to connect to: an SQLite URL that says nothing of `mode` gets
/// `mode=rwc`, so the file is created when missing, as the default URL is.
pub fn with_create_mode(url: &str) -> String {
    if !url.starts_with("sqlite:") || url.contains("mode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode=rwc")
}

/// The URL as it may be shown: the password replaced by `***`.
pub fn redacted(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// Where a PostgreSQL URL connects: an address over TCP, or the socket
/// file in the directory given as its host, percent-encoded
/// (`postgres://user@%2Fvar%2Frun%2Fpostgresql/db`) or as `?host=`.
#[derive(Debug, PartialEq, Eq)]
enum Endpoint {
    Tcp { host: String, port: u16 },
    Socket { directory: String, port: u16 },
}

impl Endpoint {
    fn of(url: &Url) -> Option<Endpoint> {
        let port = url.port().unwrap_or(5432);
        let given = url
            .query_pairs()
            .find(|(key, _)| key == "host")
            .map(|(_, host)| host.into_owned());
        let host = match given {
            Some(host) => host,
            None => percent_encoding::percent_decode_str(url.host_str()?)
                .decode_utf8()
                .ok()?
                .into_owned(),
        };
        Some(if host.starts_with('/') {
            Endpoint::Socket {
                directory: host,
                port,
            }
        } else {
            Endpoint::Tcp { host, port }
        })
    }

    /// The `-h … -p …` of `createdb` for it.
    fn createdb_options(&self) -> String {
        match self {
            Endpoint::Tcp { host, port } => format!("-h {host} -p {port}"),
            Endpoint::Socket { directory, port } => format!("-h {directory} -p {port}"),
        }
    }

    /// Whether something accepts connections there, in plain words when not.
    async fn reached(&self) -> Result<(), String> {
        use std::io::ErrorKind;
        let wait = Duration::from_secs(2);
        // Where it connected, how that went, and what to ask when refused.
        let (place, connected, running) = match self {
            Endpoint::Tcp { host, port } => {
                let address = format!("{host}:{port}");
                let connected =
                    tokio::time::timeout(wait, tokio::net::TcpStream::connect(&address))
                        .await
                        .map(|connected| connected.map(drop));
                (address, connected, "running there, on that port")
            }
            Endpoint::Socket { directory, port } => {
                let path = format!("{}/.s.PGSQL.{port}", directory.trim_end_matches('/'));
                let connected = tokio::time::timeout(wait, unix_connect(&path)).await;
                (path, connected, "running")
            }
        };
        match connected {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) if e.kind() == ErrorKind::NotFound => match self {
                Endpoint::Socket { directory, port } => Err(format!(
                    "there is no PostgreSQL socket at {place}: is PostgreSQL running on this machine, with its socket in {directory} and on port {port}?"
                )),
                Endpoint::Tcp { .. } => Err(format!("cannot reach {place}: {e}")),
            },
            Ok(Err(e)) if e.kind() == ErrorKind::ConnectionRefused => Err(format!(
                "nothing accepts connections at {place} (connection refused): is PostgreSQL {running}?"
            )),
            Ok(Err(e)) => Err(format!("cannot reach {place}: {e}")),
            Err(_) => Err(format!("{place} did not answer within 2 s")),
        }
    }
}

/// Connect to the socket file at `path`.
#[cfg(unix)]
async fn unix_connect(path: &str) -> std::io::Result<()> {
    tokio::net::UnixStream::connect(path).await.map(drop)
}

/// No socket files here: say so.
#[cfg(not(unix))]
async fn unix_connect(path: &str) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        format!("{path} is a socket, and this system has none"),
    ))
}

/// Why `url` could not be opened, and what to do about it.
pub async fn why_not_opened(url: &str, error: &DbErr) -> String {
    let said = crate::store::said(error);
    if url.starts_with("sqlite:") {
        return format!(
            "{said}; check that the file's directory exists and that this user may write there"
        );
    }
    let Ok(parsed) = Url::parse(url) else {
        return said;
    };
    let Some(endpoint) = Endpoint::of(&parsed) else {
        return said;
    };
    // The pool only says it timed out: ask the network what happened.
    match endpoint.reached().await {
        Err(why) => why,
        Ok(()) if said.contains("does not exist") && said.starts_with("database") => {
            let name = parsed.path().trim_start_matches('/');
            format!(
                "{said}; create it first (`createdb {} {name}`)",
                endpoint.createdb_options()
            )
        }
        Ok(()) => said,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_without_a_mode_create_the_file() {
        assert_eq!(
            with_create_mode("sqlite://new.db"),
            "sqlite://new.db?mode=rwc"
        );
        assert_eq!(
            with_create_mode("sqlite://new.db?cache=shared"),
            "sqlite://new.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            with_create_mode("sqlite://x.db?mode=ro"),
            "sqlite://x.db?mode=ro"
        );
        assert_eq!(with_create_mode("postgres://h/db"), "postgres://h/db");
    }

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redacted("postgres://ana:secreto@db.example:5432/definiciones"),
            "postgres://ana:***@db.example:5432/definiciones"
        );
        assert_eq!(redacted("postgres://ana@h/db"), "postgres://ana@h/db");
        assert_eq!(redacted("sqlite://a.db?mode=rwc"), "sqlite://a.db?mode=rwc");
    }

    #[test]
    fn a_socket_directory_as_the_host_is_a_socket() {
        let endpoint = |url: &str| Endpoint::of(&Url::parse(url).unwrap());
        assert_eq!(
            endpoint("postgres://ana@%2Fvar%2Frun%2Fpostgresql/definiciones"),
            Some(Endpoint::Socket {
                directory: "/var/run/postgresql".to_owned(),
                port: 5432
            })
        );
        assert_eq!(
            endpoint("postgres://ana@localhost:5433/definiciones?host=/tmp/pg"),
            Some(Endpoint::Socket {
                directory: "/tmp/pg".to_owned(),
                port: 5433
            })
        );
        assert_eq!(
            endpoint("postgres://ana@db.example/definiciones"),
            Some(Endpoint::Tcp {
                host: "db.example".to_owned(),
                port: 5432
            })
        );
    }
}
