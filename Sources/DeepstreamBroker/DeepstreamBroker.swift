// Module DeepstreamBroker: see docs/architecture.md.
