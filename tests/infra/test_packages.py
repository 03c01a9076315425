"""The built packages run on Lambda's python3.11 (Amazon Linux 2, glibc 2.26): every shared
library comes from a manylinux wheel no newer than that, and the API package carries no image stack.

Reads ``build/<stage>/`` as ``make packages`` (run by ``make test``) left it.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
STAGES = ("dev", "prod")
LAMBDA_GLIBC = (2, 26)
COMPATIBLE_TAG = re.compile(
    r"^(cp3\d+|py3)-(cp311|abi3|none)-(manylinux1|manylinux2010|manylinux2014|manylinux_2_(\d+))_x86_64$"
)


def _runs_on_lambda(tag: str) -> bool:
    match = COMPATIBLE_TAG.match(tag)
    if match is None:
        return False
    minor = match.group(4)
    return minor is None or int(minor) <= LAMBDA_GLIBC[1]


def _artefact(stage: str, name: str) -> Path:
    path = BUILD / stage / name
    if not path.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: `make test` builds it with `make packages`")
        pytest.skip(f"{path} not built; run `make packages`")
    return path


def _wheel_tags(zf: zipfile.ZipFile) -> dict[str, list[str]]:
    """dist-info folder → the tags its WHEEL file declares."""
    tags: dict[str, list[str]] = {}
    for name in zf.namelist():
        if name.endswith(".dist-info/WHEEL"):
            text = zf.read(name).decode()
            tags[name.rsplit("/", 1)[0]] = re.findall(r"^Tag: (.+)$", text, re.MULTILINE)
    return tags


def _owner(zf: zipfile.ZipFile, member: str) -> str | None:
    """The dist-info whose RECORD lists ``member``."""
    prefix = "python/" if member.startswith("python/") else ""
    relative = member.removeprefix(prefix)
    for name in zf.namelist():
        if name.endswith(".dist-info/RECORD") and re.search(
            rf"^{re.escape(relative)},", zf.read(name).decode(), re.MULTILINE
        ):
            return name.rsplit("/", 1)[0]
    return None


def _max_glibc(data: bytes) -> tuple[int, int]:
    with tempfile.NamedTemporaryFile(suffix=".so") as tmp:
        tmp.write(data)
        tmp.flush()
        out = subprocess.run(
            ["objdump", "-p", tmp.name], capture_output=True, text=True, check=True
        ).stdout
    versions = [
        tuple(int(x) for x in v.split(".")[:2])
        for v in re.findall(r"GLIBC_(\d+\.\d+(?:\.\d+)?)", out)
    ]
    return max(versions, default=(0, 0))  # type: ignore[return-value]


def _check_native(zf: zipfile.ZipFile) -> int:
    tags = _wheel_tags(zf)
    libraries = [n for n in zf.namelist() if re.search(r"\.so(\.\d+)*$", n)]
    for lib in libraries:
        owner = _owner(zf, lib)
        assert owner is not None, f"{lib} was not installed from a wheel"
        assert any(_runs_on_lambda(t) for t in tags[owner]), (lib, tags[owner])
        assert _max_glibc(zf.read(lib)) <= LAMBDA_GLIBC, f"{lib} needs a newer glibc than Lambda's"
    return len(libraries)


@pytest.mark.parametrize("stage", STAGES)
def test_api_package_is_lambda_ready_and_light(stage: str) -> None:
    with zipfile.ZipFile(_artefact(stage, "deployment.zip")) as zf:
        names = zf.namelist()
        assert "app.py" in names and "chalicelib/api/endpoint.py" in names
        for heavy in ("numpy/", "PIL/", "scipy/"):
            assert not any(n.startswith(heavy) for n in names), heavy
        assert _check_native(zf) >= 1  # pydantic-core, argon2, cffi


@pytest.mark.parametrize("stage", STAGES)
def test_analysis_layer_is_lambda_ready(stage: str) -> None:
    with zipfile.ZipFile(_artefact(stage, "analysis-layer.zip")) as zf:
        names = zf.namelist()
        for package in ("python/numpy/", "python/PIL/", "python/daltonlens/"):
            assert any(n.startswith(package) for n in names), package
        assert _check_native(zf) >= 10


@pytest.mark.parametrize("stage", STAGES)
def test_template_gives_the_layer_only_to_the_analysis_function(stage: str) -> None:
    import json

    template = json.loads(_artefact(stage, "sam.json").read_text())
    resources = template["Resources"]
    assert resources["AnalyzeUpload"]["Properties"]["Layers"] == [{"Ref": "AnalysisDependencies"}]
    assert "Layers" not in resources["APIHandler"]["Properties"]
    assert resources["AnalysisDependencies"]["Properties"]["ContentUri"] == "./analysis-layer.zip"
    for function in ("APIHandler", "AnalyzeUpload"):
        assert resources[function]["Properties"]["Runtime"] == "python3.11"
    assert (
        resources["AnalyzeUpload"]["Properties"]["Timeout"] * 6
        == resources["AnalysisQueue"]["Properties"]["VisibilityTimeout"]
    )
    queue = resources["AnalyzeUpload"]["Properties"]["Events"]["AnalyzeUploadSqsEventSource"][
        "Properties"
    ]["Queue"]
    assert queue["Fn::Sub"].endswith(f":janus-{stage}-analysis")
    assert resources["AnalysisQueue"]["Properties"]["QueueName"] == {
        "Fn::Sub": "janus-${Stage}-analysis"
    }
    assert template["Parameters"]["Stage"]["Default"] == stage


@pytest.mark.parametrize("stage", STAGES)
def test_the_rollup_function_reads_the_real_images_stream(stage: str) -> None:
    """Chalice packages a placeholder stream ARN; the stack must wire the table's own stream,
    retry a failing batch by halves, and keep what it gives up on, with an alarm."""
    import json

    template = json.loads(_artefact(stage, "sam.json").read_text())
    resources = template["Resources"]
    function = resources["RollupFindings"]["Properties"]
    source = function["Events"]["RollupFindingsDynamodbEventSource"]["Properties"]
    assert source["Stream"] == {"Fn::GetAtt": ["ImagesTable", "StreamArn"]}
    assert source["StartingPosition"] == "TRIM_HORIZON" and source["BisectBatchOnFunctionError"]
    failures = source["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures == {"Fn::GetAtt": ["RollupFailuresQueue", "Arn"]}
    assert "Layers" not in function and function["Runtime"] == "python3.11"
    stream = resources["ImagesTable"]["Properties"]["StreamSpecification"]
    assert stream == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert "RollupFailuresAlarm" in resources
    assert function["Environment"]["Variables"]["JANUS_ROLLUPS_TABLE"] == {
        "Ref": "FindingsRollupsTable"
    }


@pytest.mark.parametrize("stage", STAGES)
def test_analysis_function_fits_lambdas_size_limit(stage: str) -> None:
    """Lambda refuses a function whose code and layers exceed 250 MB unzipped."""
    total = 0
    for name in ("deployment.zip", "analysis-layer.zip"):
        with zipfile.ZipFile(_artefact(stage, name)) as zf:
            total += sum(info.file_size for info in zf.infolist())
    assert total < 250 * 1024 * 1024, total
