# vfnative: one image for `vfnative worker`, `vfnative serve` and one-shot `vfnative render`.
#
#   scripts/build-image.sh [TAG]            # builds it here (base image, CA bundle, proxies): see that script
#   docker run --rm -v "$PWD:/work" vfnative:local render doc.json -o out.mp4
#   docker run --rm --read-only --tmpfs /tmp -v "$PWD:/work" vfnative:local render doc.json -o out.mp4
#
# Needs BuildKit (a secret mount hands pip the build machine's CA bundle without it reaching any layer).
# Build args:
#   FONT_PACKAGES   extra fontpkg packages from PyPI, space-separated (Noto Sans and Inter are always in)
#   NUMBA_CPU_NAME  the CPU the prebuilt numba kernels target; "generic" (baseline x86-64) keeps the
#                   cache valid on every host. Another name (e.g. a -march) must match the run host's CPU,
#                   or numba recompiles every kernel on first use (into /tmp, correct but cold).
#   PIP_INDEX_URL, PIP_DEFAULT_TIMEOUT, HTTP(S)_PROXY, NO_PROXY: how this machine reaches the registries.
# Everything the process writes goes under /tmp (numba cache, media cache, temp files, HOME), so the
# image runs with a read-only root file system and a tmpfs on /tmp.

ARG BASE=debian:bookworm-slim

# ---------------------------------------------------------------------------------------------- build
FROM ${BASE} AS build
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 python3-venv libegl1 libgl1 binutils ca-certificates \
      libxcb-shm0 libxcb-shape0 libxcb-xfixes0 libdrm2 libfreetype6 libpng16-16 \
 && rm -rf /var/lib/apt/lists/*

ARG PIP_INDEX_URL
ARG PIP_DEFAULT_TIMEOUT=180
ARG FONT_PACKAGES=""
ENV PIP_DISABLE_PIP_VERSION_CHECK=1
# Dependencies first (their own layer, cached while only vfnative's sources change): install the
# project's requirements from pyproject.toml alone, then the project itself without dependencies.
COPY pyproject.toml /src/
RUN --mount=type=secret,id=ca_bundle,required=false --mount=type=cache,target=/root/.cache/pip \
    set -e; \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    python3 -m venv /opt/vfnative; \
    python3 -c 'import tomllib; p = tomllib.load(open("/src/pyproject.toml", "rb"))["project"]; \
x = p.get("optional-dependencies", {}); \
print("\n".join(p["dependencies"] + x.get("worker", []) + x.get("server", [])))' > /tmp/requirements.txt; \
    /opt/vfnative/bin/pip install -q -r /tmp/requirements.txt ${FONT_PACKAGES}
# pyproject.toml names README.md as the long description: a stand-in keeps README edits (frequent)
# from invalidating the layers below (the install, the strip and the 2-minute warmup)
RUN echo "vfnative: see the project's README" > /src/README.md
COPY src /src/src
# pip warns (and goes on) if an extra is not declared yet; the dependencies are in already
RUN --mount=type=secret,id=ca_bundle,required=false --mount=type=cache,target=/root/.cache/pip \
    set -e; \
    if [ -s /run/secrets/ca_bundle ]; then export PIP_CERT=/run/secrets/ca_bundle; fi; \
    /opt/vfnative/bin/pip install -q --no-deps "/src[worker,server]"; \
    /opt/vfnative/bin/pip uninstall -q -y pip setuptools wheel 2>/dev/null || true
# Strip (the image's size budget is 550 MB; libllvmlite alone is 150 MB):
# * tests, C sources and headers the runtime never reads;
# * symbol tables of extension modules and libllvmlite (--strip-unneeded keeps the dynamic symbols
#   ctypes needs; PyAV's modules alone carry 24 MB of them), but not of the libraries auditwheel
#   renamed into <pkg>.libs folders: stripping those breaks their loading ("not page-aligned");
# * wheel-bundled copies of system libraries that auditwheel padded to 2 MB pages (6 MB files with
#   20 kB of code): they become links to Debian's builds of the same libraries (same sonames);
# * Python sources of the third-party packages: they run from their bytecode (legacy .pyc beside
#   the module, compiled once here). vfnative, numba, llvmlite and numpy keep their sources (numba
#   reads vfnative's kernels' sources and keys its cache on them). Tracebacks from the others show
#   no source lines.
RUN set -e; sp=/opt/vfnative/lib/python3.11/site-packages; lib=/usr/lib/x86_64-linux-gnu; \
    rm -rf "$sp"/numba/tests "$sp"/llvmlite/tests "$sp"/numpy/*/tests "$sp"/numpy/tests \
           "$sp"/numpy/_core/include "$sp"/numpy/f2py "$sp"/numpy/typing/tests "$sp"/av/include \
           "$sp"/fontTools/*/tests "$sp"/pydantic/v1 "$sp"/pybind11/include "$sp"/pybind11/share \
           "$sp"/_distutils_hack "$sp"/distutils-precedence.pth; \
    find "$sp" \( -name '*.pyx' -o -name '*.pxd' -o -name '*.c' -o -name '*.h' -o -name '*.cpp' -o -name '*.pyi' \) -delete; \
    find "$sp" -name '*.so*' -type f ! -path '*.libs/*' -exec strip --strip-unneeded {} +; \
    relink() { for f in "$sp"/$1; do if [ -f "$f" ]; then ln -sf "$lib/$2" "$f"; fi; done; }; \
    relink 'av.libs/libxcb-[0-9a-f]*.so*' libxcb.so.1; relink 'av.libs/libxcb-shm-*.so*' libxcb-shm.so.0; \
    relink 'av.libs/libxcb-shape-*.so*' libxcb-shape.so.0; relink 'av.libs/libxcb-xfixes-*.so*' libxcb-xfixes.so.0; \
    relink 'av.libs/libXau-*.so*' libXau.so.6; relink 'av.libs/libdrm-*.so*' libdrm.so.2; \
    relink 'skia_python.libs/libfreetype-*.so*' libfreetype.so.6; relink 'skia_python.libs/libpng16-*.so*' libpng16.so.16; \
    relink 'skia_python.libs/libbz2-*.so*' libbz2.so.1.0; relink 'skia_python.libs/libuuid-*.so*' libuuid.so.1; \
    find "$sp" -name __pycache__ -prune -exec rm -rf {} +; \
    py=/opt/vfnative/bin/python; \
    $py -m compileall -q -j 0 --invalidation-mode unchecked-hash "$sp"/vfnative "$sp"/numba "$sp"/llvmlite "$sp"/numpy >/dev/null; \
    for entry in "$sp"/*; do \
        case "${entry##*/}" in vfnative|numba|llvmlite|numpy|*.dist-info|*.libs|*.so|*.pth) continue ;; esac; \
        $py -m compileall -q -b -j 0 --invalidation-mode unchecked-hash "$entry" >/dev/null; \
        if [ -d "$entry" ]; then find "$entry" -name '*.py' -delete; else case "$entry" in *.py) rm -f "$entry" ;; esac; fi; \
    done

