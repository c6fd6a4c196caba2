# Ansible's inventory and the cluster settings ArgoCD's manifests read, both
# written from this configuration's outputs. The inventory stays local
# (ignored by git); cluster.env is committed and pushed (`just provision` says so).
resource "local_file" "ansible_inventory" {
  filename        = "${path.module}/../ansible/inventories/gcp/hosts.yml"
  file_permission = "0644"
  content = templatefile("${path.module}/templates/hosts.yml.tftpl", {
    ansible_user       = var.ansible_user
    ssh_key_file       = trimsuffix(pathexpand(var.ssh_public_key_file), ".pub")
    control_plane_name = local.control_plane.name
    control_plane_ip   = local.control_plane.network_interface[0].access_config[0].nat_ip
    control_plane_priv = local.control_plane.network_interface[0].network_ip
    workers = [for index, worker in local.workers : {
      name       = worker.name
      ip         = worker.network_interface[0].access_config[0].nat_ip
      private_ip = worker.network_interface[0].network_ip
      ingress    = index == 0
    }]
    pod_cidr    = var.pod_cidr
    public_host = local.public_host
  })
}

resource "local_file" "cluster_settings" {
  filename        = "${path.module}/../k8s-manifests/settings/cluster.env"
  file_permission = "0644"
  content         = <<-EOT
    PUBLIC_HOST=${local.public_host}
    CERT_RESOLVER=${local.cert_resolver}
    INGRESS_IP=${google_compute_address.ingress_internal.address}
    BACKUP_BUCKET=${google_storage_bucket.postgres_backups.name}
    FILES_BUCKET=${google_storage_bucket.files.name}
    GCP_PROJECT=${var.project_id}
    REPO_URL=${var.repo_url}
    REPO_REVISION=${var.repo_revision}
  EOT
}
