"""Review reminders for policies and reminders for action items: sent once, at the right time,
to the right person, and one failure does not stop the rest."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django_q.models import Schedule

from handbook import reminders, services, tasks
from handbook.management.commands.handbook_schedules import FREQUENT, SCHEDULES, next_run_at
from handbook.models import ActionItem, Page
from network import access as network_access
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db

LA = ZoneInfo("America/Los_Angeles")


def at(year, month, day):
    """Noon in the project's time zone on that day, with the clock stopped."""
    return time_machine.travel(datetime.datetime(year, month, day, 12, tzinfo=LA), tick=False)


class RefusingBackend(EmailBackend):
    """The locmem backend, except that the mail server refuses addresses at bounce.test."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@bounce.test") for address in message.to):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def policy(member):
    def make(title="Outside referrals", reviewed=datetime.date(2025, 1, 10), **fields):
        page = services.page_create(
            actor=member,
            title=title,
            body="The policy.",
            category=fields.pop("category", Page.Category.POLICY),
            last_reviewed=reviewed,
            **fields,
        )
        return page

    return make


# --- Which policies are due ---------------------------------------------------------------


def test_a_policy_is_due_twelve_months_after_its_review(policy):
    due = policy("Due", reviewed=datetime.date(2025, 1, 10))
    not_yet = policy("Not yet", reviewed=datetime.date(2025, 1, 11))
    guide = policy("A guide", reviewed=datetime.date(2020, 1, 1), category=Page.Category.GUIDE)
    never = policy("Never reviewed")
    Page.objects.filter(pk=never.pk).update(last_reviewed=None)

    found = set(reminders.pages_due_for_review(datetime.date(2026, 1, 10)))

    assert found == {due, never}
    assert not_yet not in found and guide not in found


def test_the_review_period_is_a_setting(policy, settings):
    settings.HANDBOOK_REVIEW_MONTHS = 6
    page = policy(reviewed=datetime.date(2025, 1, 10))

    assert list(reminders.pages_due_for_review(datetime.date(2025, 7, 10))) == [page]
    assert list(reminders.pages_due_for_review(datetime.date(2025, 7, 9))) == []


# --- Review reminders -----------------------------------------------------------------------


def test_the_owner_is_reminded_once_with_text_and_html(policy, member):
    page = policy(reviewed=datetime.date(2025, 1, 10))

    with at(2026, 1, 12):
        assert reminders.review_reminders_send() == 1
        assert reminders.review_reminders_send() == 0

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Review due: Outside referrals"
    assert page.get_absolute_url() in message.body
    assert "10 January 2025" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and page.get_absolute_url() in html
    page.refresh_from_db()
    assert page.review_reminded_at == datetime.datetime(2026, 1, 12, 12, tzinfo=LA)


def test_no_reminder_again_until_reviewed_then_after_the_next_period(policy, member):
    page = policy(reviewed=datetime.date(2025, 1, 10))
    with at(2026, 1, 12):
        reminders.review_reminders_send()
    with at(2026, 6, 1):
        assert reminders.review_reminders_send() == 0  # still due, already reminded

    with at(2026, 6, 2):
        services.page_mark_reviewed(actor=member, page_id=page.pk)
    with at(2027, 6, 1):
        assert reminders.review_reminders_send() == 0  # reviewed less than 12 months ago
    with at(2027, 6, 2):
        assert reminders.review_reminders_send() == 1

    assert len(mail.outbox) == 2


def test_a_refused_address_does_not_stop_the_others_and_is_retried(policy, member, settings):
    settings.EMAIL_BACKEND = "tests.handbook.test_reminders.RefusingBackend"
    bounced = ConsultantFactory(user__email="owner@bounce.test")
    first = policy("First", owner=bounced)
    second = policy("Second")

    with at(2026, 2, 1):
        assert reminders.review_reminders_send() == 1

    assert [message.to for message in mail.outbox] == [[member.email]]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.review_reminded_at is None  # rolled back with the failed send
    assert second.review_reminded_at is not None

    bounced.user.email = "owner@members.test"
    bounced.user.save()
    with at(2026, 2, 2):
        assert reminders.review_reminders_send() == 1
    assert mail.outbox[-1].to == ["owner@members.test"]


def test_pages_without_a_reachable_owner_are_skipped(policy):
    orphan = policy("Orphan")
    Page.objects.filter(pk=orphan.pk).update(owner=None)
    silent = ConsultantFactory(user__email="")
    policy("No email", owner=silent)
    gone = ConsultantFactory(user__is_active=False)
    policy("Inactive owner", owner=gone)

    with at(2026, 2, 1):
        assert reminders.review_reminders_send() == 0

    assert mail.outbox == []
    assert not Page.objects.filter(review_reminded_at__isnull=False).exists()


def test_the_task_sends_the_reminders(policy):
    policy()

    with at(2026, 2, 1):
        assert tasks.review_reminders() == 1


# --- Action items ---------------------------------------------------------------------------


@pytest.fixture
def action_item(member):
    meeting = services.meeting_create(
        actor=member, title="Members' meeting", date=datetime.date(2026, 1, 5)
    )
    owner = network_access.consultant_of(member)

    def make(due, text="Write up the referral policy"):
        return services.action_item_create(
            actor=member, meeting_id=meeting.pk, text=text, owner=owner, due=due
        )

    return make


def test_an_action_item_is_reminded_two_days_before_it_is_due(action_item, member):
    item = action_item(datetime.date(2026, 1, 20))

    with at(2026, 1, 17):
        assert reminders.action_item_reminders_send() == 0
    with at(2026, 1, 18):
        assert reminders.action_item_reminders_send() == 1
    with at(2026, 1, 25):
        assert reminders.action_item_reminders_send() == 0  # once only

    [message] = mail.outbox
    assert message.to == [member.email]
    assert message.subject == "Action item due: Write up the referral policy"
    assert "Tuesday 20 January 2026" in message.body
    assert item.meeting.get_absolute_url() in message.alternatives[0][0]
    item.refresh_from_db()
    assert item.reminded_at is not None


def test_a_late_action_item_is_reminded_as_overdue(action_item):
    action_item(datetime.date(2026, 1, 1), text="Send the minutes " + "x" * 100)

    with at(2026, 1, 10):
        assert tasks.action_item_reminders() == 1

    assert mail.outbox[0].subject.startswith("Action item overdue: Send the minutes")
    assert len(mail.outbox[0].subject) < 90
    assert "is not marked done" in mail.outbox[0].body


def test_a_done_action_item_is_not_reminded(action_item, member):
    item = action_item(datetime.date(2026, 1, 20))
    services.action_item_done(actor=member, item_id=item.pk)

    with at(2026, 1, 19):
        assert reminders.action_item_reminders_send() == 0

    assert mail.outbox == []
    assert ActionItem.objects.get(pk=item.pk).reminded_at is None


# --- Schedules ------------------------------------------------------------------------------


def test_handbook_schedules_is_idempotent(db):
    call_command("handbook_schedules", stdout=io.StringIO())
    call_command("handbook_schedules", stdout=io.StringIO())

    schedules = Schedule.objects.filter(name__startswith="Handbook:").order_by("name")
    assert sorted((s.name, s.func, s.schedule_type, s.minutes) for s in schedules) == sorted(
        [
            *((name, func, Schedule.DAILY, None) for name, func in SCHEDULES),
            *((name, func, Schedule.MINUTES, minutes) for name, func, minutes in FREQUENT),
        ]
    )


def test_handbook_schedules_repairs_changed_and_duplicated_schedules(db):
    call_command("handbook_schedules", stdout=io.StringIO())
    name, func = SCHEDULES[0]
    Schedule.objects.filter(name=name).update(schedule_type=Schedule.HOURLY)
    Schedule.objects.create(name=name, func=func, schedule_type=Schedule.DAILY)

    output = io.StringIO()
    call_command("handbook_schedules", stdout=output)

    assert Schedule.objects.filter(name=name).count() == 1
    assert Schedule.objects.get(name=name).schedule_type == Schedule.DAILY
    assert "updated schedule_type; removed 1 duplicate(s)" in output.getvalue()


def test_a_new_schedule_first_runs_at_eight_in_the_morning():
    morning = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=LA)
    evening = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=LA)

    assert next_run_at(morning) == datetime.datetime(2026, 3, 2, 8, 0, tzinfo=LA)
    assert next_run_at(evening) == datetime.datetime(2026, 3, 3, 8, 0, tzinfo=LA)
