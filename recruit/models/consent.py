"""Consent: versioned texts per study and language, the requests sent, the signatures given.

A published ConsentVersion is evidence: the model itself refuses to change or delete it (save(),
QuerySet.update() and delete()), so no door (page, API, admin, shell) can edit what people signed.
The text's structure follows the Norwegian research-ethics information letter ("Vil du delta i
forskningsprosjektet …?", Sikt's template): purpose, responsible institution, why you are asked, what
participation involves, voluntariness, privacy, the end of the project, your rights, legal basis,
contacts; then separate consent statements, each required or optional.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from recruit.models.participants import Language

# (field, heading) in the order of the information letter; every one is required to publish.
SECTIONS = (
    ("purpose", _("Purpose of the project")),
    ("institution", _("Who is responsible for the research project?")),
    ("why_asked", _("Why are you being asked to participate?")),
    ("participation", _("What does participation involve for you?")),
    ("voluntary", _("Participation is voluntary")),
    ("privacy", _("Your personal privacy – how we will store and use your personal data")),
    ("data_end", _("What will happen to your personal data at the end of the research project?")),
    ("rights", _("Your rights")),
    ("legal_basis", _("What gives us the right to process your personal data?")),
    ("contacts", _("Where can I find out more?")),
)
SECTION_FIELDS = tuple(name for name, _heading in SECTIONS)


class PublishedVersionError(ValidationError):
    """Raised by every attempt to change a published consent version or its statements."""

    def __init__(self):
        super().__init__(
            _("A published consent version can never be changed. Make a new version (a copy) and edit that."),
            code="published_immutable",
        )


class ConsentDocument(models.Model):
    """A study's consent text in one language; its versions hold the words."""

    study = models.ForeignKey(
        "recruit.Study", verbose_name=_("study"), on_delete=models.CASCADE, related_name="consent_documents"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["study", "language"]
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")
        constraints = [
            models.UniqueConstraint(
                fields=["study", "language"], name="consent_document_one_per_language",
                violation_error_message=_("The study already has a consent document in this language."),
            )
        ]

    def __str__(self):
        return f"{self.study.code} ({self.language})"


class ConsentVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # A bulk update must not slip past the model: refuse if it would touch a published row.
        if self.filter(status=ConsentVersion.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(status=ConsentVersion.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().delete()


class ConsentVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    document = models.ForeignKey(
        ConsentDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    # Numbered per study across languages: version 2 in bokmål and in English say the same thing.
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    title = models.CharField(
        _("title"), max_length=300, help_text=_("e.g. “Would you like to take part in the research project …?”")
    )
    purpose = models.TextField(_("purpose of the project"), blank=True)
    institution = models.TextField(_("responsible institution"), blank=True)
    why_asked = models.TextField(_("why you are asked"), blank=True)
    participation = models.TextField(_("what participation involves"), blank=True)
    voluntary = models.TextField(_("voluntary participation and the right to withdraw"), blank=True)
    privacy = models.TextField(_("privacy: who has access, how data are stored"), blank=True)
    data_end = models.TextField(_("what happens to the data at the end of the project"), blank=True)
    end_date = models.DateField(_("project end date"), null=True, blank=True)
    rights = models.TextField(_("your rights"), blank=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    contacts = models.TextField(_("contacts (project lead, data protection officer)"), blank=True)
    text_hash = models.CharField(_("SHA-256 of the canonical text"), max_length=64, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("copied from"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )

    objects = ConsentVersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("consent version")
        verbose_name_plural = _("consent versions")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "number"], name="consent_version_unique_number",
                violation_error_message=_("This document already has a version with this number."),
            ),
            # At most one draft per document: a new version is made from the latest one.
            models.UniqueConstraint(
                fields=["document"], condition=models.Q(status="draft"), name="consent_version_one_draft",
                violation_error_message=_("This document already has a draft; edit that one."),
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(published_at__isnull=False) & ~models.Q(text_hash="") & models.Q(end_date__isnull=False)),
                name="consent_version_published_complete",
            ),
        ]

    def __str__(self):
        return f"{self.document} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def language(self) -> str:
        return self.document.language

    def save(self, *args, **kwargs):
        # The row as stored decides: a published version stays as it is, whatever this instance says.
        if self.pk and ConsentVersion.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and ConsentVersion.objects.filter(pk=self.pk, status=self.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().delete(*args, **kwargs)


class ConsentStatementQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if self.filter(version__status=ConsentVersion.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().update(**kwargs)

    def delete(self):
        if self.filter(version__status=ConsentVersion.Status.PUBLISHED).exists():
            raise PublishedVersionError()
        return super().delete()


class ConsentStatement(models.Model):
    """One tick box: "I agree to take part in a focus group", required or optional."""

    version = models.ForeignKey(
        ConsentVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="statements"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("statement"), max_length=500)
    required = models.BooleanField(_("required"), default=True)

    objects = ConsentStatementQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("consent statement")
        verbose_name_plural = _("consent statements")
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="consent_statement_unique_position")
        ]

    def __str__(self):
        return self.text

    def _version_published(self) -> bool:
        return ConsentVersion.objects.filter(pk=self.version_id, status=ConsentVersion.Status.PUBLISHED).exists()

    def save(self, *args, **kwargs):
        if self._version_published():
            raise PublishedVersionError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._version_published():
            raise PublishedVersionError()
        return super().delete(*args, **kwargs)


class ConsentRequest(models.Model):
    """A consent request sent to a participant: which version, through which personal link, when."""

    enrollment = models.ForeignKey(
        "recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="consent_requests"
    )
    version = models.ForeignKey(
        ConsentVersion, verbose_name=_("version"), on_delete=models.RESTRICT, related_name="requests"
    )
    # Issued when the e-mail is rendered, so the token exists only in the message sent.
    link = models.OneToOneField(
        "recruit.PersonalLink", verbose_name=_("personal link"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consent_request",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consent request")
        verbose_name_plural = _("consent requests")

    def __str__(self):
        return f"consent request {self.pk}"


class SignatureRecord(models.Model):
    """The evidence of one signature. Its facts never change; only the PDF reference, a later
    withdrawal and the re-consent mark are written after it is created."""

    MUTABLE_FIELDS = frozenset({"pdf", "pdf_sha256", "withdrawn_at", "withdrawal", "reconsent_required_at"})

    enrollment = models.ForeignKey(
        "recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="signatures"
    )
    version = models.ForeignKey(
        ConsentVersion, verbose_name=_("version"), on_delete=models.RESTRICT, related_name="signatures"
    )
    text_hash = models.CharField(_("SHA-256 of the text signed"), max_length=64)
    # [{"position", "text", "required", "answer"}] as shown, so the record stands on its own.
    answers = models.JSONField(_("answers"))
    typed_name = models.CharField(_("typed name"), max_length=200)
    drawn_signature = models.BinaryField(_("drawn signature (PNG)"), null=True, blank=True)
    meaning = models.TextField(_("meaning of the signature"))
    signed_at = models.DateTimeField(_("signed (server time, UTC)"))
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    # The personal link (token id) used, and the request and first-view times it carried.
    link = models.ForeignKey(
        "recruit.PersonalLink", verbose_name=_("personal link"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    link_ref = models.PositiveBigIntegerField(_("token id"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("first viewed"), null=True, blank=True)
    pdf = models.CharField(_("PDF file"), max_length=300, blank=True)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    reconsent_required_at = models.DateTimeField(_("re-consent required since"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawal = models.ForeignKey(
        "recruit.Withdrawal", verbose_name=_("withdrawal"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="signatures",
    )

    class Meta:
        ordering = ["-signed_at", "-id"]
        verbose_name = _("signature record")
        verbose_name_plural = _("signature records")
        indexes = [models.Index(fields=["enrollment", "withdrawn_at"], name="signature_enrollment_valid")]

    def __str__(self):
        return f"signature {self.pk}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or not set(update_fields) <= self.MUTABLE_FIELDS):
            raise ValidationError(_("A signature record cannot be changed."), code="signature_immutable")
        super().save(*args, **kwargs)


class Withdrawal(models.Model):
    """Minimal proof that a participant withdrew: when, how, and the reason if they gave one."""

    class Channel(models.TextChoices):
        LINK = "link", _("Through the consent link")
        EMAIL_LINK = "email_link", _("Through the link in the confirmation e-mail")
        PHONE = "phone", _("By phone")
        LETTER = "letter", _("By letter")
        EMAIL = "email", _("By e-mail")
        OTHER = "other", _("Other")

    enrollment = models.ForeignKey(
        "recruit.Enrollment", verbose_name=_("enrollment"), on_delete=models.CASCADE, related_name="withdrawals"
    )
    at = models.DateTimeField(_("withdrawn"))
    channel = models.CharField(_("received"), max_length=12, choices=Channel.choices)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )
    recorded_by_label = models.CharField(_("recorded by (label)"), max_length=50, blank=True)
    cancelled_bookings = models.PositiveIntegerField(_("bookings cancelled"), default=0)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")

    def __str__(self):
        return f"withdrawal {self.pk}"
