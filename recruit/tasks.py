"""Background tasks (the django-tasks API); run by `manage.py db_worker`, immediately in tests."""
from django_tasks import task

from recruit.services.messages import message_send


@task()
def send_message(message_id: int) -> str:
    return message_send(message_id)
