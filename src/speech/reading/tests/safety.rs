//! Fire, security, schools, campaigns: the abbreviations of the commune's offices. Test rows only:
//! no code under test lives here.

use super::check;

#[test]
fn offices_schools_and_safety() {
    check(&[
        (
            "Đội PCCC khuyến cáo bà con không đốt rơm rạ.",
            "Đội phòng cháy chữa cháy khuyến cáo bà con không đốt rơm rạ.",
        ),
        (
            "Trường THCS và THPT tựu trường ngày 5/9.",
            "Trường trung học cơ sở và trung học phổ thông tựu trường ngày năm tháng chín.",
        ),
        (
            "BHXH huyện hướng dẫn đóng BHXH tự nguyện.",
            "bảo hiểm xã hội huyện hướng dẫn đóng bảo hiểm xã hội tự nguyện.",
        ),
        ("Q.1, TP.HCM", "quận một, thành phố Hồ Chí Minh."),
        ("P. Bến Nghé, Q. 1", "phường Bến Nghé, quận một."),
        (
            "Đài truyền thanh phát lại chương trình của VTV1.",
            "Đài truyền thanh phát lại chương trình của vê tê vê một.",
        ),
        (
            "Học sinh cấp II và cấp III nhập học ngày 5/9.",
            "Học sinh cấp hai và cấp ba nhập học ngày năm tháng chín.",
        ),
        (
            "Khu II và khu III mất nước từ 8h.",
            "Khu hai và khu ba mất nước từ tám giờ.",
        ),
        (
            "Công an xã đảm bảo ANTT dịp Tết.",
            "Công an xã đảm bảo an ninh trật tự dịp Tết.",
        ),
        (
            "Tháng ATGT: đội mũ bảo hiểm khi đi xe máy.",
            "Tháng an toàn giao thông: đội mũ bảo hiểm khi đi xe máy.",
        ),
        (
            "Kiểm tra ATTP tại 30 cơ sở kinh doanh.",
            "Kiểm tra an toàn thực phẩm tại ba mươi cơ sở kinh doanh.",
        ),
        (
            "Thanh niên sinh năm 2008 đăng ký NVQS trước 30/4.",
            "Thanh niên sinh năm hai nghìn không trăm linh tám đăng ký nghĩa vụ quân sự trước ngày ba mươi tháng tư.",
        ),
        (
            "BCHQS xã tổ chức khám tuyển cho 48 thanh niên.",
            "ban chỉ huy quân sự xã tổ chức khám tuyển cho bốn mươi tám thanh niên.",
        ),
        (
            "CLB dưỡng sinh của Hội NCT sinh hoạt lúc 5h30.",
            "câu lạc bộ dưỡng sinh của Hội người cao tuổi sinh hoạt lúc năm giờ ba mươi phút.",
        ),
        (
            "Phát hiện cháy gọi ngay 114.",
            "Phát hiện cháy gọi ngay một một bốn.",
        ),
        (
            "Trạm CNCH khu vực trực 24/24.",
            "Trạm cứu nạn cứu hộ khu vực trực hai mươi tư trên hai mươi tư.",
        ),
        (
            "Hướng dẫn thoát nạn: dùng khăn ướt che mũi, bò thấp dưới 0,5m.",
            "Hướng dẫn thoát nạn: dùng khăn ướt che mũi, bò thấp dưới không phẩy năm mét.",
        ),
        (
            "Ngày hội toàn dân bảo vệ ANTQ 19/8.",
            "Ngày hội toàn dân bảo vệ a en nờ tê quy ngày mười chín tháng tám.",
        ),
        (
            "Học sinh THCS nghỉ học từ 7/2 đến hết 9/2 do rét đậm.",
            "Học sinh trung học cơ sở nghỉ học từ ngày bảy tháng hai đến hết ngày chín tháng hai do rét đậm.",
        ),
        (
            "Giáo viên và HSSV tham gia hiến máu tình nguyện.",
            "Giáo viên và học sinh sinh viên tham gia hiến máu tình nguyện.",
        ),
        (
            "Chi bộ thôn sinh hoạt vào ngày 3 hằng tháng.",
            "Chi bộ thôn sinh hoạt vào ngày ba hằng tháng.",
        ),
        (
            "MTTQVN xã phát động ủng hộ đồng bào vùng lũ.",
            "mặt trận tổ quốc Việt Nam xã phát động ủng hộ đồng bào vùng lũ.",
        ),
        (
            "Các ban ngành, đoàn thể: MTTQ, ĐTN, HND, LHPN, CCB.",
            "Các ban ngành, đoàn thể: mặt trận tổ quốc, đoàn thanh niên, hội nông dân, liên hiệp phụ nữ, cựu chiến binh.",
        ),
        (
            "Lịch trực lễ 30/4-1/5: đ/c Hùng, SĐT 0978 123 456.",
            "Lịch trực lễ ngày ba mươi tháng tư đến ngày một tháng năm: đồng chí Hùng, số điện thoại không chín bảy tám, một hai ba, bốn năm sáu.",
        ),
        (
            "Nhận hồ sơ tại UBND xã, TX. Sơn Tây.",
            "Nhận hồ sơ tại ủy ban nhân dân xã, thị xã Sơn Tây.",
        ),
        (
            "Đường về TT. Phùng bị ngập 0,3m.",
            "Đường về thị trấn Phùng bị ngập không phẩy ba mét.",
        ),
        (
            "Hộ kinh doanh đăng ký qua cổng DVC của tỉnh.",
            "Hộ kinh doanh đăng ký qua cổng dịch vụ công của tỉnh.",
        ),
        (
            "Kế hoạch 12/KH-UBND ngày 5/1/2026 về CĐS.",
            "Kế hoạch mười hai trên kế hoạch ủy ban nhân dân ngày năm tháng một năm hai nghìn không trăm hai mươi sáu về xê đê ét xì.",
        ),
        (
            "Thông báo số 88/TB-UBND về lịch tiếp dân.",
            "Thông báo số tám mươi tám trên thông báo ủy ban nhân dân về lịch tiếp dân.",
        ),
        (
            "Đăng ký học lớp CNTT cơ bản cho CBCC.",
            "Đăng ký học lớp công nghệ thông tin cơ bản cho cán bộ công chức.",
        ),
    ]);
}
