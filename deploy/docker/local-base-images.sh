#!/usr/bin/env bash
# Builds local stand-ins for the two official .NET base images that deploy/Dockerfile names:
#
#   mcr.microsoft.com/dotnet/sdk:10.0      (build stage: restore + publish)
#   mcr.microsoft.com/dotnet/aspnet:10.0   (runtime stage: the server, which uses Kestrel)
#
# WHY THIS EXISTS: on the project's own machines (development sandbox and CI) the official image
# registry is not reachable, only Debian's package mirror and NuGet are. So, to build and run
# docker-compose.yml here at all, this script makes images under the official names from what the
# machine does have: a `debootstrap --variant=minbase bookworm` root file system (the same Debian
# release the official 10.0 images are based on) imported with `docker import`, plus the .NET
# installation of this machine (/usr/share/dotnet). Once the names exist locally, `docker build`
# uses them without pulling, and deploy/Dockerfile and docker-compose.yml stay exactly what a user
# elsewhere runs. ELSEWHERE, DO NOT RUN THIS: the real images are pulled and used unchanged.
#
# What the stand-ins contain (mirroring the official images' layout and environment):
#   both:   Debian bookworm minbase + what .NET needs at run time (ca-certificates, libc6,
#           libgcc-s1, libicu72, libssl3, libstdc++6, tzdata, zlib1g), the `app` user (uid 1654),
#           /usr/bin/dotnet -> /usr/share/dotnet/dotnet, ENV as in the official images, no
#           ENTRYPOINT, CMD ["bash"].
#   aspnet: only the runtime parts of /usr/share/dotnet: the dotnet host, host/fxr,
#           shared/Microsoft.NETCore.App and shared/Microsoft.AspNetCore.App.
#   sdk:    the whole /usr/share/dotnet (SDK, packs, templates, ...), plus git, curl and procps as
#           the official SDK image has. One sandbox-only setting: NUGET_CERT_REVOCATION_MODE=offline,
#           because the certificate revocation servers NuGet's signature check would contact are
#           not reachable here either (this machine's own shell sets the same); the official image
#           does not need it.
#   both, sandbox only: the extra CA certificates this machine trusts (/usr/local/share/
#           ca-certificates/*.crt, e.g. its egress proxy's CA), added to the image's trust store,
#           since NuGet traffic from the build container goes through the same proxy.
#
# Usage (as root, with dockerd running; debootstrap installed: apt-get install -y debootstrap):
#   deploy/docker/local-base-images.sh            # build whichever of the two images is missing
#   deploy/docker/local-base-images.sh --force    # rebuild both (and the cached root fs)
#   Environment: DOTNET_DIR (default /usr/share/dotnet), DEBIAN_MIRROR (default: the first URIs
#   line of /etc/apt/sources.list.d/debian.sources, else http://deb.debian.org/debian),
#   BASE_IMAGES_WORK (default /var/tmp/actorlsm-base-images: the cached root fs).
# Idempotent: an image that already exists is kept (unless --force); the debootstrapped root fs is
# cached in $BASE_IMAGES_WORK/rootfs and reused.
set -euo pipefail

SDK_IMAGE="mcr.microsoft.com/dotnet/sdk:10.0"
ASPNET_IMAGE="mcr.microsoft.com/dotnet/aspnet:10.0"
SUITE="bookworm"
RUNTIME_PACKAGES="ca-certificates,libc6,libgcc-s1,libicu72,libssl3,libstdc++6,tzdata,zlib1g"
SDK_EXTRA_PACKAGES="git curl procps"
APP_UID=1654

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

DOTNET_DIR="${DOTNET_DIR:-/usr/share/dotnet}"
WORK="${BASE_IMAGES_WORK:-/var/tmp/actorlsm-base-images}"
if [[ -z "${DEBIAN_MIRROR:-}" ]]; then
  DEBIAN_MIRROR="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
  DEBIAN_MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
fi

log() { printf '[local-base-images] %s\n' "$*"; }
die() { printf '[local-base-images] error: %s\n' "$*" >&2; exit 1; }

