from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "skrivbord.api"
    label = "api"
    verbose_name = "REST API"
