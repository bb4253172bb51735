"""The slice of GitHub's REST API the bot uses, over httpx, with retries that respect rate limits.

Transient failures (5xx, 429, secondary rate limits, dropped connections) are retried with
exponential backoff; a `Retry-After` header, or `x-ratelimit-reset` on a primary rate limit, sets
the wait instead. Everything else - 401, 403, 404, 422 - fails at once with a one-line
`GitHubError`, because waiting cannot fix a bad token or a wrong repository name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from scout import __version__
from scout.errors import ScoutError
from scout.retry import backoff, retry_after

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_WAIT = 120.0  # seconds: a longer Retry-After fails now rather than holding a CI runner
MAX_PAGES = 50
HINTS = {
    401: "check GITHUB_TOKEN",
    403: "the token needs issues: write and actions: read",
    404: "check the repository name and that the token can see it",
}


class GitHubError(ScoutError):
    """The GitHub API refused a request, or could not be reached."""


@dataclass
class Retry:
    """Why a response or transport failure is worth another try, and how long to wait first."""

    reason: str
    wait: float | None  # None: exponential backoff


class GitHub:
    """A REST client for one repository. `sleep` is injectable so tests measure, not wait."""

    def __init__(
        self,
        api_url: str,
        token: str | None,
        owner: str,
        repo: str,
        retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"scout-triage/{__version__}",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.api_url = api_url.rstrip("/")
        self.http = httpx.Client(base_url=self.api_url, headers=headers, timeout=timeout)
        self.prefix = f"/repos/{owner}/{repo}"
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep

    def close(self) -> None:
        self.http.close()

    # -- the endpoints ----------------------------------------------------------------------

    def issue_comments(self, number: int) -> Iterator[dict[str, Any]]:
        yield from self._pages(f"{self.prefix}/issues/{number}/comments")

    def create_comment(self, number: int, body: str) -> dict[str, Any]:
        return self.request("POST", f"{self.prefix}/issues/{number}/comments", json={"body": body}).json()

    def update_comment(self, comment_id: int, body: str) -> dict[str, Any]:
        path = f"{self.prefix}/issues/comments/{comment_id}"
        return self.request("PATCH", path, json={"body": body}).json()

    def add_labels(self, number: int, labels: list[str]) -> None:
        # GitHub reads an empty list as "remove every label": never send one.
        if labels:
            self.request("POST", f"{self.prefix}/issues/{number}/labels", json={"labels": labels})

    def run_jobs(self, run_id: int) -> list[dict[str, Any]]:
        jobs: list[dict[str, Any]] = []
        for page in self._page_bodies(f"{self.prefix}/actions/runs/{run_id}/jobs", {"filter": "latest"}):
            jobs += page.get("jobs", [])
        return jobs

    def job_log(self, job_id: int, max_bytes: int) -> str:
        """The job's log, its last `max_bytes` when longer: failures are reported at the end."""
        path = f"{self.prefix}/actions/jobs/{job_id}/logs"
        # The API answers with a redirect to blob storage; httpx drops the token on the way there.
        response = self.request("GET", path, follow_redirects=True, tail=max_bytes)
        return response.content.decode("utf-8", errors="replace")

    # -- transport --------------------------------------------------------------------------

    def _pages(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        for page in self._page_bodies(path, params):
            yield from page

    def _page_bodies(self, path: str, params: dict[str, Any] | None = None) -> Iterator[Any]:
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "per_page": 100}
        for _ in range(MAX_PAGES):
            if url is None:
                return
            response = self.request("GET", url, params=query)
            yield response.json()
            url, query = response.links.get("next", {}).get("url"), None  # next links carry the query

    def request(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        follow_redirects: bool = False,
        tail: int | None = None,
    ) -> httpx.Response:
        for attempt in range(self.retries + 1):
            try:
                response = self._send(method, url, json, params, follow_redirects, tail)
            except httpx.TransportError as exc:
                retry, failure = Retry(f"{type(exc).__name__}", None), self._unreachable(exc)
            else:
                if response.is_success:
                    return response
                retry, failure = classify(response), self._refused(method, url, response)
            if retry is None:
                raise failure
            if attempt == self.retries:
                raise GitHubError(f"{failure} (tried {attempt + 1} times)", hint=failure.hint)
            wait = retry.wait if retry.wait is not None else backoff(attempt, self.backoff, jitter=True)
            if wait > MAX_WAIT:
                raise GitHubError(f"{failure} (GitHub asks to wait {wait:.0f}s; giving up)")
            log.info("%s %s: %s; retrying in %.2fs", method, url, retry.reason, wait)
            self.sleep(wait)
        raise AssertionError("unreachable")

    def _send(self, method, url, json, params, follow_redirects, tail) -> httpx.Response:
        request = self.http.build_request(method, url, json=json, params=params)
        response = self.http.send(request, follow_redirects=follow_redirects, stream=True)
        try:
            if tail is None or not response.is_success:
                response.read()
                return response
            kept = bytearray()
            for chunk in response.iter_bytes():
                kept += chunk
                if len(kept) > 2 * tail:
                    del kept[:-tail]
            return httpx.Response(response.status_code, headers=response.headers, content=bytes(kept[-tail:]))
        finally:
            response.close()

    def _unreachable(self, exc: Exception) -> GitHubError:
        return GitHubError(f"cannot reach the GitHub API at {self.api_url}: {str(exc) or type(exc).__name__}")

    def _refused(self, method: str, url: str, response: httpx.Response) -> GitHubError:
        path = httpx.URL(url).path if "://" in url else url
        return GitHubError(
            f"GitHub API: {response.status_code} {_message(response)} on {method} {path}",
            hint=HINTS.get(response.status_code, ""),
        )


def classify(response: httpx.Response) -> Retry | None:
    """How to retry a failed response, or None when retrying cannot help."""
    status, headers = response.status_code, response.headers
    after = retry_after(headers.get("retry-after"))
    limited = status in (403, 429) and headers.get("x-ratelimit-remaining") == "0"
    if limited and after is None:
        reset = _float(headers.get("x-ratelimit-reset"))
        return Retry("rate limit", max(0.0, reset - time.time()) + 1 if reset is not None else None)
    if status == 403 and (after is not None or "secondary rate limit" in _message(response).lower()):
        # GitHub's advice for a secondary limit without Retry-After: wait at least a minute.
        return Retry("secondary rate limit", 60.0 if after is None else after)
    if status in RETRY_STATUSES or limited:
        return Retry(f"{status} {response.reason_phrase}".strip(), after)
    return None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase
    message = data.get("message") if isinstance(data, dict) else None
    return str(message) if message else response.reason_phrase
