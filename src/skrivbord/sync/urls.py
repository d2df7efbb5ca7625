from django.urls import path

from skrivbord.sync import views_history

app_name = "sync"
urlpatterns = [
    path("", views_history.history, name="history"),
]
