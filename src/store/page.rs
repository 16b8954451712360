//! The only slicing code. Offset windows (page/perPage, limit/offset) and cursor windows go in,
//! a `Page<T>` comes out; each vendor wraps it in its own envelope. [`JsonRows`] writes a page's
//! rows as JSON while they are read, for listings that need no copy of them; [`JsonObject`]
//! writes one row's object straight into the page's buffer, byte for byte what serde_json
//! writes for the same fields, without a `Value`, a `String` or a serializer per row.

use std::cell::RefCell;

use chrono::{Datelike, NaiveDate};
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

/// A page's rows written as the first member of a JSON object, one after another while each
/// row is read (under its table's lock), so no row is copied out of its table to be listed, and
/// the rows are not copied again to be wrapped in their object.
#[derive(Debug)]
pub struct JsonRows {
    json: RefCell<Vec<u8>>,
    /// Where the array starts (after `{"<name>":`).
    start: usize,
}

impl JsonRows {
    /// Rows of the object's member `name` (written as is), with room for about `rows` rows of
    /// about `row_bytes` bytes.
    pub fn new(name: &str, rows: usize, row_bytes: usize) -> Self {
        let mut json = Vec::with_capacity(rows.min(1000) * row_bytes + 256);
        json.extend_from_slice(b"{\"");
        json.extend_from_slice(name.as_bytes());
        json.extend_from_slice(b"\":");
        Self {
            start: json.len(),
            json: RefCell::new(json),
        }
    }

    /// Appends a row; gives where the array ends after it, so rows a window read beyond its
    /// limit can be cut (`into_object`).
    pub fn push(&self, row: &impl Serialize) -> serde_json::Result<usize> {
        let mut json = self.json.borrow_mut();
        let mark = json.len();
        json.push(if mark == self.start { b'[' } else { b',' });
        if let Err(e) = serde_json::to_writer(&mut *json, row) {
            json.truncate(mark);
            return Err(e);
        }
        Ok(json.len())
    }

    /// Appends a row that `write` writes (with [`JsonObject`]); gives where the array ends after
    /// it, as `push` does.
    pub fn push_with(&self, write: impl FnOnce(&mut Vec<u8>)) -> usize {
        let mut json = self.json.borrow_mut();
        let mark = json.len();
        json.push(if mark == self.start { b'[' } else { b',' });
        write(&mut json);
        json.len()
    }

    /// `{"<name>":[the rows up to end], <the members rest serialises to>}`: the object `rest`
    /// would be with the rows as its first member. `end` is what `push` gave for the last row
    /// kept (`None`: no rows).
    pub fn into_object(
        self,
        end: Option<usize>,
        rest: &impl Serialize,
    ) -> serde_json::Result<Vec<u8>> {
        let mut json = self.json.into_inner();
        json.truncate(end.unwrap_or(self.start).max(self.start));
        if json.len() == self.start {
            json.push(b'[');
        }
        json.push(b']');
        let members = json.len();
        serde_json::to_writer(&mut json, rest)?;
        // `rest`'s own braces go: its members follow the rows, `{` becoming `,`.
        if json.len() - members <= 2 {
            json.truncate(members);
            json.push(b'}');
        } else {
            json[members] = b',';
        }
        Ok(json)
    }
}

/// What serde_json writes for a byte of a string: 0 (the byte itself), `u` (`\u00XX`) or the
/// letter of a short escape.
const ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0a] = b'n';
    table[0x0c] = b'f';
    table[0x0d] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

