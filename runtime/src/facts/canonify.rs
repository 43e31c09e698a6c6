//! CFEngine's canonification of names into class/variable identifiers.

/// Turns `name` into a valid class name the way cf-agent does
/// (`CanonifyNameInPlace`): every byte that is not an ASCII letter or digit
/// becomes `_`.
///
/// cf-agent works on bytes, so a multi-byte UTF-8 character turns into one
/// `_` per byte: `canonify("é-a")` is `"___a"`, exactly as
/// `canonify("é-a")` evaluates in cf-agent 3.21.
pub fn canonify(name: &str) -> String {
    name.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() {
                char::from(byte)
            } else {
                '_'
            }
        })
        .collect()
}

/// The class `canonified` and every prefix of it that ends before an `_`,
/// longest first: `cfengine_3_21_0`, `cfengine_3_21`, `cfengine_3`,
/// `cfengine` (cf-agent's `CreateHardClassesFromCanonification`).
pub(crate) fn underscore_prefixes(canonified: &str) -> Vec<&str> {
    let mut prefixes = vec![canonified];
    let mut rest = canonified;
    while let Some(cut) = rest.rfind('_') {
        rest = &rest[..cut];
        prefixes.push(rest);
    }
    prefixes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_letters_digits_and_replaces_everything_else() {
        assert_eq!(canonify("linux_6.18.44-fc-v657"), "linux_6_18_44_fc_v657");
        assert_eq!(canonify("192.0.2.2"), "192_0_2_2");
        assert_eq!(canonify("fe80::fc:ff:fe00:1"), "fe80__fc_ff_fe00_1");
        assert_eq!(canonify("#1 SMP @0"), "_1_SMP__0");
        assert_eq!(canonify(""), "");
    }

    #[test]
    fn replaces_each_byte_of_a_multibyte_character() {
        assert_eq!(canonify("é-a.b"), "___a_b");
    }

    #[test]
    fn prefixes_cut_at_each_underscore() {
        assert_eq!(
            underscore_prefixes("cfengine_3_21_0"),
            ["cfengine_3_21_0", "cfengine_3_21", "cfengine_3", "cfengine"]
        );
        assert_eq!(underscore_prefixes("any"), ["any"]);
        assert_eq!(underscore_prefixes("a__b"), ["a__b", "a_", "a"]);
    }
}
