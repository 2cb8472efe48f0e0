from rest_framework.routers import SimpleRouter

from accounts.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="api-customer")
router.register("contacts", views.ContactViewSet, basename="api-contact")
router.register("contact-imports", views.ContactImportViewSet, basename="api-contact-import")

urlpatterns = router.urls
