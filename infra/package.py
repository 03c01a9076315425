"""Build the deployable stack for a stage: ``python infra/package.py --stage prod``.

1. The analysis function's native dependencies (numpy, Pillow, …: ``requirements-analysis.txt``
   minus what every function already ships) are installed for Lambda's platform into a layer —
   only manylinux2014 x86_64 wheels for CPython 3.11 are accepted, so nothing is ever compiled on
   this host. The API function's package carries none of them.
2. A merge template is made from ``infra/resources.json`` (tables, bucket, queues: the same file
   the local server and the tests provision from) plus the wiring of the Chalice-generated
   functions (environment variables from the stack's own resources, the queue trigger, the
   layer, API throttling, gateway error responses) and the monitoring (alarms, dashboard).
3. ``chalice package --merge-template`` joins it with what Chalice generates, into
   ``build/<stage>/sam.json`` + ``deployment.zip`` + ``analysis-layer.zip``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
API_FUNCTION = "APIHandler"
ANALYSIS_FUNCTION = "AnalyzeUpload"
ROLLUP_FUNCTION = "RollupFindings"
FUNCTIONS = (API_FUNCTION, ANALYSIS_FUNCTION, ROLLUP_FUNCTION)
THROTTLING = {"dev": (20, 40), "prod": (200, 400)}  # API Gateway: steady rate/s, burst


def _requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(line.split("==")[0].lower().replace("_", "-"))
    return names


def build_layer() -> Path:
    """The analysis dependencies as a Lambda layer zip (cached by the requirements' hash)."""
    source = ROOT / "requirements-analysis.txt"
    shipped = _requirement_names(ROOT / "requirements.txt")
    wanted = [
        line.strip()
        for line in source.read_text().splitlines()
        if line.strip()
        and not line.startswith("#")
        and line.split("==")[0].lower().replace("_", "-") not in shipped
    ]
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()[:16]
    target = BUILD / f"analysis-layer-{digest}.zip"
    if target.exists():
        return target
    staging = BUILD / "layer-staging"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "python").mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-compile",
            "--platform",
            "manylinux2014_x86_64",
            "--implementation",
            "cp",
            "--python-version",
            "3.11",
            "--abi",
            "cp311",
            "--only-binary=:all:",
            "--target",
            str(staging / "python"),
            *wanted,
        ],
        check=True,
    )
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted((staging).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                zf.write(path, path.relative_to(staging).as_posix())
    tmp.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
    return target


def _env_from_resources(resources: dict[str, Any]) -> dict[str, Any]:
    """``JANUS_<SETTING>`` for every resource the code finds through a setting."""
    env: dict[str, Any] = {"JANUS_REGION": {"Ref": "AWS::Region"}}
    for logical_id, resource in resources.items():
        meta = resource.get("Metadata", {})
        if "JanusSetting" not in meta or meta.get("NameSuffix"):
            continue
        name = f"JANUS_{meta['JanusSetting'].upper()}"
        if resource["Type"] == "AWS::SQS::Queue":
            env[name] = {"Fn::GetAtt": [logical_id, "QueueName"]}
        else:
            env[name] = {"Ref": logical_id}
    env["JANUS_CORS_ORIGINS"] = {"Fn::Join": [",", {"Ref": "FrontendOrigins"}]}
    return env


def _metric(namespace: str, name: str, dims: dict[str, Any], stat: str = "Sum") -> dict[str, Any]:
    return {
        "Namespace": namespace,
        "MetricName": name,
        "Dimensions": [{"Name": k, "Value": v} for k, v in dims.items()],
        "Statistic": stat,
        "Period": 300,
    }


def _alarm(description: str, metric: dict[str, Any], threshold: float) -> dict[str, Any]:
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            **metric,
            "EvaluationPeriods": 1,
            "Threshold": threshold,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def monitoring(stage: str) -> dict[str, Any]:
    api_dims = {"ApiName": f"janus-{stage}", "Stage": "api"}
    janus = {"Stage": stage}
    resources: dict[str, Any] = {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": f"janus-{stage}-alarms"},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {
                "TopicArn": {"Ref": "AlarmTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlarmEmail"},
            },
        },
        "AnalysisFailuresAlarm": _alarm(
            "Five or more images failed analysis in 5 minutes",
            _metric("Janus", "AnalysesFailed", janus),
            5,
        ),
        "AnalysisDeadLettersAlarm": _alarm(
            "Analysis messages are in the dead-letter queue",
            _metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": {"Fn::GetAtt": ["AnalysisDeadLetterQueue", "QueueName"]}},
                "Maximum",
            ),
            1,
        ),
        "RollupFailuresAlarm": _alarm(
            "The rollup function gave up on image changes: everyone's summary is off",
            _metric(
                "AWS/SQS",
                "ApproximateNumberOfMessagesVisible",
                {"QueueName": {"Fn::GetAtt": ["RollupFailuresQueue", "QueueName"]}},
                "Maximum",
            ),
            1,
        ),
        "Api5xxAlarm": _alarm(
            "The API answered 5xx", _metric("AWS/ApiGateway", "5XXError", api_dims), 5
        ),
    }
    for function in FUNCTIONS:
        dims = {"FunctionName": {"Ref": function}}
        resources[f"{function}ErrorsAlarm"] = _alarm(
            f"{function} raised errors", _metric("AWS/Lambda", "Errors", dims), 5
        )
        resources[f"{function}ThrottlesAlarm"] = _alarm(
            f"{function} was throttled", _metric("AWS/Lambda", "Throttles", dims), 1
        )
    resources["Dashboard"] = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": f"janus-{stage}",
            "DashboardBody": {"Fn::Sub": json.dumps(_dashboard(stage))},
        },
    }
    return resources


