"""CloudWatch metrics as Embedded Metric Format log lines (no API call, no extra permission).

CloudWatch Logs turns each line into metric data points under the ``Janus`` namespace with a
``Stage`` dimension; the alarms and the dashboard in ``infra/`` read them.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Literal

from chalicelib.core.settings import get_settings

NAMESPACE = "Janus"
Unit = Literal["Count", "Milliseconds", "Bytes"]


def emit(name: str, value: float = 1, unit: Unit = "Count") -> None:
    line = {
        "_aws": {
            "Timestamp": int(time.time() * 1000),
            "CloudWatchMetrics": [
                {
                    "Namespace": NAMESPACE,
                    "Dimensions": [["Stage"]],
                    "Metrics": [{"Name": name, "Unit": unit}],
                }
            ],
        },
        "Stage": get_settings().stage,
        name: value,
    }
    sys.stdout.write(json.dumps(line) + "\n")
