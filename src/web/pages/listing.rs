//! Long lists a page at a time, with the filters kept from page to page: the library and the
//! items list (the audit log pages by keyset in its own module, but builds its addresses here).
//! Owns only the paging arithmetic and the addresses; must not touch the store or a template.

/// Rows on one page of a list: a phone scrolls through 50 cards comfortably.
pub(super) const PER_PAGE: usize = 50;

/// Where a page of a list sits among its neighbours, for the template's pager.
#[derive(Debug, Default)]
pub(super) struct Pager {
    /// This page's number, from 1.
    pub(super) number: usize,
    /// How many pages the filtered list has (at least 1).
    pub(super) count: usize,
    /// The address of the page of newer rows, if any.
    pub(super) newer: Option<String>,
    /// The address of the page of older rows, if any.
    pub(super) older: Option<String>,
}

/// Page `number` (from 1; past the end means the last page) of `rows`, which are newest first,
/// and the pager to reach its neighbours; `href(n)` is the address of page n with the same
/// filters.
pub(super) fn page_of<T>(
    rows: Vec<T>,
    number: Option<usize>,
    href: impl Fn(usize) -> String,
) -> (Vec<T>, Pager) {
    let count = rows.len().div_ceil(PER_PAGE).max(1);
    let number = number.unwrap_or(1).clamp(1, count);
    let page = rows
        .into_iter()
        .skip((number - 1) * PER_PAGE)
        .take(PER_PAGE)
        .collect();
    let pager = Pager {
        number,
        count,
        newer: (number > 1).then(|| href(number - 1)),
        older: (number < count).then(|| href(number + 1)),
    };
    (page, pager)
}

/// `path` with the non-empty `pairs` as its query string, so a pager's or a filter's link keeps
/// what the user chose and nothing else.
pub(super) fn href(path: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<_> = pairs.iter().filter(|(_, v)| !v.is_empty()).collect();
    match serde_urlencoded::to_string(query) {
        Ok(query) if !query.is_empty() => format!("{path}?{query}"),
        _ => path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages(rows: usize, number: Option<usize>) -> (Vec<usize>, Pager) {
        page_of((0..rows).collect(), number, |n| format!("/x?page={n}"))
    }

    #[test]
    fn a_list_is_cut_into_pages_that_link_to_their_neighbours() {
        let (rows, pager) = pages(120, Some(2));
        assert_eq!(rows, (50..100).collect::<Vec<_>>());
        assert_eq!((pager.number, pager.count), (2, 3));
        assert_eq!(pager.newer.as_deref(), Some("/x?page=1"));
        assert_eq!(pager.older.as_deref(), Some("/x?page=3"));
        let (rows, pager) = pages(120, Some(3));
        assert_eq!(rows.len(), 20);
        assert!(pager.older.is_none());
    }

    #[test]
    fn a_page_past_the_end_or_an_empty_list_shows_what_there_is() {
        let (rows, pager) = pages(120, Some(99));
        assert_eq!((rows.len(), pager.number), (20, 3));
        let (rows, pager) = pages(0, Some(0));
        assert!(rows.is_empty());
        assert_eq!((pager.number, pager.count), (1, 1));
        assert!(pager.newer.is_none() && pager.older.is_none());
    }

    #[test]
    fn an_address_keeps_only_what_was_chosen_and_escapes_it() {
        assert_eq!(href("/library", &[("q", ""), ("page", "")]), "/library");
        assert_eq!(
            href("/items", &[("q", "tiêm & chủng"), ("state", "approved")]),
            "/items?q=ti%C3%AAm+%26+ch%E1%BB%A7ng&state=approved"
        );
    }
}
