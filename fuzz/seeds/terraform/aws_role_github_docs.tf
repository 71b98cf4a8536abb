# The trust policy of GitHub's guide "Configuring OpenID Connect in Amazon
# Web Services", written as Terraform with jsonencode:
# https://docs.github.com/en/actions/how-tos/secure-your-work/security-harden-deployments/oidc-in-aws
# (the guide's `StringLike` on `repo:octo-org/octo-repo:*`).
# Expected: KL-SUB-005 (every branch, tag, pull request and environment of
# the repository) at the `sub` value, line 19; the provider ARN is a
# reference (KL-INPUT-002 at line 14).
resource "aws_iam_role" "deploy" {
  name = "github-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
        StringLike = {
          "token.actions.githubusercontent.com:sub" = "repo:octo-org/octo-repo:*"
        }
      }
    }]
  })
}
