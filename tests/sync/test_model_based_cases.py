"""Cases the model-based test found, replayed step by step as it printed them: each
failed once (a bug in the engine or in the model) and must keep passing."""

import random

from tests.sync.base import SyncTestCase
from tests.sync.test_model_based import SyncMachine


class FoundCasesTests(SyncTestCase):
    databases = {"default", "office"}

    def machine(self) -> SyncMachine:
        SyncMachine.case = self  # type: ignore[attr-defined]
        random.seed(0)
        return SyncMachine()

    def test_a_delete_by_a_side_that_had_the_edit_and_wrote_over_it_is_no_conflict(
        self,
    ) -> None:
        """The model judged "the deleter had the other side's edit" by the values; the
        office had it and then wrote its own value over it. Now judged by the versions."""
        state = self.machine()
        _contacts_0, _contacts_1, contacts_2 = state.start(policy="office-wins", first_sync=False)
        state.create_person(contact=contacts_2, first_name=" ", side="default")
        state.agent_exchange(at=0, batch=1, fault="none")
        state.edit_person(field="first_name", pick=0, side="office", value="a")
        state.delete(contact=contacts_2, side="office")
        state.drain_and_check()
        state.teardown()

    def test_the_same_with_more_deletes_around_it(self) -> None:
        state = self.machine()
        contacts_0, contacts_1, contacts_2 = state.start(policy="office-wins", first_sync=True)
        state.agent_exchange(at=0, batch=1, fault="none")
        state.delete(contact=contacts_0, side="office")
        state.delete(contact=contacts_0, side="office")
        state.create_person(contact=contacts_2, first_name="ä", side="default")
        state.agent_exchange(at=0, batch=1, fault="none")
        state.set_clock(minutes=0, side="office")
        state.delete(contact=contacts_1, side="office")
        state.edit_person(field="first_name", pick=0, side="office", value="a")
        state.delete(contact=contacts_2, side="office")
        state.teardown()

    def test_when_both_sides_deleted_the_parent_either_delete_may_win(self) -> None:
        """A person's edit lost to its contact's delete, made on both sides: the delete wins
        whatever the policy, logged as whichever side's delete the resolving node met."""
        state = self.machine()
        contacts_0, contacts_1, contacts_2 = state.start(policy="office-wins", first_sync=True)
        state.agent_exchange(at=0, batch=1, fault="none")
        state.delete(contact=contacts_0, side="office")
        state.delete(contact=contacts_0, side="office")
        state.create_person(contact=contacts_2, first_name="ä", side="default")
        state.agent_exchange(at=0, batch=1, fault="none")
        state.delete(contact=contacts_2, side="default")
        state.edit(contact=contacts_2, field="notes", side="default", value=" a  ö")
        state.edit_person(field="first_name", pick=12, side="office", value="  ")
        state.delete(contact=contacts_1, side="office")
        state.create_person(contact=contacts_0, first_name="äåbaåä", side="default")
        state.push_with_fault(fault="duplicate", limit=2, seed=263)
        state.delete(contact=contacts_2, side="office")
        state.push_with_fault(fault="duplicate", limit=4, seed=226)
        state.push_with_fault(fault="reorder", limit=2, seed=183)
        state.agent_exchange(at=0, batch=4, fault="none")
        state.edit(contact=contacts_0, field="phone", side="office", value="b")
        state.push_with_fault(fault="duplicate", limit=2, seed=411)
        state.push_with_fault(fault="kill", limit=4, seed=83)
        state.agent_exchange(at=0, batch=3, fault="none")
        state.delete(contact=contacts_2, side="office")
        state.teardown()
