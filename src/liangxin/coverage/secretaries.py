"""派驻党组织书记 as person records: who was sent, by which unit, from when until when. Recording
one makes them the party organization's 书记 (marked 派驻, with the sending unit) and ends the
posting before it; ending one leaves the post vacant from that day unless another secretary was
recorded since. Atomic, through the actor's `change` scope on the party organization, audited."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from liangxin.core import audit, effects
from liangxin.coverage.models import DispatchedSecretary, PartyOrganization
from liangxin.coverage.services import _locked

FIELDS = ["name", "phone", "sent_by", "starts_on", "ends_on"]


def in_post_q(as_of: datetime.date, prefix: str = "") -> Q:
    """A posting running on `as_of`."""
    return Q(**{f"{prefix}starts_on__lte": as_of}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gt": as_of})
    )


def with_dispatched(party_orgs: QuerySet, as_of: datetime.date) -> QuerySet:
    """The party organizations among `party_orgs` with a dispatched secretary in post on `as_of`."""
    return party_orgs.filter(
        pk__in=DispatchedSecretary.objects.filter(in_post_q(as_of)).values("party_org_id")
    )


@transaction.atomic
def record(
    party_org: PartyOrganization,
    *,
    actor,
    name: str,
    sent_by: str,
    starts_on: datetime.date,
    phone: str = "",
    today: datetime.date,
) -> DispatchedSecretary:
    party_org = _locked(PartyOrganization, party_org, actor)
    if starts_on > today:
        raise ValidationError({"starts_on": "派驻日期不能晚于今天"})
    latest = party_org.dispatched_secretaries.order_by("-starts_on", "-id").first()
    if latest is not None and latest.starts_on >= starts_on:
        raise ValidationError(
            {"starts_on": f"{latest.name}自{latest.starts_on:%Y-%m-%d}起派驻，新派驻日期应晚于此日"}
        )
    current = party_org.dispatched_secretaries.filter(ends_on__isnull=True).first()
    posting = DispatchedSecretary(
        party_org=party_org, name=name.strip(), phone=phone.strip(), sent_by=sent_by.strip(),
        starts_on=starts_on, created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    posting.full_clean()
    if current is not None:
        _end(current, starts_on, actor)
    posting.save()
    before = audit.snapshot(party_org, ["secretary", "secretary_dispatched", "secretary_sent_by"])
    party_org.secretary, party_org.secretary_dispatched = posting.name, True
    party_org.secretary_sent_by, party_org.secretary_vacant_since = posting.sent_by, None
    party_org.save(update_fields=["secretary", "secretary_dispatched", "secretary_sent_by",
                                  "secretary_vacant_since", "updated_at"])  # fmt: skip
    effects.figures_changed()  # after commit: the cockpit warm-up
    audit.record(
        "coverage.dispatched_secretary.created", actor=actor, obj=posting, after=audit.snapshot(posting, FIELDS),
        before=before,
    )  # fmt: skip
    return posting


@transaction.atomic
def end(
    posting: DispatchedSecretary, *, actor, ends_on: datetime.date, today: datetime.date
) -> DispatchedSecretary:
    party_org = _locked(PartyOrganization, posting.party_org, actor)
    posting = DispatchedSecretary.objects.select_for_update().get(pk=posting.pk)
    if posting.ends_on is not None:
        raise ValidationError({"ends_on": f"该派驻已于{posting.ends_on:%Y-%m-%d}结束"})
    if ends_on > today or ends_on <= posting.starts_on:
        raise ValidationError(
            {"ends_on": f"结束日期应晚于派驻日期 {posting.starts_on:%Y-%m-%d}，且不晚于今天"}
        )
    _end(posting, ends_on, actor)
    if party_org.secretary == posting.name and party_org.secretary_dispatched:
        party_org.secretary, party_org.secretary_dispatched = "", False
        party_org.secretary_sent_by, party_org.secretary_vacant_since = "", ends_on
        party_org.save(update_fields=["secretary", "secretary_dispatched", "secretary_sent_by",
                                      "secretary_vacant_since", "updated_at"])  # fmt: skip
    effects.figures_changed()
    return posting


def _end(posting: DispatchedSecretary, ends_on: datetime.date, actor) -> None:
    posting.ends_on = ends_on
    posting.save(update_fields=["ends_on"])
    audit.record(
        "coverage.dispatched_secretary.ended", actor=actor, obj=posting, before={"ends_on": None},
        after={"ends_on": f"{ends_on:%Y-%m-%d}"},
    )  # fmt: skip
