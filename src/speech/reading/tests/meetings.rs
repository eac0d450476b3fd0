//! Meetings, congresses, elections and office hours. Test rows only: no code under test lives here.

use super::check;

#[test]
fn meetings() {
    check(&[
        (
            "UBND xã tổ chức họp dân lúc 7h30 ngày 31/08/2026.",
            "ủy ban nhân dân xã tổ chức họp dân lúc bảy giờ ba mươi phút ngày ba mươi mốt tháng tám năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Kính mời bà con thôn 3 đến dự họp vào 14h00 thứ 2 tuần sau.",
            "Kính mời bà con thôn ba đến dự họp vào mười bốn giờ thứ hai tuần sau.",
        ),
        (
            "Hội nghị bắt đầu từ 13h đến 15h45 tại hội trường UBND xã.",
            "Hội nghị bắt đầu từ mười ba giờ đến mười lăm giờ bốn mươi lăm phút tại hội trường ủy ban nhân dân xã.",
        ),
        (
            "Đại hội Đảng bộ xã lần thứ XXV, nhiệm kỳ 2025-2030 khai mạc sáng nay.",
            "Đại hội Đảng bộ xã lần thứ hai mươi lăm, nhiệm kỳ hai nghìn không trăm hai mươi lăm đến hai nghìn không trăm ba mươi khai mạc sáng nay.",
        ),
        (
            "HĐND xã khóa XV họp kỳ thứ 8 vào ngày 15/9.",
            "hội đồng nhân dân xã khóa mười lăm họp kỳ thứ tám vào ngày mười lăm tháng chín.",
        ),
        (
            "Đại hội XIII của Đảng đã đề ra nhiều chủ trương lớn.",
            "Đại hội mười ba của Đảng đã đề ra nhiều chủ trương lớn.",
        ),
        (
            "Báo cáo kết quả quý II/2026 và kế hoạch quý III.",
            "Báo cáo kết quả quý hai năm hai nghìn không trăm hai mươi sáu và kế hoạch quý ba.",
        ),
        (
            "Thời gian: 8h sáng Chủ nhật, ngày 06/9/2026.",
            "Thời gian: tám giờ sáng Chủ nhật, ngày sáu tháng chín năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Đề nghị các đ/c trưởng thôn có mặt trước 15 phút.",
            "Đề nghị các đồng chí trưởng thôn có mặt trước mười lăm phút.",
        ),
        (
            "UBMTTQ xã phối hợp với HĐND tổ chức tiếp xúc cử tri.",
            "ủy ban mặt trận tổ quốc xã phối hợp với hội đồng nhân dân tổ chức tiếp xúc cử tri.",
        ),
        (
            "Cuộc họp kéo dài khoảng 2-3 giờ.",
            "Cuộc họp kéo dài khoảng hai đến ba giờ.",
        ),
        (
            "Mời đại diện 120 hộ gia đình thôn Đông tham dự.",
            "Mời đại diện một trăm hai mươi hộ gia đình thôn Đông tham dự.",
        ),
        (
            "Buổi họp lúc 19h30' tối thứ 6 tại nhà văn hóa thôn.",
            "Buổi họp lúc mười chín giờ ba mươi phút tối thứ sáu tại nhà văn hóa thôn.",
        ),
        (
            "Hội nghị sơ kết 6 tháng đầu năm 2026 về phát triển KT-XH.",
            "Hội nghị sơ kết sáu tháng đầu năm hai nghìn không trăm hai mươi sáu về phát triển kinh tế xã hội.",
        ),
        (
            "Lịch tiếp công dân: sáng T2 và T5 hằng tuần.",
            "Lịch tiếp công dân: sáng thứ hai và thứ năm hằng tuần.",
        ),
        (
            "Làm việc từ T2-T6, nghỉ T7 và CN.",
            "Làm việc từ thứ hai đến thứ sáu, nghỉ thứ bảy và chủ nhật.",
        ),
        (
            "Hội nghị lần thứ 4 Ban chấp hành Đảng bộ xã.",
            "Hội nghị lần thứ tư Ban chấp hành Đảng bộ xã.",
        ),
        (
            "Kỳ họp thứ 10 HĐND xã khóa XIV, nhiệm kỳ 2021 - 2026.",
            "Kỳ họp thứ mười hội đồng nhân dân xã khóa mười bốn, nhiệm kỳ hai nghìn không trăm hai mươi mốt đến hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2026 của UBND huyện.",
            "Thực hiện Kế hoạch số bốn mươi lăm trên kế hoạch ủy ban nhân dân ngày mười tháng ba năm hai nghìn không trăm hai mươi sáu của ủy ban nhân dân huyện.",
        ),
        (
            "Căn cứ Nghị định 100/2019/NĐ-CP của Chính phủ.",
            "Căn cứ Nghị định một trăm trên hai nghìn không trăm mười chín trên nghị định chính phủ của Chính phủ.",
        ),
        (
            "Phát thanh lúc 5h và 17h hằng ngày.",
            "Phát thanh lúc năm giờ và mười bảy giờ hằng ngày.",
        ),
        (
            "Họp lúc 15:45 chiều nay.",
            "Họp lúc mười lăm giờ bốn mươi lăm phút chiều nay.",
        ),
        (
            "Kết thúc lúc 10:30:15.",
            "Kết thúc lúc mười giờ ba mươi phút mười lăm giây.",
        ),
        (
            "Sáng 7g30 tập trung tại sân đình.",
            "Sáng bảy giờ ba mươi phút tập trung tại sân đình.",
        ),
        (
            "Xe xuất phát lúc 6h05.",
            "Xe xuất phát lúc sáu giờ năm phút.",
        ),
        ("Thời gian: 13h30p.", "Thời gian: mười ba giờ ba mươi phút."),
        (
            "Chương II, Mục 3, Điều 15.",
            "Chương hai, Mục ba, Điều mười lăm.",
        ),
        ("Thế kỷ XXI", "Thế kỷ hai mươi mốt."),
        (
            "Giải nhất thuộc về thôn 4, giải nhì thôn 1.",
            "Giải nhất thuộc về thôn bốn, giải nhì thôn một.",
        ),
        (
            "Đây là lần thứ 1 xã tổ chức giải chạy.",
            "Đây là lần thứ nhất xã tổ chức giải chạy.",
        ),
        (
            "Thứ 7 tuần này ra quân dọn vệ sinh.",
            "Thứ bảy tuần này ra quân dọn vệ sinh.",
        ),
        ("Tuần thứ 14 của năm học.", "Tuần thứ mười bốn của năm học."),
        (
            "Tháng 4/2026 xã tổ chức hội thao.",
            "Tháng tư năm hai nghìn không trăm hai mươi sáu xã tổ chức hội thao.",
        ),
        (
            "Từ 8/2026 áp dụng lịch làm việc mới.",
            "Từ tháng tám năm hai nghìn không trăm hai mươi sáu áp dụng lịch làm việc mới.",
        ),
        ("Tháng 12 âm lịch.", "Tháng mười hai âm lịch."),
        ("Ngày 1 tháng 4.", "Ngày một tháng tư."),
        (
            "NQ của HĐND xã về KH phát triển KT-XH năm 2026.",
            "nghị quyết của hội đồng nhân dân xã về kế hoạch phát triển kinh tế xã hội năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Đoàn TNCS Hồ Chí Minh xã ra quân tình nguyện.",
            "Đoàn thanh niên cộng sản Hồ Chí Minh xã ra quân tình nguyện.",
        ),
        (
            "Hội LHPN và Hội CCB xã phối hợp tổ chức.",
            "Hội liên hiệp phụ nữ và Hội cựu chiến binh xã phối hợp tổ chức.",
        ),
        (
            "V/v triển khai kế hoạch năm 2027.",
            "về việc triển khai kế hoạch năm hai nghìn không trăm hai mươi bảy.",
        ),
        (
            "Hội nghị tổng kết năm 2025 diễn ra ngày 28/12/2025.",
            "Hội nghị tổng kết năm hai nghìn không trăm hai mươi lăm diễn ra ngày hai mươi tám tháng mười hai năm hai nghìn không trăm hai mươi lăm.",
        ),
        (
            "Họp BCH Đảng bộ mở rộng lúc 8h00 ngày 02/01/2026.",
            "Họp ban chấp hành Đảng bộ mở rộng lúc tám giờ ngày hai tháng một năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Mời 35 đại biểu dự lễ kỷ niệm 80 năm Cách mạng Tháng Tám.",
            "Mời ba mươi lăm đại biểu dự lễ kỷ niệm tám mươi năm Cách mạng Tháng Tám.",
        ),
        (
            "Lễ mít tinh kỷ niệm Quốc khánh 2/9 lúc 7h.",
            "Lễ mít tinh kỷ niệm Quốc khánh ngày hai tháng chín lúc bảy giờ.",
        ),
        (
            "Đồng chí Chủ tịch UBND xã chủ trì hội nghị.",
            "Đồng chí Chủ tịch ủy ban nhân dân xã chủ trì hội nghị.",
        ),
        (
            "Giờ làm việc mùa hè: sáng 7h - 11h30, chiều 13h30 - 17h.",
            "Giờ làm việc mùa hè: sáng bảy giờ đến mười một giờ ba mươi phút, chiều mười ba giờ ba mươi phút đến mười bảy giờ.",
        ),
        (
            "Hội nghị có 150/160 đại biểu có mặt.",
            "Hội nghị có một trăm năm mươi trên một trăm sáu mươi đại biểu có mặt.",
        ),
    ]);
}

