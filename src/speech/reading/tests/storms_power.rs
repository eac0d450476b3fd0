//! Storms, rainfall, floods, heat and cold; power cuts. Test rows only: no code under test lives
//! here.

use super::check;

#[test]
fn storms_and_rainfall() {
    check(&[
        (
            "Bão số 3 có sức gió mạnh cấp 12, giật cấp 15.",
            "Bão số ba có sức gió mạnh cấp mười hai, giật cấp mười lăm.",
        ),
        (
            "Lượng mưa phổ biến 100-200mm, có nơi trên 300mm.",
            "Lượng mưa phổ biến một trăm đến hai trăm mi li mét, có nơi trên ba trăm mi li mét.",
        ),
        (
            "Gió mạnh 90-100km/h, sóng biển cao 5-7m.",
            "Gió mạnh chín mươi đến một trăm ki lô mét trên giờ, sóng biển cao năm đến bảy mét.",
        ),
        (
            "Nhiệt độ ngoài trời có lúc lên tới 39°C.",
            "Nhiệt độ ngoài trời có lúc lên tới ba mươi chín độ xê.",
        ),
        (
            "Nhiệt độ thấp nhất 8-10 độ C, vùng núi có nơi dưới 5 độ C.",
            "Nhiệt độ thấp nhất tám đến mười độ xê, vùng núi có nơi dưới năm độ xê.",
        ),
        (
            "Vị trí tâm bão ở khoảng 17,5 độ Vĩ Bắc; 110,2 độ Kinh Đông.",
            "Vị trí tâm bão ở khoảng mười bảy phẩy năm độ Vĩ Bắc; một trăm mười phẩy hai độ Kinh Đông.",
        ),
        (
            "Trong 24h tới, bão di chuyển theo hướng Tây Bắc, mỗi giờ đi được 15-20km.",
            "Trong hai mươi tư giờ tới, bão di chuyển theo hướng Tây Bắc, mỗi giờ đi được mười lăm đến hai mươi ki lô mét.",
        ),
        (
            "Mực nước sông Hồng tại Hà Nội lúc 7h là 9,5m.",
            "Mực nước sông Hồng tại Hà Nội lúc bảy giờ là chín phẩy năm mét.",
        ),
        (
            "Nhiệt độ có thể xuống -2°C ở vùng cao.",
            "Nhiệt độ có thể xuống âm hai độ xê ở vùng cao.",
        ),
        (
            "Yêu cầu tàu thuyền không ra khơi, bà con gia cố nhà cửa!",
            "Yêu cầu tàu thuyền không ra khơi, bà con gia cố nhà cửa!",
        ),
        (
            "Ban chỉ huy PCTT&TKCN xã trực 24/24h.",
            "Ban chỉ huy phòng chống thiên tai và tìm kiếm cứu nạn xã trực hai mươi tư trên hai mươi tư giờ.",
        ),
        (
            "Mưa lớn kéo dài từ đêm 15 đến ngày 17/10.",
            "Mưa lớn kéo dài từ đêm mười lăm đến ngày mười bảy tháng mười.",
        ),
        (
            "Cảnh báo lũ quét, sạt lở đất tại các xã vùng núi.",
            "Cảnh báo lũ quét, sạt lở đất tại các xã vùng núi.",
        ),
        (
            "Độ ẩm không khí 85 - 90%.",
            "Độ ẩm không khí tám mươi lăm đến chín mươi phần trăm.",
        ),
        (
            "Áp thấp nhiệt đới mạnh cấp 7 (50-61km/h).",
            "Áp thấp nhiệt đới mạnh cấp bảy, năm mươi đến sáu mươi mốt ki lô mét trên giờ.",
        ),
        (
            "Mưa to tới rất to (50-100mm/24h).",
            "Mưa to tới rất to, năm mươi đến một trăm mi li mét trên hai mươi tư giờ.",
        ),
        ("Nhiệt độ 25°", "Nhiệt độ hai mươi lăm độ."),
        (
            "Nắng nóng gay gắt, nhiệt độ cao nhất 37-39°C, độ ẩm thấp nhất 45-50%.",
            "Nắng nóng gay gắt, nhiệt độ cao nhất ba mươi bảy đến ba mươi chín độ xê, độ ẩm thấp nhất bốn mươi lăm đến năm mươi phần trăm.",
        ),
        (
            "Không khí lạnh tăng cường, nhiệt độ giảm 5-7 độ.",
            "Không khí lạnh tăng cường, nhiệt độ giảm năm đến bảy độ.",
        ),
        (
            "Vùng núi cao có nơi dưới 3°C, có khả năng xảy ra băng giá.",
            "Vùng núi cao có nơi dưới ba độ xê, có khả năng xảy ra băng giá.",
        ),
        (
            "Hồi 13h ngày 18/9, vị trí tâm bão cách đảo Bạch Long Vĩ 120km.",
            "Hồi mười ba giờ ngày mười tám tháng chín, vị trí tâm bão cách đảo Bạch Long Vĩ một trăm hai mươi ki lô mét.",
        ),
        (
            "Sức gió mạnh nhất vùng gần tâm bão cấp 13 (134-149km/h), giật cấp 16.",
            "Sức gió mạnh nhất vùng gần tâm bão cấp mười ba, một trăm ba mươi tư đến một trăm bốn mươi chín ki lô mét trên giờ, giật cấp mười sáu.",
        ),
        (
            "Hồ chứa xả lũ với lưu lượng 1.500m3/s.",
            "Hồ chứa xả lũ với lưu lượng một nghìn năm trăm mét khối trên giây.",
        ),
        (
            "Di dời 215 hộ với 842 nhân khẩu đến nơi an toàn.",
            "Di dời hai trăm mười lăm hộ với tám trăm bốn mươi hai nhân khẩu đến nơi an toàn.",
        ),
        (
            "Triều cường cao 3,8-4,0m, đề phòng ngập úng.",
            "Triều cường cao ba phẩy tám đến bốn phẩy không mét, đề phòng ngập úng.",
        ),
        (
            "Tầm nhìn xa dưới 1km trong sương mù.",
            "Tầm nhìn xa dưới một ki lô mét trong sương mù.",
        ),
        (
            "Gió giật mạnh 60km/h trong cơn dông.",
            "Gió giật mạnh sáu mươi ki lô mét trên giờ trong cơn dông.",
        ),
        (
            "Bão số 9 đổ bộ vào khoảng đêm 27/10.",
            "Bão số chín đổ bộ vào khoảng đêm ngày hai mươi bảy tháng mười.",
        ),
        (
            "Cấp độ rủi ro thiên tai cấp 4.",
            "Cấp độ rủi ro thiên tai cấp bốn.",
        ),
        (
            "Mưa đá, lốc sét có thể xảy ra từ chiều tối 15/5.",
            "Mưa đá, lốc sét có thể xảy ra từ chiều tối ngày mười lăm tháng năm.",
        ),
        (
            "Nước sông lên nhanh, mực nước lúc 19h đạt 6,25m, trên báo động III 0,25m.",
            "Nước sông lên nhanh, mực nước lúc mười chín giờ đạt sáu phẩy hai mươi lăm mét, trên báo động ba không phẩy hai mươi lăm mét.",
        ),
    ]);
}

