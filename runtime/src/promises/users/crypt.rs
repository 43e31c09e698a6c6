//! Checking a plaintext password against a stored hash with the system's
//! `crypt(3)` (libcrypt, loaded when first needed so the binary does not
//! link against it). cf-agent asks PAM instead; the answer is the same for
//! local accounts.

use std::ffi::{c_char, CStr, CString};
use std::sync::OnceLock;

use super::plan::PasswordCheck;

type CryptFn = unsafe extern "C" fn(*const c_char, *const c_char) -> *mut c_char;

/// `crypt` from libcrypt, if the library can be loaded.
fn crypt_function() -> Option<CryptFn> {
    static CRYPT: OnceLock<Option<usize>> = OnceLock::new();
    let address = CRYPT.get_or_init(|| {
        for library in [c"libcrypt.so.1", c"libcrypt.so.2", c"libcrypt.so"] {
            // SAFETY: dlopen/dlsym with valid C strings; the handle is kept
            // open for the life of the process.
            let symbol = unsafe {
                let handle = libc::dlopen(library.as_ptr(), libc::RTLD_NOW);
                if handle.is_null() {
                    continue;
                }
                libc::dlsym(handle, c"crypt".as_ptr())
            };
            if !symbol.is_null() {
                return Some(symbol as usize);
            }
        }
        None
    });
    // SAFETY: the address is libcrypt's `crypt`, whose signature is CryptFn.
    address.map(|a| unsafe { std::mem::transmute::<usize, CryptFn>(a) })
}

/// `crypt(3)` of `password` with the salt and method of `hash`.
fn crypt(password: &str, hash: &str) -> Option<String> {
    let function = crypt_function()?;
    let password = CString::new(password).ok()?;
    let setting = CString::new(hash).ok()?;
    // crypt keeps its result in a static buffer: one caller at a time.
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = LOCK.lock().ok()?;
    // SAFETY: both arguments are valid C strings; the result is copied
    // before the lock is released.
    let result = unsafe { function(password.as_ptr(), setting.as_ptr()) };
    if result.is_null() {
        return None;
    }
    // SAFETY: non-null C string from crypt.
    let text = unsafe { CStr::from_ptr(result) }
        .to_string_lossy()
        .into_owned();
    // Failures come back as "*0" / "*1".
    (!text.starts_with('*')).then_some(text)
}

/// The system's crypt.
pub struct SystemCrypt;

impl PasswordCheck for SystemCrypt {
    fn matches(&self, password: &str, hash: &str) -> Option<bool> {
        if hash.is_empty() || hash.starts_with('!') || hash.starts_with('*') || hash == "x" {
            return Some(false);
        }
        crypt(password, hash).map(|computed| computed == hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_sha512_crypt_hash() {
        // Made with `openssl passwd -6 -salt saltsalt secret`.
        let hash = "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1";
        match SystemCrypt.matches("secret", hash) {
            Some(result) => {
                assert!(result);
                assert_eq!(SystemCrypt.matches("wrong", hash), Some(false));
            }
            None => eprintln!("libcrypt not available; skipped"),
        }
        assert_eq!(SystemCrypt.matches("x", "!locked"), Some(false));
    }
}
