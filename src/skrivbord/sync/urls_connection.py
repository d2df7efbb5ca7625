from django.urls import path

from skrivbord.sync import views_connection

app_name = "sync_connection"
urlpatterns = [
    path("", views_connection.connection, name="index"),
    # Online node
    path("token/", views_connection.token_create, name="token_create"),
    path("end/", views_connection.online_disconnect, name="online_disconnect"),
    path("policy/", views_connection.policy, name="policy"),
    # Office node
    path("connect/", views_connection.connect, name="connect"),
    path("disconnect/", views_connection.disconnect, name="disconnect"),
]
