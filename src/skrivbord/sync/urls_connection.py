from django.urls import path

from skrivbord.sync import views_connection

app_name = "sync_connection"
urlpatterns = [
    path("", views_connection.connection, name="index"),
]
