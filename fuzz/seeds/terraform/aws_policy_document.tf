# Adapted from https://github.com/erioluwa66/BusyToddlerMumInfraMgt/blob/HEAD/data.tf
# (a public repository): a trust policy written with
# data "aws_iam_policy_document". Its only condition misspells GitHub's
# provider (`githubuser.content.com`), so it restricts nothing GitHub sends,
# and there is no `sub` condition.
# Expected: the principal is a reference (KL-INPUT-002 at line 15). With no
# condition on a GitHub provider's keys, nothing says the principal is
# GitHub's provider, so nothing is judged about GitHub (docs/terraform.md);
# written out, the principal would decide.
data "aws_iam_policy_document" "oidc" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github_oidc.arn]
    }
    condition {
      test     = "StringEquals"
      values   = ["sts.amazonaws.com"]
      variable = "token.actions.githubuser.content.com:aud"
    }
  }
}

resource "aws_iam_role" "oidc" {
  name               = "github-oidc"
  assume_role_policy = data.aws_iam_policy_document.oidc.json
}
