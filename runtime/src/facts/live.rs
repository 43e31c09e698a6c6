//! [`SystemProbe`] backed by the real kernel and C library.
//!
//! All `unsafe` of the facts module lives here; each block only reads what
//! libc handed back and copies it into owned Rust values at once.

use std::ffi::{CStr, CString};
use std::net::{Ipv4Addr, ToSocketAddrs};
use std::os::raw::{c_char, c_int};

use super::probe::{
    HostEntry, InterfaceAddress, InterfaceEntry, KernelName, SystemProbe, UserRecord,
};
use super::time::CivilTime;

/// The host this process runs on.
#[derive(Debug, Clone, Copy, Default)]
pub struct LiveSystem;

/// glibc's `struct hostent`, which the `libc` crate does not export for Linux.
#[repr(C)]
struct HostEnt {
    h_name: *mut c_char,
    h_aliases: *mut *mut c_char,
    h_addrtype: c_int,
    h_length: c_int,
    h_addr_list: *mut *mut c_char,
}

extern "C" {
    fn gethostbyname_r(
        name: *const c_char,
        result_buf: *mut HostEnt,
        buf: *mut c_char,
        buflen: libc::size_t,
        result: *mut *mut HostEnt,
        h_errnop: *mut c_int,
    ) -> c_int;
}

/// Buffers for the reentrant lookups grow up to this size on `ERANGE`.
const MAX_LOOKUP_BUFFER: usize = 1 << 20;

fn owned(text: *const c_char) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: libc returned a NUL-terminated string that stays valid while
    // the buffer it points into is alive; we copy it immediately.
    Some(
        unsafe { CStr::from_ptr(text) }
            .to_string_lossy()
            .into_owned(),
    )
}

