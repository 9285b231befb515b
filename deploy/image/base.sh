#!/usr/bin/env bash
# Builds Herald's base image and pushes it to a registry; prints its reference on stdout.
#   glibc     Debian's libc6 package (the only shared library the JVM needs here)
#   Java      a jlink'ed Java 25 runtime from the build JDK, holding only the modules Herald uses
#   /etc      passwd and group with root and nonroot (65532), the controller's user; an empty /tmp
# No package manager, no shell. The controller and speaker images are this base plus Jib's layers.
# The root filesystem is cached, keyed by the JDK's version, the libc6 version, the module list and
# this recipe; an image already in the registry under that key is not pushed again.
# Usage: deploy/image/base.sh REGISTRY [--insecure]     e.g. registry.example.com/herald
set -euo pipefail
RECIPE=1
# jdeps over the controller's and the speaker's class paths, plus jdk.zipfs (Micronaut reads resources
# inside jars through it) and jdk.management (the JVM's process metrics)
MODULES=java.base,java.desktop,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,jdk.jfr,jdk.management,jdk.unsupported,jdk.zipfs
registry=${1:?usage: base.sh REGISTRY [--insecure]}
insecure=${2:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
cache=${HERALD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald}
log() { printf '%s\n' "$*" >&2; }
crane=$("$root/e2e/k8s/extras.sh" crane)
jdk=${JAVA_HOME:?JAVA_HOME must point at a Java 25 JDK}
java_version=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/ {print $2}')
libc_version=$(apt-cache policy libc6 | awk '/Candidate:/ {print $2}')
key=$(printf '%s\n' "$java_version" "$libc_version" "$MODULES" "$RECIPE" | sha256sum | cut -c1-12)
tag="${java_version%%+*}-$key"
ref="$registry/herald-base:$tag"
# complete only once its configuration is set (the push below is two steps)
if "$crane" config $insecure "$ref" 2>/dev/null | grep -q '"JAVA_HOME=/opt/java"'; then echo "$ref"; exit 0; fi

dir="$cache/base-$tag"
if [ ! -f "$dir/java.tar.gz" ]; then
  log "assembling Herald's base image $tag (Java $java_version, libc6 $libc_version)"
  tmp="$dir.tmp.$$"
  rm -rf "$tmp"; mkdir -p "$tmp/os" "$tmp/java/opt" "$tmp/deb"
  (cd "$tmp/deb" && apt-get download -qq "libc6=$libc_version" >&2)
  dpkg-deb -x "$tmp/deb"/libc6_*.deb "$tmp/deb/x"
  # the loader and the shared libraries; gconv, locales and documentation stay out
  mkdir -p "$tmp/os/lib" "$tmp/os/lib64" "$tmp/os/etc" "$tmp/os/tmp" "$tmp/os/usr/share/doc/libc6"
  cp -a "$tmp/deb/x/lib/x86_64-linux-gnu" "$tmp/os/lib/"
  [ -d "$tmp/deb/x/usr/lib/x86_64-linux-gnu" ] && cp -a "$tmp/deb/x/usr/lib/x86_64-linux-gnu/." "$tmp/os/lib/x86_64-linux-gnu/"
  rm -rf "$tmp/os/lib/x86_64-linux-gnu/gconv"
  cp -a "$tmp/deb/x/lib64/." "$tmp/os/lib64/" 2>/dev/null || ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$tmp/os/lib64/ld-linux-x86-64.so.2"
  cp "$tmp/deb/x/usr/share/doc/libc6/copyright" "$tmp/os/usr/share/doc/libc6/"
  chmod 1777 "$tmp/os/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$tmp/os/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$tmp/os/etc/group"
  "$jdk/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
    --generate-cds-archive --output "$tmp/java/opt/java" >&2
  tarball() { tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$1" -cf - . | gzip -n >"$2"; }
  tarball "$tmp/os" "$tmp/os.tar.gz"
  tarball "$tmp/java" "$tmp/java.tar.gz"
  rm -rf "$tmp/os" "$tmp/java" "$tmp/deb"
  rm -rf "$dir"; mv "$tmp" "$dir"
fi
log "pushing $ref"
"$crane" append $insecure --oci-empty-base -f "$dir/os.tar.gz" -f "$dir/java.tar.gz" -t "$ref" >/dev/null
"$crane" mutate $insecure "$ref" -t "$ref" --set-platform linux/amd64 \
  -e PATH=/opt/java/bin:/usr/bin:/bin -e JAVA_HOME=/opt/java \
  -l org.opencontainers.image.title=herald-base -l org.opencontainers.image.licenses=Apache-2.0 \
  -l "org.opencontainers.image.description=glibc $libc_version (Debian), Java $java_version (jlink: $MODULES)" >/dev/null
echo "$ref"
