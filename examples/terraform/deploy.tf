# The deploy role of GitHub's guide "Configuring OpenID Connect in Amazon
# Web Services"
# (https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws),
# written as Terraform (https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/iam_role),
# pinned to pushes to main, the organisation taken from a variable.
# `examples/terraform/deploy-check.yaml` references it.

variable "github_org" {
  type = string
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "deploy" {
  name = "gha-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:${var.github_org}/my-repo:ref:refs/heads/main"
        }
      }
    }]
  })
}
