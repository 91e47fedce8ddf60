"""A local stand-in for the parts of the GOV.UK Notify API the official client calls.

Not a mock of the client: a real HTTP server on 127.0.0.1 that the real
``NotificationsAPIClient`` talks to (``base_url``). It checks the JWT the client signs, as Notify
does: HS256, ``iss`` = the service id, ``iat`` within 30 seconds, signed with the secret from the
API key (``{key name}-{service id}-{secret}``). Implemented:

- ``POST /v2/notifications/email``: validates the template id, the address and the template's
  personalisation (``((subject))`` / ``((body))``), stores the notification, answers 201.
- ``GET /v2/notifications`` with ``reference`` / ``template_type`` / ``status`` filters.
- ``GET /v2/notifications/{id}``.

Test controls: ``fail_next(status, times)`` answers the next requests with an error;
``delay_next_send(seconds)`` stores the next email but answers late (a client time-out after Notify
accepted); ``requests`` logs every call.
"""
from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt

GENERIC_TEMPLATE = {"subject": "((subject))", "body": "((body))"}
_FAILURES = {400: ("ValidationError", "email_address Not a valid email address"),
             429: ("RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"),
             500: ("Exception", "Internal server error")}
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass
class FakeGovUkNotify:
    service_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    secret: str = field(default_factory=lambda: str(uuid.uuid4()))
    template_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    notifications: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    _failures: list[int] = field(default_factory=list)
    _send_delay: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def api_key(self) -> str:
        return f"claimflow_test-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeGovUkNotify":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-notify").start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- test controls --------------------------------------------------------------------------
    def fail_next(self, status: int, times: int = 1) -> None:
        with self._lock:
            self._failures.extend([status] * times)

    def delay_next_send(self, seconds: float) -> None:
        self._send_delay = seconds

    def sent_to(self, address: str) -> list[dict[str, Any]]:
        with self._lock:
            return [n for n in self.notifications if n["email_address"] == address]

    # -- the API --------------------------------------------------------------------------------
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urlsplit(request.path)
        with self._lock:
            self.requests.append((method, url.path))
            failure = self._failures.pop(0) if self._failures else None
        auth_error = self._check_token(request.headers.get("Authorization", ""))
        if auth_error:
            return _answer(request, 403, {"status_code": 403, "errors": [{"error": "AuthError", "message": auth_error}]})
        if failure:
            error, message = _FAILURES.get(failure, ("Exception", "Internal server error"))
            return _answer(request, failure, {"status_code": failure, "errors": [{"error": error, "message": message}]})
        if method == "POST" and url.path == "/v2/notifications/email":
            length = int(request.headers.get("Content-Length") or 0)
            return self._send_email(request, json.loads(request.rfile.read(length) or b"{}"))
        if method == "GET" and url.path == "/v2/notifications":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with self._lock:
                found = [n for n in reversed(self.notifications)
                         if all(n.get(k) == v for k, v in (("reference", query.get("reference")),
                                                            ("type", query.get("template_type")),
                                                            ("status", query.get("status"))) if v)]
            return _answer(request, 200, {"notifications": found,
                                          "links": {"current": f"{self.base_url}/v2/notifications"}})
        match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", url.path)
        if method == "GET" and match:
            with self._lock:
                found = [n for n in self.notifications if n["id"] == match.group(1)]
            if found:
                return _answer(request, 200, found[0])
            return _answer(request, 404, {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]})
        return _answer(request, 404, {"status_code": 404, "errors": [{"error": "NotFound", "message": "Not found"}]})

    def _check_token(self, header: str) -> str | None:
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header[len("Bearer "):]
        try:
            claims = jwt.decode(token, key=self.secret, algorithms=["HS256"], options={"require": ["iss", "iat"]},
                                leeway=30)
        except jwt.PyJWTError as exc:
            return f"Invalid token: {exc}"
        if claims["iss"] != self.service_id:
            return "Invalid token: service not found"
        if abs(time.time() - int(claims["iat"])) > 30:
            return "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def _send_email(self, request: BaseHTTPRequestHandler, data: dict[str, Any]) -> None:
        def bad(message: str) -> None:
            _answer(request, 400, {"status_code": 400, "errors": [{"error": "BadRequestError", "message": message}]})

        if data.get("template_id") != self.template_id:
            return bad("Template not found")
        address = data.get("email_address", "")
        if not _EMAIL.fullmatch(address):
            return _answer(request, 400, {"status_code": 400, "errors": [
                {"error": "ValidationError", "message": "email_address Not a valid email address"}]})
        personalisation = data.get("personalisation") or {}
        missing = [k for k in ("subject", "body") if k not in personalisation]
        if missing:
            return bad(f"Missing personalisation: {', '.join(missing)}")
        notification = {
            "id": str(uuid.uuid4()), "reference": data.get("reference"), "email_address": address,
            "type": "email", "status": "created", "template": {"id": self.template_id, "version": 1,
                                                                 "uri": f"{self.base_url}/v2/template/{self.template_id}"},
            "subject": personalisation["subject"], "body": personalisation["body"],
            "created_at": datetime.now(timezone.utc).isoformat(), "reply_to_id": data.get("email_reply_to_id")}
        with self._lock:
            self.notifications.append(notification)
            delay, self._send_delay = self._send_delay, 0.0
        if delay:
            time.sleep(delay)  # accepted, but the answer comes too late for the client
        _answer(request, 201, {"id": notification["id"], "reference": notification["reference"],
                               "content": {"subject": notification["subject"], "body": notification["body"],
                                           "from_email": "claimflow@notifications.service.gov.uk"},
                               "uri": f"{self.base_url}/v2/notifications/{notification['id']}",
                               "template": notification["template"], "scheduled_for": None})


def _answer(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    raw = json.dumps(body).encode()
    try:
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(raw)))
        request.end_headers()
        request.wfile.write(raw)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the client gave up waiting (a time-out test)
