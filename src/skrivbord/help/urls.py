from django.urls import path

from skrivbord.help import views

app_name = "help"
urlpatterns = [
    path("", views.page, {"page": "index"}, name="index"),
    path("<slug:page>/", views.page, name="page"),
]
