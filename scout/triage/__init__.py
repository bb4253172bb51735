"""The CI triage bot: answer new issues and failed runs with the code they point at (`scout triage`)."""
