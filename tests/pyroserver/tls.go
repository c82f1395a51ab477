package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// TLS for the test server (-tls-dir DIR): a test CA made on first use and
// the certificates the suites hand to pgo-go (ca_file, client_cert,
// client_key), as PEM files in DIR:
//
//	ca.pem                        the CA that signed the server's certificate and client.pem
//	server.pem, server-key.pem    the server's, for 127.0.0.1, ::1 and localhost
//	client.pem, client-key.pem    a client certificate the CA signed
//	client-bundle.pem             the same certificate and its key in one file
//	other-ca.pem                  a CA that signed nothing the server shows
//	stranger.pem, stranger-key.pem  a client certificate other-ca signed
//
// With -client-cert-required the server turns away a client without a
// certificate its CA signed, the way a mutual-TLS Pyroscope, or the proxy
// in front of one, does. Go's server speaks TLS 1.3 first: the client's
// certificate is checked after the client's side of the handshake is done,
// and a client without one learns it on its first read or write.

var tlsFiles = []string{
	"ca.pem", "server.pem", "server-key.pem", "client.pem", "client-key.pem",
	"client-bundle.pem", "other-ca.pem", "stranger.pem", "stranger-key.pem",
}

// tlsConfig loads the server's certificate from dir, making every file
// first when dir has none (a test CA lives for one suite run).
func tlsConfig(dir string, requireClient bool) (*tls.Config, error) {
	if _, err := os.Stat(filepath.Join(dir, "ca.pem")); errors.Is(err, os.ErrNotExist) {
		if err := makeTestPKI(dir); err != nil {
			return nil, fmt.Errorf("making the test CA in %s: %w", dir, err)
		}
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, "server.pem"), filepath.Join(dir, "server-key.pem"))
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	if requireClient {
		caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("%s/ca.pem holds no certificate", dir)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// issuer is a CA that can sign.
type issuer struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

func newCert(tmpl *x509.Certificate, by *issuer) (*x509.Certificate, *ecdsa.PrivateKey, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, nil, err
	}
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	tmpl.NotBefore = time.Now().Add(-time.Hour)
	tmpl.NotAfter = time.Now().Add(7 * 24 * time.Hour)
	parent, signer := tmpl, key
	if by != nil {
		parent, signer = by.cert, by.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, nil, err
	}
	cert, err := x509.ParseCertificate(der)
	return cert, key, der, err
}

func newCA(name string) (*issuer, []byte, error) {
	cert, key, der, err := newCert(&x509.Certificate{
		Subject:               pkix.Name{CommonName: name},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil)
	if err != nil {
		return nil, nil, err
	}
	return &issuer{cert, key}, pemBlock("CERTIFICATE", der), nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func keyPEM(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return pemBlock("PRIVATE KEY", der), nil
}

// leaf makes a certificate by signs for usage, as PEM: the certificate, its key.
func leaf(by *issuer, name string, usage x509.ExtKeyUsage, server bool) ([]byte, []byte, error) {
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: name},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{usage},
	}
	if server {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")}
	}
	_, key, der, err := newCert(tmpl, by)
	if err != nil {
		return nil, nil, err
	}
	k, err := keyPEM(key)
	return pemBlock("CERTIFICATE", der), k, err
}

// makeTestPKI writes every file of tlsFiles into dir, each atomically and
// ca.pem last, so a second server started on the same dir sees all or none.
func makeTestPKI(dir string) error {
	ca, caPEM, err := newCA("pyroserver test CA")
	if err != nil {
		return err
	}
	other, otherPEM, err := newCA("pyroserver other CA")
	if err != nil {
		return err
	}
	files := map[string][]byte{"ca.pem": caPEM, "other-ca.pem": otherPEM}
	if files["server.pem"], files["server-key.pem"], err = leaf(ca, "pyroserver", x509.ExtKeyUsageServerAuth, true); err != nil {
		return err
	}
	if files["client.pem"], files["client-key.pem"], err = leaf(ca, "pgo-go test client", x509.ExtKeyUsageClientAuth, false); err != nil {
		return err
	}
	if files["stranger.pem"], files["stranger-key.pem"], err = leaf(other, "stranger", x509.ExtKeyUsageClientAuth, false); err != nil {
		return err
	}
	files["client-bundle.pem"] = append(append([]byte{}, files["client.pem"]...), files["client-key.pem"]...)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, name := range tlsFiles {
		if name == "ca.pem" {
			continue
		}
		if err := writeFileAtomic(filepath.Join(dir, name), string(files[name])); err != nil {
			return err
		}
	}
	return writeFileAtomic(filepath.Join(dir, "ca.pem"), string(files["ca.pem"]))
}
