// Module DeepstreamProtocol.
