//! Computer and provider names shared by the events of one file.

use super::shared_values::SharedValues;
use std::collections::HashSet;
use std::sync::Arc;

/// The maximum number of cached names. Past it, a new name gets its own string, which
/// bounds the cache for logs whose names rarely repeat.
const MAX_NAMES: usize = 4096;

/// A cache of computer and provider names, so that the events of a file that name the same
/// computer point at one string instead of each keeping a copy, and the store of the
/// file's EventData texts that its events share.
///
/// It is only a cache: every cache compares equal to every other, so a report compares by
/// its events alone, and a deserialized report starts with an empty cache.
#[derive(Clone, Debug, Default)]
pub struct SharedNames {
    names: HashSet<Arc<str>>,
    values: Arc<SharedValues>,
}

impl SharedNames {
    /// Returns the store of EventData texts shared by the file's events.
    pub(crate) fn values(&self) -> &Arc<SharedValues> {
        &self.values
    }

    /// Returns the cached string equal to `name`, adding it first when it is new.
    pub fn share(&mut self, name: &str) -> Arc<str> {
        if let Some(shared) = self.names.get(name) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(name);
        if self.names.len() < MAX_NAMES {
            self.names.insert(Arc::clone(&shared));
        }
        shared
    }
}

impl PartialEq for SharedNames {
    fn eq(&self, _: &SharedNames) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_names_share_one_string() {
        let mut names = SharedNames::default();

        let first = names.share("host1.contoso.com");
        let second = names.share("host1.contoso.com");
        let other = names.share("HOST1.contoso.com");

        assert!(Arc::ptr_eq(&first, &second));
        assert!(!Arc::ptr_eq(&first, &other));
        assert_eq!(&*other, "HOST1.contoso.com");
    }

    #[test]
    fn full_cache_still_returns_names() {
        let mut names = SharedNames::default();
        for number in 0..MAX_NAMES {
            names.share(&format!("host{number}"));
        }

        let first = names.share("late.contoso.com");
        let second = names.share("late.contoso.com");

        assert_eq!(&*first, "late.contoso.com");
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(names.names.len(), MAX_NAMES);
    }
}
