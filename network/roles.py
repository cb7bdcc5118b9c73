"""Alliance roles, held as Django groups so an administrator can grant them in the admin.

A consultant group's coordinator is not a role here: it is the ``coordinator`` field of the
group, so it moves with the group rather than with a person's account.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INTAKE_COORDINATOR = "Intake coordinators", _("Intake coordinator")
    COMMUNITY_COORDINATOR = "Community coordinators", _("Community coordinator")
    SECRETARY = "Secretaries", _("Secretary")
    WEBMASTER = "Webmasters", _("Webmaster")
    RECORDS_KEEPER = "Records keepers", _("Records keeper")


# Model permissions each role holds, as "app_label.codename".
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INTAKE_COORDINATOR: [
        "network.view_consultant",
        "network.change_consultant",
        "network.view_consultantskill",
        "network.view_externalprofessional",
        "network.add_externalprofessional",
        "network.change_externalprofessional",
        "network.view_consultantgroup",
        "network.change_consultantgroup",
        "network.view_skill",
        "network.add_skill",
        "network.change_skill",
        "network.add_skillalias",
        "network.change_skillalias",
        "network.view_skillalias",
    ],
    Role.COMMUNITY_COORDINATOR: [
        "network.view_consultant",
        "network.add_consultant",
        "network.change_consultant",
        "network.view_consultantskill",
        "network.view_membershipapplication",
        "network.change_membershipapplication",
        "network.view_consultantstatuschange",
        "network.view_consultantgroup",
        "network.add_consultantgroup",
        "network.change_consultantgroup",
    ],
    Role.SECRETARY: ["network.view_consultant"],
    Role.WEBMASTER: ["network.view_consultant", "network.view_skill"],
    Role.RECORDS_KEEPER: [
        "network.view_consultant",
        "network.view_consultantstatuschange",
        "network.view_membershipapplication",
        "network.view_externalprofessional",
    ],
}
