"""hubdash's URLs plus `bench-trivial/`: the baseline every page is compared with in the same run."""

import os

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def trivial(request: HttpRequest) -> HttpResponse:
    # The worker's pid lets the bench pin a keep-alive connection to a known worker.
    return HttpResponse(str(os.getpid()), content_type="text/plain")


urlpatterns = [
    path("bench-trivial/", trivial),
    path("", include("hubdash.urls")),
]
