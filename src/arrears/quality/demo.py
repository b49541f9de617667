"""The demo's quality work (``arrears demo`` calls ``demo_quality`` after the contacts):
recordings on the latest calls of collector1 and collector2 — one uploaded (a second of
silence as WAV) with a polite transcript, one kept by the dialer (URL and SHA-256) whose
transcript holds a forbidden phrase and is flagged — a sample of the month's calls drawn
by the team lead (seed 2026) and the lead's review of the flagged call. Done once: nothing
is added when a recording exists already."""

from __future__ import annotations

import hashlib
import io
import wave
from datetime import date

from arrears.accounts.models import User
from arrears.cases.models import Activity
from arrears.compliance.choices import Channel
from arrears.quality.checklist import ITEM_CODES
from arrears.quality.models import Recording
from arrears.quality.recording_services import UploadedAudio, recording_attach
from arrears.quality.review_services import review_record, sample_draw

POLITE = (
    "您好，这里是贷款机构的客服专员。请问是张先生本人吗？"
    "您本期的还款已经逾期，请问什么时候方便还款？"
)
RUDE = "你这个月再不还，后果自负，我们会通知你的单位。"
DEMO_SEED = 2026


def _silence_wav(seconds: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(2 * 8000 * seconds))
    return buffer.getvalue()


def _latest_call(username: str) -> Activity | None:
    return (
        Activity.objects.filter(channel=Channel.CALL, by__username=username)
        .select_related("case")
        .order_by("-at", "-id")
        .first()
    )


def demo_quality(*, today: date) -> int:
    """Attach the demo recordings, draw the lead's sample of ``today``'s month and review
    the flagged call; the number of recordings attached (0 when already done or when the
    demo has no calls)."""
    if Recording.objects.exists():
        return 0
    first_call, second_call = _latest_call("collector1"), _latest_call("collector2")
    attached = 0
    if first_call is not None:
        recording_attach(
            activity=first_call,
            by=first_call.by,
            upload=UploadedAudio("call.wav", _silence_wav()),
            transcript=POLITE.encode(),
        )
        attached += 1
    flagged = second_call or first_call
    if flagged is not None:
        audio = b"kept by the dialer " + str(flagged.pk).encode()
        recording_attach(
            activity=flagged,
            by=flagged.by,
            url=f"https://dialer.example.com/recordings/{flagged.pk}.mp3",
            sha256=hashlib.sha256(audio).hexdigest(),
            transcript=RUDE.encode(),
        )
        attached += 1
    lead = User.objects.filter(username="lead", is_active=True).first()
    if lead is not None and flagged is not None:
        sample = sample_draw(
            by=lead,
            first_day=today.replace(day=1),
            last_day=today,
            rate_bp=500,
            seed=DEMO_SEED,
        )
        if flagged.by_id != lead.pk and sample.calls.filter(activity=flagged).exists():
            answers = dict.fromkeys(ITEM_CODES, "pass")
            answers.update(no_threat="fail", no_disclosure="fail")
            review_record(
                activity=flagged,
                reviewer=lead,
                answers=answers,
                comment="威胁客户并称将联系其单位，需约谈整改",
                sample=sample,
            )
    return attached
