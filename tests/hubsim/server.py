"""The HTTP side of hubsim: a threaded server, request parsing, routing, faults, logging."""

from __future__ import annotations

import collections
import fnmatch
import json
import re
import secrets
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, unquote, urlsplit

from .errors import INVALID_CREDENTIALS, HubError, Redirect
from .state import Token, World

EXPOSE_HEADERS = (
    "X-Repo-Commit,X-Request-Id,X-Error-Code,X-Error-Message,X-Total-Count,ETag,Link,Accept-Ranges,"
    "Content-Range,X-Xet-Access-Token,X-Xet-Token-Expiration,X-Xet-Refresh-Route,X-Xet-Cas-Url,X-Xet-Hash"
)
MAX_JSON_BODY = 50 * 1024 * 1024
TRICKLE_CHUNKS = 10


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, world: World) -> None:
        self.handler = handler
        self.method = handler.command
        split = urlsplit(handler.path)
        self.raw_path = split.path
        self.path = unquote(split.path)
        self.query_string = split.query
        self.query: list[tuple[str, str]] = parse_qsl(split.query, keep_blank_values=True)
        self.headers = handler.headers
        self.params: dict[str, str] = {}
        self._body: bytes | None = None
        self._consumed = False  # the body has been (or is being) read
        self.token: Token | None = None
        self.bad_token = False
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            value = auth[7:].strip()
            with world.lock:
                token = world.tokens.get(value)
            if token is None or token.revoked or token.expired:
                self.bad_token = True
            else:
                self.token = token

    @property
    def base_url(self) -> str:
        host = self.headers.get("Host") or f"127.0.0.1:{self.handler.server.server_address[1]}"
        return f"http://{host}"

    def arg(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.query:
            if key == name:
                return value
        return default

    def args(self, *names: str) -> list[str]:
        return [value for key, value in self.query if key in names]

    def flag(self, name: str) -> bool:
        return (self.arg(name) or "").lower() in ("1", "true", "yes")

    # -- bodies ----------------------------------------------------------------
    def iter_body(self) -> Iterator[bytes]:
        """The body, streamed: Content-Length or chunked transfer encoding. Readable once."""
        if self._consumed:
            return
        self._consumed = True
        rfile = self.handler.rfile
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                line = rfile.readline(65537)
                size = int(line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return
                remaining = size
                while remaining:
                    chunk = rfile.read(min(remaining, 1 << 20))
                    if not chunk:
                        raise HubError(400, "Truncated request body")
                    remaining -= len(chunk)
                    yield chunk
                rfile.readline(3)
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining > 0:
                chunk = rfile.read(min(remaining, 1 << 20))
                if not chunk:
                    raise HubError(400, "Truncated request body")
                remaining -= len(chunk)
                yield chunk

    def body(self, limit: int = MAX_JSON_BODY) -> bytes:
        if self._body is None:
            parts, size = [], 0
            for chunk in self.iter_body():
                size += len(chunk)
                if size > limit:
                    raise HubError(413, "Payload Too Large")
                parts.append(chunk)
            self._body = b"".join(parts)
        return self._body

    def json(self) -> dict:
        raw = self.body()
        content_type = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" in content_type:
            form: dict = {}
            for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
                form.setdefault(key, []).append(value)
            return form
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, UnicodeDecodeError):
            raise HubError(400, "Invalid JSON body") from None
        if not isinstance(data, dict):
            raise HubError(400, "Expected a JSON object")
        return data

    def drain(self) -> None:
        """Read what the handler left unread, so the connection can carry the next request."""
        try:
            for _ in self.iter_body():
                pass
        except (HubError, ValueError, OSError):
            self.handler.close_connection = True


@dataclass
class Response:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/json; charset=utf-8"
    length: int | None = None  # for streamed bodies


def json_response(data: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, separators=(",", ":")).encode()
    etag = f'W/"{len(body):x}-{secrets.token_hex(8)}"'
    return Response(status=status, body=body, headers={"ETag": etag, **(headers or {})})


def text_response(text: str, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, text.encode(), headers or {}, "text/plain; charset=utf-8")


Handler = Callable[[Request], Response]


class Router:
    def __init__(self) -> None:
        self.routes: list[tuple[set[str], re.Pattern[str], Handler]] = []

    def add(self, methods: str, pattern: str, handler: Handler) -> None:
        self.routes.append((set(methods.split()), re.compile(pattern + r"\Z"), handler))

    def match(self, method: str, raw_path: str) -> tuple[Handler | None, dict[str, str], bool]:
        """Match against the raw (still quoted) path so that `refs%2Fpr%2F1` stays one segment."""
        path_matched = False
        for methods, pattern, handler in self.routes:
            found = pattern.match(raw_path)
            if found:
                path_matched = True
                if method in methods or (method == "HEAD" and "GET" in methods):
                    return handler, {k: unquote(v) for k, v in found.groupdict().items() if v is not None}, True
        return None, {}, path_matched


@dataclass
class Fault:
    method: str
    path: str
    status: int | None = None
    delay_s: float = 0.0
    times: int | None = None
    hang: bool = False
    reset: bool = False
    truncate: bool = False  # serve the real answer, but close after half its body
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: int | None = None
    trickle_s: float = 0.0  # serve the real answer, its body in TRICKLE_CHUNKS pieces this far apart
    redirect: str | None = None  # answer `status` (302 unless given) with this Location

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and fnmatch.fnmatchcase(path, self.path)


class RateLimiter:
    """Fixed windows per caller (the token's user, else the address) and bucket, with the Hub's IETF-draft
    headers. On by default with a free account's `api` quota (DEFAULT_QUOTAS), so every API answer says
    what is left; the control API sets other quotas or turns it off."""

    DEFAULT_QUOTAS: ClassVar[dict[str, int]] = {"api": 1000}
    DEFAULT_WINDOW_S = 300

    @classmethod
    def default(cls) -> RateLimiter:
        return cls(dict(cls.DEFAULT_QUOTAS), cls.DEFAULT_WINDOW_S)

    def __init__(self, quotas: dict[str, int], window_s: int) -> None:
        self.quotas = quotas
        self.window_s = window_s
        self.counts: dict[tuple[str, str, int], int] = collections.Counter()
        self.lock = threading.Lock()

    def check(self, caller: str, bucket: str) -> tuple[bool, dict[str, str]]:
        quota = self.quotas.get(bucket)
        if quota is None:
            return True, {}
        now = time.time()
        window = int(now // self.window_s)
        reset_in = max(1, int((window + 1) * self.window_s - now))
        with self.lock:
            self.counts[(caller, bucket, window)] += 1
            used = self.counts[(caller, bucket, window)]
        remaining = max(0, quota - used)
        headers = {
            "RateLimit": f'"{bucket}";r={remaining};t={reset_in}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={quota};w={self.window_s}',
        }
        return used <= quota, headers


class HubSimServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], world: World, router: Router) -> None:
        self.world = world
        self.router = router
        self.faults: list[Fault] = []
        self.faults_lock = threading.Lock()
        self.log: collections.deque[dict] = collections.deque(maxlen=20000)
        self.rate_limiter: RateLimiter | None = RateLimiter.default()
        self.release = threading.Event()  # frees hung requests on reset/shutdown
        self.deliverer = None  # set by app.build_server
        super().__init__(address, RequestHandler)

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self.faults_lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            self.faults.remove(fault)
                    return fault
        return None

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-response is not the emulator's failure.
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, BrokenPipeError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HubSimServer
    server_version = "hubsim"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def dispatch(self) -> None:
        server = self.server
        world = server.world
        request = Request(self, world)
        request_id = f"Root=1-{int(time.time()):08x}-{secrets.token_hex(12)}"
        if trace := self.headers.get("X-Amzn-Trace-Id"):
            request_id += ";" + trace
        control = request.path.startswith("/_hubsim/")
        fault = None if control else server.take_fault(request.method, request.path)
        if fault is not None:
            if self._apply_fault(fault, request, request_id):
                return
        latency = 0.0 if control else float(world.switches.get("latency_s") or 0)  # type: ignore[arg-type]
        if latency > 0:
            server.release.wait(latency)
        # Counted, and refused, before anything is done: a call answered 429 changed nothing.
        rl_headers: dict[str, str] = {}
        limiter = server.rate_limiter
        allowed = True
        if not control and limiter is not None:
            bucket = "resolvers" if "/resolve/" in request.path else "api"
            if request.path == "/api/whoami-v2" and "whoami" in limiter.quotas:
                bucket = "whoami"  # the Hub limits whoami on its own, much more strictly
            caller = request.token.user if request.token else "ip:" + self.client_address[0]
            allowed, rl_headers = limiter.check(caller, bucket)
        response = self._route(request) if allowed else self._rate_limited(rl_headers)
        response.headers.update(rl_headers)
        response.headers["X-Request-Id"] = request_id
        response.headers.setdefault("Access-Control-Expose-Headers", EXPOSE_HEADERS)
        request.drain()
        if fault is not None and fault.truncate:
            self._send_truncated(request, response)
            return
        if fault is not None and fault.trickle_s:
            self._send_trickled(request, response, fault.trickle_s)
            return
        self._send(request, response)

    def _send_trickled(self, request: Request, response: Response, gap_s: float) -> None:
        """The whole answer, its headers at once and its body in pieces `gap_s` apart (a slow Hub)."""
        body = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        size = max(1, -(-len(body) // TRICKLE_CHUNKS))

        def slowly() -> Iterator[bytes]:
            for start in range(0, len(body), size):
                if start and self.server.release.wait(gap_s):
                    self.close_connection = True
                    return  # a reset lets the request go, its answer cut off
                yield body[start : start + size]

        response.body, response.length = slowly(), len(body)
        self._send(request, response)

    def _send_truncated(self, request: Request, response: Response) -> None:
        """Announce the whole body, send half of it, hang up: the client sees a cut-off answer."""
        body = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        self._log(request, response.status)
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def _route(self, request: Request) -> Response:
        world = self.server.world
        try:
            if request.bad_token and not request.path.startswith("/_hubsim/"):
                # An unknown or revoked token is refused everywhere, public pages included.
                raise HubError(401, INVALID_CREDENTIALS)
            handler, params, path_matched = self.server.router.match(request.method, request.raw_path)
            if handler is None:
                if path_matched:
                    raise HubError(405, "Method not allowed")
                raise HubError(404, "Sorry, we can't find the page you are looking for.")
            request.params = params
            return handler(request)
        except HubError as err:
            return self._error_response(err)
        except Exception:  # the Hub never shows a traceback; log it to stderr only
            traceback.print_exc(file=sys.stderr)
            return json_response({"error": "Internal Error - We're working hard to fix this as soon as possible!"}, 500)
        finally:
            if request.method not in ("GET", "HEAD") and request.path.startswith("/api/"):
                world.save()

    @staticmethod
    def _error_response(err: HubError) -> Response:
        if isinstance(err, Redirect):
            return text_response(err.message, err.status, err.headers)
        headers = dict(err.headers)
        if err.code:
            headers["X-Error-Code"] = err.code
        headers["X-Error-Message"] = err.message.encode("ascii", "replace").decode()
        return json_response(err.body or {"error": err.message}, err.status, headers)

    @staticmethod
    def _rate_limited(headers: dict[str, str]) -> Response:
        bucket = headers["RateLimit"].split('"')[1]
        message = f"You have exceeded our hourly quotas for action '{bucket}'. Retry later."
        return json_response({"error": message}, 429, {**headers, "X-Error-Message": message})

    def _apply_fault(self, fault: Fault, request: Request, request_id: str) -> bool:
        """Apply an injected fault; True when it answered (or killed) the request itself."""
        if fault.delay_s:
            self.server.release.wait(fault.delay_s)
        if fault.hang:
            self._log(request, None)
            request.drain()
            self.server.release.wait(300)
            self.close_connection = True
            return True
        if fault.reset:
            self._log(request, None)
            # SO_LINGER 0 makes close() send a TCP RST: the client sees a reset connection.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return True
        if fault.redirect is not None:
            headers = {"X-Request-Id": request_id, "Location": fault.redirect, **fault.headers}
            request.drain()
            self._send(request, text_response("Redirecting", fault.status or 302, headers))
            return True
        if fault.status is None and fault.body is None:
            return False  # latency, truncation or trickle only: then serve (those two: in dispatch)
        status = fault.status or 200
        headers = {"X-Request-Id": request_id, **fault.headers}
        if status == 429:
            wait = fault.retry_after if fault.retry_after is not None else 2
            # r=0: the client waits t + 1 s (http_backoff), so t = N - 1 makes every reader wait N.
            headers.setdefault("RateLimit", f'"api";r=0;t={max(0, wait - 1)}')
            headers.setdefault("RateLimit-Policy", '"fixed window";"api";q=1000;w=300')
            headers.setdefault("Retry-After", str(wait))
        elif fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        if fault.body is not None:
            response = Response(status, fault.body.encode(), headers)
        else:
            message = {429: "Too Many Requests", 500: "Internal Error", 502: "Bad Gateway", 503: "Service Unavailable"}
            text = message.get(status, "Injected fault")
            headers["X-Error-Message"] = text
            response = json_response({"error": text}, status, headers)
        request.drain()
        self._send(request, response)
        return True

    def _send(self, request: Request, response: Response) -> None:
        body = response.body
        length = len(body) if isinstance(body, bytes) else response.length
        # Logged before the first byte goes out: a client that has its answer finds it in the log.
        if not request.path.startswith("/_hubsim/"):
            self._log(request, response.status)
        self.send_response(response.status)
        if response.content_type and "Content-Type" not in response.headers:
            self.send_header("Content-Type", response.content_type)
        for key, value in response.headers.items():
            self.send_header(key, value)
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.close_connection = True
        self.end_headers()
        if request.method != "HEAD":
            if isinstance(body, bytes):
                self.wfile.write(body)
            else:
                for chunk in body:
                    self.wfile.write(chunk)

    def _log(self, request: Request, status: int | None) -> None:
        """One entry per request: never a token, only the user it belongs to. No answer: status None."""
        user = request.token.user if request.token else None
        self.server.log.append(
            {
                "method": request.method,
                "path": request.path,
                "query": request.query_string,
                "status": status,
                "user": user,
                "time": time.time(),
            }
        )
