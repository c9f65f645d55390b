"""Paging a long, filtered, sorted list: every row once, in order, with the right total."""
import pytest
from django.core.paginator import EmptyPage

from recruit.models import Participant
from recruit.pagination import DeferredJoinPaginator
from recruit.selectors import participants_visible_to

from .conftest import api_for, make_participant

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(study_a, coordinator_a):
    for n in range(11):
        make_participant(study_a, family_name=f"Name{(n * 7) % 11:02d}")
    make_participant(None, family_name="Aaa-not-in-my-study")
    return participants_visible_to(coordinator_a).select_related("county").order_by("family_name", "id")


def test_pages_hold_every_visible_row_once_in_order(listed):
    paginator = DeferredJoinPaginator(listed, 4)
    pages = [paginator.page(n) for n in (1, 2, 3)]
    names = [p.family_name for page in pages for p in page.object_list]
    assert names == [f"Name{n:02d}" for n in range(11)]
    assert paginator.count == 11 and paginator.num_pages == 3
    assert (pages[0].has_next(), pages[2].has_next(), len(pages[2])) == (True, False, 3)
    assert pages[1].object_list[0].county.code == "46"  # the list's joins are kept


def test_a_page_past_the_end_is_refused_and_the_web_list_shows_the_last(listed):
    paginator = DeferredJoinPaginator(listed, 4)
    with pytest.raises(EmptyPage):
        paginator.page(4)
    assert paginator.get_page(99).number == 3
    assert paginator.get_page("x").number == 1


def test_an_empty_list_has_one_empty_page():
    paginator = DeferredJoinPaginator(Participant.objects.none().order_by("id"), 4)
    page = paginator.page(1)
    assert (list(page.object_list), paginator.count) == ([], 0)


def test_orphans_join_the_last_page(listed):
    paginator = DeferredJoinPaginator(listed, 4, orphans=3)
    assert [len(paginator.page(n)) for n in (1, 2)] == [4, 7]
    assert paginator.num_pages == 2


def test_the_api_answers_404_past_the_last_page(coordinator_a, listed):
    api = api_for(coordinator_a)
    assert api.get("/api/v1/participants/?page_size=4&page=3").json()["count"] == 11
    assert api.get("/api/v1/participants/?page_size=4&page=4").status_code == 404
