# The cluster's credential for pulling MicroChat's images from a private
# registry, as a Docker config.json kept in Secret Manager. External Secrets
# turns it into the kubernetes.io/dockerconfigjson Secret `registry-pull` the
# services' ServiceAccounts name. With no credential (a public registry) the
# config holds no entries and pulls are anonymous.
locals {
  registry_auths = var.registry_username == "" ? {} : {
    (var.registry_server) = {
      username = var.registry_username
      password = var.registry_password
      auth     = base64encode("${var.registry_username}:${var.registry_password}")
    }
  }
}

resource "google_secret_manager_secret" "registry_pull" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  secret_id = "${var.name_prefix}-registry-dockerconfig"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "registry_pull" {
  secret      = google_secret_manager_secret.registry_pull.id
  secret_data = jsonencode({ auths = local.registry_auths })
}
