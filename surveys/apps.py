from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        from anymail.signals import tracking

        from surveys.hooks import email_tracking_received

        tracking.connect(email_tracking_received, dispatch_uid="pulse-email-tracking")
