package onboard

// RetryLoggerOf exposes, to the tests of package onboard_test, the logger
// handed to go-retryablehttp. It must be nil: that library's default logger
// writes every request line to stderr.
func RetryLoggerOf(c *Client) any { return c.http.Logger }
