"""A local fake of the SMS gateways, speaking their real protocols over HTTP on 127.0.0.1.

No Django import. Serves, on one port, Alibaba Cloud's dysmsapi (``sms_aliyun``) on
``POST /``, the generic JSON gateway (``sms_generic``) on ``POST /generic/messages``, and
control endpoints for failure injection and state (``sms_http``); ``sms_state`` holds what
it recorded.

In process::

    with FakeSmsGateway() as fake:
        channel = AliyunSmsChannel(fake.access_key_id, fake.access_key_secret, "测试",
                                   endpoint=fake.aliyun_url)
        fake.fail_next(1, "drop")   # next request: processed, then connection closed

As a process, from the root of a source checkout (``arrears bench outreach`` starts it so)::

    python -m tests.fakes.sms_gateway --port 8725 --secret S --token T

It prints ``fake SMS gateway listening on http://127.0.0.1:<port>`` once it accepts
requests (``--port 0`` picks a free port).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Callable, Collection, Mapping

from tests.fakes.sms_aliyun import Reply, aliyun_reply, push_sms_reports
from tests.fakes.sms_generic import GENERIC_PATH, generic_reply
from tests.fakes.sms_http import GatewayServer
from tests.fakes.sms_state import FailureMode, GatewayState, RecordedMessage

__all__ = ["FailureMode", "FakeSmsGateway", "RecordedMessage", "main"]


class FakeSmsGateway(GatewayState):
    """The fake gateways with their recorded state; ``start()`` serves them in a thread."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        access_key_id: str = "fake-access-key-id",
        access_key_secret: str = "fake-access-key-secret",
        token: str = "fake-token",
        dedupe: bool = False,
        hang_seconds: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(
            access_key_id=access_key_id,
            access_key_secret=access_key_secret,
            token=token,
            dedupe=dedupe,
            hang_seconds=hang_seconds,
            clock=clock,
        )
        self.host = host
        self.port = port
        self._server: GatewayServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------

    def start(self) -> FakeSmsGateway:
        """Bind and serve in a daemon thread; ``port=0`` picks a free port."""
        self._server = GatewayServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-sms-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Release hung requests, stop serving and close the socket."""
        self.release_hung()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def __enter__(self) -> FakeSmsGateway:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://{self.host}:{self.port}"

    @property
    def aliyun_url(self) -> str:
        """The endpoint to give ``AliyunSmsChannel``."""
        return f"{self.base_url}/"

    @property
    def generic_url(self) -> str:
        """The URL to give ``GenericSmsChannel``."""
        return f"{self.base_url}{GENERIC_PATH}"

    # -- the protocols, callable without HTTP -------------------------------------------------

    def handle_aliyun(self, method: str, params: Mapping[str, str]) -> Reply:
        """Answer one dysmsapi request as Aliyun would."""
        return aliyun_reply(self, method, params)

    def handle_generic(self, authorization: str, body: bytes) -> Reply:
        """Answer one generic-gateway request."""
        return generic_reply(self, authorization, body)

    def push_delivery_reports(
        self, url: str, *, undelivered: Collection[str] = (), batch_size: int = 100
    ) -> list[int]:
        """POST Aliyun SmsReport JSON for the Aliyun messages not reported yet to ``url``.

        Numbers in ``undelivered`` are reported as failed. Answers the HTTP status of each
        POST; a refused push is reported again by the next call, as Aliyun retries.
        """
        return push_sms_reports(self, url, undelivered=undelivered, batch_size=batch_size)


def main(argv: list[str] | None = None) -> None:
    """Run the fake gateway in the foreground until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--access-key-id", default="fake-access-key-id")
    parser.add_argument("--secret", default="fake-access-key-secret", help="AccessKeySecret")
    parser.add_argument("--token", default="fake-token", help="generic gateway bearer token")
    parser.add_argument("--dedupe", action="store_true", help="record each key once")
    args = parser.parse_args(argv)
    gateway = FakeSmsGateway(
        host=args.host,
        port=args.port,
        access_key_id=args.access_key_id,
        access_key_secret=args.secret,
        token=args.token,
        dedupe=args.dedupe,
    ).start()
    print(f"fake SMS gateway listening on {gateway.base_url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        gateway.stop()


if __name__ == "__main__":
    main()
