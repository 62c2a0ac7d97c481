"""The README's production environment: `check --deploy` has nothing to say, and the site it
builds answers over HTTPS only, with HSTS, secure cookies and its security policies."""

from __future__ import annotations

import re
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from tests.factories import staff

ROOT = Path(__file__).resolve().parents[3]
HOST = "packyard.example.org"


def readme_production_env() -> dict[str, str]:
    """Return the variables of the one ```sh block of the README's "Production" section."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    assert blocks, "the Production section has no ```sh block"
    env = {}
    for line in blocks[0].splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value
    return env


def check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run `manage.py check --deploy --fail-level WARNING` with only `env` and a PATH."""
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_readme_names_every_production_switch():
    """The block sets debug off, HTTPS, secure cookies, HSTS, JSON logs and collected files."""
    env = readme_production_env()
    assert env["DEBUG"] == "0"
    for name in ("SECURE_COOKIES", "BEHIND_TLS_PROXY", "SECURE_SSL_REDIRECT", "STATIC_MANIFEST"):
        assert env[name] == "1", name
    assert int(env["SECURE_HSTS_SECONDS"]) >= 31536000
    assert env["SITE_URL"].startswith("https://")
    assert env["DATABASE_URL"].startswith("postgres://")
    assert env["REDIS_URL"].startswith("redis://")
    assert env["LOG_FORMAT"] == "json"


def test_check_deploy_reports_nothing_with_the_readme_environment():
    """With the README's variables and a real secret key, `check --deploy` finds no issue."""
    env = {**readme_production_env(), "SECRET_KEY": secrets.token_urlsafe(50)}
    result = check_deploy(env)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


def test_check_deploy_refuses_the_readme_placeholder_secret_key():
    """The README's SECRET_KEY is a placeholder that `check --deploy` refuses if copied."""
    result = check_deploy(readme_production_env())
    assert result.returncode != 0
    assert "security.W009" in result.stderr


@pytest.fixture
def production(monkeypatch):
    """Apply the security, cookie and policy settings the README's environment gives.

    The settings module is run again with those variables; the database, cache and task queue
    stay the test's own.
    """
    for name, value in readme_production_env().items():
        if name not in {"DATABASE_URL", "REDIS_URL"}:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(50))
    built = runpy.run_path(str(ROOT / "config" / "settings.py"))
    names = [
        name
        for name in built
        if name.startswith(("SECURE_", "SESSION_", "CSRF_", "PERMISSIONS_", "CSP_"))
        or name in {"ALLOWED_HOSTS", "DEBUG", "MIDDLEWARE", "SECRET_KEY", "X_FRAME_OPTIONS"}
    ]
    with override_settings(**{name: built[name] for name in names}):
        yield built


def https(client: Client, path: str, **kwargs):
    """GET `path` as the proxy in front forwards an HTTPS request."""
    return client.get(path, headers={"host": HOST, "x-forwarded-proto": "https"}, **kwargs)


@pytest.mark.django_db
def test_plain_http_is_redirected_and_https_through_the_proxy_is_answered(production):
    """Without X-Forwarded-Proto: https the answer is a redirect to https; with it, the page."""
    client = Client()
    plain = client.get("/packages/", headers={"host": HOST})
    assert plain.status_code == 301
    assert plain["Location"] == f"https://{HOST}/packages/"

    answer = https(client, "/packages/")
    assert answer.status_code == 200
    assert answer["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/packages/", "/api/v4/packages/?format=json", "/nope/"])
def test_every_answer_carries_the_security_policies(production, path):
    """Pages, API answers and errors carry CSP, Permissions-Policy, Referrer and COOP headers."""
    answer = https(Client(), path)
    assert answer.status_code in {200, 404}
    directives = answer["Content-Security-Policy"].split(";")
    policy = dict(directive.strip().split(" ", 1) for directive in directives)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert policy["form-action"] == "'self' https://github.com"
    assert "unsafe" not in answer["Content-Security-Policy"]
    assert "camera=()" in answer["Permissions-Policy"]
    assert "geolocation=()" in answer["Permissions-Policy"]
    assert answer["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"
    assert answer["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_signing_in_sets_secure_cookies(production):
    """The sign-in form's CSRF cookie is Secure; a staff sign-in's session cookie is Secure and
    HttpOnly, with CSRF checked against the HTTPS origin."""
    person = staff("ada")
    person.set_password("a long pass phrase")
    person.save()
    client = Client(enforce_csrf_checks=True)

    form = https(client, "/accounts/login/")
    assert form.status_code == 200
    csrf = form.cookies["csrftoken"]
    assert csrf["secure"] is True
    signed_in = client.post(
        "/accounts/login/",
        {"login": "ada", "password": "a long pass phrase", "csrfmiddlewaretoken": csrf.value},
        headers={"host": HOST, "x-forwarded-proto": "https", "origin": f"https://{HOST}"},
    )
    assert signed_in.status_code == 302, signed_in.content.decode()[:500]
    session = signed_in.cookies["sessionid"]
    assert session["secure"] is True
    assert session["httponly"] is True
    assert https(client, "/").context["user"].username == "ada"


@pytest.mark.django_db
def test_collected_static_files_are_hashed_compressed_and_cached_for_ever(
    production, tmp_path, settings
):
    """After `collectstatic`, pages link hashed files served gzipped and cached for a decade,
    and a file `collectstatic` did not write is not found (no finders)."""
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = production["STORAGES"]
    settings.WHITENOISE_USE_FINDERS = production["WHITENOISE_USE_FINDERS"]
    call_command("collectstatic", interactive=False, verbosity=0)
    late = tmp_path / "late"
    late.mkdir()
    (late / "late.css").write_text("body {}")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, late]
    client = Client()

    page = https(client, "/").content.decode()
    stylesheet = re.search(r'href="(/static/packyard/site\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the page does not link the hashed site.css"
    css = https(client, stylesheet[1], HTTP_ACCEPT_ENCODING="gzip")
    assert css.status_code == 200
    assert css["Content-Encoding"] == "gzip"
    assert css["Cache-Control"] == "max-age=315360000, public, immutable"
    assert https(client, "/static/late.css").status_code == 404
