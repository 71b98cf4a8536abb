# Adapted from https://github.com/alibabacloud-automation/landing-with-terraform/blob/HEAD/quickstarts/RAM/101-ram-role-policy-attachment-complete/main.tf
# (Alibaba Cloud's public Terraform quickstarts): a RAM role trusting two
# cloud services, as a tab-indented heredoc (`document`, the older argument).
# Expected: read as an Alibaba Cloud policy; it trusts no OIDC provider, so
# no finding.
resource "alicloud_ram_role" "default" {
  name        = var.name
  document    = <<EOF
		{
		  "Statement": [
			{
			  "Action": "sts:AssumeRole",
			  "Effect": "Allow",
			  "Principal": {
				"Service": [
				  "apigateway.aliyuncs.com",
				  "ecs.aliyuncs.com"
				]
			  }
			}
		  ],
		  "Version": "1"
		}
	  EOF
  description = "this is a test"
  force       = true
}
