//! Values held by variables at run time.

use serde_json::Value as Json;

/// A variable's value: CFEngine's scalar (`string`, `int`, `real` are all
/// held as text, as cf-agent holds them), list (`slist`, `ilist`, `rlist`) or
/// data container.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(String),
    List(Vec<String>),
    Data(Json),
}

impl Value {
    pub fn scalar(text: impl Into<String>) -> Self {
        Value::Scalar(text.into())
    }

    pub fn list<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    pub fn as_scalar(&self) -> Option<&str> {
        match self {
            Value::Scalar(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }
}
