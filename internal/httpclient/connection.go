package httpclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
)

// connectionProblem explains a transport failure that no retry can fix, a configuration error:
// a TLS certificate that is not trusted, has expired or is not yet valid, or does not name the
// host, and a host name that does not resolve. It returns "" for any other failure (a refused or
// reset connection, a timeout), which may pass.
func connectionProblem(base *url.URL, err error) string {
	origin := base.Scheme + "://" + base.Host
	var unknownCA x509.UnknownAuthorityError
	var unknownCAPtr *x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var hostErrPtr *x509.HostnameError
	var invalid x509.CertificateInvalidError
	var invalidPtr *x509.CertificateInvalidError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &unknownCA), errors.As(err, &unknownCAPtr):
		return fmt.Sprintf("the certificate of %s is not trusted (%s). If a proxy intercepts TLS, add its CA "+
			"certificate to this machine's trust store, or name it with SSL_CERT_FILE (a file of PEM certificates) "+
			"or SSL_CERT_DIR (a directory of them)", origin, innermost(err))
	case errors.As(err, &hostErr), errors.As(err, &hostErrPtr):
		return fmt.Sprintf("the certificate of %s is not valid for the host %s (%s). Check the host name in the base URL",
			origin, base.Hostname(), innermost(err))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired, errors.As(err, &invalidPtr) && invalidPtr.Reason == x509.Expired:
		return fmt.Sprintf("the certificate of %s has expired or is not valid yet (%s). Check the server's "+
			"certificate, and this machine's clock", origin, innermost(err))
	case errors.As(err, &invalid), errors.As(err, &invalidPtr):
		return fmt.Sprintf("the certificate of %s is not valid (%s). Check the server's certificate", origin, innermost(err))
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return fmt.Sprintf("the host name %s does not resolve (%s). Check the host name in the base URL, and this "+
			"machine's DNS", base.Hostname(), innermost(err))
	}
	return ""
}

// innermost is the message of the deepest error in err's chain, without the layers of
// "Get \"https://...\": tls: failed to verify certificate:" that wrap it.
func innermost(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err.Error()
		}
		err = next
	}
}
