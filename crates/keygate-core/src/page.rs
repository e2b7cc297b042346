//! Marker pagination shared by every listing: an opaque marker names the last item returned.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::{CoreError, CoreResult};

/// Which page to return: after `marker` (from a previous page), at most `max_items`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageRequest {
    pub marker: Option<String>,
    pub max_items: Option<u32>,
}

/// The default and the ceiling of `max_items`, as in AWS IAM.
pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Present exactly when more items follow.
    pub next_marker: Option<String>,
}

impl<T> Page<T> {
    pub fn is_truncated(&self) -> bool {
        self.next_marker.is_some()
    }
}

impl PageRequest {
    pub fn limit(&self) -> CoreResult<usize> {
        match self.max_items.unwrap_or(DEFAULT_PAGE) {
            n @ 1..=MAX_PAGE => Ok(n as usize),
            _ => Err(CoreError::InvalidInput {
                field: "MaxItems",
                reason: format!("must be between 1 and {MAX_PAGE}"),
            }),
        }
    }

    /// The sort key of the last item of the previous page.
    pub fn position(&self) -> CoreResult<Option<String>> {
        self.marker
            .as_deref()
            .map(|m| {
                URL_SAFE_NO_PAD
                    .decode(m)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .ok_or_else(|| CoreError::InvalidInput {
                        field: "Marker",
                        reason: "is not a marker this service issued".into(),
                    })
            })
            .transpose()
    }

    /// Cuts `sorted` (already ordered by `key`) into the requested page.
    pub fn apply<T>(&self, sorted: Vec<T>, key: impl Fn(&T) -> String) -> CoreResult<Page<T>> {
        let limit = self.limit()?;
        let after = self.position()?;
        let rest: Vec<T> = match after {
            Some(pos) => sorted.into_iter().filter(|i| key(i) > pos).collect(),
            None => sorted,
        };
        Ok(Self::cut(rest, limit, key))
    }

    /// Turns up to `limit + 1` items into a page of at most `limit`.
    pub fn cut<T>(mut items: Vec<T>, limit: usize, key: impl Fn(&T) -> String) -> Page<T> {
        let next_marker = if items.len() > limit {
            items.truncate(limit);
            items.last().map(|last| URL_SAFE_NO_PAD.encode(key(last)))
        } else {
            None
        };
        Page { items, next_marker }
    }
}

/// Items from the 0-based `first` for `count`, and whether more follow.
pub fn window<T>(items: Vec<T>, first: usize, count: usize) -> (Vec<T>, bool) {
    let more = items.len() > first.saturating_add(count);
    (items.into_iter().skip(first).take(count).collect(), more)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_through_and_rejects_foreign_markers() {
        let items: Vec<u32> = (10..15).collect();
        let key = |i: &u32| format!("{i:05}");
        let mut req = PageRequest {
            marker: None,
            max_items: Some(2),
        };
        let mut seen = Vec::new();
        loop {
            let page = req.apply(items.clone(), key).unwrap();
            seen.extend(page.items.iter().copied());
            match page.next_marker {
                Some(m) => req.marker = Some(m),
                None => break,
            }
        }
        assert_eq!(seen, items);
        let bad = PageRequest {
            marker: Some("!!".into()),
            max_items: None,
        };
        assert!(matches!(
            bad.apply(items.clone(), key),
            Err(CoreError::InvalidInput {
                field: "Marker",
                ..
            })
        ));
        let zero = PageRequest {
            marker: None,
            max_items: Some(0),
        };
        assert!(zero.apply(items, key).is_err());
    }
}
