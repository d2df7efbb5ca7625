from django.urls import path

from skrivbord.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("<uuid:activity_id>/", views.activity_detail, name="detail"),
    path("<uuid:activity_id>/edit/", views.activity_edit, name="edit"),
    path("<uuid:activity_id>/delete/", views.activity_delete, name="delete"),
    path("<uuid:activity_id>/done/", views.activity_done, name="done"),
]
