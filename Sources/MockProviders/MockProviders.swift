// Module MockProviders: see docs/providers.md.
