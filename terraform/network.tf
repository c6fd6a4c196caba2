resource "google_compute_network" "main" {
  name                    = "${var.name_prefix}-network"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "nodes" {
  #checkov:skip=CKV_GCP_76:The subnet is IPv4-only (no stack_type IPV4_IPV6), and private Google access is on for IPv4.
  name                     = "${var.name_prefix}-nodes"
  network                  = google_compute_network.main.id
  region                   = var.region
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Node to node: the Kubernetes control plane, kubelets, the CNI (Calico BGP
# and IP-in-IP) and pod traffic, inside the VPC only.
resource "google_compute_firewall" "internal" {
  name      = "${var.name_prefix}-internal"
  network   = google_compute_network.main.name
  direction = "INGRESS"
  priority  = 1000

  source_ranges = [var.subnet_cidr, var.pod_cidr]
  target_tags   = [local.node_tag]

  allow {
    protocol = "tcp"
  }
  allow {
    protocol = "udp"
  }
  allow {
    protocol = "icmp"
  }
  allow {
    protocol = "4" # IP-in-IP (Calico)
  }
}

resource "google_compute_firewall" "ssh" {
  name          = "${var.name_prefix}-ssh"
  network       = google_compute_network.main.name
  direction     = "INGRESS"
  priority      = 1000
  source_ranges = [var.admin_cidr]
  target_tags   = [local.node_tag]

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
}

resource "google_compute_firewall" "kubernetes_api" {
  name          = "${var.name_prefix}-kubernetes-api"
  network       = google_compute_network.main.name
  direction     = "INGRESS"
  priority      = 1000
  source_ranges = [var.admin_cidr]
  target_tags   = [local.control_plane_tag]

  allow {
    protocol = "tcp"
    ports    = ["6443"]
  }
}

# HTTP (for Let's Encrypt and the redirect) and HTTPS to the ingress node only.
resource "google_compute_firewall" "web" {
  #checkov:skip=CKV_GCP_106:HTTP must be open to everyone: it is the public chat page's redirect to HTTPS and Let's Encrypt's HTTP-01 challenge.
  name          = "${var.name_prefix}-web"
  network       = google_compute_network.main.name
  direction     = "INGRESS"
  priority      = 1000
  source_ranges = ["0.0.0.0/0"]
  target_tags   = [local.ingress_tag]

  allow {
    protocol = "tcp"
    ports    = ["80", "443"]
  }
}

# The public address of the ingress node (Traefik binds its ports 80/443).
resource "google_compute_address" "ingress" {
  name         = "${var.name_prefix}-ingress"
  region       = var.region
  address_type = "EXTERNAL"
}

# The ingress worker's private address, reserved: Traefik's Service names it
# as its external IP (cluster.env's INGRESS_IP), so it must not move.
resource "google_compute_address" "ingress_internal" {
  name         = "${var.name_prefix}-ingress-internal"
  region       = var.region
  subnetwork   = google_compute_subnetwork.nodes.id
  address_type = "INTERNAL"
}
