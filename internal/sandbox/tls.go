package sandbox

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"time"
)

// ServerCert is a TLS server certificate for the sandbox and the throwaway
// certificate authority that signed it. Clients trust the CA (CertPool, CAPEM),
// as they would trust a real API's public CA, rather than the server
// certificate itself: that is how SSL_CERT_FILE and every TLS stack expect a
// trust anchor to look.
type ServerCert struct {
	// Cert is the server certificate and its key, for tls.Config.Certificates.
	Cert tls.Certificate
	// CA is the certificate that signed Cert; its key was discarded once it
	// had, so no other certificate can ever chain to it.
	CA *x509.Certificate
}

// certValidity is how long a sandbox certificate is valid. A sandbox lives for
// one test run or one CI job; a month is far beyond that and still short.
const certValidity = 30 * 24 * time.Hour

// NewServerCert makes a fresh CA and a server certificate it signs for
// 127.0.0.1, ::1 and localhost, plus hosts (names or IP addresses, such as the
// host of the command's -base-url). Everything is generated in process, so no
// key is ever written anywhere.
func NewServerCert(hosts ...string) (ServerCert, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ServerCert{}, err
	}
	// Backdate a little: a client whose clock runs behind must not see a
	// certificate from the future.
	notBefore := time.Now().Add(-time.Hour)
	notAfter := notBefore.Add(certValidity)
	caSerial, err := randomSerial()
	if err != nil {
		return ServerCert{}, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: caSerial,
		// The serial in the name tells the CAs of two runs apart in a trust store.
		Subject:               pkix.Name{Organization: []string{"webhooks-sandbox"}, CommonName: "webhooks-sandbox CA " + caSerial.Text(16)[:8]},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return ServerCert{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return ServerCert{}, err
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return ServerCert{}, err
	}
	serial, err := randomSerial()
	if err != nil {
		return ServerCert{}, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{Organization: []string{"webhooks-sandbox"}, CommonName: "localhost"},
		NotBefore:    notBefore,
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			if !slices.ContainsFunc(tmpl.IPAddresses, ip.Equal) {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			}
		} else if h != "" && !slices.Contains(tmpl.DNSNames, h) {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return ServerCert{}, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return ServerCert{}, err
	}
	return ServerCert{
		Cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf},
		CA:   ca,
	}, nil
}

// randomSerial is a 128-bit positive serial number, as RFC 5280 asks (at most
// 20 octets, unpredictable).
func randomSerial() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("certificate serial: %w", err)
	}
	return n.Add(n, big.NewInt(1)), nil
}

// CAPEM is the CA certificate in PEM, the content of an SSL_CERT_FILE or of
// curl's --cacert.
func (c ServerCert) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.CA.Raw})
}

// CertPool is a pool holding only the CA, for tls.Config.RootCAs.
func (c ServerCert) CertPool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(c.CA)
	return pool
}

// TLSConfig is the server side of the sandbox's TLS: the certificate, TLS 1.2
// at least, and ALPN offering HTTP/2 first, then HTTP/1.1 for clients that do
// not speak it (production CDNs do the same).
func (c ServerCert) TLSConfig() *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{c.Cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
}
