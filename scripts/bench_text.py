"""Vietnamese titles, descriptions and messages for the benchmark's obstacles, varied by category.

Realistic words matter to the benchmark: title search scans folded titles (a LIKE over real-length text),
and the ticket page renders long descriptions; "Vướng mắc số 17" would make both look cheaper than they are.
"""
from __future__ import annotations

import random

DECREES = (
    "Nghị định 150/2025/NĐ-CP", "Nghị định 178/2024/NĐ-CP", "Nghị định 67/2025/NĐ-CP",
    "Nghị định 170/2025/NĐ-CP", "Thông tư 01/2025/TT-BNV", "Nghị quyết 76/2025/UBTVQH15",
    "Luật Tổ chức chính quyền địa phương 2025", "Nghị định 151/2025/NĐ-CP", "Nghị định 118/2025/NĐ-CP",
)
PLACES = ("cấp xã", "phường", "xã", "đặc khu", "UBND xã", "UBND phường")
WHEN = ("sau sắp xếp", "sau sáp nhập", "từ ngày 01/7/2025", "khi vận hành chính quyền hai cấp", "", "")
STAFF = ("công chức địa chính", "công chức tư pháp – hộ tịch", "công chức văn hóa – xã hội", "kế toán",
         "cán bộ chuyên trách", "người hoạt động không chuyên trách", "viên chức Trung tâm phục vụ hành chính công")

# category code → title patterns; {nd} decree, {xa} place, {sau} when, {cb} staff, {n} a number
TITLES = {
    "to_chuc_bo_may": ("Vướng mắc thành lập các phòng chuyên môn thuộc {xa} {sau}",
                       "Chưa rõ cơ cấu tổ chức của {xa} theo {nd}",
                       "Đề nghị hướng dẫn số lượng phó chủ tịch {xa} {sau}"),
    "bien_che": ("Vướng mắc xác định biên chế công chức {xa} {sau}", "Thiếu biên chế {cb} tại {xa}",
                 "Đề nghị hướng dẫn giao biên chế năm 2026 cho {xa}",
                 "Vị trí việc làm của {cb} chưa có trong danh mục theo {nd}"),
    "can_bo_cong_chuc": ("Chưa có hướng dẫn đánh giá, xếp loại cán bộ theo KPI", "Bố trí {cb} dôi dư {sau}",
                         "Điều động {cb} giữa các {xa} {sau}"),
    "che_do_nghi_viec": ("Chế độ cho người nghỉ việc theo {nd}", "Cách tính trợ cấp nghỉ hưu trước tuổi của {cb}",
                         "Chậm chi trả chính sách cho {n} người nghỉ việc {sau}"),
    "tien_luong": ("Phụ cấp của cán bộ không chuyên trách ở thôn, tổ dân phố",
                   "Xếp lương {cb} {sau}", "Chậm chi trả tiền lương tháng {n} cho {cb}",
                   "Phụ cấp chức vụ lãnh đạo {xa} theo {nd}"),
    "phan_cap": ("Thẩm quyền {xa} theo {nd}", "Phân định thẩm quyền cấp giấy phép xây dựng {sau}",
                 "Thẩm quyền xử phạt vi phạm hành chính của chủ tịch {xa}"),
    "thon_to_dan_pho": ("Sáp nhập thôn, tổ dân phố {sau}", "Số lượng người hoạt động không chuyên trách ở thôn",
                        "Bầu trưởng thôn khi sáp nhập {n} thôn"),
    "tru_so_tai_san": ("Thiếu trụ sở làm việc cho Trung tâm phục vụ hành chính công",
                       "Xử lý {n} trụ sở dôi dư {sau}", "Bố trí phương tiện đi lại cho {xa} {sau}"),
    "nha_cong_vu": ("Bố trí nhà công vụ cho {cb} {sau}", "Hỗ trợ nơi ăn ở cho công chức đi lại xa {n} km"),
    "tai_chinh": ("Mở tài khoản kho bạc cho {xa} {sau}", "Phân bổ ngân sách năm 2026 cho {xa}",
                  "Quyết toán kinh phí của các xã cũ {sau}"),
    "dat_dai": ("Bàn giao hồ sơ địa chính {sau}", "Thẩm quyền cấp giấy chứng nhận quyền sử dụng đất của {xa}",
                "Vướng mắc đất đai khi chỉnh lý bản đồ địa chính {sau}", "Thu hồi đất tại {n} thửa chưa rõ thẩm quyền"),
    "cntt_du_lieu": ("Không đăng nhập được hệ thống một cửa điện tử do chưa được cấp lại mật khẩu",
                     "Cấp tài khoản và mật khẩu chữ ký số cho {cb}",
                     "Chuyển đổi dữ liệu hộ tịch {sau}", "Đường truyền của {xa} thường xuyên gián đoạn"),
    "tthc_mot_cua": ("Trung tâm phục vụ hành chính công cấp xã thiếu {cb}",
                     "Tiếp nhận hồ sơ thủ tục hành chính phi địa giới {sau}", "Quy trình liên thông {n} thủ tục"),
    "giao_duc_y_te": ("Quản lý trường mầm non {sau}", "Trạm y tế {xa} chưa có người đứng đầu",
                      "Chuyển giao {n} trường học về {xa}"),
    "con_dau_luu_tru": ("Khắc con dấu mới cho {xa} {sau}", "Bàn giao hồ sơ lưu trữ của {n} xã cũ"),
    "khac": ("Đề nghị hướng dẫn thực hiện {nd}", "Vướng mắc khác khi triển khai {nd} tại {xa}"),
}
PROBLEMS = (
    "Hiện nay {xa} có {n} {cb} nhưng chưa có văn bản quy định cụ thể.",
    "Các văn bản hướng dẫn chưa thống nhất nên địa phương lúng túng khi thực hiện.",
    "Địa phương đã báo cáo UBND tỉnh nhưng chưa nhận được hướng dẫn.",
    "Việc này ảnh hưởng trực tiếp đến hoạt động của bộ máy {sau}.",
    "Số hồ sơ tồn đọng đến nay là {n} hồ sơ.",
)
REQUESTS = (
    "Đề nghị Bộ Nội vụ hướng dẫn cụ thể.", "Kính đề nghị Tổ phản ứng nhanh xem xét, trả lời.",
    "Đề nghị cơ quan có thẩm quyền sớm có văn bản hướng dẫn để địa phương thực hiện thống nhất.",
)
REPLIES = ("Địa phương bổ sung thông tin: hồ sơ kèm theo gồm {n} văn bản liên quan.",
           "Xin gửi thêm số liệu: {n} {cb} chịu ảnh hưởng.", "Đề nghị Tổ phản ứng nhanh ưu tiên xử lý.")
