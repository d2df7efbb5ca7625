from django.urls import path

from skrivbord.accounting.reports import views

app_name = "accounting_reports"
urlpatterns = [
    path("", views.statements_page, name="statements"),
    path("trend/", views.trend_page, name="trend"),
    path("objects/", views.objects_page, name="objects"),
    path("figures/", views.figures_page, name="figures"),
    path("figures/<slug:key>/", views.figure_page, name="figure"),
    path("export.xlsx", views.export_xlsx, name="export"),
    path("ledger/<str:account>.xlsx", views.ledger_xlsx, name="ledger"),
]
