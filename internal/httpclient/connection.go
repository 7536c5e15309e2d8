package httpclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"
)

// connectionProblem explains a transport failure that no retry can fix, a configuration error:
// a TLS certificate that is not trusted, has expired or is not yet valid, or does not name the
// host, a host name that does not resolve, and a refused connection to this machine (nothing
// listens at that port, and nothing on the way could have refused it: no reason to wait). It
// returns "" for any other failure (a connection refused by or reset on the way to another
// host, a timeout), which may pass.
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
	case errors.Is(err, syscall.ECONNREFUSED) && isLoopback(base.Hostname()):
		return fmt.Sprintf("nothing listens at %s: the connection was refused, and as the base URL names this machine, "+
			"waiting cannot help. Check the port in the base URL; a local sandbox listens at a new port each time it "+
			"starts (its env file has the current one)", base.Host)
	}
	return ""
}

// isLoopback reports whether host (without a port) names this machine: localhost or a loopback
// address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
