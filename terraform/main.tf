locals {
  node_tag          = "${var.name_prefix}-node"
  control_plane_tag = "${var.name_prefix}-control-plane"
  ingress_tag       = "${var.name_prefix}-ingress"
  public_host       = var.domain != "" ? var.domain : "microchat.${replace(google_compute_address.ingress.address, ".", "-")}.sslip.io"
  ssh_keys          = "${var.ansible_user}:${trimspace(file(pathexpand(var.ssh_public_key_file)))}"

  # Traefik's certificate resolver (values.yaml): Let's Encrypt for a domain one
  # owns; for the shared sslip.io default, Let's Encrypt's staging CA, whose
  # limits a new operator does not run into (browsers warn about its certificate).
  cert_resolver = var.domain != "" ? "letsencrypt" : "letsencrypt-staging"

  # Only the Ansible user's key is accepted; OS Login and project-wide keys are off.
  node_metadata = {
    ssh-keys               = local.ssh_keys
    block-project-ssh-keys = "true"
    enable-oslogin         = "FALSE"
    serial-port-enable     = "FALSE"
  }
}

# The VMs run as a service account that may only write logs and metrics.
resource "google_service_account" "nodes" {
  account_id   = "${var.name_prefix}-nodes"
  display_name = "MicroChat Kubernetes nodes"
}

resource "google_project_iam_member" "nodes_logging" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_project_iam_member" "nodes_monitoring" {
  project = var.project_id
  role    = "roles/monitoring.metricWriter"
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

# One control-plane VM and `worker_count` workers, alike but for their machine
# type, tags and (worker 0) the static ingress address.
locals {
  nodes = merge(
    {
      "control-plane" = {
        machine_type = var.control_plane_machine_type
        tags         = [local.node_tag, local.control_plane_tag]
        role         = "control-plane"
        ingress      = false
      }
    },
    {
      for index in range(var.worker_count) : "worker-${index}" => {
        machine_type = var.worker_machine_type
        tags         = index == 0 ? [local.node_tag, local.ingress_tag] : [local.node_tag]
        role         = "worker"
        ingress      = index == 0
      }
    },
  )
  control_plane = google_compute_instance.nodes["control-plane"]
  workers       = [for index in range(var.worker_count) : google_compute_instance.nodes["worker-${index}"]]
}

resource "google_compute_instance" "nodes" {
  #checkov:skip=CKV_GCP_40:Ansible and kubectl reach the nodes over their public addresses (SSH and 6443 from admin_cidr only); worker 0 serves HTTP(S) on the static ingress address.
  #checkov:skip=CKV_GCP_38:Disks use Google-managed encryption; customer-supplied keys would have to be handed to every boot.
  for_each     = local.nodes
  name         = "${var.name_prefix}-${each.key}"
  machine_type = each.value.machine_type
  zone         = var.zone
  tags         = each.value.tags
  labels       = { app = "microchat", role = each.value.role, ingress = tostring(each.value.ingress) }

  # Pods' traffic leaves the node with pod addresses (Calico), so the VM must forward.
  can_ip_forward = true #checkov:skip=CKV_GCP_36:Kubernetes nodes route pod traffic.

  boot_disk {
    initialize_params {
      image = var.image
      size  = var.disk_size_gb
      type  = "pd-balanced"
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.nodes.id
    network_ip = each.value.ingress ? google_compute_address.ingress_internal.address : null
    access_config {
      nat_ip = each.value.ingress ? google_compute_address.ingress.address : null
    }
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  service_account {
    email  = google_service_account.nodes.email
    scopes = ["https://www.googleapis.com/auth/logging.write", "https://www.googleapis.com/auth/monitoring.write"]
  }

  metadata = local.node_metadata

  lifecycle {
    ignore_changes = [boot_disk[0].initialize_params[0].image]
  }
}
