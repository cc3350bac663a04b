from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.sitemaps import SITEMAPS

from .views import healthz

admin.site.site_header = "Newsroom administration"
admin.site.site_title = "Newsroom"
admin.site.index_title = "Publishing and moderation"

urlpatterns = [
    path("", include("articles.urls")),
    path("", include("comments.urls")),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
