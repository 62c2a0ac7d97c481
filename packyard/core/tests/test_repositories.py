"""Repository URLs: every spelling of one repository reduces to one canonical address and key."""

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from packyard.core.repositories import (
    GITHUB_SITE_PAGES,
    GITLAB_PROJECT_PAGES,
    InvalidRepositoryURL,
    Repository,
    RepositoryHost,
    parse_repository_url,
    repository_identity,
)

SELF_HOSTED_GITLAB = "git.example.org"
SELF_HOSTED_FORGEJO = "forge.example.net"

# Hypothesis runs many examples inside one test; the `settings` fixture is only read, never
# changed between examples, so sharing it across them is safe.
SHARED_FIXTURES = hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(autouse=True)
def _self_hosted_forges(settings):
    """Configure one self-hosted GitLab and one Forgejo host for every test here."""
    settings.GITLAB_URL = "https://gitlab.com"
    settings.GITLAB_HOSTS = [SELF_HOSTED_GITLAB]
    settings.FORGEJO_HOSTS = [SELF_HOSTED_FORGEJO]


TAGGING = "https://github.com/jazzband/django-tagging"


@pytest.mark.parametrize(
    "text",
    [
        "https://github.com/jazzband/django-tagging",
        "http://github.com/jazzband/django-tagging",
        "ssh://git@github.com/jazzband/django-tagging.git",
        "git@github.com:jazzband/django-tagging.git",
        "git+https://github.com/jazzband/django-tagging",
        "git+ssh://git@github.com/jazzband/django-tagging.git",
        "github.com/jazzband/django-tagging",
        "github.com:443/jazzband/django-tagging",
        "www.github.com/jazzband/django-tagging",
        "https://www.github.com/jazzband/django-tagging",
        "https://github.com:443/jazzband/django-tagging",
        "HTTPS://GITHUB.COM/jazzband/django-tagging",
        "https://github.com/jazzband/django-tagging.git",
        "https://github.com/jazzband/django-tagging/",
        "https://github.com/jazzband/django-tagging///",
        "https://github.com/jazzband/django-tagging.git/",
        "  https://github.com/jazzband/django-tagging\n",
        "https://github.com/jazzband/django-tagging?tab=readme-ov-file",
        "https://github.com/jazzband/django-tagging#installation",
        "https://github.com/jazzband/django-tagging/?a=1#b",
        "https://github.com/jazzband/django-tagging/tree/develop/tagging",
        "https://github.com/jazzband/django-tagging/blob/develop/README.rst",
        "https://github.com/jazzband/django-tagging/issues",
        "https://github.com/jazzband/django-tagging/issues/12",
        "https://github.com/jazzband/django-tagging/pulls",
        "https://user:token@github.com/jazzband/django-tagging",
    ],
)
def test_every_github_spelling_gives_the_canonical_https_url(text):
    """Any spelling of a GitHub repository address gives https://github.com/owner/name."""
    repository = parse_repository_url(text)

    assert repository.host == RepositoryHost.GITHUB
    assert repository.url == TAGGING
    assert repository.key == "github.com/jazzband/django-tagging"


NESTED = "https://gitlab.com/kapt/open-source/tools/repo"


