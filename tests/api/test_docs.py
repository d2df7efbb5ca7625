from __future__ import annotations

import json
import re

from django.test import TestCase
from django.urls import reverse


class OpenApiTests(TestCase):
    def setUp(self) -> None:
        response = self.client.get("/api/v1/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.schema = json.loads(response.content)

    def test_it_is_openapi_3(self) -> None:
        self.assertTrue(self.schema["openapi"].startswith("3."))
        self.assertEqual(self.schema["info"]["title"], "skrivbord API")

    def test_it_has_the_contacts_paths(self) -> None:
        base = "/api/v1/companies/{company_id}/contacts"
        paths = self.schema["paths"]
        self.assertEqual(set(paths[base]), {"get", "post"})
        self.assertEqual(set(paths[base + "/{contact_id}"]), {"get", "patch", "delete"})
        self.assertEqual(set(paths[base + "/{contact_id}/persons"]), {"get", "post"})
        self.assertEqual(
            set(paths[base + "/{contact_id}/persons/{person_id}"]), {"get", "patch", "delete"}
        )
        self.assertIn("/api/v1/me", paths)
        for path, operations in paths.items():
            for method, operation in operations.items():
                with self.subTest(path=path, method=method):
                    self.assertTrue(operation.get("summary"))
                    self.assertTrue(operation.get("tags"))

    def test_it_documents_the_bearer_scheme(self) -> None:
        schemes = self.schema["components"]["securitySchemes"]
        bearer = {
            name
            for name, s in schemes.items()
            if s.get("type") == "http" and s.get("scheme") == "bearer"
        }
        # Personal API tokens, and the office agent's company-scoped sync credential.
        self.assertEqual(bearer, {"BearerToken", "SyncCredentialAuth"})
        operations = self.schema["paths"]["/api/v1/companies/{company_id}/contacts"]
        # Reads take a token or the browser session; writes a token only.
        self.assertEqual(
            operations["get"]["security"], [{"BearerToken": []}, {"BrowserSession": []}]
        )
        self.assertEqual(operations["post"]["security"], [{"BearerToken": []}])

    def test_it_documents_the_error_responses(self) -> None:
        operation = self.schema["paths"]["/api/v1/companies/{company_id}/contacts/{contact_id}"][
            "delete"
        ]
        self.assertTrue({"204", "401", "403", "404", "409", "422"} <= set(operation["responses"]))


class DocsPageTests(TestCase):
    def test_the_docs_page_loads_without_external_urls(self) -> None:
        url = reverse("api-1.0.0:openapi-view")
        self.assertEqual(url, "/api/v1/docs")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        for needle in ("https://cdn", "unpkg", "jsdelivr", "cdnjs", "validator.swagger.io"):
            self.assertNotIn(needle, html)
        sources = re.findall(r'(?:src|href)="([^"]+)"', html)
        self.assertTrue(sources)
        for source in sources:
            self.assertTrue(source.startswith("/static/"), source)
        self.assertIn('"validatorUrl": null', html)
        self.assertIn("/api/v1/openapi.json", html)

    def test_the_docs_assets_are_served(self) -> None:
        html = self.client.get("/api/v1/docs").content.decode()
        for source in re.findall(r'src="(/static/[^"]+)"', html):
            with self.subTest(source=source):
                response = self.client.get(source)
                self.assertEqual(response.status_code, 200)


class HelpPageTests(TestCase):
    def test_the_api_help_page_exists_in_both_languages(self) -> None:
        for language, heading in (("en", "Create an API token"), ("sv", "Skapa en API-nyckel")):
            with self.subTest(language=language):
                response = self.client.get("/help/api/", HTTP_ACCEPT_LANGUAGE=language)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, heading)
                self.assertContains(response, "/api/v1/docs")


class UnknownUrlTests(TestCase):
    def test_an_unknown_api_url_answers_in_json(self) -> None:
        for url in ("/api/v1/nothing", "/api/v1/companies/x/invoices", "/api/v1/me/"):
            with self.subTest(url=url):
                response = self.client.get(url, HTTP_ACCEPT_LANGUAGE="en")
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response.json(), {"detail": "Not found."})
                # Anonymous callers get the default language, Swedish.
                response = self.client.get(url)
                self.assertEqual(response.json(), {"detail": "Hittades inte."})

    def test_the_api_root_points_to_the_documentation(self) -> None:
        response = self.client.get("/api/v1/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.json(),
            {
                "title": "skrivbord API",
                "version": "1.0.0",
                "docs": "http://testserver/api/v1/docs",
                "openapi": "http://testserver/api/v1/openapi.json",
            },
        )
