//! What people type that is not tidy: repeated marks, emoji, other scripts, line breaks,
//! capitals, URLs, bullets. Test rows only: no code under test lives here.

use super::check;

#[test]
fn untidy_text_is_read_without_its_noise() {
    check(&[
        ("Bão!!! Khẩn cấp???", "Bão! Khẩn cấp?"),
        (
            "Thông báo 📢 họp khẩn 🚨 lúc 9h.",
            "Thông báo họp khẩn lúc chín giờ.",
        ),
        ("Xin chào 你好 bà con.", "Xin chào bà con."),
        ("Привет bà con", "bà con."),
        ("12345", "mười hai nghìn ba trăm bốn mươi lăm."),
        (
            "Nội dung:\nHọp dân\nlúc 8h",
            "Nội dung: Họp dân. lúc tám giờ.",
        ),
        (
            "- Thời gian: 8h\n- Địa điểm: hội trường",
            "Thời gian: tám giờ. Địa điểm: hội trường.",
        ),
        ("Xã A – xã B", "Xã A, xã B."),
        ("KHẨN CẤP: BÃO SỐ 9", "KHẨN CẤP: BÃO SỐ chín."),
        ("Đạt 100%!", "Đạt một trăm phần trăm!"),
        (
            "Trong tháng 8/2026, kiểm tra ATTP tại 30 cơ sở.",
            "Trong tháng tám năm hai nghìn không trăm hai mươi sáu, kiểm tra an toàn thực phẩm tại ba mươi cơ sở.",
        ),
        (
            "Xem chi tiết tại ubnd@xa.gov.vn",
            "Xem chi tiết tại ubnd a còng xa chấm gov chấm vn.",
        ),
        (
            "Lo\u{31B}\u{300}i chu\u{301}c Te\u{302}\u{301}t",
            "Lời chúc Tết.",
        ),
        ("  nhiều   khoảng   trắng  ", "nhiều khoảng trắng."),
        ("Họp ... chiều nay", "Họp. chiều nay."),
        (
            "\"Ngày hội đại đoàn kết\" tổ chức ngày 18/11.",
            "Ngày hội đại đoàn kết tổ chức ngày mười tám tháng mười một.",
        ),
        (
            "Mức 1 + mức 2 = 3 triệu",
            "Mức một cộng mức hai bằng ba triệu.",
        ),
        (
            "Khoảng ~50 hộ, >30% là hộ nghèo",
            "Khoảng khoảng năm mươi hộ, trên ba mươi phần trăm là hộ nghèo.",
        ),
        ("Số #5 đường 3/2", "Số số năm đường ba tháng hai."),
        (
            "Điện thoại: 0912 345 678 — gặp anh Nam",
            "Điện thoại: không chín một hai, ba bốn năm, sáu bảy tám, gặp anh Nam.",
        ),
        (
            "Hà Nội - Hải Phòng: 120km",
            "Hà Nội, Hải Phòng: một trăm hai mươi ki lô mét.",
        ),
        ("Số lượng: 2.5 tấn", "Số lượng: hai phẩy năm tấn."),
        ("1,500,000 đồng", "một triệu năm trăm nghìn đồng."),
        ("Giờ G: 0h", "Giờ G: không giờ."),
        ("Dòng\r\nmới", "Dòng. mới."),
        (
            "Mã số thuế 0101234567",
            "Mã số thuế không một không một, hai ba bốn, năm sáu bảy.",
        ),
        (
            "Năm 1975, năm 2000, năm 2010",
            "Năm một nghìn chín trăm bảy mươi lăm, năm hai nghìn, năm hai nghìn không trăm mười.",
        ),
        (
            "Số nhà 12A, ngõ 45B",
            "Số nhà mười hai A, ngõ bốn mươi lăm B.",
        ),
        (
            "Thôn 10, 11, 14, 15, 20, 24, 25",
            "Thôn mười, mười một, mười bốn, mười lăm, hai mươi, hai mươi tư, hai mươi lăm.",
        ),
        (
            "Xã có 999.999 cây xanh",
            "Xã có chín trăm chín mươi chín nghìn chín trăm chín mươi chín cây xanh.",
        ),
    ]);
}
