"""The conflict rule is chosen on the online node, where conflicts are decided."""

from django.test import override_settings
from django.urls import reverse

from skrivbord.sync.models import SyncLink
from tests.sync.base import SyncTestCase


@override_settings(NODE="online")
class PolicyTests(SyncTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.link = SyncLink.objects.create(company=self.acme, remote_company_id=self.umbrella.id)
        self.url = reverse("sync_connection:policy", args=[self.acme.id])

    def test_an_administrator_chooses_the_rule(self) -> None:
        self.login(self.alice)
        page = self.client.get(reverse("sync_connection:index", args=[self.acme.id]))
        self.assertContains(page, 'value="office-wins" checked')
        response = self.client.post(self.url, {"policy": "ask"}, follow=True)
        self.assertContains(response, "Conflicts are now decided by the rule: Ask a person.")
        self.link.refresh_from_db()
        self.assertEqual(self.link.policy, "ask")

    def test_an_unknown_rule_changes_nothing(self) -> None:
        self.login(self.alice)
        response = self.client.post(self.url, {"policy": "coin-toss"}, follow=True)
        self.assertContains(response, "Choose one of the conflict rules.")
        self.link.refresh_from_db()
        self.assertEqual(self.link.policy, "office-wins")

    def test_users_and_readers_may_not_change_it_and_others_see_nothing(self) -> None:
        for user, status in ((self.bob, 403), (self.rita, 403), (self.charlie, 404)):
            self.login(user)
            self.assertEqual(self.client.post(self.url, {"policy": "ask"}).status_code, status)
        self.link.refresh_from_db()
        self.assertEqual(self.link.policy, "office-wins")

    @override_settings(NODE="office")
    def test_the_office_has_no_rule_to_choose(self) -> None:
        self.login(self.alice)
        self.assertEqual(self.client.post(self.url, {"policy": "ask"}).status_code, 404)
