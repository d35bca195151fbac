"""Demo tasks: the plan's tasks with their progress as of the demo day, units'
breakthrough tasks (most approved, some awaiting approval, returned or missing, some
late) and a few small evidence files (a real PDF, a real PNG), all through the tasks
service, as units would have entered them over the year.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from sqlalchemy import func, select

from dxplan.demo.reports import ACTOR, COORDINATOR, DEMO_AS_OF, DEMO_ZONE
from dxplan.domain.account import User
from dxplan.domain.organisation import Organisation
from dxplan.domain.task import PlanTask, Progress
from dxplan.store import users as user_store
from dxplan.store.tables import task_progress
from dxplan.tasks.service import Tasks, Upload
from dxplan.workspace import Workspace

AGENCY_TITLES: Final = (
    "Số hóa toàn bộ hồ sơ, kết quả giải quyết thủ tục hành chính của ngành",
    "Đưa 100% văn bản điều hành lên môi trường mạng, ký số toàn trình",
    "Xây dựng cơ sở dữ liệu chuyên ngành và kết nối với kho dữ liệu dùng chung",
    "Cung cấp dịch vụ công trực tuyến toàn trình cho các thủ tục có số hồ sơ lớn",
    "Kết nối hệ thống chuyên ngành với Trung tâm IOC của thành phố",
    "Triển khai họp không giấy, điều hành công việc trên nền tảng số",
)
LOCAL_TITLES: Final = (
    "Xây dựng phường, xã không dùng tiền mặt tại chợ và cửa hàng",
    "Tổ công nghệ số cộng đồng hướng dẫn người dân sử dụng dịch vụ công trực tuyến",
    "Số hóa sổ hộ tịch và hồ sơ lưu trữ của xã, phường",
    "Phủ sóng wifi miễn phí tại trụ sở, nhà văn hóa và điểm du lịch",
    "Hỗ trợ hộ kinh doanh bán hàng trên sàn thương mại điện tử",
    "Mỗi người dân có danh tính số và tài khoản thanh toán",
)
INDICATORS_BY_KIND: Final = {"agency": ["GOV-03", "GOV-06"], "local": ["GOV-03", "SOC-08"]}


@dataclass(frozen=True)
class TasksLoad:
    progress_reports: int = 0
    breakthroughs: int = 0
    approved: int = 0
    pending: int = 0
    missing: int = 0
    evidence: int = 0


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), DEMO_ZONE)


def tiny_pdf(text: str) -> bytes:
    """A minimal valid one-page PDF showing `text` (ASCII), with a correct xref table."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def tiny_png(width: int = 16, height: int = 16, rgb: tuple[int, int, int] = (0, 102, 204)) -> bytes:
    """A valid PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def _planned(task: PlanTask, rng: random.Random, as_of: date) -> list[tuple[date, int]]:
    """Progress reports of a plan task until `as_of`: (day, percent), monthly."""
    if task.start >= as_of:
        return []
    span = max((task.due - task.start).days, 1)
    pace = rng.uniform(0.75, 1.25)  # some units run ahead, some behind
    reports = []
    day = task.start + timedelta(days=30)
    while day <= as_of:
        share = min((day - task.start).days / span * pace, 1.0)
        reports.append((day, round(100 * share)))
        day += timedelta(days=30 + rng.randint(0, 20))
    return reports


def has_tasks(workspace: Workspace) -> bool:
    with workspace.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(task_progress)).scalar_one())


def load_tasks(workspace: Workspace, *, as_of: date = DEMO_AS_OF, seed: int = 2025) -> TasksLoad:
    """Progress, breakthrough tasks and evidence as of `as_of`, in one transaction.
    A store that already holds progress reports is left alone."""
    if has_tasks(workspace):
        return TasksLoad()
    with workspace.writing() as conn:
        plan, organisation = workspace.plan(conn), workspace.organisation(conn)
        assert plan is not None and organisation is not None
        coordinator = user_store.get(conn, COORDINATOR)

        def service(day: date) -> Tasks:
            return Tasks(conn, plan, organisation, now=_at(day), actor=ACTOR)

        reports = evidence = 0
        rng = random.Random(f"{seed}-tasks")
        for task in plan.tasks:
            steps = _planned(task, rng, as_of)
            finished = False
            for position, (day, percent) in enumerate(steps):
                if finished:
                    break
                done = percent >= 100
                last = position == len(steps) - 1
                files = []
                if (done or last) and rng.random() < 0.35:
                    files = [_evidence(task.code, rng)]
                    evidence += 1
                service(day).update_progress(
                    None,
                    task.code,
                    percent=100 if done else percent,
                    progress=Progress.DONE if done else Progress.IN_PROGRESS,
                    note=_note(done),
                    files=files,
                )
                reports += 1
                finished = done
        made = (
            _breakthroughs(service, organisation, coordinator, rng, as_of)
            if "vi" in plan.languages  # the units' own words are Vietnamese
            else (0, 0, 0, 0, 0)
        )
        return TasksLoad(reports + made[3], made[0], made[1], made[2], made[4], evidence)


def _evidence(code: str, rng: random.Random) -> Upload:
    if rng.random() < 0.5:
        return Upload(f"bien-ban-{code.lower()}.pdf", tiny_pdf(f"Bien ban nghiem thu {code}"))
    colour = (rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255))
    return Upload(f"anh-{code.lower()}.png", tiny_png(rgb=colour))


def _note(done: bool) -> str:
    return "Đã hoàn thành, có biên bản nghiệm thu." if done else "Đang triển khai theo kế hoạch."


def _breakthroughs(
    make: Callable[[date], Tasks],
    organisation: Organisation,
    coordinator: User | None,
    rng: random.Random,
    as_of: date,
) -> tuple[int, int, int, int, int]:
    """(registered, approved, pending, progress reports, missing); `make` gives the
    service stamped with a day."""
    units = make(as_of).must_register()
    registered = approved = pending = reports = 0
    local_kinds = set(organisation.kinds.local)
    for unit in units:
        draw = rng.random()
        if draw < 0.12:
            continue  # no breakthrough task yet
        kind = "local" if organisation[unit].kind in local_kinds else "agency"
        titles = LOCAL_TITLES if kind == "local" else AGENCY_TITLES
        chosen = rng.randrange(len(titles))
        registered_on = date(2025, 2, 10) + timedelta(days=rng.randint(0, 45))
        due = date(2025, rng.choice((9, 10, 12, 12, 12)), 30 if rng.random() < 0.5 else 15)
        task = make(registered_on).register_breakthrough(
            None,
            unit,
            2025,
            title=titles[chosen],
            description="Nhiệm vụ đột phá năm 2025 của đơn vị theo Kế hoạch chuyển đổi số.",
            expected_result="Hoàn thành và đưa vào sử dụng trước hạn; người dân, doanh nghiệp "
            "được hưởng lợi trực tiếp.",
            due=due,
            indicators=INDICATORS_BY_KIND[kind][chosen % 2 : chosen % 2 + 1],
        )
        registered += 1
        if draw < 0.16:
            continue  # still a draft
        make(registered_on + timedelta(days=2)).submit_breakthrough(None, task.code)
        if draw < 0.22:
            pending += 1
            continue  # awaiting the coordinator
        if draw < 0.25:
            make(registered_on + timedelta(days=6)).return_breakthrough(
                coordinator,
                task.code,
                "Đề nghị nêu rõ kết quả dự kiến đo bằng chỉ tiêu nào của Kế hoạch.",
            )
            continue
        make(registered_on + timedelta(days=7)).approve_breakthrough(coordinator, task.code)
        approved += 1
        start = registered_on + timedelta(days=7)
        span = max((due - start).days, 1)
        pace = rng.uniform(0.8, 1.35)
        day = start + timedelta(days=40)
        while day <= as_of:
            percent = min(round(100 * (day - start).days / span * pace), 100)
            make(day).update_progress(
                None,
                task.code,
                percent=percent,
                progress=Progress.DONE if percent == 100 else Progress.IN_PROGRESS,
                note=_note(percent == 100),
            )
            reports += 1
            if percent == 100:
                break
            day += timedelta(days=30)
    return registered, approved, pending, reports, len(units) - registered
