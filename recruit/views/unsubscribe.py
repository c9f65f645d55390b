"""The unsubscribe link in every campaign e-mail. GET only asks (mail scanners open links); the
one-click POST sets do-not-contact at once."""
from django.shortcuts import render

from recruit.actors import Actor
from recruit.models import PersonalLink
from recruit.services.campaigns import participant_unsubscribe
from recruit.services.links import link_complete
from recruit.views.links import LANDINGS, participant_link_required

LANDINGS[PersonalLink.Purpose.UNSUBSCRIBE] = "unsubscribe"


@participant_link_required(PersonalLink.Purpose.UNSUBSCRIBE, allow_completed=True)
def unsubscribe(request):
    enrollment = request.enrollment
    done = request.link.completed_at is not None
    if request.method == "POST" and not done:
        participant_unsubscribe(actor=Actor.participant(request), participant=enrollment.participant,
                                study=enrollment.study)
        link_complete(request.link)
        done = True
    return render(request, "participant/unsubscribe.html", {"enrollment": enrollment, "done": done})