[[ "$(id -u)" == 0 ]] || die "run as root (debootstrap and chroot need it)"
docker info >/dev/null 2>&1 || die "no docker engine answers (start dockerd first)"
[[ -x "$DOTNET_DIR/dotnet" ]] || die "no .NET installation at $DOTNET_DIR"

image_exists() { docker image inspect "$1" >/dev/null 2>&1; }

need_sdk=1; need_aspnet=1
if [[ $force == 0 ]]; then
  image_exists "$SDK_IMAGE" && need_sdk=0 && log "$SDK_IMAGE exists, kept (--force rebuilds)"
  image_exists "$ASPNET_IMAGE" && need_aspnet=0 && log "$ASPNET_IMAGE exists, kept (--force rebuilds)"
fi
if [[ $need_sdk == 0 && $need_aspnet == 0 ]]; then exit 0; fi

# The newest 10.0 runtime, ASP.NET Core runtime and SDK of this machine's installation.
newest() { find "$1" -mindepth 1 -maxdepth 1 -type d -name "$2" -printf '%f\n' 2>/dev/null | sort -V | tail -1; }
DOTNET_VERSION="$(newest "$DOTNET_DIR/shared/Microsoft.NETCore.App" '10.0.*')"
ASPNET_VERSION="$(newest "$DOTNET_DIR/shared/Microsoft.AspNetCore.App" '10.0.*')"
SDK_VERSION="$(newest "$DOTNET_DIR/sdk" '10.0.*')"
FXR_VERSION="$(newest "$DOTNET_DIR/host/fxr" '10.0.*')"
[[ -n "$DOTNET_VERSION" && -n "$ASPNET_VERSION" && -n "$FXR_VERSION" ]] \
  || die "$DOTNET_DIR lacks a 10.0 runtime (Microsoft.NETCore.App, Microsoft.AspNetCore.App, host/fxr)"
[[ $need_sdk == 0 || -n "$SDK_VERSION" ]] || die "$DOTNET_DIR lacks a 10.0 SDK"
log ".NET runtime $DOTNET_VERSION, ASP.NET Core $ASPNET_VERSION, SDK ${SDK_VERSION:-n/a} from $DOTNET_DIR"