# Prebuild every numba kernel into a cache the runtime copies to /tmp on first start (numba only
# uses a writable cache folder). NUMBA_CPU_NAME must be the same here and at run time.
ARG NUMBA_CPU_NAME=generic
ENV NUMBA_CPU_NAME=${NUMBA_CPU_NAME}
RUN NUMBA_CACHE_DIR=/opt/vfnative-numba /opt/vfnative/bin/vfnative warmup -q \
 && /opt/vfnative/bin/vfnative doctor >/dev/null

# The GL dispatch libraries skia-python links against (libEGL.so.1, libGL.so.1 and their glvnd
# helpers from Debian's libegl1/libgl1/libglx0/libglvnd0). Skia draws on the CPU here and never
# creates a GL context, so the Mesa drivers those packages pull in (~150 MB with LLVM) stay behind.
RUN mkdir -p /gl && cd /usr/lib/x86_64-linux-gnu \
 && cp -a libEGL.so.1* libGL.so.1* libGLX.so.0* libGLdispatch.so.0* /gl/

# ---------------------------------------------------------------------------------------------- redis
# compose.yaml's Redis where no registry is reachable (scripts/build-image.sh tags it vfnative-redis:local)
FROM ${BASE} AS redis
ARG DEBIAN_FRONTEND=noninteractive
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* \
 && mkdir -p /data && chown redis:redis /data
USER redis
WORKDIR /data
EXPOSE 6379
CMD ["redis-server", "--appendonly", "yes", "--appendfsync", "everysec", "--dir", "/data", "--bind", "0.0.0.0", "--protected-mode", "no"]

# ---------------------------------------------------------------------------------------------- runtime
FROM ${BASE}
ARG DEBIAN_FRONTEND=noninteractive
# Debian's python3 (3.11), CA certificates for https media, and the libraries the stripped wheels link
# to (see above). The standard library runs from bytecode too; glibc's iconv modules (gconv, 8 MB)
# go: Python, FFmpeg and Skia here never call iconv.
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends python3 ca-certificates libx11-6 \
      libxcb-shm0 libxcb-shape0 libxcb-xfixes0 libdrm2 libfreetype6 libpng16-16 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/* /usr/share/doc/* /usr/share/man/* \
      /usr/lib/python3.11/pydoc_data /usr/lib/x86_64-linux-gnu/gconv \
 && find /usr/lib/python3.11 -name __pycache__ -prune -exec rm -rf {} + \
 && python3 -m compileall -q -b -j 0 --invalidation-mode unchecked-hash /usr/lib/python3.11 >/dev/null \
 && find /usr/lib/python3.11 -name '*.py' ! -name 'sitecustomize.py' -delete \
 && useradd --uid 10001 --user-group --no-create-home --home-dir /tmp --shell /usr/sbin/nologin vfnative \
 && mkdir -p /work /data && chown vfnative:vfnative /work /data
COPY --from=build /gl/ /usr/lib/x86_64-linux-gnu/
RUN ldconfig
COPY --from=build /opt/vfnative /opt/vfnative
COPY --from=build /opt/vfnative-numba /opt/vfnative-numba
# relative media of documents posted to `vfnative serve --media-root /opt/vfnative/media` (compose.yaml)
COPY --from=build /opt/vfnative/lib/python3.11/site-packages/vfnative/demo/logo.png /opt/vfnative/media/
ARG NUMBA_CPU_NAME=generic
ENV PATH=/opt/vfnative/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    TMPDIR=/tmp \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    NUMBA_CPU_NAME=${NUMBA_CPU_NAME} \
    NUMBA_CACHE_DIR=/tmp/vfnative/numba \
    VFNATIVE_NUMBA_CACHE_SEED=/opt/vfnative-numba
USER 10001:10001
WORKDIR /work
EXPOSE 8000
ENTRYPOINT ["vfnative"]
CMD ["--help"]
