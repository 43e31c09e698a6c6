//! `selectservers()` against a TCP server of the test's own on 127.0.0.1,
//! through cf-agent and promise-rs: the same hosts answer, in the same
//! order, into the same array. 127.0.0.3 refuses (the server listens on
//! 127.0.0.1 only), so the list holds a dead host before the live ones.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::Duration;

use common::differential::{describe, run, scratch, Agent, CF_AGENT};

/// Answers every connection with `OK <first bytes it was sent>`.
fn serve(listener: TcpListener) {
    for peer in listener.incoming().flatten() {
        std::thread::spawn(move || answer(peer));
    }
}

fn answer(mut peer: TcpStream) {
    let _ = peer.set_read_timeout(Some(Duration::from_millis(500)));
    let mut query = [0u8; 100];
    let read = peer.read(&mut query).unwrap_or(0);
    let reply = format!("OK {}\n", String::from_utf8_lossy(&query[..read]));
    let _ = peer.write_all(reply.as_bytes());
}

fn policy(port: u16) -> String {
    format!(
        r#"# selectservers against a local server (see tests/selectservers.rs).
bundle agent main
{{
  vars:
      "hosts" slist => {{ "127.0.0.3", "127.0.0.1", "127.0.0.1" }};
      "n_any" int => selectservers("@(hosts)", "{port}", "", "", "100", "up");
      "n_match" int => selectservers("@(hosts)", "{port}", "hello", "OK hello.*", "100", "match");
      "n_none" int => selectservers("@(hosts)", "{port}", "hello", "NO.*", "100", "none");
      "n_short" int => selectservers("@(hosts)", "{port}", "hello", "OK", "2", "short");
      "up_i" slist => getindices("up");
  reports:
      "any: $(n_any) [$(up[0])] [$(up[1])] [$(up[2])]";
      "match: $(n_match) [$(match[0])] [$(match[1])]";
      "none: $(n_none) [$(none[0])]";
      "short: $(n_short) [$(short[0])]";
      "indices: $(up_i)";
}}
"#
    )
}

#[test]
fn selectservers_agrees_with_cf_agent_on_a_local_server() {
    if !Path::new(CF_AGENT).exists() {
        return common::skip(
            "selectservers_agrees_with_cf_agent_on_a_local_server",
            "cf-agent is not installed",
        );
    }
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    let port = listener.local_addr().expect("local address").port();
    std::thread::spawn(move || serve(listener));
    let name = "selectservers.cf";
    let policy = policy(port);
    let cf_dir = scratch(name, &policy, "cf");
    let expected = run(Agent::CfAgent, &cf_dir, name, &[]);
    let rs_dir = scratch(name, &policy, "rs");
    let actual = run(Agent::PromiseRs, &rs_dir, name, &[]);
    let _ = std::fs::remove_dir_all(&cf_dir);
    let _ = std::fs::remove_dir_all(&rs_dir);
    assert!(
        expected
            .reports
            .iter()
            .any(|r| r.starts_with("R: match: 2")),
        "the server answered cf-agent: {:?}",
        expected.reports
    );
    assert!(expected == actual, "{}", describe(&expected, &actual));
}
