"""Request limits as plain ASGI middleware (no per-request object churn on the
hot path): a cap on the body size and a time limit per request."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 2 * 1024 * 1024
"""Default body cap, 2 MiB: a 10 000-number batch with references is ~0.5 MiB."""

TIMEOUT = 30.0
"""Default per-request limit, seconds (DNC_API_TIMEOUT)."""

VERDICT_PATH = re.compile(r"^/v1/(numbers/[^/]+/verdict|verdicts)$")


class BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict[str, Any], media: str) -> None:
    data = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media.encode()),
                (b"content-length", str(len(data)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


def _problem(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    return {"type": "about:blank", "title": title, "status": status, "detail": detail, "code": code}


class Limits:
    """413 for a body over ``max_body`` bytes (announced or streamed); 503 for
    a request not answered within ``timeout`` seconds: on a verdict path with
    a CHECK_FAILED refusal as the body, so a client reading either stops."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY, timeout: float = TIMEOUT) -> None:
        self.app = app
        self.max_body = max_body
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) > self.max_body:
                    await self._too_large(send)
                    return
                break
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            # asyncio.timeout, not wait_for: no extra task per request.
            async with asyncio.timeout(self.timeout):
                await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send)
        except TimeoutError:
            if started:
                return
            detail = f"request not answered within {self.timeout:g} s"
            match = VERDICT_PATH.match(scope["path"])
            if match and match.group(1).startswith("numbers/"):
                number = match.group(1).split("/")[1]
                body = {
                    "number": number,
                    "allowed": False,
                    "reasons": [
                        {"code": "CHECK_FAILED", "detail": f"check could not complete: {detail}"}
                    ],
                    "next_allowed_at": None,
                }
                await _send_json(send, 503, body, "application/json")
            else:
                await _send_json(
                    send,
                    503,
                    _problem(503, "timeout", "Service Unavailable", detail),
                    "application/problem+json",
                )

    async def _too_large(self, send: Send) -> None:
        await _send_json(
            send,
            413,
            _problem(
                413,
                "body_too_large",
                "Content Too Large",
                f"request body over the limit of {self.max_body} bytes",
            ),
            "application/problem+json",
        )
