"""iCalendar: secret feeds per user and per contact, .ics export and import, the
calendar-feed API endpoint. Every produced calendar is parsed by icalendar and by vobject;
imports read real files from other programs (../shared/data/ical). Charlie sees nothing."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import icalendar
import vobject
from django.core.exceptions import ValidationError
from django.test import override_settings

from skrivbord.activities import ical
from skrivbord.activities.models import Activity, CalendarFeed, Status
from skrivbord.contacts import services as contact_services
from skrivbord.core import services as core_services
from skrivbord.formats import ical as fmt
from tests.activities.base import ActivitiesTestCase, local
from tests.shared_data import shared_data_path


def parse_both(body: bytes) -> dict[str, dict[str, str]]:
    """The calendar's items by UID, as read by icalendar and checked against vobject."""
    first = icalendar.Calendar.from_ical(body)
    by_icalendar = {
        str(c["UID"]): {"kind": c.name, "summary": str(c.get("SUMMARY", ""))}
        for c in first.walk()
        if c.name in ("VEVENT", "VTODO")
    }
    second = vobject.readOne(body.decode())
    by_vobject = {}
    for child in second.getChildren():
        if child.name in ("VEVENT", "VTODO"):
            by_vobject[child.uid.value] = {
                "kind": child.name,
                "summary": child.summary.value if hasattr(child, "summary") else "",
            }
    assert by_icalendar == by_vobject, (by_icalendar, by_vobject)
    return by_icalendar


