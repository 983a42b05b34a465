# An identity pool with its IAM roles, policies and providers, as an admin keeps it in Terraform.
# tests/service/test_terraform.py applies it to the embedded service (the endpoints below) and checks that a
# second plan has no changes, that an in-place update stays in place, that import works and destroy cleans up.

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

variable "endpoint" { type = string }
variable "access_key" { type = string }
variable "secret_key" {
  type      = string
  sensitive = true
}
variable "saml_metadata" { type = string }
variable "suffix" { type = string }
# Changed by the test's in-place update: pool tags and basic flow, role descriptions, both policies.
variable "pool_description" {
  type    = string
  default = "first"
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = var.access_key
  secret_key                  = var.secret_key
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    cognitoidentity = var.endpoint
    iam             = var.endpoint
    sts             = var.endpoint
  }
}

resource "aws_iam_openid_connect_provider" "login" {
  url             = "https://login-${var.suffix}.example.com"
  client_id_list  = ["web-app"]
  thumbprint_list = ["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
  tags            = { team = "qa" }
}

resource "aws_iam_saml_provider" "corp" {
  name                   = "corp-${var.suffix}"
  saml_metadata_document = var.saml_metadata
  tags                   = { team = "qa" }
}

resource "aws_cognito_identity_pool" "pool" {
  identity_pool_name               = "terraform pool ${var.suffix}"
  allow_unauthenticated_identities = true
  allow_classic_flow               = var.pool_description == "first"
  developer_provider_name          = "login.terraform.${var.suffix}"

  cognito_identity_providers {
    client_id               = "6lhlkkfbfb4q5kpp90urffae"
    provider_name           = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu"
    server_side_token_check = false
  }

  supported_login_providers = {
    "graph.facebook.com"  = "7346241598935552"
    "accounts.google.com" = "123456789012-abc.apps.googleusercontent.com"
  }

  saml_provider_arns           = [aws_iam_saml_provider.corp.arn]
  openid_connect_provider_arns = [aws_iam_openid_connect_provider.login.arn]

  tags = {
    purpose = var.pool_description
  }
}

data "aws_iam_policy_document" "trust" {
  for_each = toset(["authenticated", "unauthenticated"])
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    principals {
      type        = "Federated"
      identifiers = ["cognito-identity.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "cognito-identity.amazonaws.com:aud"
      values   = [aws_cognito_identity_pool.pool.id]
    }
    condition {
      test     = "ForAnyValue:StringLike"
      variable = "cognito-identity.amazonaws.com:amr"
      values   = [each.key]
    }
  }
}

resource "aws_iam_role" "pool" {
  for_each             = data.aws_iam_policy_document.trust
  name                 = "tf-${each.key}-${var.suffix}"
  path                 = "/cognito/"
  description          = "${each.key} identities (${var.pool_description})"
  max_session_duration = 7200
  assume_role_policy   = each.value.json
  tags                 = { kind = each.key }
}

resource "aws_iam_role_policy" "private_folder" {
  name = "private-folder"
  role = aws_iam_role.pool["authenticated"].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "OwnFolder${title(var.pool_description)}"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject"]
      Resource = "arn:aws:s3:::photos/private/$${cognito-identity.amazonaws.com:sub}/*"
    }]
  })
}

resource "aws_iam_policy" "list_bucket" {
  name        = "list-bucket-${var.suffix}"
  path        = "/cognito/"
  description = "List the photos bucket"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ListOwnPrefix${title(var.pool_description)}"
      Effect    = "Allow"
      Action    = "s3:ListBucket"
      Resource  = "arn:aws:s3:::photos"
      Condition = { StringLike = { "s3:prefix" = ["private/$${cognito-identity.amazonaws.com:sub}/*"] } }
    }]
  })
  tags = { team = "qa" }
}

resource "aws_iam_role_policy_attachment" "list_bucket" {
  role       = aws_iam_role.pool["authenticated"].name
  policy_arn = aws_iam_policy.list_bucket.arn
}

resource "aws_iam_role_policy_attachment" "cognito_read_only" {
  role       = aws_iam_role.pool["authenticated"].name
  policy_arn = "arn:aws:iam::aws:policy/AmazonCognitoReadOnly"
}

resource "aws_cognito_identity_pool_roles_attachment" "roles" {
  identity_pool_id = aws_cognito_identity_pool.pool.id

  roles = {
    authenticated   = aws_iam_role.pool["authenticated"].arn
    unauthenticated = aws_iam_role.pool["unauthenticated"].arn
  }

  role_mapping {
    identity_provider         = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Zr231apJu:6lhlkkfbfb4q5kpp90urffae"
    ambiguous_role_resolution = "AuthenticatedRole"
    type                      = "Token"
  }

  role_mapping {
    identity_provider         = "login-${var.suffix}.example.com"
    ambiguous_role_resolution = "Deny"
    type                      = "Rules"

    mapping_rule {
      claim      = "groups"
      match_type = "Contains"
      role_arn   = aws_iam_role.pool["authenticated"].arn
      value      = "admins"
    }
    mapping_rule {
      claim      = "email_verified"
      match_type = "Equals"
      role_arn   = aws_iam_role.pool["unauthenticated"].arn
      value      = "false"
    }
  }
}

resource "aws_cognito_identity_pool_provider_principal_tag" "google" {
  identity_pool_id       = aws_cognito_identity_pool.pool.id
  identity_provider_name = "accounts.google.com"
  use_defaults           = false
  principal_tags = {
    user  = "sub"
    email = "email"
  }
}

output "pool_id" { value = aws_cognito_identity_pool.pool.id }
