from django.urls import path

from skrivbord.accounting.checks import views

app_name = "accounting_checks"
urlpatterns = [
    path("", views.index, name="index"),
    path("run/", views.run, name="run"),
    path("<uuid:finding_id>/resolve/", views.resolve, name="resolve"),
    path("<uuid:finding_id>/reopen/", views.reopen, name="reopen"),
]