@pytest.mark.parametrize(
    "text",
    [
        "https://gitlab.com/kapt/open-source/tools/repo",
        "https://gitlab.com/kapt/open-source/tools/repo/",
        "https://gitlab.com/kapt/open-source/tools/repo.git",
        "git@gitlab.com:kapt/open-source/tools/repo.git",
        "ssh://git@gitlab.com/kapt/open-source/tools/repo.git",
        "https://gitlab.com/kapt/open-source/tools/repo/-/tree/main",
        "https://gitlab.com/kapt/open-source/tools/repo/-/tree/main/src?ref_type=heads",
        "https://gitlab.com/kapt/open-source/tools/repo/tree/x",
        "https://gitlab.com/kapt/open-source/tools/repo/issues",
        "https://gitlab.com/kapt/open-source/tools/repo/-/issues/3",
        "https://gitlab.com/kapt/open-source/tools/repo/blob/main/setup.py",
        "https://gitlab.com/kapt/open-source/tools/repo/-/blob/main/setup.py",
        "https://gitlab.com/kapt/open-source/tools/repo/-/merge_requests",
    ],
)
def test_gitlab_keeps_nested_groups_and_drops_pages_inside_the_project(text):
    """A GitLab address keeps every group level and stops at a page inside the project."""
    repository = parse_repository_url(text)

    assert repository.host == RepositoryHost.GITLAB
    assert repository.url == NESTED


@pytest.mark.parametrize(
    ("text", "host", "url"),
    [
        (
            "https://gitlab.com/sodimel/django-simple-gallery/-/tree/main",
            RepositoryHost.GITLAB,
            "https://gitlab.com/sodimel/django-simple-gallery",
        ),
        (
            "https://bitbucket.org/discovery/django-bitly/",
            RepositoryHost.BITBUCKET,
            "https://bitbucket.org/discovery/django-bitly",
        ),
        (
            "https://bitbucket.org/funkybob/gnocchi-blog/src/master/setup.py",
            RepositoryHost.BITBUCKET,
            "https://bitbucket.org/funkybob/gnocchi-blog",
        ),
        (
            "git@bitbucket.org:funkybob/gnocchi-blog.git",
            RepositoryHost.BITBUCKET,
            "https://bitbucket.org/funkybob/gnocchi-blog",
        ),
        (
            "https://codeberg.org/forgejo/forgejo",
            RepositoryHost.FORGEJO,
            "https://codeberg.org/forgejo/forgejo",
        ),
        (
            "https://codeberg.org/forgejo/forgejo/src/branch/forgejo/README.md",
            RepositoryHost.FORGEJO,
            "https://codeberg.org/forgejo/forgejo",
        ),
        (
            "ssh://git@codeberg.org/forgejo/forgejo.git",
            RepositoryHost.FORGEJO,
            "https://codeberg.org/forgejo/forgejo",
        ),
        (
            "https://git.example.org/web/team/site/-/blob/main/x.py",
            RepositoryHost.GITLAB,
            "https://git.example.org/web/team/site",
        ),
        (
            "git@git.example.org:web/site.git",
            RepositoryHost.GITLAB,
            "https://git.example.org/web/site",
        ),
        (
            "https://forge.example.net/alice/widget/issues",
            RepositoryHost.FORGEJO,
            "https://forge.example.net/alice/widget",
        ),
        (
            "forge.example.net/alice/widget.git",
            RepositoryHost.FORGEJO,
            "https://forge.example.net/alice/widget",
        ),
        ("git@github.com:1234/repo.git", RepositoryHost.GITHUB, "https://github.com/1234/repo"),
        ("https://github.com/o/r.js", RepositoryHost.GITHUB, "https://github.com/o/r.js"),
        ("https://github.com/o_o/r-r", RepositoryHost.GITHUB, "https://github.com/o_o/r-r"),
    ],
)
def test_each_host_gives_its_canonical_https_url(text, host, url):
    """Bitbucket, Codeberg and self-hosted GitLab and Forgejo addresses reduce to one URL."""
    repository = parse_repository_url(text)

    assert repository.host == host
    assert repository.url == url
    assert repository.key == url.removeprefix("https://").lower()


def test_parse_repository_url_splits_owner_and_name():
    """A repository tells its owner (the whole group path on GitLab) and its own name."""
    github = parse_repository_url("https://github.com/Suor/django-cacheops")
    gitlab = parse_repository_url("https://gitlab.com/kapt/open-source/tools/repo/-/tree/main")

    assert (github.owner, github.name) == ("Suor", "django-cacheops")
    assert (gitlab.owner, gitlab.name) == ("kapt/open-source/tools", "repo")


