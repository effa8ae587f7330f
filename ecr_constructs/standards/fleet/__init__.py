"""The fleet: every repository of an organisation built into as many stacks as it takes
(``fleet``), placed stably by the shard map (``placement``, pure Python), with each
template's size estimated as CDK writes it (``template_size``) and the registry file's
registry-wide settings as constructs (``registry_settings``)."""
