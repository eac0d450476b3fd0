//! Health: vaccination, clinics, insurance; identity cards and residence papers. Test rows only: no
//! code under test lives here.

use super::check;

#[test]
fn vaccination_and_health() {
    check(&[
        (
            "Trạm y tế xã tổ chức tiêm vắc xin sởi cho trẻ từ 9-18 tháng tuổi.",
            "Trạm y tế xã tổ chức tiêm vắc xin sởi cho trẻ từ chín đến mười tám tháng tuổi.",
        ),
        (
            "Thời gian tiêm: 7h30-11h00 các ngày 5, 6 và 7/9.",
            "Thời gian tiêm: bảy giờ ba mươi phút đến mười một giờ các ngày năm, sáu và bảy tháng chín.",
        ),
        (
            "Mang theo sổ tiêm chủng và thẻ BHYT của trẻ.",
            "Mang theo sổ tiêm chủng và thẻ bảo hiểm y tế của trẻ.",
        ),
        (
            "Tỷ lệ tiêm chủng đạt 98,5% kế hoạch.",
            "Tỷ lệ tiêm chủng đạt chín mươi tám phẩy năm phần trăm kế hoạch.",
        ),
        (
            "Có 1.250 trẻ em dưới 5 tuổi cần tiêm bổ sung.",
            "Có một nghìn hai trăm năm mươi trẻ em dưới năm tuổi cần tiêm bổ sung.",
        ),
        (
            "Trẻ sốt trên 38,5°C cần hoãn tiêm.",
            "Trẻ sốt trên ba mươi tám phẩy năm độ xê cần hoãn tiêm.",
        ),
        (
            "Mọi thắc mắc liên hệ TYT xã qua số 0912 345 678.",
            "Mọi thắc mắc liên hệ trạm y tế xã qua số không chín một hai, ba bốn năm, sáu bảy tám.",
        ),
        (
            "Tiêm phòng dại cho chó, mèo từ ngày 01/10 đến ngày 05/10/2026.",
            "Tiêm phòng dại cho chó, mèo từ ngày một tháng mười đến ngày năm tháng mười năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Tiêm vắc xin COVID-19 mũi 3 cho người trên 50 tuổi.",
            "Tiêm vắc xin cô vít mười chín mũi ba cho người trên năm mươi tuổi.",
        ),
        (
            "Đợt 2 chiến dịch uống vitamin A diễn ra từ ngày 1/6 đến 2/6.",
            "Đợt hai chiến dịch uống vitamin A diễn ra từ ngày một tháng sáu đến hai tháng sáu.",
        ),
        (
            "Trẻ từ 6-36 tháng tuổi uống 1 liều.",
            "Trẻ từ sáu đến ba mươi sáu tháng tuổi uống một liều.",
        ),
        (
            "Người dân đến TTYT huyện để được KCB theo BHYT.",
            "Người dân đến trung tâm y tế huyện để được khám chữa bệnh theo bảo hiểm y tế.",
        ),
        (
            "Gọi 115 khi cần cấp cứu.",
            "Gọi một một năm khi cần cấp cứu.",
        ),
        (
            "Đường dây nóng của Sở Y tế: 1900 9095.",
            "Đường dây nóng của Sở Y tế: một chín không không, chín không chín năm.",
        ),
        (
            "Phun thuốc diệt muỗi phòng sốt xuất huyết tại 5 thôn.",
            "Phun thuốc diệt muỗi phòng sốt xuất huyết tại năm thôn.",
        ),
        (
            "Khám sức khỏe miễn phí cho NCT từ 60 tuổi trở lên.",
            "Khám sức khỏe miễn phí cho người cao tuổi từ sáu mươi tuổi trở lên.",
        ),
        (
            "Mỗi người uống 2 viên/ngày, uống trong 3 ngày.",
            "Mỗi người uống hai viên một ngày, uống trong ba ngày.",
        ),
        (
            "Cân nặng trẻ dưới 2,5kg cần được theo dõi.",
            "Cân nặng trẻ dưới hai phẩy năm ki lô gam cần được theo dõi.",
        ),
        (
            "Đã có 3 ca mắc sốt xuất huyết tại thôn 2.",
            "Đã có ba ca mắc sốt xuất huyết tại thôn hai.",
        ),
        (
            "Khám sàng lọc cho 250 học sinh trường THCS.",
            "Khám sàng lọc cho hai trăm năm mươi học sinh trường trung học cơ sở.",
        ),
        (
            "Uống vitamin A liều 100.000 đơn vị cho trẻ 6-11 tháng.",
            "Uống vitamin A liều một trăm nghìn đơn vị cho trẻ sáu đến mười một tháng.",
        ),
        (
            "Bệnh viện huyện tiếp nhận bệnh nhân 24/24 giờ.",
            "Bệnh viện huyện tiếp nhận bệnh nhân hai mươi tư trên hai mươi tư giờ.",
        ),
        (
            "Tiêm cho 114 trẻ trong buổi sáng.",
            "Tiêm cho một trăm mười bốn trẻ trong buổi sáng.",
        ),
        (
            "Gọi 113 khi có trộm cắp, 114 khi có cháy.",
            "Gọi một một ba khi có trộm cắp, một một bốn khi có cháy.",
        ),
        (
            "Thực hiện 5K: khẩu trang, khử khuẩn, khoảng cách.",
            "Thực hiện năm K: khẩu trang, khử khuẩn, khoảng cách.",
        ),
    ]);
}

