"""User-written Markdown is rendered safely, and the template helpers show facts honestly."""

import datetime as dt
import random
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from packyard.core.markup import markdown_text, render_markdown
from packyard.core.templatetags.packyard import (
    TIME_STRINGS,
    ago,
    fact,
    get_item,
    markdown,
    since,
    sparkline,
)

NOW = dt.datetime(2026, 5, 25, 12, 0, tzinfo=dt.UTC)


class LinkAttributes(HTMLParser):
    """Collect the attributes of every <a> element, as a browser would read them."""

    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.links.append(dict(attrs))


def attributes_of_links(html):
    """Return the attributes of each link in some HTML."""
    parser = LinkAttributes()
    parser.feed(html)
    return parser.links


def render(source, **context):
    """Render a template using Packyard's template library, with non-breaking spaces as spaces."""
    return Template("{% load packyard %}" + source).render(Context(context)).replace("\xa0", " ")


# --- Markdown ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "Hello <script>alert(1)</script> world",
        "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        '<a href="https://example.com" onclick="steal()">x</a>',
        "<style>body { display: none }</style>",
        "<iframe src=https://evil.example></iframe>",
        '<div onmouseover="alert(1)">hover</div>',
    ],
)
def test_markdown_never_outputs_raw_html(text):
    """Raw HTML in Markdown is shown as text, never as live tags or event handlers."""
    html = render_markdown(text)

    assert not re.search(r"<(script|img|style|iframe|div)\b", html, re.I)
    assert not re.search(r"<a [^>]*onclick", html, re.I)
    assert "&lt;" in html


@pytest.mark.parametrize(
    "text",
    [
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "[click](data:text/html;base64,PHNjcmlwdD4=)",
        "[click](vbscript:msgbox)",
        "<javascript:alert(1)>",
    ],
)
def test_markdown_drops_links_with_unsafe_schemes(text):
    """Links to javascript:, data: and similar schemes never become clickable."""
    html = render_markdown(text)

    assert "<a" not in html
    assert "href" not in html


def test_markdown_shows_no_images_but_keeps_their_words():
    """Images are not shown (a cell cannot load pictures), but their alt text stays readable."""
    html = render_markdown("Look: ![a cat](https://example.com/cat.png)")

    assert "<img" not in html
    assert html.startswith("<p>Look:")
    assert "a cat</a>" in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*yes*", "<p><em>yes</em></p>"),
        ("**yes**", "<p><strong>yes</strong></p>"),
        ("use `pip install x`", "<p>use <code>pip install x</code></p>"),
        ("~~old~~", "<p><s>old</s></p>"),
        ("```\n<b>x</b>\n```", "<pre><code>&lt;b&gt;x&lt;/b&gt;\n</code></pre>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ],
)
def test_markdown_keeps_the_allowed_subset(text, expected):
    """Emphasis, code, strike-through, lists, quotes and line breaks survive."""
    assert render_markdown(text) == expected


def test_markdown_http_links_survive_with_nofollow_ugc():
    """An http(s) link stays clickable and is marked nofollow ugc."""
    html = render_markdown("See [the docs](https://django.readthedocs.io/) or [old](http://x.org)")

    assert (
        '<a href="https://django.readthedocs.io/" rel="nofollow ugc noopener">the docs</a>' in html
    )
    assert '<a href="http://x.org" rel="nofollow ugc noopener">old</a>' in html


def test_markdown_link_title_cannot_add_attributes():
    """A link title is kept as an escaped attribute value, not as new attributes."""
    html = render_markdown('[t](https://e.com "x\\" onmouseover=\\"alert(1)")')

    assert attributes_of_links(html) == [
        {
            "href": "https://e.com",
            "title": 'x" onmouseover="alert(1)',
            "rel": "nofollow ugc noopener",
        }
    ]


def test_markdown_headings_are_flattened_to_text():
    """Headings are not in the subset: their words stay, the heading tag does not."""
    html = render_markdown("# Big title")

    assert "<h1" not in html
    assert "Big title" in html


@pytest.mark.parametrize("text", ["", "   ", "\n\n"])
def test_markdown_of_blank_text_is_empty(text):
    """Blank text renders to nothing at all."""
    assert render_markdown(text) == ""


def test_markdown_filter_is_safe_for_templates():
    """The filter's output is marked safe, and None renders as nothing."""
    assert isinstance(markdown("*x*"), SafeString)
    assert markdown(None) == ""


def test_markdown_filter_in_a_template_escapes_script_and_keeps_emphasis():
    """In a page, script tags are shown as text and emphasis is rendered."""
    html = render("{{ text|markdown }}", text="<script>x()</script> *fine*")

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<em>fine</em>" in html


# --- fact ---------------------------------------------------------------------------------------


def test_fact_of_none_says_not_fetched_yet():
    """A fact never fetched says "not fetched yet", never 0."""
    assert fact(None) == '<span class="not-fetched">not fetched yet</span>'


