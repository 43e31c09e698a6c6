//! Users and groups in the system's databases (through libc, so NSS
//! sources count as they do for `ps` and cf-agent).

use std::ffi::{CStr, CString};

use libc::c_char;

/// A `passwd` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEntry {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
}

/// A `group` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupEntry {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// Lookup buffers grow up to this size before a lookup gives up.
const MAX_BUFFER: usize = 1 << 20;

fn owned(text: *const c_char) -> String {
    if text.is_null() {
        return String::new();
    }
    // SAFETY: a non-null C string filled in by libc.
    unsafe { CStr::from_ptr(text) }
        .to_string_lossy()
        .into_owned()
}

/// Calls a reentrant `get*_r` lookup with a buffer that grows on ERANGE.
fn lookup<T, R>(
    mut call: impl FnMut(&mut T, &mut [c_char], &mut *mut T) -> libc::c_int,
    read: impl Fn(&T) -> R,
) -> Option<R> {
    let mut size = 4096;
    while size <= MAX_BUFFER {
        let mut buffer = vec![0 as c_char; size];
        // SAFETY: passwd and group are plain data; libc fills them in.
        let mut record: T = unsafe { std::mem::zeroed() };
        let mut result: *mut T = std::ptr::null_mut();
        let status = call(&mut record, &mut buffer, &mut result);
        if status == libc::ERANGE {
            size *= 2;
            continue;
        }
        if status != 0 || result.is_null() {
            return None;
        }
        return Some(read(&record));
    }
    None
}

fn user_entry(record: &libc::passwd) -> UserEntry {
    UserEntry {
        name: owned(record.pw_name),
        uid: record.pw_uid,
        gid: record.pw_gid,
        gecos: owned(record.pw_gecos),
        home: owned(record.pw_dir),
        shell: owned(record.pw_shell),
    }
}

fn group_entry(record: &libc::group) -> GroupEntry {
    let mut members = Vec::new();
    let mut at = record.gr_mem;
    // SAFETY: gr_mem is a NULL-terminated array of C strings.
    unsafe {
        while !at.is_null() && !(*at).is_null() {
            members.push(owned(*at));
            at = at.add(1);
        }
    }
    GroupEntry {
        name: owned(record.gr_name),
        gid: record.gr_gid,
        members,
    }
}

pub fn user_by_uid(uid: u32) -> Option<UserEntry> {
    lookup(
        // SAFETY: the buffer outlives the call; libc writes within its length.
        |record, buffer, result| unsafe {
            libc::getpwuid_r(uid, record, buffer.as_mut_ptr(), buffer.len(), result)
        },
        user_entry,
    )
}

pub fn user_by_name(name: &str) -> Option<UserEntry> {
    let name = CString::new(name).ok()?;
    lookup(
        // SAFETY: as in user_by_uid; `name` is a valid C string.
        |record, buffer, result| unsafe {
            libc::getpwnam_r(
                name.as_ptr(),
                record,
                buffer.as_mut_ptr(),
                buffer.len(),
                result,
            )
        },
        user_entry,
    )
}

pub fn group_by_name(name: &str) -> Option<GroupEntry> {
    let name = CString::new(name).ok()?;
    lookup(
        // SAFETY: as in user_by_uid; `name` is a valid C string.
        |record, buffer, result| unsafe {
            libc::getgrnam_r(
                name.as_ptr(),
                record,
                buffer.as_mut_ptr(),
                buffer.len(),
                result,
            )
        },
        group_entry,
    )
}

pub fn group_by_gid(gid: u32) -> Option<GroupEntry> {
    lookup(
        // SAFETY: as in user_by_uid.
        |record, buffer, result| unsafe {
            libc::getgrgid_r(gid, record, buffer.as_mut_ptr(), buffer.len(), result)
        },
        group_entry,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_uid_zero_and_group_zero_exists() {
        let root = user_by_uid(0).expect("uid 0 exists");
        assert_eq!(root.name, "root");
        assert_eq!(user_by_name("root").map(|u| u.uid), Some(0));
        assert!(group_by_gid(0).is_some());
    }

    #[test]
    fn unknown_names_are_none() {
        assert_eq!(user_by_name("no-such-user-7f3a9c"), None);
        assert_eq!(group_by_name("no-such-group-7f3a9c"), None);
        assert_eq!(user_by_name("nul\0inside"), None);
    }
}