#[test]
fn power_cuts() {
    check(&[
        (
            "Điện lực thông báo cắt điện từ 7h00 đến 17h00 ngày 12/6/2026.",
            "Điện lực thông báo cắt điện từ bảy giờ đến mười bảy giờ ngày mười hai tháng sáu năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Khu vực mất điện: thôn 1, thôn 2 và xóm Bến.",
            "Khu vực mất điện: thôn một, thôn hai và xóm Bến.",
        ),
        (
            "Lý do: bảo dưỡng đường dây 22kV.",
            "Lý do: bảo dưỡng đường dây hai mươi hai ki lô vôn.",
        ),
        (
            "Trạm biến áp 250kVA thôn Trung sẽ được thay mới.",
            "Trạm biến áp hai trăm năm mươi ki lô vôn am pe thôn Trung sẽ được thay mới.",
        ),
        (
            "Giá điện sinh hoạt bậc 1 là 1.893 đồng/kWh.",
            "Giá điện sinh hoạt bậc một là một nghìn tám trăm chín mươi ba đồng một ki lô oát giờ.",
        ),
        (
            "Đề nghị các hộ dân chủ động sắp xếp công việc.",
            "Đề nghị các hộ dân chủ động sắp xếp công việc.",
        ),
        (
            "Mọi chi tiết xin liên hệ tổng đài 1900 1006 của EVN.",
            "Mọi chi tiết xin liên hệ tổng đài một chín không không, một không không sáu của e vê en nờ.",
        ),
        (
            "Thời gian đóng điện trở lại dự kiến lúc 16h30.",
            "Thời gian đóng điện trở lại dự kiến lúc mười sáu giờ ba mươi phút.",
        ),
        (
            "Cắt điện để thi công đường dây 0,4kV tại thôn 5.",
            "Cắt điện để thi công đường dây không phẩy bốn ki lô vôn tại thôn năm.",
        ),
        (
            "Sự cố lưới điện do cây đổ trên tuyến 35kV.",
            "Sự cố lưới điện do cây đổ trên tuyến ba mươi lăm ki lô vôn.",
        ),
        (
            "Tạm ngừng cấp điện từ 8h-12h thứ 3, ngày 9/6.",
            "Tạm ngừng cấp điện từ tám giờ đến mười hai giờ thứ ba, ngày chín tháng sáu.",
        ),
        (
            "Hộ gia đình tiết kiệm điện giờ cao điểm 17h - 20h.",
            "Hộ gia đình tiết kiệm điện giờ cao điểm mười bảy giờ đến hai mươi giờ.",
        ),
        (
            "Nhà máy nước ngừng cấp nước từ 22h ngày 3/7 đến 5h ngày 4/7.",
            "Nhà máy nước ngừng cấp nước từ hai mươi hai giờ ngày ba tháng bảy đến năm giờ ngày bốn tháng bảy.",
        ),
        (
            "Công suất điện mặt trời mái nhà 5kW.",
            "Công suất điện mặt trời mái nhà năm ki lô oát.",
        ),
        (
            "Thay 12 cột điện và 1,2km dây dẫn.",
            "Thay mười hai cột điện và một phẩy hai ki lô mét dây dẫn.",
        ),
        (
            "Điện áp 220V, tần số 50Hz.",
            "Điện áp hai trăm hai mươi vôn, tần số năm mươi Hz.",
        ),
    ]);
}
