package main

import (
	"errors"
	"regexp"
	"strings"

	"github.com/onboardkit/onboard"
)

// stateChanged reports whether err says the invite is no longer what the
// list showed: accepted, cancelled or gone since.
func stateChanged(err error) bool {
	return errors.Is(err, onboard.ErrConflict) || errors.Is(err, onboard.ErrNotFound)
}

// serverWords returns the server's message from an *onboard.APIError, or
// the error's text.
func serverWords(err error) string {
	var apiErr *onboard.APIError
	if errors.As(err, &apiErr) && apiErr.Message != "" {
		return apiErr.Message
	}
	return err.Error()
}

var itemPrefix = regexp.MustCompile(`^[a-z_]+\[\d+\]\.?`)

// describe says why an item was not sent, in a few words: the problems of
// an item the SDK refused before sending, or the failure of its batch.
func describe(err error) string {
	var ve *onboard.ValidationError
	if errors.As(err, &ve) && len(ve.Problems) > 0 {
		parts := make([]string, len(ve.Problems))
		for i, p := range ve.Problems {
			field := itemPrefix.ReplaceAllString(p.Field, "")
			if field == "" {
				field = "value"
			}
			parts[i] = field + " " + p.Message
		}
		return strings.Join(parts, "; ")
	}
	if err == nil {
		return ""
	}
	return serverWords(err)
}
