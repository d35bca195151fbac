"""A plausible procedure catalog: Vietnamese names, owners, levels, online levels, validity.

Names are built from a few action templates per kind of procedure (a licence is
granted, re-granted, renewed...; a registration is registered, changed...) applied to
the objects each agency handles, with a few qualifiers. Agencies are recognised by the
part of their code after the province prefix (`92-STP` → `STP`); an agency this table
does not know gets a generic object, and a weight-0 agency (the service centre, the
statistics office) owns no procedure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

import numpy as np
import pyarrow as pa
from numpy.typing import NDArray

from dxplan.domain.unit import Unit

__all__ = ["PROCEDURE_SCHEMA", "Catalog", "build_catalog"]

PROCEDURE_SCHEMA: Final = pa.schema(
    [
        ("procedure_code", pa.string()),
        ("name", pa.string()),
        ("agency_code", pa.string()),
        ("level", pa.string()),
        ("online_level", pa.string()),
        ("on_national_portal", pa.bool_()),
        ("has_fee", pa.bool_()),
        ("online_payment", pa.bool_()),
        ("valid_from", pa.date32()),
        ("valid_to", pa.date32()),
    ]
)

ONLINE_LEVELS: Final = ("full", "partial", "none")  # index 0, 1, 2 in Catalog.online_level
NEVER: Final = np.iinfo(np.int32).max  # "no end" / "no start" sentinels for day numbers
ALWAYS: Final = np.iinfo(np.int32).min


class Kind(Enum):
    """What is done with an object: its action templates (with a relative volume each)."""

    LICENCE = (("Cấp {}", 1.0), ("Cấp lại {}", 0.25), ("Cấp đổi {}", 0.2),
               ("Điều chỉnh {}", 0.1), ("Gia hạn {}", 0.12), ("Thu hồi {}", 0.02))  # fmt: skip
    REGISTRATION = (("Đăng ký {}", 1.0), ("Đăng ký lại {}", 0.1),
                    ("Đăng ký thay đổi {}", 0.15), ("Xóa đăng ký {}", 0.03))  # fmt: skip
    APPROVAL = (("Thẩm định {}", 1.0), ("Phê duyệt {}", 0.6), ("Điều chỉnh {}", 0.15),
                ("Chấp thuận {}", 0.3))  # fmt: skip
    RECOGNITION = (("Công nhận {}", 1.0), ("Công nhận lại {}", 0.3),
                   ("Hủy bỏ quyết định công nhận {}", 0.02))  # fmt: skip
    BENEFIT = (("Giải quyết {}", 1.0), ("Điều chỉnh mức hưởng {}", 0.15),
               ("Thôi hưởng {}", 0.08), ("Chuyển nơi hưởng {}", 0.05))  # fmt: skip
    CERTIFICATION = (("Chứng thực {}", 1.0),)
    SETTLEMENT = (("Giải quyết {}", 1.0), ("Tiếp nhận, xử lý {}", 0.5))
    SERVICE = (("{}", 1.0),)  # a service named whole: agencies the templates do not know


_QUALIFIERS: Final = {
    Kind.LICENCE: (("", 1.0), (" đối với tổ chức", 0.3), (" đối với cá nhân", 0.3),
                   (" do bị mất, hư hỏng", 0.15), (" cho cơ sở có vốn đầu tư nước ngoài", 0.05)),
    Kind.REGISTRATION: (("", 1.0), (" có yếu tố nước ngoài", 0.08), (" lưu động", 0.03),
                        (" theo quy trình liên thông", 0.2)),
    Kind.APPROVAL: (("", 1.0), (" đối với dự án sử dụng vốn đầu tư công", 0.3),
                    (" đối với dự án sử dụng vốn khác", 0.3), (" điều chỉnh", 0.1)),
    Kind.RECOGNITION: (("", 1.0), (" cấp cơ sở", 0.4), (" đối với tổ chức", 0.2)),
    Kind.BENEFIT: (("", 1.0), (" theo quy trình liên thông", 0.3), (" cho thân nhân", 0.2)),
    Kind.CERTIFICATION: (("", 1.0), (" do người nước ngoài yêu cầu", 0.05),
                         (" theo quy trình điện tử", 0.3)),
    Kind.SETTLEMENT: (("", 1.0), (" thuộc thẩm quyền", 0.3), (" có yếu tố nước ngoài", 0.05)),
    Kind.SERVICE: (("", 1.0),),
}  # fmt: skip

L, R, A, C = Kind.LICENCE, Kind.REGISTRATION, Kind.APPROVAL, Kind.RECOGNITION
B, Z, S = Kind.BENEFIT, Kind.CERTIFICATION, Kind.SETTLEMENT

# (object, kind, relative dossier volume, handled at commune level)
_Object = tuple[str, Kind, float, bool]

# Per agency suffix: (weight among city-level procedures, weight among commune-level
# ones, objects). Volumes are rough shares of a one-stop system's dossiers: copies
# certification and birth registration at communes, land and driving licences at the city.
_DOMAINS: Final[dict[str, tuple[float, float, tuple[_Object, ...]]]] = {
    "STP": (0.07, 0.33, (
        ("khai sinh", R, 30, True), ("kết hôn", R, 8, True), ("khai tử", R, 6, True),
        ("nhận cha, mẹ, con", R, 1, True), ("giám hộ", R, 0.4, True),
        ("thay đổi, cải chính, bổ sung thông tin hộ tịch", R, 3, True),
        ("bản sao từ bản chính giấy tờ, văn bản", Z, 80, True),
        ("chữ ký trong giấy tờ, văn bản", Z, 20, True),
        ("hợp đồng, giao dịch liên quan đến tài sản là động sản", Z, 4, True),
        ("giấy xác nhận tình trạng hôn nhân", L, 10, True),
        ("bản sao trích lục hộ tịch", L, 8, True),
        ("phiếu lý lịch tư pháp", L, 12, False),
        ("thẻ công chứng viên", L, 0.05, False),
        ("giấy đăng ký hoạt động văn phòng công chứng", L, 0.05, False),
        ("giấy đăng ký hoạt động của tổ chức hành nghề luật sư", L, 0.05, False),
        ("thẻ đấu giá viên", L, 0.03, False),
    )),
    "SNNMT": (0.16, 0.15, (
        ("biến động quyền sử dụng đất, tài sản gắn liền với đất", R, 25, True),
        ("thế chấp quyền sử dụng đất, tài sản gắn liền với đất", R, 15, True),
        ("giấy chứng nhận quyền sử dụng đất lần đầu", L, 6, True),
        ("kế hoạch bảo vệ môi trường", R, 0.5, True),
        ("kinh tế trang trại", C, 0.2, True),
        ("giấy chứng nhận quyền sử dụng đất cho tổ chức", L, 4, False),
        ("giấy phép môi trường", L, 0.5, False),
        ("báo cáo đánh giá tác động môi trường", A, 0.3, False),
        ("giấy phép khai thác khoáng sản", L, 0.1, False),
        ("giấy phép khai thác, sử dụng nước mặt", L, 0.2, False),
        ("giấy phép xả nước thải vào nguồn nước", L, 0.2, False),
        ("giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản", L, 0.8,
         False),
        ("giấy chứng nhận kiểm dịch động vật, sản phẩm động vật", L, 2, False),
        ("phương án giao đất, cho thuê đất", A, 0.8, False),
        ("tàu cá", R, 0.6, False),
        ("chứng chỉ hành nghề thú y", L, 0.2, False),
    )),
    "SXD": (0.08, 0.06, (
        ("giấy phép xây dựng nhà ở riêng lẻ", L, 5, True),
        ("giấy phép sửa chữa, cải tạo công trình", L, 1, True),
        ("giấy phép xây dựng công trình", L, 2, False),
        ("thiết kế xây dựng triển khai sau thiết kế cơ sở", A, 0.8, False),
        ("báo cáo nghiên cứu khả thi đầu tư xây dựng", A, 0.4, False),
        ("chứng chỉ hành nghề hoạt động xây dựng", L, 0.8, False),
        ("chứng chỉ năng lực hoạt động xây dựng", L, 0.4, False),
        ("giấy phép kinh doanh vận tải bằng xe ô tô", L, 1.5, False),
        ("phù hiệu xe ô tô kinh doanh vận tải", L, 4, False),
        ("giấy chứng nhận đăng ký xe máy chuyên dùng", L, 0.6, False),
        ("đồ án quy hoạch chi tiết xây dựng", A, 0.2, False),
    )),
    "STC": (0.10, 0.08, (
        ("hộ kinh doanh", R, 6, True),
        ("thành lập doanh nghiệp", R, 3, False),
        ("giấy chứng nhận đăng ký đầu tư", L, 0.6, False),
        ("chủ trương đầu tư dự án", A, 0.3, False),
        ("thành lập hợp tác xã", R, 0.4, False),
        ("giá đất cụ thể", A, 0.2, False),
        ("quyết toán vốn dự án hoàn thành", A, 0.5, False),
        ("mã số đơn vị có quan hệ với ngân sách", L, 0.6, False),
    )),
    "SCT": (0.10, 0.02, (
        ("giấy phép bán lẻ sản phẩm thuốc lá", L, 0.3, True),
        ("giấy phép kinh doanh bán buôn rượu", L, 0.3, False),
        ("giấy phép sản xuất rượu thủ công nhằm mục đích kinh doanh", L, 0.2, False),
        ("giấy chứng nhận cửa hàng đủ điều kiện bán lẻ xăng dầu", L, 0.3, False),
        ("giấy phép hoạt động điện lực", L, 0.2, False),
        ("giấy chứng nhận đủ điều kiện kinh doanh khí dầu mỏ hóa lỏng", L, 0.2, False),
        ("chương trình khuyến mại", R, 3, False),
        ("hội chợ, triển lãm thương mại", R, 0.3, False),
        ("giấy phép lập cơ sở bán lẻ", L, 0.2, False),
    )),
    "SYT": (0.12, 0.06, (
        ("trợ cấp xã hội hằng tháng", B, 4, True),
        ("hỗ trợ chi phí mai táng", B, 1, True),
        ("giấy phép hành nghề khám bệnh, chữa bệnh", L, 1.5, False),
        ("giấy phép hoạt động khám bệnh, chữa bệnh", L, 0.6, False),
        ("chứng chỉ hành nghề dược", L, 1, False),
        ("giấy chứng nhận đủ điều kiện kinh doanh dược", L, 1, False),
        ("giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm", L, 0.8, False),
        ("bản công bố sản phẩm thực phẩm", R, 0.8, False),
        ("giấy xác nhận nội dung quảng cáo mỹ phẩm", L, 0.2, False),
    )),
    "SNV": (0.08, 0.14, (
        ("chế độ ưu đãi người có công với cách mạng", B, 2, True),
        ("trợ cấp một lần đối với thân nhân người có công", B, 0.8, True),
        ("trợ cấp thất nghiệp", B, 5, False),
        ("giấy phép lao động cho người nước ngoài", L, 0.6, False),
        ("nội quy lao động", R, 0.3, False),
        ("giấy phép hoạt động dịch vụ việc làm", L, 0.05, False),
        ("điều lệ hội", A, 0.1, False),
        ("danh hiệu Chiến sĩ thi đua cấp thành phố", C, 0.2, False),
    )),
    "SGDDT": (0.07, 0.05, (
        ("nhóm trẻ, lớp mẫu giáo độc lập", C, 0.1, True),
        ("trường mầm non đạt chuẩn quốc gia", C, 0.05, True),
        ("chuyển trường đối với học sinh trung học cơ sở", S, 1, True),
        ("bản sao văn bằng, chứng chỉ từ sổ gốc", L, 2, False),
        ("giấy phép tổ chức hoạt động dạy thêm, học thêm", L, 0.4, False),
        ("trường trung học phổ thông đạt chuẩn quốc gia", C, 0.05, False),
        ("giấy chứng nhận đăng ký hoạt động giáo dục nghề nghiệp", L, 0.1, False),
        ("chỉnh sửa nội dung văn bằng, chứng chỉ", S, 0.3, False),
    )),
    "SVHTTDL": (0.08, 0.05, (
        ("danh hiệu Gia đình văn hóa", C, 0.5, True),
        ("câu lạc bộ thể thao cơ sở", C, 0.1, True),
        ("giấy chứng nhận đủ điều kiện kinh doanh dịch vụ karaoke", L, 0.3, False),
        ("giấy phép kinh doanh dịch vụ lữ hành nội địa", L, 0.1, False),
        ("thẻ hướng dẫn viên du lịch", L, 0.3, False),
        ("hạng cơ sở lưu trú du lịch", C, 0.1, False),
        ("giấy phép xuất bản bản tin", L, 0.1, False),
        ("giấy phép tổ chức lễ hội", L, 0.1, False),
    )),
    "SKHCN": (0.05, 0.0, (
        ("giấy phép tiến hành công việc bức xạ", L, 0.2, False),
        ("chứng chỉ nhân viên bức xạ", L, 0.2, False),
        ("hợp đồng chuyển giao công nghệ", R, 0.1, False),
        ("kết quả thực hiện nhiệm vụ khoa học và công nghệ", R, 0.1, False),
        ("giấy phép bưu chính", L, 0.1, False),
        ("giấy phép thiết lập trang thông tin điện tử tổng hợp", L, 0.1, False),
    )),
    "SDTTG": (0.02, 0.03, (
        ("sinh hoạt tôn giáo tập trung", R, 0.2, True),
        ("người có uy tín trong đồng bào dân tộc thiểu số", C, 0.1, True),
        ("người được phong phẩm hoặc suy cử làm chức sắc", R, 0.05, False),
        ("tổ chức hội nghị thường niên của tổ chức tôn giáo", A, 0.05, False),
    )),
    "TTTP": (0.015, 0.03, (
        ("khiếu nại lần đầu", S, 0.4, True),
        ("tố cáo", S, 0.2, True),
        ("khiếu nại lần hai", S, 0.1, False),
    )),
    "VPUB": (0.02, 0.0, (
        ("thẻ đi lại của doanh nhân APEC", L, 0.3, False),
        ("văn bản cho phép tổ chức hội nghị, hội thảo quốc tế", L, 0.1, False),
        ("khoản viện trợ phi chính phủ nước ngoài", A, 0.05, False),
    )),
    "BQLKCN": (0.02, 0.0, (
        ("giấy chứng nhận đăng ký đầu tư trong khu công nghiệp", L, 0.2, False),
        ("giấy chứng nhận xuất xứ hàng hóa", L, 1.5, False),
        ("giấy phép lao động cho người nước ngoài làm việc trong khu công nghiệp", L, 0.2,
         False),
        ("giấy phép xây dựng công trình trong khu công nghiệp", L, 0.1, False),
    )),
    "CA": (0.03, 0.0, (
        ("giấy phép lái xe", L, 15, False),
        ("giấy chứng nhận đủ điều kiện về an ninh, trật tự", L, 0.8, False),
        ("thiết kế về phòng cháy và chữa cháy", A, 0.6, False),
        ("giấy phép sử dụng vũ khí thể thao", L, 0.02, False),
    )),
    "THUE": (0.01, 0.0, (
        ("sử dụng hóa đơn điện tử", R, 0.5, False),
        ("hồ sơ hoàn thuế", S, 0.3, False),
    )),
    "BHXH": (0.01, 0.0, (
        ("sổ bảo hiểm xã hội", L, 1, False),
        ("chế độ hưu trí", B, 0.5, False),
        ("chế độ ốm đau, thai sản", B, 0.8, False),
    )),
    "NHNN": (0.005, 0.0, (
        ("giấy phép thành lập quỹ tín dụng nhân dân", L, 0.01, False),
    )),
    # The service centre receives dossiers for everyone but owns none; statistics
    # offices own none either.
    "TTHCC": (0.0, 0.0, ()),
    "TK": (0.0, 0.0, ()),
}  # fmt: skip

# An agency outside the Vietnamese templates (another country's offices): services
# named after it, in English, some handled at the local units. Every agency of the
# shipped Vietnamese organisation has its own templates above.
_UNKNOWN_AGENCY: Final = (
    0.05,
    0.05,
    (
        ("Certificate issued by the {}", Kind.SERVICE, 3.0, True),
        ("Application to the {}", Kind.SERVICE, 1.0, True),
        ("Licence from the {}", Kind.SERVICE, 0.5, False),
        ("Permission of the {}", Kind.SERVICE, 0.2, False),
    ),
)


def agency_suffix(code: str) -> str:
    """`92-STP` → `STP`: the province-independent part of an agency code."""
    return code.split("-", 1)[-1].upper()


@dataclass(frozen=True)
class Catalog:
    """The catalog as parallel arrays, one entry a procedure, sorted by code."""

    codes: list[str]
    names: list[str]
    agency_codes: list[str]  # the agencies the catalog was built from
    agency: NDArray[np.int64]  # index into agency_codes
    commune_level: NDArray[np.bool_]
    online_level: NDArray[np.int64]  # index into ONLINE_LEVELS
    on_portal: NDArray[np.bool_]
    has_fee: NDArray[np.bool_]
    online_payment: NDArray[np.bool_]
    valid_from: NDArray[np.int64]  # day number (days since 1970-01-01), ALWAYS if none
    valid_to: NDArray[np.int64]  # day number, NEVER if none
    due_days: NDArray[np.int64]  # calendar days allowed, -1 when there is no deadline
    popularity: NDArray[np.float64]  # relative dossier volume

    def to_table(self) -> pa.Table:
        """The catalog in the contract's columns and types."""
        return pa.table(
            {
                "procedure_code": pa.array(self.codes, pa.string()),
                "name": pa.array(self.names, pa.string()),
                "agency_code": pa.array(self.agency_codes, pa.string()).take(self.agency),
                "level": pa.array(np.where(self.commune_level, "commune", "city"), pa.string()),
                "online_level": pa.array(np.array(ONLINE_LEVELS)[self.online_level], pa.string()),
                "on_national_portal": pa.array(self.on_portal),
                "has_fee": pa.array(self.has_fee),
                "online_payment": pa.array(self.online_payment),
                "valid_from": _dates(self.valid_from, self.valid_from == ALWAYS),
                "valid_to": _dates(self.valid_to, self.valid_to == NEVER),
            },
            schema=PROCEDURE_SCHEMA,
        )


