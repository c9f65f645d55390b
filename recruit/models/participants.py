import datetime

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruit.timezones import validate_zone

# Nobody practises medicine before this age; a start year earlier than birth + this is impossible.
ADULT_AGE = 18
OLDEST_BIRTH_YEAR = 1900

hpr_validator = RegexValidator(
    r"^\d{1,9}$", _("An HPR number has only digits (at most 9)."), code="hpr_digits"
)

# Digits with the usual separators, an optional leading +, and at least five digits: "+47 900 00 001", "22 85 05 00".
phone_validator = RegexValidator(
    r"^[\s(]*\+?(?:[\s().-]*\d){5,}[\s().-]*$",
    _("A phone number has digits (at least five), and may start with + and use spaces, dots, dashes or brackets."),
    code="phone_digits",
)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Role(models.TextChoices):
    GP = "gp", _("General practitioner")
    CHIEF_MEDICAL_OFFICER = "chief_medical_officer", _("Municipal chief medical officer")
    OTHER = "other", _("Other")


class PracticeSetting(models.TextChoices):
    URBAN = "urban", _("Urban")
    SEMI_URBAN = "semi_urban", _("Semi-urban")
    RURAL = "rural", _("Rural")


class Language(models.TextChoices):
    NB = "nb", _("Norwegian bokmål")
    EN = "en", _("English")


class Participant(models.Model):
    given_name = models.CharField(_("given name"), max_length=100)
    family_name = models.CharField(_("family name"), max_length=100)
    email = models.EmailField(_("e-mail"), max_length=254)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    gender = models.CharField(_("gender"), max_length=12, choices=Gender.choices)
    # The start year, not a count of years, so experience stays true as years pass.
    gp_start_year = models.PositiveSmallIntegerField(
        _("year started in general practice"), null=True, blank=True
    )
    is_specialist = models.BooleanField(_("specialist in general practice"), default=False)
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.GP)
    county = models.ForeignKey(
        "recruit.Region", verbose_name=_("county"), on_delete=models.PROTECT, null=True, blank=True,
        db_index=False,  # participant_county_gender_age starts with county
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    practice_setting = models.CharField(
        _("practice setting"), max_length=12, choices=PracticeSetting.choices, blank=True
    )
    practice_name = models.CharField(_("practice"), max_length=200, blank=True)
    hpr_number = models.CharField(
        _("HPR number"), max_length=9, blank=True, validators=[hpr_validator],
        help_text=_("Norwegian health personnel register number"),
    )
    cme_group = models.CharField(_("CME group"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NB
    )
    # Blank: the study's zone (Europe/Oslo). Their pages and e-mails show times in this zone.
    time_zone = models.CharField(
        _("time zone"), max_length=64, blank=True, validators=[validate_zone],
        help_text=_("Where the participant lives, if not in Norway, e.g. America/New_York. Their pages and "
                    "e-mails then show times in that zone."),
    )
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    # GDPR art. 18 restriction of processing: kept, but left out of invitations, scheduling and exports.
    restricted = models.BooleanField(
        _("processing restricted"), default=False,
        help_text=_("Left out of invitations, scheduling and exports while restricted."),
    )
    notes = models.TextField(_("notes"), blank=True)
    # The study whose team added this person; its members may see them before any invitation.
    source_study = models.ForeignKey(
        "recruit.Study", verbose_name=_("added through study"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="sourced_participants",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="participant_unique_email_ci"),
            models.UniqueConstraint(
                fields=["hpr_number"], condition=~models.Q(hpr_number=""), name="participant_unique_hpr"
            ),
            models.CheckConstraint(
                condition=models.Q(gp_start_year__isnull=True)
                | models.Q(gp_start_year__gte=models.F("birth_year") + ADULT_AGE),
                name="participant_experience_within_adult_life",
            ),
        ]
        indexes = [
            models.Index(fields=["birth_year"], name="participant_birth_year"),
            models.Index(fields=["gp_start_year"], name="participant_gp_start"),
            # The list's common filters (county, gender, age) with its default sort (name) and the
            # visibility check (source study), so a filtered page is sorted from the index alone.
            models.Index(
                fields=["county", "gender", "birth_year", "family_name", "given_name", "source_study"],
                name="participant_county_gender_age",
            ),
            models.Index(fields=["gender", "birth_year"], name="participant_gender_age"),
            models.Index(fields=["practice_setting"], name="participant_setting"),
            models.Index(fields=["role"], name="participant_role"),
            models.Index(fields=["family_name", "given_name", "id"], name="participant_name_order"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age(self, on: datetime.date | None = None) -> int:
        """Age in whole years on a date, from the birth year alone (the registry holds no birth date)."""
        return (on or timezone.localdate()).year - self.birth_year

    def experience(self, on: datetime.date | None = None) -> int | None:
        """Years in general practice on a date."""
        if self.gp_start_year is None:
            return None
        return max(0, (on or timezone.localdate()).year - self.gp_start_year)

    def clean(self):
        super().clean()
        this_year = timezone.localdate().year
        errors = {}
        if self.email:
            self.email = self.email.strip()
        if self.birth_year is not None:
            if self.birth_year > this_year:
                errors["birth_year"] = ValidationError(
                    _("The birth year %(year)s is in the future."), code="birth_year_future",
                    params={"year": self.birth_year},
                )
            elif self.birth_year < OLDEST_BIRTH_YEAR:
                errors["birth_year"] = ValidationError(
                    _("The birth year %(year)s is not plausible."), code="birth_year_implausible",
                    params={"year": self.birth_year},
                )
            elif this_year - self.birth_year < ADULT_AGE:
                errors["birth_year"] = ValidationError(
                    _("A participant must be an adult (born %(year)s or earlier)."), code="birth_year_minor",
                    params={"year": this_year - ADULT_AGE},
                )
        if self.gp_start_year is not None:
            if self.gp_start_year > this_year:
                errors["gp_start_year"] = ValidationError(
                    _("The year started in general practice (%(year)s) is in the future."),
                    code="gp_start_future", params={"year": self.gp_start_year},
                )
            elif self.birth_year is not None and self.gp_start_year < self.birth_year + ADULT_AGE:
                errors["gp_start_year"] = ValidationError(
                    _(
                        "Starting general practice in %(start)s would mean %(years)s years of experience, "
                        "longer than this participant's adult life (born %(birth)s)."
                    ),
                    code="experience_exceeds_adult_life",
                    params={
                        "start": self.gp_start_year,
                        "years": this_year - self.gp_start_year,
                        "birth": self.birth_year,
                    },
                )
        if errors:
            raise ValidationError(errors)

    def validate_constraints(self, exclude=None):
        # The case-insensitive e-mail constraint would otherwise report a generic message.
        if self.email and (exclude is None or "email" not in exclude):
            clash = Participant.objects.filter(email__iexact=self.email).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError(
                    {"email": ValidationError(_("A participant with this e-mail already exists."), code="email_taken")}
                )
        if self.hpr_number and (exclude is None or "hpr_number" not in exclude):
            if Participant.objects.filter(hpr_number=self.hpr_number).exclude(pk=self.pk).exists():
                raise ValidationError(
                    {"hpr_number": ValidationError(
                        _("A participant with this HPR number already exists."), code="hpr_taken"
                    )}
                )
        super().validate_constraints(exclude=exclude)
