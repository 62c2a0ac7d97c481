"""The statistics page's numbers and charts, read in a fixed number of queries.

Packages, grids and people; packages by category, code host, status and month added; the
share of packages working with each Django and Python release; and how fresh the facts are.
Thirteen queries, whatever the number of packages.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.utils import timezone

from packyard.accounts.selectors import people_count
from packyard.catalog import statistics as catalog
from packyard.compatibility import statistics as compatibility
from packyard.compatibility.models import ReleaseCycle, SupportSnapshot
from packyard.grids.selectors import grids_count
from packyard.pages.open.charts import Chart, Series, bar_chart, column_chart, line_chart
from packyard.refresh import statistics as refresh
from packyard.refresh.models import FetchStatus

PRODUCT_NAMES = {"django": "Django", "python": "Python"}
# Short enough for a table on a phone.
FAILURE_HEADERS = {
    FetchStatus.FAILING: "Failed",
    FetchStatus.RATE_LIMITED: "Rate limited",
    FetchStatus.MISSING: "Missing",
}


@dataclass(frozen=True)
class Statistics:
    packages: int
    grids: int
    people: int
    freshness: refresh.Freshness
    charts: list[Chart]


def _packages(count: int) -> str:
    return f"{count:,} package" if count == 1 else f"{count:,} packages"


def _support_chart(product: str, shares: list[compatibility.CycleShare]) -> Chart:
    name = PRODUCT_NAMES[product]
    return line_chart(
        slug=f"support-{product}",
        title=f"Share of packages working with each {name} release",
        description=(
            f"{name} releases, oldest first, and the share of every package in the directory "
            "whose latest release says it works with each."
        ),
        names=[share.cycle.cycle for share in shares],
        series=[
            Series(
                name=name,
                points=[
                    (
                        share.share,
                        f"{name} {share.cycle.cycle}: {share.percent}% ({_packages(share.yes)})",
                    )
                    for share in shares
                ],
            )
        ],
        headers=(f"{name} release", "Released", "Works", "Does not", "Unknown", "Share"),
        rows=[
            (
                share.cycle.cycle,
                share.cycle.release_date.strftime("%Y-%m") if share.cycle.release_date else "—",
                f"{share.yes:,}",
                f"{share.no:,}",
                f"{share.unknown:,}",
                f"{share.percent}%",
            )
            for share in shares
        ],
    )


# Up to this many days of history are drawn a point a day; longer, a point a month (its last).
DAILY_POINTS = 120


def _history_chart(
    product: str, cycles: list[ReleaseCycle], snapshots: list[SupportSnapshot]
) -> Chart:
    """Draw the share of packages working with each release supported today, as recorded
    each day (a point a day, or a point a month once the history is long)."""
    name = PRODUCT_NAMES[product]
    ids = {cycle.pk for cycle in cycles}
    rows = [row for row in snapshots if row.cycle_id in ids]
    days = sorted({row.day for row in rows})
    monthly = len(days) > DAILY_POINTS
    if monthly:
        days = sorted({(day.year, day.month): day for day in days}.values())
    label = "%Y-%m" if monthly else "%Y-%m-%d"
    found = {(row.day, row.cycle_id): row for row in rows}
    names = [day.strftime(label) for day in days]

    def point(cycle: ReleaseCycle, day: date, name_of_day: str) -> tuple[float | None, str]:
        row = found.get((day, cycle.pk))
        if row is None:
            return None, ""
        return row.share, (
            f"{name} {cycle.cycle}, {name_of_day}: {row.percent}% "
            f"({_packages(row.yes)} of {row.packages:,})"
        )

    def cell(cycle: ReleaseCycle, day: date) -> str:
        row = found.get((day, cycle.pk))
        return f"{row.percent}%" if row else "—"

    first = days[0].isoformat() if days else "its first day"
    return line_chart(
        slug=f"history-{product}",
        title=f"Share of packages working with each supported {name} release, over time",
        description=(
            f"For each {name} release supported today: the share of every package in the "
            f"directory that worked with it, as recorded each day since {first}"
            + (" (a point per month, its last day)." if monthly else ".")
        ),
        names=names,
        series=[
            Series(
                name=f"{name} {cycle.cycle}",
                points=[point(cycle, day, shown) for day, shown in zip(days, names, strict=True)],
            )
            for cycle in cycles
        ],
        headers=("Month" if monthly else "Day", *(f"{name} {cycle.cycle}" for cycle in cycles)),
        rows=[
            (shown, *(cell(cycle, day) for cycle in cycles))
            for day, shown in zip(days, names, strict=True)
        ],
    )


def _recorded_chart(cycles: list[ReleaseCycle], *, packages: int, today: date) -> Chart:
    """Draw, for each Django release supported today (`cycles`), the share of packages whose
    "works" answer had been recorded by the end of each month."""
    recorded = compatibility.works_recorded_by_month(cycles=cycles)
    firsts = [min(months) for months in recorded.values() if months]
    months = catalog.months_between(min(firsts), today) if firsts else []
    running: dict[int, list[int]] = {}
    for cycle in cycles:
        total = 0
        running[cycle.pk] = []
        for month in months:
            total += recorded[cycle.pk].get(month, 0)
            running[cycle.pk].append(total)
    names = [month.strftime("%Y-%m") for month in months]
    return line_chart(
        slug="recorded",
        title="Packages working with each supported Django release, month by month",
        description=(
            "For each Django release supported today: the share of every package whose current "
            "answer is that it works, counted at the end of each month since the first was "
            "recorded. An answer counts from the month it last changed, so an answer that "
            "changed since counts only as it is now; the daily record keeps what it was."
        ),
        names=names,
        series=[
            Series(
                name=f"Django {cycle.cycle}",
                points=[
                    (
                        count / packages if packages else 0.0,
                        f"Django {cycle.cycle}, {name}: {_packages(count)}",
                    )
                    for name, count in zip(names, running[cycle.pk], strict=True)
                ],
            )
            for cycle in cycles
            if months
        ],
        headers=("Month", *(f"Django {cycle.cycle}" for cycle in cycles)),
        rows=[
            (name, *(f"{running[cycle.pk][index]:,}" for cycle in cycles))
            for index, name in enumerate(names)
        ],
    )


def _freshness_chart(freshness: refresh.Freshness) -> Chart:
    hours = f"{freshness.interval_hours:g}"
    return bar_chart(
        slug="freshness",
        title="How fresh the packages' facts are",
        description=(
            f"Packages whose facts from their code host and PyPI were all fetched in the last "
            f"{hours} hours (the refresh interval), fetched longer ago, or never fetched yet."
        ),
        items=[
            (f"Fetched in the last {hours} hours", freshness.fresh),
            ("Fetched longer ago", freshness.stale),
            ("Never fetched", freshness.never),
        ],
        headers=("Facts", "Packages"),
        whole=freshness.packages,
    )


def _failures_chart(hosts: list[refresh.HostFailures]) -> Chart:
    chart = bar_chart(
        slug="failures",
        title="Sources whose last fetch went wrong, by host",
        description=(
            "For each code host and PyPI: how many packages' facts failed to come, wait for "
            "the host's rate limit, or point at a repository that is missing."
        ),
        items=[(host.label, host.total) for host in hosts],
        headers=("Host", "Failures"),
    )
    rows = [
        (
            host.label,
            *(f"{host.counts.get(status, 0):,}" for status in FAILURE_HEADERS),
            f"{host.total:,}",
        )
        for host in hosts
    ]
    headers = ("Host", *FAILURE_HEADERS.values(), "In all")
    return replace(chart, headers=headers, rows=rows)


def site_statistics(*, now: datetime, interval_hours: float) -> Statistics:
    """Return the directory's totals and the charts of the statistics page."""
    packages, statuses = catalog.packages_by_status()
    months = catalog.packages_added_by_month()
    charts = [
        bar_chart(
            slug="categories",
            title="Packages by category",
            description="How many packages each category holds, most first.",
            items=[(item.label, item.count) for item in catalog.packages_by_category()],
            headers=("Category", "Packages"),
            whole=packages,
        ),
        bar_chart(
            slug="hosts",
            title="Packages by code host",
            description="Where the packages' repositories are kept, most first.",
            items=[(item.label, item.count) for item in catalog.packages_by_host()],
            headers=("Code host", "Packages"),
            whole=packages,
        ),
        bar_chart(
            slug="statuses",
            title="Packages by status",
            description=(
                "Maintained packages are neither archived nor deprecated, and their repository "
                "is where it was."
            ),
            items=[(item.label, item.count) for item in statuses],
            headers=("Status", "Packages"),
            whole=packages,
        ),
    ]
    support = compatibility.support_by_cycle(packages=packages)
    charts += [_support_chart(product, shares) for product, shares in support.items()]
    today = timezone.localdate(now)
    supported = {
        product: [share.cycle for share in shares if share.cycle.is_supported_on(today)]
        for product, shares in support.items()
    }
    history = compatibility.support_history(
        cycles=[cycle for cycles in supported.values() for cycle in cycles], today=today
    )
    if history:
        charts += [
            _history_chart(product, cycles, history) for product, cycles in supported.items()
        ]
    charts.append(_recorded_chart(supported["django"], packages=packages, today=today))
    charts.append(
        column_chart(
            slug="added",
            title="Packages added per month",
            description="How many packages were added to the directory each month, oldest first.",
            items=[(month.month.strftime("%Y-%m"), month.count) for month in months],
            headers=("Month", "Packages added"),
        )
    )
    freshness = refresh.freshness(now=now, interval_hours=interval_hours)
    charts.append(_freshness_chart(freshness))
    charts.append(_failures_chart(refresh.failures_by_host()))
    return Statistics(
        packages=packages,
        grids=grids_count(),
        people=people_count(),
        freshness=freshness,
        charts=charts,
    )
