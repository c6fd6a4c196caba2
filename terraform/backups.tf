# PostgreSQL's base backups and WAL (CloudNativePG's barmanObjectStore).
resource "google_storage_bucket" "postgres_backups" {
  #checkov:skip=CKV_GCP_62:Access logging of the backup bucket would need a second bucket; Cloud Audit Logs already record admin access.
  name                        = "${var.project_id}-${var.name_prefix}-pg-backups"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = 45
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_service_account" "postgres_backups" {
  account_id   = "${var.name_prefix}-pg-backups"
  display_name = "MicroChat PostgreSQL backups"
}

resource "google_storage_bucket_iam_member" "postgres_backups" {
  bucket = google_storage_bucket.postgres_backups.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.postgres_backups.email}"
}

resource "google_service_account_key" "postgres_backups" {
  service_account_id = google_service_account.postgres_backups.name
}

resource "google_secret_manager_secret" "postgres_backup_key" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  secret_id = "${var.name_prefix}-postgres-backup-key"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "postgres_backup_key" {
  secret      = google_secret_manager_secret.postgres_backup_key.id
  secret_data = base64decode(google_service_account_key.postgres_backups.private_key)
}