def test_url_keeps_case_and_key_is_lower_case():
    """Owner and name keep their case in the URL; the key is lower case."""
    repository = parse_repository_url("https://GitHub.com/Suor/Django-CacheOps")

    assert repository.url == "https://github.com/Suor/Django-CacheOps"
    assert repository.key == "github.com/suor/django-cacheops"


def test_spellings_differing_in_case_share_one_key():
    """Two spellings of one repository that differ in case compare equal by key."""
    first = parse_repository_url("https://github.com/Suor/django-cacheops")
    second = parse_repository_url("git@github.com:suor/DJANGO-CACHEOPS.git")

    assert first.url != second.url
    assert first.key == second.key


def test_same_name_on_different_hosts_gives_different_keys():
    """One owner/name on two hosts are two repositories."""
    github = parse_repository_url("https://github.com/funkybob/gnocchi-blog")
    bitbucket = parse_repository_url("https://bitbucket.org/funkybob/gnocchi-blog")

    assert github.key != bitbucket.key


def test_self_hosted_hosts_are_unknown_until_configured(settings):
    """A self-hosted GitLab is refused until settings name it."""
    settings.GITLAB_HOSTS = []

    with pytest.raises(InvalidRepositoryURL, match="not a supported code host"):
        parse_repository_url("https://git.example.org/web/site")


def test_gitlab_url_setting_adds_its_host(settings):
    """The host of GITLAB_URL is read as a GitLab host."""
    settings.GITLAB_URL = "https://gitlab.internal.example"
    settings.GITLAB_HOSTS = []

    repository = parse_repository_url("https://gitlab.internal.example/team/app")

    assert repository.host == RepositoryHost.GITLAB
    assert repository.url == "https://gitlab.internal.example/team/app"


def test_hosts_in_settings_may_be_written_as_urls(settings):
    """Hosts in settings written with a scheme, www. or upper case still match."""
    settings.FORGEJO_HOSTS = ["https://WWW.Forge.Example.net/"]

    assert parse_repository_url("https://forge.example.net/a/b").host == RepositoryHost.FORGEJO


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter the address of a repository."),
        ("   \n", "Enter the address of a repository."),
        ("https://github.com/jazz band/tagging", "contains spaces"),
        ("github.com/owner/repo name", "contains spaces"),
        ("https://example.com/owner/repo", "'example.com' is not a supported code host"),
        ("http://code.google.com/p/sorethumb/", "'code.google.com' is not a supported code host"),
        ("https://github.com:8443/owner/repo", "is not a supported code host"),
        ("just-a-word", "is not a supported code host"),
        ("https://github.com/owner", "needs an owner and a repository name"),
        ("https://github.com/owner/", "needs an owner and a repository name"),
        ("https://github.com/", "needs an owner and a repository name"),
        ("https://gitlab.com/group", "needs an owner and a repository name"),
        ("https://github.com/owner/.git", "needs an owner and a repository name"),
        ("https://github.com/orgs/jazzband", "is a GitHub page, not a repository"),
        ("https://github.com/topics/django", "is a GitHub page, not a repository"),
        ("https://github.com/settings/profile", "is a GitHub page, not a repository"),
        (
            "https://github.com/owner/repo$",
            "'repo$' in 'https://github.com/owner/repo$' is not a valid name",
        ),
        ("https://github.com/owner/r%C3%A9po", "is not a valid name"),
        ("https://github.com/owner/répo", "is not a valid name"),
        (
            "https://github.com/owner/..",
            "'..' in 'https://github.com/owner/..' is not a valid name",
        ),
        ("https://github.com/own;er/repo", "is not a valid name"),
        ("http://[::1", "is not a valid address"),
        ("https://github.com:port/o/r", "is not a valid address"),
    ],
)
def test_parse_repository_url_explains_what_is_wrong(text, message):
    """Text that is not a repository address raises InvalidRepositoryURL saying why."""
    with pytest.raises(InvalidRepositoryURL) as raised:
        parse_repository_url(text)

    assert message in str(raised.value)


