"""Device methods: the linked phone (device/GetDeviceInfo)."""

from __future__ import annotations

from greencli.sandbox.answers import Answer, Request
from greencli.sandbox.declaration import Method
from greencli.sandbox.instance import Instance


def get_device_info(instance: Instance, request: Request) -> Answer:
    return 200, {"platform": "android", "deviceManufacturer": "Sandbox", "deviceModel": "greencli", "osVersion": "14", "waVersion": "2.24.0.0", "battery": 100}


METHODS = [Method("getDeviceInfo", "GET", get_device_info, "device/GetDeviceInfo/", 1)]