@pytest.mark.parametrize(
    ("value", "shown"), [(0, "0"), (7, "7"), (1234, "1,234"), (1234567, "1,234,567")]
)
def test_fact_shows_numbers_with_thousands_separators(value, shown):
    """A fetched number is shown, 0 as "0", large ones with commas."""
    assert fact(value) == shown


def test_fact_passes_other_values_through():
    """A fact that is not a number is shown as it is."""
    assert fact("BSD-3-Clause") == "BSD-3-Clause"


def test_fact_in_a_template_distinguishes_zero_from_missing():
    """On a page, 0 stars reads "0" and unknown stars read "not fetched yet"."""
    assert render("{{ n|fact }}", n=0) == "0"
    assert "not fetched yet" in render("{{ n|fact }}", n=None)


# --- ago ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (dt.timedelta(days=3), "3 days ago"),
        (dt.timedelta(hours=2, minutes=5), "2 hours, 5 minutes ago"),
        (dt.timedelta(days=400), "1 year, 1 month ago"),
        (dt.timedelta(seconds=30), "just now"),
        (dt.timedelta(seconds=-20), "just now"),
    ],
)
def test_ago_says_how_long_ago_in_words(delta, words):
    """A moment is shown as words relative to now."""
    with time_machine.travel(NOW, tick=False):
        html = ago(NOW - delta).replace("\xa0", " ")

    assert f">{words}</time>" in html


def test_ago_gives_the_exact_time_in_a_time_element():
    """The words sit in a <time> element carrying the exact moment and a readable title."""
    moment = NOW - dt.timedelta(days=3)

    with time_machine.travel(NOW, tick=False):
        html = ago(moment)

    assert html.startswith(
        '<time datetime="2026-05-22T12:00:00+00:00" title="2026-05-22 12:00 UTC">'
    )


def test_since_says_what_django_timesince_says_word_for_word():
    """`since` is timesince without its lookups: the same words for 50,000 seeded moments,
    from the same minute to decades, across month ends and leap days."""
    rng = random.Random(11)
    start = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for _ in range(50_000):
        now = start + dt.timedelta(seconds=rng.randint(0, 10**9))
        seconds = rng.choice(
            [rng.randint(-100, 10**5), rng.randint(0, 10**7), rng.randint(0, 10**9)]
        )
        moment = now - dt.timedelta(seconds=seconds, microseconds=rng.randint(0, 999_999))
        assert since(moment, now) == timesince(moment, now, time_strings=TIME_STRINGS), moment


def test_ago_of_none_says_not_fetched_yet():
    """A moment never fetched says "not fetched yet", or the words the page asks for."""
    assert ago(None) == '<span class="not-fetched">not fetched yet</span>'
    assert ago(None, empty="never released") == '<span class="not-fetched">never released</span>'


def test_ago_tag_in_a_template():
    """In a page, the tag renders the same words, and its empty text can be changed."""
    with time_machine.travel(NOW, tick=False):
        html = render(
            "{% ago moment %}|{% ago missing empty='never released' %}",
            moment=NOW - dt.timedelta(days=3),
            missing=None,
        )

    assert ">3 days ago</time>|" in html
    assert html.endswith('<span class="not-fetched">never released</span>')


# --- sparkline ----------------------------------------------------------------------------------


BAR = r"M([\d.]+) ([\d.]+)V([\d.]+)"
QUIET = r'<g class="zero" stroke-width="([\d.]+)" stroke-dasharray="([\d.]+) ([\d.]+)">(.*?)</g>'
RUN = r'<path d="M([\d.]+) [\d.]+H([\d.]+)"></path>'


def _quiet_bars(svg):
    """Return the (middle, height) of each low grey bar: a run of weeks without commits is a
    dashed line, each dash one week's bar as wide as the dash, as high as the line's stroke."""
    group = re.search(QUIET, svg)
    if group is None:
        return []
    height, dash, gap = (float(value) for value in group.groups()[:3])
    found = []
    for start, end in re.findall(RUN, group.group(4)):
        weeks = round((float(end) - float(start) + gap) / (dash + gap))
        found += [(float(start) + dash / 2 + week * (dash + gap), height) for week in range(weeks)]
    return found


def bars(svg):
    """Return the heights of a sparkline's bars, left to right (an active week a vertical
    stroke up from the baseline, as wide as the bar; weeks without commits in the group of
    class "zero")."""
    active = [(float(x), float(base) - float(top)) for x, base, top in re.findall(BAR, svg)]
    return [height for _, height in sorted(active + _quiet_bars(svg))]


def zero_bars(svg):
    """Return how many of a sparkline's bars are the low grey ones of weeks without commits."""
    return len(_quiet_bars(svg))


def test_sparkline_of_none_says_not_fetched_yet():
    """Weekly commits never fetched say "not fetched yet", not an empty chart."""
    assert sparkline(None) == '<span class="not-fetched">not fetched yet</span>'


def test_sparkline_of_an_empty_list_says_no_activity_data():
    """An empty list of weeks says there is no activity data."""
    assert "no activity data" in sparkline([])


