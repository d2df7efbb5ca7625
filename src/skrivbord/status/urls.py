from django.urls import path

from skrivbord.status import views

app_name = "status"
urlpatterns = [
    path("", views.index, name="index"),
    path("sync-tile/", views.sync_tile, name="sync_tile"),
]
