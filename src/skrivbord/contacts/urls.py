from django.urls import path

from skrivbord.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<uuid:contact_id>/", views.contact_detail, name="detail"),
    path("<uuid:contact_id>/edit/", views.contact_edit, name="edit"),
    path("<uuid:contact_id>/delete/", views.contact_delete, name="delete"),
    path("<uuid:contact_id>/active/", views.contact_set_active, name="set_active"),
    path("<uuid:contact_id>/persons/new/", views.person_create, name="person_create"),
    path("<uuid:contact_id>/persons/<uuid:person_id>/edit/", views.person_edit, name="person_edit"),
    path(
        "<uuid:contact_id>/persons/<uuid:person_id>/delete/",
        views.person_delete,
        name="person_delete",
    ),
]
