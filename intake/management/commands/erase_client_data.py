"""Erase a client organisation's personal data on request, keeping the audit trail's shape.

What goes: the organisation's name, website, mission and notes; its contacts' names, emails,
phones and roles; its requests' titles, descriptions and locations, and the organisation's name
and website as typed on them; every free-text note written about those requests (events, offers,
referrals, bid interest, bids' events, declines and hours);
the subject and body of every notification about them or sent to the client's addresses (and the
address itself, for messages to the client); the stored answers of their idempotent submissions;
the admin log's names for these rows.

What stays, so counts, timings and money still add up: every row, status, date, version, event
(its action, statuses, actor and data, which hold only ids and figures), offer, engagement, bid
with its price, members and hours, and the signed agreement versions and settlements, which the
database refuses to change (intake/migrations/0003_bid_triggers.py). A signed agreement names the
request's reference and title; it names no person of the client's.
"""

from collections import Counter

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from intake import hooks
from intake.erasure import ERASED, erase_text
from intake.models import (
    Contact,
    IdempotencyRecord,
    Notification,
    Offer,
    Organization,
    OutsideReferral,
    Request,
    RequestEvent,
    website_domain,
)
from network.text import fold


def erased_contact_email(contact_id: int) -> str:
    # .invalid is reserved (RFC 2606): nothing is ever delivered there, and it passes validation.
    return f"erased-{contact_id}@erased.invalid"


def organization_find(identifier: str) -> Organization:
    """The organisation named by its id, its website's domain or its name (in any case)."""
    identifier = identifier.strip()
    if identifier.isdigit():
        found = Organization.objects.filter(pk=int(identifier)).first()
    else:
        found = (
            Organization.objects.filter(website_domain=website_domain(identifier))
            .exclude(website_domain="")
            .first()
            if "." in identifier
            else None
        )
        found = found or Organization.objects.filter(folded_name=fold(identifier)).first()
    if found is None:
        raise CommandError(
            _("No organisation with the id, website or name %(identifier)s.")
            % {"identifier": repr(identifier)}
        )
    return found


def client_data_erase(*, organization: Organization) -> Counter:
    """Erase ``organization``'s personal data in one transaction; return the changes by kind.

    Updates go through querysets: request events are append-only for every other writer
    (``RequestEvent.save`` refuses a change), and an erasure on request is the one sanctioned
    exception, touching the free text only.
    """
    changed: Counter = Counter()
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        contacts = list(Contact.objects.filter(organization=organization).order_by("pk"))
        requests = Request.objects.filter(organization=organization)
        request_ids = list(requests.order_by("pk").values_list("pk", flat=True))
        addresses = {contact.email.strip().lower(): contact.pk for contact in contacts}

        # Notifications first: they are found by the addresses about to be erased.
        about_client = Q(request_id__in=request_ids)
        for address in addresses:
            about_client |= Q(recipient_email__iexact=address)
        for notification in Notification.objects.filter(about_client).order_by("pk"):
            contact_id = addresses.get(notification.recipient_email.strip().lower())
            if contact_id is not None:
                notification.recipient_email = erased_contact_email(contact_id)
                changed["notification recipients"] += 1
            notification.subject = ERASED
            notification.body_text = ERASED
            notification.body_html = ""
            notification.sealed_status_token = ""  # an erased message carries no link
            # A bounce message quotes the address it bounced from.
            notification.last_error = ERASED if notification.last_error else ""
            notification.save(
                update_fields=[
                    *("recipient_email", "subject", "body_text", "body_html", "last_error"),
                    "sealed_status_token",
                ]
            )
            changed["notification subjects and bodies"] += 1

        # The stored answer holds the request's id and the client's status link (sealed).
        deleted, _by_model = IdempotencyRecord.objects.filter(request_id__in=request_ids).delete()
        changed["idempotency records deleted"] += deleted

        for contact in contacts:
            contact.name = "Erased contact"
            contact.email = erased_contact_email(contact.pk)
            contact.phone = ""
            contact.role = ""
            contact.full_clean()
            contact.save(update_fields=["name", "email", "phone", "role"])
            changed["contacts"] += 1

        for request in requests.order_by("pk"):
            request.title = f"Erased request {request.reference}"
            request.description = ERASED
            request.location = ""
            request.submitted_organization_name = ""
            request.submitted_organization_website = ""
            request.save(
                update_fields=[
                    *("title", "description", "location"),
                    *("submitted_organization_name", "submitted_organization_website"),
                ]
            )
            changed["requests"] += 1

        by_request = {"request_id__in": request_ids}
        changed["request event notes"] += erase_text(
            RequestEvent.objects.filter(**by_request), "note"
        )
        changed["offer reasons"] += erase_text(Offer.objects.filter(**by_request), "reason")
        referrals = OutsideReferral.objects.filter(**by_request)
        changed["referral messages"] += erase_text(referrals, "message")
        changed["referral outcome notes"] += erase_text(referrals, "outcome_note")
        # What the apps built on intake keep about these requests (a bid's notes and hours).
        for reply in hooks.replies(hooks.client_data_erasing, request_ids=request_ids):
            changed.update(reply)

        erased_name = f"Erased organisation {organization.pk}"
        organization.name = erased_name
        organization.website = ""
        organization.mission = ""
        organization.notes = ""
        organization.full_clean()
        organization.save()  # save() recomputes the folded name and the website's domain
        changed["organisations"] += 1

        # The admin's history names the rows it changed (LogEntry.object_repr).
        for model, ids, label in (
            (Organization, [organization.pk], erased_name),
            (Contact, [contact.pk for contact in contacts], "Erased contact"),
            (Request, request_ids, "Erased request"),
        ):
            changed["admin log entries"] += LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=[str(pk) for pk in ids],
            ).update(object_repr=label)
    return +changed  # without the kinds that changed nothing