class FeedTest(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        for user in (self.alice, self.bob, self.rita, self.charlie):
            core_services.user_set_language(user=user, language="en")
        self.alice.refresh_from_db()
        self.bob.refresh_from_db()

    def feed_of(self, user, contact=None) -> tuple[CalendarFeed, str]:  # type: ignore[no-untyped-def]
        feed = ical.feed_get_or_create(access=self.access(user), contact=contact)
        return feed, ical.feed_url(feed)

    def test_a_users_feed_has_their_activities_as_events_and_todos(self) -> None:
        meeting = self.make(
            subject="Styrelsemöte; möte, nr 1",
            start=local(2026, 12, 1, 9),
            end=local(2026, 12, 1, 10),
            description="Rad 1\nRad 2",
        )
        task = self.make(
            subject="Skicka offert", type=self.type_("task"), due_date=dt.date(2026, 12, 3)
        )
        participant = self.make(
            user=self.bob,
            subject="Bobs möte",
            employees=["alice@acme.se"],
            start=local(2026, 12, 2, 9),
            end=local(2026, 12, 2, 10),
        )
        self.make(user=self.bob, subject="Inte Alices", start=local(2026, 12, 2, 9))
        _feed, url = self.feed_of(self.alice)
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("no-store", response["Cache-Control"] + "no-store")
        items = parse_both(response.content)
        self.assertEqual(
            items,
            {
                f"{meeting.id}@skrivbord": {
                    "kind": "VEVENT",
                    "summary": "Styrelsemöte; möte, nr 1",
                },
                f"{task.id}@skrivbord": {"kind": "VTODO", "summary": "Skicka offert"},
                f"{participant.id}@skrivbord": {"kind": "VEVENT", "summary": "Bobs möte"},
            },
        )
        event = next(
            c
            for c in icalendar.Calendar.from_ical(response.content).walk("VEVENT")
            if str(c["UID"]).startswith(str(meeting.id))
        )
        self.assertEqual(event.decoded("DTSTART"), local(2026, 12, 1, 9))
        self.assertEqual(str(event["DESCRIPTION"]), "Rad 1\nRad 2")

    def test_edits_raise_the_sequence_cancelled_ones_say_so_and_deleted_ones_drop_out(self) -> None:
        from skrivbord.activities import services

        kept = self.make(subject="Först", start=local(2026, 12, 1, 9))
        gone = self.make(subject="Borta", start=local(2026, 12, 1, 11))
        _feed, url = self.feed_of(self.alice)

        def event(body: bytes) -> icalendar.Event:
            return next(
                c
                for c in icalendar.Calendar.from_ical(body).walk("VEVENT")
                if str(c["UID"]).startswith(str(kept.id))
            )

        Activity.objects.filter(id=kept.id).update(
            updated_at=kept.updated_at - dt.timedelta(hours=1)
        )
        before = event(self.client.get(url).content)
        self.assertEqual(str(before["STATUS"]), "CONFIRMED")
        access = self.access(self.alice)
        kept.refresh_from_db()
        services.activity_update(
            access=access, activity=kept, subject="Sedan", status=Status.CANCELLED
        )
        services.activity_delete(access=access, activity=gone)
        body = self.client.get(url).content
        after = event(body)
        self.assertEqual(str(after["SUMMARY"]), "Sedan")
        self.assertEqual(str(after["STATUS"]), "CANCELLED")
        self.assertGreater(int(after["SEQUENCE"]), int(before["SEQUENCE"]))
        self.assertGreater(after.decoded("LAST-MODIFIED"), before.decoded("LAST-MODIFIED"))
        self.assertNotIn(str(gone.id), parse_both(body).__repr__())

    def test_a_contact_feed_shows_other_peoples_private_activities_as_busy(self) -> None:
        contact = contact_services.contact_create(access=self.access(self.alice), name="Kund AB")
        self.make(
            user=self.bob,
            subject="Hemligt",
            private=True,
            contact=contact,
            description="Lönesamtal",
            start=local(2026, 12, 1, 9),
        )
        self.make(subject="Öppet", contact=contact, start=local(2026, 12, 1, 11))
        _feed, url = self.feed_of(self.alice, contact)
        body = self.client.get(url).content
        summaries = sorted(item["summary"] for item in parse_both(body).values())
        self.assertEqual(summaries, ["Busy", "Öppet"])
        self.assertNotIn(b"Hemligt", body)
        self.assertNotIn("Lönesamtal".encode(), body)
        # Bob's own contact feed shows him his own private activity.
        _feed, bobs = self.feed_of(self.bob, contact)
        self.assertIn(b"Hemligt", self.client.get(bobs).content)

    def test_a_revoked_replaced_or_foreign_token_is_404(self) -> None:
        feed, url = self.feed_of(self.alice)
        self.assertEqual(self.client.get(url).status_code, 200)
        _bobs_feed, bobs_url = self.feed_of(self.bob)
        bobs_token = bobs_url.rsplit("/", 1)[1]
        # Bob's token under Alice's user id, and Alice's token under another company.
        self.assertEqual(self.client.get(url.rsplit("/", 1)[0] + "/" + bobs_token).status_code, 404)
        self.assertEqual(
            self.client.get(url.replace(str(self.acme.id), str(self.umbrella.id))).status_code, 404
        )
        self.assertEqual(self.client.get(url[:-6] + "xx.ics").status_code, 404)
        new = ical.feed_replace(access=self.access(self.alice), feed_id=feed.id)
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(ical.feed_url(new)).status_code, 200)
        ical.feed_revoke(access=self.access(self.alice), feed_id=new.id)
        self.assertEqual(self.client.get(ical.feed_url(new)).status_code, 404)

    def test_the_token_is_stored_only_as_a_hash_and_the_url_stays_the_same(self) -> None:
        feed, url = self.feed_of(self.alice)
        token = url.rsplit("/", 1)[1][:-4]
        self.assertTrue(token.startswith("skf_"))
        row = CalendarFeed.objects.get(id=feed.id)
        self.assertNotIn(token, str(row.__dict__))
        self.assertEqual(self.feed_of(self.alice)[1], url)
        with override_settings(SECRET_KEY="another"):
            self.assertEqual(self.client.get(url).status_code, 200)  # lookup is by the hash

    def test_a_user_who_left_the_company_has_no_feed(self) -> None:
        _feed, url = self.feed_of(self.bob)
        core_services.membership_remove(user=self.bob, company=self.acme) if hasattr(
            core_services, "membership_remove"
        ) else self.bob.memberships.filter(company=self.acme).delete()
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_charlie_sees_nothing_of_acme(self) -> None:
        self.make(subject="Acmes möte", start=local(2026, 12, 1, 9))
        feed = ical.feed_get_or_create(access=self.access(self.charlie, self.umbrella))
        body = self.client.get(ical.feed_url(feed)).content
        self.assertEqual(parse_both(body), {})
        self.login(self.charlie)
        base = f"/c/{self.acme.id}/activities/"
        for path in ("feeds/", "export.ics", "import/"):
            self.assertEqual(self.client.get(base + path).status_code, 404, path)
        self.assertEqual(self.client.post(base + "feeds/new/").status_code, 404)
        alices, _ = self.feed_of(self.alice)
        for action in ("replace", "revoke"):
            self.assertEqual(
                self.client.post(
                    f"/c/{self.umbrella.id}/activities/feeds/{alices.id}/{action}/"
                ).status_code,
                404,
            )
        self.assertEqual(self.client.get(ical.feed_url(alices)).status_code, 200)

    def test_the_feeds_page_makes_replaces_and_revokes_also_for_read_only(self) -> None:
        self.login(self.rita)
        base = f"/c/{self.acme.id}/activities/feeds/"
        self.assertEqual(self.client.post(base + "new/").status_code, 302)
        feed = CalendarFeed.objects.get(user=self.rita, revoked_at__isnull=True)
        page = self.client.get(base)
        self.assertContains(page, ical.feed_url(feed))
        self.client.post(f"{base}{feed.id}/replace/")
        new = CalendarFeed.objects.get(user=self.rita, revoked_at__isnull=True)
        self.assertNotEqual(new.id, feed.id)
        self.client.post(f"{base}{new.id}/revoke/")
        self.assertFalse(
            CalendarFeed.objects.filter(user=self.rita, revoked_at__isnull=True).exists()
        )


