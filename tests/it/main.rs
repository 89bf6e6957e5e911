//! Integration tests: the real importer, CLI and server against real
//! databases — a fresh SQLite file per test always, and a fresh PostgreSQL
//! database per test when `TEST_DATABASE_URL` names a server.

mod admission;
mod api;
mod browser;
mod cache;
mod cli;
mod connections;
mod cost;
mod csv;
mod faults;
mod grupos;
mod hardening;
mod helpers;
mod import;
mod introspection;
mod locks;
mod messages;
mod operations;
mod persisted;
mod queries;
mod serve;
