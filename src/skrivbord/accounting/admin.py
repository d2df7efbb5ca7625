"""Django admin for the books: read-only lists.

The books change only by import (or, later, the office's own entry), so nothing can be added,
changed or deleted here: an edit in the admin would bypass the merge by natural keys that
keeps repeated imports free of duplicates.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from skrivbord.accounting import models


class ReadOnlyAdmin(admin.ModelAdmin):
    list_select_related = ["company"]
    list_per_page = 100
    show_full_result_count = False  # a count over a million rows on every page is slow

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.FiscalYear)
class FiscalYearAdmin(ReadOnlyAdmin):
    list_display = ["start", "end", "company"]
    list_filter = ["company"]


@admin.register(models.Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "type", "sru", "company"]
    list_filter = ["company", "type"]
    search_fields = ["number", "name"]


@admin.register(models.Dimension)
class DimensionAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "parent", "company"]
    list_filter = ["company"]


@admin.register(models.AccountingObject)
class AccountingObjectAdmin(ReadOnlyAdmin):
    list_display = ["dimension", "code", "name", "company"]
    list_filter = ["company", "dimension"]
    search_fields = ["code", "name"]


@admin.register(models.VoucherSeries)
class VoucherSeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "company"]
    list_filter = ["company"]


@admin.register(models.Balance)
class BalanceAdmin(ReadOnlyAdmin):
    list_display = ["kind", "account", "object_dimension", "object_code", "amount", "fiscal_year"]
    list_filter = ["company", "kind"]
    search_fields = ["account"]
    list_select_related = ["company", "fiscal_year"]


@admin.register(models.PeriodBalance)
class PeriodBalanceAdmin(ReadOnlyAdmin):
    list_display = ["kind", "period", "account", "object_code", "amount", "fiscal_year"]
    list_filter = ["company", "kind"]
    search_fields = ["account"]
    list_select_related = ["company", "fiscal_year"]


class TransactionRowInline(admin.TabularInline):
    model = models.TransactionRow
    fields = ("position", "kind", "account", "amount", "date", "text", "cost_centre", "project")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Voucher)
class VoucherAdmin(ReadOnlyAdmin):
    list_display = ["series", "number", "date", "text", "fiscal_year", "company"]
    list_filter = ["company", "series"]
    search_fields = ["text", "=number"]
    date_hierarchy = "date"
    inlines = [TransactionRowInline]
    list_select_related = ["company", "fiscal_year"]
