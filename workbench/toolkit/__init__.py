"""QA and integrator tools built on the SSO core: the bad-token battery (more to come)."""