def _widget(
    title: str, metrics: list[list[Any]], stat: str = "Sum", x: int = 0, y: int = 0
) -> dict[str, Any]:
    return {
        "type": "metric",
        "x": x,
        "y": y,
        "width": 12,
        "height": 6,
        "properties": {
            "title": title,
            "metrics": metrics,
            "stat": stat,
            "period": 300,
            "region": "${AWS::Region}",
            "view": "timeSeries",
        },
    }


def _dashboard(stage: str) -> dict[str, Any]:
    api = ["ApiName", f"janus-{stage}", "Stage", "api"]
    st = ["Stage", stage]
    widgets = [
        _widget("Uploads started", [["Janus", "UploadsStarted", *st]], x=0, y=0),
        _widget(
            "Analyses",
            [["Janus", "AnalysesSucceeded", *st], ["Janus", "AnalysesFailed", *st]],
            x=12,
            y=0,
        ),
        _widget(
            "Analysis duration (ms)",
            [
                ["Janus", "AnalysisDuration", *st, {"stat": "p50"}],
                ["Janus", "AnalysisDuration", *st, {"stat": "p90"}],
            ],
            "p50",
            x=0,
            y=6,
        ),
        _widget(
            "API latency (ms)",
            [
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p50"}],
                ["AWS/ApiGateway", "Latency", *api, {"stat": "p90"}],
            ],
            "p50",
            x=12,
            y=6,
        ),
        _widget(
            "Logins and lockouts",
            [
                ["Janus", "LoginsSucceeded", *st],
                ["Janus", "LoginsFailed", *st],
                ["Janus", "Lockouts", *st],
            ],
            x=0,
            y=12,
        ),
        _widget(
            "API errors",
            [["AWS/ApiGateway", "4XXError", *api], ["AWS/ApiGateway", "5XXError", *api]],
            x=12,
            y=12,
        ),
        _widget(
            "Function errors and throttles",
            [
                ["AWS/Lambda", m, "FunctionName", "${" + f + "}"]
                for f in FUNCTIONS
                for m in ("Errors", "Throttles")
            ],
            x=0,
            y=18,
        ),
        _widget(
            "Analysis queue",
            [
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    "${AnalysisQueue.QueueName}",
                ],
                [
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    "QueueName",
                    "${AnalysisDeadLetterQueue.QueueName}",
                ],
            ],
            "Maximum",
            x=12,
            y=18,
        ),
    ]
    return {"widgets": widgets}


_GATEWAY_ERROR = (
    '{"success": false, "error": $context.error.messageString,'
    ' "error_code": "GATEWAY_$context.error.responseType", "request_id": "$context.requestId"}'
)


