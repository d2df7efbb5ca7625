from django.urls import path

from skrivbord.sync import views_history

app_name = "sync"
urlpatterns = [
    path("", views_history.history_list, name="history"),
    path("conflicts/", views_history.conflict_list, name="conflicts"),
    path("conflicts/<uuid:conflict_id>/", views_history.conflict_detail, name="conflict_detail"),
    path(
        "conflicts/<uuid:conflict_id>/decide/",
        views_history.conflict_decide,
        name="conflict_decide",
    ),
    path(
        "conflicts/<uuid:conflict_id>/reverse/",
        views_history.conflict_reverse,
        name="conflict_reverse",
    ),
]
