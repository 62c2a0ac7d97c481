import pytest

from packyard.catalog.tests.factories import FetchedPackageFactory


@pytest.mark.django_db
def test_package_page_shows_title(client):
    """A package page answers with the package's title."""
    package = FetchedPackageFactory()
    response = client.get(package.get_absolute_url())
    assert response.status_code == 200
    assert package.title in response.text
