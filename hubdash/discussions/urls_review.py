# The page of one discussion or pull request and its actions (the review's own patterns).
from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