class ExportImportTest(ActivitiesTestCase):
    def setUp(self) -> None:
        super().setUp()
        core_services.user_set_language(user=self.alice, language="en")
        core_services.user_set_language(user=self.bob, language="en")
        self.base = f"/c/{self.acme.id}/activities/"

    def upload(self, body: bytes, user=None):  # type: ignore[no-untyped-def]
        self.login(user or self.alice)
        file = io.BytesIO(body)
        file.name = "cal.ics"
        return self.client.post(self.base + "import/", {"file": file})

    def test_export_follows_the_filters_and_hides_private_details(self) -> None:
        self.make(subject="Möte", start=local(2026, 12, 1, 9))
        self.make(subject="Uppgift", type=self.type_("task"), due_date=dt.date(2026, 12, 1))
        self.make(user=self.bob, subject="Privat", private=True, start=local(2026, 12, 1, 13))
        self.login(self.alice)
        body = self.client.get(self.base + "export.ics").content
        self.assertEqual(
            sorted(i["summary"] for i in parse_both(body).values()), ["Busy", "Möte", "Uppgift"]
        )
        body = self.client.get(self.base + "export.ics?type=task").content
        self.assertEqual([i["summary"] for i in parse_both(body).values()], ["Uppgift"])

    def test_export_then_import_maps_back_to_the_same_activities(self) -> None:
        activity = self.make(subject="Möte", start=local(2026, 12, 1, 9))
        self.login(self.alice)
        body = self.client.get(self.base + "export.ics").content
        edited = body.replace("SUMMARY:Möte".encode(), "SUMMARY:Möte ändrat".encode())
        response = self.upload(edited)
        self.assertContains(response, "0 new, 1 changed")
        activity.refresh_from_db()
        self.assertEqual(activity.subject, "Möte ändrat")
        self.assertEqual(Activity.objects.filter(company=self.acme).count(), 1)

    def test_a_real_outlook_file_imports_and_a_reimport_never_duplicates(self) -> None:
        body = shared_data_path("ical", "ical-org__ical.net__Outlook2007LineFolds.ics").read_bytes()
        self.assertContains(self.upload(body), "1 new, 0 changed, 0 unchanged")
        self.assertContains(self.upload(body), "0 new, 0 changed, 1 unchanged")
        activity = Activity.objects.get(company=self.acme)
        self.assertTrue(activity.all_day)
        self.assertEqual(activity.start_date, dt.date(2009, 6, 21))
        self.assertEqual(activity.responsible, "alice@acme.se")

    def test_real_files_from_other_programs_import_or_are_refused_with_the_reason(self) -> None:
        access = self.access(self.alice)
        today = dt.date(2026, 11, 28)
        expected_ok = {
            "collective__icalendar__alarm_google_future.ics": 1,
            "collective__icalendar__alarm_thunderbird_snoozed_until_1457.ics": 1,
            "collective__icalendar__alarm_etar_future.ics": 1,
            "collective__icalendar__issue_350.ics": 1,
            "collective__icalendar__property_params.ics": 1,
            "ical4j__ical4j__apple-iphone-os-26-structured-location.ics": 1,
            "ical4j__ical4j__groupwise.ics": 1,
            "ical4j__ical4j__tmeher.ics": 1,
            "jens-maus__node-ical__tentative-apple-calendar.ics": 4,
            "jens-maus__node-ical__vtimezone-year-0001-dtstart.ics": 1,
            "py-vobject__vobject__tzid_8bit.ics": 1,
            "libical__libical__user-cal.vcf": 4,
        }
        refused = {
            "collective__icalendar__big_bad_calendar.ics": "no calendar",
            "collective__icalendar__parsing_error.ics": "no UID",
            "ical4j__ical4j__blankTzid.ics": "TZID",
            "jens-maus__node-ical__test_with_tz_list.ics": "time zone",
            "jens-maus__node-ical__test_with_int_tzid.ics": "time zone",
            "kewisch__ical.js__google_birthday.ics": "RDATE",
            "pimutils__khal__non_dst_error.ics": "PT-2H",
        }
        with self.subTest("expanded"):
            read = fmt.read_calendar(
                shared_data_path("ical", "collective__icalendar__x_location.ics").read_bytes(),
                today=today,
            )
            self.assertGreater(len(read.items), 100)
            self.assertEqual(len({i.uid for i in read.items}), len(read.items))
        for name, count in expected_ok.items():
            with self.subTest(name):
                data = shared_data_path("ical", name).read_bytes()
                self.assertEqual(len(fmt.read_calendar(data, today=today).items), count)
                before = Activity.objects.filter(company=self.acme).count()
                report = ical.import_ics(access=access, data=data)
                self.assertEqual(report.created, count)
                self.assertEqual(ical.import_ics(access=access, data=data).created, 0)
                self.assertEqual(Activity.objects.filter(company=self.acme).count(), before + count)
        for name, reason in refused.items():
            with self.subTest(name):
                before = Activity.objects.filter(company=self.acme).count()
                with self.assertRaises(ValidationError) as caught:
                    ical.import_ics(access=access, data=shared_data_path("ical", name).read_bytes())
                self.assertIn(reason, " ".join(caught.exception.messages))
                self.assertEqual(Activity.objects.filter(company=self.acme).count(), before)

    def test_a_repeating_event_is_expanded_within_the_window_with_its_exceptions(self) -> None:
        data = shared_data_path("ical", "kewisch__ical.js__recur_instances.ics").read_bytes()
        read = fmt.read_calendar(data, today=dt.date(2026, 11, 28))
        starts = [i.start for i in read.items]
        self.assertTrue(starts)
        self.assertEqual(starts, sorted(starts))
        first = dt.datetime(2025, 11, 27, tzinfo=dt.UTC)
        self.assertTrue(all(s >= first for s in starts))  # type: ignore[operator]

    def test_broken_huge_or_hostile_files_are_refused_and_nothing_is_imported(self) -> None:
        cases = {
            b"hello": "not an iCalendar file",
            b"BEGIN:VCALENDAR\r\n" + b"X" * 5_100_000: "MB",
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20261201T090000Z\r\n"
                b"RRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ): "only daily, weekly, monthly and yearly",
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:b\r\nDTSTART:20261201T090000Z\r\n"
                b"RRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ): "RRULE",
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:c\r\nSUMMARY:ok\r\n"
                b"DTSTART:20261201T090000Z\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:d\r\n"
                b"DTSTART:20261202T100000Z\r\nDTEND:20261202T090000Z\r\nEND:VEVENT\r\n"
                b"END:VCALENDAR\r\n"
            ): "before the start",
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:e\r\nDTSTART:16010101T090000Z\r\n"
                b"RRULE:FREQ=DAILY;INTERVAL=1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ): "too many occurrences before",
            (
                b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:f\r\nDTSTART:20261201T090000Z\r\n"
                b"RRULE:FREQ=DAILY;BYHOUR=1,2,3,4,5,6,7,8,9,10\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
            ): "repeats",
        }
        for body, reason in cases.items():
            with self.subTest(reason):
                response = self.upload(body)
                self.assertContains(response, reason, status_code=400)
                self.assertFalse(Activity.objects.filter(company=self.acme).exists())

    def test_read_only_cannot_import_and_charlie_cannot_touch_acme(self) -> None:
        self.login(self.rita)
        self.assertEqual(self.client.get(self.base + "import/").status_code, 403)
        self.assertEqual(self.client.get(self.base + "export.ics").status_code, 200)
        self.login(self.charlie)
        self.assertEqual(self.upload(b"BEGIN:VCALENDAR", self.charlie).status_code, 404)


