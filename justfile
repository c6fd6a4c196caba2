# MicroChat operator verbs. `just --list` shows them all.

# Start the whole suite on this machine (PostgreSQL with TLS, Redis, every service)
up *ARGS:
    ./microchat up {{ARGS}}

# Stop everything `just up` started
down:
    ./microchat down

# Show what is running and whether it is ready
status:
    ./microchat status

# Show service logs (add -f to follow, or a service name)
logs *ARGS:
    ./microchat logs {{ARGS}}

# Build once, start a throwaway stack, run every test suite
test *ARGS:
    ./microchat test {{ARGS}}

# Run the chat benchmark against a throwaway stack (throughput, latency, memory per connection)
bench *ARGS:
    ./microchat bench {{ARGS}}
