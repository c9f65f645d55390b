"""Demo data: realistic Norwegian GPs and two studies modelled on our users' work.

Deterministic for a seed, and safe to run twice: people are matched by e-mail, studies by
code, enrollments by (study, participant). Everything goes through the services, so the
demo has the same audit trail and status history as real use.
"""
import random
import secrets
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from faker import Faker

from recruit.actors import Actor
from recruit.models import Enrollment, Membership, Participant, Region, Study
from recruit.pipeline import Status
from recruit.services.enrollments import enrollment_create, enrollment_transition
from recruit.services.participants import participant_create
from recruit.services.studies import membership_add, study_create

DEMO_USERNAME = "demo"

# A few municipalities per county (2024 division), for plausible addresses and practice names.
MUNICIPALITIES = {
    "03": ["Oslo"],
    "11": ["Stavanger", "Sandnes", "Haugesund", "Eigersund", "Sauda"],
    "15": ["Ålesund", "Molde", "Kristiansund", "Ørsta", "Surnadal"],
    "18": ["Bodø", "Narvik", "Rana", "Vågan", "Brønnøy"],
    "31": ["Fredrikstad", "Sarpsborg", "Moss", "Halden", "Aremark"],
    "32": ["Bærum", "Lillestrøm", "Asker", "Lørenskog", "Nes"],
    "33": ["Drammen", "Kongsberg", "Ringerike", "Hol", "Nore og Uvdal"],
    "34": ["Hamar", "Lillehammer", "Gjøvik", "Elverum", "Lom"],
    "39": ["Sandefjord", "Larvik", "Tønsberg", "Horten", "Færder"],
    "40": ["Skien", "Porsgrunn", "Notodden", "Vinje", "Kragerø"],
    "42": ["Kristiansand", "Arendal", "Grimstad", "Flekkefjord", "Valle"],
    "46": ["Bergen", "Øygarden", "Voss", "Sogndal", "Stryn"],
    "50": ["Trondheim", "Steinkjer", "Stjørdal", "Levanger", "Røros"],
    "55": ["Tromsø", "Harstad", "Senja", "Lyngen"],
    "56": ["Alta", "Hammerfest", "Sør-Varanger", "Vardø"],
}
CITIES = {"Oslo", "Bergen", "Trondheim", "Stavanger", "Bærum", "Kristiansand", "Tromsø", "Drammen",
          "Fredrikstad", "Sandnes", "Asker", "Lillestrøm", "Sarpsborg", "Skien", "Ålesund", "Bodø"}

STUDIES = [
    {
        "code": "GPQI",
        "title": "GP motivation for quality improvement",
        "description": (
            "Five focus groups of 4–5 general practitioners, varied in age, gender, experience and "
            "geography, on what makes GPs take part in quality improvement work."
        ),
        "principal_investigator": "Professor Ingrid Haugland",
        "ethics_reference": "Sikt 482913",
        # status: how many GPs end up there
        "plan": {Status.INVITED: 8, Status.RESPONDED: 4, Status.INELIGIBLE: 2, Status.ELIGIBLE: 3,
                 Status.CONSENTED: 21, Status.WITHDRAWN: 2},
        "role": "gp",
    },
    {
        "code": "CMOAB",
        "title": "Municipal chief medical officers and antibiotic stewardship",
        "description": (
            "Telephone and group interviews with 12 municipal chief medical officers on how "
            "municipalities support prudent antibiotic use in primary care."
        ),
        "principal_investigator": "Associate professor Lars Eikeland",
        "ethics_reference": "REK 2026/71234",
        "plan": {Status.INVITED: 1, Status.RESPONDED: 1, Status.ELIGIBLE: 2, Status.CONSENTED: 8},
        "role": "chief_medical_officer",
    },
]

# How an enrollment reaches each status through the pipeline's allowed moves.
PATHS = {
    Status.INVITED: [],
    Status.RESPONDED: [Status.RESPONDED],
    Status.ELIGIBLE: [Status.RESPONDED, Status.ELIGIBLE],
    Status.INELIGIBLE: [Status.RESPONDED, Status.INELIGIBLE],
    Status.CONSENTED: [Status.RESPONDED, Status.ELIGIBLE, Status.CONSENTED],
    Status.WITHDRAWN: [Status.RESPONDED, Status.WITHDRAWN],
}


@dataclass
class SeedResult:
    participants_created: int
    participants_existing: int
    studies_created: int
    enrollments_created: int
    demo_password: str | None


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum() or ch == "-")


