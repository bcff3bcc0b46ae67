"""Group methods: a group exists after createGroup and changes with its participant, admin,
name and leave methods (groups/*)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request, TextBody, valid_chat_id, validation_failed
from greencli.sandbox.declaration import Method
from greencli.sandbox.directory import Group
from greencli.sandbox.instance import Instance


def create_group(instance: Instance, request: Request) -> Answer:
    body = request.body()
    name, members = body.get("groupName"), body.get("chatIds")
    if not isinstance(name, str) or not name:
        return validation_failed("'groupName' is required")
    if not isinstance(members, list) or not members or not all(valid_chat_id(m) for m in members):
        return validation_failed("'chatIds' must be a list of chat ids")
    exceeded = instance.quotas.spend("createGroup")
    if exceeded:
        return 466, exceeded
    group = instance.directory.create_group(name, instance.settings.get("wid") or f"{instance.options.phone}@c.us", [str(m) for m in members])
    return 200, {"created": True, "chatId": group.chat_id, "groupInviteLink": group.invite_link}


def _group(instance: Instance, request: Request, quota: str) -> tuple[Group | None, Answer | None]:
    group_id = request.body().get("groupId") or (request.form.fields.get("groupId") if request.form else None)
    if not isinstance(group_id, str) or not group_id.endswith("@g.us"):
        return None, validation_failed("'groupId' is required")
    exceeded = instance.quotas.spend(quota)
    if exceeded:
        return None, (466, exceeded)
    group = instance.directory.groups.get(group_id)
    if group is None:
        return None, (400, TextBody("Validation failed. Details: group not found"))
    return group, None


def get_group_data(instance: Instance, request: Request) -> Answer:
    group, problem = _group(instance, request, "getGroupData")
    if problem or group is None:
        return problem or (500, None)
    return 200, group.data()


def update_group_name(instance: Instance, request: Request) -> Answer:
    group, problem = _group(instance, request, "updateGroupName")
    if problem or group is None:
        return problem or (500, None)
    name = request.body().get("groupName")
    if not isinstance(name, str) or not name:
        return validation_failed("'groupName' is required")
    group.subject = name
    return 200, {"updateGroupName": True}


def _participant_change(answer_key: str, quota: str, change: str) -> object:
    def handler(instance: Instance, request: Request) -> Answer:
        group, problem = _group(instance, request, quota)
        if problem or group is None:
            return problem or (500, None)
        member = request.body().get("participantChatId")
        if not valid_chat_id(member):
            return validation_failed("'participantChatId' is required")
        assert isinstance(member, str)
        present = member in group.participants
        if change == "add":
            group.participants.setdefault(member, False)
        elif change == "remove" and present:
            del group.participants[member]
        elif change in ("admin", "unadmin") and present:
            group.participants[member] = change == "admin"
        ok = change == "add" or present
        return 200, {answer_key: ok}

    return handler


def set_group_picture(instance: Instance, request: Request) -> Answer:
    group, problem = _group(instance, request, "setGroupPicture")
    if problem or group is None:
        return problem or (500, None)
    return 200, {"setGroupPicture": True, "urlAvatar": "", "reason": None}


def update_group_settings(instance: Instance, request: Request) -> Answer:
    group, problem = _group(instance, request, "updateGroupSettings")
    if problem or group is None:
        return problem or (500, None)
    return 200, {"updateGroupSettings": True}


def leave_group(instance: Instance, request: Request) -> Answer:
    group, problem = _group(instance, request, "leaveGroup")
    if problem or group is None:
        return problem or (500, None)
    group.participants.pop(group.owner, None)
    group.left = True
    return 200, {"leaveGroup": True}


METHODS = [
    Method("createGroup", "POST", create_group, "groups/CreateGroup/", 1),
    Method("getGroupData", "POST", get_group_data, "groups/GetGroupData/", 1),
    Method("updateGroupName", "POST", update_group_name, "groups/UpdateGroupName/", 1),
    Method("addGroupParticipant", "POST", _participant_change("addParticipant", "addGroupParticipant", "add"), "groups/AddGroupParticipant/", 10),  # type: ignore[arg-type]
    Method("removeGroupParticipant", "POST", _participant_change("removeParticipant", "removeGroupParticipant", "remove"), "groups/RemoveGroupParticipant/", 10),  # type: ignore[arg-type]
    Method("setGroupAdmin", "POST", _participant_change("setGroupAdmin", "setGroupAdmin", "admin"), "groups/SetGroupAdmin/", 10),  # type: ignore[arg-type]
    Method("removeAdmin", "POST", _participant_change("removeAdmin", "removeAdmin", "unadmin"), "groups/RemoveAdmin/", 10),  # type: ignore[arg-type]
    Method("setGroupPicture", "POST", set_group_picture, "groups/SetGroupPicture/", 1, upload=True),
    Method("updateGroupSettings", "POST", update_group_settings, "groups/UpdateGroupSettings/"),
    Method("leaveGroup", "POST", leave_group, "groups/LeaveGroup/", 10),
]
