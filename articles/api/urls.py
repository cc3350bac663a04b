from django.urls import path

from newsroom.api import shared_api_view

from . import views

urlpatterns = [
    path("articles/", shared_api_view(views.ArticleList), name="article-list"),
    path("articles/<slug:slug>/", shared_api_view(views.ArticleDetail), name="article-detail"),
]
