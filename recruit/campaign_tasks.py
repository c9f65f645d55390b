"""The campaign's sending task (django-tasks): sends what is due, then schedules its next run."""
from django_tasks import task

from recruit.services.campaigns import campaign_send_due


@task()
def send_campaign(campaign_id: int, sending_round: int) -> int:
    return campaign_send_due(campaign_id, sending_round)
