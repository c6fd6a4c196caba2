# syntax=docker/dockerfile:1.7
# MicroChat images: one build stage compiles the three services in release
# mode on the official Swift image; each service then ships on Debian slim
# with only the shared libraries it links (libpq, hiredis), as a non-root user.
#
#   docker build --target user-service -t microchat/user-service .
#   docker build --target chat-service -t microchat/chat-service .
#   docker build --target ui-service   -t microchat/ui-service .

# checkov:skip=CKV_DOCKER_7: the base images are pinned by release through these ARGs (swift:6.3-bookworm, debian:bookworm-slim)
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq-dev libhiredis-dev libssl-dev pkg-config zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Dependencies first, so they are cached until Package.swift changes. Every
# direct dependency is pinned exactly in Package.swift; the whole resolved graph
# must match the committed Package.versions, or the build stops here.
COPY Package.swift Package.versions ./
COPY scripts/package-versions ./scripts/package-versions
# Every target the manifest names must exist for SwiftPM to load it, test targets included.
COPY Tests/ServiceKitTests ./Tests/ServiceKitTests
COPY Tests/UserServiceTests ./Tests/UserServiceTests
COPY Tests/ChatServiceTests ./Tests/ChatServiceTests
COPY Tests/UIServiceTests ./Tests/UIServiceTests
COPY Tests/IntegrationTests ./Tests/IntegrationTests
COPY Tests/ChatLoadTests ./Tests/ChatLoadTests
RUN mkdir -p Sources/ServiceKit Sources/UserService Sources/ChatService Sources/UIService/Public \
    && swift package resolve
COPY Sources ./Sources
# Every product at once (`--product` may be given only once: the last would win).
RUN scripts/package-versions check \
    && swift build -c release --static-swift-stdlib \
    && mkdir -p /staging \
    && cp .build/release/user-service .build/release/chat-service .build/release/ui-service /staging/ \
    && cp -R .build/release/MicroChat_UIService.resources /staging/

FROM ${RUNTIME_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libpq5 libhiredis0.14 zlib1g tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 microchat \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin microchat
WORKDIR /app
ENV HOST=0.0.0.0 LOG_LEVEL=info
USER 10001:10001
STOPSIGNAL SIGTERM

FROM runtime AS user-service
COPY --from=build --chown=root:root --chmod=0555 /staging/user-service /app/user-service
ENV PORT=8081
EXPOSE 8081
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/app/user-service"]

FROM runtime AS chat-service
COPY --from=build --chown=root:root --chmod=0555 /staging/chat-service /app/chat-service
ENV PORT=8082
EXPOSE 8082
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8082 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/app/chat-service"]

FROM runtime AS ui-service
COPY --from=build --chown=root:root --chmod=0555 /staging/ui-service /app/ui-service
# The web front travels in the SwiftPM resource bundle; UI_ASSETS_DIR names it explicitly.
COPY --from=build --chown=root:root /staging/MicroChat_UIService.resources /app/MicroChat_UIService.resources
ENV PORT=8080 UI_ASSETS_DIR=/app/MicroChat_UIService.resources/Public
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && grep -q ' 200 ' <&3"]
ENTRYPOINT ["/app/ui-service"]
