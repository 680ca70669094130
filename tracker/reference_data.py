"""Reference data from GLOSSARY.md: handling units, categories and default SLA policies."""
from sqlalchemy import select

from .enums import Urgency
from .models import Category, SlaPolicy, Unit

# (code, Vietnamese name, English name, external?)
UNITS = [
    ("moha_tcbc", "Bộ Nội vụ – Vụ Tổ chức – Biên chế", "MoHA – Organisation and Staffing Department", False),
    ("moha_cqdp", "Bộ Nội vụ – Vụ Chính quyền địa phương", "MoHA – Local Government Department", False),
    ("moha_ccvc", "Bộ Nội vụ – Vụ Công chức – Viên chức", "MoHA – Civil Servants Department", False),
    ("moha_cchc", "Bộ Nội vụ – Vụ Cải cách hành chính", "MoHA – Administrative Reform Department", False),
    ("moha_phap_che", "Bộ Nội vụ – Vụ Pháp chế", "MoHA – Legal Department", False),
    ("moha_tien_luong", "Bộ Nội vụ – Cục Tiền lương và Bảo hiểm xã hội", "MoHA – Salaries and Social Insurance", False),
    ("moha_van_thu", "Bộ Nội vụ – Cục Văn thư và Lưu trữ nhà nước", "MoHA – State Records and Archives", False),
    ("moha_van_phong", "Bộ Nội vụ – Văn phòng Bộ (Tổ phản ứng nhanh)", "MoHA – Ministry Office (rapid-response team)",
     False),
    ("bo_tai_chinh", "Bộ Tài chính", "Ministry of Finance", True),
    ("bo_xay_dung", "Bộ Xây dựng", "Ministry of Construction", True),
    ("bo_nn_mt", "Bộ Nông nghiệp và Môi trường", "Ministry of Agriculture and Environment", True),
    ("bo_khcn", "Bộ Khoa học và Công nghệ", "Ministry of Science and Technology", True),
    ("bo_tu_phap", "Bộ Tư pháp", "Ministry of Justice", True),
    ("bo_cong_an", "Bộ Công an", "Ministry of Public Security", True),
    ("bo_gddt", "Bộ Giáo dục và Đào tạo", "Ministry of Education and Training", True),
    ("bo_y_te", "Bộ Y tế", "Ministry of Health", True),
    ("van_phong_cp", "Văn phòng Chính phủ", "Government Office", True),
]

# (code, Vietnamese name, English name, default unit code or None for the triage queue)
CATEGORIES = [
    ("to_chuc_bo_may", "Tổ chức bộ máy", "Organisational structure", "moha_tcbc"),
    ("bien_che", "Biên chế, vị trí việc làm", "Staffing quotas and job positions", "moha_tcbc"),
    ("can_bo_cong_chuc", "Bố trí, sử dụng, đánh giá cán bộ, công chức (KPI)",
     "Assigning and evaluating officials (KPI)", "moha_ccvc"),
    ("che_do_nghi_viec", "Chế độ cho người nghỉ việc (NĐ 178/2024, 67/2025)",
     "Entitlements of officials who leave (Decrees 178, 67)", "moha_tcbc"),
    ("tien_luong", "Tiền lương, phụ cấp", "Salaries and allowances", "moha_tien_luong"),
    ("phan_cap", "Phân cấp, phân quyền, phân định thẩm quyền", "Decentralisation and authority", "moha_cqdp"),
    ("thon_to_dan_pho", "Thôn, tổ dân phố", "Villages and residential groups", "moha_cqdp"),
    ("tru_so_tai_san", "Trụ sở, tài sản công, phương tiện", "Headquarters, public assets, vehicles", "bo_tai_chinh"),
    ("nha_cong_vu", "Nhà công vụ, nơi ăn ở", "Housing for officials", "bo_xay_dung"),
    ("tai_chinh", "Tài chính, ngân sách, kho bạc", "Budget and treasury", "bo_tai_chinh"),
    ("dat_dai", "Đất đai, hồ sơ địa chính", "Land administration", "bo_nn_mt"),
    ("cntt_du_lieu", "Hạ tầng CNTT, phần mềm, dữ liệu", "IT systems and data", "bo_khcn"),
    ("tthc_mot_cua", "Thủ tục hành chính, Trung tâm phục vụ hành chính công cấp xã",
     "Procedures and the commune public-service centre", "van_phong_cp"),
    ("giao_duc_y_te", "Giáo dục, y tế, đơn vị sự nghiệp", "Schools, health, public service units", "bo_gddt"),
    ("con_dau_luu_tru", "Con dấu, văn thư, lưu trữ", "Seals, records and archives", "moha_van_thu"),
    ("khac", "Khác", "Other", None),
]

# urgency → (first response, answer) in working hours; a working day is 8 hours.
SLA_DEFAULTS = {
    Urgency.HOA_TOC: (4, 8),
    Urgency.THUONG_KHAN: (8, 24),
    Urgency.KHAN: (8, 40),
    Urgency.THUONG: (16, 80),
}


def seed_reference_data(session) -> None:
    """Insert the units, categories and default SLA policies that are missing (idempotent)."""
    units = {u.code: u for u in session.scalars(select(Unit))}
    for code, name, name_en, external in UNITS:
        if code not in units:
            units[code] = Unit(code=code, name=name, name_en=name_en, is_external=external)
            session.add(units[code])
    session.flush()
    existing = set(session.scalars(select(Category.code)))
    for position, (code, name, name_en, unit_code) in enumerate(CATEGORIES):
        if code not in existing:
            unit = units.get(unit_code) if unit_code else None
            session.add(Category(code=code, name=name, name_en=name_en, position=position,
                                    default_unit_id=unit.id if unit else None))
    defaults = set(session.scalars(select(SlaPolicy.urgency).where(SlaPolicy.category_id.is_(None))))
    for urgency, (first_response, answer) in SLA_DEFAULTS.items():
        if urgency not in defaults:
            session.add(SlaPolicy(urgency=urgency, first_response_hours=first_response, answer_hours=answer))
    session.flush()