NOTES = ("Đã kiểm tra, chuyển đơn vị chủ trì xem xét.", "Cần phối hợp với {nd} để trả lời.",
         "Trùng nội dung với kiến nghị của {n} địa phương khác.")
ANSWERS = ("Căn cứ {nd}, {xa} thực hiện theo hướng dẫn tại văn bản số {n}/BNV-TCBC.",
           "Nội dung kiến nghị thuộc thẩm quyền của UBND tỉnh; đề nghị địa phương báo cáo UBND tỉnh.",
           "Bộ Nội vụ đã tổng hợp, đề xuất sửa đổi {nd} cho phù hợp thực tiễn.")


POOL = 4000  # distinct texts of each kind: varied enough for search and rendering, cheap per row


class Vietnamese:
    """A seeded generator of obstacle texts; the same seed gives the same data on every run.

    Texts are drawn from pools built once, since filling patterns per row would double a million-row seed.
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pools: dict[str, list[str]] = {}

    def pick(self, kind: str, make) -> str:
        pool = self.pools.get(kind)
        if pool is None:
            pool = self.pools[kind] = [make() for _ in range(POOL)]
        return self.rng.choice(pool)

    def fill(self, pattern: str) -> str:
        choice = self.rng.choice
        text = pattern.format(nd=choice(DECREES), xa=choice(PLACES), sau=choice(WHEN), cb=choice(STAFF),
                              n=self.rng.randint(2, 48))
        return " ".join(text.split())

    def title(self, category_code: str) -> str:
        patterns = TITLES.get(category_code, TITLES["khac"])
        return self.pick(f"title:{category_code}", lambda: self.fill(self.rng.choice(patterns)))

    def description(self) -> str:
        def make() -> str:
            problems = self.rng.sample(PROBLEMS, self.rng.randint(1, 3))
            return " ".join(self.fill(p) for p in [*problems, self.rng.choice(REQUESTS)])

        return self.pick("description", make)

    def reply(self) -> str:
        return self.pick("reply", lambda: self.fill(self.rng.choice(REPLIES)))

    def note(self) -> str:
        return self.pick("note", lambda: self.fill(self.rng.choice(NOTES)))

    def answer(self) -> str:
        return self.pick("answer", lambda: self.fill(self.rng.choice(ANSWERS)))
