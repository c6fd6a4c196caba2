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

# What barman-cloud (CloudNativePG's WAL archiving, base backups, retention
# and restores) calls, on this bucket only: it reads the bucket's metadata
# first (storage.buckets.get; a 403 there stops every archive), then lists,
# writes, reads and deletes objects. Legacy Bucket Writer gives buckets.get
# and objects list/create/delete, Object Viewer gives objects.get (restores,
# standbys fetching WAL); neither may change the bucket, its IAM policy or an
# object's metadata. Object Admin alone lacks buckets.get; a custom role would
# need Terraform's account to administer roles (iam.roles.create), which it
# is not given. Tests/deploy/test_cloud_permissions.py checks the calls
# (Tests/deploy/data/cloud_permissions.yaml) against these roles.
resource "google_storage_bucket_iam_member" "postgres_backups_writer" {
  bucket = google_storage_bucket.postgres_backups.name
  role   = "roles/storage.legacyBucketWriter"
  member = "serviceAccount:${google_service_account.postgres_backups.email}"
}

resource "google_storage_bucket_iam_member" "postgres_backups_reader" {
  bucket = google_storage_bucket.postgres_backups.name
  role   = "roles/storage.objectViewer"
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