#[test]
fn identity_and_residence() {
    check(&[
        (
            "Công an xã làm CCCD gắn chip cho công dân từ 14 tuổi.",
            "Công an xã làm căn cước công dân gắn chip cho công dân từ mười bốn tuổi.",
        ),
        (
            "Thời gian làm thủ tục: từ 7h30 đến 11h30 và từ 13h30 đến 17h00.",
            "Thời gian làm thủ tục: từ bảy giờ ba mươi phút đến mười một giờ ba mươi phút và từ mười ba giờ ba mươi phút đến mười bảy giờ.",
        ),
        (
            "Người dân mang theo CMND cũ và sổ hộ khẩu (nếu có).",
            "Người dân mang theo chứng minh nhân dân cũ và sổ hộ khẩu, nếu có.",
        ),
        (
            "Số CCCD gồm 12 chữ số, ví dụ 001203004567.",
            "Số căn cước công dân gồm mười hai chữ số, ví dụ không không một hai không ba không không bốn năm sáu bảy.",
        ),
        (
            "Trả kết quả sau 7 ngày làm việc kể từ ngày nhận đủ hồ sơ.",
            "Trả kết quả sau bảy ngày làm việc kể từ ngày nhận đủ hồ sơ.",
        ),
        (
            "Công dân đủ 25 tuổi phải đổi thẻ CCCD.",
            "Công dân đủ hai mươi lăm tuổi phải đổi thẻ căn cước công dân.",
        ),
        (
            "Làm thủ tục tại bộ phận một cửa, TTHC được giải quyết trong 3-5 ngày.",
            "Làm thủ tục tại bộ phận một cửa, thủ tục hành chính được giải quyết trong ba đến năm ngày.",
        ),
        (
            "Đăng ký thường trú qua Cổng DVC quốc gia: dichvucong.gov.vn.",
            "Đăng ký thường trú qua Cổng dịch vụ công quốc gia: dichvucong chấm gov chấm vn.",
        ),
        (
            "Ai chưa có CCCD liên hệ Công an xã, SĐT 0203.3826.123.",
            "Ai chưa có căn cước công dân liên hệ Công an xã, số điện thoại không hai không ba, ba tám hai sáu, một hai ba.",
        ),
        (
            "SĐT: 0912345678.",
            "số điện thoại: không chín một hai, ba bốn năm, sáu bảy tám.",
        ),
        (
            "Hotline: 0987.654.321",
            "Hotline: không chín tám bảy, sáu năm bốn, ba hai một.",
        ),
        (
            "Liên hệ: 024.3826.1234 hoặc 0243 826 1234.",
            "Liên hệ: không hai bốn, ba tám hai sáu, một hai ba bốn hoặc không hai bốn ba, tám hai sáu, một hai ba bốn.",
        ),
        (
            "Tổng đài 1800 1091 miễn phí.",
            "Tổng đài một tám không không, một không chín một miễn phí.",
        ),
        (
            "Số tài khoản 0123456789012 tại ngân hàng.",
            "Số tài khoản không một hai ba bốn năm sáu bảy tám chín không một hai tại ngân hàng.",
        ),
        (
            "Đường dây nóng 0236.3822.115.",
            "Đường dây nóng không hai ba sáu, ba tám hai hai, một một năm.",
        ),
        (
            "Cấp 1.320 thẻ CCCD trong tháng 5.",
            "Cấp một nghìn ba trăm hai mươi thẻ căn cước công dân trong tháng năm.",
        ),
        (
            "Công an xã làm việc cả T7, CN để cấp CCCD.",
            "Công an xã làm việc cả thứ bảy, chủ nhật để cấp căn cước công dân.",
        ),
        (
            "Lệ phí cấp đổi CCCD là 50.000 đồng/thẻ.",
            "Lệ phí cấp đổi căn cước công dân là năm mươi nghìn đồng một thẻ.",
        ),
        (
            "Trẻ dưới 6 tuổi làm căn cước qua cổng DVC.",
            "Trẻ dưới sáu tuổi làm căn cước qua cổng dịch vụ công.",
        ),
        (
            "Đăng ký tạm trú trong vòng 30 ngày.",
            "Đăng ký tạm trú trong vòng ba mươi ngày.",
        ),
    ]);
}