/// Whether any byte needs an escape, sixteen bytes (two words) at a time, then eight: a byte
/// below 0x20, `"` or `\\` sets the high bit of its lane (the usual "has zero byte" and "has
/// byte less than" tricks, exact for the question "any?"; a lane at 0x80 or above never sets it
/// by itself).
#[inline(always)]
fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let lanes = |x: u64| {
        let zero = |v: u64| v.wrapping_sub(ONES) & !v;
        let control = x.wrapping_sub(ONES * 0x20) & !x;
        (control | zero(x ^ (ONES * u64::from(b'"'))) | zero(x ^ (ONES * u64::from(b'\\')))) & HIGH
    };
    let word = |chunk: &[u8]| u64::from_ne_bytes(chunk.try_into().unwrap_or([0; 8]));
    let mut pairs = bytes.chunks_exact(16);
    for pair in pairs.by_ref() {
        // One test for both words: the loop's branch is taken half as often.
        if lanes(word(&pair[..8])) | lanes(word(&pair[8..])) != 0 {
            return true;
        }
    }
    let mut chunks = pairs.remainder().chunks_exact(8);
    for chunk in chunks.by_ref() {
        if lanes(word(chunk)) != 0 {
            return true;
        }
    }
    chunks.remainder().iter().any(|&b| ESCAPE[b as usize] != 0)
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it (`"`, `\` and control
/// characters; everything else, non-ASCII included, as is).
///
/// Inlined where it is called: most strings (ids, emails, names, URLs) need no escape and are
/// one scan and one copy; the others go to [`write_escaped`].
#[inline(always)]
pub fn write_json_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if needs_escape(bytes) {
        write_escaped(out, bytes);
        return;
    }
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    out.extend_from_slice(bytes);
    out.push(b'"');
}

/// [`write_json_str`] of a string with something to escape.
#[cold]
#[inline(never)]
fn write_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 8);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = ESCAPE[b as usize];
        if escape == 0 {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        if escape == b'u' {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0xf)]);
        } else {
            out.push(b'\\');
            out.push(escape);
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a date as `"YYYY-MM-DD"`, chrono's `Display` of it (the `%Y-%m-%d` of serde's
/// `Serialize` for `NaiveDate`), or `"YYYY-MM"` when `month_only`.
pub fn write_json_date(out: &mut Vec<u8>, date: NaiveDate, month_only: bool) {
    let year = date.year();
    if !(0..=9999).contains(&year) {
        // chrono's signed, widened years: rare enough to format.
        let text = date.to_string();
        let cut = if month_only {
            text.len() - 3
        } else {
            text.len()
        };
        write_json_str(out, &text[..cut]);
        return;
    }
    // Two digits at a time from a table, into one buffer copied once.
    const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    let pair = |n: u32| {
        let at = n as usize * 2;
        [PAIRS[at], PAIRS[at + 1]]
    };
    let year = year as u32;
    let mut text = *b"\"0000-00-00\"";
    text[1..3].copy_from_slice(&pair(year / 100));
    text[3..5].copy_from_slice(&pair(year % 100));
    text[6..8].copy_from_slice(&pair(date.month()));
    if month_only {
        text[8] = b'"';
        out.extend_from_slice(&text[..9]);
    } else {
        text[9..11].copy_from_slice(&pair(date.day()));
        out.extend_from_slice(&text);
    }
}

/// One JSON object written member by member into a buffer. Names are written as given (they are
/// the wire types' constant field names, which need no escape); values as serde_json writes them.
/// Members go in the order the wire type declares its fields, so the bytes are serde_json's.
#[derive(Debug)]
pub struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl<'a> JsonObject<'a> {
    #[inline(always)]
    pub fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, first: true }
    }

    /// Starts a member: `,"name":`; the caller writes its value into the returned buffer.
    #[inline(always)]
    pub fn member(&mut self, name: &str) -> &mut Vec<u8> {
        // Always inlined: the name is a constant at each call, copied without a call to memcpy.
        let out = &mut *self.out;
        out.reserve(name.len() + 4);
        if !self.first {
            out.push(b',');
        }
        self.first = false;
        out.push(b'"');
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b"\":");
        out
    }

    #[inline(always)]
    pub fn field_str(&mut self, name: &str, value: &str) -> &mut Self {
        write_json_str(self.member(name), value);
        self
    }

    /// A string member, `null` when `None` (serde's `Option` without `skip_serializing_if`).
    #[inline(always)]
    pub fn field_str_or_null(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => self.field_str(name, v),
            None => self.field_null(name),
        }
    }

    /// A string member left out when `None` (`skip_serializing_if = "Option::is_none"`).
    #[inline(always)]
    pub fn field_opt_str(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.field_str(name, v);
        }
        self
    }

    #[inline(always)]
    pub fn field_u64(&mut self, name: &str, value: u64) -> &mut Self {
        let mut digits = itoa::Buffer::new();
        self.member(name)
            .extend_from_slice(digits.format(value).as_bytes());
        self
    }

    #[inline(always)]
    pub fn field_bool(&mut self, name: &str, value: bool) -> &mut Self {
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.member(name).extend_from_slice(text);
        self
    }

    #[inline(always)]
    pub fn field_null(&mut self, name: &str) -> &mut Self {
        self.member(name).extend_from_slice(b"null");
        self
    }

    /// A `YYYY-MM-DD` date.
    #[inline(always)]
    pub fn field_date(&mut self, name: &str, value: NaiveDate) -> &mut Self {
        write_json_date(self.member(name), value, false);
        self
    }

    /// A `YYYY-MM-DD` date, `null` when `None`.
    #[inline(always)]
    pub fn field_date_or_null(&mut self, name: &str, value: Option<NaiveDate>) -> &mut Self {
        match value {
            Some(d) => write_json_date(self.member(name), d, false),
            None => {
                self.field_null(name);
            }
        }
        self
    }

    /// A member whose value `write` writes (an array, a nested object).
    #[inline(always)]
    pub fn field_with(&mut self, name: &str, write: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        write(self.member(name));
        self
    }

    /// Closes the object.
    #[inline(always)]
    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// Writes `items` as a JSON array, each with `write`.
pub fn write_json_array<T>(
    out: &mut Vec<u8>,
    items: impl IntoIterator<Item = T>,
    mut write: impl FnMut(&mut Vec<u8>, T),
) {
    out.push(b'[');
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
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
            let rows = JsonRows::new("users", count, 4);
            let ends: Vec<usize> = (0..count).map(|n| rows.push(&n).unwrap()).collect();
            let end = keep.checked_sub(1).map(|last| ends[last]);
            let json = rows.into_object(end, &Rest { next }).unwrap();
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
    fn the_eight_byte_scan_finds_every_byte_that_needs_an_escape_and_no_other() {
        // 31 bytes: a pair of words, a word and a remainder of seven; every shorter length too.
        for background in [b'a', 0x7f, 0x80, 0xff, b'!', b'#', b'[', b']'] {
            assert!(!needs_escape(&[background; 31]));
            for b in 0..=255u8 {
                for len in 1..=31 {
                    for at in 0..len {
                        let mut bytes = [background; 31];
                        bytes[at] = b;
                        assert_eq!(
                            needs_escape(&bytes[..len]),
                            ESCAPE[b as usize] != 0,
                            "{b:#x} at {at} of {len} among {background:#x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_ascii: String = (0u8..0x80).map(char::from).collect();
        let texts = [
            "",
            "plain@example.com",
            "quote \" and backslash \\ and /",
            "tab\tnewline\nreturn\rbell\u{7}nul\u{0}del\u{7f}",
            "Zoë Ünsal — 東京 🦀",
            "\u{1f}\u{8}\u{c}",
            every_ascii.as_str(),
        ];
        for text in texts {
            let mut out = Vec::new();
            write_json_str(&mut out, text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn dates_are_written_as_serde_writes_them() {
        let years = [-10000, -1, 0, 1, 999, 1970, 2026, 9999, 10000, 262142];
        let dates = years
            .iter()
            .flat_map(|&y| {
                [(1, 1), (2, 28), (12, 31)].map(|(m, d)| NaiveDate::from_ymd_opt(y, m, d))
            })
            .flatten()
            .chain([NaiveDate::MIN, NaiveDate::MAX]);
        for d in dates {
            let (mut day, mut month) = (Vec::new(), Vec::new());
            write_json_date(&mut day, d, false);
            write_json_date(&mut month, d, true);
            assert_eq!(
                String::from_utf8(day).unwrap(),
                serde_json::to_string(&d).unwrap()
            );
            assert_eq!(
                String::from_utf8(month).unwrap(),
                serde_json::to_string(&d.format("%Y-%m").to_string()).unwrap()
            );
        }
    }

    #[test]
    fn an_object_is_the_bytes_serde_json_writes_for_the_same_fields() {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Row<'a> {
            user_id: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            name: Option<&'a str>,
            email: Option<&'a str>,
            since: Option<NaiveDate>,
            count: u64,
            locked: bool,
            tags: Vec<&'a str>,
        }
        let rows = [
            Row {
                user_id: "google-oauth2|\"1\"\n",
                name: Some("Zoë \\ 東京"),
                email: None,
                since: NaiveDate::from_ymd_opt(2026, 3, 9),
                count: u64::MAX,
                locked: true,
                tags: vec!["a", "\u{1}"],
            },
            Row {
                user_id: "",
                name: None,
                email: Some(""),
                since: None,
                count: 0,
                locked: false,
                tags: vec![],
            },
        ];
        for row in rows {
            let mut out = Vec::new();
            let mut object = JsonObject::new(&mut out);
            object
                .field_str("userId", row.user_id)
                .field_opt_str("name", row.name)
                .field_str_or_null("email", row.email)
                .field_date_or_null("since", row.since)
                .field_u64("count", row.count)
                .field_bool("locked", row.locked)
                .field_with("tags", |out| {
                    write_json_array(out, &row.tags, |out, t| write_json_str(out, t))
                });
            object.end();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&row).unwrap()
            );
        }
        let mut out = Vec::new();
        JsonObject::new(&mut out).end();
        assert_eq!(out, b"{}");
    }

    #[test]
    fn cursor_windows_say_whether_more_follow() {
        assert_eq!(cursor_window(0..10, 4), (vec![0, 1, 2, 3], true));
        assert_eq!(cursor_window(0..4, 4), (vec![0, 1, 2, 3], false));
        assert_eq!(cursor_window(0..0, 4), (vec![], false));
    }
}
