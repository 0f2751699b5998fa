"""`render -o s3://...` through the CLI and the api, against moto_server; and what a local render imports."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import vfnative
from vfnative.cli.main import run
from vfnative.encode.mux import video_metadata

ROOT = Path(__file__).resolve().parents[2]


def tiny_document(duration: float = 0.2) -> dict[str, Any]:
    return {
        "name": "s3 tiny",
        "width": 64,
        "height": 36,
        "fps": 30,
        "duration": duration,
        "backgroundColor": "#112233",
        "layers": [
            {
                "id": "dot",
                "type": "shape",
                "settings": {
                    "enabled": True,
                    "startTime": 0,
                    "sourceDuration": duration,
                    "shapeType": "ellipse",
                },
                "properties": {"width": 40, "height": 40, "fill": "#ffcc00"},
            }
        ],
    }


def _cli(*argv: str) -> tuple[int, str]:
    err = io.StringIO()
    code = run(list(argv), environ={}, stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err)
    return code, err.getvalue()


def test_cli_render_to_s3_uploads_the_mp4(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-render")
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(tiny_document()))
    code, err = _cli("render", str(doc), "-o", f"s3://{bucket}/renders/out.mp4", "--jobs", "1")
    assert code == 0, err
    assert f"Wrote s3://{bucket}/renders/out.mp4" in err
    assert s3_server.keys(bucket) == ["renders/out.mp4"]
    local = tmp_path / "back.mp4"
    vfnative.storage.get_file(f"s3://{bucket}/renders/out.mp4", local)
    meta = video_metadata(local)
    assert (meta["width"], meta["height"], meta["nb_frames"]) == (64, 36, 6)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["back.mp4", "doc.json"]  # nothing staged beside


def test_api_render_to_s3_reports_the_url(s3_server: Any, tmp_path: Path) -> None:
    bucket = s3_server.bucket("vf-render-api")
    report = vfnative.render(tiny_document(), f"s3://{bucket}/a.mp4", base_dir=tmp_path)
    assert report.output == f"s3://{bucket}/a.mp4"
    assert report.frames == 6
    info = vfnative.storage.stat(f"s3://{bucket}/a.mp4")
    assert info is not None
    assert info.size > 100


def test_render_to_a_missing_bucket_exits_6_naming_the_url(s3_server: Any, tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(tiny_document()))
    code, err = _cli("render", str(doc), "-o", "s3://vf-missing-bucket/out.mp4", "--jobs", "1")
    assert code == 6, err
    assert "EncodeError: s3://vf-missing-bucket/out.mp4: cannot upload: NoSuchBucket" in err


def test_import_and_a_local_render_do_not_load_the_s3_client(tmp_path: Path) -> None:
    doc = tmp_path / "doc.json"
    doc.write_text(json.dumps(tiny_document()))
    script = (
        "import sys, io\n"
        "import vfnative\n"
        "from vfnative.cli.main import run\n"
        f"code = run(['render', {str(doc)!r}, '-o', {str(tmp_path / 'out.mp4')!r}, '--jobs', '1'],"
        " environ={}, stdout=io.StringIO(), stderr=io.StringIO())\n"
        "assert code == 0, code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', 's3transfer', 'moto'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            cwd=ROOT)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
    assert (tmp_path / "out.mp4").is_file()


def test_parallel_render_to_s3_uploads_the_stitched_file(s3_server: Any, tmp_path: Path) -> None:
    from vfnative.api.parallel import render_parallel

    bucket = s3_server.bucket("vf-render-jobs")
    with vfnative.Renderer(tiny_document(duration=2.0), base_dir=tmp_path) as renderer:
        report = render_parallel(renderer, f"s3://{bucket}/jobs.mp4", jobs=2, min_chunk_frames=10,
                                 probe_frames=5, split=True)  # fmt: skip
    assert report.output == f"s3://{bucket}/jobs.mp4"
    local = tmp_path / "jobs.mp4"
    vfnative.storage.get_file(f"s3://{bucket}/jobs.mp4", local)
    assert video_metadata(local)["nb_frames"] == 60
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.mp4"]
