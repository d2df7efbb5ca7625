from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("skrivbord.core.urls")),
    path("c/<uuid:company_id>/", include("skrivbord.status.urls")),
    path("c/<uuid:company_id>/contacts/", include("skrivbord.contacts.urls")),
    path("c/<uuid:company_id>/activities/", include("skrivbord.activities.urls")),
    path("c/<uuid:company_id>/accounting/checks/", include("skrivbord.accounting.checks.urls")),
    path("c/<uuid:company_id>/accounting/reports/", include("skrivbord.accounting.reports.urls")),
    path("c/<uuid:company_id>/accounting/", include("skrivbord.accounting.urls")),
    path("c/<uuid:company_id>/sync/", include("skrivbord.sync.urls")),
    path("c/<uuid:company_id>/sync/connection/", include("skrivbord.sync.urls_connection")),
    path("help/", include("skrivbord.help.urls")),
    path("feeds/", include("skrivbord.activities.urls_feeds")),
    path("api/v1/", include("skrivbord.api.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "skrivbord.core.views.permission_denied"
