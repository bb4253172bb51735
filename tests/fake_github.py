"""A loopback server speaking the slice of GitHub's REST API that `scout triage` uses.

It keeps issue comments and labels in memory, serves a workflow run's jobs and their logs (through
a redirect to a second server, as GitHub redirects to blob storage), records every request, and
can be scripted to answer with errors (500, 429 with Retry-After, 401, ...) before it recovers.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "ghs_loopbacktoken"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int = 0
    at: float = field(default_factory=time.monotonic)


@dataclass
class Scripted:
    method: str
    path: re.Pattern[str]
    status: int
    headers: dict[str, str]
    body: Any
    times: int


class FakeGitHub:
    def __init__(self, owner: str = "octo-org", repo: str = "shop") -> None:
        self.prefix = f"/repos/{owner}/{repo}"
        self.comments: dict[int, list[dict[str, Any]]] = defaultdict(list)
        self.labels: dict[int, list[str]] = defaultdict(list)
        self.jobs: dict[int, list[dict[str, Any]]] = {}
        self.logs: dict[int, str] = {}
        self.requests: list[Recorded] = []
        self.blob_requests: list[Recorded] = []
        self.script: list[Scripted] = []
        self.lock = threading.Lock()
        self.next_id = 9000
        self.api = _serve(self, blob=False)
        self.blob = _serve(self, blob=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.api.server_port}"

    def close(self) -> None:
        for server in (self.api, self.blob):
            server.shutdown()
            server.server_close()

    def fail(
        self,
        method: str,
        path: str,
        status: int,
        headers: dict | None = None,
        body: Any = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` requests matching `method` and the `path` regex with an error."""
        body = body if body is not None else {"message": f"scripted {status}"}
        self.script.append(Scripted(method, re.compile(path), status, headers or {}, body, times))

    def add_comment(self, number: int, body: str, login: str = "someone") -> dict[str, Any]:
        self.next_id += 1
        comment = {
            "id": self.next_id,
            "html_url": f"https://github.com/octo-org/shop/issues/{number}#issuecomment-{self.next_id}",
            "body": body,
            "user": {"login": login, "type": "Bot" if login.endswith("[bot]") else "User"},
        }
        self.comments[number].append(comment)
        return comment

    def made(self, method: str, path_pattern: str = ".*") -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(path_pattern, r.path)]

    # -- request handling --------------------------------------------------------------------

    def handle(self, req: Recorded, blob: bool) -> tuple[int, dict[str, str], Any]:
        with self.lock:
            (self.blob_requests if blob else self.requests).append(req)
            if blob:
                return self._blob(req)
            for s in self.script:
                if s.times > 0 and s.method == req.method and s.path.fullmatch(req.path):
                    s.times -= 1
                    return s.status, s.headers, s.body
            if req.headers.get("authorization") != f"Bearer {TOKEN}":
                return (
                    401,
                    {},
                    {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
                )
            return self._route(req)

    def _route(self, req: Recorded) -> tuple[int, dict[str, str], Any]:
        p = self.prefix
        routes = [
            ("GET", rf"{p}/issues/(\d+)/comments", self._list_comments),
            ("POST", rf"{p}/issues/(\d+)/comments", self._create_comment),
            ("PATCH", rf"{p}/issues/comments/(\d+)", self._update_comment),
            ("POST", rf"{p}/issues/(\d+)/labels", self._add_labels),
            ("GET", rf"{p}/actions/runs/(\d+)/jobs", self._list_jobs),
            ("GET", rf"{p}/actions/jobs/(\d+)/logs", self._log_redirect),
        ]
        for method, pattern, handler in routes:
            m = re.fullmatch(pattern, req.path)
            if m and method == req.method:
                return handler(req, int(m.group(1)))
        return 404, {}, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}

    def _list_comments(self, req: Recorded, number: int):
        per_page = int(req.query.get("per_page", ["30"])[0])
        page = int(req.query.get("page", ["1"])[0])
        items = self.comments[number][(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(self.comments[number]):
            nxt = f"{self.url}{req.path}?per_page={per_page}&page={page + 1}"
            headers["Link"] = f'<{nxt}>; rel="next"'
        return 200, headers, items

    def _create_comment(self, req: Recorded, number: int):
        return 201, {}, self.add_comment(number, req.body["body"], login="github-actions[bot]")

    def _update_comment(self, req: Recorded, comment_id: int):
        for comment in (c for cs in self.comments.values() for c in cs):
            if comment["id"] == comment_id:
                comment["body"] = req.body["body"]
                return 200, {}, comment
        return 404, {}, {"message": "Not Found"}

    def _add_labels(self, req: Recorded, number: int):
        for name in req.body["labels"]:
            if name not in self.labels[number]:
                self.labels[number].append(name)
        return 200, {}, [{"name": n} for n in self.labels[number]]

    def _list_jobs(self, req: Recorded, run_id: int):
        jobs = self.jobs.get(run_id, [])
        return 200, {}, {"total_count": len(jobs), "jobs": jobs}

    def _log_redirect(self, req: Recorded, job_id: int):
        location = f"http://127.0.0.1:{self.blob.server_port}/logs/{job_id}?sig=signed"
        return 302, {"Location": location}, b""

    def _blob(self, req: Recorded):
        m = re.fullmatch(r"/logs/(\d+)", req.path)
        if not m or int(m.group(1)) not in self.logs:
            return 404, {}, b"BlobNotFound"
        return 200, {"Content-Type": "text/plain; charset=utf-8"}, self.logs[int(m.group(1))].encode()


def _serve(fake: FakeGitHub, blob: bool) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            headers = {k.lower(): v for k, v in self.headers.items()}
            req = Recorded(self.command, url.path, parse_qs(url.query), headers, body)
            status, extra, payload = fake.handle(req, blob)
            req.status = status
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            if not isinstance(payload, bytes):
                self.send_header("Content-Type", "application/json; charset=utf-8")
            for key, value in extra.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _any

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