def test_sparkline_draws_one_bar_a_week_with_a_total_label():
    """52 weekly counts give an SVG with 52 bars, labelled with the year's total."""
    weeks = [week % 5 for week in range(52)]

    svg = sparkline(weeks)

    assert svg.startswith("<svg")
    assert len(bars(svg)) == 52
    assert f'aria-label="{sum(weeks)} commits in the last 52 weeks"' in svg
    assert f"<title>{sum(weeks)} commits in the last 52 weeks</title>" in svg
    assert 'role="img"' in svg


def test_sparkline_label_uses_singular_for_one_commit():
    """One commit in the year reads "1 commit", not "1 commits"."""
    assert 'aria-label="1 commit in the last 52 weeks"' in sparkline([0] * 51 + [1])


def test_sparkline_of_a_quiet_year_has_flat_bars():
    """A year without commits draws 52 low grey bars (so the chart shows its weeks) and says
    0 commits."""
    svg = sparkline([0] * 52)

    assert bars(svg) == [2.0] * 52
    assert zero_bars(svg) == 52
    assert 'aria-label="0 commits in the last 52 weeks"' in svg


def test_sparkline_busiest_week_is_the_tallest_bar():
    """The week with most commits draws the tallest bar, and every active week is visible."""
    weeks = [0] * 52
    weeks[10], weeks[40] = 1, 100

    heights = bars(sparkline(weeks))

    assert max(heights) == heights[40]
    assert heights[10] > heights[0]  # An active week stands above a quiet one.
    assert heights[0] == 2.0


def test_sparkline_tag_in_a_template():
    """In a page, the tag renders the SVG unescaped."""
    html = render("{% sparkline weeks %}", weeks=[1] * 52)

    assert html.startswith('<svg class="sparkline"')
    assert "52 commits in the last 52 weeks" in html


# --- query_with and get_item --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("{% query_with page=4 %}", "?q=django&amp;page=4&amp;sort=stars"),
        ("{% query_with page=None %}", "?q=django&amp;sort=stars"),
        ("{% query_with page='' %}", "?q=django&amp;sort=stars"),
        ("{% query_with q='a b&c' %}", "?q=a+b%26c&amp;page=3&amp;sort=stars"),
        (
            "{% query_with category='apps' %}",
            "?q=django&amp;page=3&amp;sort=stars&amp;category=apps",
        ),
        ("{% query_with q=None page=None sort=None %}", "?"),
    ],
)
def test_query_with_changes_only_the_given_parameters(tag, expected):
    """Paging and sort links keep the other query parameters and encode values."""
    request = RequestFactory().get("/packages/?q=django&page=3&sort=stars")

    assert render(tag, request=request) == expected


def test_query_with_does_not_change_the_request():
    """Building a link leaves the request's own parameters as they were."""
    request = RequestFactory().get("/packages/?page=3")

    render("{% query_with page=4 %}", request=request)

    assert request.GET["page"] == "3"


def test_get_item_looks_up_a_key():
    """get_item returns the value for a key, and None when the key or the mapping is missing."""
    assert get_item({"a": 1}, "a") == 1
    assert get_item({"a": 1}, "b") is None
    assert get_item(None, "a") is None
    assert get_item({}, "a") is None


def test_get_item_in_a_template_escapes_the_value():
    """A value looked up in a page is escaped like any other."""
    assert render("{{ cells|get_item:key }}", cells={7: "<b>Yes</b>"}, key=7) == (
        "&lt;b&gt;Yes&lt;/b&gt;"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/docs", "https://example.org/docs"),
        ("http://example.org", "http://example.org"),
        ("javascript:alert(1)", ""),
        (" JavaScript:alert(1)", ""),
        ("data:text/html,x", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_url_keeps_only_web_addresses(url, expected):
    """Outside links keep http(s) addresses and drop every other scheme."""
    from packyard.core.templatetags.packyard import safe_url

    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Forms** for _every_ `model`.", "Forms for every model."),
        ("See [the docs](https://example.com).\n\nSecond para.", "See the docs. Second para."),
        ("Fish & chips <script>alert(1)</script>", "Fish & chips <script>alert(1)</script>"),
        ("", ""),
    ],
)
def test_markdown_text_keeps_the_words_without_marks(text, expected):
    """A summary (og:description) shows the words, not `**` or tags; `<` is text, not a tag."""
    assert markdown_text(text) == expected


def test_plain_text_filter_is_escaped_in_an_attribute():
    """The words come back unsafe, so a template escapes quotes and angle brackets."""
    rendered = Template('{% load packyard %}<meta content="{{ text|plain_text }}">').render(
        Context({"text": '*Say* "hi" <b>'})
    )

    assert rendered == '<meta content="Say &quot;hi&quot; &lt;b&gt;">'


def test_texts_are_rendered_the_same_whether_kept_or_not():
    """Short texts are kept once rendered; longer ones are rendered each time, the same way."""
    short = "**bold** and [a link](https://example.com)"
    long = (short + " ") * 200
    assert render_markdown(short) == render_markdown(short)
    assert render_markdown(long).count("<strong>bold</strong>") == 200
    assert markdown_text(short) == "bold and a link"
    assert render_markdown("") == markdown_text("") == ""
