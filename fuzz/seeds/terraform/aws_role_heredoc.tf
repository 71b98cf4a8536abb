# Adapted from https://github.com/thirdmadman/rsschool-devops-course-tasks/blob/HEAD/task_1/github-role/iam_role.tf
# (a public repository): the trust policy as heredoc JSON, its `sub`
# built from two variables.
# Expected: the `sub` value is unknown (KL-INPUT-002 at line 23) and nothing
# is said about it; the principal is partly unknown (KL-INPUT-002 at line
# 18); the audience is judged: `StringLike` without a wildcard (KL-IAM-002
# at line 24).
resource "aws_iam_role" "github_actions_role" {
  name = "GithubActionsRole"

  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "Federated": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"
      },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringLike": {
          "token.actions.githubusercontent.com:sub": "repo:${var.github_org}/${var.github_repo}:*",
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}
EOF
}
