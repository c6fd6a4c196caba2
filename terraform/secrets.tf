# Every password the cluster needs is made here and kept in Secret Manager;
# External Secrets hands them to the cluster. None is ever in the repository.
locals {
  generated_secrets = toset([
    "user-service-db-password",
    "chat-service-db-password",
    "keycloak-db-password",
    "keycloak-admin-password",
    "grafana-admin-password",
    "redis-password",
  ])
}

resource "google_project_service" "secretmanager" {
  service            = "secretmanager.googleapis.com"
  disable_on_destroy = false
}

resource "random_password" "generated" {
  for_each = local.generated_secrets
  length   = 32
  special  = false
}

resource "google_secret_manager_secret" "generated" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  for_each  = local.generated_secrets
  secret_id = "${var.name_prefix}-${each.key}"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "generated" {
  for_each    = local.generated_secrets
  secret      = google_secret_manager_secret.generated[each.key].id
  secret_data = random_password.generated[each.key].result
}

# External Secrets reads Secret Manager as this account (and nothing else).
resource "google_service_account" "external_secrets" {
  account_id   = "${var.name_prefix}-external-secrets"
  display_name = "MicroChat External Secrets (reads Secret Manager)"
}

resource "google_project_iam_member" "external_secrets_accessor" {
  project = var.project_id
  role    = "roles/secretmanager.secretAccessor"
  member  = "serviceAccount:${google_service_account.external_secrets.email}"
}

resource "google_service_account_key" "external_secrets" {
  service_account_id = google_service_account.external_secrets.name
}
