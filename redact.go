package onboard

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// redactSecrets returns body with every credential the Authenticator added
// to a request replaced by "[redacted]", so that an error built from a
// server that echoes the credential back does not carry it. The credential
// is whatever header values differ between plain (before the Authenticator
// ran) and authed (after), together with their parts: the token of
// "Bearer <token>" and the password of "Basic <base64>"; extra holds more
// secrets, sent otherwise. body is returned as it is, without a copy, when
// it holds no credential.
func redactSecrets(body []byte, plain, authed http.Header, extra []string) []byte {
	for _, secret := range extra {
		body = replaceSecret(body, secret)
	}
	for name, values := range authed {
		if slices.Equal(plain[name], values) {
			continue
		}
		for _, v := range values {
			for _, secret := range secretParts(v) {
				body = replaceSecret(body, secret)
			}
		}
	}
	return body
}

// replaceSecret replaces every occurrence of secret in body. Values shorter
// than four bytes are left alone: they would match by chance.
func replaceSecret(body []byte, secret string) []byte {
	if len(secret) < 4 || !bytes.Contains(body, []byte(secret)) {
		return body
	}
	return bytes.ReplaceAll(body, []byte(secret), []byte("[redacted]"))
}

// secretParts returns a credential header value and the secrets inside it,
// longest first so that a whole value is replaced before its parts.
func secretParts(v string) []string {
	parts := []string{v}
	scheme, rest, ok := strings.Cut(v, " ")
	if !ok {
		return parts
	}
	parts = append(parts, rest)
	if strings.EqualFold(scheme, "Basic") {
		if raw, err := base64.StdEncoding.DecodeString(rest); err == nil {
			if _, password, ok := strings.Cut(string(raw), ":"); ok {
				parts = append(parts, password)
			}
		}
	}
	return parts
}
