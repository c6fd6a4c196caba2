output "control_plane_public_ip" {
  description = "Public address of the control-plane VM (SSH and the Kubernetes API, from admin_cidr only)."
  value       = local.control_plane.network_interface[0].access_config[0].nat_ip
}

output "control_plane_private_ip" {
  description = "Address the workers join the cluster at."
  value       = local.control_plane.network_interface[0].network_ip
}

output "worker_public_ips" {
  description = "Public addresses of the worker VMs, in order."
  value       = [for worker in local.workers : worker.network_interface[0].access_config[0].nat_ip]
}

output "ingress_ip" {
  description = "The static address Traefik answers on (worker 0)."
  value       = google_compute_address.ingress.address
}

output "public_host" {
  description = "The host name MicroChat is served at."
  value       = local.public_host
}

output "public_url" {
  description = "Open this in a browser once ArgoCD has synced everything."
  value       = "https://${local.public_host}"
}

output "backup_bucket" {
  description = "GCS bucket of PostgreSQL's backups."
  value       = google_storage_bucket.postgres_backups.name
}

output "external_secrets_key" {
  description = "Key of the service account External Secrets reads Secret Manager with (Ansible puts it into the cluster)."
  value       = google_service_account_key.external_secrets.private_key
  sensitive   = true
}