#[test]
fn elections() {
    check(&[
        (
            "Ngày bầu cử đại biểu Quốc hội khóa XVI và HĐND các cấp nhiệm kỳ 2026-2031 là Chủ nhật, 15/3/2026.",
            "Ngày bầu cử đại biểu Quốc hội khóa mười sáu và hội đồng nhân dân các cấp nhiệm kỳ hai nghìn không trăm hai mươi sáu đến hai nghìn không trăm ba mươi mốt là Chủ nhật, ngày mười lăm tháng ba năm hai nghìn không trăm hai mươi sáu.",
        ),
        (
            "Các điểm bỏ phiếu mở cửa từ 7h00 đến 19h00.",
            "Các điểm bỏ phiếu mở cửa từ bảy giờ đến mười chín giờ.",
        ),
        (
            "Cử tri từ đủ 18 tuổi trở lên có quyền bầu cử.",
            "Cử tri từ đủ mười tám tuổi trở lên có quyền bầu cử.",
        ),
        (
            "Xã có 12 khu vực bỏ phiếu với 8.426 cử tri.",
            "Xã có mười hai khu vực bỏ phiếu với tám nghìn bốn trăm hai mươi sáu cử tri.",
        ),
        (
            "Tỷ lệ cử tri đi bầu đạt 99,87%.",
            "Tỷ lệ cử tri đi bầu đạt chín mươi chín phẩy tám mươi bảy phần trăm.",
        ),
        (
            "Niêm yết danh sách cử tri trước ngày bầu cử 40 ngày.",
            "Niêm yết danh sách cử tri trước ngày bầu cử bốn mươi ngày.",
        ),
        (
            "Bầu cử trưởng thôn nhiệm kỳ 2025-2027 tại thôn Đoài.",
            "Bầu cử trưởng thôn nhiệm kỳ hai nghìn không trăm hai mươi lăm đến hai nghìn không trăm hai mươi bảy tại thôn Đoài.",
        ),
        (
            "Ban bầu cử số 3 làm việc tại trường THPT Nguyễn Du.",
            "Ban bầu cử số ba làm việc tại trường trung học phổ thông Nguyễn Du.",
        ),
        (
            "ĐBQH tiếp xúc cử tri tại TP. Huế vào ngày 5/5.",
            "đại biểu quốc hội tiếp xúc cử tri tại thành phố Huế vào ngày năm tháng năm.",
        ),
        (
            "Mỗi cử tri chỉ được bầu tối đa 3 người trong danh sách 5 ứng cử viên.",
            "Mỗi cử tri chỉ được bầu tối đa ba người trong danh sách năm ứng cử viên.",
        ),
        (
            "Tổ bầu cử số 7 có 1.215 cử tri.",
            "Tổ bầu cử số bảy có một nghìn hai trăm mười lăm cử tri.",
        ),
        (
            "Hòm phiếu phụ phục vụ 21 cử tri ốm đau tại nhà.",
            "Hòm phiếu phụ phục vụ hai mươi mốt cử tri ốm đau tại nhà.",
        ),
        (
            "Kết quả kiểm phiếu công bố trước 22h cùng ngày.",
            "Kết quả kiểm phiếu công bố trước hai mươi hai giờ cùng ngày.",
        ),
        (
            "Ứng cử viên đạt 54,5% số phiếu hợp lệ.",
            "Ứng cử viên đạt năm mươi tư phẩy năm phần trăm số phiếu hợp lệ.",
        ),
        (
            "Danh sách 9 người ứng cử đại biểu HĐND xã.",
            "Danh sách chín người ứng cử đại biểu hội đồng nhân dân xã.",
        ),
    ]);
}
