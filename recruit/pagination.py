from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """Pages a filtered, sorted list by first choosing the page's ids, then fetching those rows.

    Sorting only ids and sort keys lets an index cover the sort, so a page deep into
    100,000 participants costs about what the first one does ("deferred join").
    """

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)
