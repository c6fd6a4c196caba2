# TLS for Redis inside the cluster: a private CA and a server certificate for
# the redis Service's names, kept in Secret Manager. External Secrets hands
# the key pair to Redis (platform namespace) and the CA to chat-service and
# user-service, which verify the server against it (rediss://…?sslrootcert=).
#
# Renewal: the server certificate lasts a year. Any plan made within
# early_renewal_hours of its end replaces it; the pipeline's scheduled job
# renew:redis-certificate plans weekly (a targeted apply of the Secret Manager
# versions below). External Secrets copies the new version into the redis-tls
# Secret (refreshInterval), the kubelet updates the pod's volume, and the
# tls-reload container has Redis load the files again (CONFIG SET tls-*).
# Clients trust the CA, which stays: they notice nothing.

resource "tls_private_key" "redis_ca" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_self_signed_cert" "redis_ca" {
  private_key_pem       = tls_private_key.redis_ca.private_key_pem
  is_ca_certificate     = true
  validity_period_hours = 24 * 365 * 5
  allowed_uses          = ["cert_signing", "crl_signing"]

  subject {
    common_name  = "MicroChat Redis CA"
    organization = "MicroChat"
  }
}

resource "tls_private_key" "redis" {
  algorithm   = "ECDSA"
  ecdsa_curve = "P256"
}

resource "tls_cert_request" "redis" {
  private_key_pem = tls_private_key.redis.private_key_pem
  dns_names       = ["redis", "redis.platform", "redis.platform.svc", "redis.platform.svc.cluster.local"]

  subject {
    common_name = "redis.platform.svc.cluster.local"
  }
}

resource "tls_locally_signed_cert" "redis" {
  cert_request_pem      = tls_cert_request.redis.cert_request_pem
  ca_private_key_pem    = tls_private_key.redis_ca.private_key_pem
  ca_cert_pem           = tls_self_signed_cert.redis_ca.cert_pem
  validity_period_hours = 24 * 365
  early_renewal_hours   = 24 * 30
  allowed_uses          = ["digital_signature", "key_encipherment", "server_auth"]
}

locals {
  redis_tls = {
    "redis-tls-ca"   = tls_self_signed_cert.redis_ca.cert_pem
    "redis-tls-cert" = tls_locally_signed_cert.redis.cert_pem
    "redis-tls-key"  = tls_private_key.redis.private_key_pem
  }
}

resource "google_secret_manager_secret" "redis_tls" {
  #checkov:skip=CKV2_GCP_5:Secret Manager's Google-managed encryption is used; a CMEK key ring is not part of this small setup.
  for_each  = local.redis_tls
  secret_id = "${var.name_prefix}-${each.key}"
  labels    = { app = "microchat" }

  replication {
    auto {}
  }

  depends_on = [google_project_service.secretmanager]
}

resource "google_secret_manager_secret_version" "redis_tls" {
  for_each    = local.redis_tls
  secret      = google_secret_manager_secret.redis_tls[each.key].id
  secret_data = each.value

  # A renewal adds the new version before the old one is destroyed, so
  # External Secrets never finds the secret without an enabled version.
  lifecycle {
    create_before_destroy = true
  }
}