# What the output names each kind of change (the counters' keys) in the catalogs.
CHANGE_KINDS = (
    gettext_noop("notification recipients"),
    gettext_noop("notification subjects and bodies"),
    gettext_noop("idempotency records deleted"),
    gettext_noop("contacts"),
    gettext_noop("requests"),
    gettext_noop("request event notes"),
    gettext_noop("offer reasons"),
    gettext_noop("referral messages"),
    gettext_noop("referral outcome notes"),
    gettext_noop("organisations"),
    gettext_noop("admin log entries"),
)


class Command(BaseCommand):
    help = gettext_lazy(
        "Erase a client organisation's personal data on request (by id, website domain or name): "
        "names, emails, phones, descriptions, notes and the messages sent about it. Statuses, "
        "dates, events, offers and bids stay, so the audit trail keeps its shape."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "organisation", help=_("The organisation's id, website domain or name.")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Show what would change; change nothing.")
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help=_("Erase without asking (required unless --dry-run)."),
        )

    def handle(self, *args, organisation, dry_run, yes, **options):
        organization = organization_find(organisation)
        if not dry_run and not yes:
            raise CommandError(
                _(
                    "This erases the personal data of %(name)s (id %(id)s) for good. Run with "
                    "--dry-run to see what changes, then with --yes."
                )
                % {"name": repr(organization.name), "id": organization.pk}
            )
        heading = {"name": repr(organization.name), "id": organization.pk}
        with transaction.atomic():
            changed = client_data_erase(organization=organization)
            if dry_run:
                transaction.set_rollback(True)  # the counts are real; the changes are not kept
        if dry_run:
            self.stdout.write(_("Would erase the personal data of %(name)s (id %(id)s):") % heading)
        else:
            self.stdout.write(_("Erased the personal data of %(name)s (id %(id)s):") % heading)
        for kind, count in sorted(changed.items()):
            # The kinds are counters' keys (an app's own too): named in the catalog when known.
            self.stdout.write(f"  {_(kind)}: {count}")
        if not changed:
            self.stdout.write("  " + _("nothing to change"))
