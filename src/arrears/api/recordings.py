"""``POST /api/v1/activities/{activity_id}/recording``: a dialer attaches the recording of a
call, by the URL where it keeps the audio and its SHA-256, or by uploading the audio
(``content_base64``, within the API's body limit), with an optional transcript.

The same service and checks as the case page (``quality.recording_services``): a role
without ``recording_attach`` is 403, a contact on a case outside the caller's scope 404, a
contact that is not a call, a bad hash, URL or file 400 naming the field. Idempotent with
an ``Idempotency-Key``; without one, every request adds a recording (none is replaced).
"""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import AfterValidator, StringConstraints

from arrears.accounts.models import User
from arrears.api.cases import IDEMPOTENT_POST
from arrears.api.errors import error_responses
from arrears.api.idempotency import Outcome, idempotent
from arrears.api.inputs import Id, storable
from arrears.core.errors import InvalidInput
from arrears.quality.access import call_for
from arrears.quality.models import CallFlag
from arrears.quality.recording_services import UploadedAudio, recording_attach

router = Router(tags=["quality"])

# The service names the upload ``file``; the API's body field is ``content_base64``.
_FIELD_NAMES = {"file": "content_base64"}


Url = Annotated[str, StringConstraints(max_length=1000), AfterValidator(storable)]
Digest = Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)]
FileName = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
# A transcript's text; the API's body limit bounds it before this does.
TranscriptText = Annotated[str, StringConstraints(max_length=1_000_000), AfterValidator(storable)]


class RecordingIn(Schema):
    url: Url = ""
    sha256: Digest = ""
    filename: FileName = ""
    content_base64: str = ""
    transcript: TranscriptText = ""


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(_("the recording is not valid base64"), field="content_base64") from exc


@router.post(
    "/{activity_id}/recording",
    response={201: dict[str, Any], **error_responses(401, 403, 404, 422)},
    summary="Attach a call's recording (URL and SHA-256, or the audio) and transcript",
    openapi_extra=IDEMPOTENT_POST,
)
def recording_add(request: HttpRequest, activity_id: Id, body: RecordingIn) -> Any:
    """201 with the recording's id, source, SHA-256, size and the forbidden phrases found
    in the transcript (``flags``: category, phrase, position)."""
    user = request.user
    assert isinstance(user, User)
    activity = call_for(user=user, activity_id=activity_id, capability="recording_attach")

    def make() -> Outcome:
        upload = (
            UploadedAudio(name=body.filename, data=_decoded(body.content_base64))
            if body.content_base64
            else None
        )
        try:
            recording = recording_attach(
                activity=activity,
                by=user,
                upload=upload,
                url=body.url,
                sha256=body.sha256,
                transcript=body.transcript.encode() if body.transcript else None,
            )
        except InvalidInput as exc:
            raise InvalidInput(
                str(exc), field=_FIELD_NAMES.get(exc.field or "", exc.field)
            ) from exc
        flags = CallFlag.objects.filter(transcript__recording=recording).order_by("position")
        return 201, {
            "recording_id": recording.pk,
            "activity_id": activity.pk,
            "source": recording.source,
            "format": recording.format,
            "sha256": recording.sha256,
            "size": recording.size,
            "url": recording.url,
            "flags": [
                {"category": flag.category, "phrase": flag.phrase, "position": flag.position}
                for flag in flags
            ],
        }

    return idempotent(request, payload=body.model_dump(mode="json"), run=make)
