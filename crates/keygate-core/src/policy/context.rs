//! The request context a policy is evaluated in: the condition keys keygate knows and their
//! values for one request. Key names compare without regard to case, as AWS's do; values keep
//! theirs. A key keygate does not set is absent, which is how AWS treats an unknown key.

use std::collections::HashMap;

/// Condition keys and their values for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    values: HashMap<String, Vec<String>>,
}

impl Context {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a single-valued key.
    pub fn set(&mut self, key: &str, value: impl Into<String>) -> &mut Self {
        self.values
            .insert(key.to_ascii_lowercase(), vec![value.into()]);
        self
    }

    /// Sets a multivalued key (the `ForAnyValue:` / `ForAllValues:` operators read all values).
    pub fn set_all(&mut self, key: &str, values: Vec<String>) -> &mut Self {
        self.values.insert(key.to_ascii_lowercase(), values);
        self
    }

    /// Adds every key of `other`, replacing those this context already has.
    pub fn extend(&mut self, other: &Context) -> &mut Self {
        self.values
            .extend(other.values.iter().map(|(k, v)| (k.clone(), v.clone())));
        self
    }

    /// The key's values; `None` when the request has no such key.
    pub fn get(&self, key: &str) -> Option<&[String]> {
        self.values
            .get(&key.to_ascii_lowercase())
            .map(Vec::as_slice)
    }

    /// The value a `${key}` policy variable stands for: a single-valued key's value.
    pub fn variable(&self, key: &str) -> Option<&str> {
        match self.get(key) {
            Some([one]) => Some(one),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_ignore_case_and_values_keep_it() {
        let mut c = Context::new();
        c.set("aws:SourceIp", "192.0.2.1")
            .set("aws:PrincipalTag/Team", "Blue");
        assert_eq!(c.get("AWS:sourceip"), Some(&["192.0.2.1".to_owned()][..]));
        assert_eq!(c.variable("aws:principaltag/team"), Some("Blue"));
        assert_eq!(c.get("aws:username"), None);
        c.set_all("aws:TagKeys", vec!["a".into(), "b".into()]);
        assert_eq!(c.variable("aws:TagKeys"), None, "a list is no variable");
    }
}
