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

/// Why `url` could not be opened, and what to do about it.
pub async fn why_not_opened(url: &str, error: &DbErr) -> String {
    let said = crate::store::said(error);
    if url.starts_with("sqlite:") {
        return format!(
            "{said}; check that the file's directory exists and that this user may write there"
        );
    }
    let Some((host, port)) = Url::parse(url)
        .ok()
        .and_then(|u| Some((u.host_str()?.to_owned(), u.port().unwrap_or(5432))))
    else {
        return said;
    };
    // The pool only says it timed out: ask the network what happened.
    let address = format!("{host}:{port}");
    let reached = tokio::time::timeout(
        Duration::from_secs(2),
        tokio::net::TcpStream::connect(&address),
    )
    .await;
    match reached {
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "nothing accepts connections at {address} (connection refused): is PostgreSQL running there, on that port?"
        ),
        Ok(Err(e)) => format!("cannot reach {address}: {e}"),
        Err(_) => format!("{address} did not answer within 2 s"),
        Ok(Ok(_)) if said.contains("does not exist") && said.starts_with("database") => {
            let name = Url::parse(url)
                .ok()
                .map(|u| u.path().trim_start_matches('/').to_owned())
                .unwrap_or_default();
            format!("{said}; create it first (`createdb -h {host} -p {port} {name}`)")
        }
        Ok(Ok(_)) => said,
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
}