def _day(value: date) -> int:
    return value.toordinal() - date(1970, 1, 1).toordinal()


def _candidates(agencies: list[Unit]) -> list[tuple[int, str, bool, float, float]]:
    """Every (agency, name, commune level, dossier volume, selection weight) combination."""
    found = []
    for index, agency in enumerate(agencies):
        city_weight, commune_weight, objects = _DOMAINS.get(
            agency_suffix(agency.code), _UNKNOWN_AGENCY
        )
        for obj, kind, volume, commune in objects:
            subject = obj.format(agency.name) if "{}" in obj else obj
            for action, action_volume in kind.value:
                for qualifier, qualifier_volume in _QUALIFIERS[kind]:
                    weight = commune_weight if commune else city_weight
                    share = action_volume * qualifier_volume
                    name = action.format(subject) + qualifier
                    found.append((index, name, commune, volume * share, weight * share**0.5))
    return found


def _pick(rng: np.random.Generator, weights: NDArray[np.float64], count: int) -> NDArray[np.int64]:
    """`count` indices by weight, distinct as long as the pool allows."""
    usable = int(np.count_nonzero(weights))
    if usable == 0 or count == 0:
        return np.zeros(0, dtype=np.int64)
    p = weights / weights.sum()
    distinct = rng.choice(len(weights), size=min(count, usable), replace=False, p=p)
    extra = rng.choice(len(weights), size=count - len(distinct), replace=True, p=p)
    return np.concatenate([distinct, extra]).astype(np.int64)


