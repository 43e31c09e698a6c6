//! The package module protocol, API version 1 (cf-agent 3.21's
//! `package_module.c`): requests are `key=value` lines on the module's
//! stdin, replies `key=value` lines on its stdout.

/// `PackageType=` of a `get-package-data` reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageType {
    /// Installed from a repository by name.
    Repo,
    /// Installed from a package file.
    File,
}

/// What `get-package-data` says about a promiser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageData {
    pub kind: PackageType,
    pub name: String,
    pub version: Option<String>,
    pub arch: Option<String>,
}

/// One entry of `list-installed` / `list-updates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageEntry {
    pub name: String,
    pub version: String,
    pub arch: String,
}

/// Messages the module sent besides its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Remarks {
    /// `Error=` and `ErrorMessage=` lines, logged as errors.
    pub errors: Vec<String>,
    /// Lines the protocol does not know, logged verbosely.
    pub unknown: Vec<String>,
}

/// `options=` lines, one per option.
pub fn options_lines(options: &[String]) -> String {
    options.iter().map(|o| format!("options={o}\n")).collect()
}

/// `Version=`/`Architecture=` lines for what is given.
fn version_arch_lines(version: Option<&str>, arch: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(version) = version {
        out.push_str(&format!("Version={version}\n"));
    }
    if let Some(arch) = arch {
        out.push_str(&format!("Architecture={arch}\n"));
    }
    out
}

/// The request of `get-package-data`: the promiser goes as `File=`.
pub fn package_data_request(
    options: &[String],
    promiser: &str,
    version: Option<&str>,
    arch: Option<&str>,
) -> String {
    format!(
        "{}File={promiser}\n{}",
        options_lines(options),
        version_arch_lines(version, arch)
    )
}

/// The request of `repo-install` (`Name=`) or `file-install` (`File=`) of
/// one package.
pub fn install_request(
    options: &[String],
    kind: PackageType,
    package: &str,
    version: Option<&str>,
    arch: Option<&str>,
) -> String {
    let key = match kind {
        PackageType::Repo => "Name",
        PackageType::File => "File",
    };
    format!(
        "{}{key}={package}\n{}",
        options_lines(options),
        version_arch_lines(version, arch)
    )
}

/// The request of `repo-install` for several exact versions at once (an
/// update to `latest` in several architectures).
pub fn install_many_request(options: &[String], packages: &[PackageEntry]) -> String {
    let mut out = options_lines(options);
    for p in packages {
        out.push_str(&format!(
            "Name={}\nVersion={}\nArchitecture={}\n",
            p.name, p.version, p.arch
        ));
    }
    out
}

/// The request of `remove`.
pub fn remove_request(
    options: &[String],
    name: &str,
    version: Option<&str>,
    arch: Option<&str>,
) -> String {
    format!(
        "{}Name={name}\n{}",
        options_lines(options),
        version_arch_lines(version, arch)
    )
}

/// A `get-package-data` reply; `None` (with the reason) when it names no
/// package or no known type, or repeats a key.
pub fn parse_package_data(lines: &[String]) -> (Result<PackageData, String>, Remarks) {
    let mut remarks = Remarks::default();
    let mut kind = None;
    let mut name: Option<String> = None;
    let mut version: Option<String> = None;
    let mut arch: Option<String> = None;
    for line in lines {
        if let Some(value) = line.strip_prefix("PackageType=") {
            kind = match value {
                "repo" => Some(PackageType::Repo),
                "file" => Some(PackageType::File),
                other => return (Err(format!("unsupported package type: {other}")), remarks),
            };
        } else if let Some((key, slot)) = [
            ("Name=", &mut name),
            ("Version=", &mut version),
            ("Architecture=", &mut arch),
        ]
        .into_iter()
        .find(|(key, _)| line.starts_with(key))
        {
            if let Some(previous) = slot {
                return (
                    Err(format!(
                        "Extraneous package {} line received: [{line}] {previous}",
                        key.trim_end_matches('=').to_lowercase()
                    )),
                    remarks,
                );
            }
            *slot = Some(line[key.len()..].to_string());
        } else {
            remark(line, &mut remarks);
        }
    }
    let data = match (kind, name) {
        (Some(kind), Some(name)) => Ok(PackageData {
            kind,
            name,
            version,
            arch,
        }),
        _ => Err("Unknown package name or type.".into()),
    };
    (data, remarks)
}

