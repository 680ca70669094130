"""What demo obstacles say: real-sounding titles, details and answers for every category (Vietnamese, as
localities and the ministry write them). Only the demo data uses this."""

# category code → titles a locality would write
TITLES = {
    "to_chuc_bo_may": [
        "Vướng mắc sắp xếp các phòng chuyên môn thuộc UBND xã sau hợp nhất",
        "Chưa rõ mô hình tổ chức Trung tâm phục vụ hành chính công cấp xã",
        "Đề nghị hướng dẫn thành lập Văn phòng HĐND và UBND cấp xã",
    ],
    "bien_che": [
        "Vướng mắc xác định biên chế công chức cấp xã sau sắp xếp",
        "Thiếu biên chế cho Trung tâm phục vụ hành chính công cấp xã",
        "Chưa có hướng dẫn xây dựng vị trí việc làm công chức cấp xã",
    ],
    "can_bo_cong_chuc": [
        "Chưa có hướng dẫn đánh giá, xếp loại cán bộ theo KPI",
        "Bố trí chức danh công chức cấp xã khi số lượng vượt định mức",
        "Vướng mắc điều động công chức từ cấp huyện cũ về cấp xã",
    ],
    "che_do_nghi_viec": [
        "Chế độ cho người nghỉ việc theo Nghị định 178/2024/NĐ-CP",
        "Cách tính thời gian công tác để hưởng chính sách theo Nghị định 67/2025/NĐ-CP",
        "Kinh phí chi trả chế độ nghỉ hưu trước tuổi cho cán bộ cấp xã",
    ],
    "tien_luong": [
        "Phụ cấp của cán bộ không chuyên trách ở thôn, tổ dân phố",
        "Bảo lưu phụ cấp chức vụ khi không còn giữ chức vụ lãnh đạo sau sắp xếp",
        "Xếp lương công chức cấp xã chuyển từ cấp huyện cũ",
    ],
    "phan_cap": [
        "Thẩm quyền cấp xã theo Nghị định 150/2025/NĐ-CP",
        "Chưa rõ thẩm quyền phê duyệt dự toán sau khi bỏ cấp huyện",
        "Vướng mắc phân định thẩm quyền xử phạt vi phạm hành chính cấp xã",
    ],
    "thon_to_dan_pho": [
        "Sáp nhập thôn, tổ dân phố sau sắp xếp đơn vị hành chính cấp xã",
        "Số lượng người hoạt động không chuyên trách ở thôn sau sáp nhập",
    ],
    "tru_so_tai_san": [
        "Thiếu trụ sở làm việc cho Trung tâm phục vụ hành chính công",
        "Xử lý trụ sở dôi dư của UBND cấp huyện cũ",
        "Điều chuyển xe ô tô công vụ từ cấp huyện về cấp xã",
    ],
    "nha_cong_vu": [
        "Nhà công vụ cho cán bộ điều động về xã xa trung tâm",
        "Hỗ trợ chỗ ở cho công chức đi làm xa sau hợp nhất xã",
    ],
    "tai_chinh": [
        "Mở tài khoản tại Kho bạc cho xã mới sau hợp nhất",
        "Vướng mắc quyết toán ngân sách năm của các xã trước sáp nhập",
        "Kinh phí hoạt động của Trung tâm phục vụ hành chính công cấp xã",
    ],
    "dat_dai": [
        "Chỉnh lý hồ sơ địa chính theo tên đơn vị hành chính mới",
        "Thẩm quyền cấp giấy chứng nhận quyền sử dụng đất sau khi bỏ cấp huyện",
    ],
    "cntt_du_lieu": [
        "Phần mềm một cửa điện tử chưa cập nhật đơn vị hành chính mới",
        "Chuyển dữ liệu hộ tịch của các xã cũ sang hệ thống của xã mới",
        "Thiếu thiết bị, đường truyền cho bộ phận tiếp nhận hồ sơ cấp xã",
    ],
    "tthc_mot_cua": [
        "Quy trình giải quyết thủ tục hành chính liên thông sau sắp xếp",
        "Thời hạn giải quyết thủ tục đã tiếp nhận trước ngày 01/7/2025",
    ],
    "giao_duc_y_te": [
        "Quản lý trường trung học cơ sở sau khi bỏ cấp huyện",
        "Chuyển giao trạm y tế xã về UBND cấp xã quản lý",
    ],
    "con_dau_luu_tru": [
        "Khắc con dấu mới và thu hồi con dấu của các xã cũ",
        "Bàn giao, lưu trữ hồ sơ tài liệu của UBND cấp huyện cũ",
    ],
    "khac": [
        "Đề nghị hướng dẫn tổ chức đại hội thi đua khen thưởng cấp xã",
        "Vướng mắc về tên gọi của đơn vị hành chính mới trên giấy tờ",
    ],
}