def build_catalog(
    agencies: list[Unit], count: int, rng: np.random.Generator, years: tuple[int, ...]
) -> Catalog:
    """`count` procedures of `agencies`: about a quarter at commune level, the rest city."""
    candidates = _candidates(agencies)
    if not candidates or count < 2:
        raise ValueError("a catalog needs at least 2 procedures and an agency that owns some")
    owner = np.array([c[0] for c in candidates], dtype=np.int64)
    commune = np.array([c[2] for c in candidates], dtype=np.bool_)
    volume = np.array([c[3] for c in candidates], dtype=np.float64)
    weight = np.array([c[4] for c in candidates], dtype=np.float64)
    # Spread each agency's weight over its candidates, so its share does not depend on
    # how many names the templates give it.
    per_owner = np.bincount(
        owner * 2 + commune, weights=(weight > 0).astype(np.float64), minlength=2 * len(agencies)
    )
    weight = weight / np.maximum(per_owner[owner * 2 + commune], 1)
    communes = max(1, round(count * 0.25))
    chosen = np.concatenate(
        [
            _pick(rng, np.where(commune, weight, 0.0), communes),
            _pick(rng, np.where(commune, 0.0, weight), count - communes),
        ]
    )
    if len(chosen) < count or not commune[chosen].any() or commune[chosen].all():
        raise ValueError("the agencies cannot provide both commune- and city-level procedures")
    n = count
    online_level = rng.choice(3, size=n, p=[0.55, 0.30, 0.15]).astype(np.int64)
    portal = rng.random(n) < np.array([0.90, 0.75, 0.40])[online_level]
    has_fee = rng.random(n) < 0.40
    online_payment = has_fee & (rng.random(n) < np.array([0.85, 0.70, 0.40])[online_level])
    commune_level = commune[chosen]
    commune_days = rng.choice(
        [0, 1, 2, 3, 5, 7, 10, 15], size=n, p=[0.2, 0.2, 0.1, 0.2, 0.12, 0.1, 0.05, 0.03]
    )
    city_days = rng.choice(
        [1, 3, 5, 7, 10, 12, 15, 20, 30, 45],
        size=n,
        p=[0.05, 0.1, 0.15, 0.15, 0.15, 0.1, 0.12, 0.08, 0.07, 0.03],
    )
    due_days = np.where(commune_level, commune_days, city_days).astype(np.int64)
    due_days[rng.random(n) < 0.10] = -1
    popularity = (
        volume[chosen]
        * rng.lognormal(0.0, 0.5, size=n)
        * np.array([1.0, 0.8, 0.3])[online_level]  # offline procedures are the rare ones
    )
    valid_from, valid_to = _validity(rng, n, years)
    # The most used procedure of each level stays in force all along, so every day
    # has somewhere for its dossiers to go.
    for level in (True, False):
        top = int(np.argmax(np.where(commune_level == level, popularity, -1.0)))
        valid_from[top], valid_to[top] = ALWAYS, NEVER
    codes = _codes(rng, n)
    order = np.argsort(np.array(codes), kind="stable")
    return Catalog(
        codes=[codes[i] for i in order],
        names=[candidates[i][1] for i in chosen[order]],
        agency_codes=[agency.code for agency in agencies],
        agency=owner[chosen][order],
        commune_level=commune_level[order],
        online_level=online_level[order],
        on_portal=portal[order],
        has_fee=has_fee[order],
        online_payment=online_payment[order],
        valid_from=valid_from[order],
        valid_to=valid_to[order],
        due_days=due_days[order],
        popularity=popularity[order],
    )


