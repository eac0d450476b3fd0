//! The abbreviations of commune notices and what a reader says for each: a built-in table, which
//! a commune extends or overrides with its own TOML file (`[speech] abbreviations`). Lookup is
//! exact, case included ("CN" is Sunday, "cn" is not), on what is written without spaces, so
//! "KT-XH", "TP." and "Đ/c" are keys like "UBND". It reads no file but the one
//! [`Abbreviations::with_file`] is given, and knows no voice.

use std::collections::HashMap;
use std::path::Path;

use super::lex;
use crate::model::Said;
use crate::model::said;

/// Built in: administration, the mass organisations, services, documents, units of the
/// commune. Kept to readings that are not ambiguous in a notice.
const BUILT_IN: &[(&str, &str)] = &[
    ("UBND", "ủy ban nhân dân"),
    ("HĐND", "hội đồng nhân dân"),
    ("UBMTTQ", "ủy ban mặt trận tổ quốc"),
    ("UBMTTQVN", "ủy ban mặt trận tổ quốc Việt Nam"),
    ("MTTQ", "mặt trận tổ quốc"),
    ("MTTQVN", "mặt trận tổ quốc Việt Nam"),
    ("TTHC", "thủ tục hành chính"),
    ("BHYT", "bảo hiểm y tế"),
    ("BHXH", "bảo hiểm xã hội"),
    ("BHTN", "bảo hiểm thất nghiệp"),
    ("CCCD", "căn cước công dân"),
    ("CMND", "chứng minh nhân dân"),
    ("THCS", "trung học cơ sở"),
    ("THPT", "trung học phổ thông"),
    ("CSGT", "cảnh sát giao thông"),
    ("PCCC", "phòng cháy chữa cháy"),
    ("CNCH", "cứu nạn cứu hộ"),
    ("PCTT", "phòng chống thiên tai"),
    ("TKCN", "tìm kiếm cứu nạn"),
    ("KT-XH", "kinh tế xã hội"),
    ("KTXH", "kinh tế xã hội"),
    ("QP-AN", "quốc phòng an ninh"),
    ("ANTT", "an ninh trật tự"),
    ("ATGT", "an toàn giao thông"),
    ("ATTP", "an toàn thực phẩm"),
    ("TP.HCM", "thành phố Hồ Chí Minh"),
    ("TP.", "thành phố"),
    ("TX.", "thị xã"),
    ("TT.", "thị trấn"),
    ("Q.", "quận"),
    ("P.", "phường"),
    ("H.", "huyện"),
    ("HCM", "Hồ Chí Minh"),
    ("QL", "quốc lộ"),
    ("TL", "tỉnh lộ"),
    ("VN", "Việt Nam"),
    ("VNĐ", "Việt Nam đồng"),
    ("TW", "trung ương"),
    ("HTX", "hợp tác xã"),
    ("BCH", "ban chấp hành"),
    ("BCĐ", "ban chỉ đạo"),
    ("BQL", "ban quản lý"),
    ("BTV", "ban thường vụ"),
    ("BCHQS", "ban chỉ huy quân sự"),
    ("NVQS", "nghĩa vụ quân sự"),
    ("ĐBQH", "đại biểu quốc hội"),
    ("QĐ", "quyết định"),
    ("NĐ", "nghị định"),
    ("NQ", "nghị quyết"),
    ("CP", "chính phủ"),
    ("KH", "kế hoạch"),
    ("TB", "thông báo"),
    ("CV", "công văn"),
    ("CT", "chỉ thị"),
    ("TTg", "thủ tướng"),
    ("BTC", "bộ tài chính"),
    ("ĐU", "đảng ủy"),
    ("LHPN", "liên hiệp phụ nữ"),
    ("HLHPN", "hội liên hiệp phụ nữ"),
    ("HND", "hội nông dân"),
    ("CCB", "cựu chiến binh"),
    ("ĐTN", "đoàn thanh niên"),
    ("TNCS", "thanh niên cộng sản"),
    ("NCT", "người cao tuổi"),
    ("NKT", "người khuyết tật"),
    ("KDC", "khu dân cư"),
    ("TDP", "tổ dân phố"),
    ("NTM", "nông thôn mới"),
    ("CLB", "câu lạc bộ"),
    ("TYT", "trạm y tế"),
    ("TTYT", "trung tâm y tế"),
    ("BV", "bệnh viện"),
    ("KCB", "khám chữa bệnh"),
    ("GCN", "giấy chứng nhận"),
    ("QSDĐ", "quyền sử dụng đất"),
    ("GCNQSDĐ", "giấy chứng nhận quyền sử dụng đất"),
    ("GPLX", "giấy phép lái xe"),
    ("HSSV", "học sinh sinh viên"),
    ("CBCC", "cán bộ công chức"),
    ("CBCCVC", "cán bộ công chức viên chức"),
    ("CNTT", "công nghệ thông tin"),
    ("DVC", "dịch vụ công"),
    ("SĐT", "số điện thoại"),
    ("ĐT", "điện thoại"),
    ("GD&ĐT", "giáo dục và đào tạo"),
    ("GDĐT", "giáo dục đào tạo"),
    ("LĐTBXH", "lao động thương binh và xã hội"),
    ("LĐ-TB&XH", "lao động thương binh và xã hội"),
    ("NN&PTNT", "nông nghiệp và phát triển nông thôn"),
    ("TN&MT", "tài nguyên và môi trường"),
    ("TNMT", "tài nguyên môi trường"),
    ("VH-TT", "văn hóa thông tin"),
    ("KHHGĐ", "kế hoạch hóa gia đình"),
    ("COVID-19", "cô vít mười chín"),
    ("COVID", "cô vít"),
    ("Đ/c", "đồng chí"),
    ("đ/c", "đồng chí"),
    ("v/v", "về việc"),
    ("V/v", "về việc"),
    ("STT", "số thứ tự"),
    ("CN", "chủ nhật"),
    ("UBKT", "ủy ban kiểm tra"),
    ("ĐVHC", "đơn vị hành chính"),
];

