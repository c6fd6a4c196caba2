# Files people share and their profile pictures: one private bucket that
# chat-service and user-service reach through the S3-compatible XML API with an
# HMAC key of their own service account (STORAGE_BACKEND=s3). Unused uploads
# are removed by the services after a day; the bucket itself drops multipart
# uploads left unfinished and the old versions deletions leave behind.
resource "google_storage_bucket" "files" {
  #checkov:skip=CKV_GCP_62:Access logging of the files bucket would need a second bucket; Cloud Audit Logs already record admin access.
  name                        = "${var.project_id}-${var.name_prefix}-files"
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  versioning {
    enabled = true
  }

  # An upload whose parts never completed (a service killed mid-upload).
  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  # What a deletion (a deleted message, an orphan swept) leaves as a noncurrent version.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
      with_state                 = "ARCHIVED"
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_service_account" "files" {
  account_id   = "${var.name_prefix}-files"
  display_name = "MicroChat files (chat-service attachments, user-service pictures)"
}

resource "google_storage_bucket_iam_member" "files" {
  bucket = google_storage_bucket.files.name
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.files.email}"
}

# The services sign their requests with this key (AWS Signature V4 against storage.googleapis.com).
resource "google_storage_hmac_key" "files" {
  service_account_email = google_service_account.files.email
}

resource "google_secret_manager_secret" "files_access_key_id" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  secret_id = "${var.name_prefix}-files-access-key-id"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "files_access_key_id" {
  secret      = google_secret_manager_secret.files_access_key_id.id
  secret_data = google_storage_hmac_key.files.access_id
}

resource "google_secret_manager_secret" "files_secret_access_key" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  secret_id = "${var.name_prefix}-files-secret-access-key"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "files_secret_access_key" {
  secret      = google_secret_manager_secret.files_secret_access_key.id
  secret_data = google_storage_hmac_key.files.secret
}
