"""The product's URLs plus the two floors; these exist only in the load harness."""

from django.urls import include, path

from tests.load import floors

urlpatterns = [
    path("_floor/json/", floors.json_floor, name="load-floor-json"),
    path("_floor/write/", floors.WriteFloorView.as_view(), name="load-floor-write"),
    path("", include("network.urls")),
]