/// The table in use: the built-in one with the commune's entries over it.
#[derive(Debug, Clone)]
pub struct Abbreviations {
    map: HashMap<String, String>,
    /// Most tokens any key spans ("LĐ-TB&XH" spans 5), so lookups try no longer runs.
    longest: usize,
}

/// Why the commune's file cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.said())]
pub enum AbbreviationError {
    /// It could not be read.
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// It is not TOML `KEY = "reading"` lines, or an entry is unusable.
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with the line when the TOML reader knows it.
        message: String,
    },
}

impl AbbreviationError {
    /// Why the abbreviations file cannot be used, in each language.
    pub fn said(&self) -> Said {
        match self {
            AbbreviationError::Read { path, source } => said!(
                "không đọc được tệp viết tắt {path}: {source}",
                "cannot read the abbreviations file {path}"
            ),
            AbbreviationError::Invalid { path, message } => said!(
                "tệp viết tắt {path}: {message}",
                "abbreviations file {path}: {message}"
            ),
        }
    }
}

impl Default for Abbreviations {
    fn default() -> Self {
        let mut table = Abbreviations {
            map: HashMap::new(),
            longest: 1,
        };
        for (k, v) in BUILT_IN {
            table.insert(k, v);
        }
        table
    }
}

impl Abbreviations {
    /// The built-in table extended by the TOML file at `path`, whose lines are
    /// `KEY = "what to say"` (`HTX = "hợp tác xã"`, `"KT-XH" = "kinh tế xã hội"`).
    pub fn with_file(path: &Path) -> Result<Abbreviations, AbbreviationError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| AbbreviationError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut table = Abbreviations::default();
        table
            .extend_from_toml(&text)
            .map_err(|message| AbbreviationError::Invalid {
                path: shown,
                message,
            })?;
        Ok(table)
    }

    /// Add the entries of a TOML text over the table; an error says which entry and why.
    pub fn extend_from_toml(&mut self, text: &str) -> Result<(), String> {
        let entries: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        for (key, value) in entries {
            let toml::Value::String(reading) = value else {
                return Err(format!(
                    "\"{key}\" phải là một chuỗi / must be a string: {key} = \"…\""
                ));
            };
            let key = crate::text::normalize(&key);
            let reading = crate::text::normalize(&reading);
            let spans = lex::tokens(&key);
            if key.is_empty() || spans.iter().any(|t| t.space_before) || spans.len() > 6 {
                return Err(format!(
                    "\"{key}\": viết tắt phải liền nhau, không dấu cách / an abbreviation is written without spaces"
                ));
            }
            if !reading.chars().any(char::is_alphabetic) {
                return Err(format!(
                    "\"{key}\": cách đọc phải có chữ / the reading needs letters"
                ));
            }
            self.insert(&key, &reading);
        }
        Ok(())
    }

    fn insert(&mut self, key: &str, reading: &str) {
        self.longest = self.longest.max(lex::tokens(key).len());
        self.map.insert(key.to_string(), reading.to_string());
    }

    /// The reading of the longest key written at the start of `tokens` (with no space inside),
    /// and how many tokens it spans.
    pub fn longest_match(&self, tokens: &[lex::Token]) -> Option<(usize, &str)> {
        let mut surface = String::new();
        let mut found = None;
        for (n, t) in tokens.iter().take(self.longest).enumerate() {
            if n > 0 && t.space_before {
                break;
            }
            surface.push_str(&t.text);
            if let Some(reading) = self.map.get(&surface) {
                found = Some((n + 1, reading.as_str()));
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commune_file_adds_and_overrides_entries() {
        let mut t = Abbreviations::default();
        t.extend_from_toml("HTXDV = \"hợp tác xã dịch vụ\"\nCN = \"công nhân\"\n")
            .unwrap();
        let toks = lex::tokens("HTXDV");
        assert_eq!(t.longest_match(&toks), Some((1, "hợp tác xã dịch vụ")));
        assert_eq!(t.longest_match(&lex::tokens("CN")), Some((1, "công nhân")));
    }

    #[test]
    fn bad_entries_are_named() {
        let mut t = Abbreviations::default();
        let e = t.extend_from_toml("\"A B\" = \"x\"").unwrap_err();
        assert!(e.contains("A B"), "{e}");
        let e = t.extend_from_toml("X = 3").unwrap_err();
        assert!(e.contains("string"), "{e}");
        let e = t.extend_from_toml("X = \"???\"").unwrap_err();
        assert!(e.contains("letters"), "{e}");
        let e = t.extend_from_toml("X = ").unwrap_err();
        assert!(e.contains("line 1"), "{e}");
    }

    #[test]
    fn the_longest_key_wins() {
        let t = Abbreviations::default();
        assert_eq!(
            t.longest_match(&lex::tokens("TP.HCM")),
            Some((3, "thành phố Hồ Chí Minh"))
        );
        assert_eq!(
            t.longest_match(&lex::tokens("TP. Huế")),
            Some((2, "thành phố"))
        );
    }
}