# --- 1. the Debian root file system (cached) ------------------------------------------------------
rootfs="$WORK/rootfs"
if [[ $force == 1 ]]; then rm -rf "$rootfs"; fi
if [[ ! -f "$rootfs/.actorlsm-complete" ]]; then
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install -y debootstrap)"
  rm -rf "$rootfs" "$rootfs.tmp"
  mkdir -p "$WORK"
  log "debootstrap --variant=minbase $SUITE from $DEBIAN_MIRROR (a few minutes)"
  debootstrap --variant=minbase --include="$RUNTIME_PACKAGES" "$SUITE" "$rootfs.tmp" "$DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -20 "$WORK/debootstrap.log" >&2; die "debootstrap failed (log: $WORK/debootstrap.log)"; }
  # The official images' non-root user (they run as root unless told: USER $APP_UID).
  chroot "$rootfs.tmp" groupadd --gid "$APP_UID" app
  chroot "$rootfs.tmp" useradd --uid "$APP_UID" --gid app --shell /bin/sh --create-home app
  rm -rf "$rootfs.tmp"/var/cache/apt/archives/*.deb "$rootfs.tmp"/var/lib/apt/lists/* "$rootfs.tmp"/tmp/*
  touch "$rootfs.tmp/.actorlsm-complete"
  mv "$rootfs.tmp" "$rootfs"
else
  log "reusing the root fs in $rootfs"
fi

# Environment shared by both images, as in the official ones.
common_changes=(
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
  --change "ENV APP_UID=$APP_UID"
  --change "ENV ASPNETCORE_HTTP_PORTS=8080"
  --change "ENV DOTNET_RUNNING_IN_CONTAINER=true"
  --change "ENV DOTNET_VERSION=$DOTNET_VERSION"
  --change "ENV ASPNET_VERSION=$ASPNET_VERSION"
  --change "ENV DOTNET_ROOT=/usr/share/dotnet"
  --change "LABEL org.actorlsm.stand-in=deploy/docker/local-base-images.sh"
  --change 'CMD ["bash"]'
)

# REQUIRES: $1 = staging directory (a copy of the root fs with dotnet in place), $2 = image name.
import_image() {
  local stage="$1" name="$2"; shift 2
  ln -sfn /usr/share/dotnet/dotnet "$stage/usr/bin/dotnet"
  rm -f "$stage/.actorlsm-complete"
  log "docker import -> $name ($(du -sh "$stage" | cut -f1))"
  tar --numeric-owner --xattrs -C "$stage" -c . | docker import "${common_changes[@]}" "$@" - "$name" >/dev/null
}

stage_base() {
  local stage="$1"
  rm -rf "$stage"
  cp -a "$rootfs" "$stage"
  mkdir -p "$stage/usr/share/dotnet"
  # This machine's extra trust anchors (sandbox only: registry traffic here passes a TLS proxy whose
  # CA the host trusts). Without them NuGet restore in the build stage fails with "self-signed
  # certificate in certificate chain". Where there are none, nothing changes.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$stage/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$stage/usr/local/share/ca-certificates/"
    chroot "$stage" update-ca-certificates >/dev/null
  fi
}

# --- 2. aspnet: the runtime parts only ------------------------------------------------------------
if [[ $need_aspnet == 1 ]]; then
  stage="$WORK/stage-aspnet"
  stage_base "$stage"
  d="$stage/usr/share/dotnet"
  cp -a "$DOTNET_DIR/dotnet" "$d/"
  cp -a "$DOTNET_DIR"/LICENSE.txt "$DOTNET_DIR"/ThirdPartyNotices.txt "$d/" 2>/dev/null || true
  mkdir -p "$d/host/fxr" "$d/shared/Microsoft.NETCore.App" "$d/shared/Microsoft.AspNetCore.App"
  cp -a "$DOTNET_DIR/host/fxr/$FXR_VERSION" "$d/host/fxr/"
  cp -a "$DOTNET_DIR/shared/Microsoft.NETCore.App/$DOTNET_VERSION" "$d/shared/Microsoft.NETCore.App/"
  cp -a "$DOTNET_DIR/shared/Microsoft.AspNetCore.App/$ASPNET_VERSION" "$d/shared/Microsoft.AspNetCore.App/"
  import_image "$stage" "$ASPNET_IMAGE"
  rm -rf "$stage"
fi

# --- 3. sdk: the whole installation, plus the tools the official SDK image carries ----------------
if [[ $need_sdk == 1 ]]; then
  stage="$WORK/stage-sdk"
  stage_base "$stage"
  cp -a "$DOTNET_DIR"/. "$stage/usr/share/dotnet/"
  # git/curl/procps come from the same mirror; resolv.conf is borrowed for the chroot's apt-get.
  cp /etc/resolv.conf "$stage/etc/resolv.conf"
  if ! chroot "$stage" bash -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $SDK_EXTRA_PACKAGES" \
      >"$WORK/sdk-apt.log" 2>&1; then
    tail -20 "$WORK/sdk-apt.log" >&2; die "apt-get inside the sdk root fs failed (log: $WORK/sdk-apt.log)"
  fi
  rm -rf "$stage"/var/cache/apt/archives/*.deb "$stage"/var/lib/apt/lists/*
  : > "$stage/etc/resolv.conf"
  import_image "$stage" "$SDK_IMAGE" \
    --change "ENV DOTNET_SDK_VERSION=$SDK_VERSION" \
    --change "ENV DOTNET_GENERATE_ASPNET_CERTIFICATE=false" \
    --change "ENV DOTNET_NOLOGO=true" \
    --change "ENV DOTNET_USE_POLLING_FILE_WATCHER=true" \
    --change "ENV NUGET_XMLDOC_MODE=skip" \
    --change "ENV NUGET_CERT_REVOCATION_MODE=offline"
  rm -rf "$stage"
fi

docker image ls --format '{{.Repository}}:{{.Tag}}  {{.ID}}  {{.Size}}' | grep -F 'mcr.microsoft.com/dotnet/' || true
log "done"
