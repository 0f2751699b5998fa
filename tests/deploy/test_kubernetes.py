"""deploy/kubernetes: every manifest validates against the Kubernetes JSON schemas (kubernetes-validate,
offline, no cluster), KEDA's ScaledObject against the schema beside this file; and the pieces agree
with each other and with what the image and the farm expect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "deploy" / "kubernetes"
KUBERNETES_VERSION = "1.30"  # the oldest release still common in managed clusters; newer ones accept it
SCALEDOBJECT_SCHEMA = json.loads((Path(__file__).parent / "keda-scaledobject.schema.json").read_text())


def _documents() -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for path in sorted(MANIFESTS.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [(path.name, doc) for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


DOCUMENTS = _documents()


def _by_kind(kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for _, doc in DOCUMENTS if doc["kind"] == kind}


@pytest.mark.parametrize(
    ("name", "doc"), DOCUMENTS, ids=[f"{n}:{d['kind']}/{d['metadata']['name']}" for n, d in DOCUMENTS]
)
def test_manifest_validates_against_its_schema(name: str, doc: dict[str, Any]) -> None:
    if doc["apiVersion"].startswith("keda.sh/"):
        jsonschema.Draft202012Validator(SCALEDOBJECT_SCHEMA).validate(doc)
    else:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_a_broken_manifest_is_refused() -> None:
    deployment = json.loads(json.dumps(_by_kind("Deployment")["vfnative-worker"]))
    pod = deployment["spec"]["template"]["spec"]
    pod["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = True  # a typo: unknown field
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    del pod["containers"][0]["securityContext"]["readOnlyRootFileSystem"]
    pod["terminationGracePeriodSeconds"] = "2m"  # a duration string where an integer belongs
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)
    scaled = json.loads(json.dumps(_by_kind("ScaledObject")["vfnative-worker"]))
    del scaled["spec"]["triggers"][0]["metadata"]["listName"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCALEDOBJECT_SCHEMA).validate(scaled)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())
    files = {p.name for p in MANIFESTS.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_deployments_run_the_image_read_only_as_non_root_with_probes_and_resources() -> None:
    deployments = _by_kind("Deployment")
    assert set(deployments) == {"vfnative-service", "vfnative-worker"}
    for deployment in deployments.values():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        (container,) = pod["containers"]
        assert container["image"] == "vfnative:local"
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert {m["mountPath"] for m in container["volumeMounts"]} >= {"/tmp", "/data"}
        assert container["readinessProbe"]
        assert container["livenessProbe"]
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = deployments["vfnative-service"]["spec"]["template"]["spec"]["containers"][0]
    assert service["args"][0] == "serve"
    assert service["readinessProbe"]["httpGet"]["path"] == "/readyz"
    worker = deployments["vfnative-worker"]["spec"]["template"]["spec"]
    assert worker["containers"][0]["args"][0] == "worker"
    # SIGTERM drains: Celery's warm shutdown finishes the piece in hand, well within the grace period
    assert worker["terminationGracePeriodSeconds"] >= 60


def test_pdbs_select_the_deployments_and_allow_scaling_to_zero() -> None:
    deployments = _by_kind("Deployment")
    budgets = _by_kind("PodDisruptionBudget")
    for budget in budgets.values():
        selected = [
            name for name, d in deployments.items()
            if budget["spec"]["selector"]["matchLabels"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]  # fmt: skip
        assert len(selected) == 1, budget["metadata"]["name"]
    assert "minAvailable" not in budgets["vfnative-worker"]["spec"]  # would block a drain at zero replicas


def test_keda_scales_the_workers_on_the_farm_queue_down_to_zero() -> None:
    (scaled,) = _by_kind("ScaledObject").values()
    assert scaled["spec"]["scaleTargetRef"]["name"] in _by_kind("Deployment")
    assert scaled["spec"]["scaleTargetRef"]["name"] == "vfnative-worker"
    assert scaled["spec"]["minReplicaCount"] == 0
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "redis"
    config = _by_kind("ConfigMap")["vfnative"]["data"]
    assert trigger["metadata"]["listName"] == config["VFNATIVE_QUEUE"]
    host_port = config["VFNATIVE_BROKER"].removeprefix("redis://").split("/")[0]
    assert trigger["metadata"]["address"] == host_port


def test_compose_file_has_redis_with_aof_the_service_and_two_workers() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert "--appendonly" in services["redis"]["command"]
    assert services["redis"]["command"][services["redis"]["command"].index("--appendonly") + 1] == "yes"
    assert services["service"]["command"][0] == "serve"
    assert services["worker"]["command"][0] == "worker"
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("service", "worker"):
        assert services[name]["read_only"] is True
        assert any(str(v).startswith("shared:") for v in services[name]["volumes"])
