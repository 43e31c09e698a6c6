//! What CFEngine 3.21 accepts: bundle types and the promise types they may
//! hold, promise and body types with their attributes (type, range, status),
//! and the signatures of the built-in functions. Generated from CFEngine's
//! own syntax description; the one-line descriptions are ours.

#[rustfmt::skip]
mod generated;

pub use generated::{BODY_TYPES, BUNDLE_TYPES, FUNCTIONS, PROMISE_TYPES};

/// The type of an attribute value, function parameter or return value, as
/// CFEngine names them (`string`, `int`, `option`, `slist`, `body`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    String,
    Int,
    Real,
    /// One value of a menu (`option`): the range lists the choices.
    Menu,
    Slist,
    Ilist,
    Rlist,
    /// A list of menu values (`olist`).
    MenuList,
    /// A list of class expressions (`clist`).
    ContextList,
    /// `"low,high"` integers (`irange`).
    IntRange,
    RealRange,
    Body,
    Bundle,
    /// A class expression (`context`).
    Context,
    Data,
}

impl Kind {
    /// The name CFEngine's syntax description uses.
    pub fn cfengine_name(self) -> &'static str {
        match self {
            Kind::String => "string",
            Kind::Int => "int",
            Kind::Real => "real",
            Kind::Menu => "option",
            Kind::Slist => "slist",
            Kind::Ilist => "ilist",
            Kind::Rlist => "rlist",
            Kind::MenuList => "olist",
            Kind::ContextList => "clist",
            Kind::IntRange => "irange",
            Kind::RealRange => "rrange",
            Kind::Body => "body",
            Kind::Bundle => "bundle",
            Kind::Context => "context",
            Kind::Data => "data",
        }
    }

    /// Whether a value of this kind is a list (written `{ ... }` or `@(x)`).
    pub fn is_list(self) -> bool {
        matches!(
            self,
            Kind::Slist | Kind::Ilist | Kind::Rlist | Kind::MenuList | Kind::ContextList
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Normal,
    Deprecated,
}

/// Where an attribute may be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// On every promise type (`comment`, `handle`, `if`, `action`, …).
    Global,
    PromiseType,
    Body,
    Bundle,
}

#[derive(Debug)]
pub struct Attribute {
    pub name: &'static str,
    pub kind: Kind,
    /// Allowed values: a regex, `low,high` for numbers, or the menu's choices.
    pub range: &'static str,
    pub visibility: Visibility,
    pub status: Status,
    pub description: &'static str,
}

impl Attribute {
    /// The choices of a menu attribute.
    pub fn menu(&self) -> Vec<&'static str> {
        self.range.split(',').filter(|c| !c.is_empty()).collect()
    }

    /// `(low, high)` of an `int`/`real` attribute's range, if it has one.
    pub fn numeric_range(&self) -> Option<(f64, f64)> {
        let (low, high) = self.range.split_once(',')?;
        Some((parse_bound(low)?, parse_bound(high)?))
    }
}

fn parse_bound(text: &str) -> Option<f64> {
    match text.trim() {
        "inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        other => other.parse().ok(),
    }
}

#[derive(Debug)]
pub struct BundleType {
    pub name: &'static str,
    pub promise_types: &'static [&'static str],
    pub status: Status,
}

#[derive(Debug)]
pub struct PromiseType {
    pub name: &'static str,
    pub status: Status,
    pub description: &'static str,
    pub attributes: &'static [Attribute],
}

#[derive(Debug)]
pub struct BodyType {
    pub name: &'static str,
    pub status: Status,
    pub attributes: &'static [Attribute],
}

#[derive(Debug)]
pub struct Parameter {
    pub kind: Kind,
    pub range: &'static str,
    pub description: &'static str,
}

#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    pub category: &'static str,
    pub return_type: Kind,
    /// Takes any number of arguments after the listed parameters.
    pub variadic: bool,
    pub cached: bool,
    pub collecting: bool,
    pub status: Status,
    pub description: &'static str,
    pub parameters: &'static [Parameter],
}

impl Function {
    /// Whether `n` arguments are acceptable.
    pub fn accepts_arity(&self, n: usize) -> bool {
        if self.variadic {
            n >= self.required_arity()
        } else {
            n == self.parameters.len()
        }
    }

