variable "project_id" {
  description = "The GCP project to build in (the one `just setup_project <project>` prepared)."
  type        = string
}

variable "credentials_file" {
  description = "Key file of the Terraform service account; `just setup_project` writes it here (ignored by git)."
  type        = string
  default     = "account.json"
}

variable "region" {
  description = "GCP region for the network, the VMs and the backup bucket."
  type        = string
  default     = "europe-west1"
}

variable "zone" {
  description = "GCP zone for the VMs."
  type        = string
  default     = "europe-west1-b"
}

variable "name_prefix" {
  description = "Prefix of every resource's name."
  type        = string
  default     = "microchat"
}

variable "control_plane_machine_type" {
  description = "Machine type of the kubeadm control-plane VM."
  type        = string
  default     = "e2-standard-2"
}

variable "worker_machine_type" {
  description = "Machine type of the worker VMs."
  type        = string
  default     = "e2-standard-4"
}

variable "worker_count" {
  description = "How many worker VMs (3 lets PostgreSQL keep one instance per node)."
  type        = number
  default     = 3

  validation {
    condition     = var.worker_count >= 1 && var.worker_count <= 20
    error_message = "worker_count must be between 1 and 20."
  }
}

variable "disk_size_gb" {
  description = "Boot disk size of every VM, in GB (node-local volumes live on it)."
  type        = number
  default     = 50
}

variable "image" {
  description = "Boot image: a minimal Debian 12."
  type        = string
  default     = "debian-cloud/debian-12"
}

variable "admin_cidr" {
  description = "The only addresses allowed to reach SSH and the Kubernetes API (your public IP as a /32)."
  type        = string

  validation {
    condition     = can(cidrhost(var.admin_cidr, 0)) && var.admin_cidr != "0.0.0.0/0"
    error_message = "admin_cidr must be a CIDR and must not be 0.0.0.0/0."
  }
}

variable "subnet_cidr" {
  description = "Address range of the nodes' subnet."
  type        = string
  default     = "10.10.0.0/24"
}

variable "pod_cidr" {
  description = "Pod network range (kubeadm --pod-network-cidr, the CNI's pool); routed inside the VPC only."
  type        = string
  default     = "192.168.0.0/16"
}

variable "ansible_user" {
  description = "The login Ansible uses on the VMs."
  type        = string
  default     = "ansible"
}

variable "ssh_public_key_file" {
  description = "Public half of the SSH key Ansible logs in with (`just setup_project` makes ~/.ssh/microchat_ansible)."
  type        = string
  default     = "~/.ssh/microchat_ansible.pub"
}

variable "domain" {
  description = "A host name you own, with a DNS A record for the ingress address: MicroChat gets a trusted Let's Encrypt certificate for it. Empty means microchat.<ingress-ip>.sslip.io, which needs no DNS but gets a certificate from Let's Encrypt's staging CA, which browsers do not trust."
  type        = string
  default     = ""

  # Every user of a shared wildcard DNS service spends one Let's Encrypt limit
  # (50 certificates a week for the whole of sslip.io): leave domain empty for those.
  validation {
    condition     = !can(regex("(^|\\.)(sslip\\.io|nip\\.io|xip\\.io)$", lower(var.domain)))
    error_message = "domain must be a name you own: sslip.io and nip.io share one Let's Encrypt rate limit among all their users (leave domain empty for the sslip.io default with a staging certificate)."
  }
}

variable "repo_url" {
  description = "The Git repository ArgoCD follows (`just provision` passes `git remote get-url origin`, as https)."
  type        = string
}

variable "repo_revision" {
  description = "The branch ArgoCD follows."
  type        = string
  default     = "main"
}

variable "registry_server" {
  description = "Container registry the images are pulled from (GitLab's by default)."
  type        = string
  default     = "registry.gitlab.com"
}

variable "registry_username" {
  description = "User name of a read-only registry credential (a GitLab deploy token with read_registry); empty for a public registry."
  type        = string
  default     = ""
}

variable "registry_password" {
  description = "The registry credential's secret (TF_VAR_registry_password); empty for a public registry. Kept in Secret Manager, never in Git."
  type        = string
  default     = ""
  sensitive   = true
}
