from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("intake.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/handbook/", include("handbook.api_urls")),
    path("api/v1/", include("network.api_urls")),
    path("", include("intake.page_urls")),
    path("", include("handbook.page_urls")),
    path("", include("network.page_urls")),
]
