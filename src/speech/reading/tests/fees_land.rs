//! Fees, taxes, support money; land, roads and farming. Test rows only: no code under test lives
//! here.

use super::check;

#[test]
fn fees_and_money() {
    check(&[
        (
            "Mức thu phí vệ sinh là 20.000đ/hộ/tháng.",
            "Mức thu phí vệ sinh là hai mươi nghìn đồng một hộ một tháng.",
        ),
        (
            "Học phí năm học 2026-2027 được miễn cho học sinh THCS.",
            "Học phí năm học hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm hai mươi bảy được miễn cho học sinh trung học cơ sở.",
        ),
        (
            "Thuế sử dụng đất phi nông nghiệp nộp trước ngày 31/10.",
            "Thuế sử dụng đất phi nông nghiệp nộp trước ngày ba mươi mốt tháng mười.",
        ),
        (
            "Lệ phí cấp đổi giấy phép lái xe: 135.000 đồng.",
            "Lệ phí cấp đổi giấy phép lái xe: một trăm ba mươi lăm nghìn đồng.",
        ),
        (
            "Mức đóng BHYT hộ gia đình là 4,5% mức lương cơ sở.",
            "Mức đóng bảo hiểm y tế hộ gia đình là bốn phẩy năm phần trăm mức lương cơ sở.",
        ),
        (
            "Lương cơ sở từ 01/7/2024 là 2.340.000 đồng/tháng.",
            "Lương cơ sở từ ngày một tháng bảy năm hai nghìn không trăm hai mươi tư là hai triệu ba trăm bốn mươi nghìn đồng một tháng.",
        ),
        (
            "Hỗ trợ 1,5 triệu đồng cho mỗi hộ nghèo.",
            "Hỗ trợ một phẩy năm triệu đồng cho mỗi hộ nghèo.",
        ),
        (
            "Quỹ phòng chống thiên tai thu 15.000 VNĐ/người/năm.",
            "Quỹ phòng chống thiên tai thu mười lăm nghìn đồng một người một năm.",
        ),
        (
            "Tổng kinh phí 3,2 tỷ đồng, trong đó ngân sách xã 500 triệu.",
            "Tổng kinh phí ba phẩy hai tỷ đồng, trong đó ngân sách xã năm trăm triệu.",
        ),
        (
            "Phí trông giữ xe máy 5.000đ/lượt.",
            "Phí trông giữ xe máy năm nghìn đồng một lượt.",
        ),
        (
            "Hộ nộp chậm sẽ bị phạt 0,03%/ngày.",
            "Hộ nộp chậm sẽ bị phạt không phẩy không ba phần trăm một ngày.",
        ),
        (
            "Giá nước sạch 8.500 đồng/m3.",
            "Giá nước sạch tám nghìn năm trăm đồng một mét khối.",
        ),
        (
            "Ngân sách 1.000.050.000 đồng.",
            "Ngân sách một tỷ không trăm năm mươi nghìn đồng.",
        ),
        (
            "Hỗ trợ 105 hộ, 1.005 khẩu.",
            "Hỗ trợ một trăm linh năm hộ, một nghìn không trăm linh năm khẩu.",
        ),
        (
            "Cấp 15 suất học bổng, mỗi suất 25 triệu.",
            "Cấp mười lăm suất học bổng, mỗi suất hai mươi lăm triệu.",
        ),
        (
            "Mức hỗ trợ 2.000.000 VNĐ/người.",
            "Mức hỗ trợ hai triệu đồng một người.",
        ),
        (
            "Đóng góp xây dựng NTM 200.000đ/khẩu.",
            "Đóng góp xây dựng nông thôn mới hai trăm nghìn đồng một khẩu.",
        ),
        (
            "Chuẩn nghèo khu vực nông thôn là 1,5 triệu đồng/người/tháng.",
            "Chuẩn nghèo khu vực nông thôn là một phẩy năm triệu đồng một người một tháng.",
        ),
        (
            "BHXH tự nguyện: Nhà nước hỗ trợ 30% mức đóng.",
            "bảo hiểm xã hội tự nguyện: Nhà nước hỗ trợ ba mươi phần trăm mức đóng.",
        ),
        (
            "Lãi suất cho vay hộ nghèo 6,6%/năm.",
            "Lãi suất cho vay hộ nghèo sáu phẩy sáu phần trăm một năm.",
        ),
        (
            "Giá vé 10 USD mỗi người.",
            "Giá vé mười đô la Mỹ mỗi người.",
        ),
        ("Thu 5tr đồng tiền quỹ.", "Thu năm triệu đồng tiền quỹ."),
        (
            "Có 21 hộ, 31 người, 41 lao động, 51 em học sinh.",
            "Có hai mươi mốt hộ, ba mươi mốt người, bốn mươi mốt lao động, năm mươi mốt em học sinh.",
        ),
        (
            "Xã có 3.456 hộ với 12.789 nhân khẩu.",
            "Xã có ba nghìn bốn trăm năm mươi sáu hộ với mười hai nghìn bảy trăm tám mươi chín nhân khẩu.",
        ),
        (
            "Dân số toàn tỉnh 1.234.567 người.",
            "Dân số toàn tỉnh một triệu hai trăm ba mươi tư nghìn năm trăm sáu mươi bảy người.",
        ),
        (
            "Năm 2026, xã phấn đấu 100% hộ dân có BHYT.",
            "Năm hai nghìn không trăm hai mươi sáu, xã phấn đấu một trăm phần trăm hộ dân có bảo hiểm y tế.",
        ),
        (
            "Số hộ nghèo giảm còn 2,3%.",
            "Số hộ nghèo giảm còn hai phẩy ba phần trăm.",
        ),
        (
            "Tổng thu ngân sách đạt 12.450.000.000 đồng, bằng 104% dự toán.",
            "Tổng thu ngân sách đạt mười hai tỷ bốn trăm năm mươi triệu đồng, bằng một trăm linh bốn phần trăm dự toán.",
        ),
        (
            "Thu nhập bình quân 62 triệu đồng/người/năm.",
            "Thu nhập bình quân sáu mươi hai triệu đồng một người một năm.",
        ),
        (
            "Hỗ trợ 300.000 đồng mỗi tháng cho 45 người.",
            "Hỗ trợ ba trăm nghìn đồng mỗi tháng cho bốn mươi lăm người.",
        ),
    ]);
}

