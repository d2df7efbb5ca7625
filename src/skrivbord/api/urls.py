from django.urls import path

from skrivbord.api.main import api

urlpatterns = [path("", api.urls)]
