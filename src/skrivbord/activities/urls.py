from django.urls import path

from skrivbord.activities import (
    views,
    views_availability,
    views_calendar,
    views_ical,
    views_settings,
)

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="list"),
    path("new/", views.activity_create, name="create"),
    path("export.ics", views_ical.export, name="export"),
    path("import/", views_ical.import_file, name="import"),
    path("feeds/", views_ical.feeds, name="feeds"),
    path("feeds/new/", views_ical.feed_create, name="feed_create"),
    path("feeds/<uuid:feed_id>/replace/", views_ical.feed_replace, name="feed_replace"),
    path("feeds/<uuid:feed_id>/revoke/", views_ical.feed_revoke, name="feed_revoke"),
    path("<uuid:activity_id>/", views.activity_detail, name="detail"),
    path("<uuid:activity_id>/edit/", views.activity_edit, name="edit"),
    path("<uuid:activity_id>/delete/", views.activity_delete, name="delete"),
    path("<uuid:activity_id>/done/", views.activity_done, name="done"),
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("<uuid:activity_id>/move/", views_calendar.activity_move, name="move"),
]
# Availability and settings (issue 5, part 2c).
urlpatterns += [
    path("availability/", views_availability.check, name="availability"),
    path("availability/free-slot/", views_availability.free_slot, name="free_slot"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("settings/types/new/", views_settings.type_create, name="type_create"),
    path("settings/types/<uuid:type_id>/", views_settings.type_edit, name="type_edit"),
    path("settings/resources/new/", views_settings.resource_create, name="resource_create"),
    path(
        "settings/resources/<uuid:resource_id>/",
        views_settings.resource_edit,
        name="resource_edit",
    ),
    path("settings/working-hours/", views_settings.working_hours, name="working_hours"),
]
