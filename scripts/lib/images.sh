# Images of the local node (sourced by kube-local.sh). Nothing can be pulled here, so the
# images that pods use are built from Debian's packages, cached by the content of their
# recipe in $CACHE/images, and imported into containerd's k8s.io namespace:
#   pause     registry.k8s.io/pause:3.6         containerd's sandbox_image (pause.c, static)
#   busybox   docker.io/library/busybox:1.37    Debian's busybox (the translator's wait image)
#                                               with its libraries, and `nc -z` (nc.c), which
#                                               Debian's build lacks
#   kubectl   registry.k8s.io/kubectl:v1.33.0   busybox + this machine's static kubectl
#                                               (the translator's Job-wait image)
#   postgres  docker.io/library/postgres:15     mmdebstrap of Debian's postgresql-15 with an
#                                               entrypoint that does what the official
#                                               image's does on first start
# shellcheck shell=bash

IMAGES_DIR="$CACHE/images"
IMAGE_RECIPES="$ROOT/scripts/lib/images"
IMAGE_NAMES=(pause busybox kubectl postgres)

image_ref() {
  case "$1" in
    pause) echo registry.k8s.io/pause:3.6 ;;
    busybox) echo docker.io/library/busybox:1.37 ;;
    kubectl) echo registry.k8s.io/kubectl:v1.33.0 ;;
    postgres) echo docker.io/library/postgres:15 ;;
  esac
}

# The static kubectl put in the kubectl image (the dispatcher's 1.33 build when present).
kubectl_binary() {
  local k
  k="$(readlink -f "$(command -v kubectl)")"
  if [ -x "$(dirname "$k")/kubectl.1.33" ]; then k="$(dirname "$k")/kubectl.1.33"; fi
  echo "$k"
}

# image_key NAME: a digest of everything the image is built from: its recipe (the shell
# functions that build it), the files they use, the Debian versions they install.
image_key() {
  {
    cat "$IMAGE_RECIPES/mkimage.py"
    declare -f "image_$1"
    case "$1" in
      pause) cat "$IMAGE_RECIPES/pause.c"; gcc --version | head -n1 ;;
      busybox) declare -f busybox_root; apt-cache policy busybox | grep Candidate; cat "$IMAGE_RECIPES/nc.c" ;;
      kubectl) declare -f busybox_root; apt-cache policy busybox | grep Candidate; cat "$IMAGE_RECIPES/nc.c"
               local k; k="$(kubectl_binary)"; echo "$k $(stat -c %s "$k")" ;;
      postgres) cat "$IMAGE_RECIPES/postgres-entrypoint.sh"; apt-cache policy postgresql-15 | grep Candidate ;;
    esac
  } | sha256sum | cut -c1-16
}

image_tar() { echo "$IMAGES_DIR/$1-$(image_key "$1").tar"; }

mkimage() { python3 "$IMAGE_RECIPES/mkimage.py" "$@"; }

