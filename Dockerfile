# The igw container image, ghcr.io/inference-gateway/igw:<version>, where <version> is igw's own (the
# project() VERSION in CMakeLists.txt, printed by `igw version`):
#   docker build -t ghcr.io/inference-gateway/igw:<version> .
# `igw gen k8s --with-gateway` and `igw gen compose` point at that tag by default.
# tests/e2e/test_dockerfile.sh checks this file against the binary (runtime packages from its ldd).

# Build: the repository's own scripts on Debian 12, as on a developer machine. The dependencies come
# first, so a source change does not reinstall them.
FROM debian:12 AS build
WORKDIR /src
COPY scripts/bootstrap scripts/bootstrap
RUN scripts/bootstrap
COPY . .
RUN scripts/build -DIGW_BUILD_TESTS=OFF && strip build/cli/igw

# Runtime: the shared libraries `ldd igw` resolves, by Debian package (libc6 is in the base), plus the
# CA certificates upstream TLS verifies against. Nothing to build with.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates libbrotli1 libcpp-httplib0.11 libfmt9 libgcc-s1 libnghttp2-14 \
      libprometheus-cpp-core1.0 libsimdjson14 libssl3 libstdc++6 libyaml-cpp0.7 zlib1g \
 && rm -rf /var/lib/apt/lists/*
# A user of its own; the uid is the one `igw gen k8s` pods run as (runAsUser 65532).
RUN groupadd --system --gid 65532 igw \
 && useradd --system --uid 65532 --gid igw --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin igw
COPY --from=build /src/build/cli/igw /usr/local/bin/igw
USER 65532:65532
# The API listens on every interface inside the container (the binary's default is 127.0.0.1).
ENV SERVER_HOST=0.0.0.0
# The API (SERVER_PORT) and the metrics (TELEMETRY_METRICS_PORT, with TELEMETRY_ENABLE=true).
EXPOSE 8080 9464
# `igw doctor --quick` exits 0 when the API's /health answers, non-zero (3) when not: Docker counts any
# non-zero exit as a failure. It finds the API from the same environment (SERVER_HOST, SERVER_PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=5s --retries=3 CMD ["igw", "doctor", "--quick"]
ENTRYPOINT ["igw"]
CMD ["serve"]