LEGAL_BASES = {
    "to_chuc_bo_may": "Nghị định 150/2025/NĐ-CP",
    "bien_che": "Nghị định 150/2025/NĐ-CP; Thông tư 24/2025/TT-BNV",
    "can_bo_cong_chuc": "Luật Cán bộ, công chức 2025",
    "che_do_nghi_viec": "Nghị định 178/2024/NĐ-CP; Nghị định 67/2025/NĐ-CP",
    "tien_luong": "Nghị định 204/2004/NĐ-CP",
    "phan_cap": "Nghị định 150/2025/NĐ-CP, Điều 5",
    "thon_to_dan_pho": "Thông tư 04/2012/TT-BNV",
    "tru_so_tai_san": "Luật Quản lý, sử dụng tài sản công",
    "nha_cong_vu": "Nghị định 125/2024/NĐ-CP",
    "tai_chinh": "Luật Ngân sách nhà nước",
    "dat_dai": "Luật Đất đai 2024",
    "cntt_du_lieu": "Công điện 180/CĐ-TTg",
    "tthc_mot_cua": "Nghị định 61/2018/NĐ-CP",
    "giao_duc_y_te": "Nghị định 150/2025/NĐ-CP",
    "con_dau_luu_tru": "Luật Lưu trữ 2024",
    "khac": "",
}

DESCRIPTION = ("Sau khi sắp xếp đơn vị hành chính và tổ chức chính quyền địa phương hai cấp, địa phương gặp vướng "
               "mắc: {title}. Địa phương đã rà soát các văn bản hiện hành nhưng chưa có hướng dẫn cụ thể. "
               "Đề nghị Bộ Nội vụ và các bộ, ngành hướng dẫn để địa phương thực hiện thống nhất.")

ANSWERS = [
    "Căn cứ {basis}, đề nghị địa phương thực hiện theo hướng dẫn tại văn bản trả lời kèm theo.",
    "Nội dung này thuộc thẩm quyền của UBND cấp tỉnh; đề nghị địa phương báo cáo UBND tỉnh xem xét, quyết định.",
    "Bộ đã tổng hợp kiến nghị để báo cáo cấp có thẩm quyền sửa đổi quy định; trong thời gian chờ sửa đổi, "
    "địa phương tiếp tục thực hiện theo quy định hiện hành.",
]

QUESTIONS = [
    "Đề nghị địa phương bổ sung số liệu biên chế hiện có và dự kiến bố trí.",
    "Đề nghị địa phương gửi kèm văn bản của UBND tỉnh liên quan đến nội dung kiến nghị.",
]

# Names for the demo's specialists (one per unit).
STAFF_NAMES = ["Nguyễn Thị Lan", "Trần Văn Hùng", "Lê Thu Hà", "Phạm Minh Tuấn", "Hoàng Thị Mai", "Vũ Đức Thắng",
               "Đặng Ngọc Anh", "Bùi Quang Huy", "Đỗ Thanh Hương", "Ngô Văn Long", "Dương Thị Hạnh", "Lý Hoàng Nam",
               "Phan Thu Trang", "Trịnh Văn Khoa", "Hồ Thị Yến", "Mai Xuân Bách", "Tạ Minh Châu"]

AGENCIES = ["Thanh tra Chính phủ", "Kiểm toán nhà nước", "Bảo hiểm xã hội Việt Nam"]

RATING_COMMENTS = ["Trả lời rõ ràng, kịp thời.", "Đã áp dụng được.", "Cần hướng dẫn chi tiết hơn.", ""]
