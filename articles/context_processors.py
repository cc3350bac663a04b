from django.utils.functional import SimpleLazyObject

from .models import Section


def navigation(request):
    # Lazy: pages that do not draw the site navigation (the admin) pay no query.
    return {"nav_sections": SimpleLazyObject(lambda: list(Section.objects.all()))}
