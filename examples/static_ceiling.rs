//! The benchmark's static ceiling: an axum server that answers every
//! `POST /graphql` with the same bytes from memory — what serving the
//! answer costs when computing it costs nothing. `bench/run` starts one per
//! query with `definiciones`' own answer to it.
//!
//!     cargo run --release --example static_ceiling -- 127.0.0.1:8004 answer.json

use std::net::SocketAddr;

use axum::Router;
use axum::body::Bytes;
use axum::http::header;
use axum::routing::post;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(bind), Some(file)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: static_ceiling ADDR ANSWER_FILE");
    };
    let bind: SocketAddr = bind.parse()?;
    let answer = Bytes::from(std::fs::read(&file)?);
    let app = Router::new().route(
        "/graphql",
        // The request is read whole before answering: a response sent over
        // an unread request makes the kernel reset the connection when the
        // server closes it, and a client could lose the answer's tail.
        post(move |_request: Bytes| {
            let answer = answer.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], answer) }
        }),
    );
    let listener = tokio::net::TcpListener::bind(bind).await?;
    axum::serve(listener, app).await?;
    Ok(())
}
