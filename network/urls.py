from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from network.language import set_language
from network.views import PasswordResetView

# The split view serves Swagger UI's start-up code as a script file (?script), so the page
# needs no inline script; its template still carries a small <style> block, allowed here only.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

# Password reset by email (Django's views and URL names; the first keeps hourly limits, see
# network/views.py; the templates are in network/templates/registration/). The "sent" page is
# the same whether or not the address belongs to an account, so it reveals nobody.
password_reset_urls = [
    path("", PasswordResetView.as_view(), name="password_reset"),
    path("sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

# Errors outside any API view (no route, an escaped exception, a middleware's refusal) answer
# JSON under /api/ and the project's pages elsewhere (network/api_errors.py).
handler400 = "network.api_errors.bad_request"
handler403 = "network.api_errors.permission_denied"
handler404 = "network.api_errors.page_not_found"
handler500 = "network.api_errors.server_error"

# The bid models moved from the intake app to their own (label "bids"): the admin's old
# addresses, bookmarked or linked from mail, answer with a permanent redirect to the new ones.
BID_MODELS_MOVED = (
    "bid|bidmember|bidinterest|agreementversion|agreementsignature|hoursentry|settlement"
    "|statementapproval|bidevent"
)
moved_bid_admin = RedirectView.as_view(
    url="/admin/bids/%(model)s/%(rest)s", permanent=True, query_string=True
)

urlpatterns = [
    path(
        "admin/intake/",
        include([re_path(rf"^(?P<model>{BID_MODELS_MOVED})/(?P<rest>.*)$", moved_bid_admin)]),
    ),
    path("admin/", admin.site.urls),
    # The footer's language switcher: Django's set_language, remembered on a member's account.
    path("language/", set_language, name="set_language"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
    path("api/v1/", include("intake.api_urls")),
    path("api/v1/", include("intake.bids.api_urls")),
    path("api/v1/", include("matching.api_urls")),
    path("api/v1/handbook/", include("handbook.api_urls")),
    path("api/v1/", include("network.api_urls")),
    path("accounts/password-reset/", include(password_reset_urls)),
    path("", include("intake.page_urls")),
    path("", include("intake.bids.page_urls")),
    path("", include("handbook.page_urls")),
    path("", include("network.page_urls")),
]
