# MicroChat operator verbs. `just --list` shows them all.
# Local: up, down, status, logs, test, lint, bench.
# Cloud (in this order): login, setup_project, provision, images, configure; then argocd-pw, argocd, grafana.

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

# Build once, start a throwaway stack, run every test suite (also the cluster-side checks)
test *ARGS:
    ./microchat test {{ARGS}}

# Check the cluster side offline: manifests, Dockerfile, Terraform, Ansible, the pipeline
lint *ARGS:
    ./microchat lint {{ARGS}}

# Run the chat benchmark against a throwaway stack (throughput, latency, memory per connection)
bench *ARGS:
    ./microchat bench {{ARGS}}

# Log in to Google Cloud (gcloud auth login and application-default credentials)
login:
    scripts/cloud login

# Prepare a GCP project: APIs, Terraform's service account and key, state bucket, SSH key, terraform.tfvars
setup_project project_name:
    scripts/cloud setup_project {{project_name}}

# Create the VMs, network, firewall, secrets and backup bucket with Terraform; writes the inventory and cluster.env
provision:
    scripts/cloud provision

# Build the three images (docker, podman or buildah), push them, and point k8s-manifests/app at them
images:
    scripts/cloud images

# Turn the VMs into a kubeadm cluster with Ansible and hand it to ArgoCD
configure:
    scripts/cloud configure

# Print ArgoCD's initial admin password
argocd-pw:
    scripts/cloud argocd-pw

# Open ArgoCD's UI on https://localhost:8443 (port-forward)
argocd:
    scripts/cloud argocd

# Open Grafana on http://localhost:3000 (port-forward) and print its admin password
grafana:
    scripts/cloud grafana