#[test]
fn land_and_farming() {
    check(&[
        (
            "UBND xã thông báo thu hồi 2.500m2 đất nông nghiệp.",
            "ủy ban nhân dân xã thông báo thu hồi hai nghìn năm trăm mét vuông đất nông nghiệp.",
        ),
        (
            "Diện tích thửa đất là 150,5 m² tại tờ bản đồ số 12.",
            "Diện tích thửa đất là một trăm năm mươi phẩy năm mét vuông tại tờ bản đồ số mười hai.",
        ),
        (
            "Cấp GCNQSDĐ cho 45 hộ gia đình.",
            "Cấp giấy chứng nhận quyền sử dụng đất cho bốn mươi lăm hộ gia đình.",
        ),
        (
            "Dự án mở rộng đường liên xã dài 3,5km, rộng 7m.",
            "Dự án mở rộng đường liên xã dài ba phẩy năm ki lô mét, rộng bảy mét.",
        ),
        (
            "Tổng diện tích gieo cấy vụ mùa đạt 320 ha.",
            "Tổng diện tích gieo cấy vụ mùa đạt ba trăm hai mươi héc ta.",
        ),
        (
            "Hạn chót nộp hồ sơ bồi thường là 17h ngày 20/11/2026.",
            "Hạn chót nộp hồ sơ bồi thường là mười bảy giờ ngày hai mươi tháng mười một năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Thửa đất số 215, tờ bản đồ số 8, diện tích 1.200m².",
            "Thửa đất số hai trăm mười lăm, tờ bản đồ số tám, diện tích một nghìn hai trăm mét vuông.",
        ),
        (
            "Văn phòng đăng ký đất đai tiếp nhận hồ sơ các ngày T3, T5.",
            "Văn phòng đăng ký đất đai tiếp nhận hồ sơ các ngày thứ ba, thứ năm.",
        ),
        (
            "Giá bồi thường đất ở là 5,2 triệu đồng/m².",
            "Giá bồi thường đất ở là năm phẩy hai triệu đồng một mét vuông.",
        ),
        (
            "Công khai phương án bồi thường tại nhà văn hóa thôn 2 trong 20 ngày.",
            "Công khai phương án bồi thường tại nhà văn hóa thôn hai trong hai mươi ngày.",
        ),
        (
            "Sản lượng lúa đạt 6,25 tấn/ha.",
            "Sản lượng lúa đạt sáu phẩy hai mươi lăm tấn một héc ta.",
        ),
        (
            "Năng suất bình quân 60 tạ/ha.",
            "Năng suất bình quân sáu mươi tạ một héc ta.",
        ),
        (
            "HTX nông nghiệp thu mua lúa với giá 7.500đ/kg.",
            "hợp tác xã nông nghiệp thu mua lúa với giá bảy nghìn năm trăm đồng một ki lô gam.",
        ),
        (
            "Phun thuốc trừ sâu cuốn lá nhỏ trên 150ha lúa.",
            "Phun thuốc trừ sâu cuốn lá nhỏ trên một trăm năm mươi héc ta lúa.",
        ),
        (
            "Mỗi sào bón 10-12kg phân đạm.",
            "Mỗi sào bón mười đến mười hai ki lô gam phân đạm.",
        ),
        (
            "Tiêm phòng lở mồm long móng cho 1.850 con trâu, bò.",
            "Tiêm phòng lở mồm long móng cho một nghìn tám trăm năm mươi con trâu, bò.",
        ),
        (
            "Khơi thông 4,5km kênh mương nội đồng.",
            "Khơi thông bốn phẩy năm ki lô mét kênh mương nội đồng.",
        ),
        (
            "Đổ bê tông 800m đường trục thôn, rộng 3,5m, dày 18cm.",
            "Đổ bê tông tám trăm mét đường trục thôn, rộng ba phẩy năm mét, dày mười tám xen ti mét.",
        ),
        (
            "Cấm xe trên 10 tấn đi qua cầu thôn 6.",
            "Cấm xe trên mười tấn đi qua cầu thôn sáu.",
        ),
        (
            "CSGT huyện kiểm tra nồng độ cồn trên QL1A.",
            "cảnh sát giao thông huyện kiểm tra nồng độ cồn trên quốc lộ một A.",
        ),
        (
            "Xe chạy tối đa 40km/h trong khu dân cư.",
            "Xe chạy tối đa bốn mươi ki lô mét trên giờ trong khu dân cư.",
        ),
        (
            "Gieo sạ từ ngày 25/01 đến 10/02 dương lịch.",
            "Gieo sạ từ ngày hai mươi lăm tháng một đến mười tháng hai dương lịch.",
        ),
        (
            "Hộ ông Nguyễn Văn A, thôn 3, có 2 sào đất bị ảnh hưởng.",
            "Hộ ông Nguyễn Văn A, thôn ba, có hai sào đất bị ảnh hưởng.",
        ),
        (
            "Quy hoạch sử dụng đất giai đoạn 2021-2030, tầm nhìn 2050.",
            "Quy hoạch sử dụng đất giai đoạn hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm ba mươi, tầm nhìn hai nghìn không trăm năm mươi.",
        ),
    ]);
}
