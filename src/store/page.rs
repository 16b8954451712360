//! The only slicing code. Offset windows (page/perPage, limit/offset) and cursor windows go in,
//! a `Page<T>` comes out; each vendor wraps it in its own envelope. [`JsonRows`] writes a page's
//! rows as JSON while they are read, for listings that need no copy of them.

use std::cell::RefCell;

use serde::Serialize;

/// `per_page` items starting after `offset` items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OffsetWindow {
    pub offset: usize,
    pub limit: usize,
}

impl OffsetWindow {
    /// finAPI-style 1-based pages.
    pub fn page(page: usize, per_page: usize) -> Self {
        Self {
            offset: page.saturating_sub(1).saturating_mul(per_page),
            limit: per_page,
        }
    }
}

/// One window of an ordered listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many items the whole (filtered) listing holds.
    pub total: usize,
    /// Whether items follow this window.
    pub has_more: bool,
}

impl<T> Page<T> {
    /// Slices an ordered, already filtered iterator and counts the whole listing.
    pub fn from_ordered<I>(items: I, window: OffsetWindow) -> Self
    where
        I: Iterator<Item = T>,
    {
        let mut iter = items;
        let mut skipped = 0;
        while skipped < window.offset && iter.next().is_some() {
            skipped += 1;
        }
        let items: Vec<T> = iter.by_ref().take(window.limit).collect();
        let taken = skipped + items.len();
        let total = taken + iter.count();
        Self {
            has_more: total > taken,
            items,
            total,
        }
    }

    /// Pages needed for `total` items at `per_page` a page (0 for an empty listing).
    pub fn page_count(&self, per_page: usize) -> usize {
        self.total.div_ceil(per_page.max(1))
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            has_more: self.has_more,
        }
    }
}

/// Up to `window.limit` items after skipping `window.offset`, without counting the rest (OBP's
/// `limit`/`offset`, which reports no total).
pub fn offset_window<T>(items: impl Iterator<Item = T>, window: OffsetWindow) -> Vec<T> {
    items.skip(window.offset).take(window.limit).collect()
}

/// The first `limit` items of a cursor window (the items after the cursor), and whether more
/// follow (Authress's forward cursors).
pub fn cursor_window<T>(items: impl Iterator<Item = T>, limit: usize) -> (Vec<T>, bool) {
    let mut items: Vec<T> = items.take(limit.saturating_add(1)).collect();
    let more = items.len() > limit;
    items.truncate(limit);
    (items, more)
}

/// A page's rows written as one JSON array while each row is read (under its table's lock), so
/// no row is copied out of its table to be listed.
#[derive(Debug)]
pub struct JsonRows {
    json: RefCell<Vec<u8>>,
}

impl JsonRows {
    /// Room for about `rows` rows.
    pub fn new(rows: usize) -> Self {
        Self {
            json: RefCell::new(Vec::with_capacity(rows.min(1000) * 192 + 64)),
        }
    }

    /// Appends a row; gives where the array ends after it, so rows a window read beyond its
    /// limit can be cut (`into_object`).
    pub fn push(&self, row: &impl Serialize) -> serde_json::Result<usize> {
        let mut json = self.json.borrow_mut();
        let mark = json.len();
        json.push(if mark == 0 { b'[' } else { b',' });
        if let Err(e) = serde_json::to_writer(&mut *json, row) {
            json.truncate(mark);
            return Err(e);
        }
        Ok(json.len())
    }

    /// `{"<name>":[the rows up to end], <the members rest serialises to>}`: the object `rest`
    /// would be with the rows as its first member. `end` is what `push` gave for the last row
    /// kept (`None`: no rows); `name` is written as is.
    pub fn into_object(
        self,
        end: Option<usize>,
        name: &str,
        rest: &impl Serialize,
    ) -> serde_json::Result<Vec<u8>> {
        let rows = self.json.into_inner();
        let rows = &rows[..end.unwrap_or(0).min(rows.len())];
        let rest = serde_json::to_vec(rest)?;
        let mut json = Vec::with_capacity(rows.len() + rest.len() + name.len() + 8);
        json.extend_from_slice(b"{\"");
        json.extend_from_slice(name.as_bytes());
        json.extend_from_slice(b"\":");
        if rows.is_empty() {
            json.push(b'[');
        } else {
            json.extend_from_slice(rows);
        }
        json.push(b']');
        match rest.strip_prefix(b"{") {
            Some(b"}") | None => json.push(b'}'),
            Some(members) => {
                json.push(b',');
                json.extend_from_slice(members);
            }
        }
        Ok(json)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_middle_page_counts_the_rest() {
        let page = Page::from_ordered(0..45, OffsetWindow::page(2, 20));
        assert_eq!(page.items, (20..40).collect::<Vec<_>>());
        assert_eq!(page.total, 45);
        assert!(page.has_more);
        assert_eq!(page.page_count(20), 3);
    }

    #[test]
    fn the_last_page_is_short() {
        let page = Page::from_ordered(0..45, OffsetWindow::page(3, 20));
        assert_eq!(page.items, (40..45).collect::<Vec<_>>());
        assert_eq!(page.total, 45);
        assert!(!page.has_more);
    }

    #[test]
    fn a_page_past_the_end_is_empty_but_counts() {
        let page = Page::from_ordered(0..45, OffsetWindow::page(9, 20));
        assert!(page.items.is_empty());
        assert_eq!(page.total, 45);
        assert_eq!(
            Page::from_ordered(0..0, OffsetWindow::page(1, 20)).page_count(20),
            0
        );
    }

    #[test]
    fn offset_windows_skip_and_stop_without_counting() {
        assert_eq!(
            offset_window(
                0..45,
                OffsetWindow {
                    offset: 40,
                    limit: 20
                }
            ),
            (40..45).collect::<Vec<_>>()
        );
        assert!(
            offset_window(
                0..45,
                OffsetWindow {
                    offset: 50,
                    limit: 20
                }
            )
            .is_empty()
        );
    }

    #[test]
    fn json_rows_are_the_first_member_of_the_object_without_the_rows_read_past_the_window() {
        #[derive(Serialize)]
        struct Rest {
            #[serde(skip_serializing_if = "Option::is_none")]
            next: Option<&'static str>,
        }
        #[derive(Serialize)]
        struct Whole {
            users: Vec<u32>,
            #[serde(flatten)]
            rest: Rest,
        }
        for (count, keep, next) in [
            (0usize, 0usize, None),
            (3, 2, Some("c")),
            (2, 2, None),
            (1, 1, Some("\"")),
        ] {
            let rows = JsonRows::new(count);
            let ends: Vec<usize> = (0..count).map(|n| rows.push(&n).unwrap()).collect();
            let end = keep.checked_sub(1).map(|last| ends[last]);
            let json = rows.into_object(end, "users", &Rest { next }).unwrap();
            let whole = Whole {
                users: (0..keep as u32).collect(),
                rest: Rest { next },
            };
            assert_eq!(
                String::from_utf8(json).unwrap(),
                serde_json::to_string(&whole).unwrap()
            );
        }
    }

    #[test]
    fn cursor_windows_say_whether_more_follow() {
        assert_eq!(cursor_window(0..10, 4), (vec![0, 1, 2, 3], true));
        assert_eq!(cursor_window(0..4, 4), (vec![0, 1, 2, 3], false));
        assert_eq!(cursor_window(0..0, 4), (vec![], false));
    }
}