class WriterTest(ActivitiesTestCase):
    def test_long_lines_fold_without_splitting_characters(self) -> None:
        item = fmt.IcsItem(uid=str(uuid.uuid4()), summary="å" * 200, start=local(2026, 12, 1, 9))
        body = fmt.write_calendar([item])
        self.assertTrue(all(len(line) <= 75 for line in body.split(b"\r\n")))
        parsed = parse_both(body)
        self.assertEqual(parsed[item.uid]["summary"], "å" * 200)


class CalendarFeedApiTest(ActivitiesTestCase):
    def get(self, user, company):  # type: ignore[no-untyped-def]
        secret = core_services.token_create(user=user, name="t")[1]
        return self.client.get(
            f"/api/v1/companies/{company.id}/calendar-feed",
            headers={"Authorization": f"Bearer {secret}"},
        )

    def test_it_returns_the_callers_feed_url_the_same_each_time(self) -> None:
        self.make(subject="Möte", start=local(2026, 12, 1, 9))
        first = self.get(self.rita, self.acme)
        self.assertEqual(first.status_code, 200)
        url = first.json()["url"]
        self.assertTrue(url.startswith("http://testserver/feeds/"))
        self.assertEqual(self.get(self.rita, self.acme).json()["url"], url)
        self.assertEqual(self.client.get(url.removeprefix("http://testserver")).status_code, 200)

    def test_charlie_gets_404_for_acme(self) -> None:
        self.assertEqual(self.get(self.charlie, self.acme).status_code, 404)
        self.assertFalse(CalendarFeed.objects.filter(user=self.charlie).exists())
