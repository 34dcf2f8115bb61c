import NIOSSL

/// A self-signed P-256 certificate for localhost / 127.0.0.1, valid until 2126, shared by the tests
/// that need a TLS server (the client engine's wss tests, the proxy's wss upstream).
package enum TestCertificate {
    /// The certificate (PEM).
    package static let certificate = """
        -----BEGIN CERTIFICATE-----
        MIIBmjCCAUGgAwIBAgIUTekU71IvSBRdlYY+xTbRzewy3iUwCgYIKoZIzj0EAwIw
        FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE3MDU1OFoYDzIxMjYxMTAx
        MTcwNTU4WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
        PQMBBwNCAAScjsD6umurtfz8k70KrxtddTbKzkAcMmPmq5fRt48XHr9B9X4sERtB
        WtnC2Vm30ELaZGp7yyZuXXTEYhxSCFVZo28wbTAdBgNVHQ4EFgQUtfiz1DBnzehn
        PwtBRvJSyzAXkQ4wHwYDVR0jBBgwFoAUtfiz1DBnzehnPwtBRvJSyzAXkQ4wDwYD
        VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
        zj0EAwIDRwAwRAIgR2hgsSN+Ynfg82ZGK/EGZ8U9Tq8fbU1505bfv0unIH8CIHf5
        76WjzVBi8yXvKKjFvJKDRBXe/BFi86VY9TDs6F4U
        -----END CERTIFICATE-----
        """
    /// Its private key (PEM).
    package static let key = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjHnYYoxDhenqbwKY
        353ktgOWsPpfQgjR/IQDhmowa/GhRANCAAScjsD6umurtfz8k70KrxtddTbKzkAc
        MmPmq5fRt48XHr9B9X4sERtBWtnC2Vm30ELaZGp7yyZuXXTEYhxSCFVZ
        -----END PRIVATE KEY-----
        """

    /// A server context presenting the certificate.
    package static func serverContext() throws -> NIOSSLContext {
        try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.utf8), format: .pem))))
    }

    /// A client configuration that trusts the certificate (besides nothing else).
    package static func clientConfiguration() throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(certificate.utf8), format: .pem)])
        return tls
    }
}
