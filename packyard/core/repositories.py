"""Repository URLs: recognise the code host and reduce any spelling of a URL to one form.

People paste repository URLs in many shapes (https, http, ssh, ``git@host:owner/repo``, bare
``host/owner/repo``, with ``www.``, ``.git``, trailing slashes or a page inside the repository).
`parse_repository_url` turns each into a `Repository` whose `url` is the canonical https
address and whose `key` compares case-insensitively, so one repository is one package.

Self-hosted GitLab, Forgejo and GitHub Enterprise hosts come from settings (`GITLAB_URL`,
`GITLAB_HOSTS`, `FORGEJO_HOSTS`, `GITHUB_HOSTS`) and are read at call time, so tests can
reconfigure them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models


class RepositoryHost(models.TextChoices):
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    BITBUCKET = "bitbucket", "Bitbucket"
    FORGEJO = "forgejo", "Forgejo"
    OTHER = "other", "host not supported"


class InvalidRepositoryURL(ValueError):
    """The text is not the address of a repository on a supported code host."""


PUBLIC_HOSTS = {
    "github.com": RepositoryHost.GITHUB,
    "gitlab.com": RepositoryHost.GITLAB,
    "bitbucket.org": RepositoryHost.BITBUCKET,
    "codeberg.org": RepositoryHost.FORGEJO,
}

# First path segments on github.com that are site pages, not owners.
GITHUB_SITE_PAGES = frozenset(
    {
        *("about", "apps", "collections", "contact", "customer-stories", "enterprise"),
        *("events", "explore", "features", "issues", "login", "logout", "marketplace", "new"),
        *("notifications", "orgs", "organizations", "pricing", "pulls", "search", "security"),
        *("settings", "sponsors", "topics", "trending"),
    }
)

# First path segments on a GitLab host that are site pages, not groups or users.
GITLAB_SITE_PAGES = frozenset(
    {"-", "admin", "dashboard", "explore", "groups", "help", "profile", "projects", "search"}
    | {"users", "api", "oauth", "snippets"}
)

# Path segments after which a GitLab URL points inside the project, not at a subgroup. GitLab
# reserves these as project names; see https://docs.gitlab.com/user/reserved_names/.
GITLAB_PROJECT_PAGES = frozenset(
    {
        *("-", "badges", "blame", "blob", "builds", "commit", "commits", "compare", "create"),
        *("create_dir", "edit", "environments", "files", "find_file", "issues"),
        *("merge_requests", "network", "new", "pipelines", "preview", "raw", "refs", "tags"),
        *("tree", "update", "wikis"),
    }
)

# ``user@host:path`` is always git's scp-like form, even when the owner is a number
# (``git@github.com:123/repo.git``); without a user, ``host:443/path`` is a host and a port.
_SCP_LIKE = re.compile(
    r"^(?:(?P<user>[\w.+-]+)@)?(?P<host>[\w.-]+\.[a-z]{2,}):(?(user)|(?!\d+(?:/|$)))(?P<path>.+)$",
    re.I,
)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)
_SEGMENT = re.compile(r"^[\w.-]+$", re.ASCII)


@dataclass(frozen=True)
class Repository:
    """A repository on a supported code host, with owner and name in their own case."""

    host: RepositoryHost
    domain: str
    path: str

    @property
    def url(self) -> str:
        """Return the canonical https address."""
        return f"https://{self.domain}/{self.path}"

    @property
    def key(self) -> str:
        """Return the identity used to compare repositories (case-insensitive)."""
        return f"{self.domain}/{self.path}".lower()

    @property
    def owner(self) -> str:
        """Return the owner (a user, an organisation, or a GitLab group path)."""
        return self.path.rsplit("/", 1)[0]

    @property
    def name(self) -> str:
        """Return the repository's own name."""
        return self.path.rsplit("/", 1)[1]