/// A `list-installed` / `list-updates` reply: each entry starts with
/// `Name=`; entries without a version or an architecture are dropped.
/// The second value is false when the module reported an error or said
/// something the protocol does not know (cf-agent then still keeps the
/// list, but the update counts as failed).
pub fn parse_inventory(lines: &[String]) -> (Vec<PackageEntry>, bool, Remarks) {
    let mut remarks = Remarks::default();
    let mut entries = Vec::new();
    let mut clean = true;
    let mut current: (Option<&str>, Option<&str>, Option<&str>) = (None, None, None);
    let flush = |current: &mut (Option<&str>, Option<&str>, Option<&str>),
                 entries: &mut Vec<PackageEntry>| {
        if let (Some(name), Some(version), Some(arch)) = *current {
            entries.push(PackageEntry {
                name: name.into(),
                version: version.into(),
                arch: arch.into(),
            });
        }
        *current = (None, None, None);
    };
    for line in lines {
        if let Some(name) = line.strip_prefix("Name=") {
            flush(&mut current, &mut entries);
            current.0 = Some(name);
        } else if let Some(version) = line.strip_prefix("Version=") {
            current.1 = Some(version);
        } else if let Some(arch) = line.strip_prefix("Architecture=") {
            current.2 = Some(arch);
        } else {
            clean = false;
            if is_error(line) {
                remarks.errors.push(line.clone());
            } else {
                remarks
                    .errors
                    .push(format!("Unsupported response from package module: {line}"));
            }
        }
    }
    flush(&mut current, &mut entries);
    (entries, clean, remarks)
}

/// The reply of an install or remove: any line is an error report.
pub fn parse_action_reply(lines: &[String]) -> Remarks {
    let mut remarks = Remarks::default();
    for line in lines {
        remark(line, &mut remarks);
    }
    remarks
}

fn is_error(line: &str) -> bool {
    line.starts_with("Error=") || line.starts_with("ErrorMessage=")
}

fn remark(line: &str, remarks: &mut Remarks) {
    if is_error(line) {
        remarks.errors.push(line.to_string());
    } else {
        remarks.unknown.push(line.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn requests_are_key_value_lines() {
        let options = vec!["a".to_string(), "b=c".to_string()];
        assert_eq!(
            package_data_request(&options, "nginx", Some("1.2"), None),
            "options=a\noptions=b=c\nFile=nginx\nVersion=1.2\n"
        );
        assert_eq!(
            install_request(&[], PackageType::Repo, "x", None, Some("amd64")),
            "Name=x\nArchitecture=amd64\n"
        );
        assert_eq!(
            install_request(&[], PackageType::File, "/tmp/x.deb", None, None),
            "File=/tmp/x.deb\n"
        );
        assert_eq!(
            remove_request(&[], "x", Some("1"), None),
            "Name=x\nVersion=1\n"
        );
        let many = [PackageEntry {
            name: "x".into(),
            version: "2".into(),
            arch: "i386".into(),
        }];
        assert_eq!(
            install_many_request(&[], &many),
            "Name=x\nVersion=2\nArchitecture=i386\n"
        );
    }

    #[test]
    fn package_data_needs_name_and_type() {
        let (data, remarks) = parse_package_data(&lines("PackageType=repo\nName=x\nNoise=1"));
        assert_eq!(
            data,
            Ok(PackageData {
                kind: PackageType::Repo,
                name: "x".into(),
                version: None,
                arch: None
            })
        );
        assert_eq!(remarks.unknown, ["Noise=1"]);
        assert!(parse_package_data(&lines("Name=x")).0.is_err());
        assert!(parse_package_data(&lines("PackageType=deb\nName=x"))
            .0
            .is_err());
        assert!(
            parse_package_data(&lines("PackageType=file\nName=x\nName=y"))
                .0
                .is_err()
        );
        let (_, remarks) = parse_package_data(&lines("ErrorMessage=broken"));
        assert_eq!(remarks.errors, ["ErrorMessage=broken"]);
    }

    #[test]
    fn inventory_entries_need_all_three_fields() {
        let (entries, clean, _) = parse_inventory(&lines(
            "Name=a\nVersion=1\nArchitecture=amd64\nName=b\nVersion=2\nName=c\nVersion=3\nArchitecture=all",
        ));
        assert!(clean);
        let names: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["a", "c"]);
        let (entries, clean, remarks) =
            parse_inventory(&lines("Name=a\nVersion=1\nArchitecture=x\nbogus"));
        assert_eq!(entries.len(), 1);
        assert!(!clean);
        assert_eq!(remarks.errors.len(), 1);
    }
}
