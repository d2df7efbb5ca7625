"""The per-field merge, without a database."""

from skrivbord.sync.hlc import pack, receive, tick, unpack
from skrivbord.sync.merge import DELETED, Policy, RowImage, Side, Version, merge

FIELDS = ("name", "phone")


def row(name="A", phone="1", versions=None, deleted=False):
    return RowImage(
        {"name": name, "phone": phone} if not deleted else {}, dict(versions or {}), deleted
    )


def merge_on_online(local, incoming, policy=Policy.OFFICE_WINS):
    return merge(
        local,
        incoming,
        local_side=Side.ONLINE,
        fields=FIELDS,
        resolve=True,
        policy_for=lambda _field: policy,
    )


BASE = {"name": Version(1, 0, 10), "phone": Version(1, 0, 10), DELETED: Version(1, 0, 10)}


def test_it_takes_a_new_row_as_it_comes():
    outcome = merge_on_online(None, row(versions=BASE))
    assert outcome.image.values == {"name": "A", "phone": "1"}
    assert outcome.restored


def test_it_merges_edits_of_different_fields():
    online = row(phone="2", versions={**BASE, "phone": Version(1, 5, 20)})
    office = row(name="B", versions={**BASE, "name": Version(7, 0, 30)})
    outcome = merge_on_online(online, office)
    assert outcome.image.values == {"name": "B", "phone": "2"}
    assert outcome.changed == {"name"}
    assert outcome.conflicts == []


def test_it_ignores_a_repeated_or_stale_batch():
    online = row(name="B", versions={**BASE, "name": Version(7, 0, 30)})
    outcome = merge_on_online(online, row(name="B", versions={**BASE, "name": Version(7, 0, 30)}))
    assert outcome.changed == set()
    assert outcome.conflicts == []
    outcome = merge_on_online(online, row(versions=BASE))
    assert outcome.image.values["name"] == "B"


def test_it_resolves_a_true_conflict_by_the_policy_and_rebroadcasts():
    online = row(name="Online", versions={**BASE, "name": Version(1, 5, 50)})
    office = row(name="Office", versions={**BASE, "name": Version(7, 0, 40)})
    for policy, expected in (
        (Policy.OFFICE_WINS, "Office"),
        (Policy.ONLINE_WINS, "Online"),
        (Policy.NEWEST_WINS, "Online"),
    ):
        outcome = merge_on_online(online, office, policy)
        assert outcome.image.values["name"] == expected, policy
        assert [c.field for c in outcome.conflicts] == ["name"]
        assert outcome.conflicts[0].office_value == "Office"
        assert outcome.conflicts[0].online_value == "Online"
        assert outcome.rebroadcast == {"name"}
        assert outcome.image.versions["name"] == Version(7, 5, 50)


def test_it_keeps_the_local_value_while_a_person_decides():
    online = row(name="Online", versions={**BASE, "name": Version(1, 5, 50)})
    office = row(name="Office", versions={**BASE, "name": Version(7, 0, 40)})
    outcome = merge_on_online(online, office, Policy.ASK)
    assert outcome.image.values["name"] == "Online"
    assert outcome.conflicts[0].winner is None
    assert outcome.rebroadcast == set()


def test_it_does_not_call_the_same_value_a_conflict():
    online = row(name="Same", versions={**BASE, "name": Version(1, 5, 50)})
    office = row(name="Same", versions={**BASE, "name": Version(7, 0, 40)})
    outcome = merge_on_online(online, office)
    assert outcome.conflicts == []
    assert outcome.rebroadcast == {"name"}


def test_the_office_leaves_concurrent_fields_to_the_online_node():
    office = row(name="Office", versions={**BASE, "name": Version(7, 0, 40)})
    online = row(
        name="Online",
        phone="9",
        versions={**BASE, "name": Version(1, 5, 50), "phone": Version(1, 6, 60)},
    )
    outcome = merge(
        office,
        online,
        local_side=Side.OFFICE,
        fields=FIELDS,
        resolve=False,
        policy_for=lambda _f: Policy.OFFICE_WINS,
    )
    assert outcome.image.values == {"name": "Office", "phone": "9"}
    assert outcome.conflicts == []


def test_a_delete_that_saw_every_edit_deletes():
    online = row(versions=BASE)
    office = row(deleted=True, versions={**BASE, DELETED: Version(8, 0, 80)})
    outcome = merge_on_online(online, office)
    assert outcome.image.deleted
    assert outcome.conflicts == []


def test_an_edit_against_a_delete_is_a_conflict_and_the_policy_decides():
    online = row(name="Edited", versions={**BASE, "name": Version(1, 5, 50)})
    office = row(deleted=True, versions={**BASE, DELETED: Version(8, 0, 80)})
    outcome = merge_on_online(online, office, Policy.OFFICE_WINS)
    assert outcome.image.deleted
    assert [c.field for c in outcome.conflicts] == [DELETED]
    assert DELETED in outcome.rebroadcast
    outcome = merge_on_online(online, office, Policy.ONLINE_WINS)
    assert not outcome.image.deleted
    assert outcome.image.values["name"] == "Edited"
    assert DELETED in outcome.rebroadcast
    assert "name" not in outcome.rebroadcast  # a resend: the row travels, no new versions


