"""The web layer: every page, form and address, above the domain apps it combines.

One package per area (catalog, grids, accounts, refresh, scoring, compatibility, search) holds
its views, forms and URLs; site-wide pages (home, health, robots.txt, errors, the sitemap) sit
here. Domain apps never import from this package.
"""
