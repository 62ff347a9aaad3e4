"""What a user can see, it cannot always change: the escalations of issue 13, each refused (404,
like a row that is not there) with the refusal in the audit log."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from liangxin.core.masking import mask_name
from liangxin.core.models import AuditLog, MemberUnit
from liangxin.coverage import services as coverage_services
from liangxin.coverage.models import Formation, PartyOrganization, PartyOrgStatus
from liangxin.registry import services as registry_services
from liangxin.registry.models import Organization
from tests.coverage.factories import make_org as make_covered_org
from tests.coverage.factories import make_party_org
from tests.factories import make_user
from tests.registry.factories import credit_code, make_org

TODAY = datetime.date(2026, 12, 4)


@pytest.fixture
def minzheng(city):
    return make_user("mz", role="member_unit", member_unit="民政局")


@pytest.fixture
def jiaotong(city):
    return make_user("jt", role="member_unit", member_unit="交通运输局")


@pytest.fixture
def jizhou(city):
    return make_user("jizhou", role="county", region="360802")


def denied(user) -> AuditLog | None:
    """The refusal the audit middleware records (core.access.denied, the page and its path)."""
    return AuditLog.objects.filter(action="core.access.denied", actor=user).first()


@pytest.mark.django_db
class TestAMemberUnitCannotChangeWhatItSeesThroughItsSector:
    @pytest.fixture
    def joint_branch(self, city):
        org = make_covered_org(
            "泰和县物流行业协会", region="360826100", kind="social", tags=("行业协会商会",)
        )
        return make_party_org("泰和县协会联合党支部", org, formation=Formation.JOINT, region="360826")

    def test_minzheng_sees_another_countys_joint_branch_but_cannot_edit_or_dissolve_it(
        self, minzheng, joint_branch, client_for
    ):
        client = client_for(minzheng)
        detail = reverse("coverage:party_org_detail", args=[joint_branch.pk])
        edit = reverse("coverage:party_org_edit", args=[joint_branch.pk])
        page = client.get(detail)
        assert page.status_code == 200 and "泰和县协会联合党支部" in page.content.decode()
        assert edit not in page.content.decode()  # no edit button
        assert client.get(edit).status_code == 404
        response = client.post(edit, {"name": "被改名的支部", "status": PartyOrgStatus.DISSOLVED})
        assert response.status_code == 404
        joint_branch.refresh_from_db()
        assert joint_branch.name == "泰和县协会联合党支部" and joint_branch.status == PartyOrgStatus.ACTIVE
        log = denied(minzheng)
        assert log is not None and f"/{joint_branch.pk}/edit/" in log.source_detail
        assert log.result == AuditLog.Result.FAILURE

    def test_the_service_refuses_it_too(self, minzheng, joint_branch):
        with pytest.raises(ValidationError):
            coverage_services.save_party_org(
                joint_branch, actor=minzheng, today=TODAY, status=PartyOrgStatus.DISSOLVED
            )
        joint_branch.refresh_from_db()
        assert joint_branch.status == PartyOrgStatus.ACTIVE

    def test_minzheng_changes_a_party_organization_it_owns(self, minzheng, client_for):
        owned = make_party_org(
            "民政局社会组织综合党委", region="360800", owner_unit=MemberUnit.objects.get(name="民政局")
        )
        assert (
            client_for(minzheng).get(reverse("coverage:party_org_edit", args=[owned.pk])).status_code == 200
        )
        coverage_services.save_party_org(owned, actor=minzheng, today=TODAY, secretary="李书记")
        owned.refresh_from_db()
        assert owned.secretary == "李书记"

    def test_a_member_unit_cannot_hand_its_party_organization_to_another_unit(self, minzheng):
        owned = make_party_org(
            "民政局社会组织综合党委", region="360800", owner_unit=MemberUnit.objects.get(name="民政局")
        )
        with pytest.raises(ValidationError):
            coverage_services.save_party_org(
                owned, actor=minzheng, today=TODAY, owner_unit=MemberUnit.objects.get(name="商务局")
            )
        assert PartyOrganization.objects.get(pk=owned.pk).owner_unit.name == "民政局"


@pytest.mark.django_db
class TestAMemberUnitChangesOnlyWhatItSupervises:
    @pytest.fixture
    def shangwu_org(self, city):
        return make_org(
            "吉安市顺达物流有限公司",
            industry_id="54",
            industry_section="G",
            supervising_unit=MemberUnit.objects.get(name="商务局"),
            phone="13907961234",
            contact="张三丰",
        )

    def test_jiaotong_sees_it_through_its_industry_but_cannot_rename_or_take_it_over(
        self, jiaotong, shangwu_org, client_for
    ):
        client = client_for(jiaotong)
        assert client.get(reverse("registry:organization_detail", args=[shangwu_org.pk])).status_code == 200
        edit = reverse("registry:organization_edit", args=[shangwu_org.pk])
        assert client.get(edit).status_code == 404
        response = client.post(
            edit,
            {"name": "改名物流", "region": "360802001", "status": "存续", "supervising_unit": "交通运输局"},
        )
        assert response.status_code == 404
        shangwu_org.refresh_from_db()
        assert shangwu_org.name == "吉安市顺达物流有限公司" and shangwu_org.supervising_unit.name == "商务局"
        assert f"/{shangwu_org.pk}/edit/" in denied(jiaotong).source_detail

    def test_the_service_and_an_import_row_refuse_it_with_a_message_that_names_no_one(
        self, jiaotong, shangwu_org
    ):
        record = {"credit_code": shangwu_org.credit_code, "name": "改名物流", "supervising_unit": None}
        with pytest.raises(PermissionError) as refused:
            registry_services.save_organization(record, actor=jiaotong, today=TODAY)
        assert str(refused.value) == registry_services.NOT_YOURS
        assert Organization.objects.get(pk=shangwu_org.pk).name == "吉安市顺达物流有限公司"

    def test_it_cannot_hand_its_own_organization_to_another_unit_or_create_one_for_another(
        self, jiaotong, city
    ):
        own = make_org("交通自管公司", supervising_unit=MemberUnit.objects.get(name="交通运输局"))
        shangwu = MemberUnit.objects.get(name="商务局")
        result = registry_services.apply_records(
            [
                (1, {"credit_code": own.credit_code, "name": "交通自管公司", "supervising_unit": shangwu}),
                (
                    2,
                    {
                        "credit_code": credit_code(serial=9701),
                        "name": "替商务局建的公司",
                        "region": own.region,
                        "supervising_unit": shangwu,
                    },
                ),
            ],
            actor=jiaotong,
            today=TODAY,
        )
        assert [(key, column) for key, column, _ in result.rejected] == [
            (1, "supervising_unit"),
            (2, "supervising_unit"),
        ]
        assert Organization.objects.get(pk=own.pk).supervising_unit.name == "交通运输局"
        assert not Organization.objects.filter(name="替商务局建的公司").exists()

    def test_it_edits_what_it_supervises_and_new_rows_are_its_own(self, jiaotong, city):
        own = make_org("交通自管公司", supervising_unit=MemberUnit.objects.get(name="交通运输局"))
        result = registry_services.apply_records(
            [
                (1, {"credit_code": own.credit_code, "name": "交通自管公司（更名）"}),
                (2, {"credit_code": credit_code(serial=9702), "name": "交通新公司", "region": own.region}),
            ],
            actor=jiaotong,
            today=TODAY,
        )
        assert not result.rejected and result.updated == 1 and result.created == 1
        assert Organization.objects.get(name="交通新公司").supervising_unit.name == "交通运输局"


@pytest.mark.django_db
class TestPersonalDataIsMaskedWhereverASectorUnitLooks:
    @pytest.fixture
    def org(self, city, office):
        org = make_org(
            "吉安市顺达物流有限公司",
            industry_id="54",
            industry_section="G",
            supervising_unit=MemberUnit.objects.get(name="商务局"),
        )
        registry_services.save_organization(
            {"credit_code": org.credit_code, "name": org.name, "phone": "13907961234", "contact": "张三丰"},
            actor=office,
            today=TODAY,
        )
        return org

    def test_detail_history_list_and_export_mask_phone_and_contact(self, jiaotong, org, client_for):
        client = client_for(jiaotong)
        pages = [
            client.get(reverse("registry:organization_detail", args=[org.pk])).content.decode(),
            client.get(reverse("registry:organizations")).content.decode(),
            b"".join(
                client.get(reverse("registry:organization_export", args=["csv"])).streaming_content
            ).decode("utf-8-sig"),
        ]
        for text in pages:
            assert "13907961234" not in text and "张三丰" not in text
        assert "139****1234" in pages[0] and mask_name("张三丰") in pages[0]  # detail and its history
        assert "139****1234" in pages[1] and "139****1234" in pages[2]

    def test_the_keepers_see_them_in_full_in_the_form_and_history(self, office, jizhou, org, client_for):
        for user in (office, jizhou):
            client = client_for(user)
            form = client.get(reverse("registry:organization_edit", args=[org.pk])).content.decode()
            assert 'value="13907961234"' in form and 'value="张三丰"' in form
            detail = client.get(reverse("registry:organization_detail", args=[org.pk])).content.decode()
            assert "13907961234" in detail

    def test_a_masked_value_sent_back_by_the_form_leaves_the_phone_unchanged(self, org, office, client_for):
        client = client_for(office)
        client.post(
            reverse("registry:organization_edit", args=[org.pk]),
            {
                "name": org.name,
                "region": "360802001",
                "status": "存续",
                "phone": "139****1234",
                "contact": "张**",
            },
        )
        org.refresh_from_db()
        assert org.phone == "13907961234" and org.contact == "张三丰"


@pytest.mark.django_db
class TestExistenceIsNotLeaked:
    def test_a_county_user_is_not_told_another_countys_credit_code_is_in_the_registry(
        self, jizhou, client_for
    ):
        # Registered in 吉州区 by its code, but recorded in 泰和县: not the 吉州区 user's to see.
        code = credit_code(serial=9801, division="360802")
        make_org("泰和县登记的公司", region="360826100", code=code)
        page = client_for(jizhou).post(
            reverse("registry:organization_create"),
            {"credit_code": code, "name": "重复录入", "region": "360802001", "status": "存续"},
        )
        text = page.content.decode()
        assert page.status_code == 200
        assert "已在台账中" not in text and "泰和县登记的公司" not in text
        assert registry_services.NOT_YOURS in text
        assert not Organization.objects.filter(name="重复录入").exists()

    def test_a_code_the_user_can_see_is_named_as_a_duplicate(self, jizhou, client_for):
        org = make_org("吉州区已有公司", region="360802001")
        page = client_for(jizhou).post(
            reverse("registry:organization_create"),
            {"credit_code": org.credit_code, "name": "重复录入", "region": "360802001", "status": "存续"},
        )
        assert "该统一社会信用代码已在台账中" in page.content.decode()


@pytest.mark.django_db
class TestServicesRecheckInsideTheTransaction:
    def test_a_follow_up_of_another_units_organization_cannot_be_closed(self, jiaotong, city):
        from liangxin.registry.models import FollowUp

        org = make_org(
            "商务局主管公司", industry_id="54", supervising_unit=MemberUnit.objects.get(name="商务局")
        )
        followup = FollowUp.objects.create(organization=org, kind="new", due_on="2030-01-01")
        with pytest.raises(PermissionError):
            registry_services.close_followup(followup, actor=jiaotong, outcome="not_needed", note="越权办结")
        followup.refresh_from_db()
        assert followup.status == FollowUp.Status.OPEN

    def test_the_audit_administrator_sees_personal_data_masked_in_the_log(self, office, client_for, city):
        org = make_org("审计可见公司")
        registry_services.save_organization(
            {"credit_code": org.credit_code, "name": org.name, "phone": "13907969999", "contact": "王五六"},
            actor=office,
            today=TODAY,
        )
        auditor = make_user("auditor", role="auditadmin")
        page = client_for(auditor).get(reverse("core:audit_log")).content.decode()
        assert "审计可见公司" in page
        assert "13907969999" not in page and "王五六" not in page and "139****9999" in page


@pytest.mark.django_db
class TestMemberUnitContactsAreMaskedForWhoDoesNotKeepThem:
    def test_the_unit_sees_its_liaison_in_full_and_the_audit_log_masks_it(self, jiaotong, office, client_for):
        unit = MemberUnit.objects.get(name="交通运输局")
        unit.contact, unit.phone = "赵联络", "13907960001"
        from liangxin.core import services as core_services

        core_services.save_member_unit(unit, actor=office)
        own = client_for(jiaotong).get(reverse("core:member_unit_detail", args=[unit.pk])).content.decode()
        assert "赵联络" in own and "13907960001" in own
        auditor = make_user("auditor", role="auditadmin")
        log = client_for(auditor).get(reverse("core:audit_log")).content.decode()
        assert "13907960001" not in log and "赵联络" not in log
        assert "139****0001" in log and mask_name("赵联络") in log
