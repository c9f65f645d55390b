from rest_framework import serializers

from recruit.models import Enrollment, Poll, PollAnswer, PollOption
from recruit.selectors import enrollments_visible_to, studies_editable_by


class PollOptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PollOption
        fields = ["id", "starts_at", "ends_at", "session"]
        read_only_fields = ["session"]


class PollSerializer(serializers.ModelSerializer):
    options = PollOptionSerializer(many=True, help_text="The candidate times.")

    class Meta:
        model = Poll
        fields = ["id", "study", "title", "message", "is_open", "options", "created_at"]
        read_only_fields = ["is_open"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["study"].queryset = studies_editable_by(request.user if request else None)


class PollAnswerSerializer(serializers.ModelSerializer):
    class Meta:
        model = PollAnswer
        fields = ["option", "enrollment", "answer", "answered_at"]


class PollAnswersWriteSerializer(serializers.Serializer):
    enrollment = serializers.PrimaryKeyRelatedField(queryset=Enrollment.objects.none())
    answers = serializers.DictField(child=serializers.ChoiceField(choices=PollAnswer.Answer.values),
                                    help_text='{"<option id>": "yes" | "if_need_be" | "no"}')

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        self.fields["enrollment"].queryset = enrollments_visible_to(request.user if request else None)
