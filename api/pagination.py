from rest_framework import pagination

from recruit.pagination import DeferredJoinPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class LargeListPagination(PageNumberPagination):
    django_paginator_class = DeferredJoinPaginator
