from django.test import RequestFactory, SimpleTestCase

from skrivbord.core.proxy import client_ip


class ClientIpTests(SimpleTestCase):
    def test_it_trusts_only_the_address_our_proxy_added(self) -> None:
        request = RequestFactory().get(
            "/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1"
        )
        self.assertEqual(client_ip(request), "203.0.113.7")

    def test_it_falls_back_to_the_connection_address(self) -> None:
        self.assertEqual(client_ip(RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")), "10.0.0.1")
        forged = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.2")
        self.assertEqual(client_ip(forged), "10.0.0.2")
