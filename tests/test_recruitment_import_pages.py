"""The import steps through the pages and the API: upload, map, preview, commit; per-study access."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recruit.models import Participant, ParticipantImport
from tests.conftest import api_for, client_for

pytestmark = pytest.mark.django_db

GOOD = "Fornavn;Etternavn;E-post;Fødselsår;Kjønn\nÅse;Øvrebø;ase@example.org;1970;K\n".encode()
BAD = GOOD + "Per;Hansen;per@;1980;M\n".encode()


def upload(client, study, data, name="list.csv"):
    return client.post(reverse("import-new", args=[study.pk]), {"file": SimpleUploadedFile(name, data)})


def test_a_coordinator_uploads_maps_previews_and_imports(study_a, coordinator_a):
    client = client_for(coordinator_a)
    response = upload(client, study_a, BAD)
    participant_import = ParticipantImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("import-detail", args=[study_a.pk, participant_import.pk])
    page = client.get(response.url)
    assert page.context["form"]["column_2"].initial == "email"  # recognised by its Norwegian heading
    mapping = {f"column_{i}": name for i, name in enumerate(["given_name", "family_name", "email", "birth_year", "gender"])}
    preview = client.post(response.url, mapping)
    assert preview.status_code == 200
    assert [(e.row, e.column) for e in preview.context["errors"]] == [(3, "E-post")]
    assert "Enter a valid email address." in preview.content.decode()
    assert not Participant.objects.exists()
    refused = client.post(reverse("import-commit", args=[study_a.pk, participant_import.pk]))
    assert refused.status_code == 400 and not Participant.objects.exists()
    client.post(reverse("import-commit", args=[study_a.pk, participant_import.pk]), {"skip_bad_rows": "on"})
    assert list(Participant.objects.values_list("email", flat=True)) == ["ase@example.org"]
    result = client.get(response.url)
    assert result.context["result"]["created"] == 1 and result.context["result"]["skipped_rows"] == [3]


def test_a_refused_import_shows_the_preview_again_with_the_errors_and_the_choice_to_skip_them(study_a, coordinator_a):
    client = client_for(coordinator_a)
    detail = upload(client, study_a, BAD).url
    participant_import = ParticipantImport.objects.get()
    client.post(detail, {f"column_{i}": name for i, name in
                         enumerate(["given_name", "family_name", "email", "birth_year", "gender"])})
    refused = client.post(reverse("import-commit", args=[study_a.pk, participant_import.pk]))
    page = refused.content.decode()
    assert refused.status_code == 400 and not Participant.objects.exists()
    assert "1 row has errors; nothing was imported." in page
    # The row's error and the tick box the message tells the coordinator to use are on the page.
    assert "Enter a valid email address." in page and 'name="skip_bad_rows"' in page


def test_the_last_mapping_is_remembered_for_the_next_file(study_a, coordinator_a):
    client = client_for(coordinator_a)
    data = "A;B;C;D;E\nÅse;Øvrebø;ase@example.org;1970;K\n".encode()
    first = upload(client, study_a, data)
    client.post(first.url, {"column_0": "given_name", "column_1": "family_name", "column_2": "email",
                            "column_3": "birth_year", "column_4": "gender", "update_fields": ["family_name"]})
    second = upload(client, study_a, data)
    latest = ParticipantImport.objects.order_by("-pk").first()
    assert second.url.endswith(f"/{latest.pk}/")
    assert latest.mapping == {"0": "given_name", "1": "family_name", "2": "email", "3": "birth_year", "4": "gender"}
    assert latest.update_fields == ["family_name"]


def test_another_studys_import_answers_404(study_a, study_b, coordinator_a, coordinator_b):
    upload(client_for(coordinator_b), study_b, GOOD)
    other = ParticipantImport.objects.get()
    client = client_for(coordinator_a)
    assert client.get(reverse("import-detail", args=[study_b.pk, other.pk])).status_code == 404
    assert client.get(reverse("import-detail", args=[study_a.pk, other.pk])).status_code == 404
    assert client.post(reverse("import-commit", args=[study_a.pk, other.pk])).status_code == 404
    assert api_for(coordinator_a).get(f"/api/v1/imports/{other.pk}/").status_code == 404
    assert api_for(coordinator_a).post(f"/api/v1/imports/{other.pk}/commit/", {}).status_code == 404
    assert not Participant.objects.exists()


def test_a_viewer_may_not_import(study_a, viewer_a):
    assert upload(client_for(viewer_a), study_a, GOOD).status_code == 403
    assert not ParticipantImport.objects.exists()


def test_an_unreadable_file_is_an_error_on_the_form(study_a, coordinator_a):
    response = upload(client_for(coordinator_a), study_a, b"PK\x03\x04not really", name="x.xlsx")
    assert response.status_code == 200
    assert "not a readable XLSX" in response.content.decode() and not ParticipantImport.objects.exists()


def test_a_binary_file_that_is_no_spreadsheet_is_an_error_on_the_form(study_a, coordinator_a):
    # Found by fuzzing on PostgreSQL: an image read as CSV had NUL characters in its "column names",
    # which PostgreSQL cannot store (a 500).
    jpeg = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"
    response = upload(client_for(coordinator_a), study_a, jpeg, name="photo.csv")
    assert response.status_code == 200
    assert "not a CSV or XLSX file" in response.content.decode() and not ParticipantImport.objects.exists()
    api = api_for(coordinator_a).post("/api/v1/imports/", {"study": study_a.pk, "file": SimpleUploadedFile("p.csv", jpeg)},
                                      format="multipart")
    assert api.status_code == 400 and "file" in api.data


def test_the_api_uploads_validates_and_commits(study_a, coordinator_a):
    api = api_for(coordinator_a)
    created = api.post("/api/v1/imports/", {"study": study_a.pk, "file": SimpleUploadedFile("l.csv", BAD)},
                       format="multipart")
    assert created.status_code == 201, created.data
    pk = created.data["id"]
    assert created.data["headers"][2] == "E-post" and created.data["mapping"]["2"] == "email"
    checked = api.post(f"/api/v1/imports/{pk}/validate/", {}, format="json")
    assert checked.status_code == 200
    assert (checked.data["to_create"], checked.data["bad_rows"]) == (1, [3])
    assert checked.data["errors"][0]["column"] == "E-post"
    refused = api.post(f"/api/v1/imports/{pk}/commit/", {}, format="json")
    assert refused.status_code == 400 and refused.data["bad_rows"] == [3] and not Participant.objects.exists()
    done = api.post(f"/api/v1/imports/{pk}/commit/", {"skip_bad_rows": True}, format="json")
    assert done.status_code == 200 and (done.data["created"], done.data["skipped"]) == (1, 1)
    again = api.post(f"/api/v1/imports/{pk}/commit/", {"skip_bad_rows": True}, format="json")
    assert again.status_code == 400 and Participant.objects.count() == 1


def test_the_api_refuses_a_mapping_without_required_fields(study_a, coordinator_a):
    api = api_for(coordinator_a)
    pk = api.post("/api/v1/imports/", {"study": study_a.pk, "file": SimpleUploadedFile("l.csv", GOOD)},
                  format="multipart").data["id"]
    response = api.post(f"/api/v1/imports/{pk}/validate/", {"mapping": {"0": "given_name"}}, format="json")
    assert response.status_code == 400 and "Choose a column for" in response.data["mapping"][0]


def test_the_api_cannot_upload_to_another_study(study_b, coordinator_a):
    response = api_for(coordinator_a).post("/api/v1/imports/", {"study": study_b.pk, "file": SimpleUploadedFile("l.csv", GOOD)},
                                           format="multipart")
    assert response.status_code == 400 and not ParticipantImport.objects.exists()


def test_the_field_names_keep_their_capital_letters(study_a, coordinator_a):
    client = client_for(coordinator_a)
    page = client.get(upload(client, study_a, GOOD).url).content.decode()
    assert ">HPR number</option>" in page and ">CME group</option>" in page
    assert "Hpr number" not in page


def test_the_import_button_is_a_verb_in_bokmal(study_a, coordinator_a):
    client = client_for(coordinator_a)
    client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    detail = upload(client, study_a, GOOD).url
    preview = client.post(detail, {f"column_{i}": name for i, name in
                                   enumerate(["given_name", "family_name", "email", "birth_year", "gender"])})
    page = preview.content.decode()
    assert '<button type="submit" class="button button-primary">Importer</button>' in page
    assert ">Import</a>" in page  # the tab keeps the noun