def _validity(
    rng: np.random.Generator, n: int, years: tuple[int, ...]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Day numbers in force from/to: most long-standing, a few repealed or new in the data."""
    first, last = min(years), max(years)
    old_start, old_end = _day(date(2015, 1, 1)), _day(date(first - 1, 12, 31))
    valid_from = rng.integers(old_start, old_end + 1, size=n).astype(np.int64)
    valid_from[rng.random(n) < 0.35] = ALWAYS
    valid_to = np.full(n, NEVER, dtype=np.int64)
    fate = rng.random(n)
    new = fate < 0.03
    valid_from[new] = rng.integers(_day(date(last, 2, 1)), _day(date(last, 11, 1)), size=new.sum())
    repealed = (fate >= 0.03) & (fate < 0.06)
    valid_to[repealed] = rng.integers(
        _day(date(first, 3, 1)), _day(date(last, 11, 30)), size=repealed.sum()
    )
    return valid_from, valid_to


def _codes(rng: np.random.Generator, n: int) -> list[str]:
    """National-style codes `1.004227`: distinct numbers, a few older `2.` and `3.` series."""
    numbers = rng.choice(1_000_000, size=n, replace=False)
    series = rng.choice([1, 2, 3], size=n, p=[0.7, 0.25, 0.05])
    return [f"{s}.{k:06d}" for s, k in zip(series.tolist(), numbers.tolist(), strict=True)]


def _dates(days: NDArray[np.int64], missing: NDArray[np.bool_]) -> pa.Array:
    return pa.array(np.where(missing, 0, days).astype(np.int32), pa.date32(), mask=missing)
