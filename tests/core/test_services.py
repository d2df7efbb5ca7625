from django.core.exceptions import ValidationError
from django.test import TestCase
from django.utils import translation

from skrivbord.core import services
from skrivbord.core.models import Company, User
from skrivbord.core.validators import normalize_org_number, normalize_vat_number


class ValidatorTests(TestCase):
    def test_it_formats_a_valid_org_number(self) -> None:
        self.assertEqual(normalize_org_number("5560360793"), "556036-0793")
        self.assertEqual(normalize_org_number(" 556036-0793 "), "556036-0793")

    def test_it_accepts_a_sole_traders_personal_number(self) -> None:
        self.assertEqual(normalize_org_number("811218-9876"), "811218-9876")

    def test_it_explains_a_wrong_check_digit(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            normalize_org_number("556036-0794")
        self.assertEqual(
            caught.exception.messages,
            ["556036-0794 is not a valid Swedish organisation number: the check digit is wrong."],
        )

    def test_it_explains_a_wrong_length(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            normalize_org_number("12345")
        self.assertIn("wrong number of digits", caught.exception.messages[0])

    def test_it_explains_in_swedish(self) -> None:
        with translation.override("sv"), self.assertRaises(ValidationError) as caught:
            normalize_org_number("556036-0794")
        self.assertIn("inte ett giltigt svenskt organisationsnummer", caught.exception.messages[0])
        self.assertIn("kontrollsiffran", caught.exception.messages[0])

    def test_it_normalises_vat_numbers(self) -> None:
        self.assertEqual(normalize_vat_number("se 556036-0793 01"), "SE556036079301")
        self.assertEqual(normalize_vat_number("DE136695976"), "DE136695976")

    def test_it_refuses_a_wrong_vat_number(self) -> None:
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            normalize_vat_number("SE556036079401")
        self.assertIn("is not a valid VAT number", caught.exception.messages[0])

    def test_it_leaves_empty_numbers_empty(self) -> None:
        self.assertEqual(normalize_org_number("  "), "")
        self.assertEqual(normalize_vat_number(""), "")


class CompanyServiceTests(TestCase):
    def test_it_creates_a_company_with_a_parsed_address(self) -> None:
        company = services.company_create(
            name=" Fika AB ", org_number="5560360793", address="Kungsgatan 12, 411 19 Göteborg"
        )
        self.assertEqual(company.name, "Fika AB")
        self.assertEqual(company.org_number, "556036-0793")
        self.assertEqual(
            (company.street, company.postal_code, company.city),
            ("Kungsgatan 12", "411 19", "Göteborg"),
        )

    def test_it_parses_addresses_the_swedish_way(self) -> None:
        self.assertEqual(
            services.parse_address("Box 5, 12345 Stad"),
            {"street": "Box 5", "postal_code": "12345", "city": "Stad"},
        )
        self.assertEqual(
            services.parse_address("Storgatan 1, 123 45 Övre Ullerud"),
            {"street": "Storgatan 1", "postal_code": "123 45", "city": "Övre Ullerud"},
        )
        self.assertEqual(
            services.parse_address("Storgatan 1"),
            {"street": "Storgatan 1", "postal_code": "", "city": ""},
        )

    def test_it_refuses_an_invalid_org_number_and_saves_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.company_create(name="Fel AB", org_number="556036-0794")
        self.assertIn("org_number", caught.exception.message_dict)
        self.assertFalse(Company.objects.exists())

    def test_it_refuses_a_nameless_company(self) -> None:
        with self.assertRaises(ValidationError):
            services.company_create(name="  ")

    def test_it_refuses_a_month_out_of_range(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            services.company_create(name="X AB", fiscal_year_start_month=13)
        self.assertIn("fiscal_year_start_month", caught.exception.message_dict)


class UserServiceTests(TestCase):
    def test_it_creates_users_with_lowercase_unique_emails(self) -> None:
        user = services.user_create(email="Anna@Example.SE", password="a long good passphrase 1")
        self.assertEqual(user.email, "anna@example.se")
        with self.assertRaises(ValidationError):
            services.user_create(email="anna@example.se", password="a long good passphrase 1")
        self.assertEqual(User.objects.count(), 1)

    def test_it_refuses_weak_passwords(self) -> None:
        with self.assertRaises(ValidationError):
            services.user_create(email="weak@example.se", password="123")
        self.assertFalse(User.objects.exists())

    def test_it_refuses_an_invalid_email(self) -> None:
        with self.assertRaises(ValidationError):
            services.user_create(email="not an email", password="a long good passphrase 1")

    def test_it_hashes_tokens_and_refuses_revoked_and_foreign_ones(self) -> None:
        user = services.user_create(email="t@example.se", password="x", check_password=False)
        token, secret = services.token_create(user=user, name="CLI")
        self.assertTrue(secret.startswith("skb_"))
        self.assertEqual(len(token.key_hash), 64)
        self.assertEqual(services.token_authenticate(secret), user)
        self.assertIsNone(services.token_authenticate(secret + "x"))
        self.assertIsNone(services.token_authenticate("Bearer nonsense"))
        services.token_revoke(user=user, token_id=token.id)
        self.assertIsNone(services.token_authenticate(secret))
