//! `promise-rs run` without a file runs `promises.cf` in the workdir's
//! `inputs`, as cf-agent does, and the built-in default policy
//! (examples/default/promises.cf) when there is none.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Output;

use common::agent_run::scratch;

fn run_without_file(dir: &Path) -> Output {
    common::promise_rs()
        .arg("run")
        .arg("--workdir")
        .arg(dir.join(".workdir"))
        .current_dir(dir)
        .output()
        .expect("run promise-rs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).expect("stat").permissions().mode() & 0o7777
}

#[test]
fn the_built_in_policy_puts_the_workdir_in_shape_then_finds_it_kept() {
    let dir = scratch("run-default-builtin");
    let workdir = dir.join(".workdir");
    fs::set_permissions(&workdir, fs::Permissions::from_mode(0o777)).expect("chmod");

    let first = run_without_file(&dir);
    assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
    let stderr = text(&first.stderr);
    assert!(
        stderr.contains("running the built-in default policy"),
        "{stderr}"
    );
    assert!(stderr.contains("0 not kept"), "{stderr}");
    assert!(
        !stderr.contains(" 0 repaired"),
        "the first run repairs: {stderr}"
    );
    let stdout = text(&first.stdout);
    assert!(stdout.contains("R: this is promise-rs's built-in default policy"));
    assert!(stdout.contains(&format!("R: work directory {}", workdir.display())));
    assert_eq!(mode(&workdir), 0o755, "group and other lose write");
    for sub in ["inputs", "outputs"] {
        assert!(workdir.join(sub).is_dir(), "{sub}");
    }
    for sub in ["state", "ppkeys"] {
        assert_eq!(mode(&workdir.join(sub)), 0o700, "{sub}");
    }

    let second = run_without_file(&dir);
    let stderr = text(&second.stderr);
    assert!(stderr.contains(" 0 repaired, 0 not kept"), "{stderr}");
}

#[test]
fn promises_cf_in_the_inputs_is_run_when_it_exists() {
    let dir = scratch("run-default-inputs");
    let inputs = dir.join(".workdir/inputs");
    fs::create_dir_all(&inputs).expect("mkdir inputs");
    fs::write(
        inputs.join("promises.cf"),
        "bundle agent main\n{\n  reports:\n      \"from the inputs\";\n}\n",
    )
    .expect("write promises.cf");

    let run = run_without_file(&dir);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), "R: from the inputs\n");
    assert!(!text(&run.stderr).contains("built-in default policy"));
}