def test_invalid_repository_url_is_a_value_error():
    """Callers that catch ValueError also catch a bad repository address."""
    assert issubclass(InvalidRepositoryURL, ValueError)


def test_unknown_host_message_names_the_supported_hosts():
    """The message for an unknown host tells the user which hosts Packyard reads."""
    with pytest.raises(InvalidRepositoryURL) as raised:
        parse_repository_url("https://sr.ht/~owner/repo")

    assert "GitHub, GitLab, Bitbucket, Codeberg" in str(raised.value)


@pytest.mark.parametrize(
    ("text", "host", "key"),
    [
        (
            "https://github.com/Suor/django-cacheops",
            RepositoryHost.GITHUB,
            "github.com/suor/django-cacheops",
        ),
        ("git@gitlab.com:Kapt/Repo.git", RepositoryHost.GITLAB, "gitlab.com/kapt/repo"),
        (
            "http://code.google.com/p/sorethumb/",
            RepositoryHost.OTHER,
            "code.google.com/p/sorethumb",
        ),
        (
            "https://websightful.gumroad.com/l/django-paddle-subscriptions",
            RepositoryHost.OTHER,
            "websightful.gumroad.com/l/django-paddle-subscriptions",
        ),
        (
            "HTTPS://WWW.Launchpad.net/Django-Thing/",
            RepositoryHost.OTHER,
            "launchpad.net/django-thing",
        ),
        ("https://hg.example.com/Repo.git", RepositoryHost.OTHER, "hg.example.com/repo"),
        ("https://github.com/orgs/jazzband", RepositoryHost.OTHER, "github.com/orgs/jazzband"),
        ("", RepositoryHost.OTHER, ""),
    ],
)
def test_repository_identity_gives_host_and_key_for_any_stored_url(text, host, key):
    """Supported hosts get their canonical key; any other address a plain lower-case key."""
    assert repository_identity(text) == (host, key)


def test_repository_identity_matches_spellings_of_an_unsupported_address():
    """Two spellings of one unsupported address cannot both be listed: their keys match."""
    assert repository_identity("http://code.google.com/p/sorethumb/") == repository_identity(
        "https://Code.Google.com/p/SoreThumb"
    )


# --- Properties -------------------------------------------------------------------------------

URLISH = "abcdefghijklmnopqrstuvwxyzABCXYZ0123456789-_.~:/?#[]@!$&'()*+,;=% \t\n"
KNOWN_HOSTS = ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"]

arbitrary_text = st.one_of(
    st.text(),
    st.text(alphabet=URLISH),
    st.builds(
        lambda prefix, host, rest: prefix + host + rest,
        st.sampled_from(
            ["", "https://", "http://", "ssh://git@", "git@", "git+https://", "//", "www."]
        ),
        st.sampled_from([*KNOWN_HOSTS, SELF_HOSTED_GITLAB, SELF_HOSTED_FORGEJO, "example.com", ""]),
        st.text(alphabet=URLISH),
    ),
    st.from_regex(r"\A(https?://|git@|ssh://)?[\w.:@\[\]-]{0,30}[:/][\w./:%#?@-]{0,40}\Z"),
)


@SHARED_FIXTURES
@given(text=arbitrary_text)
@example(text="http://[::1")
@example(text="https://github.com:99999/o/r")
@example(text="git@github.com:")
@example(text="github.com:0")
@example(text="https://\x00github.com/o/r")
def test_parse_repository_url_raises_only_invalid_repository_url(text):
    """Any text either parses to a Repository or raises InvalidRepositoryURL, nothing else."""
    repository = error = None
    try:
        repository = parse_repository_url(text)
    except InvalidRepositoryURL as raised:
        error = raised

    if error is not None:
        assert str(error), "the error says why"
    else:
        assert isinstance(repository, Repository)
        assert repository.url.startswith("https://")
        assert repository.key == repository.key.lower()


