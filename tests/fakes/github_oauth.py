"""A fake GitHub for sign-in tests: the OAuth web flow and the signed-in user's API record.

It answers as GitHub documents:

- ``GET /login/oauth/authorize`` sends the browser back to ``redirect_uri`` with a one-time
  ``code`` and the ``state`` it was given (or ``error=access_denied`` when the person says no);
- ``POST /login/oauth/access_token`` trades the code for ``{"access_token", "token_type",
  "scope"}``, and answers 200 with ``{"error": "bad_verification_code"}`` for a bad code;
- ``GET /api/user`` gives the user of a token, or 401 ``{"message": "Bad credentials"}``.

https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps
https://docs.github.com/en/rest/users/users#get-the-authenticated-user

Install it on a pytest-httpserver: ``base = FakeGitHubOAuth(...).install(httpserver)``; the web
addresses are at ``base`` and the API at ``base + "/api"``.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response


@dataclass
class GitHubUser:
    login: str
    id: int
    name: str = ""
    created_at: datetime = field(default_factory=lambda: datetime(2015, 3, 1, tzinfo=UTC))

    def record(self) -> dict:
        """Return the user as GET /user answers (the fields Packyard reads, and a few more)."""
        return {
            "login": self.login,
            "id": self.id,
            "node_id": f"MDQ6VXNlcj{self.id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{self.id}?v=4",
            "html_url": f"https://github.com/{self.login}",
            "type": "User",
            "site_admin": False,
            "name": self.name or None,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "bio": None,
            "public_repos": 3,
            "followers": 1,
            "following": 0,
            "created_at": self.created_at.isoformat().replace("+00:00", "Z"),
            "updated_at": self.created_at.isoformat().replace("+00:00", "Z"),
        }


class FakeGitHubOAuth:
    """GitHub's OAuth web flow for one OAuth app, and the user API behind it."""

    def __init__(self, *, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.signed_in: GitHubUser | None = None  # Who is signed in on "GitHub" in the browser.
        self.deny = False  # The person clicks "Cancel" on GitHub's consent page.
        self.codes: dict[str, tuple[GitHubUser, str]] = {}
        self.tokens: dict[str, GitHubUser] = {}
        self.seen: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def install(self, httpserver) -> str:
        """Answer every request to a pytest-httpserver; return the fake's base URL."""
        httpserver.expect_request(re.compile(".*")).respond_with_handler(self.handle)
        return httpserver.url_for("/").rstrip("/")

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.seen.append((request.method, request.path))
            if request.path == "/login/oauth/authorize" and request.method == "GET":
                return self._authorize(request)
            if request.path == "/login/oauth/access_token" and request.method == "POST":
                return self._token(request)
            if request.path == "/api/user" and request.method == "GET":
                return self._user(request)
            return _json({"message": "Not Found"}, status=404)

    def _authorize(self, request: Request) -> Response:
        args = request.args
        redirect_uri = args.get("redirect_uri", "")
        if args.get("client_id") != self.client_id or not redirect_uri:
            return Response("The client_id or redirect_uri is wrong.", status=400)
        answer = {"state": args.get("state", "")}
        if self.deny or self.signed_in is None:
            answer["error"] = "access_denied"
        else:
            code = secrets.token_hex(10)
            self.codes[code] = (self.signed_in, redirect_uri)
            answer["code"] = code
        separator = "&" if "?" in redirect_uri else "?"
        return Response(
            status=302, headers={"Location": redirect_uri + separator + urlencode(answer)}
        )

    def _token(self, request: Request) -> Response:
        form = request.form
        if (
            form.get("client_id") != self.client_id
            or form.get("client_secret") != self.client_secret
        ):
            return _json({"error": "incorrect_client_credentials"})
        granted = self.codes.pop(form.get("code", ""), None)
        if granted is None:
            return _json({"error": "bad_verification_code"})
        user, redirect_uri = granted
        if form.get("redirect_uri") and form.get("redirect_uri") != redirect_uri:
            return _json({"error": "redirect_uri_mismatch"})
        token = "gho_" + secrets.token_hex(16)
        self.tokens[token] = user
        return _json({"access_token": token, "token_type": "bearer", "scope": ""})

    def _user(self, request: Request) -> Response:
        header = request.headers.get("Authorization", "")
        token = header.split(" ", 1)[1] if " " in header else ""
        user = self.tokens.get(token)
        if user is None:
            return _json({"message": "Bad credentials"}, status=401)
        return _json(user.record())


def _json(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
