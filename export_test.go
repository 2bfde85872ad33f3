package onboard

import "time"

// RetryLoggerOf exposes, to the tests of package onboard_test, the logger
// handed to go-retryablehttp. It must be nil: that library's default logger
// writes every request line to stderr.
func RetryLoggerOf(c *Client) any { return c.http.Logger }

// SetAccessKeyClock makes auth, an AptlyAccessKey, read the time from now,
// so that tests of token renewal need not wait. Call it before NewClient.
func SetAccessKeyClock(auth Authenticator, now func() time.Time) { auth.(*aptlyAccessKey).now = now }
