from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """Pages a filtered, sorted list by first choosing the page's ids, then fetching those rows.

    Sorting only ids and sort keys lets an index cover the sort, so a page deep into
    100,000 participants costs about what the first one does ("deferred join"). The outer
    query looks rows up by id alone: the filters are already in the subquery choosing them.
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        listed = self.object_list
        rows = listed.model._default_manager.filter(pk__in=listed.values("pk")[bottom:top])
        rows.query.select_related = listed.query.select_related  # the list's joins and prefetches
        rows = rows.prefetch_related(*listed._prefetch_related_lookups).order_by(*listed.query.order_by)
        return self._get_page(rows, number, self)
