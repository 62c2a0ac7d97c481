"""Local servers that answer as GitHub, GitLab, Bitbucket, Forgejo, PyPI and GitHub's OAuth do."""