@SHARED_FIXTURES
@given(text=arbitrary_text)
def test_repository_identity_never_raises(text):
    """repository_identity gives a host and a lower-case key for any text."""
    host, key = repository_identity(text)

    assert host in RepositoryHost
    assert key == key.lower()


def _is_name(segment):
    # All-dot names are path tricks, not names; hosts refuse names ending in ".git" because
    # ".git" is how clone URLs are written.
    return set(segment) != {"."} and not segment.lower().endswith(".git")


names = st.text(alphabet="ABCabcxyz0123456789_.-", min_size=1, max_size=12).filter(_is_name)
github_owners = names.filter(lambda owner: owner.lower() not in GITHUB_SITE_PAGES)
gitlab_groups = st.lists(
    names.filter(lambda group: group.lower() not in GITLAB_PROJECT_PAGES), min_size=1, max_size=3
)


@st.composite
def repositories(draw):
    """Draw (host domain, path) of a valid repository on a host Packyard knows."""
    domain = draw(st.sampled_from([*KNOWN_HOSTS, SELF_HOSTED_GITLAB, SELF_HOSTED_FORGEJO]))
    if domain in {"gitlab.com", SELF_HOSTED_GITLAB}:
        # GitLab reserves its page names as project names too.
        owner = "/".join(draw(gitlab_groups))
        name = draw(names.filter(lambda name: name.lower() not in GITLAB_PROJECT_PAGES))
    elif domain == "github.com":
        owner, name = draw(github_owners), draw(names)
    else:
        owner, name = draw(names), draw(names)
    return domain, f"{owner}/{name}"


def spellings(domain, path):
    """Return the ways people write the address of one repository."""
    return [
        f"https://{domain}/{path}",
        f"http://{domain}/{path}",
        f"https://www.{domain}/{path}",
        f"https://{domain.upper()}/{path}/",
        f"https://{domain}/{path}.git",
        f"https://{domain}/{path}/?tab=readme#top",
        f"ssh://git@{domain}/{path}.git",
        f"git@{domain}:{path}.git",
        f"git+https://{domain}/{path}",
        f"{domain}/{path}",
        f"www.{domain}/{path}/",
    ]


@SHARED_FIXTURES
@given(repository=repositories())
@example(repository=("github.com", "Owner/Repo"))
@example(repository=("github.com", "123/repo"))
@example(repository=("gitlab.com", "a/b/c/repo"))
def test_every_spelling_of_a_repository_gives_the_same_key(repository):
    """Parsing any spelling of a valid repository gives its canonical URL and one key."""
    domain, path = repository
    expected_key = f"{domain}/{path}".lower()

    for text in spellings(domain, path):
        parsed = parse_repository_url(text)
        assert parsed.key == expected_key, text
        assert parsed.url == f"https://{domain}/{path}", text


@SHARED_FIXTURES
@given(repository=repositories(), spelling=st.integers(min_value=0, max_value=10))
def test_parsing_the_canonical_url_again_changes_nothing(repository, spelling):
    """Parsing is idempotent: parse(parse(x).url) == parse(x)."""
    text = spellings(*repository)[spelling]
    parsed = parse_repository_url(text)

    assert parse_repository_url(parsed.url) == parsed


def test_a_github_enterprise_host_in_settings_is_github(settings):
    """A repository on a host named in GITHUB_HOSTS is a GitHub repository."""
    settings.GITHUB_HOSTS = ["github.example.com"]

    repository = parse_repository_url("git@github.example.com:Team/Tool.git")

    assert repository.host is RepositoryHost.GITHUB
    assert repository.url == "https://github.example.com/Team/Tool"
