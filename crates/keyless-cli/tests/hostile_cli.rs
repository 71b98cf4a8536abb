//! The CLI under hostile conditions (issue #12): a closed output pipe, a
//! full disk, bytes that are not UTF-8, and a scenario whose embedded
//! workflow is broken.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keyless-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// A workflow with a high finding (an `id-token: write` job on a
/// `pull_request_target`…): enough text per finding to fill a pipe when
/// repeated.
const WORKFLOW: &str = "on: push\npermissions:\n  id-token: write\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n";

#[test]
fn a_closed_pipe_ends_quietly_with_status_0() {
    let path = scratch("ci.yml", WORKFLOW.as_bytes());
    let p = path.to_str().unwrap().to_string();
    // Far more output than a pipe buffers (64 KiB on Linux).
    let args: Vec<String> = std::iter::once("lint".to_string()).chain(std::iter::repeat_n(p, 3_000)).collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(&args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 16];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout); // `| head -c 16`
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_full_disk_is_an_error_message_not_a_panic() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else { return };
    let path = scratch("ci-full.yml", WORKFLOW.as_bytes());
    let out = Command::new(env!("CARGO_BIN_EXE_keyless"))
        .args(["lint", path.to_str().unwrap()])
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot write the output"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn bytes_that_are_not_utf8_are_located() {
    let path = scratch("bad.yml", b"on: push\njobs:\n  a: \xff\n");
    let out = Command::new(env!("CARGO_BIN_EXE_keyless")).args(["lint", path.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("bad.yml:3:6: error: invalid UTF-8 at byte offset 20"), "{stderr}");
    let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(WORKFLOW.encode_utf16().flat_map(u16::to_le_bytes)).collect();
    let path = scratch("utf16.yml", &utf16);
    let out = Command::new(env!("CARGO_BIN_EXE_keyless")).args(["eval", path.to_str().unwrap()]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("utf16.yml:1:1: error: the file is UTF-16LE"), "{stderr}");
}

#[test]
fn lint_fails_a_scenario_with_a_broken_embedded_workflow_at_its_line() {
    // Line 4 of the scenario is line 1 of the workflow; the duplicate key
    // is on the workflow's line 6, so the scenario's line 9.
    let scenario = "repository: o/r\nevent: {name: push, ref: refs/heads/main}\nworkflow: |\n  on: push\n  jobs:\n    a:\n      runs-on: x\n      steps: [{run: a}]\n    a:\n      runs-on: y\n";
    let path = scratch("scenario.yaml", scenario.as_bytes());
    let out = Command::new(env!("CARGO_BIN_EXE_keyless")).args(["lint", path.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("scenario.yaml:9:5: "), "{stdout}");
    assert!(stdout.contains("'a' is already defined"), "{stdout}");
    // A scenario that does not parse because of its embedded document: the
    // error is placed inside the block, not at the document's own offsets.
    let scenario =
        "repository: o/r\nevent: {name: push, ref: refs/heads/main}\nworkflow: |\n  on: push\n  jobs:\n    a: [\n";
    let path = scratch("scenario-broken.yaml", scenario.as_bytes());
    let out = Command::new(env!("CARGO_BIN_EXE_keyless")).args(["lint", path.to_str().unwrap()]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    let line: u32 =
        stdout.split("scenario-broken.yaml:").nth(1).and_then(|r| r.split(':').next()).unwrap().parse().unwrap();
    assert!(line >= 4, "{stdout}");
}
