"""Loading a referral the user may see (SPEC §6), by the one permission module's predicate."""
from casesys.auth.permissions import can_view_referral, get_or_abort
from casesys.referrals.models import Referral


def get_referral_or_abort(referral_id: int) -> Referral:
    return get_or_abort(Referral, referral_id, can_view_referral)