# busybox_root DIR: a busybox root as Docker's busybox image has it. Debian's dynamic
# `busybox` (with the host's glibc, Debian 12's too), not busybox-static: the static build's
# shell runs its own applets before PATH, so the `nc` below would never be used.
busybox_root() {
  local dir="$1" applet deb lib
  mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/home" "$dir/var/www" "$IMAGES_DIR/debs"
  chmod 1777 "$dir/tmp"
  deb="$(cd "$IMAGES_DIR/debs" && rm -f busybox_*.deb && apt-get download -qq busybox >/dev/null 2>&1 && ls busybox_*.deb)" \
    || die "apt-get download busybox failed"
  dpkg-deb -x "$IMAGES_DIR/debs/$deb" "$dir/.deb"
  install -m 0755 "$dir/.deb/bin/busybox" "$dir/bin/busybox"
  rm -rf "$dir/.deb"
  for lib in $(ldd "$dir/bin/busybox" | grep -o '/[^ ]*'); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
  for applet in $("$dir/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
  done
  rm -f "$dir/bin/nc"
  # Static glibc warns that getaddrinfo needs the resolver at run time: it is built in.
  gcc -Os -static -o "$dir/bin/nc" "$IMAGE_RECIPES/nc.c" 2>/dev/null
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'daemon:x:1:1:daemon:/usr/sbin:/bin/false' \
    'www-data:x:33:33:www-data:/var/www:/bin/false' 'nobody:x:65534:65534:nobody:/home:/bin/false' >"$dir/etc/passwd"
  printf '%s\n' 'root:x:0:' 'daemon:x:1:' 'www-data:x:33:' 'nogroup:x:65534:' >"$dir/etc/group"
}

image_pause() {
  mkdir -p "$1/root"
  gcc -Os -static -o "$1/root/pause" "$IMAGE_RECIPES/pause.c"
  mkimage --ref "$(image_ref pause)" --out "$1/image.tar" --layer "$1/root" --entrypoint '["/pause"]'
}

image_busybox() {
  busybox_root "$1/root"
  mkimage --ref "$(image_ref busybox)" --out "$1/image.tar" --layer "$1/root" --cmd '["sh"]'
}

image_kubectl() {
  busybox_root "$1/root"
  install -m 0755 "$(kubectl_binary)" "$1/root/bin/kubectl"
  mkimage --ref "$(image_ref kubectl)" --out "$1/image.tar" --layer "$1/root" --entrypoint '["kubectl"]'
}

# Debian's PostgreSQL; docs, manuals and translations left out (about 400 MB).
image_postgres() {
  mmdebstrap --quiet --variant=apt --include=postgresql-15,postgresql-client-15 \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$1/rootfs.tar" "$(debian_mirror)" >"$1/mmdebstrap.log" 2>&1 \
    || { tail -n 20 "$1/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $1/mmdebstrap.log)"; }
  mkdir -p "$1/top/usr/local/bin" "$1/top/var/lib/postgresql/data"
  install -m 0755 "$IMAGE_RECIPES/postgres-entrypoint.sh" "$1/top/usr/local/bin/docker-entrypoint.sh"
  mkimage --ref "$(image_ref postgres)" --out "$1/image.tar" --layer "$1/rootfs.tar" --layer "$1/top" \
    --entrypoint '["docker-entrypoint.sh"]' --cmd '["postgres"]' \
    --env PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env PGDATA=/var/lib/postgresql/data --env LANG=C.UTF-8
}

build_image() {
  local name="$1" out work start=$SECONDS
  out="$(image_tar "$name")"
  work="$(mktemp -d "$IMAGES_DIR/build-$name.XXXXXX")"
  "image_$name" "$work"
  mv "$work/image.tar" "$out"
  rm -rf "$work"
  # Older builds of this image are replaced.
  find "$IMAGES_DIR" -maxdepth 1 -name "$name-*.tar" ! -path "$out" -delete
  log "image $(image_ref "$name") built in $((SECONDS - start))s ($(du -h "$out" | cut -f1))"
}

# images_build: every image not yet cached (the postgres one takes about a minute).
images_build() {
  apt_install mmdebstrap gcc libc6-dev python3
  mkdir -p "$IMAGES_DIR"
  local name
  for name in "${IMAGE_NAMES[@]}"; do
    [ -f "$(image_tar "$name")" ] || build_image "$name"
  done
}

# images_import SOCKET MARKDIR: import the cached images not yet in this containerd.
images_import() {
  local sock="$1" marks="$2" name tar
  mkdir -p "$marks"
  for name in "${IMAGE_NAMES[@]}"; do
    tar="$(image_tar "$name")"
    [ -f "$marks/$(basename "$tar")" ] && continue
    ctr --address "$sock" -n k8s.io images import "$tar" >/dev/null \
      || die "ctr could not import $tar"
    : >"$marks/$(basename "$tar")"
  done
}
