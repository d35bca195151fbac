"""The measures dxplan computes itself, registered once with their definitions.

A plan declares the measures it uses; those whose source is the dossiers, the catalog
or the platform are not reported by anyone: dxplan fills them, so they must be among
the ones registered here, with the same source and aggregation. A plan may use any of
them, or none. The engine (`engine/definitions.py`) and the platform
(`reporting/platform.py`) compute what is registered; `docs/measures.md` is generated
from this registry.

Each measure belongs to a `part`: the piece of code that computes it (the dossier
engine, the catalog engine, or one part of the platform's own records). Another part
(the tasks of the plan, say) registers its measures here and its computation beside
the platform's others.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from dxplan.domain.measure import Measure, SourceKind, TimeAggregation, UnitAggregation
from dxplan.domain.names import LocalizedText

COMPUTED_SOURCES: Final = (SourceKind.DOSSIERS, SourceKind.CATALOG, SourceKind.PLATFORM)
"""Sources whose measures dxplan fills itself (the others are reported by units)."""


@dataclass(frozen=True)
class ComputedMeasure:
    """A measure dxplan computes: what it counts, from where, and how it aggregates."""

    code: str
    source: SourceKind
    part: str  # the computation that fills it: "dossiers", "catalog", "reports", ...
    names: LocalizedText
    definition: LocalizedText  # what one monthly value of one unit counts
    time_aggregation: TimeAggregation
    unit_aggregation: UnitAggregation = UnitAggregation.SUM


class Registry:
    """Computed measures by code, in the order they were registered."""

    def __init__(self) -> None:
        self._measures: dict[str, ComputedMeasure] = {}

    def register(self, *measures: ComputedMeasure) -> None:
        for measure in measures:
            if measure.source not in COMPUTED_SOURCES:
                raise ValueError(f"{measure.code}: {measure.source} measures are reported")
            if measure.code in self._measures:
                raise ValueError(f"computed measure {measure.code!r} is registered twice")
            self._measures[measure.code] = measure

    def __contains__(self, code: object) -> bool:
        return code in self._measures

    def __getitem__(self, code: str) -> ComputedMeasure:
        return self._measures[code]

    def __iter__(self) -> Iterator[ComputedMeasure]:
        return iter(self._measures.values())

    def of(self, source: SourceKind, part: str | None = None) -> tuple[ComputedMeasure, ...]:
        """The measures of `source` (and of its `part`, when given), in registry order."""
        return tuple(m for m in self if m.source is source and (part is None or m.part == part))

    def codes(self, source: SourceKind, part: str | None = None) -> tuple[str, ...]:
        return tuple(m.code for m in self.of(source, part))

    def problems(self, measures: Sequence[Measure]) -> Iterator[tuple[int, str, str, str]]:
        """(index, field, code, message) for each declared measure that dxplan cannot fill."""
        for index, declared in enumerate(measures):
            if declared.source not in COMPUTED_SOURCES:
                continue
            known = self._measures.get(declared.code)
            if known is None:
                codes = ", ".join(self.codes(declared.source))
                yield (
                    index,
                    "code",
                    "unknown-computed-measure",
                    f"{declared.code!r} is not a {declared.source} measure dxplan computes; "
                    f"the known ones are: {codes}",
                )
            elif known.source is not declared.source:
                yield (
                    index,
                    "source",
                    "wrong-source",
                    f"{declared.code!r} is computed from the {known.source}, "
                    f"not the {declared.source}: write `source: {known.source}`",
                )
            else:
                for field in ("time_aggregation", "unit_aggregation"):
                    want, got = getattr(known, field), getattr(declared, field)
                    if want is not got:
                        yield (
                            index,
                            field,
                            "wrong-aggregation",
                            f"{declared.code!r} aggregates by {want}, not {got}: "
                            f"write `{field}: {want}`",
                        )


def _text(vi: str, en: str) -> LocalizedText:
    return LocalizedText(vi=vi, en=en)


def _measure(
    code: str,
    source: SourceKind,
    part: str,
    names: tuple[str, str],
    definition: tuple[str, str],
    time_aggregation: TimeAggregation = TimeAggregation.SUM,
) -> ComputedMeasure:
    return ComputedMeasure(code, source, part, _text(*names), _text(*definition), time_aggregation)


SUM, LAST = TimeAggregation.SUM, TimeAggregation.LAST
D, C, P = SourceKind.DOSSIERS, SourceKind.CATALOG, SourceKind.PLATFORM

COMPUTED: Final = Registry()

# "m" is a calendar month in the plan's local time; "the end of m" is the first instant
# of the next month. Withdrawn dossiers count nowhere.
COMPUTED.register(
    _measure(
        "dossiers_received",
        D,
        "dossiers",
        ("Hồ sơ tiếp nhận", "Dossiers received"),
        ("Số hồ sơ tiếp nhận trong tháng m.", "Dossiers received in m."),
    ),
    _measure(
        "dossiers_online",
        D,
        "dossiers",
        ("Hồ sơ tiếp nhận trực tuyến", "Dossiers received online"),
        ("Số hồ sơ tiếp nhận trực tuyến trong tháng m.", "Dossiers received online in m."),
    ),
    _measure(
        "dossiers_input_digitized",
        D,
        "dossiers",
        ("Hồ sơ số hóa khi tiếp nhận", "Dossiers digitized at intake"),
        (
            "Số hồ sơ tiếp nhận trong tháng m có thành phần được số hóa khi tiếp nhận.",
            "Dossiers received in m whose components were digitised at intake.",
        ),
    ),
    _measure(
        "dossiers_fee",
        D,
        "dossiers",
        ("Hồ sơ có phí, lệ phí", "Fee-bearing dossiers"),
        (
            "Số hồ sơ tiếp nhận trong tháng m phải nộp phí, lệ phí.",
            "Dossiers received in m with a fee due.",
        ),
    ),
    _measure(
        "dossiers_paid_online",
        D,
        "dossiers",
        ("Hồ sơ thanh toán trực tuyến", "Dossiers paid online"),
        (
            "Số hồ sơ tiếp nhận trong tháng m phải nộp phí, lệ phí và đã thanh toán trực tuyến.",
            "Dossiers received in m with a fee due that was paid online.",
        ),
    ),
    _measure(
        "dossiers_finished",
        D,
        "dossiers",
        ("Hồ sơ đã giải quyết", "Dossiers finished"),
        ("Số hồ sơ giải quyết xong trong tháng m.", "Dossiers finished in m."),
    ),
    _measure(
        "dossiers_finished_with_due",
        D,
        "dossiers",
        ("Hồ sơ đã giải quyết có thời hạn", "Finished dossiers with a deadline"),
        (
            "Số hồ sơ giải quyết xong trong tháng m có thời hạn giải quyết.",
            "Dossiers finished in m that had a deadline.",
        ),
    ),
    _measure(
        "dossiers_finished_on_time",
        D,
        "dossiers",
        ("Hồ sơ giải quyết đúng hạn", "Dossiers finished on time"),
        (
            "Số hồ sơ giải quyết xong trong tháng m, có thời hạn và xong không muộn hơn hạn.",
            "Dossiers finished in m that had a deadline and were finished by it.",
        ),
    ),
    _measure(
        "dossiers_result_digitized",
        D,
        "dossiers",
        ("Hồ sơ có kết quả số hóa", "Dossiers with a digitized result"),
        (
            "Số hồ sơ giải quyết xong trong tháng m có kết quả điện tử hoặc được số hóa.",
            "Dossiers finished in m whose result was issued or digitised electronically.",
        ),
    ),
    _measure(
        "dossiers_overdue_open",
        D,
        "dossiers",
        ("Hồ sơ quá hạn chưa giải quyết", "Overdue dossiers still open"),
        (
            "Số hồ sơ, tại thời điểm cuối tháng m, đã tiếp nhận, chưa giải quyết xong "
            "và đã quá hạn.",
            "Dossiers that, at the end of m, were received, not finished and past their deadline.",
        ),
        LAST,
    ),
    _measure(
        "procedures_in_force",
        C,
        "catalog",
        ("Thủ tục hành chính còn hiệu lực", "Procedures in force"),
        (
            "Số thủ tục hành chính còn hiệu lực vào ngày cuối tháng m, theo cơ quan chủ trì.",
            "Procedures in force on the last day of m, per responsible agency.",
        ),
        LAST,
    ),
    _measure(
        "procedures_online",
        C,
        "catalog",
        ("Thủ tục cung cấp trực tuyến", "Procedures offered online"),
        (
            "Số thủ tục còn hiệu lực vào ngày cuối tháng m được cung cấp trực tuyến "
            "toàn trình hoặc một phần.",
            "Procedures in force on the last day of m offered online, fully or partly.",
        ),
        LAST,
    ),
    _measure(
        "procedures_on_portal",
        C,
        "catalog",
        ("Thủ tục trên Cổng Dịch vụ công quốc gia", "Procedures on the national portal"),
        (
            "Số thủ tục còn hiệu lực vào ngày cuối tháng m được cung cấp trên "
            "Cổng Dịch vụ công quốc gia.",
            "Procedures in force on the last day of m provided on the National Public "
            "Service Portal.",
        ),
        LAST,
    ),
    _measure(
        "procedures_with_fee",
        C,
        "catalog",
        ("Thủ tục có phí, lệ phí", "Fee-bearing procedures"),
        (
            "Số thủ tục còn hiệu lực vào ngày cuối tháng m có phí, lệ phí.",
            "Procedures in force on the last day of m that carry a fee.",
        ),
        LAST,
    ),
    _measure(
        "procedures_fee_online_payment",
        C,
        "catalog",
        ("Thủ tục có phí thanh toán trực tuyến", "Fee-bearing procedures with online payment"),
        (
            "Số thủ tục còn hiệu lực vào ngày cuối tháng m có phí, lệ phí thanh toán "
            "trực tuyến được.",
            "Procedures in force on the last day of m with a fee that can be paid online.",
        ),
        LAST,
    ),
    _measure(
        "reports_on_time",
        P,
        "reports",
        ("Báo cáo định kỳ nộp đúng hạn", "Periodic reports submitted on time"),
        (
            "Số báo cáo định kỳ có kỳ báo cáo kết thúc trong tháng m, đơn vị gửi lần đầu "
            "không muộn hơn hạn nộp (theo giờ địa phương).",
            "Periodic reports whose period ends in m that the unit first submitted on or "
            "before the due date (local time).",
        ),
    ),
    _measure(
        "reports_expected",
        P,
        "reports",
        ("Báo cáo định kỳ phải nộp", "Periodic reports expected"),
        (
            "Số báo cáo định kỳ có kỳ báo cáo kết thúc trong tháng m mà đã quá hạn nộp "
            "hoặc đã được gửi.",
            "Periodic reports whose period ends in m that are past their due date or "
            "already submitted.",
        ),
    ),
    _measure(
        "units_with_focal_point",
        P,
        "focal_points",
        ("Đơn vị có đầu mối chuyển đổi số", "Units with a DX focal point"),
        (
            "Số đơn vị phải có đầu mối (theo `focal_points` của kế hoạch) đã có đầu mối "
            "vào cuối tháng m.",
            "Units that must name a focal point (the plan's `focal_points`) and had one "
            "at the end of m.",
        ),
        LAST,
    ),
    _measure(
        "units_total",
        P,
        "focal_points",
        ("Tổng số đơn vị", "Units in total"),
        (
            "Số đơn vị phải có đầu mối theo `focal_points` của kế hoạch, trong tháng m.",
            "Units that must name a focal point (the plan's `focal_points`), in m.",
        ),
        LAST,
    ),
    _measure(
        "communes_and_wards",
        P,
        "communes",
        ("Xã, phường", "Communes and wards"),
        (
            "Số xã, phường (và đặc khu) của tổ chức trong tháng m.",
            "Communes and wards (and special zones) of the organisation in m.",
        ),
        LAST,
    ),
)
