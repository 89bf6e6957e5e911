//! Defences below the level of requests, against the real binary: a client
//! that sends half a request and then nothing is disconnected in time, a
//! body that never arrives ends its request, and a flood of connections
//! past the cap is turned away while the server stays up.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::helpers::{http_get, start_server};

/// Open a connection and send the start of a request, never its end.
fn half_sent(port: u16) -> TcpStream {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n")
        .expect("writes");
    stream
}

/// How long until the server closes `stream` (a read gives end of file or
/// an error), waiting at most `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(limit))
        .expect("a read timeout");
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return Some(started.elapsed()),
            // An answer (a 408, say) before the close is fine: read on.
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return None;
            }
            Err(_) => return Some(started.elapsed()),
        }
    }
}

fn healthy(port: u16) -> bool {
    http_get(port, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200"))
}

#[test]
fn half_sent_or_silent_connections_are_closed_in_time_while_others_are_answered() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_server(cwd.path(), &["--header-timeout-ms", "1000"], &[]);
    let mut attackers: Vec<TcpStream> = (0..50).map(|_| half_sent(port)).collect();
    // And some that send nothing at all.
    attackers.extend((0..10).map(|_| TcpStream::connect(("127.0.0.1", port)).expect("connects")));
    assert!(healthy(port), "a normal request is answered meanwhile");
    for stream in &mut attackers {
        let closed = closed_within(stream, Duration::from_secs(10));
        assert!(
            closed.is_some_and(|after| after < Duration::from_secs(5)),
            "a half-sent request was left open: {closed:?}"
        );
    }
    assert!(healthy(port));
}

#[test]
fn a_body_that_never_arrives_ends_its_request() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_server(cwd.path(), &["--body-timeout-ms", "1000"], &[]);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connects");
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"query\":",
        )
        .expect("writes");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("a read timeout");
    let started = Instant::now();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "waited {:?}",
        started.elapsed()
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[test]
fn past_the_connection_cap_new_connections_are_closed_and_the_server_stays_up() {
    let cwd = tempfile::tempdir().expect("tempdir");
    let (_server, port) = start_server(
        cwd.path(),
        &["--max-connections", "8", "--header-timeout-ms", "60000"],
        &[],
    );
    // Nine for eight places: one is closed at once. Usually the last; but
    // the place of the readiness probe `start_server` sent may be given
    // back only after some of these arrived (a loaded machine), and then it
    // is an earlier one, so the test counts rather than picks. The probe's
    // task gives its place back just after closing its connection: on a
    // loaded machine the nine could all arrive in between, and two would be
    // closed, so they start a moment later.
    std::thread::sleep(Duration::from_millis(300));
    let mut held: Vec<TcpStream> = (0..9).map(|_| half_sent(port)).collect();
    for stream in &held {
        stream
            .set_read_timeout(Some(Duration::from_millis(10)))
            .expect("a read timeout");
    }
    let mut closed = vec![false; held.len()];
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        for (stream, closed) in held.iter_mut().zip(closed.iter_mut()) {
            if *closed {
                continue;
            }
            let mut byte = [0u8; 1];
            *closed = match stream.read(&mut byte) {
                Ok(0) => true,
                Ok(_) => false,
                Err(error) => !matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ),
            };
        }
    }
    let refused = closed.iter().filter(|c| **c).count();
    assert_eq!(
        refused, 1,
        "one connection past the cap of 8 is closed, the others are kept: {closed:?}"
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !healthy(port) {
        assert!(Instant::now() < deadline, "no /health after the flood");
        std::thread::sleep(Duration::from_millis(50));
    }
}
