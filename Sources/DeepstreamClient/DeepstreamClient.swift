// Module DeepstreamClient: see docs/architecture.md.