def merge_template(stage: str) -> dict[str, Any]:
    template: dict[str, Any] = json.loads((ROOT / "infra" / "resources.json").read_text())
    template["Parameters"]["Stage"]["Default"] = stage
    template["Parameters"]["AlarmEmail"] = {
        "Type": "String",
        "Default": "",
        "Description": "Where CloudWatch alarms are emailed (empty: none)",
    }
    template["Conditions"]["HasAlarmEmail"] = {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    env = _env_from_resources(template["Resources"])
    rate, burst = THROTTLING[stage]
    wiring: dict[str, Any] = {
        API_FUNCTION: {"Properties": {"Environment": {"Variables": env}}},
        ANALYSIS_FUNCTION: {
            # Chalice names the trigger's queue from the stage (see app.py); the GetAtt in the
            # environment orders the queue before the function and its event source mapping.
            "Properties": {
                "Environment": {"Variables": env},
                "Layers": [{"Ref": "AnalysisDependencies"}],
            },
        },
        ROLLUP_FUNCTION: {
            "Properties": {
                "Environment": {"Variables": env},
                "Events": {
                    # Chalice writes the placeholder ARN of app.py; this is the real stream.
                    "RollupFindingsDynamodbEventSource": {
                        "Properties": {
                            "Stream": {"Fn::GetAtt": ["ImagesTable", "StreamArn"]},
                            "MaximumRetryAttempts": 20,
                            "BisectBatchOnFunctionError": True,
                            "DestinationConfig": {
                                "OnFailure": {
                                    "Type": "SQS",
                                    "Destination": {"Fn::GetAtt": ["RollupFailuresQueue", "Arn"]},
                                }
                            },
                        }
                    }
                },
            }
        },
        "RollupFailuresQueue": {
            # Stream records the rollup function gave up on (after retries): their metadata, to
            # replay by hand. The alarm below says when there are any.
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "QueueName": {"Fn::Sub": "janus-${Stage}-rollup-failures"},
                "MessageRetentionPeriod": 1209600,
                "SqsManagedSseEnabled": True,
            },
        },
        "AnalysisDependencies": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {
                "LayerName": {"Fn::Sub": "janus-${Stage}-analysis-dependencies"},
                "Description": "numpy, Pillow and the analysis engine's other native dependencies",
                "ContentUri": "./analysis-layer.zip",
                "CompatibleRuntimes": ["python3.11"],
                "CompatibleArchitectures": ["x86_64"],
                "RetentionPolicy": "Delete",
            },
        },
        "RestAPI": {
            "Properties": {
                "Name": f"janus-{stage}",
                "MethodSettings": [
                    {
                        "ResourcePath": "/*",
                        "HttpMethod": "*",
                        "ThrottlingRateLimit": rate,
                        "ThrottlingBurstLimit": burst,
                        "MetricsEnabled": True,
                    }
                ],
                "GatewayResponses": {
                    kind: {
                        "ResponseParameters": {"Headers": {"Access-Control-Allow-Origin": "'*'"}},
                        "ResponseTemplates": {"application/json": _GATEWAY_ERROR},
                    }
                    for kind in ("DEFAULT_4XX", "DEFAULT_5XX")
                },
            }
        },
    }
    template["Resources"].update(wiring)
    template["Resources"].update(monitoring(stage))
    template["Outputs"]["ApiUrl"] = {
        "Value": {
            "Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/v1"
        }
    }
    return template


def package(stage: str) -> Path:
    out = BUILD / stage
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    layer = build_layer()
    merge = BUILD / f"merge-{stage}.json"
    merge.write_text(json.dumps(merge_template(stage), indent=2))
    env = dict(os.environ, JANUS_STAGE=stage)
    env.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    subprocess.run(
        [
            str(Path(sys.executable).with_name("chalice")),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(merge),
            str(out),
        ],
        cwd=ROOT,
        env=env,
        check=True,
    )
    shutil.copy(layer, out / "analysis-layer.zip")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", choices=sorted(THROTTLING), required=True)
    args = parser.parse_args()
    out = package(args.stage)
    for name in ("deployment.zip", "analysis-layer.zip"):
        print(f"{out / name}: {(out / name).stat().st_size / 1e6:.1f} MB")
    print(f"{out / 'sam.json'}: the stack for {args.stage}")


if __name__ == "__main__":
    main()
