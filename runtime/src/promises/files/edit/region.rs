//! The `select_region` body of an edit promise.

use crate::eval::body::BodyAttributes;
use crate::fileops::edit::region::SelectRegion;

pub(super) fn region_body(body: &BodyAttributes) -> SelectRegion {
    let flag = |name: &str| body.scalar(name).is_some_and(super::super::is_true);
    SelectRegion {
        start: body.scalar("select_start").map(str::to_string),
        end: body.scalar("select_end").map(str::to_string),
        include_start: flag("include_start_delimiter"),
        include_end: flag("include_end_delimiter"),
        end_match_eof: flag("select_end_match_eof"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn reads_every_attribute() {
        let body = BodyAttributes {
            attributes: vec![
                ("select_start".into(), Value::scalar("\\[a\\]")),
                ("include_end_delimiter".into(), Value::scalar("true")),
            ],
        };
        let region = region_body(&body);
        assert_eq!(region.start.as_deref(), Some("\\[a\\]"));
        assert!(region.include_end && !region.include_start && region.end.is_none());
    }
}
