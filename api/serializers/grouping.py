from rest_framework import serializers

from recruit.services.grouping import (
    ATTRIBUTES, DEFAULT_ATTRIBUTES, DEFAULT_STATUSES, DEFAULT_TIME_LIMIT, GROUPABLE_STATUSES, MAX_TIME_LIMIT,
    GroupingOptions,
)


class BalanceSerializer(serializers.Serializer):
    """What to balance: the pool (by status), the sessions (one group each) and the attributes with weights."""

    statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=GROUPABLE_STATUSES), default=list(DEFAULT_STATUSES), allow_empty=False,
        help_text="Enrollment statuses that make up the pool.",
    )
    sessions = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False,
        help_text="Session ids, one group each (default: every upcoming session of the study).",
    )
    min_size = serializers.IntegerField(
        min_value=0, required=False, allow_null=True,
        help_text="Smallest group (default: the pool divided evenly, capped by each session's free seats).",
    )
    attributes = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=100), required=False,
        help_text=f"Attribute -> weight; attributes: {', '.join(ATTRIBUTES)}. Default: {DEFAULT_ATTRIBUTES}.",
    )
    separate_colleagues = serializers.BooleanField(
        default=True, help_text="Keep participants with the same practice name in different groups.")
    cannot_link = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(), min_length=2, max_length=2),
        default=list, help_text="Further pairs of enrollment ids to keep apart.",
    )
    pinned = serializers.DictField(
        child=serializers.IntegerField(), default=dict, help_text="Enrollment id -> session id it must join.")
    allow_unassigned = serializers.BooleanField(
        default=True, help_text="Leave participants out (a waitlist) when there are fewer seats than people.")
    seed = serializers.IntegerField(min_value=0, default=0)
    time_limit = serializers.FloatField(min_value=0.1, max_value=MAX_TIME_LIMIT, default=DEFAULT_TIME_LIMIT)
    reference_date = serializers.DateField(
        required=False, allow_null=True, help_text="Date on which age and experience are counted (default today).")
    repair = serializers.BooleanField(
        default=False, help_text="Start from the current bookings and move as few people as possible.")
    assignment = serializers.DictField(
        child=serializers.IntegerField(allow_null=True), required=False,
        help_text="Enrollment id -> session id (null: not placed); with save, book this assignment "
                  "(e.g. a proposal edited by hand) instead of a new proposal.",
    )
    save = serializers.BooleanField(default=False, help_text="Book the result (enrollments become scheduled).")

    def validate_attributes(self, value):
        unknown = sorted(set(value) - set(ATTRIBUTES))
        if unknown:
            raise serializers.ValidationError(
                f"Unknown attributes: {', '.join(unknown)}. Choose from {', '.join(ATTRIBUTES)}.")
        if not any(value.values()):
            raise serializers.ValidationError("Give at least one attribute a weight above 0.")
        return value

    def _ids(self, value, name):
        try:
            return {int(k): v for k, v in value.items()}
        except ValueError:
            raise serializers.ValidationError(f"{name} keys must be enrollment ids.") from None

    def validate_pinned(self, value):
        return self._ids(value, "pinned")

    def validate_assignment(self, value):
        return self._ids(value, "assignment")

    def options(self) -> GroupingOptions:
        data = self.validated_data
        extra = {}
        if data.get("attributes") is not None:
            extra["attributes"] = {name: weight for name, weight in data["attributes"].items() if weight}
        return GroupingOptions(
            statuses=tuple(data["statuses"]),
            session_ids=tuple(data["sessions"]) if data.get("sessions") else None,
            min_size=data.get("min_size"),
            separate_colleagues=data["separate_colleagues"],
            cannot_link=tuple(tuple(pair) for pair in data["cannot_link"]),
            pinned=data["pinned"],
            allow_unassigned=data["allow_unassigned"],
            seed=data["seed"],
            time_limit=data["time_limit"],
            reference_date=data.get("reference_date"),
            **extra,
        )


class EvaluateSerializer(BalanceSerializer):
    assignment = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="Enrollment id -> session id (null: not placed) to check.",
    )
