from django.urls import include, path

from kinmap.api.views import api
from kinmap.web import views as web_views

handler400 = "kinmap.web.errors.bad_request"

urlpatterns = [
    path("sign-in/", web_views.SignIn.as_view(), name="login"),
    path("sign-out/", web_views.sign_out, name="logout"),
    path("healthz", web_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("", include("kinmap.records.urls")),
    path("", include("kinmap.sharing.urls")),
    path("", include("kinmap.accounts.urls")),
    path("", include("kinmap.audit.urls")),
    path("", include("kinmap.gaps.urls")),
    path("", include("kinmap.carers.urls")),
    path("", include("kinmap.genogram.urls")),
    path("", include("kinmap.jobs.urls")),
    path("", include("kinmap.chronology.urls")),
    path("", include("kinmap.merging.urls")),
    path("", include("kinmap.matching.urls")),
]
