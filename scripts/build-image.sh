#!/usr/bin/env bash
# Build the vfnative image: scripts/build-image.sh [TAG] [extra `docker build` arguments...]
#
#   TAG defaults to vfnative:local. Extra arguments go to `docker build`, e.g.
#   --build-arg FONT_PACKAGES="fontpkg-roboto fontpkg-lato"
#
# On a machine with no reachable container registry, the base image (debian:bookworm-slim) is made
# from Debian's packages: debootstrap --variant=minbase, slimmed like the official image, piped into
# `docker import`. The build runs with host networking and reaches the package registries the way
# this machine does: its CA bundle goes in as a BuildKit secret (never in a layer), its proxy and pip
# index settings as build arguments (Docker keeps the proxy ones out of the image's history).
#
# It also builds compose.yaml's Redis image, vfnative-redis:local (VFNATIVE_REDIS_TAG; VFNATIVE_BUILD_REDIS=0: not).
# Environment: DOCKER (client, default: the first of docker, /usr/bin/docker that can run BuildKit),
# VFNATIVE_BASE_IMAGE (default debian:bookworm-slim), VFNATIVE_CA_BUNDLE (default: the system bundle),
# VFNATIVE_DEBIAN_MIRROR (default http://deb.debian.org/debian).
set -euo pipefail

tag=${1:-vfnative:local}
[ "$#" -gt 0 ] && shift
root=$(cd "$(dirname "$0")/.." && pwd)
base=${VFNATIVE_BASE_IMAGE:-debian:bookworm-slim}
mirror=${VFNATIVE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
ca_bundle=${VFNATIVE_CA_BUNDLE:-}
if [ -z "$ca_bundle" ]; then
    for candidate in "${SSL_CERT_FILE:-}" /etc/ssl/certs/ca-certificates.crt; do
        if [ -n "$candidate" ] && [ -s "$candidate" ]; then ca_bundle=$candidate; break; fi
    done
fi

log() { echo "build-image: $*" >&2; }

# --- a docker client that can run BuildKit (secret mounts): buildx, or a client older than 23
#     (Debian's docker.io 20.10), whose `build` has BuildKit built in
builder=()
for client in ${DOCKER:-docker /usr/bin/docker}; do
    command -v "$client" >/dev/null 2>&1 || continue
    if "$client" buildx version >/dev/null 2>&1; then
        builder=("$client" buildx build --load); break
    fi
    version=$("$client" version --format '{{.Client.Version}}' 2>/dev/null || echo 0)
    if [ "${version%%.*}" -lt 23 ] 2>/dev/null; then
        builder=(env DOCKER_BUILDKIT=1 "$client" build); break
    fi
done
if [ "${#builder[@]}" -eq 0 ]; then
    log "no docker client with BuildKit found (install docker-buildx, or Debian's docker.io)"
    exit 1
fi
docker_bin=${builder[0]}
[ "$docker_bin" = env ] && docker_bin=${builder[2]}

# --- the base image: present, pulled, or made from Debian's packages
make_base() {
    command -v debootstrap >/dev/null 2>&1 || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
    local dir
    dir=$(mktemp -d /tmp/vfnative-rootfs.XXXXXX)
    trap 'rm -rf "$dir"' RETURN
    log "making $base from Debian packages (debootstrap --variant=minbase bookworm, $mirror)"
    debootstrap --variant=minbase bookworm "$dir" "$mirror" >"$dir.log" 2>&1 || { tail -20 "$dir.log" >&2; exit 1; }
    rm -f "$dir.log"
    # like the official slim image: no docs, man pages or locales from later installs either
    cat >"$dir/etc/dpkg/dpkg.cfg.d/docker-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
EOF
    cat >"$dir/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
APT::Install-Recommends "false";
EOF
    cat >"$dir/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
    find "$dir/usr/share/doc" -mindepth 2 ! -name copyright ! -type d -delete 2>/dev/null || true
    rm -rf "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/cache/apt/archives/*.deb \
        "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* "$dir"/var/log/*
    find "$dir/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} + 2>/dev/null || true
    tar -C "$dir" -c . | "$docker_bin" import -c 'CMD ["bash"]' - "$base" >/dev/null
    log "made $base ($("$docker_bin" image inspect -f '{{.Size}}' "$base") bytes)"
}
if ! "$docker_bin" image inspect "$base" >/dev/null 2>&1; then
    if ! timeout 30 "$docker_bin" pull -q "$base" >/dev/null 2>&1; then
        make_base
    fi
fi

# --- this machine's way to the registries, as build arguments (not baked into the image)
args=(--network host --build-arg "BASE=$base")
for name in HTTP_PROXY HTTPS_PROXY NO_PROXY http_proxy https_proxy no_proxy PIP_DEFAULT_TIMEOUT; do
    if [ -n "${!name:-}" ]; then args+=(--build-arg "$name=${!name}"); fi
done
index=${PIP_INDEX_URL:-$(pip config get global.index-url 2>/dev/null || true)}
case "$index" in http://* | https://*) args+=(--build-arg "PIP_INDEX_URL=$index") ;; esac
if [ -n "$ca_bundle" ]; then
    args+=(--secret "id=ca_bundle,src=$ca_bundle")
fi

log "${builder[*]} ${args[*]} -t $tag $* $root"
"${builder[@]}" "${args[@]}" -t "$tag" "$@" "$root"
log "built $tag ($("$docker_bin" image inspect -f '{{.Size}}' "$tag") bytes)"
# compose.yaml's Redis (the Dockerfile's redis stage: Debian's redis-server), unless told not to
redis_tag=${VFNATIVE_REDIS_TAG:-vfnative-redis:local}
if [ "${VFNATIVE_BUILD_REDIS:-1}" = 1 ]; then
    "${builder[@]}" "${args[@]}" --target redis -t "$redis_tag" "$root" >/dev/null
    log "built $redis_tag"
fi
