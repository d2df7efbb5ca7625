from django.urls import path

from skrivbord.accounting import views

app_name = "accounting"
urlpatterns = [
    path("", views.index, name="index"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<str:number>/", views.account, name="account"),
    path("years/", views.years, name="years"),
    path("series/", views.series, name="series"),
    path("vouchers/", views.vouchers, name="vouchers"),
    # Voucher ids are UUIDs (UUIDv7, as every synchronised record).
    path("vouchers/<uuid:pk>/", views.voucher, name="voucher"),
    path("import/", views.sie_import, name="import"),
    path("import/<uuid:upload_id>/", views.sie_import_status, name="import_status"),
    path("export/", views.sie_export, name="export"),
    path("chart/", views.chart_start, name="chart_start"),
]