def configured_hosts() -> dict[str, RepositoryHost]:
    """Return every host Packyard knows, public and self-hosted, by lower-case domain."""
    hosts = dict(PUBLIC_HOSTS)
    gitlab_domain = urlsplit(settings.GITLAB_URL).netloc.lower()
    for domain in [gitlab_domain, *settings.GITLAB_HOSTS]:
        if domain:
            hosts.setdefault(_bare_domain(domain), RepositoryHost.GITLAB)
    for domain in settings.FORGEJO_HOSTS:
        hosts.setdefault(_bare_domain(domain), RepositoryHost.FORGEJO)
    for domain in settings.GITHUB_HOSTS:
        hosts.setdefault(_bare_domain(domain), RepositoryHost.GITHUB)
    return hosts


def _bare_domain(domain: str) -> str:
    domain = domain.strip().lower()
    domain = _SCHEME.sub("", domain).split("/", 1)[0]
    return domain.removeprefix("www.")


def _split(raw: str) -> tuple[str, list[str]]:
    """Split any spelling of a repository address into a domain and path segments."""
    text = raw.strip()
    if not text:
        raise InvalidRepositoryURL("Enter the address of a repository.")
    if any(character.isspace() for character in text):
        raise InvalidRepositoryURL(f"{raw!r} is not a repository address: it contains spaces.")
    scp = None if _SCHEME.match(text) else _SCP_LIKE.match(text)
    if scp:
        domain, path = scp.group("host"), scp.group("path")
    else:
        if not _SCHEME.match(text):
            text = "https://" + text.lstrip("/")
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError as error:
            raise InvalidRepositoryURL(f"{raw!r} is not a valid address.") from error
        domain = parts.hostname or ""
        if port and port not in {22, 80, 443}:
            domain = f"{domain}:{port}"
        path = parts.path
    domain = domain.lower().removeprefix("www.")
    segments = [segment for segment in path.split("/") if segment]
    return domain, segments


def parse_repository_url(raw: str) -> Repository:
    """Return the repository a URL points at, or raise `InvalidRepositoryURL` saying why."""
    domain, segments = _split(raw)
    host = configured_hosts().get(domain)
    if host is None:
        shown = domain or raw.strip()
        raise InvalidRepositoryURL(
            f"{shown!r} is not a supported code host. Packyard reads repositories on GitHub, "
            "GitLab, Bitbucket, Codeberg and the self-hosted GitLab and Forgejo hosts it is "
            "configured for."
        )
    if host is RepositoryHost.GITLAB:
        if (segments and segments[0].lower() in GITLAB_SITE_PAGES) or "-" in segments[:2]:
            raise InvalidRepositoryURL(f"{raw.strip()!r} is a GitLab page, not a repository.")
        for index, segment in enumerate(segments):
            if index >= 2 and segment.lower() in GITLAB_PROJECT_PAGES:
                segments = segments[:index]
                break
    else:
        if host is RepositoryHost.GITHUB and segments and segments[0].lower() in GITHUB_SITE_PAGES:
            raise InvalidRepositoryURL(f"{raw.strip()!r} is a GitHub page, not a repository.")
        segments = segments[:2]
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    if len(segments) < 2 or not all(segments):
        raise InvalidRepositoryURL(
            f"{raw.strip()!r} does not name a repository: it needs an owner and a repository "
            f"name, as in https://{domain}/owner/repository."
        )
    for segment in segments:
        if not _SEGMENT.match(segment) or set(segment) == {"."}:
            raise InvalidRepositoryURL(f"{segment!r} in {raw.strip()!r} is not a valid name.")
    return Repository(host=host, domain=domain, path="/".join(segments))


def repository_identity(raw: str) -> tuple[RepositoryHost, str]:
    """Return the host kind and comparison key of any stored repository URL.

    Supported hosts get their canonical key; an address elsewhere (a shop page, an old
    code.google.com project) keeps a plain lower-case key so it still cannot be listed twice.
    """
    try:
        repository = parse_repository_url(raw)
    except InvalidRepositoryURL:
        text = _SCHEME.sub("", raw.strip()).lower().removeprefix("www.")
        return RepositoryHost.OTHER, text.rstrip("/").removesuffix(".git")
    return repository.host, repository.key