def test_a_deleted_row_comes_back_when_the_resolver_restores_it():
    office = row(deleted=True, versions={**BASE, DELETED: Version(8, 0, 80)})
    restored = row(
        name="Edited",
        versions={
            "name": Version(8, 9, 90),
            "phone": Version(8, 9, 90),
            DELETED: Version(8, 9, 90),
        },
    )
    outcome = merge(
        office,
        restored,
        local_side=Side.OFFICE,
        fields=FIELDS,
        resolve=False,
        policy_for=lambda _f: Policy.OFFICE_WINS,
    )
    assert outcome.restored
    assert not outcome.image.deleted
    assert outcome.image.values["name"] == "Edited"


def test_the_hybrid_clock_is_monotonic_and_follows_remote_clocks():
    clock = tick(0, 1000)
    assert unpack(clock) == (1000, 0)
    assert unpack(tick(clock, 999)) == (1000, 1)  # the wall clock went backwards
    assert unpack(receive(clock, pack(5000, 3), 1200)) == (5000, 4)
    assert receive(clock, pack(10, 0), 2000) == pack(2000, 0)


# --- Who made an edit rides along with its version, and never decides anything -------------


def test_who_made_an_edit_never_changes_dominance_or_concurrency():
    alice, bob = Version(2, 0, 10, "alice@acme.se"), Version(2, 0, 10, "bob@acme.se")
    assert alice == bob
    assert alice.dominates(bob)
    assert bob.dominates(alice)
    assert not Version(2, 0, 10, "alice@acme.se").concurrent(Version(1, 0, 5, "bob@acme.se"))
    assert Version(2, 0, 10, "a").concurrent(Version(1, 3, 12, "a"))


def test_a_merged_version_names_who_made_the_newer_edit():
    office = Version(7, 0, 30, "alice@acme.se")
    online = Version(1, 5, 40, "bob@acme.se")
    assert office.merged(online) == Version(7, 5, 40)
    assert office.merged(online).by == "bob@acme.se"
    assert online.merged(office).by == "bob@acme.se"
    assert office.merged(Version(1, 5, 20)).by == "alice@acme.se"


def test_the_actor_is_a_fourth_element_only_when_known():
    assert Version(7, 0, 30, "alice@acme.se").as_list() == [7, 0, 30, "alice@acme.se"]
    assert Version(7, 0, 30).as_list() == [7, 0, 30]
    assert Version.from_list([7, 0, 30, "alice@acme.se"]).by == "alice@acme.se"
    assert Version.from_list([7, 0, 30]).by == ""


def test_a_conflict_carries_who_made_each_side():
    online = row(phone="2", versions={**BASE, "phone": Version(1, 5, 20, "bob@acme.se")})
    office = row(phone="3", versions={**BASE, "phone": Version(7, 0, 30, "alice@acme.se")})
    (conflict,) = merge_on_online(online, office).conflicts
    assert (conflict.office_version.by, conflict.online_version.by) == (
        "alice@acme.se",
        "bob@acme.se",
    )


def test_a_settled_field_names_who_wrote_the_value_it_keeps_not_the_newest_edit():
    online = row(phone="2", versions={**BASE, "phone": Version(1, 5, 40, "bob@acme.se")})
    office = row(phone="3", versions={**BASE, "phone": Version(7, 0, 30, "alice@acme.se")})
    kept = {
        Policy.OFFICE_WINS: ("3", "alice@acme.se"),
        Policy.ONLINE_WINS: ("2", "bob@acme.se"),
        Policy.ASK: ("2", "bob@acme.se"),  # the online value, until a person decides
    }
    for policy, (value, by) in kept.items():
        image = merge_on_online(online, office, policy).image
        assert (image.values["phone"], image.version("phone").by) == (value, by), policy
        assert image.version("phone") == Version(7, 5, 40)


def test_a_delete_conflict_names_who_wrote_what_is_kept():
    online = row(versions={**BASE, "phone": Version(1, 5, 40, "bob@acme.se")})
    # The office edited the phone after Bob, then deleted the row, not having seen his edit.
    office_versions = {
        **BASE,
        "phone": Version(6, 0, 45, "alice@acme.se"),
        DELETED: Version(7, 0, 50, "alice@acme.se"),
    }
    deleted = RowImage({}, office_versions, True)
    office_wins = merge_on_online(online, deleted, Policy.OFFICE_WINS).image
    assert office_wins.deleted
    assert office_wins.version(DELETED).by == "alice@acme.se"
    online_wins = merge_on_online(online, deleted, Policy.ONLINE_WINS).image
    assert not online_wins.deleted
    assert online_wins.version("phone").by == "bob@acme.se"