fn field(chars: &[c_char]) -> String {
    let bytes: Vec<u8> = chars
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl SystemProbe for LiveSystem {
    fn kernel_name(&self) -> Option<KernelName> {
        // SAFETY: utsname is plain data; uname fills it or fails.
        let mut name: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut name) } != 0 {
            return None;
        }
        Some(KernelName {
            sysname: field(&name.sysname),
            nodename: field(&name.nodename),
            release: field(&name.release),
            version: field(&name.version),
            machine: field(&name.machine),
        })
    }

    fn host_name(&self) -> Option<String> {
        let mut buffer = [0 as c_char; 256];
        // SAFETY: the length passed is the buffer's; the last byte stays 0.
        if unsafe { libc::gethostname(buffer.as_mut_ptr(), buffer.len() - 1) } != 0 {
            return None;
        }
        Some(field(&buffer))
    }

    fn host_entry(&self, name: &str) -> Option<HostEntry> {
        let name = CString::new(name).ok()?;
        let mut size = 8192;
        while size <= MAX_LOOKUP_BUFFER {
            let mut buffer = vec![0 as c_char; size];
            // SAFETY: HostEnt is plain data filled by gethostbyname_r, whose
            // pointers point into `buffer`, alive until the end of the loop.
            let mut entry: HostEnt = unsafe { std::mem::zeroed() };
            let mut result: *mut HostEnt = std::ptr::null_mut();
            let mut h_errno: c_int = 0;
            let status = unsafe {
                gethostbyname_r(
                    name.as_ptr(),
                    &mut entry,
                    buffer.as_mut_ptr(),
                    buffer.len(),
                    &mut result,
                    &mut h_errno,
                )
            };
            if status == libc::ERANGE {
                size *= 2;
                continue;
            }
            if status != 0 || result.is_null() {
                return None;
            }
            let mut aliases = Vec::new();
            let mut cursor = entry.h_aliases;
            while !cursor.is_null() {
                // SAFETY: h_aliases is a NULL-terminated array inside `buffer`.
                let alias = unsafe { *cursor };
                if alias.is_null() {
                    break;
                }
                aliases.extend(owned(alias));
                cursor = unsafe { cursor.add(1) };
            }
            return Some(HostEntry {
                name: owned(entry.h_name).unwrap_or_default(),
                aliases,
            });
        }
        None
    }

    fn resolve_address(&self, host: &str) -> Option<String> {
        (host, 0)
            .to_socket_addrs()
            .ok()?
            .next()
            .map(|address| address.ip().to_string())
    }

    fn interfaces(&self) -> Vec<InterfaceEntry> {
        let mut list: *mut libc::ifaddrs = std::ptr::null_mut();
        // SAFETY: getifaddrs allocates the list, freed below.
        if unsafe { libc::getifaddrs(&mut list) } != 0 {
            return Vec::new();
        }
        let mut entries = Vec::new();
        let mut cursor = list;
        while !cursor.is_null() {
            // SAFETY: cursor walks the list getifaddrs returned.
            let ifa = unsafe { &*cursor };
            cursor = ifa.ifa_next;
            if ifa.ifa_addr.is_null() {
                continue;
            }
            let Some(name) = owned(ifa.ifa_name) else {
                continue;
            };
            // SAFETY: ifa_addr is non-null; the family tells its real type.
            let family = c_int::from(unsafe { (*ifa.ifa_addr).sa_family });
            let address = match family {
                libc::AF_INET => {
                    let inet = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_in) };
                    InterfaceAddress::Ipv4(Ipv4Addr::from(u32::from_be(inet.sin_addr.s_addr)))
                }
                libc::AF_PACKET => {
                    let link = unsafe { &*(ifa.ifa_addr as *const libc::sockaddr_ll) };
                    let mut mac = [0u8; 6];
                    let length = usize::from(link.sll_halen).min(mac.len());
                    mac[..length].copy_from_slice(&link.sll_addr[..length]);
                    InterfaceAddress::Link {
                        hardware_type: link.sll_hatype,
                        mac,
                    }
                }
                _ => continue,
            };
            entries.push(InterfaceEntry {
                name,
                flags: ifa.ifa_flags,
                address,
            });
        }
        // SAFETY: list came from getifaddrs and nothing borrows it any more.
        unsafe { libc::freeifaddrs(list) };
        entries
    }

    fn current_user(&self) -> Option<UserRecord> {
        // SAFETY: getuid cannot fail.
        let uid = unsafe { libc::getuid() };
        let mut size = 4096;
        while size <= MAX_LOOKUP_BUFFER {
            let mut buffer = vec![0 as c_char; size];
            // SAFETY: passwd is plain data; its strings point into `buffer`.
            let mut record: libc::passwd = unsafe { std::mem::zeroed() };
            let mut result: *mut libc::passwd = std::ptr::null_mut();
            let status = unsafe {
                libc::getpwuid_r(
                    uid,
                    &mut record,
                    buffer.as_mut_ptr(),
                    buffer.len(),
                    &mut result,
                )
            };
            if status == libc::ERANGE {
                size *= 2;
                continue;
            }
            if status != 0 || result.is_null() {
                return None;
            }
            return Some(UserRecord {
                name: owned(record.pw_name).unwrap_or_default(),
                gecos: owned(record.pw_gecos).unwrap_or_default(),
                home_dir: owned(record.pw_dir).unwrap_or_default(),
                shell: owned(record.pw_shell).unwrap_or_default(),
                uid: record.pw_uid,
                gid: record.pw_gid,
            });
        }
        None
    }

    fn local_time(&self, unix_time: i64) -> Option<CivilTime> {
        let time = libc::time_t::try_from(unix_time).ok()?;
        // SAFETY: tm is plain data filled by localtime_r or left untouched.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        if unsafe { libc::localtime_r(&time, &mut tm) }.is_null() {
            return None;
        }
        CivilTime::from_tm_fields(
            i64::from(tm.tm_year) + 1900,
            tm.tm_mon,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec,
            tm.tm_wday,
        )
    }
}
