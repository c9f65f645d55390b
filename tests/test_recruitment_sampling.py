"""The sampling frame: quotas per cell or attribute, counts per stage, empty cells, suggestions."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from recruit.actors import Actor
from recruit.models import Enrollment, SamplingQuota
from recruit.services import sampling as service
from tests.conftest import client_for, make_participant

pytestmark = pytest.mark.django_db


def person(study, status="invited", **fields):
    participant = make_participant(study, **fields)
    Enrollment.objects.filter(participant=participant).update(status=status)
    return participant


def test_cells_count_each_stage_reached_and_targets_by_share(study_a):
    system = Actor.system()
    service.quota_save(actor=system, study=study_a, label="Rural women 40-55",
                       criteria={"gender": "female", "practice_setting": "rural", "age_min": 40, "age_max": 55},
                       target=2)
    service.quota_save(actor=system, study=study_a, label="Men", criteria={"gender": "male"}, target=1)
    service.quota_save(actor=system, study=study_a, label="40% women", criteria={"gender": "female"}, target=40,
                       target_is_percent=True)
    person(study_a, "scheduled", gender="female", practice_setting="rural", birth_year=1975)
    person(study_a, "eligible", gender="female", practice_setting="rural", birth_year=1980)
    person(study_a, "ineligible", gender="female", practice_setting="rural", birth_year=1978)
    person(study_a, "consented", gender="female", practice_setting="urban", birth_year=1975)
    person(study_a, "invited", gender="male")
    rural, men, women = service.sampling_frame(study_a)
    assert rural.counts == {"invited": 3, "eligible": 2, "consented": 1, "scheduled": 1}
    assert (rural.target, rural.short, rural.is_empty) == (2, 1, False)
    assert men.is_empty and men.short == 1
    assert (women.target, women.short) == (1, 0)  # 40% of the 2 consented, rounded up


def test_the_frame_is_counted_in_two_queries(study_a, django_assert_num_queries):
    for gender in ("female", "male", "female"):
        person(study_a, "eligible", gender=gender)
    for n in range(4):
        SamplingQuota.objects.create(study=study_a, label=str(n), criteria={"gender": "female"}, target=n)
    # 1: the quotas; 2: enrollments grouped by the attributes quotas test and by status.
    with django_assert_num_queries(2):
        service.sampling_frame(study_a)


def test_suggestions_are_people_who_fit_and_can_be_invited(study_a, study_b):
    fits = make_participant(study_a, enroll=False, gender="male", practice_setting="rural")
    make_participant(study_a, enroll=False, gender="male", practice_setting="rural", do_not_contact=True)
    make_participant(study_a, gender="male", practice_setting="rural")  # already in the study
    make_participant(study_a, enroll=False, gender="female", practice_setting="rural")
    make_participant(study_b, enroll=False, gender="male", practice_setting="rural")  # not coordinator A's
    quota = SamplingQuota.objects.create(study=study_a, label="Rural men",
                                         criteria={"gender": "male", "practice_setting": "rural"}, target=3)
    cell = [c for c in service.sampling_frame(study_a) if c.quota_id == quota.pk][0]
    from recruit.models import Membership
    coordinator = Membership.objects.get(study=study_a).user
    assert service.suggestions(actor=Actor(user=coordinator), study=study_a, cell=cell) == [fits]


def test_suggestions_for_many_short_cells_cost_one_query(study_a, actor_a, django_assert_num_queries):
    setting = {}
    for gender in ("female", "male"):
        for place in ("urban", "rural"):
            setting[gender, place] = [make_participant(study_a, enroll=False, gender=gender, practice_setting=place)
                                      for _ in range(3)]
    make_participant(study_a, enroll=False, gender="female", practice_setting="rural", do_not_contact=True)
    quotas = {key: SamplingQuota.objects.create(study=study_a, label=" ".join(key), target=4,
                                                criteria={"gender": key[0], "practice_setting": key[1]})
              for key in setting}
    quotas["women"] = SamplingQuota.objects.create(study=study_a, label="Women", criteria={"gender": "female"},
                                                   target=9)
    cells = service.sampling_frame(study_a)
    assert all(cell.short for cell in cells)

    # 1: registry people who may be invited, with each cell's fit and place among those who fit.
    with django_assert_num_queries(1):
        found = service.suggestions_for_cells(actor=actor_a, study=study_a, cells=cells, limit=2)
    with django_assert_num_queries(1):
        service.suggestions_for_cells(actor=actor_a, study=study_a, cells=cells[:2], limit=2)

    for key, people in setting.items():
        assert found[quotas[key].pk] == people[:2]  # the two oldest registry entries of the cell
    women = setting["female", "urban"] + setting["female", "rural"]
    assert found[quotas["women"].pk] == sorted(women, key=lambda p: (p.created_at, p.pk))[:2]


def test_the_frame_page_suggests_for_every_short_cell(study_a, coordinator_a):
    urban = make_participant(study_a, enroll=False, practice_setting="urban", family_name="Urbansen")
    rural = make_participant(study_a, enroll=False, practice_setting="rural", family_name="Ruralsen")
    for place in ("urban", "rural"):
        SamplingQuota.objects.create(study=study_a, label=place, criteria={"practice_setting": place}, target=1)
    page = client_for(coordinator_a).get(reverse("sampling-frame", args=[study_a.pk])).content.decode()
    assert urban.family_name in page and rural.family_name in page


def test_bad_criteria_are_refused(study_a, actor_a):
    with pytest.raises(ValidationError):
        service.quota_save(actor=actor_a, study=study_a, label="x", criteria={"age_min": 60, "age_max": 40}, target=1)
    with pytest.raises(ValidationError):
        service.quota_save(actor=actor_a, study=study_a, label="x", criteria={}, target=1)
    assert not SamplingQuota.objects.exists()


def test_the_frame_page_highlights_empty_cells_and_is_per_study(study_a, study_b, coordinator_a):
    client = client_for(coordinator_a)
    client.post(reverse("sampling-frame", args=[study_a.pk]), {"label": "Rural", "practice_setting": "rural",
                                                                "target": "2"})
    page = client.get(reverse("sampling-frame", args=[study_a.pk])).content.decode()
    assert 'class="cell-empty"' in page and "<meter" in page and "style=" not in page
    assert client.get(reverse("sampling-frame", args=[study_b.pk])).status_code == 404