def generate_people(count: int, seed: int) -> list[dict]:
    """Plain dicts of demo people; the same seed and count give the same people."""
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    fake = Faker("no_NO")
    fake.seed_instance(seed)
    this_year = timezone.localdate().year
    regions = list(Region.objects.filter(country="NO").order_by("code"))
    weights = [region.population or 1 for region in regions]
    officers = max(14, count // 15)
    practices: dict[str, list[str]] = {}
    people = []
    for index in range(count):
        # Norway's GPs: about 45 % women; a very few give another or no answer.
        roll = rng.random()
        gender = "female" if roll < 0.45 else "male" if roll < 0.99 else rng.choice(["other", "undisclosed"])
        given = fake.first_name_female() if gender == "female" else fake.first_name_male()
        family = fake.last_name()
        age = round(rng.triangular(28, 70, 46))
        # General practice starts after six years of study and internship: at 27 at the earliest.
        experience = min(age - 27, round(rng.triangular(0, age - 27, (age - 27) * 0.6)))
        region = rng.choices(regions, weights)[0]
        municipality = rng.choice(MUNICIPALITIES.get(region.code, [region.name]))
        if region.code == "03" or municipality in CITIES:
            setting = rng.choices(["urban", "semi_urban"], [0.85, 0.15])[0]
        else:
            setting = rng.choices(["urban", "semi_urban", "rural"], [0.25, 0.30, 0.45])[0]
        # About four GPs a practice, so colleagues appear together in the registry.
        local = practices.setdefault(municipality, [])
        if not local or rng.random() < 0.3:
            local.append(f"{fake.street_name()} legesenter, {municipality}")
        role = "chief_medical_officer" if index < officers else "gp"
        people.append({
            "given_name": given,
            "family_name": family,
            "email": f"{_ascii(given)}.{_ascii(family)}.{index}@example.org",
            "phone": fake.phone_number(),
            "birth_year": this_year - age,
            "gender": gender,
            "gp_start_year": this_year - experience,
            "is_specialist": experience >= 5 and rng.random() < 0.75,
            "role": role,
            "county": region,
            "municipality": municipality,
            "practice_setting": setting,
            "practice_name": rng.choice(local),
            "hpr_number": str(1_000_000 + seed * 100_000 + index),
            "cme_group": f"{municipality} smågruppe {rng.randint(1, 3)}",
            "preferred_language": "en" if rng.random() < 0.05 else "nb",
        })
    return people


def _demo_user(stdout_password: list):
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            DEMO_USERNAME, email="demo@example.org", password=password,
            first_name="Demo", last_name="Coordinator", is_staff=True,
        )
        stdout_password.append(password)
    group, _ = Group.objects.get_or_create(name="Coordinators")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="recruit", codename__regex=r"^(view|add|change)_")
    )
    user.groups.add(group)
    return user


@transaction.atomic
def seed(*, participants: int = 200, seed: int = 1) -> SeedResult:
    password: list[str] = []
    user = _demo_user(password)
    actor = Actor(user=user, label="seed_demo")
    this_year = timezone.localdate().year

    studies, studies_created = {}, 0
    for spec in STUDIES:
        study = Study.objects.filter(code=spec["code"]).first()
        if study is None:
            study = study_create(
                actor=actor, code=spec["code"], title=spec["title"], description=spec["description"],
                principal_investigator=spec["principal_investigator"], ethics_reference=spec["ethics_reference"],
                start_date=timezone.datetime(this_year, 1, 15).date(),
                end_date=timezone.datetime(this_year + 2, 6, 30).date(), status=Study.Status.RECRUITING,
            )
            studies_created += 1
        elif not Membership.objects.filter(study=study, user=user).exists():
            membership_add(actor=Actor.system("seed_demo"), study=study, user=user, role=Membership.Role.OWNER)
        studies[spec["code"]] = study

    created = existing = 0
    people = []
    known = {email.lower(): pk for pk, email in Participant.objects.values_list("pk", "email")}
    for index, fields in enumerate(generate_people(participants, seed)):
        if fields["email"].lower() in known:
            existing += 1
            people.append(Participant.objects.get(pk=known[fields["email"].lower()]))
            continue
        study = studies["CMOAB"] if fields["role"] == "chief_medical_officer" else studies["GPQI"]
        people.append(participant_create(actor=actor, study=study, **fields))
        created += 1

    for study in studies.values():
        seed_consent(actor=actor, study=study)

    enrollments_created = 0
    for spec in STUDIES:
        study = studies[spec["code"]]
        pool = [p for p in people if p.role == spec["role"]]
        targets = [status for status, n in spec["plan"].items() for _ in range(n)]
        for participant, target in zip(pool, targets):
            if Enrollment.objects.filter(study=study, participant=participant).exists():
                continue
            enrollment = enrollment_create(actor=actor, study=study, participant=participant)
            for step in PATHS[target]:
                if step == Status.CONSENTED:
                    demo_sign(enrollment)  # consented only through a signature
                else:
                    enrollment_transition(actor=actor, enrollment=enrollment, to_status=step)
            enrollments_created += 1
    return SeedResult(created, existing, studies_created, enrollments_created, password[0] if password else None)


def seed_consent(*, actor: Actor, study: Study) -> None:
    """A published version 1 of the study's consent text in bokmål and English (skipped if it has any)."""
    from recruit.demo_consent import STUDY_TEXTS, end_date_for
    from recruit.services.consent import consent_document_create, consent_version_publish, consent_version_update

    texts = STUDY_TEXTS.get(study.code)
    if texts is None or study.consent_documents.exists():
        return
    for language, text in texts.items():
        document = consent_document_create(actor=actor, study=study, language=language)
        version = document.versions.get()
        fields = {k: v for k, v in text.items() if k != "statements"}
        consent_version_update(
            actor=actor, version=version, end_date=end_date_for(study),
            statements=[{"text": t, "required": r} for t, r in text["statements"]], **fields,
        )
        consent_version_publish(actor=actor, version=version)


def demo_sign(enrollment: Enrollment) -> None:
    """Sign the current consent version as the participant would (all statements agreed)."""
    from recruit.services.consent import current_version_for
    from recruit.services.signing import consent_sign

    participant = enrollment.participant
    version = current_version_for(enrollment.study, participant.preferred_language)
    consent_sign(
        actor=Actor.system("seed_demo"), enrollment=enrollment, version=version,
        answers={s.position: True for s in version.statements.all()}, typed_name=participant.full_name,
        confirmed=True, user_agent="seed_demo",
    )