    /// Arguments that must be given. Variadic functions list their optional
    /// parameters too and cf-promises checks none of them; these are the
    /// ones that cannot do anything without their leading arguments.
    pub fn required_arity(&self) -> usize {
        if !self.variadic {
            return self.parameters.len();
        }
        const VARIADIC_MINIMUM: &[(&str, usize)] = &[
            ("basename", 1),
            ("bundlesmatching", 1),
            ("classfiltercsv", 3),
            ("eval", 1),
            ("execresult", 1),
            ("execresult_as_data", 1),
            ("findfiles_up", 2),
            ("format", 1),
            ("getclassmetatags", 1),
            ("getvariablemetatags", 1),
            ("iprange", 1),
            ("readcsv", 1),
            ("readenvfile", 1),
            ("readfile", 1),
            ("readjson", 1),
            ("readyaml", 1),
            ("search_up", 2),
            ("sort", 1),
            ("type", 1),
            ("validjson", 1),
        ];
        VARIADIC_MINIMUM
            .iter()
            .find(|(name, _)| *name == self.name)
            .map_or(0, |(_, n)| *n)
    }
}

fn find<'a, T>(items: &'a [T], name: &str, key: impl Fn(&T) -> &str) -> Option<&'a T> {
    items
        .binary_search_by(|item| key(item).cmp(name))
        .ok()
        .map(|i| &items[i])
}

pub fn bundle_type(name: &str) -> Option<&'static BundleType> {
    find(BUNDLE_TYPES, name, |b| b.name)
}

pub fn promise_type(name: &str) -> Option<&'static PromiseType> {
    find(PROMISE_TYPES, name, |p| p.name)
}

pub fn body_type(name: &str) -> Option<&'static BodyType> {
    find(BODY_TYPES, name, |b| b.name)
}

pub fn function(name: &str) -> Option<&'static Function> {
    find(FUNCTIONS, name, |f| f.name)
}

impl PromiseType {
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.attributes, name, |a| a.name)
    }
}

impl BodyType {
    pub fn attribute(&self, name: &str) -> Option<&'static Attribute> {
        find(self.attributes, name, |a| a.name)
    }
}

/// The body type an attribute of kind `body` takes: by CFEngine's convention
/// the attribute's own name (`perms => …` takes a `body perms`).
pub fn body_type_of(attribute: &Attribute) -> Option<&'static BodyType> {
    body_type(attribute.name)
}

/// The bundle type an attribute of kind `bundle` takes.
pub fn bundle_type_of(attribute: &Attribute) -> Option<&'static str> {
    match attribute.name {
        "usebundle" | "home_bundle" => Some("agent"),
        "edit_line" => Some("edit_line"),
        "edit_xml" => Some("edit_xml"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_sorted_for_lookup() {
        fn sorted<T>(items: &[T], key: impl Fn(&T) -> &str) -> bool {
            items.windows(2).all(|w| key(&w[0]) < key(&w[1]))
        }
        assert!(sorted(BUNDLE_TYPES, |b| b.name));
        assert!(sorted(PROMISE_TYPES, |p| p.name));
        assert!(sorted(BODY_TYPES, |b| b.name));
        assert!(sorted(FUNCTIONS, |f| f.name));
        assert!(PROMISE_TYPES
            .iter()
            .all(|p| sorted(p.attributes, |a| a.name)));
        assert!(BODY_TYPES.iter().all(|b| sorted(b.attributes, |a| a.name)));
    }

    #[test]
    fn lookups() {
        let files = promise_type("files").unwrap();
        let create = files.attribute("create").unwrap();
        assert_eq!(create.kind, Kind::Menu);
        assert!(create.menu().contains(&"yes"));
        assert_eq!(files.attribute("perms").map(|a| a.kind), Some(Kind::Body));
        assert!(body_type_of(files.attribute("perms").unwrap()).is_some());
        let action = body_type("action").unwrap();
        assert_eq!(
            action.attribute("ifelapsed").unwrap().numeric_range(),
            Some((0.0, 99999999999.0))
        );
        let canonify = function("canonify").unwrap();
        assert!(canonify.accepts_arity(1) && !canonify.accepts_arity(2));
        assert!(function("and").unwrap().accepts_arity(5));
        assert_eq!(FUNCTIONS.len(), 186);
    }
}
