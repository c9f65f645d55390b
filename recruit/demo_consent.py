"""The demo studies' consent texts, in bokmål and English, following Sikt's information-letter template.

Used by recruit.demo: each demo study gets a published version 1 in both languages.
"""
import datetime

STUDY_TEXTS = {
    "GPQI": {
        "nb": {
            "title": "Vil du delta i forskningsprosjektet «Fastlegers motivasjon for kvalitetsforbedring»?",
            "purpose": (
                "Dette er et spørsmål til deg om å delta i et forskningsprosjekt der formålet er å forstå hva som "
                "gjør at fastleger deltar i kvalitetsforbedringsarbeid, og hva som hindrer dem.\n\n"
                "Prosjektet er et doktorgradsprosjekt. Resultatene skal brukes til å utforme bedre tilbud om "
                "kvalitetsarbeid i allmennpraksis."
            ),
            "institution": (
                "Universitetet i Bergen, Institutt for global helse og samfunnsmedisin, er ansvarlig for prosjektet."
            ),
            "why_asked": (
                "Du blir spurt fordi du er fastlege i Norge. Vi ønsker fastleger med ulik alder, kjønn, erfaring og "
                "praksis i by og bygd, og har fått kontaktopplysningene dine fra Fastlegeregisteret eller fra en "
                "kollega som har anbefalt deg."
            ),
            "participation": (
                "Hvis du velger å delta, blir du med i en fokusgruppe med 4–5 andre fastleger. Samtalen varer om "
                "lag 90 minutter og ledes av en forsker. Vi tar lydopptak av samtalen, og opptaket skrives ut "
                "(transkriberes) uten navn. Du kan også bli bedt om å fylle ut et kort skjema om alder, kjønn og "
                "praksis."
            ),
            "voluntary": (
                "Det er frivillig å delta. Hvis du velger å delta, kan du når som helst trekke samtykket tilbake "
                "uten å oppgi noen grunn. Alle personopplysningene dine vil da bli slettet. Det vil ikke ha noen "
                "negative konsekvenser for deg hvis du ikke vil delta eller senere velger å trekke deg."
            ),
            "privacy": (
                "Vi vil bare bruke opplysningene om deg til formålene vi har fortalt om i dette skrivet. Vi "
                "behandler opplysningene konfidensielt og i samsvar med personvernregelverket.\n\n"
                "Bare prosjektleder, stipendiaten og veileder har tilgang. Navn og kontaktopplysninger erstattes "
                "med en kode som lagres på en egen navneliste adskilt fra øvrige data. Lydopptak lagres på "
                "universitetets sikre server. Deltakere vil ikke kunne gjenkjennes i publikasjoner."
            ),
            "data_end": (
                "Opplysningene anonymiseres når prosjektet avsluttes. Lydopptak og navneliste slettes da."
            ),
            "rights": (
                "Så lenge du kan identifiseres i datamaterialet, har du rett til innsyn i hvilke opplysninger vi "
                "behandler om deg og å få utlevert en kopi, å få rettet opplysninger som er feil eller "
                "misvisende, å få slettet personopplysninger om deg, og å sende klage til Datatilsynet om "
                "behandlingen av personopplysningene dine."
            ),
            "legal_basis": (
                "Vi behandler opplysninger om deg basert på samtykket ditt (personvernforordningen artikkel 6 nr. 1 "
                "bokstav a). På oppdrag fra Universitetet i Bergen har Sikt vurdert at behandlingen er i samsvar "
                "med personvernregelverket."
            ),
            "contacts": (
                "Hvis du har spørsmål til studien, ta kontakt med prosjektleder professor Ingrid Haugland, "
                "ingrid.haugland@example.org, telefon 55 00 00 00.\n\n"
                "Personvernombud ved Universitetet i Bergen: personvernombud@example.org.\n\n"
                "Spørsmål om Sikts vurdering: personverntjenester@sikt.no, telefon 73 98 40 40."
            ),
            "statements": [
                ("Jeg har mottatt og forstått informasjon om prosjektet og samtykker til å delta i en fokusgruppe.",
                 True),
                ("Jeg samtykker til at samtalen tas opp på lyd og skrives ut.", True),
                ("Jeg samtykker til at anonymiserte sitater fra meg kan publiseres.", False),
                ("Jeg kan kontaktes om en oppfølgingsstudie senere.", False),
            ],
        },
        "en": {
            "title": "Would you like to take part in the research project “GP motivation for quality improvement”?",
            "purpose": (
                "This is an invitation to take part in a research project whose purpose is to understand what makes "
                "general practitioners take part in quality improvement work, and what holds them back.\n\n"
                "The project is a PhD project. Its results will be used to design better quality improvement "
                "offers for general practice."
            ),
            "institution": (
                "The University of Bergen, Department of Global Public Health and Primary Care, is responsible "
                "for the project."
            ),
            "why_asked": (
                "You are asked because you are a GP in Norway. We want GPs of different ages, genders, experience "
                "and practices in towns and rural areas, and found your contact details in the GP register or "
                "through a colleague who recommended you."
            ),
            "participation": (
                "If you take part, you join a focus group with 4–5 other GPs. The conversation lasts about 90 "
                "minutes and is led by a researcher. We make an audio recording, which is transcribed without "
                "names. You may also be asked to fill in a short form about your age, gender and practice."
            ),
            "voluntary": (
                "Participation is voluntary. If you take part, you can withdraw your consent at any time without "
                "giving a reason. All your personal data will then be deleted. There will be no negative "
                "consequences for you if you choose not to take part or later decide to withdraw."
            ),
            "privacy": (
                "We will only use your personal data for the purposes described in this letter. We process your "
                "data confidentially and in accordance with data protection legislation.\n\n"
                "Only the project lead, the PhD candidate and the supervisor have access. Your name and contact "
                "details are replaced by a code, kept on a separate list apart from the other data. Audio "
                "recordings are stored on the university's secure server. Participants will not be recognisable "
                "in publications."
            ),
            "data_end": (
                "The data will be anonymised when the project ends. The audio recordings and the list of names "
                "will then be deleted."
            ),
            "rights": (
                "As long as you can be identified in the data, you have the right to access the personal data we "
                "process about you and receive a copy, to have incorrect or misleading data corrected, to have "
                "your personal data deleted, and to complain to the Norwegian Data Protection Authority "
                "(Datatilsynet) about how your personal data are processed."
            ),
            "legal_basis": (
                "We process your personal data based on your consent (GDPR article 6(1)(a)). On behalf of the "
                "University of Bergen, Sikt has assessed that the processing complies with data protection "
                "legislation."
            ),
            "contacts": (
                "If you have questions about the study, contact the project lead, Professor Ingrid Haugland, "
                "ingrid.haugland@example.org, phone +47 55 00 00 00.\n\n"
                "Data protection officer at the University of Bergen: personvernombud@example.org.\n\n"
                "Questions about Sikt's assessment: personverntjenester@sikt.no, phone +47 73 98 40 40."
            ),
            "statements": [
                ("I have received and understood information about the project and agree to take part in a focus "
                 "group.", True),
                ("I agree to the conversation being audio recorded and transcribed.", True),
                ("I agree that anonymised quotes from me may be published.", False),
                ("I may be contacted about a follow-up study later.", False),
            ],
        },
    },
    "CMOAB": {
        "nb": {
            "title": "Vil du delta i forskningsprosjektet «Kommuneoverleger og antibiotikastyring»?",
            "purpose": (
                "Dette er et spørsmål til deg om å delta i et forskningsprosjekt der formålet er å undersøke "
                "hvordan kommunene støtter forsvarlig antibiotikabruk i primærhelsetjenesten."
            ),
            "institution": "Universitetet i Oslo, Avdeling for allmennmedisin, er ansvarlig for prosjektet.",
            "why_asked": (
                "Du blir spurt fordi du er kommuneoverlege. Vi ønsker kommuneoverleger fra kommuner av ulik "
                "størrelse og fra hele landet."
            ),
            "participation": (
                "Hvis du velger å delta, blir du intervjuet på telefon eller i et gruppeintervju med andre "
                "kommuneoverleger. Intervjuet varer om lag 60 minutter. Vi tar lydopptak, som skrives ut uten navn."
            ),
            "voluntary": (
                "Det er frivillig å delta. Du kan når som helst trekke samtykket tilbake uten å oppgi noen grunn. "
                "Alle personopplysningene dine vil da bli slettet. Det har ingen negative konsekvenser for deg."
            ),
            "privacy": (
                "Bare prosjektgruppen ved Universitetet i Oslo har tilgang til opplysningene. Navn erstattes med en "
                "kode, og navnelisten lagres adskilt fra øvrige data på universitetets sikre server. Kommunen din "
                "nevnes ikke i publikasjoner."
            ),
            "data_end": "Opplysningene anonymiseres når prosjektet avsluttes, og lydopptakene slettes.",
            "rights": (
                "Så lenge du kan identifiseres i datamaterialet, har du rett til innsyn og kopi, retting, sletting, "
                "og å klage til Datatilsynet."
            ),
            "legal_basis": (
                "Vi behandler opplysninger om deg basert på samtykket ditt (personvernforordningen artikkel 6 nr. 1 "
                "bokstav a). Prosjektet er vurdert av REK (2026/71234)."
            ),
            "contacts": (
                "Prosjektleder førsteamanuensis Lars Eikeland, lars.eikeland@example.org.\n\n"
                "Personvernombud ved Universitetet i Oslo: personvernombud@example.org."
            ),
            "statements": [
                ("Jeg samtykker til å delta i et intervju.", True),
                ("Jeg samtykker til lydopptak av intervjuet.", True),
                ("Jeg samtykker til at anonymiserte sitater fra meg kan publiseres.", False),
            ],
        },
        "en": {
            "title": "Would you like to take part in the research project “Chief medical officers and antibiotic "
                     "stewardship”?",
            "purpose": (
                "This is an invitation to take part in a research project that studies how municipalities support "
                "prudent antibiotic use in primary care."
            ),
            "institution": "The University of Oslo, Department of General Practice, is responsible for the project.",
            "why_asked": (
                "You are asked because you are a municipal chief medical officer. We want officers from "
                "municipalities of different sizes across the country."
            ),
            "participation": (
                "If you take part, you will be interviewed by telephone or in a group interview with other chief "
                "medical officers. The interview lasts about 60 minutes. We make an audio recording, transcribed "
                "without names."
            ),
            "voluntary": (
                "Participation is voluntary. You can withdraw your consent at any time without giving a reason. "
                "All your personal data will then be deleted. There are no negative consequences for you."
            ),
            "privacy": (
                "Only the project team at the University of Oslo has access to the data. Names are replaced by a "
                "code, and the list of names is kept apart from the other data on the university's secure server. "
                "Your municipality will not be named in publications."
            ),
            "data_end": "The data will be anonymised when the project ends, and the audio recordings deleted.",
            "rights": (
                "As long as you can be identified in the data, you have the right to access and a copy, "
                "rectification, erasure, and to complain to the Norwegian Data Protection Authority."
            ),
            "legal_basis": (
                "We process your personal data based on your consent (GDPR article 6(1)(a)). The project has been "
                "assessed by the Regional Committee for Medical and Health Research Ethics (REK 2026/71234)."
            ),
            "contacts": (
                "Project lead: Associate Professor Lars Eikeland, lars.eikeland@example.org.\n\n"
                "Data protection officer at the University of Oslo: personvernombud@example.org."
            ),
            "statements": [
                ("I agree to take part in an interview.", True),
                ("I agree to the interview being audio recorded.", True),
                ("I agree that anonymised quotes from me may be published.", False),
            ],
        },
    },
}


def end_date_for(study) -> datetime.date:
    """The data are anonymised half a year after the study's end."""
    end = study.end_date or datetime.date.today().replace(month=12, day=31)
    return end + datetime.timedelta(days=182)
