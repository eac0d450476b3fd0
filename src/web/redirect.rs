//! Where a page may send the browser after signing in or switching language: only a path of
//! this site. A `next` that a link, a form or a `Referer` carries is an attacker's as often as
//! not (`/\t/evil.example` is `//evil.example` to a browser), so the rule is a short list of
//! what is allowed, not of what is refused. Must not build redirects itself (the pages do).

/// Longest `next` kept; a real page's path and query are far shorter.
const MAX_LEN: usize = 2048;

/// `next` if it is a path of this site, else `/`.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n))
        .map_or_else(|| "/".to_string(), str::to_string)
}

/// Whether `s` is `/` followed by path characters, and stays one once percent-decoded (as many
/// times as a browser or a proxy might): no second `/` or `\` first, no control character,
/// whitespace or backslash anywhere, nothing outside printable ASCII.
pub fn is_local_path(s: &str) -> bool {
    if s.len() > MAX_LEN || !s.bytes().all(path_byte) {
        return false;
    }
    let mut text = s.as_bytes().to_vec();
    for _ in 0..4 {
        if !safe_shape(&text) {
            return false;
        }
        match percent_decode(&text) {
            None => return false,
            Some(decoded) if decoded == text => return true,
            Some(decoded) => text = decoded,
        }
    }
    // Still decoding after four rounds: nobody writes links like that.
    false
}

/// A byte a link to one of our pages may hold as written (RFC 3986 path and query characters).
fn path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b)
}

/// A single leading `/`, and nothing a browser reads as a separator or a new header.
fn safe_shape(s: &[u8]) -> bool {
    s.first() == Some(&b'/')
        && !matches!(s.get(1), Some(b'/' | b'\\'))
        && !s
            .iter()
            .any(|&b| b == b'\\' || b.is_ascii_whitespace() || b.is_ascii_control() || b >= 0x7f)
}

/// `%XX` decoded once; `None` for a `%` not followed by two hex digits.
fn percent_decode(s: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_of_this_site_are_kept() {
        for ok in [
            "/",
            "/items",
            "/items/12/edit",
            "/login?next=%2Fitems&expired=1",
            "/audit?from=2026-01-01&to=2026-01-31",
        ] {
            assert_eq!(safe_next(Some(ok)), ok, "{ok}");
        }
    }

    #[test]
    fn anything_a_browser_could_read_as_another_site_goes_home() {
        for bad in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%09/evil.example",
            "/%2F/evil.example",
            "/%2f%2fevil.example",
            "/%5Cevil.example",
            "/%252F%252Fevil.example",
            "/x%0d%0aSet-Cookie:%20a=b",
            "/x\r\nSet-Cookie: a=b",
            "/ evil",
            "/%zz",
            "/%",
            "https://evil.example/",
            "evil.example",
            "",
            "/ư",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_LEN)))), "/");
    }
}
