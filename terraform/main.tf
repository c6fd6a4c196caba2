locals {
  node_tag          = "${var.name_prefix}-node"
  control_plane_tag = "${var.name_prefix}-control-plane"
  ingress_tag       = "${var.name_prefix}-ingress"
  public_host       = var.domain != "" ? var.domain : "microchat.${replace(google_compute_address.ingress.address, ".", "-")}.sslip.io"
  ssh_keys          = "${var.ansible_user}:${trimspace(file(pathexpand(var.ssh_public_key_file)))}"

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

resource "google_compute_instance" "control_plane" {
  #checkov:skip=CKV_GCP_40:Ansible and kubectl reach the node over its public address; the firewall admits only admin_cidr (SSH, 6443).
  #checkov:skip=CKV_GCP_38:Disks use Google-managed encryption; customer-supplied keys would have to be handed to every boot.
  name         = "${var.name_prefix}-control-plane"
  machine_type = var.control_plane_machine_type
  zone         = var.zone
  tags         = [local.node_tag, local.control_plane_tag]
  labels       = { app = "microchat", role = "control-plane" }

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
    access_config {}
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

resource "google_compute_instance" "workers" {
  #checkov:skip=CKV_GCP_40:Ansible reaches the workers over their public addresses (SSH from admin_cidr only); worker 0 serves HTTP(S) on the static ingress address.
  #checkov:skip=CKV_GCP_38:Disks use Google-managed encryption; customer-supplied keys would have to be handed to every boot.
  count        = var.worker_count
  name         = "${var.name_prefix}-worker-${count.index}"
  machine_type = var.worker_machine_type
  zone         = var.zone
  tags         = count.index == 0 ? [local.node_tag, local.ingress_tag] : [local.node_tag]
  labels       = { app = "microchat", role = "worker", ingress = count.index == 0 ? "true" : "false" }

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
    access_config {
      nat_ip = count.index == 0 ? google_compute_address.ingress.address : null
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
