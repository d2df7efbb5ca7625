"""The secret feed URLs: /feeds/<company>/… with no login (the token is the key)."""

from django.urls import path

from skrivbord.activities import views_ical

app_name = "feeds"
urlpatterns = [
    path("<uuid:company_id>/u/<int:user_id>/<str:token>.ics", views_ical.user_feed, name="user"),
    path(
        "<uuid:company_id>/contact/<uuid:contact_id>/<str:token>.ics",
        views_ical.contact_feed,
        name="contact",
    ),
]
