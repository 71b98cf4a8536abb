# Adapted from https://github.com/Wirux/portfolio_infra/blob/HEAD/03_iam.tf
# (a public repository): a role whose trust policy, written with
# jsonencode, checks the audience but has its `sub` condition commented out.
# Expected: KL-AWS-001 (no `sub` condition) at the statement; the principal
# is an interpolation (KL-INPUT-002), which does not hide the finding.
resource "aws_iam_role" "github_oidc" {
  name = "${var.main.name}-gihub-oidc"

  assume_role_policy = jsonencode({
    "Version" : "2012-10-17",
    "Statement" : [
      {
        "Effect" : "Allow",
        "Principal" : {
          "Federated" : "arn:aws:iam::${var.oidc.aws_account_id}:oidc-provider/token.actions.githubusercontent.com"
        },
        "Action" : "sts:AssumeRoleWithWebIdentity",
        "Condition" : {
          "StringEquals" : {
            "token.actions.githubusercontent.com:aud" : "sts.amazonaws.com"
            # "token.actions.githubusercontent.com:sub" : "${var.oidc.github_user_content}"
          }
        }
      }
    ]
  })
}
